"""Said flags: a boolean parameter written as the user's words say it."""

from __future__ import annotations

import pytest

from funcall_lib import chat, infer
from funcall_lib.nudges import Nudges
from funcall_lib.said_flags import flag_said, restate_flags


@pytest.mark.parametrize("name, text, said", [
    ("direct_flight", "Book a direct flight from San Francisco to London", True),
    ("garden", "Design a house with 3 bedrooms, 2 bathrooms and a garden.", True),
    ("include_owner", "Include owners information in the response.", True),     # "include" says nothing
    ("fullName", "What was the full name king of England in 1800?", True),       # "name" says nothing
    ("equal_variance", "compare the two groups assuming equal variance", True),
    ("full_text", "Find the court case 123456 in Texas. Don't return full text", False),
    ("garden", "a house without a garden", False),
    ("garden", "no garden at the front, but a garden at the back", True),       # one plain mention
    ("first_class", "train connections from Dublin in second class", None),      # "class" alone is not the name
    ("first_class", "First find coffee shops; then trains in second class", None),  # the words apart
    ("round_trip", "the footprint of a one-way trip by plane", None),
    ("detail", "the latest information about air quality", None),
    ("is_to", "anything at all", None),                                          # no content word
])
def test_a_flag_is_said_when_its_name_is_said_as_a_phrase(name, text, said):
    assert flag_said(name, text) is said


FLIGHT = {"name": "flight.book", "description": "Book a flight.", "parameters": {
    "type": "object",
    "properties": {
        "destination": {"type": "string"},
        "direct_flight": {"type": "boolean", "description": "Only direct flights. Default is false."},
        "refundable": {"type": "boolean", "description": "A refundable fare."},
        "window_seat": {"type": "boolean", "description": "Seat by a window."},
        "meal": {"type": "string", "description": "A meal, e.g. a vegetarian one."},
    },
    "required": ["destination", "direct_flight"]}}


def test_said_flags_are_written_and_added_in_schema_order():
    calls = [{"name": "flight.book", "arguments": {"destination": "London", "direct_flight": False, "meal": "veg"}}]
    said = "Book a direct flight to London with a window seat, not a refundable fare, and a veg meal."
    restated = restate_flags(calls, [FLIGHT], said)
    assert restated == [{"name": "flight.book", "arguments": {
        "destination": "London", "direct_flight": True, "refundable": False, "window_seat": True, "meal": "veg"}}]
    assert list(restated[0]["arguments"]) == ["destination", "direct_flight", "refundable", "window_seat", "meal"]
    assert calls[0]["arguments"]["direct_flight"] is False                      # the calls given are untouched


def test_flags_the_user_does_not_name_are_the_models():
    calls = [{"name": "flight.book", "arguments": {"destination": "Paris", "direct_flight": True, "refundable": True}}]
    assert restate_flags(calls, [FLIGHT], "A non-stop trip to Paris I can get my money back on") == calls


def test_a_flag_the_turn_writes_in_several_ways_is_left_alone():
    said = "A direct flight to Rome, and one to Oslo, and to Lima; a window seat for Rome"
    calls = [{"name": "flight.book", "arguments": {"destination": "Rome", "direct_flight": True, "window_seat": True}},
             {"name": "flight.book", "arguments": {"destination": "Oslo", "direct_flight": False}},
             {"name": "flight.book", "arguments": {"destination": "Lima", "direct_flight": False}}]
    assert restate_flags(calls, [FLIGHT], said) == calls


def test_calls_of_tools_not_offered_and_openai_style_tools():
    stray = [{"name": "hotel.book", "arguments": {"direct_flight": False}}]
    assert restate_flags(stray, [FLIGHT], "a direct flight") == stray
    openai = {"type": "function", "function": FLIGHT}
    calls = [{"name": "flight.book", "arguments": {"destination": "Oslo", "direct_flight": False}}]
    assert restate_flags(calls, [openai], "a direct flight to Oslo")[0]["arguments"]["direct_flight"] is True


def test_generate_writes_the_said_flag_in_constrained_turns(tiny_model):
    model, tok = tiny_model
    end = chat.end_of_turn(tok)
    record = {"id": "r", "tools": [FLIGHT], "messages": [{"role": "user", "content": "A direct flight to Oslo"}]}
    denied = {**record, "messages": [{"role": "user", "content": "No direct flight to Oslo"}]}
    plain, restated = (infer.generate(model, tok, [denied], tool_choice="required", max_new_tokens=100, max_calls=1,
                                      nudges=Nudges(said_flags=on))[0] for on in (False, True))
    assert plain.text.endswith(end) and plain.calls[0]["arguments"]["direct_flight"] is True   # the random model's
    assert restated.constrained and restated.calls[0]["arguments"]["direct_flight"] is False   # the user's
