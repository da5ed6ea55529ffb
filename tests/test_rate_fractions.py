"""Rate fractions: "4%" written 0.04 under a rate parameter whose description states no form."""

from __future__ import annotations

import pytest

from funcall_lib import infer
from funcall_lib.nudges import Nudges
from funcall_lib.rate_fractions import is_unmarked_rate, restate_rates

MORTGAGE = {"name": "mortgage_payment", "description": "Monthly payment of a loan.", "parameters": {
    "type": "object",
    "properties": {
        "principal": {"type": "number", "description": "The loan amount."},
        "interest_rate": {"type": "number", "description": "The annual interest rate."},
        "years": {"type": "integer", "description": "The term in years."},
    },
    "required": ["principal", "interest_rate", "years"]}}


@pytest.mark.parametrize("name, schema, unmarked", [
    ("interest_rate", {"type": "number", "description": "The annual interest rate."}, True),
    ("rate", {"type": "number"}, True),
    ("rate_of_return", {"type": "number", "description": "The annual rate of return."}, True),
    ("annual_return", {"type": "number", "description": "The annual return of the investment."}, True),
    ("dividendYield", {"type": "number", "description": ""}, True),
    ("rate", {"type": "integer", "description": "The rate."}, False),                 # cannot hold 0.04
    ("rate", {"type": "number", "description": "Rate in %"}, False),                  # states the percent
    ("rate", {"type": "number", "description": "Rate in decimal form"}, False),        # stated_percents' case
    ("duration", {"type": "number", "description": "Years of the interest"}, False),   # not named a rate
    ("efficiency", {"type": "number", "description": "Conversion efficiency"}, False),
    ("discount", {"type": "number", "description": "The discount."}, False),
    ("pirate_count", {"type": "number"}, False),                                      # a word, not a part
])
def test_which_parameters_are_rates_with_no_stated_form(name, schema, unmarked):
    assert is_unmarked_rate(name, schema) == unmarked


def test_a_rate_said_in_percent_is_written_as_its_fraction_and_nothing_else_moves():
    calls = [{"name": "mortgage_payment", "arguments": {"principal": 200000, "interest_rate": 4, "years": 4}}]
    restated = restate_rates(calls, [MORTGAGE], "A loan of 200000 at 4% for 4 years")
    assert restated == [{"name": "mortgage_payment",
                         "arguments": {"principal": 200000, "interest_rate": 0.04, "years": 4}}]
    assert calls[0]["arguments"]["interest_rate"] == 4                          # the calls given are untouched


@pytest.mark.parametrize("said, written, restated", [
    ("200000 at 4.5% for 30 years", 4.5, 0.045),
    ("200000 at 4 percent for 30 years", 4, 0.04),
    ("200000 at 4% for 30 years", 0.04, 0.04),            # already the fraction
    ("200000 at 4% for 30 years", 5, 5),                  # not the user's percentage
    ("200000 at four percent for 30 years", 4, 4),        # no percentage in digits: nothing said
    ("40% down, 0.4% fee, 30 years", 0.4, 0.4),           # the fraction of 40% and the 0.4% as written
])
def test_only_a_percentage_the_user_wrote_is_restated(said, written, restated):
    calls = [{"name": "mortgage_payment", "arguments": {"principal": 200000, "interest_rate": written, "years": 30}}]
    assert restate_rates(calls, [MORTGAGE], said)[0]["arguments"]["interest_rate"] == restated


def test_rates_in_lists_and_in_several_calls_are_restated():
    tool = {"name": "compare_loans", "parameters": {"type": "object", "properties": {
        "rates": {"type": "array", "items": {"type": "number", "description": "An annual rate"}}}}}
    calls = [{"name": "compare_loans", "arguments": {"rates": [3, 4.5]}},
             {"name": "mortgage_payment", "arguments": {"principal": 1, "interest_rate": 3, "years": 3}}]
    restated = restate_rates(calls, [tool, MORTGAGE], "Compare 3% and 4.5%, then 1 at 3% for 3 years")
    assert restated[0]["arguments"]["rates"] == [0.03, 0.045]
    assert restated[1]["arguments"] == {"principal": 1, "interest_rate": 0.03, "years": 3}


def test_generate_writes_the_fraction_in_constrained_turns(tiny_model):
    model, tok = tiny_model
    record = {"id": "r", "tools": [MORTGAGE],
              "messages": [{"role": "user", "content": "A loan of 200000 at 4% over 30 years"}]}
    gens = infer.generate(model, tok, [record], tool_choice="required", max_new_tokens=80, max_calls=1,
                          nudges=Nudges(rate_fractions=True))
    assert gens[0].constrained and gens[0].calls                               # runs end to end
