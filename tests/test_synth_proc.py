"""The procedural tool family: breadth, held-out fields, typed values, categories, the mix knob."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest

from funcall_lib.cli import main
from funcall_lib.records import load_records, validate_record
from funcall_lib.synth import build_splits, check_overlap, parse_mix
from funcall_lib.synth_proc import CATEGORY_WEIGHTS, all_tools, parse_param, split_tools
from funcall_lib.synth_currency import CURRENCY_NAMES
from funcall_lib.synth_proc_vocab import HELD_OUT_FIELDS, POOLS
from funcall_lib.synth_values import DATE_LAYOUTS, MAGNITUDES, NUMBER_WORDS, UNITS, plain, unit_dimension

SIZES = {"train": 1000, "dev": 150, "test": 150, "test_unseen_tools": 150}


@pytest.fixture(scope="module")
def splits():
    return build_splits(seed=0, sizes=SIZES, mix=0.6)


def _proc(records):
    return [r for r in records if r["meta"].get("family") == "procedural"]


def test_breadth_and_unique_names():
    tools = all_tools()
    assert len(tools) >= 200 and len({t.field for t in tools}) >= 18
    assert len({t.name for t in tools}) == len(tools)
    kinds = Counter(p.kind for t in tools for p in t.params)
    for kind in ("n", "i", "s", "e", "b", "an", "as", "o"):
        assert kinds[kind] > 0, kind
    assert all(1 <= len(t.params) <= 5 for t in tools)
    assert any(p.optional and p.default for t in tools for p in t.params)


def test_param_spec_errors_are_clear():
    assert parse_param('?unit:e:cm/m=cm "in {}"').spec == ("cm", "m")
    with pytest.raises(ValueError, match="bad procedural param spec"):
        parse_param("radius number")


def test_held_out_fields_and_stems():
    seen = split_tools("train")
    unseen = split_tools("test_unseen_tools")
    assert unseen and {t.field for t in unseen} == set(HELD_OUT_FIELDS)
    assert not {t.field for t in seen} & set(HELD_OUT_FIELDS)
    assert not {t.concept for t in seen} & {t.concept for t in unseen}


def test_held_out_names_and_stems_absent_from_train(splits):
    unseen = split_tools("test_unseen_tools")
    offered = {t["name"] for name in ("train", "dev", "test") for r in splits[name] for t in r["tools"]}
    assert not offered & {t.name for t in unseen}
    stems = {t.concept for t in unseen}
    assert not any(stem in name for name in offered for stem in stems)
    unseen_offered = {t["name"] for r in _proc(splits["test_unseen_tools"]) for t in r["tools"]}
    assert unseen_offered and unseen_offered <= {t.name for t in unseen}


def test_mix_counts_categories_and_validity(splits):
    for name, records in splits.items():
        assert len(records) == SIZES[name]
        proc = _proc(records)
        assert len(proc) == round(SIZES[name] * 0.6)
        assert set(Counter(r["meta"]["category"] for r in proc)) == set(CATEGORY_WEIGHTS), name
        bad = [(r["id"], validate_record(r)) for r in records if validate_record(r)]
        assert not bad, bad[:3]
        assert len({r["id"] for r in records}) == len(records)


def test_zero_overlap_and_determinism(splits):
    assert all(v == {"ids": 0, "prompt_answer": 0} for v in check_overlap(splits).values())
    small = {"train": 60, "dev": 10, "test": 10, "test_unseen_tools": 10}
    a, b = build_splits(seed=5, sizes=small, mix=0.5), build_splits(seed=5, sizes=small, mix=0.5)
    assert a == b and a != build_splits(seed=6, sizes=small, mix=0.5)
    assert build_splits(seed=5, sizes=small) == build_splits(seed=5, sizes=small, mix=0.0)


def _tool_of(rec, name):
    return next(t for t in rec["tools"] if t["name"] == name)


def _said_forms(p, value) -> list[str]:
    """Every way the generator may write `value` of param `p` in a request (see synth_values)."""
    if p.kind in ("n", "i"):
        forms = [str(value)]
        if type(value) is int:
            forms += [f"{value:,}"] + ([NUMBER_WORDS[value]] if 0 <= value <= 12 else [])
        return forms
    if p.kind == "f":
        pct = str(plain(Decimal(str(value)) * 100))
        return [pct + "%", pct + " percent"]
    if p.kind == "m":
        return [f"{value:,}"] + [f"{plain(Decimal(value) / m)} {w}" for w, m in MAGNITUDES]
    if p.kind == "u":
        units = UNITS[unit_dimension(p.spec[0])]
        forms = []
        for symbol, (name, factor) in units.items():
            said = str(plain(Decimal(str(value)) * Decimal(units[p.spec[0]][1]) / Decimal(factor)))
            forms += [f"{said} {symbol}", f"{said} {name}", f"{said} {name[:-1]}"]
        return forms
    if p.kind == "d":
        day = dt.datetime.strptime(value, DATE_LAYOUTS[p.spec[0]][0]).date()
        return [day.isoformat(), f"{day:%B} {day.day}, {day.year}", f"{day.day} {day:%B} {day.year}",
                f"{day:%b} {day.day}, {day.year}", f"of {day:%B} {day.year}"]
    if p.kind == "e":
        return [value] + ([p.said[p.spec.index(value)]] if p.said else [])
    if p.kind == "s":
        said = [i.partition("|")[0] for i in POOLS[p.spec[0]] if i.endswith("|" + value)]
        return [value] + said + list(CURRENCY_NAMES.get(value, ()))  # training says some codes by name
    raise AssertionError(p.kind)


def _in_text(p, value, text) -> bool:
    return any(form in text for form in _said_forms(p, value))


def test_values_typed_by_schema_and_in_the_prompt(splits):
    """Integer params get ints, numbers get numbers, and every value is in the request in one of
    the forms a person writes it ("$12,500", "5%" for 0.05, "50 mH" for 0.05 H, "Denver" for
    "Denver, CO")."""
    checked, by_name = Counter(), {t.name: t for t in all_tools()}
    for r in _proc(splits["train"]):
        text = r["messages"][-1]["content"]
        for call in r["answer"]["tool_calls"]:
            props = _tool_of(r, call["name"])["parameters"]["properties"]
            params = {q.name: q for q in by_name[call["name"]].params}
            for arg, value in call["arguments"].items():
                # training renames some plain `city` parameters `location` (synth_cities)
                p = params[arg] if arg in params else params["city"]
                kind = props[arg].get("enum") and "enum" or props[arg]["type"]
                if kind == "integer":
                    assert type(value) is int and _in_text(p, value, text), (r["id"], arg, value)
                elif kind == "number":
                    assert type(value) in (int, float) and _in_text(p, value, text), (r["id"], arg, value)
                elif kind in ("string", "enum"):
                    assert isinstance(value, str) and _in_text(p, value, text), (r["id"], arg, value)
                elif kind == "boolean":
                    assert isinstance(value, bool)
                elif kind == "array" and p.kind == "an":
                    assert all(str(v) in text for v in value)
                elif kind == "array":
                    assert all(_in_text(replace(p, kind="s"), v, text) for v in value), (r["id"], arg, value)
                checked[kind] += 1
                checked[p.kind] += 1
    for kind in ("integer", "number", "string", "enum", "boolean", "array", "object", "f", "m", "u", "d", "B"):
        assert checked[kind] > 0, kind
    floats = [v for r in _proc(splits["train"]) for c in r["answer"]["tool_calls"]
              for v in c["arguments"].values() if type(v) is float]
    assert floats


def test_category_shapes(splits):
    for r in _proc(splits["train"]):
        cat, calls, offered = r["meta"]["category"], r["answer"]["tool_calls"], r["tools"]
        assert 1 <= len(offered) <= 5
        if cat == "simple":
            assert len(calls) == 1 and len(offered) == 1
        if cat == "multiple":
            assert len(calls) == 1 and 2 <= len(offered) <= 5
        if cat == "parallel":
            assert 2 <= len(calls) <= 6 and len({c["name"] for c in calls}) == 1
            assert len({json.dumps(c, sort_keys=True) for c in calls}) == len(calls)
        if cat == "parallel_multiple":
            names = [c["name"] for c in calls]
            assert 2 <= len(set(names)) <= len(calls) <= 5
            assert [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]] == list(dict.fromkeys(names))
        if cat == "irrelevance":
            assert calls == [] and r["answer"]["content"]


def test_no_two_tools_of_one_concept_offered(splits):
    concept = {t.name: t.concept for t in all_tools()}
    for r in _proc(splits["train"]):
        names = [t["name"] for t in r["tools"]]
        assert len({concept[n] for n in names}) == len(names), names


def test_irrelevance_offers_near_misses(splits):
    field = {t.name: t.field for t in all_tools()}
    irr = [r for r in _proc(splits["train"]) if r["meta"]["category"] == "irrelevance"]
    fields_per_record = [{field[t["name"]] for t in r["tools"]} for r in irr]
    assert sum(len(f) == 1 for f in fields_per_record) > len(irr) // 3


def test_mix_cli_and_preset(tmp_path):
    assert parse_mix("procedural=0.25") == 0.25 and parse_mix(None) == 0.0
    with pytest.raises(ValueError, match="procedural=FRACTION"):
        parse_mix("handwritten=0.5")
    assert main(["data", "build", "--out", str(tmp_path / "d"), "--n", "100", "--mix", "procedural=0.5"]) == 0
    train = load_records(tmp_path / "d" / "train.jsonl")
    assert len(train) == 100 and len(_proc(train)) == 50
    with pytest.raises(ValueError, match="mix must be"):
        build_splits(sizes={"train": 10, "dev": 5, "test": 5, "test_unseen_tools": 5}, mix=1.5)


def test_procedural_train_tools_do_not_leak_hand_written_held_out_tools():
    """test_unseen_tools of the hand-written corpus stays unseen: no train tool shares its stem."""
    from funcall_lib.synth_tools import HELD_OUT_DOMAINS, TOOLS

    hand_domains = {t.domain for t in TOOLS}
    assert not set(HELD_OUT_FIELDS) & hand_domains
    stems = {t.name.split("_", 1)[1] for t in TOOLS if t.domain in HELD_OUT_DOMAINS}
    train_names = {t.name for t in split_tools("train")}
    assert not {(s, n) for s in stems for n in train_names if s in n}


def test_preset_sets_size_and_mix(tmp_path, monkeypatch):
    from funcall_lib import synth

    monkeypatch.setitem(synth.DATA_PRESETS, "quality", {"n": 40, "mix": 0.75})
    assert main(["data", "build", "--out", str(tmp_path / "q"), "--preset", "quality"]) == 0
    train = load_records(tmp_path / "q" / "train.jsonl")
    assert len(train) == 40 and len(_proc(train)) == 30
    assert main(["data", "build", "--out", str(tmp_path / "r"), "--preset", "quality", "--n", "60"]) == 0
    assert len(_proc(load_records(tmp_path / "r" / "train.jsonl"))) == 45


def test_parallel_multiple_with_series(splits):
    """Some clauses list values ('... a radius of 3, 4 and 5'): 3-5 calls that mix tools."""
    pm = [r for r in _proc(splits["train"]) if r["meta"]["category"] == "parallel_multiple"]
    series = [r for r in pm if len(r["answer"]["tool_calls"]) > len({c["name"] for c in r["answer"]["tool_calls"]})]
    assert len(series) > len(pm) // 5 and any(len(r["answer"]["tool_calls"]) >= 4 for r in series)
    par = Counter(len(r["answer"]["tool_calls"]) for r in _proc(splits["train"]) if r["meta"]["category"] == "parallel")
    assert par[3] + par[4] > par[2] and par[4] > 0, par


def test_series_clause_lists_each_value():
    import random

    from funcall_lib.synth_proc import series_clause

    made = 0
    for tool in split_tools("train")[:120]:
        for seed in range(3):
            got = series_clause(tool, random.Random(seed), "train", 3)
            if got is None:
                continue
            text, calls = got
            made += 1
            varying = [k for k in calls[0]["arguments"] if len({json.dumps(c["arguments"][k]) for c in calls}) > 1]
            assert len(varying) == 1 and 2 <= len(calls) <= 3, (text, calls)
            p = next(q for q in tool.params if q.name == varying[0])
            at = 0
            for c in calls:  # in the order written
                value = c["arguments"][varying[0]]
                at = min(text.index(f, at) for f in _said_forms(p, value) if f in text[at:])
    assert made > 100


def test_shared_value_two_tools_of_a_field():
    """'the circumference of a circle and the volume of a sphere with a radius of 7': two tools of
    one field, different concepts, the same value under each tool's own parameter name."""
    import random

    from funcall_lib.synth_proc import _shared_value, shared_value_groups

    by_name = {t.name: t for t in all_tools()}
    for split in ("train", "test", "test_unseen_tools"):
        groups = shared_value_groups(split_tools(split))
        assert groups and all(len({t.field for t in g}) == 1 for g in groups)
        assert all(({t.field for t in g} <= set(HELD_OUT_FIELDS)) == (split == "test_unseen_tools") for g in groups)
        for seed in range(20):
            text, offered, calls, _ = _shared_value(random.Random(seed), split, split_tools(split))
            a, b = (by_name[c["name"]] for c in calls)
            assert a.field == b.field and a.concept != b.concept
            (v1,), (v2,) = (list(c["arguments"].values()) for c in calls)
            p = next(q for q in a.params if not q.optional)
            assert v1 == v2 and all(_in_text(p if p.kind != "an" else replace(p, kind="n"), v, text)
                                    for v in (v1 if isinstance(v1, list) else [v1]))
            assert {c["name"] for c in calls} <= {t.name for t in offered}


def test_args_text_glue_only_before_noun_phrases():
    """Noun-phrase mentions get "with"/"for" and "and"; prepositional ones attach as they are."""
    from funcall_lib.synth_proc import _args_text
    rng = random.Random(0)
    for _ in range(20):
        assert _args_text(["without isotopes"], rng) == " without isotopes"
        assert _args_text(["from GBP", "to EUR"], rng) == " from GBP to EUR"
        text = _args_text(["of sorghum", "on 38 hectares"], rng)
        assert text == " of sorghum on 38 hectares"
        text = _args_text(["a base of 10", "in cm", "a height of 5"], rng)
        assert text in (" with a base of 10 and a height of 5 in cm", " for a base of 10 and a height of 5 in cm")
        # the glue word is not one the request already uses there
        assert _args_text(["804 head", "of pigs"], rng, "the feed needed for a herd") == " with 804 head of pigs"



def _tool(line: str):
    from funcall_lib.synth_proc import _tools_of
    return _tools_of("geometry", line)


def test_attached_unit_rides_on_its_quantity():
    """'a radius of 4 inches' -> radius=4 and unit="in": the unit is said right after the number,
    and in a series (the number listed elsewhere) it becomes "in inches"."""
    from funcall_lib.synth_proc import call_parts, series_clause

    main_tool, second = _tool('calculate ring_area | the area of a ring | Area of a ring. | '
                              'radius:n:1:60 "a radius of {}" | ?unit:e:cm~centimeters/in~inches=cm "+{}" | '
                              'width:i:1:9 "a width of {}"')
    assert [p.name for p in second.params] == ["radius", "width"]
    seen_unit = seen_without = 0
    for seed in range(60):
        mentions, args = call_parts(main_tool, random.Random(seed), "train")
        radius = next(m for m in mentions if m.startswith("a radius of"))
        if "unit" in args:
            seen_unit += 1
            said = {"cm": ("cm", "centimeters"), "in": ("in", "inches")}[args["unit"]]
            assert radius in [f"a radius of {args['radius']} {s}" for s in said], (radius, args)
        else:
            seen_without += 1
            assert radius == f"a radius of {args['radius']}"
        assert len(mentions) == 2  # the unit is no mention of its own
    assert seen_unit > 15 and seen_without > 15
    listed = 0
    for seed in range(80):
        got = series_clause(main_tool, random.Random(seed), "train", 3)
        if got and "unit" in got[1][0]["arguments"] and len({c["arguments"]["radius"] for c in got[1]}) > 1:
            text, calls = got
            listed += 1
            said = {"cm": ("cm", "centimeters"), "in": ("in", "inches")}[calls[0]["arguments"]["unit"]]
            assert any(f"in {s}" in text for s in said), text
    assert listed > 3


def test_attached_param_must_follow_a_bare_number():
    for line in ('calculate a_b | x | X. | ?unit:e:cm/in=cm "+{}" | radius:n:1:9 "a radius of {}"',
                 'calculate a_b | x | X. | radius:n:1:9 "a radius of {} m" | ?unit:e:cm/in=cm "+{}"',
                 'calculate a_b | x | X. | name:s:CITIES "in {}" | ?unit:e:cm/in=cm "+{}"',
                 'calculate a_b | x | X. | radius:n:1:9 "a radius of {}" | ?unit:i:1:3=1 "+{}"'):
        with pytest.raises(ValueError, match="attached enum 'unit' must follow a number param"):
            _tool(line)


def _varying(calls) -> list[str]:
    return [k for k in calls[0]["arguments"] if len({json.dumps(c["arguments"][k]) for c in calls}) > 1]


def _first_position(p, value, text: str, start: int = 0) -> int:
    """Where `value` is first said at or after `start`, as a whole number ("4" is not in "11.44")."""
    import re

    found = [m.start() for f in _said_forms(p, value)
             for m in [re.compile(rf"(?<![\d.]){re.escape(f)}(?![\d])").search(text, start)] if m]
    return min(found)


def test_cases_one_call_per_case_in_order():
    """'twice: first with a base of 12 and a height of 15, then with ...' or 'The first case has
    ... The second has ...': as many calls as cases, each case's values in the order written."""
    from funcall_lib.synth_proc import CASE_NOUNS, TIMES, _cases

    def count_words(n: int) -> set[str]:
        return {TIMES[n], *(f"{n} {noun}s" for noun in CASE_NOUNS)}

    made = 0
    for tool in split_tools("train")[:150]:
        for seed in range(3):
            got = _cases(tool, random.Random(seed), "train")
            if got is None:
                continue
            text, calls = got
            made += 1
            assert 2 <= len(calls) <= 3 and len({json.dumps(c, sort_keys=True) for c in calls}) == len(calls)
            other = 5 - len(calls)
            assert any(w in text for w in count_words(len(calls))) and not any(w in text for w in count_words(other)), text
            assert ("The third" in text) <= (len(calls) == 3), text
            params = {p.name: p for p in tool.params}
            at = 0
            for call in calls:  # the required numbers of each case, case after case
                numbers = [k for k in call["arguments"] if params[k].kind in ("n", "i") and not params[k].optional]
                if numbers:
                    at = _first_position(params[numbers[0]], call["arguments"][numbers[0]], text, at)
    assert made > 150


def test_two_lists_paired_or_every_combination():
    """Two lists 'respectively' pair up position by position; without it they mean every
    combination (BFCL's reading of 'Lakers and Bulls in 2018 and 2020'), one list looping
    inside the other."""
    import itertools

    from funcall_lib.synth_proc import _listable, _two_lists

    seen = Counter()
    for tool in [t for t in split_tools("train") if len(_listable(t)) >= 2][:80]:
        for seed in range(4):
            for paired in (True, False):
                got = _two_lists(tool, random.Random(seed), "train", paired)
                if got is None:
                    continue
                text, calls = got
                p, q = _varying(calls)
                values = {k: list(dict.fromkeys(json.dumps(c["arguments"][k]) for c in calls)) for k in (p, q)}
                pairs = [(json.dumps(c["arguments"][p]), json.dumps(c["arguments"][q])) for c in calls]
                assert ("respectively" in text or "in that order" in text) == paired, text
                for k in (p, q):
                    param = next(x for x in tool.params if x.name == k)
                    assert all(_first_position(param, c["arguments"][k], text) >= 0 for c in calls)
                if paired:
                    assert pairs == list(zip(values[p], values[q])) and len(values[p]) == len(values[q]) == len(calls)
                else:
                    p_outer = list(itertools.product(values[p], values[q]))
                    q_outer = [(a, b) for b, a in itertools.product(values[q], values[p])]
                    assert pairs in (p_outer, q_outer) and len(calls) == len(values[p]) * len(values[q]), (text, pairs)
                seen[paired] += 1
    assert seen[True] > 50 and seen[False] > 50, seen


def test_two_lists_need_named_params():
    """Two bare lists ('for 4366 and 205 and 4508 and 3142') would not say which list is which."""
    from funcall_lib.synth_proc import _listable

    for tool in all_tools():
        assert all(p.phrase.replace("{}", "").strip() for p in _listable(tool)), tool.name
