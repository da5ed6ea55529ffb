"""Rate fractions: a rate whose description states no form takes "5%" as 0.05.

Why: `stated_percents` writes a percentage in the form a description states, and leaves alone
every parameter whose description says neither ("The annual interest rate."). There the form is
a convention, and the convention of the formulas these tools wrap is the fraction: compound
interest is P(1 + r)^n with r = 0.05, as numpy-financial's `fv(rate=0.05, ...)` and a
spreadsheet's FV take it. BFCL's answers follow it. Our fine-tuned 135M model writes the
percent itself: 3 for "an annual interest rate of 3%" (BFCL simple_python 150, 153), 8 for "an
annual rate of return of 8%" (multiple 132), 4 and 7 in three parallel records. Our own
generator marks the form of every percentage parameter, so the model never saw the unmarked
case in training and its 3 is a guess, not a reading.

What it does, on a finished turn (`infer.generate` with `Nudges.rate_fractions`; a free turn
only where it is exactly its calls, `infer.restate_turn`): for each number-typed argument (an
integer cannot hold a fraction) whose description states no form (`stated_percents.
percent_form` is None) and whose name says it is a rate (a word of it is "rate", "return",
"yield" or "interest": `interest_rate`, `rate_of_return`, `annual_return`), a value that is a
percentage the user wrote ("3%", "3 percent") is written as its fraction. Nothing else: not a
parameter named otherwise ("duration" is 5 for "5 years" beside "5%"; "efficiency" and
"discount" are said in both forms by real APIs), not a value that is also the fraction of
another of the user's percentages, not a description that states the percent ("Rate in %").
"""

from __future__ import annotations

from funcall_lib.option_bias import name_words
from funcall_lib.stated_layouts import map_values
from funcall_lib.stated_percents import percent_form, restate_percent, said_percents

# The words that make a parameter name a rate (its content words, as `option_bias.name_words`
# splits "rateOfReturn" or "annual_interest_rate").
RATE_WORDS = frozenset({"rate", "rates", "return", "returns", "yield", "interest"})


def is_unmarked_rate(name: str, schema: dict) -> bool:
    """Whether a parameter is a number whose name says rate and whose description states no
    form for a percentage."""
    return (schema.get("type") == "number" and bool(RATE_WORDS.intersection(name_words(name)))
            and percent_form(schema.get("description", "")) is None)


def restate_rates(calls: list[dict], tools: list[dict], said: str) -> list[dict]:
    """The calls with each unmarked rate that is a percentage the user `said` written as its
    fraction (`is_unmarked_rate`); everything else, and the calls given, as they are."""
    percents = said_percents(said)
    if not percents:
        return calls

    def visit(schema, name, value):
        return restate_percent(value, "fraction", percents) if is_unmarked_rate(name, schema) else value

    return map_values(calls, tools, visit)


# What the --rate-fractions flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("a finished turn gets a percentage the user said as its fraction under a number "
             "parameter named as a rate whose description states no form, e.g. 0.05 for '5 percent' under "
             "'The annual interest rate.'")
