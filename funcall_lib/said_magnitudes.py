"""Said magnitudes: a number the user said with a scale word ("$50 million", "1.3 billion") and
the model wrote at another power of ten is written as said, once the turn is done.

Why: our fine-tuned 135M model writes the digits of "50 million" right and their count wrong.
With run 27's decoding it wrote 5000000000 for "total dividend payout of 50 million USD" and
1000000000 for "100 million outstanding shares" (BFCL simple_python 128, multiple 127),
85000000 for "8.5 million square kilometers" (simple_python 65), and on our own unseen tools
4264000 for "426.4 million km" and 1800000 for "18 million km". The number is the user's; only
its zeros are not, and the scale word says how many there are.

What it does, on a finished turn (`infer.generate` with `Nudges.said_magnitudes`; a free turn
only where it is exactly its calls, `infer.restate_turn`):
each number or integer argument (in lists and nested objects too) that is not a number the user
wrote (as digits, or scaled: "426.4 million" is 426400000) but is one of their scaled numbers
times 10, 100 or 1000, or divided by one of them, becomes that scaled number, where exactly one
of them fits. Only numbers said with a scale word count (`said_magnitudes`): a number with a
unit ("4749 m" written 4.749 under a parameter in kilometres, "3763 kHz" written 3763000 in
hertz) is a conversion the model may rightly make; a replay of the same rule over every number
the user wrote broke 7 such records while fixing 6.
"""

from __future__ import annotations

import math
import re

from funcall_lib.stated_layouts import map_values

SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_SCALED = re.compile(rf"(?<![\d.])({_NUMBER})\s*({'|'.join(SCALES)})\b", re.IGNORECASE)
_PLAIN = re.compile(rf"(?<![\d.]){_NUMBER}")
_MAX_SHIFT = 3      # the powers of ten a wrong count of zeros is taken to be off by


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:       # "1,2,3" reads as no number
        return None


def said_magnitudes(text: str) -> list[float]:
    """The numbers the user said with a scale word: "$50 million and 1.3 billion" -> [5e7, 1.3e9]."""
    found = ((_number(digits), word) for digits, word in _SCALED.findall(text or ""))
    return [value * SCALES[word.lower()] for value, word in found if value]


def said_numbers(text: str) -> list[float]:
    """Every number the user wrote, as digits and, where a scale word follows, scaled too."""
    plain = [n for n in (_number(digits) for digits in _PLAIN.findall(text or "")) if n is not None]
    return plain + said_magnitudes(text)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9)


def restate_magnitude(value, magnitudes: list[float], numbers: list[float]):
    """`value` as the one scaled number of the user's (`magnitudes`) it is off from by a power of
    ten (10 to 1000 times too large or too small); as it is where it is a number the user wrote
    (`numbers`), fits none, or fits more than one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value:
        return value
    if any(_same(value, n) for n in numbers):
        return value
    fits = {m for m in magnitudes
            if any(_same(value, m * 10.0 ** shift) for shift in range(-_MAX_SHIFT, _MAX_SHIFT + 1) if shift)}
    if len(fits) != 1:
        return value
    meant = fits.pop()
    return int(meant) if isinstance(value, int) and float(meant).is_integer() else meant


def restate_magnitudes(calls: list[dict], tools: list[dict], said: str) -> list[dict]:
    """The calls with each number argument that is one of the user's scaled numbers at another
    power of ten written as the user said it; everything else as it is."""
    magnitudes = said_magnitudes(said)
    if not magnitudes:
        return calls
    numbers = said_numbers(said)

    def visit(schema, name, value):
        if schema.get("type") not in ("number", "integer"):
            return value
        return restate_magnitude(value, magnitudes, numbers)

    return map_values(calls, tools, visit)


# What the --said-magnitudes flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("a finished turn gets a number the user said with a scale word ('$50 million') and "
             "the model wrote at another power of ten (5000000000) as said (50000000)")
