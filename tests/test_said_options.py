"""Said options: a left-out optional parameter whose one enum value the user said is written."""

from __future__ import annotations

import pytest

from funcall_lib.said_options import restate_options

DIRECTIONS = {"name": "get_directions", "description": "A route between two places.", "parameters": {
    "type": "object",
    "properties": {
        "origin": {"type": "string", "description": "Where from."},
        "destination": {"type": "string", "description": "Where to."},
        "mode": {"type": "string", "enum": ["driving", "walking", "transit"], "description": "How. Default driving."},
        "avoid": {"type": "string", "enum": ["tolls", "ferries", "highways"], "description": "What to avoid."},
        "units": {"type": "string", "enum": ["metric", "imperial"], "description": "Units."},
    },
    "required": ["origin", "destination"]}}


def _route(**arguments) -> list[dict]:
    return [{"name": "get_directions", "arguments": {"origin": "Berlin", "destination": "Marrakesh", **arguments}}]


def _restated(said: str, **arguments) -> dict:
    return restate_options(_route(**arguments), [DIRECTIONS], said)[0]["arguments"]


@pytest.mark.parametrize("said, added", [
    ("The best transit route from Berlin to Marrakesh?", {"mode": "transit"}),
    ("Berlin to Marrakesh by TRANSIT, avoiding tolls", {"mode": "transit", "avoid": "tolls"}),   # case aside
    ("Walking from Berlin to Marrakesh, in metric", {"mode": "walking", "units": "metric"}),
])
def test_a_left_out_option_the_user_said_is_written(said, added):
    assert _restated(said) == {"origin": "Berlin", "destination": "Marrakesh", **added}


@pytest.mark.parametrize("said, arguments", [
    ("Berlin to Marrakesh, walking or transit?", {}),                     # two options said: no choice
    ("Berlin to Marrakesh", {}),                                          # none said
    ("Berlin to Marrakesh by transit", {"mode": "driving"}),              # written already: not this rule's
    ("Berlin to Marrakesh by transit-oriented roads", {}),                # not the whole word
    ("Berlin to Marrakesh by transits", {}),
])
def test_no_option_is_written_where_the_words_do_not_choose_one(said, arguments):
    assert _restated(said, **arguments) == {"origin": "Berlin", "destination": "Marrakesh", **arguments}


def test_a_value_held_or_claimed_twice_is_no_choice():
    both = {**DIRECTIONS, "parameters": {**DIRECTIONS["parameters"], "properties": {
        **DIRECTIONS["parameters"]["properties"],
        "fallback": {"type": "string", "enum": ["transit", "taxi"], "description": "If the first fails."}}}}
    calls = _route()
    assert restate_options(calls, [both], "Berlin to Marrakesh by transit") == calls   # mode or fallback?
    held = [{"name": "get_directions", "arguments": {"origin": "metric", "destination": "Marrakesh"}}]
    assert restate_options(held, [DIRECTIONS], "From metric to Marrakesh") == held     # already a value


def test_a_turn_of_several_calls_or_an_unknown_tool_stays_as_it_is():
    said = "The best transit route from Berlin to Marrakesh, and back"
    two = _route() + _route()
    assert restate_options(two, [DIRECTIONS], said) == two
    unknown = [{"name": "other_tool", "arguments": {}}]
    assert restate_options(unknown, [DIRECTIONS], said) == unknown
    calls = _route()
    assert restate_options(calls, [DIRECTIONS], said) == _route(mode="transit")
    assert calls == _route()                                                           # not changed in place


ANALYSIS = {"name": "analyze_structure", "description": "Structural analysis of a building.", "parameters": {
    "type": "object",
    "properties": {
        "building_id": {"type": "string", "description": "The building."},
        "mode": {"type": "string", "description": "Mode of analysis, e.g. 'static' or 'dynamic'. Default is 'static'."},
        "events": {"type": "array", "items": {"type": "string", "enum": ["War", "Revolutions", "Diplomacy"]},
                   "description": "Kinds of event."},
        "level": {"type": "integer", "description": "Detail level, e.g. '1' or '2'."},
    },
    "required": ["building_id"]}}


@pytest.mark.parametrize("said, added", [
    ("The structural dynamic analysis of building B1004", {"mode": "dynamic"}),      # a quoted example
    ("A static analysis of building B1004", {}),                                     # the default: asks nothing
    ("Key war events for building B1004", {"events": ["War"]}),                      # a list: its items' enum
    ("Wars, diplomacy and revolutions around building B1004", {"events": ["Revolutions", "Diplomacy"]}),
    ("Building B1004 at level 2", {}),                                               # quoted examples: strings only
])
def test_a_description_s_examples_and_a_list_s_options_count(said, added):
    calls = [{"name": "analyze_structure", "arguments": {"building_id": "B1004"}}]
    assert restate_options(calls, [ANALYSIS], said)[0]["arguments"] == {"building_id": "B1004", **added}
