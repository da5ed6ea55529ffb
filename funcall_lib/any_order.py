"""Any key order: the grammar lets a call's arguments come in the order the model writes them.

Why: xgrammar's JSON-schema converter writes an object's properties in the schema's order, but
our training calls hold their arguments in the order the request says them (31% of the calls
in the training split differ from the schema's order). Under the grammar the model must then
write keys in an order it was not taught, and a 135M model pays for it: it closes the object
before an optional key it would have written first ("... by transit": `mode` comes last in the
schema, first in the model's call; it closes), or it writes the value it had in mind for the
key it wanted under the key the grammar allows ("subject" forced first, the body's text goes in
it). On quality run 31's soup, 6 of the 8 `test` records that pass free and fail constrained
are these.

What it builds: for each offered tool, the arguments object as a small automaton over the set
of keys written so far: from each set, close (when every required key is in it) or write ", "
and one key not yet in it with its value. So keys come in any order, each at most once, and the
object closes only when every required key is there: what the declared order guaranteed, less
the order. Each value's grammar is still xgrammar's conversion of that property's schema, so
values are held exactly as before; only the order of the keys is free. The states are the
subsets of the keys, 2^n for n keys: a tool with more than `MAX_KEYS` keys, or whose top-level
schema is more than plain properties (additional or pattern properties, combinators), keeps the
declared order (xgrammar's conversion of the whole call, as without this rule).

xgrammar's own `any_order=True` lets keys repeat and does not hold required keys, so a
constrained call could fail to validate; this does not.
"""

from __future__ import annotations

import json
import re

FLAG_HELP = ("let a call's arguments come in any key order (each key once, every required one), "
             "not only the schema's order")

MAX_KEYS = 8  # above this many keys, 2^n states cost more compiling than the order is worth
_SEPARATORS = (", ", ": ")
# Keys of a top-level parameters schema that the subset automaton reads or can safely ignore.
_PLAIN_KEYS = frozenset({"type", "properties", "required", "description", "title", "$schema",
                         "additionalProperties"})
# One token of an EBNF body: a string literal, a character class, a name, or anything else.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\[(?:[^\]\\]|\\.)*\]|([A-Za-z_][A-Za-z0-9_]*)|.', re.S)
_RULE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*) ::= (.*)$")


def _literal(text: str) -> str:
    return json.dumps(text)


def json_schema_ebnf(schema: dict) -> str:
    """xgrammar's EBNF for a JSON schema as our calls are written: no free whitespace,
    json.dumps' separators, no properties or items beyond the schema's (its root rule: `root`).
    One place for these settings, so the declared-order grammar and the conversions renamed
    here cannot part."""
    import xgrammar as xgr

    return str(xgr.Grammar.from_json_schema(json.dumps(schema), any_whitespace=False,
                                            separators=_SEPARATORS, strict_mode=True))


def schema_rules(schema: dict, prefix: str, shared: dict[str, str]) -> tuple[str, list[str]]:
    """xgrammar's EBNF for one JSON schema with its rules renamed to start with `prefix`, so that
    many conversions live in one grammar: (the name of its root rule, its own rules). xgrammar's
    built-in `basic_*` rules come with every conversion; they are kept once, in `shared` (name ->
    rule line), unless one differs from the line already kept: then all are renamed as this
    schema's own. Raises RuntimeError when xgrammar rejects the schema or writes a line this
    does not read."""
    text = json_schema_ebnf(schema)
    rules = {}
    for line in filter(str.strip, text.splitlines()):
        head = _RULE.match(line)
        if head is None:
            raise RuntimeError(f"unexpected line in xgrammar's grammar: {line[:80]!r}")
        rules[head.group(1)] = line
    own = {name for name in rules if not name.startswith("basic_")}
    if any(shared.get(name, line) != line for name, line in rules.items() if name not in own):
        own = set(rules)  # this conversion's basic rules differ: all of them are its own

    def rename(match: re.Match) -> str:
        name = match.group(1)
        return prefix + name if name in own else match.group(0)

    for name, line in rules.items():
        if name not in own:
            shared.setdefault(name, line)
    return prefix + "root", [_TOKEN.sub(rename, line) for name, line in rules.items() if name in own]


def orderable(parameters: dict) -> bool:
    """Whether a tool's parameters schema is plain properties with few enough keys for the
    subset automaton (else its call keeps the declared order)."""
    props = parameters.get("properties") or {}
    return (parameters.get("type", "object") == "object" and set(parameters) <= _PLAIN_KEYS
            and isinstance(props, dict) and len(props) <= MAX_KEYS
            and parameters.get("additionalProperties") in (None, False))


def arguments_rules(parameters: dict, prefix: str, shared: dict[str, str]) -> tuple[str, list[str]]:
    """The arguments object of one tool in any key order, each key once, closing only once every
    required key is written: (its root rule's name, its rules)."""
    keys = list(parameters.get("properties") or {})
    required = {k for k in parameters.get("required") or [] if k in keys}
    rules, pairs = [], []
    for i, key in enumerate(keys):
        value, value_rules = schema_rules(parameters["properties"][key], f"{prefix}v{i}_", shared)
        rules += value_rules
        pairs.append(f"{_literal(json.dumps(key, ensure_ascii=False) + ': ')} {value}")
    needs = sum(1 << keys.index(k) for k in required)
    full = (1 << len(keys)) - 1

    def choices(written: int) -> list[str]:
        """What may follow a set of written keys: the close, and each key not yet written."""
        out = ['"}"'] if written & needs == needs else []
        lead = '", " ' if written else ""
        out += [f"{lead}{pairs[i]} {prefix}s{written | 1 << i}"
                for i in range(len(keys)) if not written >> i & 1]
        return out

    for written in range(full + 1):  # every set of keys can be reached, one key at a time
        body = " | ".join(f"({c})" for c in choices(written))
        rules.append(f"{prefix}s{written} ::= {body}" if written else f'{prefix}s0 ::= "{{" ({body})')
    return f"{prefix}s0", rules


def calls_rules(tools: list[dict], args_key: str, id_key: str | None, call_schema) -> tuple[str, list[str]]:
    """The JSON of one call of any of `tools` (plain tools) with keys in any order where a tool
    allows it (`orderable`), else in the declared order: (root rule name, rules). `call_schema`
    builds a tool's whole call schema for the declared-order conversion."""
    shared: dict[str, str] = {}
    rules, alternatives = [], []
    id_rule = None
    if id_key:
        id_rule, id_rules = schema_rules({"type": "string", "pattern": "^[A-Za-z0-9]{9}$"}, "fc_id_", shared)
        rules += id_rules
    for t, tool in enumerate(tools):
        if not orderable(tool["parameters"]):
            name, tool_rules = schema_rules(call_schema(tool), f"fc_t{t}_", shared)
            rules += tool_rules
            alternatives.append(name)
            continue
        args, args_rules = arguments_rules(tool["parameters"], f"fc_t{t}_", shared)
        rules += args_rules
        head = _literal(f'{{"name": {json.dumps(tool["name"], ensure_ascii=False)}, "{args_key}": ')
        tail = f" {_literal(', ' + json.dumps(id_key) + ': ')} {id_rule}" if id_key else ""
        rules.append(f'fc_t{t} ::= {head} {args}{tail} "}}"')
        alternatives.append(f"fc_t{t}")
    rules.append("fc_json ::= " + " | ".join(alternatives))
    return "fc_json", list(shared.values()) + rules
