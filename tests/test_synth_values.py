"""Value forms: what a request says and what the tool must receive agree exactly."""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal

import pytest

from funcall_lib.synth_proc import _param_schema, all_tools, parse_param, sample_value
from funcall_lib.synth_proc_vocab import POOL_NOTES, POOLS
from funcall_lib.synth_values import (MAGNITUDES, NUMBER_WORDS, UNITS, in_units, magnitude, percent_fraction,
                                      plain, pool_item, say_number, spoken_date)

SEEDS = range(300)


def test_plain_numbers_have_no_float_noise_or_exponent():
    assert plain(Decimal("2000.0")) == 2000 and type(plain(Decimal("2000.0"))) is int
    assert plain(Decimal("5") / 100) == 0.05
    assert json.dumps(plain(Decimal("0.001"))) == "0.001"


def test_say_number_groups_thousands_and_spells_small_counts():
    forms = {say_number(12500, "principal", "a principal of ${}", False, random.Random(s)) for s in SEEDS}
    assert forms == {"12500", "12,500"}
    years = {say_number(2024, "year", "in {}", True, random.Random(s)) for s in SEEDS}
    assert years == {"2024"}
    counts = {say_number(3, "trials", "{} trials", True, random.Random(s)) for s in SEEDS}
    assert counts == {"3", "three"}
    # "a /3 prefix" never becomes "a /three prefix"
    assert {say_number(3, "prefix_length", "a /{} prefix", True, random.Random(s)) for s in SEEDS} == {"3"}


def _said_number(text: str) -> Decimal:
    number, _, word = text.partition(" ")
    scale = dict(MAGNITUDES).get(word, 1)
    return Decimal(number.replace(",", "")) * scale


def test_magnitude_text_means_the_value():
    seen = set()
    for s in SEEDS:
        text, value = magnitude(100000, 1500000000, random.Random(s))
        assert type(value) is int and 100000 <= value <= 1500000000, (text, value)
        assert _said_number(text) == value, (text, value)
        seen.add(text.split(" ")[-1] if " " in text else "digits")
    assert {"thousand", "million", "billion", "digits"} <= seen


def test_percent_becomes_the_fraction():
    for s in SEEDS:
        text, value = percent_fraction(1, 30, random.Random(s))
        pct = Decimal(re.match(r"[\d.]+", text).group())
        assert Decimal(str(value)) == pct / 100 and (text.endswith("%") or text.endswith(" percent"))
        assert len(json.dumps(value)) <= 7  # 0.0475, never 0.047500000000000001


def test_in_units_moves_the_decimal_point_only():
    units = {symbol: Decimal(f) for dim in UNITS.values() for symbol, (_, f) in dim.items()}
    names = {name: symbol for dim in UNITS.values() for symbol, (name, _) in dim.items()}
    other = 0
    for base, lo, hi in (("H", 0.001, 10), ("kg", 0.001, 500), ("µF", 1, 100000), ("km", 1, 5000)):
        for s in SEEDS:
            text, value = in_units(base, lo, hi, random.Random(s))
            number, _, unit = text.partition(" ")
            symbol = unit if unit in units else names.get(unit) or names[unit + "s"]
            assert Decimal(str(value)) == Decimal(number) * units[symbol] / units[base], (text, value)
            assert lo <= value <= hi and "e" not in json.dumps(value), (text, value)
            other += symbol != base
    assert other > 200


def test_spoken_date_is_written_in_the_layout():
    for layout, pattern in (("iso", r"\d{4}-\d\d-\d\d"), ("us", r"\d\d-\d\d-\d{4}"), ("eu", r"\d\d/\d\d/\d{4}")):
        for s in range(50):
            said, value = spoken_date(layout, random.Random(s))
            assert re.fullmatch(pattern, value) and value not in said, (said, value)
            assert re.search(r"\b(19|20)\d\d\b", said)


def test_pool_items_said_one_way_sent_another():
    forms = {pool_item("Boise|Boise, ID", random.Random(s)) for s in SEEDS}
    assert forms == {("Boise", "Boise, ID"), ("Boise, ID", "Boise, ID")}
    assert pool_item("Oslo", random.Random(0)) == ("Oslo", "Oslo")
    for pool in POOL_NOTES:
        assert all("|" in item for item in POOLS[pool]), pool
        example = POOL_NOTES[pool].rpartition(" ")[2]
        assert not any(item.endswith("|" + example) or item.startswith(example + "|") for item in POOLS[pool])


def test_enum_said_forms_and_param_errors():
    p = parse_param('?unit:e:km~kilometers/mi~miles=km "in {}"')
    assert p.spec == ("km", "mi") and p.said == ("kilometers", "miles")
    assert {sample_value(p, random.Random(s), "train") for s in range(40)} == {
        ("km", "km"), ("kilometers", "km"), ("mi", "mi"), ("miles", "mi")}
    assert parse_param('from:e:hpa~hectopascals/mmhg~millimeters_of_mercury "{}"').said[1] == "millimeters of mercury"
    with pytest.raises(ValueError, match="unknown unit 'furlong'"):
        parse_param('length:u:furlong:1:9 "a length of {}"')
    with pytest.raises(ValueError, match="date layout"):
        parse_param('day:d:julian "on {}"')


def test_descriptions_say_the_form_the_value_takes():
    """The description is the only clue that "5%" becomes 0.05: every transformed param says so."""
    checked = set()
    for tool in all_tools():
        for p in tool.params:
            desc = _param_schema(p)["description"]
            if p.kind == "f":
                assert "0." in desc or "fraction" in desc, desc
            elif p.kind == "u":
                assert f"({p.spec[0]})" in desc, desc
            elif p.kind == "d":
                assert re.search(r"(YYYY|MM|DD)", desc), desc
            elif p.kind == "s" and p.spec[0] in POOL_NOTES:
                assert POOL_NOTES[p.spec[0]] in desc, desc
            else:
                continue
            checked.add(p.kind if p.kind != "s" else p.spec[0])
    assert checked == {"f", "u", "d", *POOL_NOTES}


def test_number_words_cover_the_spelled_range():
    assert NUMBER_WORDS[12] == "twelve" and len(NUMBER_WORDS) == 13


def test_invented_values_keep_the_shape_and_avoid_the_pool():
    import re

    from funcall_lib.synth_values import invented_like

    rng = random.Random(3)
    for model in ["Buenos Aires", "WMT", "Happy birthday! 🎉", "USB-C charger", "Kraków", "CS101",
                  "acme/webapp", "Homo sapiens"]:
        for _ in range(20):
            made = invented_like(model, rng, avoid=["Oslo"])
            assert made != model
            # only the letters and digits change: each word for a real word of the same case,
            # each code for capitals of the same length, each digit for a digit
            shape = lambda text: re.sub(r"\d", "0", re.sub(r"[^\W\d_]+", "a", text))
            assert shape(made) == shape(model)
            words = lambda text: re.findall(r"[^\W\d_]+", text)
            for old, new in zip(words(model), words(made)):
                if old.isupper():
                    assert new.isupper() and new.isascii() and len(new) == len(old)
                else:
                    assert len(new) >= 3 and new[0].isupper() == old[0].isupper()
    assert len({invented_like("Oslo", random.Random(i)) for i in range(200)}) > 150  # many names
    with pytest.raises(ValueError, match="cannot invent"):
        invented_like("-", rng)  # nothing to change


def test_draw_invents_only_in_training_and_only_open_pools():
    from funcall_lib.synth_pools import CITIES, draw, held_out
    from funcall_lib.synth_values import invented_values

    rng = random.Random(5)
    assert all(draw(CITIES, rng, "train") in CITIES for _ in range(500))  # off by default
    with invented_values(0.25):
        train = [draw(CITIES, rng, "train") for _ in range(2000)]
        invented = [c for c in train if c not in CITIES]
        assert abs(len(invented) / len(train) - 0.25) < 0.04
        assert not set(train) & set(held_out(CITIES, "test"))
        assert all(draw(CITIES, rng, split) in held_out(CITIES, split) for split in ("dev", "test")
                   for _ in range(200))
        assert all(draw(CITIES, rng, "train", invent=False) in CITIES for _ in range(200))
        said_value = ["Denver|Denver, CO", "Austin|Austin, TX"]
        assert all("|" in draw(said_value * 4, rng, "train") for _ in range(200))
    with pytest.raises(ValueError, match="within"):
        with invented_values(1.5):
            pass
