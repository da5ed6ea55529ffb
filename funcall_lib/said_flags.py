"""Said flags: a boolean parameter written as the user's words say it, once the turn is done.

Why: our fine-tuned 135M model writes `false`, or nothing, for a flag the request plainly asks
for. With run 27's decoding it wrote `"direct_flight": false` for "Book a direct flight from San
Francisco to London" and `"garden": false` for "Design a house with 3 bedrooms, 2 bathrooms and
a garden", and left out `equal_variance` for "... assuming equal variance" and `include_owner`
for "Include owners information in the response". Every BFCL record it failed on a wrong
boolean value had `false` where the answer is `true`. Under the grammar the value is one token,
the model's prior for `false` wins, and nothing later in the turn depends on it; the user's
words settle it.

What it does, on a finished turn (`infer.generate` with `Nudges.said_flags`; a free turn only
where it is exactly its calls, `infer.restate_turn`), for each boolean parameter directly in a
called tool's arguments: where the request says the flag
(`flag_said`), its value is written so, in place of the model's or added where the call left it
out (in the schema's order, as the grammar writes keys). Said means: the parameter's name, read
as words (`option_bias.name_words`: "direct_flight" is "direct flight", "include_owner" is
"owner", "fullName" is "full"), occurs in the request with its words side by side and in order,
each the same as a word of the request or sharing its stem ("owner" ~ "owners"). A mention with
a negation among the three words before it ("Don't return full text", "without a garden",
"isn't closed") says false; the flag is true where any mention is plain, false where every one
is negated.

Left alone: a flag the request does not name, whatever the model wrote (it reads synonyms the
matching does not: "its statistics" for `include_stats`, "toll roads avoided" for `avoid_tolls`,
"the curved side only" for `lateral_only`; writing the stated default there instead broke 5
records that passed), and a flag the turn's calls of one tool write differently (one with it,
one without, or true and false: "as a formatted string as well as an array" is one call of each;
"Mars including its moons ... and Saturn" names moons for two of three calls).

Matching the name as a phrase, not word by word, is the line between "a direct flight"
(direct_flight: true) and "in second class" (first_class: the word "class" alone must not set
it), or "a one-way trip" (round_trip).
"""

from __future__ import annotations

from funcall_lib.infer import tool_parameters
from funcall_lib.option_bias import name_words, text_words, words_match

# Words that deny what follows within `_NEGATION_REACH` words. "t" is what "don't", "isn't",
# "can't" leave after `text_words` splits them.
NEGATIONS = frozenset("no not t without never nor non neither except excluding exclude skip skipping "
                      "ignore ignoring omit omitting cannot dont".split())
_NEGATION_REACH = 3
_LEFT_OUT = object()


def flag_said(name: str, text: str) -> bool | None:
    """True where the request `text` names the flag `name` plainly, False where its every mention
    is negated, None where it does not name it (see the module docstring)."""
    words, phrase = text_words(text), name_words(name)
    if not phrase:
        return None
    found = []
    for start in range(len(words) - len(phrase) + 1):
        if all(words_match(w, words[start + k]) for k, w in enumerate(phrase)):
            found.append(not NEGATIONS.intersection(words[max(0, start - _NEGATION_REACH):start]))
    return any(found) if found else None


def _flags(parameters: dict) -> list[str]:
    """The boolean parameters directly in a tool's arguments, in the schema's order."""
    properties = parameters.get("properties")
    return [name for name, schema in (properties.items() if isinstance(properties, dict) else ())
            if isinstance(schema, dict) and schema.get("type") == "boolean"]


def _varied(calls: list[dict], tool: str, name: str) -> bool:
    """Do the turn's calls of `tool` write the flag `name` in more than one way (left out counts
    as a way)?"""
    ways = {repr(c["arguments"].get(name, _LEFT_OUT)) for c in calls
            if c.get("name") == tool and isinstance(c.get("arguments"), dict)}
    return len(ways) > 1


def _in_schema_order(arguments: dict, parameters: dict) -> dict:
    order = list(parameters.get("properties") or {})
    place = {key: order.index(key) if key in order else len(order) for key in arguments}
    return {key: arguments[key] for key in sorted(arguments, key=place.get)}


def restate_flags(calls: list[dict], tools: list[dict], said: str) -> list[dict]:
    """The calls with each boolean parameter the user `said` (`flag_said`) written as they said
    it, added where a call left it out; every other value, calls of tools not offered, and the
    calls given, as they are."""
    by_name = tool_parameters(tools)
    out = []
    for call in calls:
        tool, arguments = call.get("name"), call.get("arguments")
        if tool not in by_name or not isinstance(arguments, dict):
            out.append(call)
            continue
        restated = dict(arguments)
        for name in _flags(by_name[tool]):
            value = flag_said(name, said)
            writable = isinstance(restated.get(name, False), bool) and not _varied(calls, tool, name)
            if value is not None and writable:
                restated[name] = value
        if restated.keys() != arguments.keys():
            restated = _in_schema_order(restated, by_name[tool])
        out.append({**call, "arguments": restated})
    return out


# What the --said-flags flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("a finished turn gets a boolean parameter true where the request names it ('a direct "
             "flight': direct_flight) and false where it denies it ('don't return full text')")
