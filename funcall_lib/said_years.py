"""Said years: a date the user said whole is written with the year they said.

Why: under a date parameter the fine-tuned 135M model copies the month and the day of a date
the user said and then writes a year of its own: "on March 17, 1915" becomes "2015-03-17" (BFCL
multiple 156, a year it has seen far more often), "on Jan 28, 2021" becomes "2811-01-28"
(simple_python 307: the day's digits run on into the year). The month and the day say which
of the user's dates the value is; a year nobody said is a slip, and the said one is the fix.

What it does, on a finished turn (`infer.generate` with `Nudges.said_years`; a free turn only
where it is exactly its calls, `infer.restate_turn`): each ISO date (YYYY-MM-DD, alone or
opening a date-time) in a string value whose month and day are those of exactly one date the
user said whole (month, day and year: "March 17, 1915", "17th of March 1915", "1915-03-17"),
and whose year the user never wrote, gets that date's year. A year the user wrote anywhere
("2021" beside another date) is a choice the rule leaves alone, and so is every date whose
month and day the user did not say with a year.
"""

from __future__ import annotations

import re
from datetime import date

from funcall_lib.stated_layouts import map_values

# January..December and their abbreviations (Sept too), lower case -> month number. Written out,
# not taken from `calendar`, whose names follow the machine's locale.
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")
_MONTHS = {**{name: number for number, name in enumerate(MONTH_NAMES, start=1)},
           **{name[:3]: number for number, name in enumerate(MONTH_NAMES, start=1)}, "sept": 9}


def month_pattern(group: str | None = None) -> str:
    """A regular expression for a month's name or abbreviation ("March", "Mar.", "Sept"),
    captured as `group` where one is named."""
    names = "|".join(sorted(_MONTHS, key=len, reverse=True))
    return (f"(?P<{group}>{names})" if group else f"(?:{names})") + r"\.?"


_MONTH = month_pattern("month")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_SAID_DATE = [re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),            # March 17, 1915
              re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),  # 17th of March 1915
              re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")]           # 1915-03-17
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?=$|[T ])")


def said_dates(text: str) -> list[date]:
    """The whole dates (month, day and year) the user's words `text` say, in the order said."""
    found = []
    for pattern in _SAID_DATE:
        for match in pattern.finditer(text):
            month = match["month"]
            number = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
            try:
                found.append((match.start(), date(int(match["year"]), number, int(match["day"]))))
            except ValueError:  # "February 30, 2021" says no date
                continue
    return [day for _, day in sorted(found)]


def restate_year(value, said: str, dates: list[date]):
    """`value` with the year of its ISO date replaced by the said one (see the module's
    docstring); any other value, or one the rule does not apply to, as it is."""
    if not isinstance(value, str):
        return value
    match = _ISO_DATE.match(value)
    if not match or re.search(rf"\b{match[1]}\b", said):
        return value
    month, day = int(match[2]), int(match[3])
    same_day = {d.year for d in dates if (d.month, d.day) == (month, day)}
    if len(same_day) != 1:
        return value
    return f"{same_day.pop():04d}{value[4:]}"


def restate_years(calls: list[dict], tools: list[dict], said: str) -> list[dict]:
    """The calls with each date's year restated as the user said it (`restate_year`); the calls
    given where the user said no whole date."""
    dates = said_dates(said)
    if not dates:
        return calls
    return map_values(calls, tools, lambda schema, name, value: restate_year(value, said, dates))


# What the --said-years flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("a finished turn writes a date whose month and day the user said with a year, and whose "
             "year they never wrote, with their year, e.g. 2015-03-17 for \"March 17, 1915\"")
