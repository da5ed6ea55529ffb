"""Stated layouts: a date layout written in a parameter's description becomes the grammar's pattern."""

from __future__ import annotations

import re

import pytest

from funcall_lib import chat, infer
from funcall_lib.nudges import Nudges
from funcall_lib.stated_layouts import (layout_pattern, layout_regex, restatable, restate, restate_calls, stated_layouts,
                                        with_stated_layouts, written_in)


@pytest.mark.parametrize("description, layouts", [
    ("The date of the game, formatted as YYYY-MM-DD.", ["YYYY-MM-DD"]),
    ("Date of the concert in 'mm-yyyy' format. Default is the current month.", ["mm-yyyy"]),
    ("The date for the rainfall prediction, in the format mm/dd/yyyy.'", ["mm/dd/yyyy"]),
    ("Start time for the period (YYYY-MM-DD HH:MM:SS)", ["YYYY-MM-DD HH:MM:SS"]),
    ("Check-in date. Format - DD-MM-YYYY.", ["DD-MM-YYYY"]),
    ("Specific season in format 'YYYY-YYYY'.", ["YYYY-YYYY"]),
    ("Date, YYYY-MM-DD or DD/MM/YYYY; yyyy-mm-dd preferred", ["YYYY-MM-DD", "DD/MM/YYYY"]),
    ("Start time, 24-hour HH:MM", ["HH:MM"]),
    ("Filed after this date, in the format of MM-DD-YYY.", []),      # a typo is no layout, nor a part of it
    ("Preferred time of flight. Format XX:XXAM or XX:XXPM.", []),
    ("The year, YYYY.", []),                                         # one token says too little
    ("Rainfall in mm, daily", []),
    ("", []),
])
def test_which_descriptions_state_a_layout(description, layouts):
    assert stated_layouts(description) == layouts


@pytest.mark.parametrize("description, good, bad", [
    ("formatted as YYYY-MM-DD", ["2021-01-28", "1999-12-31"], ["28-1-2021", "2021-1-28", "2021-13-01",
                                                              "2021/01/28", "01-28-2021", ""]),
    ("in MM-DD-YYYY format", ["01-28-2021", "12-01-2022", "2021-01-28"], ["28-01-2021", "1-28-2021", "2021-28-01"]),
    ("in 'mm-yyyy' format", ["04-2022", "2022-04-20"], ["2022-04", "13-2022", "4-2022"]),
    ("(YYYY-MM-DD HH:MM:SS)", ["2021-01-28 23:59:00"], ["2021-01-28 24:00:00", "2021-01-28T23:59:00",
                                                       "2021-01-28 23:60:00"]),
    ("Time HH:MM", ["09:05", "23:59"], ["9:05", "24:00", "09:65"]),
    ("Date, dd.mm.yyyy", ["28.01.2021", "2021-01-28"], ["28x01x2021", "28-01-2021"]),
    ("Specific season in format 'YYYY-YYYY'.", ["2020-2021"], ["2020-21", "2020-01-01"]),   # no date: no ISO
])
def test_a_layout_allows_its_values_and_no_others(description, good, bad):
    pattern = layout_pattern(description)
    assert all(re.fullmatch(pattern, value) for value in good), pattern
    assert not any(re.fullmatch(pattern, value) for value in bad), pattern


@pytest.mark.parametrize("layout, can", [("MM-DD-YYYY", True), ("mm-yyyy", True), ("DD/MM/YY", True),
                                         ("YYYY-MM-DD", True), ("YYYY-YYYY", False), ("HH:MM", False),
                                         ("YYYY-MM-DD HH:MM:SS", False), ("MM-DD", False)])
def test_which_layouts_an_iso_date_can_be_written_in(layout, can):
    assert restatable(layout) is can


@pytest.mark.parametrize("value, description, written", [
    ("2022-07-10", "The start date. The format is MM-DD-YYYY.", "07-10-2022"),
    ("2023-10-15", "Check-in date for the hotel. Format - DD-MM-YYYY.", "15-10-2023"),
    ("2022-04-20", "Date of the concert in 'mm-yyyy' format.", "04-2022"),      # the day the layout lacks is dropped
    ("2021-01-02", "Date, dd.mm.yy", "02.01.21"),
    ("2021-01-02", "Date, YYYY-MM-DD or DD/MM/YYYY", "2021-01-02"),          # a stated layout already
    ("07-10-2022", "The format is MM-DD-YYYY.", "07-10-2022"),
    ("2020-2021", "Specific season in format 'YYYY-YYYY'.", "2020-2021"),
    ("2022-07-10", "No layout here.", "2022-07-10"),
    ("July 10", "The format is MM-DD-YYYY.", "July 10"),
])
def test_an_iso_date_is_restated_in_the_first_date_layout(value, description, written):
    assert restate(value, description) == written


def test_no_iso_date_where_the_user_already_wrote_one_in_the_stated_layout():
    """"birthday 01-01-1980" under MM-DD-YYYY is there to be copied; with ISO allowed the tuned
    model began "2019-01-01" and the date came out "01-01-2019" (BFCL simple_python 157)."""
    iso = layout_regex("YYYY-MM-DD")
    assert iso in layout_pattern("in MM-DD-YYYY format", said="born on January 1, 1980")
    assert iso not in layout_pattern("in MM-DD-YYYY format", said="with a birthday 01-01-1980 has")
    assert iso in layout_pattern("in MM-DD-YYYY format", said="on 2022-01-01")        # ISO is not MM-DD-YYYY
    assert written_in("from 12-01-2022.", "MM-DD-YYYY") and not written_in("from 12-01-20225", "MM-DD-YYYY")
    said = "check in 01-28-2021"
    assert with_stated_layouts([US_DATED], said)[0]["parameters"]["properties"]["date"]["pattern"] == \
        layout_pattern(US_DATED["parameters"]["properties"]["date"]["description"], said=said)


def test_an_optional_parameter_may_also_be_left_empty():
    assert re.fullmatch(layout_pattern("YYYY-MM-DD", optional=True), "")
    assert not re.fullmatch(layout_pattern("YYYY-MM-DD"), "")
    assert layout_pattern("no layout here", optional=True) is None


BOOK = {"name": "book_room", "description": "Book a hotel room.", "parameters": {
    "type": "object",
    "properties": {
        "check_in": {"type": "string", "description": "Check-in date in the format YYYY-MM-DD."},
        "check_out": {"type": "string", "description": "Check-out date, YYYY-MM-DD. Optional."},
        "date_format": {"type": "string", "description": "How to show dates, e.g. MM-DD-YYYY."},
        "format": {"type": "string", "description": "Default is 'YYYY-MM-DD'."},
        "stay": {"type": "string", "enum": ["2021-01-01"], "description": "YYYY-MM-DD"},
        "arrival": {"type": "string", "pattern": "^.*$", "description": "HH:MM"},
        "nights": {"type": "integer", "description": "Nights, e.g. DD-MM"},
        "guests": {"type": "array", "items": {"type": "object", "properties": {
            "born": {"type": "string", "description": "Birth date, DD/MM/YYYY"}}, "required": ["born"]}},
        "extra_days": {"type": "array", "items": {"type": "string", "description": "YYYY-MM-DD"}},
    },
    "required": ["check_in", "guests"]}}


def test_the_held_copy_patterns_stated_layouts_and_nothing_else():
    tools = [BOOK, {"type": "function", "function": BOOK}]
    held = with_stated_layouts(tools)
    assert "pattern" not in BOOK["parameters"]["properties"]["check_in"]          # the given tools untouched
    for tool in held:
        props = tool.get("function", tool)["parameters"]["properties"]
        assert props["check_in"]["pattern"] == layout_pattern("YYYY-MM-DD")
        assert props["check_out"]["pattern"] == layout_pattern("YYYY-MM-DD", optional=True)
        assert props["guests"]["items"]["properties"]["born"]["pattern"] == layout_pattern("DD/MM/YYYY")
        assert props["extra_days"]["items"]["pattern"] == layout_pattern("YYYY-MM-DD")
        for name in ("date_format", "format", "stay", "nights"):                 # the value is a layout, closed, or no string
            assert "pattern" not in props[name], name
        assert props["arrival"]["pattern"] == "^.*$"                              # the author's own pattern wins


def _accepts(tools, arguments):
    import xgrammar as xgr

    text = chat.format_calls([{"name": "book_room", "arguments": arguments}], "hermes")
    grammar = xgr.Grammar.from_ebnf(infer.grammar_ebnf(tools, "hermes", "required"), root_rule_name="fc_root")
    return xgr.testing._is_grammar_accept_string(grammar, text)


def test_the_grammar_of_the_held_tools_refuses_another_layout():
    guests = [{"born": "28/01/1990"}]
    right = {"check_in": "2021-01-28", "guests": guests}
    day_first = {"check_in": "28-01-2021", "guests": guests}
    iso_birth = {"check_in": "2021-01-28", "guests": [{"born": "1990-01-28"}]}
    assert _accepts([BOOK], right) and _accepts([BOOK], day_first)
    held = with_stated_layouts([BOOK])
    assert _accepts(held, right)
    assert not _accepts(held, day_first)
    assert _accepts(held, iso_birth)              # an ISO date, which `restate` writes in the stated layout
    assert not _accepts(held, {"check_in": "2021-01-28", "guests": [{"born": "1990-28-01"}]})
    emptied = {"check_in": "2021-01-28", "check_out": "", "guests": guests}     # in the schema's order
    assert _accepts(held, emptied) and not _accepts(held, {**emptied, "check_out": "soon"})


DATED = {"name": "get_winner", "description": "Who won a game.", "parameters": {
    "type": "object", "properties": {"date": {"type": "string", "description": "The date, formatted as YYYY-MM-DD."}},
    "required": ["date"]}}


def test_calls_are_restated_by_their_tools_parameters():
    calls = [{"name": "book_room", "arguments": {"check_in": "2021-01-28", "guests": [{"born": "1990-01-28"}],
                                                 "format": "2021-01-01"}},
             {"name": "other", "arguments": {"check_in": "2021-01-28"}}]
    restated = restate_calls(calls, [{"type": "function", "function": BOOK}])
    assert restated[0]["arguments"] == {"check_in": "2021-01-28", "guests": [{"born": "28/01/1990"}],
                                        "format": "2021-01-01"}
    assert restated[1] == calls[1]                                    # a tool not offered: as it is
    untyped = {"name": "other", "parameters": {"properties": {"check_in": {"type": "string", "description": "MM/DD/YYYY"}}}}
    assert restate_calls(calls[1:], [untyped])[0]["arguments"] == {"check_in": "01/28/2021"}  # held there too
    assert calls[0]["arguments"]["guests"][0]["born"] == "1990-01-28"  # the calls given are untouched


def test_generate_holds_the_value_to_the_layout_only_when_asked(tiny_model):
    model, tok = tiny_model
    record = {"id": "g", "tools": [DATED], "messages": [{"role": "user", "content": "Who won on Jan 28, 2021?"}]}
    pattern = layout_pattern(DATED["parameters"]["properties"]["date"]["description"])

    def date_written(nudges):
        gen = infer.generate(model, tok, [record], tool_choice="required", max_new_tokens=120, max_calls=1,
                             nudges=nudges)[0]
        assert gen.constrained and gen.calls, gen.text
        return gen.calls[0]["arguments"]["date"]

    assert not re.fullmatch(pattern, date_written(Nudges()))       # the random model writes anything
    assert re.fullmatch(pattern, date_written(Nudges(stated_layouts=True)))


def test_stated_layouts_cannot_be_replayed_on_written_outputs():
    from funcall_lib.evaluate import check_replayable

    with pytest.raises(ValueError, match="stated-layouts"):
        check_replayable(Nudges(stated_layouts=True))
    check_replayable(Nudges(stop_on_repeat=True, drop_subsumed=True, call_bias=-1.0))


US_DATED = {"name": "get_winner", "description": "Who won a game.", "parameters": {
    "type": "object", "properties": {"date": {"type": "string", "description": "The date in MM-DD-YYYY format."}},
    "required": ["date"]}}


def test_a_finished_turn_with_an_iso_date_is_written_anew_in_the_stated_layout(tool_tokenizer):
    end, held = chat.end_of_turn(tool_tokenizer), Nudges(stated_layouts=True)
    record = {"id": "r", "tools": [US_DATED], "messages": [{"role": "user", "content": "Who won on Jan 28, 2021?"}]}
    text = chat.format_calls([{"name": "get_winner", "arguments": {"date": "2021-01-28"}}], "hermes") + end
    parsed = chat.parse_tool_calls(text, "hermes")
    new_text, new_parsed = infer.restate_turn(text, parsed, record, "hermes", end, held)
    assert new_text == chat.format_calls([{"name": "get_winner", "arguments": {"date": "01-28-2021"}}],
                                         "hermes") + end
    assert new_parsed.calls == [{"name": "get_winner", "arguments": {"date": "01-28-2021"}}]
    cut = text[: -len(end)]                                                   # ran out of tokens: left alone
    assert infer.restate_turn(cut, chat.parse_tool_calls(cut, "hermes"), record, "hermes", end, held)[0] == cut
    iso_stated = {**record, "tools": [DATED]}
    assert infer.restate_turn(text, parsed, iso_stated, "hermes", end, held) == (text, parsed)


def test_generate_leaves_every_date_in_the_stated_layout(tiny_model):
    model, tok = tiny_model
    records = [{"id": str(i), "tools": [US_DATED], "messages": [{"role": "user", "content": text}]}
               for i, text in enumerate(["Who won on Jan 28, 2021?", "2021-01-28 game", "the 1999 final", "hi"])]
    gens = infer.generate(model, tok, records, tool_choice="required", max_new_tokens=120, max_calls=1,
                          nudges=Nudges(stated_layouts=True))
    assert all(re.fullmatch(layout_regex("MM-DD-YYYY"), g.calls[0]["arguments"]["date"]) for g in gens), \
        [g.text for g in gens]


def test_generate_reads_the_users_words_for_the_grammar(tiny_model, monkeypatch):
    model, tok = tiny_model
    compiled = []
    real = infer.compile_tools
    monkeypatch.setattr(infer, "compile_tools", lambda tk, v, tools, *a: compiled.append(tools) or real(tk, v, tools, *a))
    records = [{"id": i, "tools": [US_DATED], "messages": [{"role": "user", "content": text}]}
               for i, text in (("copy", "Who won on 01-28-2021?"), ("iso", "Who won on Jan 28, 2021?"))]
    infer.generate(model, tok, records, tool_choice="required", max_new_tokens=40, max_calls=1, batch_size=1,
                   nudges=Nudges(stated_layouts=True))
    patterns = [tools[0]["parameters"]["properties"]["date"]["pattern"] for tools in compiled]
    iso = layout_regex("YYYY-MM-DD")
    assert [iso in p for p in patterns] == [False, True]
