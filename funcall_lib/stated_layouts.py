"""Stated layouts: where a string parameter's description spells out the layout of a date or a
time ("YYYY-MM-DD", "MM-DD-YYYY", "mm-yyyy", "HH:MM"), constrained decoding holds the value to it.

Why: a tool's author writes the layout into the description far more often than into a JSON
Schema `pattern` or `format`, and a small model reads descriptions loosely. Our fine-tuned 135M
model wrote "2022-04-20" under "Date of the concert in 'mm-yyyy' format" (BFCL simple_python
286), "2023-06-01" under "in the format mm-dd-yyyy" (multiple 64), and an ISO date wherever a
tool of our own unseen-tools split asks for MM-DD-YYYY. The layout is plain text, so the grammar
cannot use it until it is turned into the `pattern` the author would have written:
`with_stated_layouts(tools, said)` does that on a copy of the tools, and `infer.generate`
compiles the copy when `Nudges.stated_layouts` is on. The model still sees the tools as given;
only what it may write changes, and only in constrained decoding.

Where the stated layout is a date other than ISO, the pattern also allows an ISO date, and
`restate_calls` writes each ISO date of a finished turn in the stated layout ("2022-07-10" ->
"07-10-2022"). Why: held to the stated layout alone, the model must begin with the month or the
day while it has learnt to begin with the year, and it wrote the year's first digits in their
place: "20-12-2023" for 15 October 2023 under DD-MM-YYYY, "02-20-2022" for 20 July. Let it write
the date the way it knows, and the rewriting is exact. But not where the user's words already
hold a date in the stated layout ("with a birthday 01-01-1980" under MM-DD-YYYY): that one is
copied as it is, and with ISO allowed the model began "2019-01-01" instead.

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

from funcall_lib.infer import plain_tool, tool_parameters

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
ISO_DATE = "YYYY-MM-DD"


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


def _fields(layout: str) -> list[str]:
    return [piece.upper() for piece in _SPLIT.split(layout) if piece not in _SEPARATORS]


def restatable(layout: str) -> bool:
    """Whether an ISO date can be written in this layout: a date of a year, a month and maybe a
    day, each once, and no time ("MM-DD-YYYY", "mm-yyyy"; not "YYYY-YYYY" nor "HH:MM")."""
    fields = _fields(layout)
    return (set(fields) <= {"YYYY", "YY", "MM", "DD"} and "MM" in fields
            and bool({"YYYY", "YY"} & set(fields)) and len(set(fields)) == len(fields))


def written_in(text: str, layout: str) -> bool:
    """Whether `text` holds a value written in `layout` with no digit just before or after it
    ("born 01-01-1980" for MM-DD-YYYY; not "on 2022-01-01", whose "22-01-01" runs on)."""
    return re.search(rf"(?<![0-9]){layout_regex(layout)}(?![0-9])", text or "") is not None


def layout_pattern(description: str, optional: bool = False, said: str = "") -> str | None:
    """The `pattern` for a string parameter with this description, or None where it states no
    layout: the stated layouts, and an ISO date where one of them is a date `restate` can write
    it in and the user's words (`said`) hold no value already written in a stated layout (that
    one is to be copied as it is). `optional`: the empty string is allowed too."""
    layouts = stated_layouts(description)
    return _pattern(layouts, optional, said) if layouts else None


def _pattern(layouts: list[str], optional: bool, said: str) -> str:
    regexes = [layout_regex(layout) for layout in layouts]
    if any(restatable(layout) for layout in layouts) and not any(written_in(said, layout) for layout in layouts):
        regexes.append(layout_regex(ISO_DATE))
    body = "|".join(dict.fromkeys(regexes))
    return f"^(?:{body})?$" if optional else f"^(?:{body})$"


def restate(value: str, description: str) -> str:
    """`value` in the first date layout the description states, where the model wrote an ISO date
    that no stated layout allows: "2022-07-10" -> "07-10-2022" under "MM-DD-YYYY", "2022-04-20"
    -> "04-2022" under "mm-yyyy" (a field the layout lacks is dropped). Anything else is
    returned as it is."""
    return _restate(value, stated_layouts(description))


def _restate(value: str, layouts: list[str]) -> str:
    target = next((layout for layout in layouts if restatable(layout)), None)
    if (target is None or not isinstance(value, str) or not re.fullmatch(layout_regex(ISO_DATE), value)
            or any(re.fullmatch(layout_regex(layout), value) for layout in layouts)):
        return value
    year, month, day = value.split("-")
    written = {"YYYY": year, "YY": year[2:], "MM": month, "DD": day}
    return "".join(written.get(piece.upper(), piece) for piece in _SPLIT.split(target))


def _stated(schema: dict, name: str) -> list[str]:
    """The layouts a string parameter's description states, where the rule may hold it to them
    ([] else): not a parameter whose value is a layout itself, not a closed schema."""
    if (schema.get("type") != "string" or name.lower().endswith("format")
            or any(key in schema for key in _CLOSED)):
        return []
    return stated_layouts(schema.get("description", ""))


def _hold_properties(schema: dict, said: str) -> None:
    """Give each string property of an object schema (and of the objects and arrays under it) the
    pattern of the layout its description states, in place."""
    required = set(schema.get("required") or [])
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict):
            _hold(prop, name, name not in required, said)


def _hold(schema: dict, name: str, optional: bool, said: str) -> None:
    if schema.get("type") == "object":
        _hold_properties(schema, said)
    elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _hold(schema["items"], name, False, said)  # an item, once written, is a value
    elif layouts := _stated(schema, name):
        schema["pattern"] = _pattern(layouts, optional, said)


def with_stated_layouts(tools: list[dict], said: str = "") -> list[dict]:
    """A copy of `tools` (plain or OpenAI-style) in which every string parameter whose description
    states a date or time layout has the `pattern` of that layout (`layout_pattern`; `said`: the
    user's words); the tools given are untouched."""
    held = copy.deepcopy(tools)
    for tool in held:
        _hold_properties(plain_tool(tool)["parameters"], said)  # the copy's own parameters, in place
    return held


def _mapped_properties(schema: dict, arguments: dict, visit) -> dict:
    props = schema.get("properties") or {}
    return {key: _mapped(props.get(key) or {}, key, value, visit) for key, value in arguments.items()}


def _mapped(schema: dict, name: str, value, visit):
    if schema.get("type") == "object" and isinstance(value, dict):
        return _mapped_properties(schema, value, visit)
    if schema.get("type") == "array" and isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_mapped(schema["items"], name, item, visit) for item in value]
    return visit(schema, name, value)


def map_values(calls: list[dict], tools: list[dict], visit) -> list[dict]:
    """The calls with each value that is no object or array under its schema replaced by
    `visit(schema, name, value)`, walking the schema as `with_stated_layouts` does (a tool's
    own parameters count as an object, "type" or not); calls of tools not offered stay as they
    are, and so do the calls given."""
    by_name = tool_parameters(tools)
    return [{**call, "arguments": _mapped_properties(by_name[call["name"]], call["arguments"], visit)}
            if call.get("name") in by_name and isinstance(call.get("arguments"), dict) else call
            for call in calls]


def _restated(schema: dict, name: str, value):
    return _restate(value, _stated(schema, name))


def restate_calls(calls: list[dict], tools: list[dict]) -> list[dict]:
    """The calls with every ISO date written in the layout its parameter's description states
    (`restate`); calls of tools not offered, and every other value, as they are."""
    return map_values(calls, tools, _restated)


# What the --stated-layouts flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("constrained decoding holds a string to the date or time layout its description states, e.g. "
             "YYYY-MM-DD, and writes an ISO date the model chose instead in that layout")
