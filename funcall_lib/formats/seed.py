"""The guide's record shape (`answer.tool_call`, a single call) and canonical records.

Both are near-canonical: `normalize_record` does the work (single call -> list, OpenAI-wrapped
tools unwrapped, JSON-string arguments parsed, category inferred when `meta` is missing).
"""

from __future__ import annotations

from funcall_lib.formats.common import ConvertError, require
from funcall_lib.records import normalize_record


def detect(row: dict) -> bool:
    return "messages" in row and "answer" in row


def convert(row: dict, lineno: int) -> list[dict]:
    require(row, "messages", "answer")
    if not isinstance(row["answer"], dict):
        raise ConvertError("'answer' is not an object")
    return [normalize_record(row, default_id=f"seed-{lineno}", source="seed")]
