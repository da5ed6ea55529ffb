"""Said periods: a date the model made up for a period the user named is written as the user
named it.

Why: asked for "the pop concerts in New York for next month", "the ranking of LA Lakers in the
NBA 2021 regular season" or "The Weeknd's concert happening in December", the fine-tuned 135M
model writes a whole ISO date under a free-text parameter: "2019-03-01", "2021-12-20",
"2022-12-01" (BFCL simple_python 284, 317, 290). The day is its own invention, as is the year
where the user said none; the parameter's description ("Time frame to get the concert for.",
"The season for which...", "Month in which...") asks for no date layout, and the user's own
words are the value.

What it does, on a finished turn (`infer.generate` with `Nudges.said_periods`; a free turn only
where it is exactly its calls, `infer.restate_turn`): a string value that is exactly an ISO date
(YYYY-MM-DD), under a parameter whose description states no layout ("YYYY", "MM", "DD", "ISO",
"format"), in a turn whose user named no day at all (no month with a day number beside it, no
numeric date), is replaced by the period the user said:
- the one relative period they said ("next month", "this weekend", "tomorrow", "today");
- else, under a parameter whose name or description says season or year, the one year they said;
- else, under one that says month, the one month they named.
Under an enum, only a replacement the enum holds is written (in the enum's spelling). Two
different periods of a kind said, or none, leave the date as it is; so does any day the user
named, whose date `said_years` and the model's reading are left to.
"""

from __future__ import annotations

import re

from funcall_lib.said_years import MONTH_NAMES, month_pattern
from funcall_lib.stated_layouts import map_values

_RELATIVE = re.compile(r"\b(?:the day after tomorrow|today|tonight|tomorrow|yesterday"
                       r"|(?:this|next|last) (?:weekend|week|month|year))\b", re.IGNORECASE)
_MONTH_NAMED = re.compile(r"\b(?:" + "|".join(MONTH_NAMES) + r")\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d{2}\b")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A day the user named: a month with a day number before or after it ("June 20", "20th of June",
# "June01"), or a date in digits ("01-01-1980", "6/20"; not "3.5" or "2020-21").
_DAY_NAMED = [re.compile(rf"\b{month_pattern()}\s*\d{{1,2}}(?:st|nd|rd|th)?\b", re.IGNORECASE),
              re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{month_pattern()}\b", re.IGNORECASE),
              re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b"), re.compile(r"\b\d{1,2}/\d{1,2}\b")]
_LAYOUT_STATED = re.compile(r"\b(?:yyyy|yy|mm|dd|iso)\b|\bformat", re.IGNORECASE)


def _only(found: list[str]) -> str | None:
    """The one thing found (case aside), or None where there are none or several."""
    distinct = {item.lower(): item for item in found}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def said_period(schema: dict, name: str, said: str) -> str | None:
    """The period the user's words `said` name for parameter `name` under `schema` (see the
    module's docstring), or None."""
    period = _only(_RELATIVE.findall(said))
    about = f"{name} {schema.get('description') or ''}".lower()
    if period is None and re.search(r"season|year", about):
        period = _only(_YEAR.findall(said))
    if period is None and "month" in about:
        period = _only([m.capitalize() for m in _MONTH_NAMED.findall(said)])
    if period is None or not schema.get("enum"):
        return period
    return next((e for e in schema["enum"] if isinstance(e, str) and e.lower() == period.lower()), None)


def restate_period(schema: dict, name: str, value, said: str):
    """`value`, or the period the user said in place of the ISO date the model made up."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return value
    if _LAYOUT_STATED.search(schema.get("description") or ""):
        return value
    return said_period(schema, name, said) or value


def restate_periods(calls: list[dict], tools: list[dict], said: str) -> list[dict]:
    """The calls with each made-up date restated as the period the user said (`restate_period`);
    the calls given where the user named a day."""
    if any(pattern.search(said) for pattern in _DAY_NAMED):
        return calls
    return map_values(calls, tools, lambda schema, name, value: restate_period(schema, name, value, said))


# What the --said-periods flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("a finished turn writes a date the model made up for a period the user named as they named "
             "it, e.g. \"next month\" or \"2021\" (a season) for 2019-03-01, where the description states no layout")
