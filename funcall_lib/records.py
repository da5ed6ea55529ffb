"""The canonical record: its JSON Schema, normalisation of near-canonical input, validation.

A record is one JSON object per line (see ARCHITECTURE.md): `id`, `messages` (the conversation
before the answer), `tools` (plain function schemas whose `parameters` is a draft 2020-12 object
schema), `answer` (`tool_calls`: a list, `[]` meaning "call nothing"; optional `content`) and
`meta` (`source`, `category`).

Gold alternatives (BFCL style). A gold call may carry `alternatives`: a map from argument name to
the list of acceptable values for that argument; the empty string `""` in a list means "may be
omitted". When `alternatives` is present it names every argument the call may carry (an argument
not listed there is not expected), and `arguments` holds one representative call (the first
acceptable value other than `""` of each argument, left out when `""` is all there is), so the
record still renders and trains like any other. Without `alternatives`, `arguments` is the only
acceptable value set. Validation asks that `arguments` fit the tool schema and that each argument
has at least one alternative that does. Matching rules live in `matching.py` / `evaluate.py`.

    {"name": "math.hypot", "arguments": {"x": 4, "y": 5, "z": 0},
     "alternatives": {"x": [4], "y": [5], "z": ["", 0]}}

Nesting (as BFCL writes it): inside an alternative value, an object is itself an alternatives map
(each key -> its list of acceptable values, "" = may be omitted), also for objects inside lists.
`representative(value)` turns such a value into the plain value `arguments` holds.

Validation never drops a record: `validate_record` returns reasons and callers decide.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Iterable

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

CATEGORIES = ("simple", "multiple", "parallel", "parallel_multiple", "irrelevance", "multi_turn")

_CALL = {
    "type": "object",
    "required": ["name", "arguments"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "arguments": {"type": "object"},
        "alternatives": {"type": "object", "additionalProperties": {"type": "array", "minItems": 1}},
    },
    "additionalProperties": False,
}

RECORD_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "funcall canonical record",
    "type": "object",
    "required": ["id", "messages", "tools", "answer", "meta"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "messages": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object", "required": ["role"],
                "properties": {
                    "role": {"enum": ["system", "user", "assistant", "tool"]},
                    "content": {"type": ["string", "null"]},
                    "tool_calls": {"type": "array", "items": _CALL},
                    "name": {"type": "string"},
                    "tool_call_id": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "tools": {
            "type": "array",
            "items": {
                "type": "object", "required": ["name", "parameters"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "description": {"type": "string"},
                    "parameters": {"type": "object"},
                },
                "additionalProperties": False,
            },
        },
        "answer": {
            "type": "object", "required": ["tool_calls"],
            "properties": {"tool_calls": {"type": "array", "items": _CALL},
                           "content": {"type": ["string", "null"]}},
            "additionalProperties": False,
        },
        "meta": {
            "type": "object", "required": ["source", "category"],
            "properties": {"source": {"type": "string"}, "category": {"enum": list(CATEGORIES)}},
        },
    },
    "additionalProperties": False,
}

_RECORD_VALIDATOR = Draft202012Validator(RECORD_SCHEMA)
_FORMATS = FormatChecker()


class RecordError(ValueError):
    """A record is malformed; the message names file:line (or id) and the reason."""


# ---------------------------------------------------------------- normalisation

def _parse_arguments(args):
    """Arguments given as a JSON string (OpenAI style) become an object; anything else is kept."""
    if isinstance(args, str):
        try:
            return json.loads(args) if args.strip() else {}
        except json.JSONDecodeError:
            return args  # left as is: validation reports it
    return {} if args is None else args


def normalize_call(call) -> dict:
    """{"type": "function", "function": {...}} or {"name", "arguments": "<json>"} -> plain call."""
    if not isinstance(call, dict):
        return call
    inner = call.get("function") if isinstance(call.get("function"), dict) else call
    out = {"name": inner.get("name"), "arguments": _parse_arguments(inner.get("arguments",
                                                                               inner.get("parameters")))}
    if "alternatives" in call:
        out["alternatives"] = call["alternatives"]
    return out


def normalize_tool(tool) -> dict:
    """Unwrap OpenAI-style {"type": "function", "function": {...}}; default empty parameters."""
    if not isinstance(tool, dict):
        return tool
    if tool.get("type") == "function" and isinstance(tool.get("function"), dict):
        tool = tool["function"]
    out = {"name": tool.get("name"), "description": tool.get("description") or "",
           "parameters": tool.get("parameters") if tool.get("parameters") is not None
           else {"type": "object", "properties": {}}}
    return out


def _normalize_message(m):
    if not isinstance(m, dict):
        return m
    m = {k: v for k, v in m.items() if k in ("role", "content", "tool_calls", "name", "tool_call_id")}
    if m.get("tool_calls"):
        m["tool_calls"] = [normalize_call(c) for c in m["tool_calls"]]
    elif "tool_calls" in m:
        del m["tool_calls"]
    if m.get("role") == "tool" and m.get("content") is not None and not isinstance(m["content"], str):
        m["content"] = json.dumps(m["content"], ensure_ascii=False)
    return m


def infer_category(rec: dict) -> str:
    """The category a record's shape implies (used when the input does not say)."""
    calls = (rec.get("answer") or {}).get("tool_calls") or []
    if any(isinstance(m, dict) and m.get("tool_calls") for m in rec.get("messages") or []) and calls:
        return "multi_turn"
    if not calls:
        return "irrelevance"
    names = {c.get("name") for c in calls if isinstance(c, dict)}
    if len(calls) > 1:
        return "parallel" if len(names) == 1 else "parallel_multiple"
    return "multiple" if len(rec.get("tools") or []) > 1 else "simple"


def normalize_record(obj: dict, default_id: str | None = None, source: str = "user") -> dict:
    """Accept near-canonical input and return the canonical shape (a new dict).

    Handles the guide's `answer.tool_call` (single call), OpenAI-wrapped tools and calls,
    arguments as JSON strings, a missing `meta` (category inferred) and a missing `id`.
    Does not validate: call `validate_record` on the result.
    """
    if not isinstance(obj, dict):
        return obj
    rec = dict(obj)
    if "id" not in rec and default_id is not None:
        rec["id"] = default_id
    elif isinstance(rec.get("id"), int):
        rec["id"] = str(rec["id"])
    rec["messages"] = [_normalize_message(m) for m in rec.get("messages") or []]
    rec["tools"] = [normalize_tool(t) for t in rec.get("tools") or []]
    answer = dict(rec.get("answer") or {})
    if "tool_call" in answer:
        single = answer.pop("tool_call")
        answer.setdefault("tool_calls", [] if single is None else [single])
    answer["tool_calls"] = [normalize_call(c) for c in answer.get("tool_calls") or []]
    rec["answer"] = answer
    meta = dict(rec.get("meta") or {})
    meta.setdefault("source", source)
    meta.setdefault("category", infer_category(rec))
    rec["meta"] = meta
    return rec


# ---------------------------------------------------------------- validation

@functools.lru_cache(maxsize=4096)
def _metaschema_error(params_json: str) -> str | None:
    """Checking against the metaschema is slow (~7 ms); datasets repeat tools, so cache it."""
    try:
        Draft202012Validator.check_schema(json.loads(params_json))
    except SchemaError as exc:
        return exc.message
    return None


def tool_schema_problems(tool: dict) -> list[str]:
    """Why a tool's `parameters` is not a usable draft 2020-12 object schema (empty if fine)."""
    name, params = tool.get("name"), tool.get("parameters")
    error = _metaschema_error(json.dumps(params, sort_keys=True))
    if error:
        return [f"tool {name!r}: parameters is not a valid JSON Schema: {error}"]
    if params.get("type") != "object":
        return [f"tool {name!r}: parameters must be an object schema (\"type\": \"object\"), "
                f"got type {params.get('type')!r}"]
    props = params.get("properties") or {}
    missing = [r for r in params.get("required") or [] if r not in props]
    if missing and params.get("additionalProperties") is False:
        return [f"tool {name!r}: required {missing} not among its properties"]
    return []


def _value_errors(value, schema: dict, formats: bool = True) -> list[str]:
    validator = Draft202012Validator(schema, format_checker=_FORMATS if formats else None)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(value)'}: {e.message}"
            for e in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path)))]


def representative(value):
    """The plain value an alternative stands for: nested alternative maps -> first choices."""
    if isinstance(value, dict):
        if not all(isinstance(v, list) and v for v in value.values()):
            return value
        firsts = {k: next((x for x in v if x != ""), "") for k, v in value.items()}
        return {k: representative(x) for k, x in firsts.items() if x != ""}
    if isinstance(value, list):
        return [representative(v) for v in value]
    return value


def call_problems(call: dict, tools_by_name: dict[str, dict], where: str) -> list[str]:
    """Why a call does not name an offered tool or fit that tool's schema (empty if fine)."""
    tool = tools_by_name.get(call["name"])
    if tool is None:
        offered = sorted(tools_by_name) or "none"
        return [f"{where}: calls {call['name']!r}, which is not an offered tool (offered: {offered})"]
    params = tool["parameters"]
    problems = [f"{where} {call['name']!r}: arguments {e}" for e in _value_errors(call["arguments"], params)]
    alts = call.get("alternatives")
    if alts is not None:
        props = params.get("properties") or {}
        for arg, values in alts.items():
            if arg not in props and params.get("additionalProperties") is False:
                problems.append(f"{where} {call['name']!r}: alternative for unknown argument {arg!r}")
                continue
            # Alternatives list what a lenient checker accepts (BFCL also lists "01/15/2021" or
            # [["Apple"], ["Microsoft"]] beside the right form), so the gold is sound when at
            # least one value per argument fits the schema ("" = may be omitted, always fits).
            # Formats are annotations in draft 2020-12, so they are not asserted here.
            errors = [] if "" in values else [
                _value_errors(representative(v), props.get(arg, {}), formats=False) for v in values]
            if errors and all(errors):
                problems.append(f"{where} {call['name']!r}: no alternative for {arg!r} fits its "
                                f"schema ({values[0]!r}: {errors[0][0]})")
        extra = [a for a in call["arguments"] if a not in alts]
        if extra:
            problems.append(f"{where} {call['name']!r}: arguments {extra} not among its alternatives")
    return problems


def validate_record(rec) -> list[str]:
    """Every reason the record is not a valid canonical record; [] when it is."""
    if not isinstance(rec, dict):
        return [f"expected a JSON object, got {type(rec).__name__}"]
    errors = [f"{'/'.join(map(str, e.absolute_path)) or 'record'}: {e.message}"
              for e in _RECORD_VALIDATOR.iter_errors(rec)]
    if errors:
        return errors[:5]
    tools_by_name: dict[str, dict] = {}
    for tool in rec["tools"]:
        if tool["name"] in tools_by_name:
            errors.append(f"tool {tool['name']!r} offered twice")
        tools_by_name[tool["name"]] = tool
        errors += tool_schema_problems(tool)
    if errors:
        return errors
    for i, call in enumerate(rec["answer"]["tool_calls"]):
        errors += call_problems(call, tools_by_name, f"answer call {i}")
    if rec["meta"]["category"] != "irrelevance" and not rec["answer"]["tool_calls"]:
        errors.append(f"category {rec['meta']['category']!r} but the gold calls no tool")
    if rec["meta"]["category"] == "irrelevance" and rec["answer"]["tool_calls"]:
        errors.append("category 'irrelevance' but the gold calls a tool")
    return errors


# ---------------------------------------------------------------- files

def iter_raw(path: str | Path) -> Iterable[tuple[int, object, str | None]]:
    """(line, object, parse error) for each non-blank line; never raises on bad JSON."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line), None
            except json.JSONDecodeError as exc:
                yield lineno, None, f"not valid JSON ({exc.msg} at column {exc.colno})"


def check_file(path: str | Path) -> tuple[int, list[tuple[int, str]]]:
    """(number of records, [(line, reason), ...]) for a JSONL file of records."""
    n, problems = 0, []
    seen: dict[str, int] = {}
    for lineno, obj, err in iter_raw(path):
        n += 1
        if err:
            problems.append((lineno, err))
            continue
        rec = normalize_record(obj, default_id=f"{Path(path).stem}-{lineno}")
        reasons = validate_record(rec)
        if isinstance(rec, dict) and isinstance(rec.get("id"), str):
            if rec["id"] in seen:
                reasons.append(f"duplicate id {rec['id']!r} (first on line {seen[rec['id']]})")
            seen.setdefault(rec["id"], lineno)
        problems += [(lineno, r) for r in reasons]
    return n, problems


def load_records(path: str | Path, validate: bool = True) -> list[dict]:
    """Read and normalise a JSONL file of records; raise RecordError "file:line: reason"."""
    records = []
    for lineno, obj, err in iter_raw(path):
        if err:
            raise RecordError(f"{path}:{lineno}: {err}")
        rec = normalize_record(obj, default_id=f"{Path(path).stem}-{lineno}")
        if validate:
            reasons = validate_record(rec)
            if reasons:
                raise RecordError(f"{path}:{lineno}: {reasons[0]}")
        records.append(rec)
    return records


def save_records(path: str | Path, records: Iterable[dict]) -> Path:
    """Write records as JSONL, atomically."""
    from funcall_lib.io import write_jsonl_atomic

    return write_jsonl_atomic(path, records)


def token_lengths(records: Iterable[dict], tokenizer) -> list[int]:
    """Tokens of prompt + answer per record, rendered exactly as training renders them.

    Call `chat.ensure_tool_template(tokenizer)` first. Records longer than the training
    `max_seq_length` would lose the end of their answer, the part the loss is on.
    """
    from funcall_lib.chat import render

    lengths = []
    for rec in records:
        prompt, answer = render(rec, tokenizer)
        lengths.append(len(tokenizer(prompt + answer, add_special_tokens=False)["input_ids"]))
    return lengths


# ---------------------------------------------------------------- CLI: funcall data validate

def add_arguments(parser) -> None:
    parser.add_argument("file", nargs="+", help="JSONL file(s) of records")


def run_cli(args) -> int:
    bad = 0
    for path in args.file:
        if not Path(path).is_file():
            raise FileNotFoundError(f"{path}: no such file")
        n, problems = check_file(path)
        for lineno, reason in problems:
            print(f"{path}:{lineno}: {reason}")
        bad_lines = len({lineno for lineno, _ in problems})
        bad += bad_lines
        print(f"{path}: {n} records, {n - bad_lines} valid, {bad_lines} invalid", file=sys.stderr)
    return 1 if bad else 0
