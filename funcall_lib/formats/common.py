"""Helpers shared by the converters: safe literal parsing and record assembly.

Data literals are parsed with `json.loads`, then `ast.literal_eval` (Python literals with single
quotes and True/False/None, as some dataset dumps hold). `literal_eval` only builds literals;
nothing in the data is ever evaluated as code.
"""

from __future__ import annotations

import ast
import json

from funcall_lib.chat import DEFAULT_SYSTEM
from funcall_lib.records import infer_category, normalize_record


class ConvertError(ValueError):
    """One input row cannot be converted; the message is the reason (the driver adds file:line)."""


def loads_lenient(text: str, what: str = "value"):
    """JSON, else a Python literal (safely); raise ConvertError naming `what`."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        json_error = f"{exc.msg} at column {exc.colno}"
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ConvertError(f"{what} is neither JSON nor a Python literal ({json_error})") from None


def iter_json_objects(text: str, what: str = "value") -> list:
    """Several JSON values written one after another (e.g. one function per paragraph)."""
    decoder, out, i = json.JSONDecoder(), [], 0
    text = text.strip()
    while i < len(text):
        if text[i] in " \t\r\n,":
            i += 1
            continue
        try:
            value, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise ConvertError(f"{what}: not valid JSON ({exc.msg} at char {exc.pos})") from None
        out.append(value)
    return out


def require(obj: dict, *keys: str) -> None:
    missing = [k for k in keys if k not in obj]
    if missing:
        raise ConvertError(f"missing field(s) {missing}; has {sorted(obj)}")


def as_dict_call(obj, what: str = "tool call") -> dict:
    """A parsed call object -> {"name", "arguments"} (arguments parsed if given as text)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        raise ConvertError(f"{what} has no string 'name': {str(obj)[:80]}")
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        args = loads_lenient(args, f"arguments of {obj['name']!r}") if args.strip() else {}
    if not isinstance(args, dict):
        raise ConvertError(f"arguments of {obj['name']!r} are not an object")
    return {"name": obj["name"], "arguments": args}


def make_record(rid: str, messages: list[dict], tools: list[dict], calls: list[dict], *,
                source: str, content: str | None = None, extra_meta: dict | None = None) -> dict:
    """Assemble and normalise a record; category inferred from its shape."""
    if not messages or messages[0].get("role") != "system":
        messages = [{"role": "system", "content": DEFAULT_SYSTEM}] + list(messages)
    answer = {"tool_calls": calls}
    if content:
        answer["content"] = content
    rec = {"id": rid, "messages": messages, "tools": tools, "answer": answer}
    rec = normalize_record(rec, source=source)
    rec["meta"]["category"] = infer_category(rec)
    rec["meta"].update(extra_meta or {})
    return rec


def split_context(messages: list[dict]) -> list[tuple[list[dict], dict]]:
    """(context, assistant turn) for each assistant turn that calls tools.

    When no assistant turn calls a tool, the first assistant text turn is returned instead, as
    a "call nothing" example.
    """
    pairs = [(messages[:i], m) for i, m in enumerate(messages)
             if m["role"] == "assistant" and m.get("tool_calls")]
    if pairs:
        return pairs
    for i, m in enumerate(messages):
        if m["role"] == "assistant":
            return [(messages[:i], m)]
    return []


def records_from_turns(base_id: str, messages: list[dict], tools: list[dict], source: str,
                       extra_meta: dict | None = None) -> list[dict]:
    """One record per assistant tool-calling turn, earlier turns as context."""
    pairs = split_context(messages)
    if not pairs:
        raise ConvertError("no assistant turn in the conversation")
    if not tools and not pairs[0][1].get("tool_calls"):
        raise ConvertError("no tools offered and no tool called: not a function-calling example")
    out = []
    for k, (context, turn) in enumerate(pairs):
        if not any(m["role"] == "user" for m in context):
            raise ConvertError("an assistant turn comes before any user turn")
        calls = turn.get("tool_calls") or []
        rid = base_id if len(pairs) == 1 else f"{base_id}-t{k}"
        out.append(make_record(rid, context, tools, calls, source=source,
                               content=None if calls else turn.get("content"), extra_meta=extra_meta))
    return out
