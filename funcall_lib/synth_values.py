"""How a person says a value, and what the tool must receive: the value-faithfulness skills.

Copying a value verbatim is the easy half of filling arguments. The other half is writing it the
way the schema asks when the request says it differently, and the model can only learn that from
data where the two differ:

- "$12,500" and "twelve" are 12500 and 12 (thousands separators, number words);
- "2.5 million" is 2500000 (magnitude words);
- "5%" is 0.05 when the description asks for a decimal fraction, and stays 5 when it asks for
  percent (both kinds exist, so the description decides);
- "50 mH" is 0.05 for a parameter in henries (metric prefixes only: shifting the decimal point
  is a skill; multiplying by 1.609344 is arithmetic no small model should be asked to do);
- "March 5, 2021" is "03-05-2021" when the description says MM-DD-YYYY;
- "miles" is "mi" when the enum holds the abbreviation;
- "Denver" is "Denver, CO" when the description asks for the city and state (pools whose items
  are written "said|value").

Each sampler returns (text for the request, value for the arguments).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import random
import re
from decimal import Decimal

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve")
# A phrase where an integer reads naturally as a word: "{} trials", "for {} days", "after {} years".
_WORDY_PHRASE = re.compile(r"(?:^|\s)\{\} [a-z]")
# Identifiers and years are never written "2,024" or "port 8,080".
_NOT_GROUPED = ("year", "port", "code", "id", "number", "day")
MAGNITUDES = (("thousand", 10**3), ("million", 10**6), ("billion", 10**9))

# Metric units by dimension: symbol -> (spoken name, factor to the first unit of its dimension).
# Only powers of ten, so a conversion moves the decimal point and never needs a multiplication.
UNITS: dict[str, dict[str, tuple[str, str]]] = {
    "length": {"m": ("meters", "1"), "cm": ("centimeters", "0.01"), "mm": ("millimeters", "0.001"),
               "km": ("kilometers", "1000")},
    "mass": {"kg": ("kilograms", "1"), "g": ("grams", "0.001"), "mg": ("milligrams", "0.000001"),
             "t": ("tonnes", "1000")},
    "inductance": {"H": ("henries", "1"), "mH": ("millihenries", "0.001"), "µH": ("microhenries", "0.000001")},
    "capacitance": {"F": ("farads", "1"), "mF": ("millifarads", "0.001"), "µF": ("microfarads", "0.000001")},
    "frequency": {"Hz": ("hertz", "1"), "kHz": ("kilohertz", "1000"), "MHz": ("megahertz", "1000000")},
    "energy": {"J": ("joules", "1"), "kJ": ("kilojoules", "1000"), "MJ": ("megajoules", "1000000")},
    "power": {"W": ("watts", "1"), "kW": ("kilowatts", "1000"), "MW": ("megawatts", "1000000")},
    "volume": {"L": ("liters", "1"), "mL": ("milliliters", "0.001")},
    "pressure": {"Pa": ("pascals", "1"), "kPa": ("kilopascals", "1000"), "MPa": ("megapascals", "1000000")},
    "current": {"A": ("amperes", "1"), "mA": ("milliamperes", "0.001")},
    "voltage": {"V": ("volts", "1"), "mV": ("millivolts", "0.001"), "kV": ("kilovolts", "1000")},
    "time": {"s": ("seconds", "1"), "ms": ("milliseconds", "0.001")},
}
DATE_LAYOUTS = {"iso": ("%Y-%m-%d", "YYYY-MM-DD"), "us": ("%m-%d-%Y", "MM-DD-YYYY"),
                "eu": ("%d/%m/%Y", "DD/MM/YYYY"), "usslash": ("%m/%d/%Y", "MM/DD/YYYY")}
_SPOKEN_DATES = ("{B} {d}, {Y}", "{d} {B} {Y}", "{b} {d}, {Y}", "the {o} of {B} {Y}")
FRACTION_NOTES = (" as a decimal fraction (0.05 for 5%)", " as a decimal, e.g. 0.2 for 20%",
                  ", a fraction between 0 and 1 (not a percentage)")


def unit_dimension(symbol: str) -> str:
    for dim, units in UNITS.items():
        if symbol in units:
            return dim
    raise ValueError(f"unknown unit {symbol!r}; known: {', '.join(s for u in UNITS.values() for s in u)}")


def plain(value: Decimal) -> int | float:
    """A Decimal as the JSON number a person would write: 2000 not 2000.0, 0.05 not 5e-2."""
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def say_number(value, name: str, phrase: str, integer: bool, rng: random.Random) -> str:
    """How a request writes a number: mostly as is; whole numbers of 1000 or more sometimes with
    thousands separators ("$12,500"); small integers sometimes as words where a word reads
    naturally ("three trials")."""
    if (isinstance(value, int) and value >= 1000 and not any(w in name for w in _NOT_GROUPED)
            and rng.random() < 0.4):
        return f"{value:,}"
    if integer and 2 <= value <= 12 and _WORDY_PHRASE.search(phrase) and rng.random() < 0.15:
        return NUMBER_WORDS[value]
    return str(value)


def magnitude(lo: float, hi: float, rng: random.Random) -> tuple[str, int]:
    """A large round number said with a magnitude word ("2.5 million", "340 thousand") or in full
    with separators ("2,500,000"); lo and hi bound the value."""
    words = [(w, m) for w, m in MAGNITUDES if lo / m <= 900 and hi / m >= 1]
    word, scale = rng.choice(words)
    low, high = max(1.0, lo / scale), min(900.0, hi / scale)
    mantissa = Decimal(rng.randint(int(low), max(int(low), int(high))))
    if rng.random() < 0.35 and high - low >= 1:
        mantissa += Decimal(rng.randint(1, 9)) / 10
    value = int(mantissa * scale)
    return (f"{value:,}" if rng.random() < 0.3 else f"{plain(mantissa)} {word}"), value


def percent_fraction(lo: float, hi: float, rng: random.Random) -> tuple[str, float]:
    """A rate said in percent ("4.5%", "12 percent") for a parameter that wants the fraction."""
    pct = Decimal(rng.randint(int(lo), int(hi)))
    if rng.random() < 0.3:
        pct += Decimal(rng.choice(("0.25", "0.5", "0.75", "0.5")))
    text = f"{plain(pct)}{rng.choice(('%', '%', '%', ' percent'))}"
    return text, plain(pct / 100)


def in_units(base: str, lo: float, hi: float, rng: random.Random) -> tuple[str, int | float]:
    """A quantity said in its parameter's unit half the time, else in another metric unit of the
    same dimension ("50 mH" for a parameter in H -> 0.05), chosen so the number said stays between
    0.5 and 5000 and the value stays in [lo, hi]."""
    units = UNITS[unit_dimension(base)]
    to_base = {s: Decimal(f) / Decimal(units[base][1]) for s, (_, f) in units.items()}
    # k >= 0.001 keeps values like 0.05 out of exponent notation ("5e-05")
    fits = [s for s, k in to_base.items() if s != base and k >= Decimal("0.001")
            and Decimal(str(hi)) / k >= 1 and Decimal(str(lo)) / k <= 5000]
    symbol = rng.choice(fits) if fits and rng.random() < 0.5 else base
    k = to_base[symbol]
    low, high = max(Decimal(str(lo)) / k, Decimal("0.5")), min(Decimal(str(hi)) / k, Decimal(5000))
    if high - low < 5:  # a narrow range: tenths ("0.5 H" .. "4.7 H")
        said = Decimal(rng.randint(math.ceil(low * 10), max(math.ceil(low * 10), math.floor(high * 10)))) / 10
    else:
        said = Decimal(rng.randint(math.ceil(low), math.floor(high)))
        if said < 10 and said + 1 <= high and rng.random() < 0.5:
            said += Decimal(rng.randint(1, 9)) / 10
    value = said * k
    name = units[symbol][0]
    unit_text = symbol if rng.random() < 0.6 else (name[:-1] if said == 1 and name.endswith("s") else name)
    return f"{plain(said)} {unit_text}", plain(value)


def spoken_date(layout: str, rng: random.Random) -> tuple[str, str]:
    """A date said the way people say it, and written in the layout the parameter asks for."""
    day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 4200))
    pattern = rng.choice(_SPOKEN_DATES)
    ordinal = f"{day.day}{'th' if 10 <= day.day % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day.day % 10, 'th')}"
    said = pattern.format(B=day.strftime("%B"), b=day.strftime("%b"), d=day.day, Y=day.year, o=ordinal)
    if rng.random() < 0.15:
        said = day.isoformat() if layout != "iso" else day.strftime("%B %d, %Y").replace(" 0", " ")
    return said, day.strftime(DATE_LAYOUTS[layout][0])


def pool_item(item: str, rng: random.Random) -> tuple[str, str]:
    """'Denver|Denver, CO' -> said "Denver" (or, one time in four, the value itself), value
    "Denver, CO". A plain item is said as it is."""
    said, sep, value = item.partition("|")
    if not sep:
        return item, item
    return (value if rng.random() < 0.25 else said), value


# ---------------------------------------------------------------- invented values

# A small model trained on a few dozen cities learns "a city is one of these" and, given a city it
# never saw, writes the nearest one it knows ("Sydney" for "Singapore"). The tokenizer makes it
# worse: in the request a word is one token with its leading space (" Singapore"), in the JSON
# value it follows a quote and splits differently ("Sing" + "apore"), so copying means spelling
# the word again. Values drawn from the thousands of real names and words that Faker holds
# train that spelling on many words, not on a few dozen.
# Off by default: at 0.25 it did not move BFCL or the test set beyond rerun noise (run 5 in
# docs/benchmarks.md). `funcall data build --invented-rate 0.25` turns it on.
INVENTED_RATE = 0.0
# Not it_IT: its city() depends on the interpreter's hash seed, so two builds would differ.
FAKER_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "pt_BR", "nl_NL", "pl_PL", "sv_SE",
                 "tr_TR", "cs_CZ")
_CAPITALS = "ABCDEFGHJKLMNPRSTVWXZ"


@contextlib.contextmanager
def invented_values(rate: float):
    """Within the block, training draws from pools are invented with probability `rate`."""
    global INVENTED_RATE
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"invented-value rate must be within [0, 1], got {rate}")
    saved, INVENTED_RATE = INVENTED_RATE, rate
    try:
        yield
    finally:
        INVENTED_RATE = saved


@functools.lru_cache(maxsize=None)
def _faker(locale: str):
    from faker import Faker

    return Faker(locale)


def _real_word(rng: random.Random, capitalized: bool) -> str:
    """One real word: a name or a city from a random locale when capitalized, else a common word."""
    fake = _faker(rng.choice(FAKER_LOCALES))
    fake.seed_instance(rng.getrandbits(32))
    for _ in range(20):
        source = rng.choice((fake.city, fake.first_name, fake.last_name)) if capitalized else fake.word
        words = [w for w in re.split(r"[\s\-']+", source()) if len(w) >= 3 and w.isalpha()]
        if words:
            word = rng.choice(words)
            return word[0].upper() + word[1:] if capitalized else word.lower()
    raise ValueError("no usable word from Faker")


def _reshaped(model: str, rng: random.Random) -> str:
    def word(match: re.Match) -> str:
        text = match.group(0)
        if text.isupper():
            # codes, tickers and initials ("WMT", the C of "USB-C"): other capitals, same length
            return "".join(rng.choice(_CAPITALS) for _ in text)
        return _real_word(rng, text[0].isupper())

    shaped = re.sub(r"[^\W\d_]+", word, model)
    return re.sub(r"\d", lambda _: rng.choice("0123456789"), shaped)


def invented_like(model: str, rng: random.Random, avoid=()) -> str:
    """A new value shaped like `model`: every run of letters becomes another real word of the
    same case ("Buenos Aires" -> "Palencia Marek", "banana bread" -> "espace design"), codes in
    capitals other capitals ("WMT" -> "KRB"), digits other digits; spaces, hyphens, punctuation
    and emoji stay. Never `model` itself nor an item of `avoid` (a held-out value must not turn
    up in training by chance)."""
    taken = set(avoid) | {model}
    for _ in range(50):
        value = _reshaped(model, rng)
        if value not in taken:
            return value
    raise ValueError(f"cannot invent a value shaped like {model!r}")
