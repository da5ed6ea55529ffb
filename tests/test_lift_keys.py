"""Lift keys: an argument written inside an object argument moves up to the level that names it."""

from __future__ import annotations

from funcall_lib.lift_keys import lift, lift_keys

VIEWING = {"name": "schedule_viewing", "description": "Book a visit of a property.", "parameters": {
    "type": "object",
    "properties": {
        "address": {"type": "object", "description": "Where the property is.", "properties": {
            "street": {"type": "string"}, "city": {"type": "string"},
            "geo": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}}}},
        "date": {"type": "string", "description": "YYYY-MM-DD"},
        "time": {"type": "string", "description": "HH:MM"},
        "guests": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
    },
    "required": ["address", "date", "time"]}}


def _viewing(arguments: dict) -> list[dict]:
    return [{"name": "schedule_viewing", "arguments": arguments}]


def test_the_tools_own_arguments_written_inside_an_object_move_up_to_it():
    written = _viewing({"address": {"street": "48 King Street", "city": "Dublin", "date": "2026-10-28",
                                    "time": "22:30"}})
    assert lift_keys(written, [VIEWING]) == _viewing({"address": {"street": "48 King Street", "city": "Dublin"},
                                                      "date": "2026-10-28", "time": "22:30"})
    assert "date" in written[0]["arguments"]["address"]                  # the calls given are untouched


def test_a_key_moves_up_one_level_to_the_object_that_names_it():
    deep = {"address": {"street": "1 Main St", "geo": {"lat": 1.5, "lon": 2.5, "city": "Oslo", "date": "2026-01-02"}}}
    assert lift(deep, VIEWING["parameters"]) == {
        "address": {"street": "1 Main St", "city": "Oslo",
                    "geo": {"lat": 1.5, "lon": 2.5, "date": "2026-01-02"}}}   # the address does not name "date"
    nested_twice = {"address": {"geo": {"lat": 1.5, "city": "Oslo"}, "time": "09:00"}}
    assert lift(nested_twice, VIEWING["parameters"]) == {"address": {"geo": {"lat": 1.5}, "city": "Oslo"},
                                                         "time": "09:00"}      # each level, deepest first


def test_what_stays_where_it_was_written():
    keeps = [
        {"address": {"street": "1 Main St", "date": "2026-01-02"}, "date": "2026-05-05"},   # the level holds it
        {"address": {"street": "1 Main St", "floor": 3}},                                  # no level names it
        {"address": {"street": "1 Main St"}, "guests": [{"name": "Ann", "time": "10:00"}]},  # an object in a list
        {"address": "1 Main St, Dublin", "date": "2026-01-02"},                            # not an object
    ]
    for arguments in keeps:
        assert lift_keys(_viewing(arguments), [VIEWING]) == _viewing(arguments)
    other = [{"name": "not_offered", "arguments": {"address": {"date": "2026-01-02"}}}]
    assert lift_keys(other, [VIEWING]) == other
