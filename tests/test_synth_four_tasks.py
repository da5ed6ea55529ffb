"""A fourth task in training requests of three (`TrainingVariation.four_task_rate`)."""

from __future__ import annotations

import pytest

from funcall_lib.records import validate_record
from funcall_lib.synth import TrainingVariation, build_splits

SIZES = {"train": 1500, "dev": 60, "test": 60, "test_unseen_tools": 60}


@pytest.fixture(scope="module")
def both():
    plain = build_splits(seed=2, sizes=SIZES, mix=1.0)
    four = build_splits(seed=2, sizes=SIZES, mix=1.0, variation=TrainingVariation(four_task_rate=1.0))
    return plain, four


def _shape(calls: list[dict]) -> str:
    letters: dict[str, str] = {}
    return "".join(letters.setdefault(c["name"], "ABCD"[len(letters)]) for c in calls)


def test_rate_zero_is_the_default_and_only_training_changes(both):
    plain, four = both
    assert build_splits(seed=2, sizes=SIZES, mix=1.0, variation=TrainingVariation(four_task_rate=0.0)) == plain
    for split in ("dev", "test", "test_unseen_tools"):
        assert four[split] == plain[split]
    changed = [(a, b) for a, b in zip(plain["train"], four["train"]) if a != b]
    assert changed
    for a, b in changed:  # the same calls and one more, and one sentence more (a region said
        # for a city, `synth_cities`, may be drawn otherwise once the fourth task names a city)
        assert b["meta"]["category"] == "parallel_multiple"
        first, last = a["messages"][-1]["content"], b["messages"][-1]["content"]
        assert last.startswith(first + " ") or len(last) > len(first) and last[-1] == "."
        assert b["answer"]["tool_calls"][:3] == a["answer"]["tool_calls"] and len(b["answer"]["tool_calls"]) == 4
        assert [t for t in b["tools"] if t in a["tools"]] == a["tools"]


def test_four_tasks_in_the_three_shapes_each_call_offered_and_valid(both):
    _, four = both
    shapes = {}
    for r in four["train"]:
        calls = r["answer"]["tool_calls"]
        if r["meta"]["category"] != "parallel_multiple" or len(calls) != 4:
            continue
        validate_record(r)
        assert {c["name"] for c in calls} <= {t["name"] for t in r["tools"]}
        shapes.setdefault(_shape(calls), []).append(r)
    # a fourth tool; one of the first two back at the end; the last of a repeated pair again
    assert {"ABCD", "AABB"} <= set(shapes) and {"ABCA", "ABCB"} & set(shapes), sorted(shapes)


def test_do_the_same_changes_one_value_of_the_call_before_it(both):
    _, four = both
    seen = 0
    for r in four["train"]:
        text, calls = r["messages"][-1]["content"], r["answer"]["tool_calls"]
        if r["meta"]["category"] != "parallel_multiple" or len(calls) != 4 or _shape(calls) != "AABB":
            continue
        if not any(same in text for same in ("do the same", "do that again", "repeat it")):
            continue
        before, after = calls[2]["arguments"], calls[3]["arguments"]
        assert before.keys() == after.keys()
        assert sum(before[k] != after[k] for k in before) == 1, (r["id"], text)
        seen += 1
    assert seen >= 3
