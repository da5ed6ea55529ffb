"""glaive-function-calling-v2 rows -> records.

    {"system": "SYSTEM: You are a helpful assistant with access to the following functions.
                Use them if required -\\n{\\n  \\"name\\": \\"f\\", ...}\\n\\n{...}",
     "chat": "USER: ...\\n\\n\\nASSISTANT: <functioncall> {\\"name\\": \\"f\\",
              \\"arguments\\": '{\\"x\\": 1}'} <|endoftext|>\\n\\n\\nFUNCTION RESPONSE: {...}\\n\\n\\n
              ASSISTANT: ... <|endoftext|>"}

Functions follow "Use them if required -" as JSON objects one after another. A call's arguments
are JSON text wrapped in single quotes (not valid JSON as a whole), so the call is split with a
pattern and the inner text parsed as JSON. Rows with functions but no call become "call nothing"
records: glaive's polite refusals are good irrelevance examples.
"""

from __future__ import annotations

import json
import re

from funcall_lib.formats.common import (ConvertError, as_dict_call, iter_json_objects, loads_lenient,
                                        records_from_turns, require)

_MARKER = "Use them if required -"
_TURN_RE = re.compile(r"(?:^|\n)\s*(USER|ASSISTANT|FUNCTION RESPONSE):", re.S)
_CALL_RE = re.compile(r"<functioncall>\s*(.*?)\s*(?:<\|endoftext\|>|$)", re.S)
_QUOTED_ARGS_RE = re.compile(r"""^\{\s*"name"\s*:\s*"([^"]+)"\s*,\s*"arguments"\s*:\s*'(.*)'\s*\}$""", re.S)


def detect(row: dict) -> bool:
    return "chat" in row and "system" in row


def parse_functions(system: str) -> list[dict]:
    if _MARKER not in system:
        return []
    tools = iter_json_objects(system.split(_MARKER, 1)[1], "functions in 'system'")
    for t in tools:
        if not isinstance(t, dict) or not isinstance(t.get("name"), str):
            raise ConvertError(f"function without a name in 'system': {str(t)[:80]}")
    return [{"name": t["name"], "description": str(t.get("description") or ""),
             "parameters": t.get("parameters") or {"type": "object", "properties": {}}} for t in tools]


def parse_call(text: str) -> dict:
    """'{"name": "f", "arguments": '{"x": 1}'}' -> {"name": "f", "arguments": {"x": 1}}."""
    match = _QUOTED_ARGS_RE.match(text.strip())
    if match:
        try:
            return {"name": match.group(1), "arguments": json.loads(match.group(2))}
        except json.JSONDecodeError as exc:
            raise ConvertError(f"<functioncall> arguments are not JSON ({exc.msg})") from None
    return as_dict_call(loads_lenient(text, "<functioncall>"), "<functioncall>")


def _messages(chat: str) -> list[dict]:
    parts = _TURN_RE.split(chat)
    messages = []
    for role, text in zip(parts[1::2], parts[2::2]):
        text = text.replace("<|endoftext|>", "").strip()
        if role == "USER":
            messages.append({"role": "user", "content": text})
        elif role == "FUNCTION RESPONSE":
            messages.append({"role": "tool", "content": text})
        elif "<functioncall>" in text:
            call_text = _CALL_RE.search(text).group(1)
            content = text.split("<functioncall>", 1)[0].strip()
            messages.append({"role": "assistant", "content": content,
                             "tool_calls": [parse_call(call_text)]})
        else:
            messages.append({"role": "assistant", "content": text})
    if not messages:
        raise ConvertError("'chat' has no USER:/ASSISTANT: turns")
    return messages


def convert(row: dict, lineno: int) -> list[dict]:
    require(row, "system", "chat")
    tools = parse_functions(str(row["system"]))
    return records_from_turns(f"glaive-{lineno}", _messages(str(row["chat"])), tools, source="glaive")
