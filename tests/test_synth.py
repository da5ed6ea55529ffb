"""The bundled generator: catalogue coverage, determinism, validity, splits that do not overlap."""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest

from funcall_lib.cli import main
from funcall_lib.records import load_records, validate_record
from funcall_lib.synth import (CATEGORY_WEIGHTS, build_splits, check_overlap, parse_phrasing,
                               phrasings_for, split_tools, tool_schema)
from funcall_lib.synth_pools import KINDS, held_out
from funcall_lib.synth_proc_vocab import POOLS
from funcall_lib.synth_tools import CHAINS, EXTRA_TOOLS, HELD_OUT_DOMAINS, TOOLS

SIZES = {"train": 600, "dev": 120, "test": 120, "test_unseen_tools": 120}


@pytest.fixture(scope="module")
def splits():
    return build_splits(seed=0, sizes=SIZES)


def test_catalogue_breadth():
    assert len(TOOLS) >= 60 and len({t.domain for t in TOOLS}) >= 12
    assert len({t.domain for t in TOOLS} - set(HELD_OUT_DOMAINS)) >= 12
    assert len({t.name for t in TOOLS + EXTRA_TOOLS}) == len(TOOLS) + len(EXTRA_TOOLS)
    types = Counter()
    for t in TOOLS:
        for p in tool_schema(t)["parameters"]["properties"].values():
            types["enum" if "enum" in p else p["type"]] += 1
            if p["type"] == "array" and p["items"].get("type") == "object":
                types["array_of_objects"] += 1
    for kind in ("string", "integer", "number", "boolean", "enum", "array", "object", "array_of_objects"):
        assert types[kind] > 0, kind


def test_every_phrasing_covers_required_params():
    for tool in TOOLS:
        assert len(tool.phrasings) >= 3, tool.name
        required = set(tool_schema(tool)["parameters"]["required"])
        for phrasing in tool.phrasings:
            template, fixed, _ = parse_phrasing(phrasing)
            slots = {s for s in required if "{" + s + "}" in template}
            assert required <= slots | set(fixed), (tool.name, phrasing)
        assert all(p.kind is None or p.kind in KINDS for p in tool.params.values())


def test_deterministic():
    a = build_splits(seed=3, sizes={"train": 50, "dev": 10, "test": 10, "test_unseen_tools": 10})
    b = build_splits(seed=3, sizes={"train": 50, "dev": 10, "test": 10, "test_unseen_tools": 10})
    c = build_splits(seed=4, sizes={"train": 50, "dev": 10, "test": 10, "test_unseen_tools": 10})
    assert a == b and a != c


def test_same_bytes_under_any_hash_seed(tmp_path):
    """Builds in separate interpreters (different string-hash seeds) write identical files:
    nothing in the generator, Faker's word lists included, may depend on set or hash order."""
    import os
    import subprocess
    import sys

    digests = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        subprocess.run([sys.executable, "-m", "funcall_lib.cli", "data", "build", "--out", str(out),
                        "--n", "1200", "--seed", "5", "--mix", "procedural=0.6",
                        "--invented-rate", "0.25"], check=True, capture_output=True,
                       env={**os.environ, "PYTHONHASHSEED": hash_seed})
        digests.append({p.name: p.read_bytes() for p in sorted(out.glob("*.jsonl"))})
    assert digests[0] and digests[0] == digests[1]


def test_every_record_validates_with_all_categories(splits):
    for name, records in splits.items():
        assert len(records) == SIZES[name]
        bad = [(r["id"], validate_record(r)) for r in records if validate_record(r)]
        assert not bad, bad[:3]
        assert set(Counter(r["meta"]["category"] for r in records)) == set(CATEGORY_WEIGHTS), name


def test_zero_overlap_between_splits(splits):
    report = check_overlap(splits)
    assert len(report) == 6
    assert all(v == {"ids": 0, "prompt_answer": 0} for v in report.values()), report
    broken = {k: list(v) for k, v in splits.items()}
    broken["dev"].append(broken["train"][0])
    assert check_overlap(broken)["train|dev"] == {"ids": 1, "prompt_answer": 1}


def test_unseen_tools_never_in_other_splits(splits):
    unseen = {t.name for t in split_tools("test_unseen_tools")}
    for name in ("train", "dev", "test"):
        offered = {t["name"] for r in splits[name] for t in r["tools"]}
        assert not offered & unseen, name
    offered = {t["name"] for r in splits["test_unseen_tools"] for t in r["tools"]}
    assert offered <= unseen


def test_test_phrasings_and_values_held_out(splits):
    tool = next(t for t in TOOLS if t.name == "get_current_weather")
    assert not set(phrasings_for(tool, "train")) & set(phrasings_for(tool, "test"))
    from funcall_lib.synth_pools import CITIES

    train_cities, test_cities = set(held_out(CITIES, "train")), set(held_out(CITIES, "test"))
    assert not train_cities & test_cities
    used = {c["arguments"]["city"] for r in splits["test"] for c in r["answer"]["tool_calls"]
            if c["name"] == "get_current_weather"}
    assert used and used <= test_cities
    # training renames some `city` parameters `location` (synth_cities)
    trained = {c["arguments"].get("city") or c["arguments"]["location"] for r in splits["train"]
               for c in r["answer"]["tool_calls"] if c["name"] == "get_current_weather"}
    assert trained and trained <= train_cities


def _pool_character_classes(split: str) -> set[str]:
    """Unicode categories of the non-ASCII characters in the pool items that `split` draws from."""
    import unicodedata

    from funcall_lib import synth_pools

    pools = [v for name, v in vars(synth_pools).items() if name.isupper() and isinstance(v, list)
             and v and all(isinstance(item, str) for item in v)]
    return {unicodedata.category(ch) for pool in pools for item in held_out(pool, split)
            for ch in item if ord(ch) > 127}


@pytest.mark.parametrize("category", [
    "Ll",   # accented letters: "Zürich", "Björn"
    "So",   # emoji: the test split's "Happy birthday! 🎉"
    "Mn",   # the variation selector U+FE0F of the test split's "Landed safely ✈️"
])
def test_every_kind_of_character_to_copy_is_trained(category):
    """A kind of character that only evaluation asks the model to copy is one it drops: with no
    emoji among the training values, every training wrote "Happy birthday!" for the held-out
    "Happy birthday! 🎉" (quality runs 13-14)."""
    assert category in _pool_character_classes("test")
    assert category in _pool_character_classes("train")


def test_values_appear_in_prompt(splits):
    """Faithful filling is learnable: string values are in the text (dates/times normalised)."""
    checked = 0
    for r in splits["train"]:
        if r["meta"]["category"] not in ("simple", "multiple"):
            continue
        text = r["messages"][-1]["content"]
        tool = next(t for t in r["tools"] if t["name"] == r["answer"]["tool_calls"][0]["name"])
        for arg, value in r["answer"]["tool_calls"][0]["arguments"].items():
            schema = tool["parameters"]["properties"][arg]
            if isinstance(value, str) and "format" not in schema and "pattern" not in schema:
                assert value.lower() in text.lower(), (r["id"], arg, value, text)
                checked += 1
    assert checked > 100


def test_categories_shape(splits):
    for r in splits["train"]:
        cat, calls = r["meta"]["category"], r["answer"]["tool_calls"]
        if cat == "parallel":
            assert 2 <= len(calls) <= 4 and len({c["name"] for c in calls}) == 1
            assert len({json.dumps(c, sort_keys=True) for c in calls}) == len(calls)
        if cat == "parallel_multiple":
            names = [c["name"] for c in calls]
            assert 2 <= len(set(names)) <= len(calls) <= 5
            # the calls of one tool come together, in the order the request mentions them
            assert [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]] == list(dict.fromkeys(names))
        if cat == "multiple":
            assert 2 <= len(r["tools"]) <= 5
        if cat == "irrelevance":
            assert calls == [] and r["answer"]["content"]
            assert not {t["name"] for t in r["tools"]} & {"__none__"}
        if cat == "multi_turn":
            roles = [m["role"] for m in r["messages"]]
            assert "tool" in roles and roles[-1] == "user" and len(calls) == 1
    chained = [r for r in splits["train"] if r["meta"]["category"] == "multi_turn"
               and r["answer"]["tool_calls"][0]["name"] in {c["then"] for c in CHAINS}]
    assert chained


def test_build_cli(tmp_path):
    assert main(["data", "build", "--out", str(tmp_path / "d"), "--n", "200", "--seed", "1"]) == 0
    counts = {p.stem: len(load_records(p)) for p in (tmp_path / "d").glob("*.jsonl")}
    assert counts == {"train": 200, "dev": 20, "test": 20, "test_unseen_tools": 20}
    first = json.loads((tmp_path / "d" / "train.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["meta"]["source"] == "synth"


def test_records_render_with_the_tool_template(splits, tool_tokenizer):
    """Every category renders; the answer text carries each gold call (or the no-call reply)."""
    from funcall_lib.chat import parse_tool_calls, render

    for category in CATEGORY_WEIGHTS:
        rec = next(r for r in splits["train"] if r["meta"]["category"] == category)
        prompt, answer = render(rec, tool_tokenizer)
        assert rec["messages"][-1]["content"] in prompt
        parsed = parse_tool_calls(answer, "hermes")
        assert parsed.calls == rec["answer"]["tool_calls"], category
        if category == "multi_turn":
            assert "<tool_response>" in prompt


def test_chains_fill_every_required_argument():
    from funcall_lib.synth import _BY_NAME

    for chain in CHAINS:
        then = _BY_NAME[chain["then"]]
        assert chain["first"] in {t.name for t in TOOLS}
        assert set(chain["carry"]) <= set(then.params), chain["then"]
        required = set(tool_schema(then)["parameters"]["required"])
        for phrasing in chain["phrasings"]:
            template, fixed, _ = parse_phrasing(phrasing)
            slots = {s for s in then.params if "{" + s + "}" in template}
            assert required <= slots | set(fixed) | set(chain["carry"]), (chain["then"], phrasing)


def _varying(calls: list[dict]) -> str:
    """The one argument that differs between the calls of a series."""
    keys = {k for c in calls for k in c["arguments"]}
    varying = [k for k in keys if len({json.dumps(c["arguments"].get(k)) for c in calls}) > 1]
    assert len(varying) == 1, calls
    return varying[0]


def _value_texts(value) -> list[str]:
    return [value] if isinstance(value, str) else [str(value), f"{value:.2f}"]


@pytest.mark.parametrize("split", ["train", "dev", "test_unseen_tools"])
def test_series_clause_one_call_per_listed_value(split):
    """A series lists 2-4 distinct values of one slot; one call per value, in the order written."""
    from funcall_lib.synth import _BY_NAME, series_clause, split_tools
    from funcall_lib.synth_pools import CITIES

    sizes, made = Counter(), 0
    for tool in split_tools(split):
        for seed in range(12):
            want = 2 + seed % 3
            got = series_clause(tool, random.Random(f"{tool.name}:{seed}"), split, want)
            if got is None:
                continue
            text, _, calls = got
            made += 1
            sizes[len(calls)] += 1
            assert 2 <= len(calls) <= want and {c["name"] for c in calls} == {tool.name}
            param = _varying(calls)
            spec = tool_schema(_BY_NAME[tool.name])["parameters"]["properties"][param]
            assert spec["type"] in ("string", "integer", "number") and "enum" not in spec
            assert param in tool_schema(tool)["parameters"]["required"]
            values = [c["arguments"][param] for c in calls]
            assert len(set(map(json.dumps, values))) == len(values)
            if "format" in spec or "pattern" in spec:
                continue  # dates and times are normalised; their text is checked by the slot kinds
            at = 0
            for v in values:  # each value's text, in order, as a whole word or number
                hits = [m.end() for t in _value_texts(v)
                        for m in [re.compile(r"(?<![\w.])" + re.escape(t) + r"(?![\w]|\.\d)").search(text, at)] if m]
                assert hits, (text, values, v)
                at = min(hits)
            if param == "city" and split != "test_unseen_tools":
                assert set(values) <= set(held_out(CITIES, split))
    assert made > 50 and sizes[2] and sizes[3] and sizes[4], sizes


def test_series_text_forms():
    from funcall_lib.synth_pools import join_series

    forms = {join_series(["A", "B", "C"], random.Random(i), quantifier=True) for i in range(200)}
    assert {"A, B and C", "A, B, and C", "A,B and C", "each of A, B and C"} <= forms
    pairs = {join_series(["A", "B"], random.Random(i), quantifier=True) for i in range(200)}
    assert pairs == {"A and B", "both A and B", "A as well as B"}
    assert "both" not in "".join(join_series(["A", "B"], random.Random(i)) for i in range(100))
    with pytest.raises(ValueError):
        join_series(["May 1, 2026", "May 2, 2026", "May 3, 2026"], random.Random(0), commas=False)


def test_generated_series_records(splits):
    """Parallel records with 3-4 calls are common; parallel_multiple mixes series with other tools."""
    train = splits["train"]
    par = Counter(len(r["answer"]["tool_calls"]) for r in train if r["meta"]["category"] == "parallel")
    assert par[3] + par[4] > par[2] and par[4] > 0, par
    pm = [r["answer"]["tool_calls"] for r in train if r["meta"]["category"] == "parallel_multiple"]
    with_series = [calls for calls in pm if len(calls) > len({c["name"] for c in calls})]
    assert len(with_series) > len(pm) // 5 and any(len(c) >= 4 for c in with_series)
    for r in train:  # every string value of every call is in the request
        if r["meta"]["category"] not in ("parallel", "parallel_multiple"):
            continue
        text, props = r["messages"][-1]["content"], {t["name"]: t["parameters"]["properties"] for t in r["tools"]}
        for call in r["answer"]["tool_calls"]:
            for arg, value in call["arguments"].items():
                spec = props[call["name"]][arg]
                if isinstance(value, str) and "format" not in spec and "pattern" not in spec:
                    assert value.lower() in text.lower(), (r["id"], arg, value, text)


def test_shared_value_pairs_one_value_for_two_tools():
    """'check the current weather and check the air quality in Oslo': the same value, each tool."""
    from funcall_lib.synth import _shared_value, shared_value_pairs

    pool = split_tools("train")
    pairs = shared_value_pairs(pool, "train")
    assert {(a[0].name, b[0].name) for a, b in pairs} >= {("get_current_weather", "get_air_quality")}
    assert all(a[0].domain == b[0].domain and a[0] is not b[0] for a, b in pairs)
    for seed in range(30):
        parts, offered, calls, _ = _shared_value(random.Random(seed), "train", pool)
        (v1,), (v2,) = [[v for k, v in c["arguments"].items() if not isinstance(v, bool)] for c in calls]
        assert v1 == v2 and v1.lower() in parts[0].lower() and calls[0]["name"] != calls[1]["name"]
        assert {c["name"] for c in calls} <= {t.name for t in offered}


# ---------------------------------------------------------------- wording of the user messages

_WRAPPED = re.compile(r"\b(Could you|Can you|Please|I need you to|I'd like you to|Would you|Kindly|Go ahead and)"
                      r"( also)? (I|I'm|I'd|I'll|I've|don't|do not|what|what's|how|is|are|can|could|will|would|"
                      r"should|does|did|which|who|when|where|my|we|we'd|the)\b", re.I)
_DOUBLED = re.compile(r"[?.!]{2,}|[?!]['\"][?!.]|\.['\"]\.")
_LOWERED_CODE = re.compile(r"(?:^|[.?!:] )(?:And|Also,|Then|After that,) [a-z][A-Z0-9]")
_STRAY_PREP = re.compile(r"\b(for|with|of|to|from|on|at|by) (without|with|for|of|to|from|on|at|by)\b"
                         r"|\b(for|with) a field of\b")
_DATE = (r"(?:\d{4}-\d\d-\d\d|(?:[A-Z][a-z]+day, )?[A-Z][a-z]+ \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+ \d{4}"
         r"|[A-Z][a-z]{2} \d{1,2} \d{4})")
_DATE_PAIR = re.compile(f"({_DATE})(?:, and |, | and | as well as |,)({_DATE})")


def _date_style(text: str) -> str:
    for style, pattern in (("iso", r"\d{4}-"), ("weekday", r"[A-Z][a-z]+day, "), ("dmy", r"\d"),
                           ("short", r"[A-Z][a-z]{2} \d{1,2} \d{4}")):
        if re.match(pattern, text):
            return style
    return "mdy"


def wording_problems(text: str) -> list[str]:
    """Broken-English patterns a user message must not have (empty list: none)."""
    text = text.replace("...", "")
    for code in POOLS["REGEXES"]:  # a regex's own marks ("(cat|dog)s?") are literal, not prose
        text = text.replace(code, "REGEX")
    found = [name for name, pattern in (("wrapped non-command", _WRAPPED), ("doubled end mark", _DOUBLED),
                                        ("lowered code or name", _LOWERED_CODE), ("stray preposition", _STRAY_PREP))
             if pattern.search(text)]
    if any(_date_style(m.group(1)) != _date_style(m.group(2)) for m in _DATE_PAIR.finditer(text)):
        found.append("mixed date formats in a series")
    return found


def test_wording_patterns_detected():
    assert wording_problems("Could you I want to see how NVDA did?") == ["wrapped non-command"]
    assert wording_problems("I need you to don't let me forget.") == ["wrapped non-command"]
    assert wording_problems("Note 'Gift ideas': Could you send me the slides??") == ["doubled end mark"]
    assert wording_problems('Text Ana: "Thanks.".') == ["doubled end mark"]
    assert wording_problems("Is QF12 on time? And kL1002 status?") == ["lowered code or name"]
    assert wording_problems("Get the element Fe for without isotopes.") == ["stray preposition"]
    assert wording_problems("Estimate it with a field of 102 hectares.") == ["stray preposition"]
    assert wording_problems("List my events for February 22, 2027 and 2026-03-13.") == \
        ["mixed date formats in a series"]
    assert wording_problems('Please email Ana saying "Wait..." and list my events for 2026-02-22 and '
                            '2026-03-13. Also, what\'s the weather in Oslo? And NH203 status?') == []


def test_unmarked_phrasings_are_commands():
    """A wrapper ("Could you {c}?") goes only around a command; statements and questions are
    whole sentences, marked '='."""
    starts = re.compile(r"(I|I'm|I'd|I'll|I've|don't|do|does|what|what's|how|is|are|can|could|will|would|"
                        r"should|which|who|when|where|my|we|we'd|the|there's)\b", re.I)
    phrasings = [ph for t in TOOLS for ph in t.phrasings] + [ph for c in CHAINS for ph in c["phrasings"]]
    for ph in phrasings:
        template, _, sentence = parse_phrasing(ph)
        assert sentence or not starts.match(template), ph
        if sentence:
            # a whole sentence ends like one (or with a quoted message, which brings its own mark)
            assert re.search(r"[.?!][\"']?$|\"\{\w+\}\"$", template), ph


@pytest.fixture(scope="module")
def quality_sample():
    return build_splits(n=3000, seed=0, mix=0.6)


def test_generated_wording(quality_sample):
    bad = Counter()
    examples = {}
    for split, records in quality_sample.items():
        for rec in records:
            for m in rec["messages"]:
                if m["role"] == "user":
                    for problem in wording_problems(m["content"]):
                        bad[problem] += 1
                        examples.setdefault(problem, (split, m["content"]))
    assert not bad, (dict(bad), examples)
