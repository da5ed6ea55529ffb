"""Drop doubled: a call that reads a value the user said once into two arguments is dropped
beside a call of its tool that does not."""

from __future__ import annotations

import pytest

from funcall_lib import infer
from funcall_lib.drop_doubled import drop_doubled, is_doubled, said_times
from funcall_lib.nudges import Nudges

AREA = {"name": "calculate_area", "description": "Area of a right-angled triangle.", "parameters": {
    "type": "object",
    "properties": {"base": {"type": "integer", "description": "Base in cm"},
                   "height": {"type": "integer", "description": "Height in cm"}},
    "required": ["base", "height"]}}
SAID = "The area of a right-angled triangle with base and height 6cm and 10cm"


@pytest.mark.parametrize("value, said, times", [
    (6, SAID, 1),
    (10, SAID, 1),
    (12000, "a car that travels 12,000 miles a year", 1),
    (5, "2.5 kg and 5 kg", 1),                       # 2.5 holds no 5
    (2, "roll a 2 twice in a row", 2),               # digits and a word
    (2, "two tickets for 2 people", 2),
    (7, "Seven days", 1),
    (0.5, "a weight of 0.5", 1),
    (3, "no such number", 0),
    ("Tokyo", "between New York and Tokyo", 1),
    ("tokyo", "Tokyo, then TOKYO again", 2),
    ("", "anything", 0),
])
def test_how_many_times_the_user_said_a_value(value, said, times):
    assert said_times(value, said) == times


@pytest.mark.parametrize("arguments, said, doubled", [
    ({"base": 6, "height": 6}, SAID, True),
    ({"base": 6, "height": 10}, SAID, False),
    ({"base": 6, "height": 6}, "a square of side 6 by 6", False),                  # said twice
    ({"base": 1, "height": 1}, "the default sizes", False),                       # never said: the model's own
    ({"group1": [1.5, 2.5], "group2": [1.5, 2.5]}, "groups 1.5, 2.5 and 3.5, 4.5", True),   # lists too
    ({"group1": [1.5, 1.5]}, "group 1.5 and 2.5", False),                         # one argument only
    ({"origin": "Paris", "destination": "Paris"}, "from Paris to Rome", True),
    ({"flag": True, "other": True}, "true and true", False),                      # booleans do not count
])
def test_which_calls_read_a_value_said_once_into_two_arguments(arguments, said, doubled):
    assert is_doubled({"name": "t", "arguments": arguments}, said) == doubled


def test_a_doubled_call_is_dropped_only_beside_an_undoubled_call_of_its_tool():
    doubled = {"name": "calculate_area", "arguments": {"base": 6, "height": 6}}
    right = {"name": "calculate_area", "arguments": {"base": 6, "height": 10}}
    other = {"name": "get_time", "arguments": {"city_1": "Tokyo", "city_2": "Tokyo"}}
    assert drop_doubled([doubled, right], SAID) == [right]
    assert drop_doubled([right, doubled], SAID) == [right]
    calls = [doubled, other]                        # no undoubled call of either tool: all kept
    assert drop_doubled(calls, SAID + " in Tokyo") is calls
    assert drop_doubled([doubled, other, right], SAID + " in Tokyo") == [other, right]


def test_generate_drops_doubled_calls_in_constrained_turns(tiny_model):
    model, tok = tiny_model
    record = {"id": "r", "tools": [AREA], "messages": [{"role": "user", "content": SAID}]}
    gens = infer.generate(model, tok, [record], tool_choice="required", max_new_tokens=80,
                          nudges=Nudges(drop_doubled=True))
    assert gens[0].constrained
    assert not (len(gens[0].calls) > 1 and any(is_doubled(c, SAID) for c in gens[0].calls)
                and any(not is_doubled(c, SAID) for c in gens[0].calls))


def test_restate_turn_drops_the_doubled_call_and_writes_the_turn_anew(tool_tokenizer):
    from funcall_lib import chat

    end = chat.end_of_turn(tool_tokenizer)
    doubled = {"name": "calculate_area", "arguments": {"base": 6, "height": 6}}
    right = {"name": "calculate_area", "arguments": {"base": 6, "height": 10}}
    written = chat.format_calls([doubled, right], "hermes") + end
    record = {"id": "r", "tools": [AREA], "messages": [{"role": "user", "content": SAID}]}
    parsed = chat.parse_tool_calls(written, "hermes")
    for free in (False, True):
        text, again = infer.restate_turn(written, parsed, record, "hermes", end, Nudges(drop_doubled=True), free=free)
        assert again.calls == [right] and text == chat.format_calls([right], "hermes") + end
    assert infer.restate_turn(written, parsed, record, "hermes", end, Nudges(said_flags=True)) == (written, parsed)
