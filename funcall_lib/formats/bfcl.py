"""Berkeley Function Calling Leaderboard files -> records whose gold keeps BFCL's alternatives.

Question file (JSONL): {"id": "simple_python_0", "question": [[{"role": "user", "content": ...}]],
"function": [{"name": ..., "parameters": {"type": "dict", "properties": {...}}}]}.
Answer file (possible_answer/, same name): {"id": ..., "ground_truth": [{"f": {"arg": [v1, v2],
"opt": ["", 0]}}]}: a list of acceptable values per argument, "" meaning it may be omitted.
Irrelevance categories have no answer file: their gold is [] (call nothing).

BFCL types are Python-flavoured (dict, float, tuple, any); they become JSON Schema types. The
non-standard "optional" flag is dropped (`required` already says it). Only single-turn categories
are converted. BFCL is for evaluation only: never train on it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from funcall_lib.formats.common import ConvertError, make_record, require
from funcall_lib.records import representative, validate_record
from jsonschema import Draft202012Validator

CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance")
_TYPES = {"dict": "object", "float": "number", "double": "number", "long": "integer",
          "tuple": "array", "list": "array", "int": "integer", "bool": "boolean", "str": "string",
          "char": "string", "hashmap": "object", "arraylist": "array"}
_CATEGORY = {"simple": "simple", "multiple": "multiple", "parallel": "parallel",
             "parallel_multiple": "parallel_multiple", "irrelevance": "irrelevance"}


def json_schema(schema):
    """A BFCL parameter schema -> draft 2020-12 (recursively)."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "optional":
            continue
        if key == "type" and isinstance(value, str):
            t = value.lower()
            if t == "any":
                continue
            out["type"] = _TYPES.get(t, t)
        elif key == "properties" and isinstance(value, dict):
            out["properties"] = {k: json_schema(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = json_schema(value)
        else:
            out[key] = value
    return out


def tool(function: dict) -> dict:
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise ConvertError(f"function without a name: {str(function)[:80]}")
    params = json_schema(function.get("parameters") or {"type": "dict", "properties": {}})
    return {"name": function["name"], "description": str(function.get("description") or ""),
            "parameters": params}


def _fits(value, schema: dict) -> bool:
    return value == "" or not list(Draft202012Validator(schema).iter_errors(representative(value)))


def gold_call(entry: dict, tools: dict[str, dict] | None = None) -> dict:
    """{"f": {"arg": [alternatives]}} -> a call with all of BFCL's alternatives and, as
    `arguments`, a representative built from the first alternative that fits the schema.

    A few BFCL answers list a value of the wrong shape first (e.g. [["Apple"], ["Microsoft"]]
    for an array of strings); the representative skips those, the alternatives keep them.
    """
    if not isinstance(entry, dict) or len(entry) != 1:
        raise ConvertError(f"ground_truth entry is not {{name: {{arg: [values]}}}}: {str(entry)[:80]}")
    (name, alts), = entry.items()
    if not isinstance(alts, dict) or not all(isinstance(v, list) and v for v in alts.values()):
        raise ConvertError(f"ground_truth for {name!r} is not a map of non-empty value lists")
    props = ((tools or {}).get(name, {}).get("parameters") or {}).get("properties") or {}
    fitting = {arg: [v for v in values if arg not in props or _fits(v, props[arg])] or values
               for arg, values in alts.items()}
    return {"name": name, "arguments": representative(fitting), "alternatives": alts}


def category_of(bfcl_id: str) -> str:
    """'live_parallel_multiple_3' -> 'parallel_multiple'; 'simple_python_0' -> 'simple'."""
    raw = re.sub(r"_\d+(-\d+)*$", "", bfcl_id).removeprefix("live_")
    if raw.startswith("simple"):
        return "simple"
    return _CATEGORY.get(raw, "irrelevance" if "relevance" in raw else raw)


def detect(row: dict) -> bool:
    return "question" in row and "function" in row


def read_answers(path: str | Path) -> dict[str, list]:
    answers = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
                answers[str(row.get("id"))] = row.get("ground_truth")
    return answers


def prepare(in_path: Path, answers: str | Path | None = None) -> dict:
    """Find the answer file (given, or possible_answer/<same name> beside the question file)."""
    path = Path(answers) if answers else Path(in_path).parent / "possible_answer" / Path(in_path).name
    if answers and not path.is_file():
        raise FileNotFoundError(f"{path}: no such answer file")
    return {"answers": read_answers(path) if path.is_file() else None}


def convert(row: dict, lineno: int, answers: dict | None = None) -> list[dict]:
    require(row, "id", "question", "function")
    bfcl_id, question = str(row["id"]), row["question"]
    if not isinstance(question, list) or len(question) != 1 or not isinstance(question[0], list):
        raise ConvertError("multi-turn BFCL entries are not supported (need exactly one turn)")
    messages = [{"role": m.get("role"), "content": m.get("content")} for m in question[0]]
    functions = row["function"] if isinstance(row["function"], list) else [row["function"]]
    category = category_of(bfcl_id)
    tools = [tool(f) for f in functions]
    if answers is not None and bfcl_id in answers:
        by_name = {t["name"]: t for t in tools}
        calls = [gold_call(e, by_name) for e in answers[bfcl_id] or []]
    elif category == "irrelevance":
        calls = []
    else:
        raise ConvertError(f"no possible answer for id {bfcl_id!r} (pass --answers FILE)")
    meta = {"bfcl_category": re.sub(r"_\d+$", "", bfcl_id)}
    rec = make_record(bfcl_id, messages, tools, calls, source="bfcl", extra_meta=meta)
    rec["meta"]["category"] = category
    return [rec]


def _package_file(name: str) -> Path | None:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("bfcl-eval")
    except PackageNotFoundError:
        raise ValueError("the bfcl-eval package is not installed (pip install --no-deps bfcl-eval)") from None
    matches = sorted(str(f) for f in dist.files or []
                     if re.fullmatch(rf"bfcl_eval/data/{name}", str(f).replace("\\", "/")))
    return Path(dist.locate_file(matches[-1])) if matches else None


def category_file(category: str) -> Path:
    """The question file of one BFCL category in the installed bfcl-eval package (newest
    version); ValueError if the package or the category is missing."""
    question = _package_file(rf"BFCL_v\d+_{re.escape(category)}\.json")
    if question is None:
        raise ValueError(f"BFCL category {category!r} not found in bfcl-eval; try one of {CATEGORIES}")
    return question


def load_bfcl(category: str, keep_invalid: bool = True) -> list[dict]:
    """Records of one BFCL category from the installed bfcl-eval package (newest version).

    A couple of BFCL entries have gold that contradicts their own tool schema (a string where
    the schema asks for an array): no schema-valid call can pass them, in BFCL's checker or
    ours. They are kept by default, so scores have BFCL's denominator, with the reasons in
    `meta["gold_problems"]` and a warning; `keep_invalid=False` leaves them out.
    """
    import logging

    question = category_file(category)
    answer = _package_file(rf"possible_answer/{question.name}")
    answers = read_answers(answer) if answer else None
    records, flagged = [], []
    with open(question, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = convert(json.loads(line), lineno, answers=answers)[0]
            except (json.JSONDecodeError, ConvertError) as exc:
                raise ValueError(f"{question.name}:{lineno}: {exc}") from None
            problems = validate_record(rec)
            if problems:
                flagged.append(f"{rec['id']}: {problems[0][:160]}")
                if not keep_invalid:
                    continue
                rec["meta"]["gold_problems"] = problems
            records.append(rec)
    if flagged:
        logging.getLogger(__name__).warning(
            "BFCL %s: %d entries have gold that does not fit their schema (%s):\n  %s", category,
            len(flagged), "kept" if keep_invalid else "left out", "\n  ".join(flagged))
    return records
