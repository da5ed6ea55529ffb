"""Stated percents: "5%" written as the fraction or the percent the parameter's description asks for."""

from __future__ import annotations

import pytest

from funcall_lib import infer
from funcall_lib.nudges import Nudges
from funcall_lib.stated_percents import percent_form, restate_percent, restate_percents, said_percents


@pytest.mark.parametrize("description, form", [
    ("The annual interest rate in decimal form. Example, 5% is 0.05.", "fraction"),
    ("Discount as a decimal, e.g. 0.2 for 20%", "fraction"),
    ("Growth rate, a fraction between 0 and 1 (not a percentage)", "fraction"),
    ("Dividend yield as a decimal fraction (0.05 for 5%)", "fraction"),
    ("The yearly yield of the mutual fund as a percentage.", "percent"),
    ("Rate in %", "percent"),
    ("Interest rate percent", "percent"),
    ("Power in watts (%)", "percent"),
    ("The conversion efficiency, default value is 10%.", None),       # a value, not a form
    ("The annual interest rate of the investment.", None),
    ("", None),
])
def test_which_form_a_description_states(description, form):
    assert percent_form(description) == form


def test_the_percentages_the_user_wrote():
    assert said_percents("at 5% for 2 years, then 2.5 % and 7 percent; 3.1415 alone") == [5.0, 2.5, 7.0]
    assert said_percents("no percentage here") == []


@pytest.mark.parametrize("value, form, percents, written", [
    (5, "fraction", [5.0], 0.05),
    (2.5, "fraction", [2.5], 0.025),
    (7, "fraction", [7.0], 0.07),
    (0.05, "percent", [5.0], 5.0),
    (0.05, "fraction", [5.0], 0.05),          # already the stated form
    (5, "percent", [5.0], 5),
    (5, None, [5.0], 5),                      # the description states no form
    (6, "fraction", [5.0], 6),                # not the user's percentage
    (0.5, "fraction", [50.0, 0.5], 0.5),      # the user's 50% as a fraction and 0.5% as written: left alone
    (True, "fraction", [1.0], True),
])
def test_a_value_is_written_in_the_stated_form_only_where_it_is_the_users_percentage(value, form, percents, written):
    assert restate_percent(value, form, percents) == written


RATE = {"name": "future_value", "description": "Future value of an investment.", "parameters": {
    "type": "object",
    "properties": {
        "rate": {"type": "number", "description": "The annual interest rate in decimal form."},
        "fee": {"type": "number", "description": "Fee as a percentage."},
        "years": {"type": "integer", "description": "Years, e.g. 5 for 5% growth"},
        "plain_rate": {"type": "number", "description": "The annual interest rate."},
    },
    "required": ["rate"]}}


def test_calls_are_restated_by_their_parameters_descriptions():
    calls = [{"name": "future_value", "arguments": {"rate": 5, "fee": 0.02, "years": 5, "plain_rate": 5}}]
    restated = restate_percents(calls, [RATE], "5% a year, a 2% fee, for 5 years")
    assert restated == [{"name": "future_value", "arguments": {"rate": 0.05, "fee": 2.0, "years": 5, "plain_rate": 5}}]
    assert calls[0]["arguments"]["rate"] == 5                                  # the calls given are untouched
    assert restate_percents(calls, [RATE], "five percent") is calls           # no percentage said


def test_generate_writes_the_stated_form_in_constrained_turns(tiny_model):
    model, tok = tiny_model
    record = {"id": "r", "tools": [RATE], "messages": [{"role": "user", "content": "What is 1000 at 5% worth?"}]}
    gens = infer.generate(model, tok, [record], tool_choice="required", max_new_tokens=60, max_calls=1,
                          nudges=Nudges(stated_percents=True))
    assert gens[0].constrained and gens[0].calls                                # runs end to end


@pytest.mark.parametrize("value, name, description, percents, written", [
    (0, "depreciation_rate", "The annual depreciation rate in percentage.", [3.0], 3),
    (0, "sales_units_increase_percentage", "Percentage increase in the sales units.", [10.0], 10),
    (0, "growth", "Growth in percent", [10.0], 10),
    (0, "depreciation_rate", "The annual rate.", [3.0, 5.0], 0),        # two percentages: which one?
    (0, "depreciation_rate", "The annual rate.", [2.5], 0),             # not whole: cannot be it
    (0, "depreciation_rate", "The annual rate.", [0.0], 0),             # the user's own 0%
    (0, "discount", "The discount.", [10.0], 0),                        # speaks of no percent or rate
    (0, "rate", "Rate as a fraction between 0 and 1", [10.0], 0),        # asks for a fraction
    (4, "rate", "The annual rate.", [3.0], 4),                          # not the cut fraction
    (False, "rate", "The annual rate.", [3.0], False),
])
def test_an_integer_percent_the_grammar_cut_to_0_is_written_as_said(value, name, description, percents, written):
    from funcall_lib.stated_percents import restate_integer_percent

    assert restate_integer_percent(value, name, description, percents) == written


def test_integer_percents_are_restated_in_calls():
    tool = {"name": "depreciate", "parameters": {"type": "object", "properties": {
        "cost": {"type": "integer", "description": "The initial cost."},
        "depreciation_rate": {"type": "integer", "description": "The annual depreciation rate in percentage."},
        "years": {"type": "integer", "description": "Years"}}}}
    calls = [{"name": "depreciate", "arguments": {"cost": 200000, "depreciation_rate": 0, "years": 0}}]
    restated = restate_percents(calls, [tool], "A property costing $200,000 at 3% a year for 0 years")
    assert restated[0]["arguments"] == {"cost": 200000, "depreciation_rate": 3, "years": 0}
