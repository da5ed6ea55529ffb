"""Stated percents: where a number parameter's description says whether a percentage goes in as a
fraction ("in decimal form", "0.05 for 5%") or as the percent itself ("as a percentage", "Rate
in %"), a value the user said as "N%" is written that way once the turn is done.

Why: "5%" is 0.05 to one API and 5 to another, and the description is where the author says
which. Our fine-tuned 135M model does not read it: with run 27's decoding it wrote 5 for "an
annual interest rate of 5%" under "The annual interest rate in decimal form. Example, 5% is
0.05." (BFCL simple_python 154) and in nine more BFCL records whose description asks for a
fraction, and 0.05 under "The yearly yield of the mutual fund as a percentage" (simple_python
139). Both numbers are the user's; only their form is wrong, and the description settles it.

What it does, on a finished turn (`infer.generate` with `Nudges.stated_percents`; a free turn
only where it is exactly its calls, `infer.restate_turn`):
for each number-typed argument (not an integer: a fraction cannot be one) whose description
states a form (`percent_form`), if the value is a percentage the user wrote ("5%", "5 percent")
in the other form, it is written in the stated one: 5 -> 0.05 for a fraction, 0.05 -> 5 for a
percent. A value that is both (the user wrote "50%" and "0.5%") is left alone, and so is every
parameter whose description says neither: which form an unmarked "rate" wants is a convention,
not something the tool says (BFCL's answers take the fraction there; our generator's data
marks every such parameter; `rate_fractions` adopts the fraction for rates).

An integer parameter states the percent by its type: a fraction cannot be written there. The
model still begins one, and the grammar ends it at the point: "depreciation_rate": 0 for "an
annual depreciation rate of 3%" under "The annual depreciation rate in percentage." (BFCL
multiple 14), "sales_units_increase_percentage": 0 for "by 10%" (multiple 13). So an integer
argument written 0, whose name or description speaks of a percent or a rate, and which the
description does not state to be a fraction, gets the user's percentage where they said
exactly one whole non-zero percentage (`restate_integer_percent`).
"""

from __future__ import annotations

import re

from funcall_lib.stated_layouts import map_values

# A fraction is stated by name or by example ("0.05 for 5%", "5% is 0.05"); checked first, as
# "a fraction between 0 and 1 (not a percentage)" names both.
_FRACTION = re.compile(r"\bdecimal\b|\bfraction\b|between 0 and 1|"
                       r"\d\s?% (?:is|=|as) 0?\.\d|0?\.\d+ (?:for|is|=) \d+(?:\.\d+)?\s?%", re.IGNORECASE)
# A percent is stated by name, or by a unit "in %" / "(%)"; a bare "%" is not ("default value is
# 10%" gives a value, not a form).
_PERCENT = re.compile(r"\bper ?cent(?:age)?\b|\bin %|\(%\)", re.IGNORECASE)
_SAID = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s?(?:%|per ?cent\b)", re.IGNORECASE)


def percent_form(description: str) -> str | None:
    """"fraction", "percent", or None where the description states neither."""
    if _FRACTION.search(description or ""):
        return "fraction"
    return "percent" if _PERCENT.search(description or "") else None


def said_percents(text: str) -> list[float]:
    """The percentages the user wrote: "5%", "2.5 %", "7 percent" -> [5.0, 2.5, 7.0]."""
    return [float(number) for number in _SAID.findall(text or "")]


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def restate_percent(value, form: str | None, percents: list[float]):
    """`value` in the stated `form` where it is one of the user's `percents` in the other form."""
    if form is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    as_percent = [p for p in percents if _near(value, p)]
    as_fraction = [p for p in percents if _near(value, p / 100)]
    if form == "fraction" and as_percent and not as_fraction:
        return round(as_percent[0] / 100, 12)
    if form == "percent" and as_fraction and not as_percent:
        return as_fraction[0]
    return value


_PERCENT_OR_RATE = re.compile(r"per ?cent|\brates?\b", re.IGNORECASE)


def restate_integer_percent(value, name: str, description: str, percents: list[float]):
    """An integer `value` of 0, the fraction the grammar cut at its point, as the one whole
    non-zero percentage the user said, where the parameter's name or description speaks of a
    percent or a rate and the description does not ask for a fraction; else `value`."""
    if isinstance(value, bool) or value != 0 or percent_form(description) == "fraction":
        return value
    if not _PERCENT_OR_RATE.search(f"{name.replace('_', ' ')} {description}"):
        return value
    whole = {int(p) for p in percents if p == int(p) and p != 0}
    return whole.pop() if len(whole) == 1 else value


def restate_percents(calls: list[dict], tools: list[dict], said: str) -> list[dict]:
    """The calls with each number argument whose description states a form written in it, where
    it is a percentage the user `said` in the other form, and each integer percent the grammar
    cut to 0 written as said; everything else as it is."""
    percents = said_percents(said)
    if not percents:
        return calls

    def visit(schema, name, value):
        if schema.get("type") == "integer":
            return restate_integer_percent(value, name, schema.get("description", ""), percents)
        if schema.get("type") != "number":
            return value
        return restate_percent(value, percent_form(schema.get("description", "")), percents)

    return map_values(calls, tools, visit)


# What the --stated-percents flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("a finished turn gets a percentage the user said as the fraction or the percent its "
             "description asks for, e.g. 0.05 under 'in decimal form'")
