"""Said options: an optional parameter left out of a call, whose own options hold exactly one
word the user said, is written with it.

Why: the fine-tuned 135M model often closes a call before an optional parameter that the
request does set through one of the parameter's enum values: "the best transit route from
Berlin to Marrakesh" gets `get_directions(origin=..., destination=...)` without
`mode="transit"` (two of our `test` records), "important Wars in European history" without
`category="Wars"`, "a small green bird" without `size="small"` (BFCL simple_python 234, 67),
"the structural dynamic analysis" without `mode="dynamic"` where the description reads "Mode
of analysis, e.g. 'static' or 'dynamic'. Default is 'static'." (simple_python 271). The option
bias (`option_bias`) leans toward writing such a parameter while decoding and still loses
these. An option said in the request is a choice the user made; the schema names the parameter
it belongs to.

What it does, on a finished turn (`infer.generate` with `Nudges.said_options`; a free turn only
where it is exactly its calls, `infer.restate_turn`), in a turn of exactly one call of an
offered tool: each optional top-level parameter the call leaves out gets the one option of its
own said in the user's words (case aside, as a whole word or phrase), in the parameter's
spelling. Its options are its enum of strings; for a list, its items' enum, and then every
option said, as a list; for a string without an enum, the values its description quotes as
examples, less the default (`option_bias.stated_examples`). A value the call already holds in
another argument, or one that two left-out parameters both offer, is no choice for either. A
turn of several calls stays as it is: which of its calls a said option belongs to is the
request's to say (its first form, enums only, over every call broke 5 turns of several calls
of quality run 31's outputs).
"""

from __future__ import annotations

import re

from funcall_lib.infer import tool_parameters
from funcall_lib.option_bias import stated_examples


def _said(value: str, text: str) -> bool:
    """Whether `text` holds `value` as a whole word or phrase, case aside."""
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text, re.IGNORECASE) is not None


def options(member: dict) -> tuple[list[str], bool]:
    """The values a parameter offers, and whether it takes a list of them: its enum, its items'
    enum (a list), or for a string without one, the values its description quotes as examples
    (`option_bias.stated_examples`: "e.g. 'static' or 'dynamic'", the default aside)."""
    items = member.get("items") if isinstance(member.get("items"), dict) else {}
    if member.get("enum"):
        values, many = member["enum"], False
    elif member.get("type") == "array" and items.get("enum"):
        values, many = items["enum"], True
    elif member.get("type") == "string":
        values, many = stated_examples(member.get("description") or ""), False
    else:
        values, many = [], False
    return [v for v in values if isinstance(v, str) and v.strip()], many


def said_options(arguments: dict, schema: dict, said: str) -> dict:
    """`arguments` with each left-out optional parameter set to the one option of its own
    (`options`) that the user's words `said` hold, every one for a list (see the module's
    docstring); the arguments given where none is added."""
    props, required = schema.get("properties") or {}, set(schema.get("required") or [])
    held = {value.lower() for value in arguments.values() if isinstance(value, str)}
    choices, lists = {}, set()
    for name, member in props.items():
        if name in arguments or name in required or not isinstance(member, dict):
            continue
        values, many = options(member)
        choices[name] = [v for v in values if v.lower() not in held and _said(v, said)]
        if many:
            lists.add(name)
    claimed = [v.lower() for found in choices.values() for v in found]
    added = {}
    for name, found in choices.items():
        if not found or any(claimed.count(v.lower()) > 1 for v in found):
            continue
        if name in lists:
            added[name] = found
        elif len(found) == 1:
            added[name] = found[0]
    return {**arguments, **added} if added else arguments


def restate_options(calls: list[dict], tools: list[dict], said: str) -> list[dict]:
    """The one call of a turn with its said options written (`said_options`); a turn of several
    calls, or of a tool not offered, as it is."""
    if len(calls) != 1 or not isinstance(calls[0].get("arguments"), dict):
        return calls
    by_name = tool_parameters(tools)
    call = calls[0]
    if call.get("name") not in by_name:
        return calls
    arguments = said_options(call["arguments"], by_name[call["name"]], said)
    return calls if arguments is call["arguments"] else [{**call, "arguments": arguments}]


# What the --said-options flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("a finished turn of one call writes an optional parameter it left out whose options (its enum, "
             "or the examples its description quotes) hold exactly one word the user said, e.g. "
             "mode=\"transit\" for \"the best transit route\"")
