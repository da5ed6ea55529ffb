"""Stated layouts: where a string parameter's description spells out the layout of a date or a
time ("YYYY-MM-DD", "MM-DD-YYYY", "mm-yyyy", "HH:MM"), constrained decoding holds the value to it.

Why: a tool's author writes the layout into the description far more often than into a JSON
Schema `pattern` or `format`, and a small model reads descriptions loosely. Our fine-tuned 135M
model wrote "28-1-2021" under "The date of the game, formatted as YYYY-MM-DD" (BFCL
simple_python 307), "2022-04-20" under "Date of the concert in 'mm-yyyy' format" (286), and
"2021-01-01" where "in MM-DD-YYYY format" asks for the month first. The layout is plain text,
so the grammar cannot use it until it is turned into the `pattern` the author would have written:
`with_stated_layouts(tools)` does that on a copy of the tools, and `infer.generate` compiles the
copy when `Nudges.stated_layouts` is on. The model still sees the tools as given; only what it
may write changes, and only in constrained decoding (free decoding has no grammar to hold it).

What counts as a layout: two or more of the tokens YYYY, YY, MM, DD, HH, SS (any case) joined by
"-", "/", ":" or ".", optionally a date part and a time part joined by one space ("YYYY-MM-DD
HH:MM:SS"), standing alone in the text. "MM" after an hour is minutes, otherwise the month. The
digits are ranged (a month 01-12, a day 01-31, an hour 00-23), so "28-01-2021" is no value for
MM-DD-YYYY either. A run that holds anything else is no layout at all: "in the format of
MM-DD-YYY" (a typo in simple_python 168) gives nothing, not "MM-DD". Several layouts stated in one
description are all allowed.

Where it stays out: a parameter whose name ends in "format" (its value is a layout, "MM-DD-YYYY"
itself: "Optional format of the returned date. Default is 'MM-DD-YYYY'"), a schema that already
has an `enum`, `const`, `pattern` or `format`, and every non-string. An optional parameter may
also be the empty string, the "not given" that such APIs accept, so that the grammar never
forces a made-up date into an argument the user did not give.
"""

from __future__ import annotations

import copy
import re

# One layout token: the text a description uses, then the regex of the digits it stands for.
_TOKEN = r"(?:YYYY|YY|MM|DD|HH|SS)"
_PART = rf"{_TOKEN}(?:[-/:.]{_TOKEN})*"
# A layout stands alone: no letter, digit or layout separator just before it, and after it no
# letter or digit, nor a separator that goes on into one ("MM-DD" of "MM-DD-YYY" is no layout).
_LAYOUT = re.compile(rf"(?<![\w/:.-]){_PART}(?: {_PART})?(?![\w]|[-/:.]\w)", re.IGNORECASE)
_DIGITS = {"YYYY": "[0-9]{4}", "YY": "[0-9]{2}", "MM": "(?:0[1-9]|1[0-2])",
           "DD": "(?:0[1-9]|[12][0-9]|3[01])", "HH": "(?:[01][0-9]|2[0-3])", "SS": "[0-5][0-9]"}
_MINUTES = "[0-5][0-9]"
_SPLIT = re.compile(r"([-/:. ])")
_SEPARATORS = {"-": "-", "/": "/", ":": ":", ".": r"\.", " ": " "}
_CLOSED = ("enum", "const", "pattern", "format")


def layout_regex(layout: str) -> str:
    """The regex (unanchored) of the values one layout allows: "YYYY-MM-DD" ->
    "[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"."""
    out, after_hour = [], False
    for piece in _SPLIT.split(layout):
        if piece in _SEPARATORS:
            out.append(_SEPARATORS[piece])
            continue
        token = piece.upper()
        out.append(_MINUTES if token == "MM" and after_hour else _DIGITS[token])
        after_hour = after_hour or token == "HH"
    return "".join(out)


def stated_layouts(description: str) -> list[str]:
    """The layouts a description states, in order, each once: "in the format YYYY-MM-DD" ->
    ["YYYY-MM-DD"]. A single token ("YYYY") is no layout: it says too little to hold a value to."""
    found = []
    for match in _LAYOUT.finditer(description or ""):
        layout = match.group(0)
        if len(_SPLIT.split(layout)) >= 3 and layout.upper() not in (f.upper() for f in found):
            found.append(layout)
    return found


def layout_pattern(description: str, optional: bool = False) -> str | None:
    """The `pattern` for a string parameter with this description, or None where it states no
    layout. `optional`: the empty string is allowed too."""
    layouts = stated_layouts(description)
    if not layouts:
        return None
    body = "|".join(dict.fromkeys(layout_regex(layout) for layout in layouts))
    return f"^(?:{body})?$" if optional else f"^(?:{body})$"


def _hold_properties(schema: dict) -> None:
    """Give each string property of an object schema (and of the objects and arrays under it) the
    pattern of the layout its description states, in place."""
    required = set(schema.get("required") or [])
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        _hold(prop, name, optional=name not in required)


def _hold(schema: dict, name: str, optional: bool) -> None:
    if schema.get("type") == "object":
        _hold_properties(schema)
    elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _hold(schema["items"], name, optional=False)  # an item, once written, is a value
    elif (schema.get("type") == "string" and not name.lower().endswith("format")
          and not any(key in schema for key in _CLOSED)):
        pattern = layout_pattern(schema.get("description", ""), optional)
        if pattern:
            schema["pattern"] = pattern


def with_stated_layouts(tools: list[dict]) -> list[dict]:
    """A copy of `tools` (plain or OpenAI-style) in which every string parameter whose description
    states a date or time layout has the `pattern` of that layout; the tools given are untouched."""
    held = copy.deepcopy(tools)
    for tool in held:
        function = tool.get("function", tool) if tool.get("type") == "function" else tool
        if isinstance(function.get("parameters"), dict):
            _hold_properties(function["parameters"])
    return held
