"""Drop doubled: a call that writes a value the user said once into two of its arguments is
dropped, where another call of the same tool in the turn does not.

Why: asked for one thing, the fine-tuned 135M model often writes two calls of the tool, one
right and one that reads a value twice: "a right-angled triangle given ... base and height as
6cm and 10cm" gets `calculate_area(base=6, height=6)`, then `(base=6, height=10)` (BFCL
simple_python 10); a t-test gets a call with group2's numbers for both groups after the right
one (simple_python 123); "the time difference between New York and Tokyo, ..." gets one more
call `(city_1="Tokyo", city_2="Tokyo")` (parallel_multiple 56). A value the user said once
fills one slot; the call that puts it in two is the misreading, and the turn already holds a
call of that tool that does not.

What it does, on a finished turn (`infer.generate` with `Nudges.drop_doubled`; a free turn
only where it is exactly its calls, `infer.restate_turn`): a call is doubled where one value
(a string or a number, in a list or an object too) is written in two or more of its top-level
arguments and the user said it exactly once (`said_times`: a number in digits or, from 1 to 12,
as a word, "twice" included; a string as written, case aside). Doubled calls are dropped where
the turn has a call of the same tool that is not doubled; a turn whose calls of a tool are all
doubled keeps them (dropping every call would answer nothing). A value the user said twice
("from Paris to Paris"), or never (the model's own default), counts for nothing.
"""

from __future__ import annotations

import json
import re

from funcall_lib.synth_values import NUMBER_WORDS

# Small whole numbers as the user may say them, so that "roll a 2 twice" says 2 twice: the number
# words the generator writes (1 to 12) and the adverbs of 1 to 3.
_ADVERBS = {1: "once", 2: "twice", 3: "thrice"}
_SAID_AS = {n: (NUMBER_WORDS[n], *((_ADVERBS[n],) if n in _ADVERBS else ())) for n in range(1, len(NUMBER_WORDS))}


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def said_times(value, said: str) -> int:
    """How many times the user's words `said` hold `value`: a string as written (case aside), a
    number in digits as a number of its own ("12,000" holds 12000, "2.5" holds no 5), or from 1 to
    12 as a word ("two", "twice")."""
    if isinstance(value, str):
        return said.lower().count(value.lower()) if value.strip() else 0
    digits = _number_text(value)
    times = len(re.findall(rf"(?<![\d.]){re.escape(digits)}(?![\d]|\.\d)", said.replace(",", "")))
    words = _SAID_AS.get(int(value), ()) if float(value).is_integer() else ()
    return times + sum(len(re.findall(rf"\b{word}\b", said, re.IGNORECASE)) for word in words)


def _scalars(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        yield value


def is_doubled(call: dict, said: str) -> bool:
    """Whether the call writes one value the user said once into two or more of its arguments."""
    arguments = call.get("arguments")
    if not isinstance(arguments, dict):
        return False
    per_argument = [{json.dumps(v) for v in _scalars(value)} for value in arguments.values()]
    seen = [key for keys in per_argument for key in keys]
    return any(seen.count(key) >= 2 and said_times(json.loads(key), said) == 1 for key in set(seen))


def drop_doubled(calls: list[dict], said: str) -> list[dict]:
    """The calls without each doubled one (`is_doubled`) whose tool the turn also calls
    undoubled; the calls given, where none is dropped."""
    doubled = [is_doubled(call, said) for call in calls]
    clean_tools = {call.get("name") for call, d in zip(calls, doubled) if not d}
    kept = [call for call, d in zip(calls, doubled) if not (d and call.get("name") in clean_tools)]
    return calls if len(kept) == len(calls) else kept


# What the --drop-doubled flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("a finished turn drops a call that writes a value the user said once into two of its "
             "arguments, where the turn also calls that tool without doing so, e.g. "
             "calculate_area(base=6, height=6) beside (base=6, height=10)")
