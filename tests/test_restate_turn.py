"""`infer.restate_turn`: each rule that rewrites a finished constrained turn, alone, as `generate`
and `funcall eval --predictions` apply it (the rules themselves are tested in their own files)."""

from __future__ import annotations

import pytest

from funcall_lib import chat, infer
from funcall_lib.nudges import AFTER_DECODING, Nudges
from tests.test_lift_keys import VIEWING
from tests.test_rate_fractions import MORTGAGE
from tests.test_said_flags import FLIGHT
from tests.test_said_magnitudes import DIVIDEND
from tests.test_said_options import DIRECTIONS
from tests.test_said_periods import CONCERTS
from tests.test_said_years import WINNER
from tests.test_stated_percents import RATE
from tests.test_stated_units import SCOPE

CASES = [  # rule, tool, the user's words, the arguments written, the arguments restated
    ("stated_percents", RATE, "What is 1000 at 5% worth?", {"rate": 5}, {"rate": 0.05}),
    ("rate_fractions", MORTGAGE, "A loan of 200000 at 4% over 30 years", {"principal": 200000, "interest_rate": 4,
                                                                           "years": 30},
     {"principal": 200000, "interest_rate": 0.04, "years": 30}),
    ("stated_units", SCOPE, "Focal length 142 cm, eyepiece 38 mm", {"focal_length": 142, "eyepiece": 38},
     {"focal_length": 1420, "eyepiece": 38}),
    ("said_flags", FLIGHT, "A direct flight to Oslo", {"destination": "Oslo", "direct_flight": False},
     {"destination": "Oslo", "direct_flight": True}),
    ("said_magnitudes", DIVIDEND, "Payout of 50 million on 7 shares", {"total_payout": 5000000000, "shares": 7},
     {"total_payout": 50000000, "shares": 7}),
    ("lift_keys", VIEWING, "A viewing at 48 King Street, Dublin on 2026-10-28 at 22:30",
     {"address": {"street": "48 King Street", "city": "Dublin", "date": "2026-10-28", "time": "22:30"}},
     {"address": {"street": "48 King Street", "city": "Dublin"}, "date": "2026-10-28", "time": "22:30"}),
    ("said_years", WINNER, "Lakers against Clippers on Jan 28, 2021", {"teams": ["Lakers", "Clippers"],
                                                                     "date": "2811-01-28"},
     {"teams": ["Lakers", "Clippers"], "date": "2021-01-28"}),
    ("said_periods", CONCERTS, "Adele's concerts tomorrow?", {"artist": "Adele", "when": "2019-03-01"},
     {"artist": "Adele", "when": "tomorrow"}),
    ("said_options", DIRECTIONS, "The best transit route from Berlin to Marrakesh?",
     {"origin": "Berlin", "destination": "Marrakesh"}, {"origin": "Berlin", "destination": "Marrakesh", "mode": "transit"}),
]


@pytest.mark.parametrize("rule, tool, said, written_arguments, restated_arguments", CASES, ids=[c[0] for c in CASES])
def test_a_finished_turn_is_written_anew_by_its_rule_alone(tool_tokenizer, rule, tool, said, written_arguments,
                                                            restated_arguments):
    end = chat.end_of_turn(tool_tokenizer)
    written = chat.format_calls([{"name": tool["name"], "arguments": written_arguments}], "hermes") + end
    record = {"id": "r", "tools": [tool], "messages": [{"role": "user", "content": said}]}
    parsed = chat.parse_tool_calls(written, "hermes")
    text, again = infer.restate_turn(written, parsed, record, "hermes", end, Nudges(**{rule: True}))
    assert again.calls == [{"name": tool["name"], "arguments": restated_arguments}]
    assert text == chat.format_calls(again.calls, "hermes") + end
    others = Nudges(**{name: True for name in AFTER_DECODING if name != rule})
    assert infer.restate_turn(written, parsed, record, "hermes", end, others) == (written, parsed)
    unfinished = written[: -len(end)]                     # ran out of tokens: left as it is
    assert infer.restate_turn(unfinished, parsed, record, "hermes", end, Nudges(**{rule: True}))[0] == unfinished


def test_a_free_turn_is_rewritten_only_where_it_is_exactly_its_calls(tool_tokenizer):
    from tests.test_stated_layouts import US_DATED

    end, rules = chat.end_of_turn(tool_tokenizer), Nudges(said_flags=True, stated_layouts=True)
    flight = {"name": "flight.book", "arguments": {"destination": "Oslo", "direct_flight": False}}
    record = {"id": "r", "tools": [FLIGHT, US_DATED],
              "messages": [{"role": "user", "content": "A direct flight to Oslo; who won on Jan 28, 2021?"}]}
    dated = {"name": "get_winner", "arguments": {"date": "2021-01-28"}}
    written = chat.format_calls([flight, dated], "hermes") + end
    text, again = infer.restate_turn(written, chat.parse_tool_calls(written, "hermes"), record, "hermes", end, rules,
                                     free=True)
    assert again.calls == [{**flight, "arguments": {**flight["arguments"], "direct_flight": True}}, dated]
    chatty = "Sure. " + written                           # prose beside the calls would be lost: left
    parsed = chat.parse_tool_calls(chatty, "hermes")
    assert infer.restate_turn(chatty, parsed, record, "hermes", end, rules, free=True) == (chatty, parsed)
    constrained = infer.restate_turn(chatty, parsed, record, "hermes", end, rules)[1].calls
    assert constrained[1]["arguments"]["date"] == "01-28-2021"      # the stated layouts: constrained turns only


def test_generate_restates_free_turns_as_free(tiny_model, monkeypatch):
    model, tok = tiny_model
    seen = []

    def spy(text, parsed, record, family, end, nudges, *, free=False):
        seen.append(free)
        return text, parsed

    monkeypatch.setattr(infer, "restate_turn", spy)
    record = {"id": "r", "tools": [FLIGHT], "messages": [{"role": "user", "content": "A direct flight to Oslo"}]}
    for constrained in (True, False):
        infer.generate(model, tok, [record], constrained=constrained, max_new_tokens=8, nudges=Nudges(said_flags=True))
    assert seen == [False, True]
