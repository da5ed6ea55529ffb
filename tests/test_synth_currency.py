"""Training-only currency names (funcall_lib.synth_currency)."""

from __future__ import annotations

import copy

import pytest

from funcall_lib.synth import TrainingVariation, build_splits
from funcall_lib.synth_currency import CURRENCY_NAMES, say_currency_names

CONVERT = {"name": "convert_currency", "description": "d", "parameters": {"type": "object", "properties": {
    "amount": {"type": "number", "description": "Amount to convert"},
    "from_currency": {"type": "string", "description": "ISO code to convert from"},
    "to_currency": {"type": "string", "description": "ISO code to convert to"}},
    "required": ["amount", "from_currency", "to_currency"]}}


def _record(user: str, arguments: dict, tools: list | None = None) -> dict:
    return {"id": "train-00007", "tools": tools or [copy.deepcopy(CONVERT)],
            "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": user}],
            "answer": {"tool_calls": [{"name": "convert_currency", "arguments": arguments}]}}


def test_codes_said_once_become_names_and_the_answer_keeps_the_codes():
    args = {"amount": 250, "from_currency": "EUR", "to_currency": "GBP"}
    rec = say_currency_names(_record("convert 250 EUR to GBP", args), seed=0, rate=1.0)
    assert rec["messages"][-1]["content"] in {f"convert 250 euros to {gbp}" for gbp in CURRENCY_NAMES["GBP"]}
    assert rec["answer"]["tool_calls"][0]["arguments"] == args


@pytest.mark.parametrize("user, arguments", [
    ("convert 250 EUR to EUR", {"amount": 250, "from_currency": "EUR", "to_currency": "EUR"}),  # said twice
    ("convert 250 EUROS to GBPX", {"amount": 250, "from_currency": "EUR", "to_currency": "GBP"}),  # not as words
    ("convert 250 XYZ to ABC", {"amount": 250, "from_currency": "XYZ", "to_currency": "ABC"}),  # no known code
])
def test_left_alone_unless_a_known_code_is_said_exactly_once_as_a_word(user, arguments):
    rec = _record(user, arguments)
    before = copy.deepcopy(rec)
    assert say_currency_names(rec, seed=0, rate=1.0) == before


def test_a_code_that_another_argument_holds_is_not_renamed():
    note = {"name": "convert_currency", "description": "d", "parameters": {"type": "object", "properties": {
        "from_currency": {"type": "string", "description": "ISO code"},
        "memo": {"type": "string", "description": "A note"}}, "required": ["from_currency", "memo"]}}
    rec = _record("convert from USD, memo 'USD invoice'", {"from_currency": "USD", "memo": "USD invoice"}, [note])
    before = copy.deepcopy(rec)
    assert say_currency_names(rec, seed=0, rate=1.0) == before


def test_rate_zero_is_the_identity_and_the_draw_is_per_record():
    rec = _record("convert 9 CHF to SEK", {"amount": 9, "from_currency": "CHF", "to_currency": "SEK"})
    assert say_currency_names(copy.deepcopy(rec), seed=0, rate=0.0) == rec
    once = [say_currency_names(copy.deepcopy(rec), seed=3, rate=0.5) for _ in range(2)]
    assert once[0] == once[1]


def test_only_training_changes_and_some_training_requests_name_a_currency():
    plain = build_splits(400, seed=1, mix=0.6, variation=TrainingVariation(currency_name_rate=0.0))
    named = build_splits(400, seed=1, mix=0.6, variation=TrainingVariation(currency_name_rate=1.0))
    for split in ("dev", "test", "test_unseen_tools"):
        assert named[split] == plain[split]
    changed = [(a, b) for a, b in zip(plain["train"], named["train"]) if a != b]
    assert changed
    names = [name for group in CURRENCY_NAMES.values() for name in group]
    for a, b in changed:
        assert a["answer"] == b["answer"] and a["tools"] == b["tools"]
        assert any(name in b["messages"][-1]["content"] for name in names)


def test_the_rate_must_be_a_share():
    with pytest.raises(ValueError, match="currency_name_rate must be in"):
        TrainingVariation(currency_name_rate=1.5)
