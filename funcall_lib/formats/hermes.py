"""NousResearch hermes-function-calling-v1 rows -> records.

    {"id": "...", "conversations": [
       {"from": "system", "value": "... <tools> [{'type': 'function', 'function': {...}}] </tools> ..."},
       {"from": "human", "value": "..."},
       {"from": "gpt", "value": "<tool_call>\\n{'arguments': {...}, 'name': 'f'}\\n</tool_call>"},
       {"from": "tool", "value": "<tool_response>\\n{...}\\n</tool_response>"},
       {"from": "gpt", "value": "..."}]}

Tools sit inside <tools>...</tools> in the system turn, as JSON or as a Python literal (single
quotes, True/False); calls are objects inside <tool_call>...</tool_call>, possibly several per
turn. The system text itself only restates the tool protocol, which our template writes again,
so it is replaced by the default system prompt. One record per assistant turn that calls tools.
"""

from __future__ import annotations

import re
from pathlib import Path

from funcall_lib.formats.common import (ConvertError, as_dict_call, iter_json_objects, loads_lenient,
                                        records_from_turns, require)
from funcall_lib.records import normalize_tool

_ROLES = {"system": "system", "human": "user", "user": "user", "gpt": "assistant",
          "assistant": "assistant", "tool": "tool", "function": "tool", "observation": "tool"}
_TOOLS_RE = re.compile(r"<tools>(.*?)</tools>", re.S)
_CALL_RE = re.compile(r"<tool_call>(.*?)</tool_call>", re.S)
_RESPONSE_RE = re.compile(r"<tool_response>(.*?)</tool_response>", re.S)


def detect(row: dict) -> bool:
    return isinstance(row.get("conversations"), list)


def parse_tools(system_text: str) -> list[dict]:
    """The tools listed in a system turn (JSON or Python literal; a list or one per line)."""
    # The protocol text often says "within <tools> </tools> XML tags" before the real block.
    blocks = [b.strip() for b in _TOOLS_RE.findall(system_text or "") if b.strip()]
    if not blocks:
        return []
    body = blocks[-1]
    try:
        value = loads_lenient(body, "<tools> block")
    except ConvertError:
        value = iter_json_objects(body, "<tools> block")
    items = value if isinstance(value, list) else [value]
    tools = [normalize_tool(t) for t in items]
    for t in tools:
        if not isinstance(t, dict) or not isinstance(t.get("name"), str):
            raise ConvertError(f"<tools> entry without a name: {str(t)[:80]}")
    return tools


def _assistant(text: str, i: int) -> dict:
    calls = [as_dict_call(loads_lenient(seg.strip(), f"turn {i} <tool_call>"), f"turn {i} tool call")
             for seg in _CALL_RE.findall(text)]
    if "<tool_call>" in text and len(calls) != text.count("<tool_call>"):
        raise ConvertError(f"turn {i}: unclosed <tool_call>")
    content = _CALL_RE.sub("", text).strip()
    msg = {"role": "assistant", "content": content}
    if calls:
        msg["tool_calls"] = calls
    return msg


def _messages(turns: list) -> tuple[list[dict], list[dict]]:
    tools, messages = [], []
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict) or turn.get("from") not in _ROLES:
            raise ConvertError(f"turn {i} has no known 'from' (system/human/gpt/tool)")
        role, text = _ROLES[turn["from"]], str(turn.get("value") or "")
        if role == "system":
            tools += parse_tools(text)
        elif role == "assistant":
            messages.append(_assistant(text, i))
        elif role == "tool":
            responses = _RESPONSE_RE.findall(text) or [text]
            messages += [{"role": "tool", "content": r.strip()} for r in responses]
        else:
            messages.append({"role": "user", "content": text})
    return tools, messages


def convert(row: dict, lineno: int) -> list[dict]:
    require(row, "conversations")
    tools, messages = _messages(row["conversations"])
    base = f"hermes-{row.get('id', lineno)}"
    extra = {k: row[k] for k in ("category", "subcategory", "task") if isinstance(row.get(k), str)}
    return records_from_turns(base, messages, tools, source="hermes",
                              extra_meta={f"hermes_{k}": v for k, v in extra.items()})


HUB_REPO = "NousResearch/hermes-function-calling-v1"


def download(filename: str = "func-calling-singleturn.json") -> Path:
    """Fetch one file of Hermes v1 from the Hub (online only; cached by huggingface_hub).

    Raises RuntimeError with the reason when offline (HF_HUB_OFFLINE=1) or unreachable, so a
    notebook can print a clear skip.
    """
    import os

    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        raise RuntimeError("HF_HUB_OFFLINE is set: skipping the Hub download")
    from huggingface_hub import hf_hub_download

    try:
        return Path(hf_hub_download(HUB_REPO, filename, repo_type="dataset"))
    except Exception as exc:  # network, auth, missing file: all mean "not available here"
        raise RuntimeError(f"cannot download {HUB_REPO}/{filename}: {type(exc).__name__}: {exc}") from None
