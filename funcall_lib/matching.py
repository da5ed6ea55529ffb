"""Matching rules: does a model's list of tool calls answer the request the way the gold does?

The rules (the same for our records and for BFCL's, so one number means one thing):

1. Tool name: exact, case-sensitive.
2. Required arguments: every argument the tool's schema lists in `required` must be present, and
   so must every argument the gold gives that is not marked optional (rule 6).
3. No extra arguments: an argument the tool does not define fails, and so does one the gold does
   not mention (the gold lists every argument a right call may carry; BFCL does the same).
4. Values are compared by the type the tool's schema declares (the gold's type when it declares
   none): an integer is accepted where a number is expected, not the reverse (2.0 is not an
   integer); a boolean is never a number; strings must be strings. A value of the wrong JSON type
   fails as a "schema violation", a value of the right type that differs as a "wrong value".
   Lists are compared element by element, in order. Objects are compared key by key: no key the
   gold does not give, every key it gives present unless optional there.
   Strings are compared exactly, unless `string_normalize` is on (see 8). Where the gold's value
   has another JSON type than the schema declares (BFCL has a few: a boolean for a string, null
   for a number, words in a list of integers), the gold's type decides, as in BFCL.
5. Acceptable alternatives: the gold may give, per argument, a list of acceptable values; any one
   of them passes.
6. Optional arguments: an alternatives list containing "" means the argument may be left out.
7. Several calls (parallel) match order-free, as a multiset: every gold call is paired with a
   distinct model call by maximum bipartite matching (not greedily, so the order in which the
   model writes its calls never changes the verdict), and the counts must be equal. A gold of no
   calls (`[]`) passes only when the model makes no call.
8. String normalisation (off by default, on for BFCL records): BFCL compares strings after
   removing spaces and the characters , . / - _ * ^, lowercasing, and turning ' into ". With
   `string_normalize=True` we do exactly the same, so our verdicts on BFCL data agree with BFCL's
   checker; our own records keep exact string comparison.

How the gold carries alternatives (BFCL's `possible_answer` shape). A gold call is
`{"name": ..., "arguments": {arg: value}}`, optionally with
`"alternatives": {arg: [acceptable, ...]}` (defined in `funcall_lib.records`); when present it names
every argument the call may carry and `arguments` is just one representative; otherwise the values
in `arguments` are the only acceptable ones. Inside an alternatives
list, an object (directly, or as an element of a list) carries a list of acceptable values per key,
exactly as BFCL writes nested dictionaries: `{"point": [{"x": [1], "y": [2, ""]}]}`.

Known differences from BFCL's own checker (measured in tests/test_bfcl_agreement.py): BFCL pairs
parallel calls greedily, so a model call that fits two gold calls can make it fail a right answer
that rule 7 passes; BFCL checks the types of list elements only for required arguments, so an
integer inside a list of numbers is rejected there when the argument is required and accepted
here (rule 4) always.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from funcall_lib.records import representative  # noqa: F401  (one rule for both modules)

OPTIONAL = ""   # in an alternatives list: the argument may be omitted

# Reason kinds, used to group failures in reports.
WRONG_TOOL = "wrong tool"
MISSING = "missing argument"
EXTRA = "extra argument"
WRONG_VALUE = "wrong value"
SCHEMA = "schema violation"
WRONG_COUNT = "wrong number of calls"
NO_CALL = "no call made"
IRRELEVANT_CALL = "called a tool on an irrelevant request"
NOT_JSON = "not JSON"


@dataclass
class Match:
    ok: bool
    kind: str | None = None     # one of the reason kinds above when not ok
    detail: str = ""            # human-readable why

    def __bool__(self) -> bool:
        return self.ok


PASS = Match(True)

_BFCL_STRIP = re.compile(r"[ ,./\-_*^]")


def normalize_string(text: str) -> str:
    """BFCL's string standardisation (see rule 8)."""
    return _BFCL_STRIP.sub("", text).lower().replace("'", '"')


# ---------------------------------------------------------------- gold -> alternatives

def _as_alternative(value):
    """A plain gold value in alternatives form: objects become per-key lists, lists recurse."""
    if isinstance(value, dict):
        return {k: [_as_alternative(v)] for k, v in value.items()}
    if isinstance(value, list):
        return [_as_alternative(v) for v in value]
    return value


def gold_alternatives(call: dict) -> dict[str, list]:
    """{argument: [acceptable values]} for a gold call (see the module docstring)."""
    alternatives = call.get("alternatives")
    if isinstance(alternatives, dict):   # then it names every argument the call may carry
        return {k: list(v) if isinstance(v, list) else [v] for k, v in alternatives.items()}
    args = call.get("arguments")
    return {k: [_as_alternative(v)] for k, v in (args if isinstance(args, dict) else {}).items()}


# ---------------------------------------------------------------- values

def _schema_type(schema: dict | None, gold) -> str | None:
    t = (schema or {}).get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if t in ("integer", "number", "string", "boolean", "array", "object"):
        return t
    if t in ("float", "double"):
        return "number"
    if t in ("dict",):
        return "object"
    if t in ("tuple", "list"):
        return "array"
    if isinstance(gold, bool):
        return "boolean"
    if isinstance(gold, int):
        return "integer"
    if isinstance(gold, float):
        return "number"
    if isinstance(gold, str):
        return "string"
    if isinstance(gold, list):
        return "array"
    if isinstance(gold, dict):
        return "object"
    return None


def _type_ok(value, kind: str | None) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "null":
        return value is None
    return True


def _equal(value, gold, schema: dict | None, normalize: bool, path: str) -> Match:
    """One value against one acceptable gold value (gold in alternatives form)."""
    kind = _schema_type(schema, gold)
    gold_kind = "null" if gold is None else _schema_type(None, gold)
    if gold_kind and kind != gold_kind and {kind, gold_kind} != {"number", "integer"}:
        kind = gold_kind   # the gold contradicts the schema: the gold's type decides (as BFCL)
    elif kind == "integer" and gold_kind == "number":
        kind = "number"
    if not _type_ok(value, kind):
        return Match(False, SCHEMA, f"{path}: expected {kind}, got {type(value).__name__} {value!r}")
    if kind == "array":
        if not isinstance(gold, list) or len(value) != len(gold):
            return Match(False, WRONG_VALUE, f"{path}: {value!r} is not {gold!r}")
        items = (schema or {}).get("items")
        for i, (v, g) in enumerate(zip(value, gold)):
            m = _equal(v, g, items if isinstance(items, dict) else None, normalize, f"{path}[{i}]")
            if not m:
                return m
        return PASS
    if kind == "object":
        if not isinstance(gold, dict):
            return Match(False, WRONG_VALUE, f"{path}: {value!r} is not {gold!r}")
        props = (schema or {}).get("properties") or {}
        return _match_fields(value, gold, props, [], normalize, path)
    if kind == "string" and isinstance(gold, str):
        same = normalize_string(value) == normalize_string(gold) if normalize else value == gold
    elif kind in ("integer", "number", "boolean"):
        same = not isinstance(gold, (str, list, dict)) and isinstance(gold, bool) == isinstance(value, bool) \
            and value == gold
    else:
        same = value == gold
    return PASS if same else Match(False, WRONG_VALUE, f"{path}: {value!r}, expected {gold!r}")


def match_value(value, alternatives: list, schema: dict | None, normalize: bool = False,
                path: str = "value") -> Match:
    """A value against a list of acceptable values; the first failure explains a miss."""
    first = None
    for gold in alternatives:
        if isinstance(gold, str) and gold == OPTIONAL and not isinstance(value, str):
            continue   # "" marks the argument optional; only a string can equal it
        m = _equal(value, gold, schema, normalize, path)
        if m:
            return m
        if first is None or (first.kind == SCHEMA and m.kind != SCHEMA):
            first = m
    if first is None:
        first = Match(False, WRONG_VALUE, f"{path}: {value!r} is not an acceptable value")
    return first


def _match_fields(args: dict, gold: dict[str, list], props: dict, required: list,
                  normalize: bool, path: str) -> Match:
    """Arguments (or an object's keys) against per-key alternatives: rules 2, 3, 5, 6."""
    for name in required:
        if name not in args:
            return Match(False, MISSING, f"{path}: required argument {name!r} is missing")
    for name, value in args.items():
        if (props and name not in props) or name not in gold:
            where = "the tool does not define it" if props and name not in props else "the gold has no value"
            return Match(False, EXTRA, f"{path}: unexpected argument {name!r} ({where})")
        m = match_value(value, gold[name], props.get(name), normalize, f"{path}.{name}" if path else name)
        if not m:
            return m
    for name, options in gold.items():
        if name not in args and OPTIONAL not in options:
            return Match(False, MISSING, f"{path}: argument {name!r} is missing")
    return PASS


# ---------------------------------------------------------------- calls

def _tool(tools: list[dict], name: str) -> dict | None:
    return next((t for t in tools if isinstance(t, dict) and t.get("name") == name), None)


def match_call(call: dict, gold: dict, tools: list[dict], normalize: bool = False) -> Match:
    """One model call against one gold call (rules 1-6, 8)."""
    name = call.get("name")
    if name != gold.get("name"):
        return Match(False, WRONG_TOOL, f"called {name!r}, expected {gold.get('name')!r}")
    args = call.get("arguments")
    if not isinstance(args, dict):
        return Match(False, SCHEMA, f"{name}: arguments are not an object")
    params = (_tool(tools, name) or {}).get("parameters") or {}
    props = params.get("properties") or {}
    required = [r for r in params.get("required") or [] if isinstance(r, str)]
    return _match_fields(args, gold_alternatives(gold), props, required, normalize, name)


def _augment(i: int, edges: list[list[int]], owner: dict[int, int], seen: set[int]) -> bool:
    for j in edges[i]:
        if j in seen:
            continue
        seen.add(j)
        if j not in owner or _augment(owner[j], edges, owner, seen):
            owner[j] = i
            return True
    return False


def match_calls(calls: list[dict], gold: list[dict], tools: list[dict],
                normalize: bool = False) -> Match:
    """A model's calls against the gold calls (rule 7): an order-free perfect pairing."""
    if not gold:
        return PASS if not calls else Match(False, IRRELEVANT_CALL,
                                            f"made {len(calls)} call(s); the gold makes none")
    if not calls:
        return Match(False, NO_CALL, f"expected {len(gold)} call(s), the output has none")
    if len(calls) != len(gold):
        return Match(False, WRONG_COUNT, f"made {len(calls)} call(s), expected {len(gold)}")
    results = [[match_call(c, g, tools, normalize) for c in calls] for g in gold]
    edges = [[j for j, m in enumerate(row) if m] for row in results]
    owner: dict[int, int] = {}
    for i in range(len(gold)):
        if not _augment(i, edges, owner, set()):
            return _explain(results[i], gold[i])
    return PASS


def _explain(row: list[Match], gold: dict) -> Match:
    """Why gold call `gold` found no partner: prefer a failure on a call with the right name."""
    named = [m for m in row if not m.ok and m.kind != WRONG_TOOL]
    if named:
        return named[0]
    if any(m.ok for m in row):   # it fits only calls that other gold calls need
        return Match(False, WRONG_VALUE, f"{gold.get('name')}: the calls that fit this gold call "
                     "are all needed by other gold calls (a call is repeated)")
    return Match(False, WRONG_TOOL, f"no call to {gold.get('name')!r}; " + row[0].detail)
