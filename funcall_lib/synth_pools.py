"""Value pools and slot kinds for the bundled generator (`synth.py`).

A slot kind knows its JSON Schema and how to sample a value together with the text a person
would write for it. Text and value agree: the value appears verbatim in the prompt, except where
a person expects the tool to receive a normalised form (a date written "March 4, 2026" becomes
"2026-03-04" for a `format: date` parameter; "7:30 pm" becomes "19:30" for a 24-hour time).

Every pool is split: one item in four is held out of training and used only by dev/test, so
evaluation measures filling values the model has not seen.

`join_series` writes several values of one slot as people list them ("A, B and C", "A,B and C",
"both A and B", "each of A, B and C"), for requests that want one call per value.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass
from typing import Callable

from funcall_lib import synth_values
from funcall_lib.synth_values import invented_like

CITIES = ["Oslo", "Paris", "Tokyo", "Nairobi", "Lima", "Toronto", "Madrid", "Berlin", "Sydney",
          "Cairo", "Mumbai", "Seoul", "Lisbon", "Chicago", "Buenos Aires", "Istanbul", "Reykjavik",
          "Hanoi", "Dublin", "Vancouver", "Cape Town", "Zürich", "São Paulo", "Kraków",
          "Mexico City", "Amsterdam", "Prague", "Singapore", "Auckland", "Helsinki", "Denver",
          "Marrakesh", "Bogotá", "Osaka", "Edinburgh", "Montréal"]
COUNTRIES = ["Norway", "France", "Japan", "Kenya", "Peru", "Canada", "Spain", "Germany",
             "Australia", "Egypt", "India", "South Korea", "Portugal", "Brazil", "Mexico",
             "Iceland", "Vietnam", "Ireland", "Poland", "Chile", "Morocco", "New Zealand",
             "Finland", "Colombia"]
FIRST = ["Ana", "Liam", "Sofia", "Kenji", "Amara", "Lucas", "Ingrid", "Mateo", "Priya", "Omar",
         "Chloé", "Noah", "Zoë", "Aiden", "Fatima", "Björn", "Mei", "Diego", "Olga", "Samuel",
         "Leila", "Tomás", "Hannah", "Ravi", "Emeka", "Nina", "Jonas", "Yuki"]
LAST = ["Silva", "Okafor", "Müller", "Tanaka", "Johansson", "García", "Nguyen", "Kowalski",
        "Smith", "Haddad", "Núñez", "Patel", "Dubois", "Kim", "O'Brien", "Rossi", "Novak",
        "Andersen", "Mensah", "Costa", "Ivanova", "Schmidt", "Ahmed", "Lee"]
PRODUCTS = ["wireless headphones", "running shoes", "coffee grinder", "yoga mat", "desk lamp",
            "mechanical keyboard", "water bottle", "backpack", "electric kettle", "phone case",
            "air purifier", "standing desk", "bluetooth speaker", "rain jacket", "cast iron pan",
            "USB-C charger", "office chair", "smart watch", "hiking boots", "blender"]
GROCERIES = ["apples", "bread", "milk", "eggs", "bananas", "rice", "coffee beans", "tomatoes",
             "cheddar", "oat milk", "spinach", "pasta", "butter", "yogurt", "avocados", "carrots"]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries",
             "Wayne Enterprises", "Hooli", "Nordlys AS", "Blue Harbor Ltd", "Pied Piper"]
TICKERS = ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "TSLA", "META", "NFLX", "IBM", "ORCL",
           "SAP", "ASML"]
CURRENCIES = ["USD", "EUR", "GBP", "JPY", "NOK", "CAD", "AUD", "CHF", "INR", "BRL", "SEK", "MXN"]
AIRPORTS = ["OSL", "CDG", "HND", "NBO", "LIM", "YYZ", "MAD", "BER", "SYD", "CAI", "BOM", "ICN",
            "LIS", "ORD", "JFK", "LHR", "DUB", "AMS", "SIN", "AKL"]
LANGUAGES = ["French", "Spanish", "Japanese", "German", "Portuguese", "Korean", "Italian",
             "Swahili", "Norwegian", "Arabic", "Hindi", "Polish", "Vietnamese", "Dutch"]
CUISINES = ["Thai", "Italian", "Mexican", "Ethiopian", "Japanese", "Indian", "Lebanese",
            "Peruvian", "Greek", "Korean", "Vietnamese", "French"]
GENRES = ["jazz", "hip hop", "classical", "indie rock", "lo-fi", "bossa nova", "techno",
          "country", "k-pop", "reggae", "blues", "ambient"]
SONGS = ["Blue Horizon", "Midnight Train", "Paper Lanterns", "Golden Hour", "Northern Lights",
         "Slow Tide", "City of Glass", "Wildflower", "Neon Rain", "Echoes", "Saltwater",
         "Kite Season"]
TOPICS = ["renewable energy", "quantum computing", "the Roman empire", "sleep hygiene",
          "electric cars", "coral reefs", "machine learning", "urban gardening", "jazz history",
          "black holes", "remote work", "volcanoes", "bee colonies", "chess openings"]
TASKS = ["renew the car insurance", "call the dentist", "submit the expense report",
         "water the plants", "book a haircut", "pay the electricity bill", "return the library books",
         "prepare the slides for Monday", "buy a birthday gift for Mia", "back up the laptop",
         "clean the garage", "update the project roadmap"]
NOTES = ["Packing list", "Meeting notes", "Gift ideas", "Reading list", "Recipe tweaks",
         "Trip budget", "Interview questions", "Garden plan", "Weekly goals", "Book club"]
MESSAGES = ["Running 10 minutes late, sorry!", "Can we move the call to tomorrow?",
            "The report is ready for review.", "Happy birthday! 🎉", "Dinner is at 7, see you there.",
            "Thanks for your help today ❤️", "Don't forget the tickets.", "Landed safely ✈️",
            "Could you send me the slides?", "Meeting room changed to 4B.",
            "Congrats on the new job! 🥳"]
# Items 3 and 7 are held out. Items 5 and 10 give training the same kinds of character: an
# emoji (10, data v7) and an emoji with a variation selector U+FE0F (5, data v8). Without them
# every training dropped the held-out "🎉" (quality runs 13-14).
ROOMS = ["living room", "kitchen", "bedroom", "office", "garage", "hallway", "bathroom", "patio"]
STREETS = ["Baker Street", "Karl Johans gate", "Rue de Rivoli", "Elm Avenue", "Calle Mayor",
           "King Street", "Via Roma", "Main Street", "Harbour Road", "Maple Drive"]
MOVIES = ["The Silent Orbit", "Harbor Lights", "A Winter in Lima", "Glass Mountains",
          "The Last Cartographer", "Paper Moon Society", "Red Desert Run", "Ocean of Clocks"]
DISHES = ["lasagna", "pad thai", "banana bread", "chicken curry", "vegetable soup", "tacos",
          "risotto", "pancakes", "falafel", "ramen", "shakshuka", "apple pie"]
INGREDIENTS = ["chickpeas", "spinach", "salmon", "tofu", "mushrooms", "lentils", "feta",
               "sweet potatoes", "quinoa", "zucchini", "chicken thighs", "coconut milk"]
EXERCISES = ["running", "cycling", "swimming", "yoga", "rowing", "hiking", "strength training",
             "pilates", "walking", "boxing"]
NEIGHBORHOODS = ["Grünerløkka", "Le Marais", "Shibuya", "Kreuzberg", "Palermo", "Chelsea",
                 "Alfama", "Gamla stan", "Kampung Glam", "Mission District"]
HOLIDAYS = ["Christmas", "Easter", "Diwali", "Lunar New Year", "Thanksgiving", "Eid al-Fitr",
            "Midsummer", "Hanukkah"]
GENERAL_QUESTIONS = [  # requests no tool in the catalogue can serve (irrelevance)
    "Who wrote One Hundred Years of Solitude?", "Tell me a joke about penguins.",
    "What's the capital of Mongolia?", "Can you explain what a prime number is?",
    "Write a haiku about autumn.", "How many legs does a spider have?",
    "What's the difference between weather and climate?", "Summarise the plot of Hamlet in two sentences.",
    "Why is the sky blue?", "Give me three tips for a job interview.",
    "What does 'serendipity' mean?", "How do I say thank you in Japanese?",
    "Is a tomato a fruit or a vegetable?", "What year did the Berlin Wall fall?",
    "Recommend a good habit for mornings.", "What is 15% of 80?",
]


def held_out(pool: list, split: str) -> list:
    """Training sees 3 items in 4; dev/test see only the held-out quarter; unseen-tools all."""
    if split == "train":
        return [v for i, v in enumerate(pool) if i % 4 != 3]
    if split in ("dev", "test"):
        return [v for i, v in enumerate(pool) if i % 4 == 3]
    return list(pool)


def draw(pool: list, rng: random.Random, split: str, invent: bool = True) -> str:
    """One value of `pool` for `split`. In training, a share `synth_values.INVENTED_RATE` of the
    draws (none by default) is a new value shaped like a pool item, so that the model learns to
    copy names it has never seen rather than pick the nearest name it knows. Items written
    "said|value" are knowledge to apply, never replaced; `invent=False` keeps closed sets
    (currencies, languages) real."""
    return _maybe_invented(rng.choice(held_out(pool, split)), pool, rng, split, invent)


def draw_some(pool: list, count: int, rng: random.Random, split: str, invent: bool = True) -> list:
    """`count` distinct values of `pool` (fewer if the split holds fewer), each maybe invented."""
    part = held_out(pool, split)
    items = rng.sample(part, min(count, len(part)))
    return [_maybe_invented(v, pool, rng, split, invent) for v in items]


def _maybe_invented(item: str, pool: list, rng: random.Random, split: str, invent: bool) -> str:
    """`item`, or a new value shaped like it (see `draw`). Draws from `rng` only when inventing is
    on, so the default corpus does not depend on the feature."""
    rate = synth_values.INVENTED_RATE
    if invent and rate and split == "train" and "|" not in item and rng.random() < rate:
        return invented_like(item, rng, avoid=pool)
    return item


@dataclass(frozen=True)
class Kind:
    """A slot kind: its JSON Schema and a sampler (rng, split) -> (text, value)."""
    schema: dict
    sample: Callable[[random.Random, str], tuple[str, object]]


def _pick(pool, invent=True):
    def sample(rng, split):
        v = draw(pool, rng, split, invent)
        return v, v
    return sample


def _int(lo, hi):
    def sample(rng, split):
        v = rng.randint(lo, hi)
        return str(v), v
    return sample


def _money(lo, hi):
    def sample(rng, split):
        v = rng.choice([rng.randint(lo, hi), round(rng.uniform(lo, hi), 2)])
        return (f"{v:.2f}" if isinstance(v, float) else str(v)), v
    return sample


def _decimal(lo, hi, digits=1):
    def sample(rng, split):
        v = round(rng.uniform(lo, hi), digits)
        return str(v), v
    return sample


_DATE_FORMATS = {"train": ["{B} {d}, {Y}", "{Y}-{m}-{dd}", "{d} {B} {Y}"],
                 "heldout": ["{A}, {B} {d}, {Y}", "{b} {d} {Y}"]}


def date_formats(split: str) -> list[str]:
    """The ways a split writes dates (dev/test: held-out ones)."""
    return _DATE_FORMATS["heldout" if split in ("dev", "test") else "train"]


def format_date(iso: str, fmt: str) -> str:
    """'2026-03-04' in one of `date_formats` ("{B} {d}, {Y}" -> "March 4, 2026")."""
    day = dt.date.fromisoformat(iso)
    return fmt.format(B=day.strftime("%B"), b=day.strftime("%b"), A=day.strftime("%A"),
                      d=day.day, dd=f"{day.day:02d}", m=f"{day.month:02d}", Y=day.year)


def _date(rng, split):
    day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 540))
    return format_date(day.isoformat(), rng.choice(date_formats(split))), day.isoformat()


def _time(rng, split):
    h, m = rng.randint(6, 22), rng.choice([0, 15, 30, 45])
    h12, ampm = (h - 1) % 12 + 1, "am" if h < 12 else "pm"
    if split in ("dev", "test"):
        text = rng.choice([f"{h12}:{m:02d}{ampm.upper()}", f"{h12}.{m:02d} {ampm}"])
    else:
        text = rng.choice([f"{h12}:{m:02d} {ampm}", f"{h:02d}:{m:02d}"] + ([f"{h12} {ampm}"] if m == 0 else []))
    return text, f"{h:02d}:{m:02d}"


def _person(rng, split):
    v = f"{draw(FIRST, rng, split)} {draw(LAST, rng, split)}"
    return v, v


def _email(rng, split):
    first, last = draw(FIRST, rng, split), draw(LAST, rng, split)
    ascii_ = lambda s: "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if c.isascii() and c.isalpha())
    v = f"{ascii_(first)}.{ascii_(last)}@{rng.choice(['example.com', 'mail.org', 'work.net'])}"
    return v, v


def _phone(rng, split):
    v = f"+{rng.choice([1, 33, 44, 47, 49, 81])} {rng.randint(200, 999)} {rng.randint(1000, 9999)}"
    return v, v


def _list_of(pool, lo=2, hi=4):
    def sample(rng, split):
        items = draw_some(pool, rng.randint(lo, hi), rng, split)
        return join_words(items), items
    return sample


def _order_lines(rng, split):
    items = draw_some(GROCERIES, rng.randint(1, 3), rng, split)
    lines = [{"item": it, "quantity": rng.randint(1, 6)} for it in items]
    return join_words([f"{ln['quantity']} {ln['item']}" for ln in lines]), lines


def _address(rng, split):
    street = f"{rng.randint(1, 220)} {draw(STREETS, rng, split)}"
    city = draw(CITIES, rng, split)
    return f"{street}, {city}", {"street": street, "city": city}


def _price_range(rng, split):
    lo = rng.choice([50, 100, 150, 200, 300])
    hi = lo + rng.choice([50, 100, 250, 500])
    return f"between {lo} and {hi}", {"min": lo, "max": hi}


def _dimensions(rng, split):
    dims = {k: rng.randint(10, 120) for k in ("length", "width", "height")}
    return f"{dims['length']} x {dims['width']} x {dims['height']} cm", dims


def join_words(items: list[str]) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def join_series(items: list[str], rng: random.Random, quantifier: bool = False,
                commas: bool = True) -> str:
    """Several values of one slot, written the ways people list them: "A, B and C", "A, B, and C",
    "A,B and C", "A as well as B"; with `quantifier` (after a preposition) also "both A and B" and
    "each of A, B and C". Without `commas` (a value has one) only the "and" forms of two values."""
    items = [str(i) for i in items]
    if len(items) == 2:
        a, b = items
        forms = [f"{a} and {b}", f"{a} and {b}", f"{a} as well as {b}"]
        if quantifier:
            forms.append(f"both {a} and {b}")
        return rng.choice(forms)
    if not commas:
        raise ValueError("values with commas can only be listed two at a time")
    head, last = items[:-1], items[-1]
    forms = [", ".join(head) + " and " + last, ", ".join(head) + " and " + last,
             ", ".join(head) + ", and " + last, ",".join(head) + " and " + last]
    text = rng.choice(forms)
    return "each of " + text if quantifier and rng.random() < 0.2 else text


_S = {"type": "string"}
KINDS: dict[str, Kind] = {
    "city": Kind(_S, _pick(CITIES)), "country": Kind(_S, _pick(COUNTRIES)),
    "person": Kind(_S, _person), "company": Kind(_S, _pick(COMPANIES)),
    "product": Kind(_S, _pick(PRODUCTS)), "grocery": Kind(_S, _pick(GROCERIES)),
    "ticker": Kind(_S, _pick(TICKERS)), "airport": Kind({"type": "string", "pattern": "^[A-Z]{3}$"}, _pick(AIRPORTS, invent=False)),
    "currency": Kind({"type": "string", "pattern": "^[A-Z]{3}$"}, _pick(CURRENCIES, invent=False)),
    "language": Kind(_S, _pick(LANGUAGES, invent=False)), "cuisine": Kind(_S, _pick(CUISINES)),
    "genre": Kind(_S, _pick(GENRES)), "song": Kind(_S, _pick(SONGS)), "topic": Kind(_S, _pick(TOPICS)),
    "task": Kind(_S, _pick(TASKS)), "note": Kind(_S, _pick(NOTES)), "message": Kind(_S, _pick(MESSAGES)),
    "room": Kind(_S, _pick(ROOMS)), "movie": Kind(_S, _pick(MOVIES)), "dish": Kind(_S, _pick(DISHES)),
    "exercise": Kind(_S, _pick(EXERCISES)), "neighborhood": Kind(_S, _pick(NEIGHBORHOODS)),
    "holiday": Kind(_S, _pick(HOLIDAYS, invent=False)),
    "email": Kind({"type": "string", "format": "email"}, _email), "phone": Kind(_S, _phone),
    "date": Kind({"type": "string", "format": "date"}, _date),
    "time": Kind({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}, _time),
    "count": Kind({"type": "integer", "minimum": 1}, _int(2, 9)),
    "guests": Kind({"type": "integer", "minimum": 1}, _int(2, 8)),
    "nights": Kind({"type": "integer", "minimum": 1}, _int(2, 14)),
    "minutes": Kind({"type": "integer", "minimum": 1}, _int(5, 120)),
    "percent": Kind({"type": "integer", "minimum": 0, "maximum": 100}, _int(5, 95)),
    "rating": Kind({"type": "integer", "minimum": 1, "maximum": 5}, _int(1, 5)),
    "limit": Kind({"type": "integer", "minimum": 1}, _int(3, 20)),
    "year": Kind({"type": "integer"}, _int(1990, 2026)),
    "amount": Kind({"type": "number", "minimum": 0}, _money(5, 2500)),
    "kg": Kind({"type": "number", "minimum": 0}, _decimal(0.5, 40.0)),
    "body_kg": Kind({"type": "number", "minimum": 0}, _decimal(48.0, 115.0)),
    "km": Kind({"type": "number", "minimum": 0}, _decimal(1.0, 300.0)),
    "celsius": Kind({"type": "number"}, _decimal(16.0, 26.0, 1)),
    "cities": Kind({"type": "array", "items": _S}, _list_of(CITIES, 2, 3)),
    "groceries": Kind({"type": "array", "items": _S}, _list_of(GROCERIES)),
    "ingredients": Kind({"type": "array", "items": _S}, _list_of(INGREDIENTS)),
    "emails": Kind({"type": "array", "items": {"type": "string", "format": "email"}},
                   lambda rng, split: _emails(rng, split)),
    "tickers": Kind({"type": "array", "items": _S}, _list_of(TICKERS, 2, 4)),
    "order_lines": Kind({"type": "array", "items": {
        "type": "object", "properties": {"item": _S, "quantity": {"type": "integer", "minimum": 1}},
        "required": ["item", "quantity"]}}, _order_lines),
    "address": Kind({"type": "object", "properties": {"street": _S, "city": _S},
                     "required": ["street", "city"]}, _address),
    "price_range": Kind({"type": "object", "properties": {"min": {"type": "number"}, "max": {"type": "number"}},
                         "required": ["min", "max"]}, _price_range),
    "dimensions": Kind({"type": "object", "properties": {k: {"type": "integer"} for k in ("length", "width", "height")},
                        "required": ["length", "width", "height"]}, _dimensions),
}


def _emails(rng, split):
    values = sorted({_email(rng, split)[1] for _ in range(rng.randint(2, 3))})
    return join_words(values), values
