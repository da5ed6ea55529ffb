"""Lift keys: an argument written inside a nested object, where the object's schema does not
name it and the level above does, is moved up to where its schema puts it.

Why: decoding free, the fine-tuned 135M model often forgets to close a nested object before
the arguments that follow it: `schedule_viewing(address={"street": "48 King Street", "city":
"Dublin", "date": "2026-10-28", "time": "22:30"})` where `date` and `time` are the tool's own
parameters, not the address's (8 of the unseen-tools records that pass with the grammar fail
so without it, quality run 30). The values are right and only the closing brace is late; the
grammar never lets it happen, as the object's schema has no such keys. It is a repair of the
form, like the JSON repair that free decoding already gets (`tool_calls.parse_tool_calls`).

What it does, on a finished turn (`infer.generate` with `Nudges.lift_keys`; a free turn only
where it is exactly its calls, `infer.restate_turn`): in each call of an offered tool, a key of
an object argument (at any depth) that the object's own schema does not name, and the schema
of the level above names but the call does not yet hold there, moves up one level, with its
value. Objects in lists stay as they are (which item's level a key came from is unknown), and
so does a key that the level above already holds.
"""

from __future__ import annotations

from funcall_lib.infer import tool_parameters


def lift(arguments: dict, schema: dict) -> dict:
    """`arguments` (an object under `schema`) with the keys its object-valued members hold but
    only `schema` names moved up to it, deepest first; the arguments given where none moves."""
    props = schema.get("properties") or {}
    lifted = dict(arguments)
    for key, value in arguments.items():
        member = props.get(key) or {}
        if member.get("type") != "object" or not isinstance(value, dict):
            continue
        inner, named = lift(value, member), member.get("properties") or {}
        moving = {k: v for k, v in inner.items() if k not in named and k in props and k not in lifted}
        lifted[key] = {k: v for k, v in inner.items() if k not in moving}
        lifted.update(moving)
    return lifted if lifted != arguments else arguments


def lift_keys(calls: list[dict], tools: list[dict]) -> list[dict]:
    """The calls with each misplaced key moved up (`lift`); calls of tools not offered, and the
    calls given where nothing moves, as they are."""
    by_name = tool_parameters(tools)
    lifted = [{**call, "arguments": lift(call["arguments"], by_name[call["name"]])}
              if call.get("name") in by_name and isinstance(call.get("arguments"), dict) else call
              for call in calls]
    return calls if lifted == calls else lifted


# What the --lift-keys flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("a finished turn moves an argument written inside an object argument, whose schema does not "
             "name it, up to the level whose schema does, e.g. address={..., \"date\": ...} -> date=...")
