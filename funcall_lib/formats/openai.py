"""OpenAI / TRL chat rows: `messages` with assistant `tool_calls` and `tools` of type function.

    {"messages": [{"role": "user", "content": "..."},
                  {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                   "function": {"name": "f", "arguments": "{\\"x\\": 1}"}}]},
                  {"role": "tool", "tool_call_id": "c1", "content": "..."}, ...],
     "tools": [{"type": "function", "function": {"name": "f", "parameters": {...}}}]}

One record per assistant turn that calls tools, the earlier turns as context. A conversation
with tools but no call gives one "call nothing" record (its first assistant reply as content).
"""

from __future__ import annotations

from funcall_lib.formats.common import ConvertError, as_dict_call, records_from_turns, require
from funcall_lib.records import normalize_tool


def detect(row: dict) -> bool:
    return "messages" in row and "answer" not in row and "conversations" not in row


def _message(m, i: int) -> dict:
    if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "tool"):
        raise ConvertError(f"message {i} has no valid role")
    out = {"role": m["role"], "content": m.get("content")}
    if isinstance(out["content"], list):  # content parts: keep the text ones
        out["content"] = "".join(p.get("text", "") for p in out["content"] if isinstance(p, dict))
    if m.get("tool_calls"):
        out["tool_calls"] = [as_dict_call(c.get("function", c) if isinstance(c, dict) else c,
                                          f"message {i} tool call") for c in m["tool_calls"]]
    for key in ("name", "tool_call_id"):
        if isinstance(m.get(key), str):
            out[key] = m[key]
    if out["role"] == "tool" and not isinstance(out["content"], str):
        import json

        out["content"] = json.dumps(out["content"], ensure_ascii=False)
    return out


def convert(row: dict, lineno: int) -> list[dict]:
    require(row, "messages")
    if not isinstance(row["messages"], list):
        raise ConvertError("'messages' is not a list")
    messages = [_message(m, i) for i, m in enumerate(row["messages"])]
    tools = [normalize_tool(t) for t in row.get("tools") or []]
    base = str(row.get("id", f"openai-{lineno}"))
    return records_from_turns(base, messages, tools, source="openai")
