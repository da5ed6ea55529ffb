"""Salesforce xlam-function-calling-60k rows -> records.

    {"id": 1, "query": "...",
     "tools": "[{\\"name\\": \\"f\\", \\"description\\": \\"...\\",
                 \\"parameters\\": {\\"x\\": {\\"type\\": \\"int, optional\\", \\"default\\": 3}}}]",
     "answers": "[{\\"name\\": \\"f\\", \\"arguments\\": {\\"x\\": 5}}]"}

`tools` and `answers` are JSON text; `parameters` is a flat dict of Python type names. Those
become real JSON Schemas (`List[str]` -> array of strings, `Dict[str, Any]` -> object, ...), and
`required` lists the parameters with no `default` and not marked `optional`.
"""

from __future__ import annotations

from funcall_lib.formats.common import ConvertError, loads_lenient, make_record, require

_BASE = {
    "str": {"type": "string"}, "string": {"type": "string"}, "text": {"type": "string"},
    "int": {"type": "integer"}, "integer": {"type": "integer"},
    "float": {"type": "number"}, "number": {"type": "number"}, "double": {"type": "number"},
    "bool": {"type": "boolean"}, "boolean": {"type": "boolean"},
    "list": {"type": "array"}, "array": {"type": "array"}, "sequence": {"type": "array"},
    "set": {"type": "array"}, "tuple": {"type": "array"},
    "dict": {"type": "object"}, "object": {"type": "object"}, "mapping": {"type": "object"},
    "any": {}, "none": {"type": "null"},
}
_ARRAYS = {"list", "array", "sequence", "set"}


def _split_args(text: str) -> list[str]:
    """'str, List[int]' -> ['str', 'List[int]'] (commas inside brackets kept)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return parts + ([cur.strip()] if cur.strip() else [])


def type_schema(type_name: str) -> tuple[dict, bool]:
    """A Python-ish type name -> (JSON Schema, optional?). ConvertError for unknown names."""
    text = str(type_name).strip()
    optional = False
    parts = _split_args(text)
    if len(parts) > 1 and parts[-1].lower() in ("optional", "default none"):
        text, optional = ", ".join(parts[:-1]), True
    head, _, rest = text.partition("[")
    head = head.strip().lower().removeprefix("typing.")
    args = _split_args(rest[:-1]) if rest.endswith("]") else []
    if head == "optional" and args:
        return type_schema(args[0])[0], True
    if head == "union" and args:
        return {"anyOf": [type_schema(a)[0] for a in args]}, optional
    if head not in _BASE:
        raise ConvertError(f"unknown xlam type {type_name!r}")
    schema = dict(_BASE[head])
    if head in _ARRAYS and args:
        schema["items"] = type_schema(args[0])[0]
    elif head == "tuple" and args and "..." not in args:
        schema["prefixItems"] = [type_schema(a)[0] for a in args]
    elif head in ("dict", "mapping") and len(args) == 2 and type_schema(args[1])[0]:
        schema["additionalProperties"] = type_schema(args[1])[0]
    return schema, optional


def tool_schema(tool: dict) -> dict:
    """An xlam tool -> {"name", "description", "parameters": object schema}."""
    if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
        raise ConvertError(f"tool without a name: {str(tool)[:80]}")
    props, required = {}, []
    for pname, spec in (tool.get("parameters") or {}).items():
        if not isinstance(spec, dict) or "type" not in spec:
            raise ConvertError(f"tool {tool['name']!r}: parameter {pname!r} has no type")
        schema, optional = type_schema(spec["type"])
        if spec.get("description"):
            schema["description"] = str(spec["description"])
        if "default" in spec:
            schema["default"] = spec["default"]
        elif not optional:
            required.append(pname)
        props[pname] = schema
    params = {"type": "object", "properties": props}
    if required:
        params["required"] = required
    return {"name": tool["name"], "description": str(tool.get("description") or ""),
            "parameters": params}


def detect(row: dict) -> bool:
    return "query" in row and "answers" in row


def convert(row: dict, lineno: int) -> list[dict]:
    require(row, "query", "tools", "answers")
    tools = loads_lenient(row["tools"], "tools")
    answers = loads_lenient(row["answers"], "answers")
    if not isinstance(tools, list) or not isinstance(answers, list):
        raise ConvertError("'tools' and 'answers' must be lists")
    calls = []
    for a in answers:
        if not isinstance(a, dict) or not isinstance(a.get("name"), str):
            raise ConvertError(f"answer without a name: {str(a)[:80]}")
        args = loads_lenient(a.get("arguments") or {}, f"arguments of {a['name']!r}")
        calls.append({"name": a["name"], "arguments": args})
    messages = [{"role": "user", "content": str(row["query"])}]
    return [make_record(f"xlam-{row.get('id', lineno)}", messages, [tool_schema(t) for t in tools],
                        calls, source="xlam")]
