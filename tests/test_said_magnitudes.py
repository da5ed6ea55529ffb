"""Said magnitudes: "50 million" written with the zeros the user said."""

from __future__ import annotations

import pytest

from funcall_lib.said_magnitudes import restate_magnitude, restate_magnitudes, said_magnitudes, said_numbers


def test_the_numbers_said_with_a_scale_word():
    text = "a payout of $50 million, 1.3 Billion people, 2,500 thousand tons, 7 millionaires, 426.4 million km"
    assert said_magnitudes(text) == [5e7, 1.3e9, 2.5e6, 4.264e8]
    assert said_magnitudes("no scale here: 5 000 and 3.5") == []
    assert said_numbers("$50 million over 3 years") == [50.0, 3.0, 5e7]


@pytest.mark.parametrize("value, written", [
    (5000000000, 50000000),          # ten times too many zeros ... up to a thousand
    (50000000000, 50000000),
    (5000000, 50000000),             # ... or too few
    (50000000, 50000000),            # as said
    (50, 50),                        # a number the user wrote ("50" of "50 million")
    (3, 3),
    (5e13, 5e13),                    # a million times: a conversion, not a slip
    (51000000, 51000000),            # not the user's digits
    (True, True),
    (0, 0),
    (500000000.0, 50000000.0),       # a float stays a float
])
def test_a_value_off_by_a_power_of_ten_is_written_as_said(value, written):
    said = "a payout of $50 million over 3 years"
    out = restate_magnitude(value, said_magnitudes(said), said_numbers(said))
    assert out == written and type(out) is type(written)


def test_a_value_that_fits_two_scaled_numbers_is_left_alone():
    said = "5 million here and 50 million there"      # 5e8 is 5e6 x 100 and 5e7 x 10
    assert restate_magnitude(500000000, said_magnitudes(said), said_numbers(said)) == 500000000


DIVIDEND = {"name": "dividend", "description": "Quarterly dividend per share.", "parameters": {
    "type": "object",
    "properties": {
        "total_payout": {"type": "integer", "description": "Total payout in USD."},
        "shares": {"type": "number"},
        "note": {"type": "string"},
        "history": {"type": "array", "items": {"type": "integer"}},
    },
    "required": ["total_payout", "shares"]}}


def test_calls_are_restated_where_their_numbers_are_the_users():
    said = "A payout of 50 million USD on 100 million shares; last years 40 million and 45 million"
    calls = [{"name": "dividend", "arguments": {"total_payout": 5000000000, "shares": 1000000000.0,
                                                 "note": "5000000000", "history": [400000000, 45000000]}}]
    assert restate_magnitudes(calls, [DIVIDEND], said) == [{"name": "dividend", "arguments": {
        "total_payout": 50000000, "shares": 100000000.0, "note": "5000000000", "history": [40000000, 45000000]}}]
    assert calls[0]["arguments"]["total_payout"] == 5000000000                    # the calls given are untouched
    assert restate_magnitudes(calls, [DIVIDEND], "payout 50, shares 100") is calls  # no scale word said
