"""Stated units: where a number parameter's description states its unit ("Focal length in
millimeters (mm)") and the user said the quantity in another unit of that dimension ("374 cm"),
the value is written converted (3740) once the turn is done.

Why: the tuned model copies the user's digits and moves the decimal point where it should not,
or not where it should. With run 27's decoding, on our own unseen tools: 374 for "a focal length
of 374 cm" under millimetres (3740 wanted), 2.4 for "2.4 m", 4 for "an eyepiece of 4
centimeters", 2000000 for "2 kHz" under hertz (2000), 86000 for "8.6 kHz" (8600), 220000 for
"2.2 megawatts" under watts (2200000). The digits are the user's; the unit the description
states says where the point goes, and metric units only move it.

What it does, on a finished turn (`infer.generate` with `Nudges.stated_units`; a free turn
only where it is exactly its calls, `infer.restate_turn`):
each number or integer argument (in lists and nested objects too) whose description states a
unit (`stated_unit`: "in millimeters", "(mm)", "in kHz") is compared with the quantities the
user said (`said_quantities`: a number followed by a unit's symbol or name, "374 cm", "19
kilohertz"). A quantity of the same dimension "fits" the value when the value is its number
times a power of ten (the same digits, the point moved, or not); its right value is the number
converted to the stated unit. Where the value already is the right value of some quantity, or
where the fitting quantities disagree on the right value, it is left alone; where exactly one
right value fits, it is written. Units are the metric ones the generator's data uses
(`synth_values.UNITS`: powers of ten only, so a conversion never needs a multiplication the
rule could get wrong).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from funcall_lib.stated_layouts import map_values
from funcall_lib.synth_values import UNITS

# symbol -> (dimension, factor to the first unit of its dimension); spoken names -> symbol
_SYMBOLS = {symbol: (dim, Decimal(factor)) for dim, units in UNITS.items()
            for symbol, (_, factor) in units.items()}
_NAMES = {name: symbol for units in UNITS.values() for symbol, (name, _) in units.items()}
_NAME_RE = "|".join(sorted((re.escape(n[:-1]) + "s?" if n.endswith("s") else re.escape(n) for n in _NAMES),
                           key=len, reverse=True))   # "meters?" says "meter" too; "hertz" is one
_SYMBOL_RE = "|".join(sorted(map(re.escape, _SYMBOLS), key=len, reverse=True))
_NUMBER = r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)"
# A unit stated by name ("in millimeters"), as a symbol in brackets ("(mm)") or after "in"
# ("in kHz"); symbols are case-sensitive ("mH" is not "MH").
_STATED = re.compile(rf"\bin ((?i:{_NAME_RE}))\b|\(({_SYMBOL_RE})\)|\bin ({_SYMBOL_RE})(?![\w/])")
_SAID = re.compile(rf"{_NUMBER}\s?(?:((?i:{_NAME_RE}))\b|({_SYMBOL_RE})(?![\w/]))")
_MAX_SHIFT = 9


def _symbol_of(name: str) -> str:
    name = name.lower()
    return _NAMES.get(name) or _NAMES[name + "s"]


def stated_unit(description: str) -> str | None:
    """The unit symbol a description states first ("Focal length in millimeters (mm)" -> "mm"),
    or None."""
    found = _STATED.search(description or "")
    if not found:
        return None
    name, bracketed, bare = found.groups()
    return _symbol_of(name) if name else bracketed or bare


def said_quantities(text: str) -> list[tuple[Decimal, str]]:
    """The quantities the user said with a unit: "374 cm and 19 kilohertz" -> [(374, "cm"),
    (19, "kHz")]."""
    out = []
    for number, name, symbol in _SAID.findall(text or ""):
        try:
            out.append((Decimal(number.replace(",", "")), _symbol_of(name) if name else symbol))
        except ArithmeticError:      # "1,2,3" reads as no number
            continue
    return out


def _converted(number: Decimal, symbol: str, unit: str) -> Decimal:
    return number * _SYMBOLS[symbol][1] / _SYMBOLS[unit][1]


def _shifted(value: Decimal, number: Decimal) -> bool:
    """Is `value` `number` times a power of ten (the same digits, the point anywhere)?"""
    if not value or not number:
        return False
    ratio = abs(value / number)
    shift = round(math.log10(ratio))
    return abs(shift) <= _MAX_SHIFT and ratio == Decimal(10) ** shift


def restate_unit(value, unit: str | None, quantities: list[tuple[Decimal, str]]):
    """`value` converted from the one quantity of the user's whose digits it holds, where the
    description states `unit` and the value is not already a right one (see the module
    docstring)."""
    if unit is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    dimension = _SYMBOLS[unit][0]
    same = [(n, s) for n, s in quantities if _SYMBOLS[s][0] == dimension]
    right = {_converted(n, s, unit) for n, s in same}
    written = Decimal(str(value))
    if written in right:
        return value
    fits = {_converted(n, s, unit) for n, s in same if _shifted(written, n)}
    if len(fits) != 1:
        return value
    meant = fits.pop()
    return int(meant) if isinstance(value, int) and meant == meant.to_integral_value() else float(meant)


def restate_units(calls: list[dict], tools: list[dict], said: str) -> list[dict]:
    """The calls with each number argument whose description states a unit written in it, where
    the model wrote the digits of a quantity the user `said` in another place; everything else
    as it is."""
    quantities = said_quantities(said)
    if not quantities:
        return calls

    def visit(schema, name, value):
        if schema.get("type") not in ("number", "integer"):
            return value
        return restate_unit(value, stated_unit(schema.get("description", "")), quantities)

    return map_values(calls, tools, visit)


# What the --stated-units flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("a finished turn gets a quantity the user said in another unit ('374 cm') converted to the "
             "unit its parameter's description states ('in millimeters': 3740)")
