"""Said periods: a date the model made up for a period the user named is written as they named it."""

from __future__ import annotations

import pytest

from funcall_lib.said_periods import restate_periods

CONCERTS = {"name": "concert.find", "description": "Concerts of an artist.", "parameters": {
    "type": "object",
    "properties": {
        "artist": {"type": "string", "description": "The artist."},
        "when": {"type": "string", "description": "Time frame to look in."},
        "season": {"type": "string", "description": "The season of the tour."},
        "month": {"type": "string", "description": "Month in which the concert is happening."},
        "slot": {"type": "string", "description": "When it is played.", "enum": ["this weekend", "next month"]},
        "dated": {"type": "string", "description": "The concert's date, in the format YYYY-MM-DD."},
    },
    "required": ["artist"]}}


def _restated(said: str, **arguments) -> dict:
    calls = [{"name": CONCERTS["name"], "arguments": {"artist": "Adele", **arguments}}]
    return restate_periods(calls, [CONCERTS], said)[0]["arguments"]


@pytest.mark.parametrize("said, name, written, restated", [
    ("Adele's concerts next month?", "when", "2019-03-01", "next month"),
    ("Adele concerts this weekend", "when", "2016-06-05", "this weekend"),
    ("Adele playing tomorrow?", "when", "2024-01-02", "tomorrow"),
    ("Adele in the 2021 season", "season", "2021-12-20", "2021"),          # a season: the year said
    ("Adele's concert happening in December", "month", "2022-12-01", "December"),
    ("Adele this weekend", "slot", "2016-06-05", "this weekend"),           # in the enum
    ("Adele this Weekend", "slot", "2016-06-05", "this weekend"),           # the enum's spelling
    ("Adele next month", "slot", "2016-06-05", "next month"),
])
def test_a_made_up_date_becomes_the_period_the_user_named(said, name, written, restated):
    assert _restated(said, **{name: written})[name] == restated


@pytest.mark.parametrize("said, name, written", [
    ("Adele on June 20 next year", "when", "2025-06-20"),            # a day named: the date is the user's
    ("Adele on the 20th of June, this weekend", "when", "2025-06-20"),
    ("Adele on 06/20, this weekend", "when", "2025-06-20"),
    ("Adele this weekend", "dated", "2016-06-05"),                   # the description states a layout
    ("Adele this weekend or next month", "when", "2016-06-05"),      # two periods: which one is unsaid
    ("Adele in 2021 or 2022", "season", "2021-12-20"),               # two years
    ("Adele in December", "season", "2022-12-01"),                   # no year said for a season
    ("Adele in 2021", "when", "2021-12-20"),                         # a year under a time frame: not said as one
    ("Adele tomorrow", "slot", "2016-06-05"),                        # not in the enum
    ("Adele next month", "when", "2019-03-01T20:00"),                # not exactly a date
])
def test_a_date_stays_where_the_period_is_not_certain(said, name, written):
    assert _restated(said, **{name: written})[name] == written


def test_only_dates_change_and_the_calls_given_stay_as_they_are():
    calls = [{"name": CONCERTS["name"], "arguments": {"artist": "2019-03-01", "when": "2019-03-01"}}]
    restated = restate_periods(calls, [CONCERTS], "Who plays next month? 3.5 hours from 2020-21")
    assert restated[0]["arguments"] == {"artist": "next month", "when": "next month"}   # any free-text date
    assert calls[0]["arguments"]["when"] == "2019-03-01"
    assert restate_periods(calls, [CONCERTS], "Adele") == calls                       # nothing said
    unknown = [{"name": "other_tool", "arguments": {"when": "2019-03-01"}}]
    assert restate_periods(unknown, [CONCERTS], "next month") == unknown              # a tool not offered
