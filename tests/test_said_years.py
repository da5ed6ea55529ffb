"""Said years: a date whose month and day the user said whole keeps the user's year."""

from __future__ import annotations

from datetime import date

import pytest

from funcall_lib.said_years import restate_years, said_dates

WINNER = {"name": "game_result.get_winner", "description": "Winner of a game.", "parameters": {
    "type": "object",
    "properties": {
        "teams": {"type": "array", "items": {"type": "string"}, "description": "The two teams."},
        "date": {"type": "string", "description": "The date of the game, formatted as YYYY-MM-DD."},
        "venue": {"type": "string", "description": "Where the game was played."},
    },
    "required": ["teams", "date"]}}


@pytest.mark.parametrize("said, dates", [
    ("Who won on Jan 28, 2021?", [date(2021, 1, 28)]),
    ("on March 17, 1915", [date(1915, 3, 17)]),
    ("on the 17th of March 1915", [date(1915, 3, 17)]),
    ("from 1 Sept. 2020 to 2020-12-25", [date(2020, 9, 1), date(2020, 12, 25)]),   # in the order said
    ("on February 30, 2021", []),                                                # no such day
    ("on March 17", []),                                                         # no year: not whole
    ("in 1915, on the 17th", []),
])
def test_the_whole_dates_a_request_says(said, dates):
    assert said_dates(said) == dates


def _game(day: str, venue: str = "Crypto Arena") -> list[dict]:
    return [{"name": WINNER["name"], "arguments": {"teams": ["Lakers", "Clippers"], "date": day, "venue": venue}}]


@pytest.mark.parametrize("said, written, restated", [
    ("Who won between Lakers and Clippers on Jan 28, 2021?", "2811-01-28", "2021-01-28"),
    ("Einstein's work on March 17, 1915", "2015-03-17", "1915-03-17"),
    ("Einstein's work on March 17, 1915", "2015-03-17T10:00", "1915-03-17T10:00"),   # a date-time's date
    ("Who won on Jan 28, 2021?", "2021-01-28", "2021-01-28"),                       # already right
    ("Who won on Jan 28, 2021, not in 2811?", "2811-01-28", "2811-01-28"),          # a year the user wrote
    ("Who won on Jan 28, 2021?", "2021-01-29", "2021-01-29"),                       # another day: not this rule's
    ("Games on Jan 28, 2021 and Jan 28, 2022", "2023-01-28", "2023-01-28"),         # which year: unsaid
    ("Who won on Jan 28?", "2023-01-28", "2023-01-28"),                             # no year said
])
def test_only_an_unsaid_year_beside_a_said_month_and_day_is_restated(said, written, restated):
    assert restate_years(_game(written), [WINNER], said)[0]["arguments"]["date"] == restated


def test_every_other_value_and_the_calls_given_stay_as_they_are():
    calls = _game("2811-01-28", venue="2811-01-28")       # any string parameter holding such a date
    restated = restate_years(calls, [WINNER], "Lakers and Clippers on Jan 28, 2021")
    assert restated == [{"name": WINNER["name"], "arguments": {"teams": ["Lakers", "Clippers"],
                                                               "date": "2021-01-28", "venue": "2021-01-28"}}]
    assert calls[0]["arguments"]["date"] == "2811-01-28"
    unknown = [{"name": "other_tool", "arguments": {"date": "2811-01-28"}}]
    assert restate_years(unknown, [WINNER], "on Jan 28, 2021") == unknown       # a tool not offered
