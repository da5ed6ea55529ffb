"""Any key order: the grammar takes a call's arguments in any order, each key once, every
required key there, and each value as its schema says."""

from __future__ import annotations

import itertools

import pytest

from funcall_lib import any_order, chat, infer
from funcall_lib.option_bias import _tool_options

DIRECTIONS = {"name": "get_directions", "description": "Route between two places.",
              "parameters": {"type": "object", "properties": {
                  "origin": {"type": "string"}, "destination": {"type": "string"},
                  "mode": {"type": "string", "enum": ["driving", "transit"]},
                  "stops": {"type": "array", "items": {"type": "integer"}}},
                  "required": ["origin", "destination"]}}
ARGS = {"origin": "Kraków", "destination": "Marrakesh", "mode": "transit", "stops": [2, 3]}


def _accepts(tools, text, family="hermes", ordered=True):
    import xgrammar as xgr

    grammar = xgr.Grammar.from_ebnf(infer.grammar_ebnf(tools, family, "required", any_order=ordered),
                                    root_rule_name="fc_root")
    return xgr.testing._is_grammar_accept_string(grammar, text)


def _call(args, name="get_directions", family="hermes"):
    return chat.format_calls([{"name": name, "arguments": args}], family)


@pytest.mark.parametrize("keys", list(itertools.permutations(ARGS)))
def test_every_order_of_the_keys_is_taken(keys):
    assert _accepts([DIRECTIONS], _call({k: ARGS[k] for k in keys}))


@pytest.mark.parametrize("keys", [("origin", "destination"), ("destination", "mode", "origin")])
def test_optional_keys_may_be_left_out_in_any_order(keys):
    assert _accepts([DIRECTIONS], _call({k: ARGS[k] for k in keys}))


def test_the_schema_order_alone_without_the_rule():
    schema_order = _call(ARGS)
    other = _call({"mode": "transit", "origin": "Kraków", "destination": "Marrakesh"})
    assert _accepts([DIRECTIONS], schema_order, ordered=False)
    assert not _accepts([DIRECTIONS], other, ordered=False)
    assert _accepts([DIRECTIONS], other)


@pytest.mark.parametrize("text", [
    '<tool_call>\n{"name": "get_directions", "arguments": {"origin": "A", "origin": "B", "destination": "C"}}\n</tool_call>',
    '<tool_call>\n{"name": "get_directions", "arguments": {"mode": "transit", "origin": "A"}}\n</tool_call>',
    '<tool_call>\n{"name": "get_directions", "arguments": {}}\n</tool_call>',
    '<tool_call>\n{"name": "get_directions", "arguments": {"origin": "A", "destination": "B", "mode": "walk"}}\n</tool_call>',
    '<tool_call>\n{"name": "get_directions", "arguments": {"origin": "A", "destination": "B", "via": "C"}}\n</tool_call>',
    '<tool_call>\n{"name": "get_directions", "arguments": {"destination": "B", "stops": ["x"], "origin": "A"}}\n</tool_call>',
    '<tool_call>\n{"name": "get_directions", "arguments": {"destination":"B", "origin": "A"}}\n</tool_call>',
])
def test_a_repeated_missing_unknown_or_invalid_key_is_refused(text):
    """Repeated "origin"; no "destination"; nothing; an option off the enum; a key the schema
    lacks; a list of the wrong items; the trained-on separators."""
    assert not _accepts([DIRECTIONS], text)


@pytest.mark.parametrize("family", ["hermes", "llama3", "mistral", "json"])
def test_every_family_wraps_the_calls_as_it_writes_them(family):
    add = {"name": "add", "parameters": {"type": "object", "properties": {
        "a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}}
    calls = [{"name": "add", "arguments": {"b": 4, "a": 3}},
             {"name": "get_directions", "arguments": {"destination": "Oslo", "origin": "Lima"}}]
    assert _accepts([DIRECTIONS, add], chat.format_calls(calls, family), family)
    assert not _accepts([DIRECTIONS, add], chat.format_calls(calls, family).replace('"b": 4, ', ""), family)


def test_a_tool_beyond_the_automaton_keeps_the_declared_order():
    many = {"name": "many", "parameters": {"type": "object", "properties": {
        f"k{i}": {"type": "integer"} for i in range(any_order.MAX_KEYS + 1)}, "required": ["k0"]}}
    loose = {"name": "loose", "parameters": {"type": "object", "properties": {
        "a": {"type": "integer"}, "b": {"type": "integer"}}, "additionalProperties": True}}
    assert not any_order.orderable(many["parameters"]) and not any_order.orderable(loose["parameters"])
    assert any_order.orderable(DIRECTIONS["parameters"])
    assert _accepts([many, DIRECTIONS], _call({"k0": 1, "k5": 2}, "many"))
    assert not _accepts([many, DIRECTIONS], _call({"k5": 2, "k0": 1}, "many"))
    assert _accepts([many, DIRECTIONS], _call({"mode": "transit", "destination": "B", "origin": "A"}))
    assert _accepts([loose], _call({"a": 1, "b": 2}, "loose"))


def test_a_tool_without_parameters_takes_only_the_empty_object():
    now = {"name": "now", "description": "The time."}
    assert _accepts([now], _call({}, "now"))
    assert not _accepts([now], _call({"tz": "UTC"}, "now"))


def test_values_are_held_by_their_own_schema_rules_renamed_apart():
    """Two tools whose values each need rules of their own (a date pattern, an enum) keep them
    apart in one grammar; xgrammar's shared basic rules are written once."""
    when = {"name": "when", "parameters": {"type": "object", "properties": {
        "day": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "mode": {"type": "string", "enum": ["a", "b"]}}, "required": ["day"]}}
    ebnf = infer.grammar_ebnf([when, DIRECTIONS], "hermes", "required", any_order=True)
    heads = [line.split(" ::= ")[0] for line in ebnf.splitlines()]
    assert len(heads) == len(set(heads))
    assert _accepts([when, DIRECTIONS], _call({"mode": "b", "day": "2026-12-08"}, "when"))
    assert not _accepts([when, DIRECTIONS], _call({"mode": "transit", "day": "2026-12-08"}, "when"))
    assert not _accepts([when, DIRECTIONS], _call({"day": "Dec 8"}, "when"))


def test_the_grammar_is_cached_apart_from_the_declared_order_one(tiny_model):
    model, tok = tiny_model
    vocab = infer.logits_size(model)
    ordered = infer.compile_tools(tok, vocab, [DIRECTIONS], "hermes", "auto")
    free_order = infer.compile_tools(tok, vocab, [DIRECTIONS], "hermes", "auto", any_order=True)
    assert free_order is not ordered
    assert infer.compile_tools(tok, vocab, [DIRECTIONS], "hermes", "auto", any_order=True) is free_order


def test_the_option_bias_waits_for_a_mentioned_option_after_a_later_key_only_under_the_rule():
    said = "the transit route from Lima to Oslo"
    ordered = _tool_options(DIRECTIONS, said)
    free_order = _tool_options(DIRECTIONS, said, any_order=True)
    assert ordered.pending({"origin"}) == free_order.pending({"origin"}) == ["mode"]
    assert ordered.pending({"stops"}) == []          # the grammar has passed `mode`
    assert free_order.pending({"stops"}) == ["mode"]
    assert free_order.pending({"mode"}) == []        # written once


def test_basic_rules_are_shared_once_and_renamed_where_they_differ():
    shared: dict[str, str] = {}
    root, rules = any_order.schema_rules({"type": "string"}, "p_", shared)
    assert root == "p_root" and shared and all(not r.startswith("basic_") for r in rules)
    _, again = any_order.schema_rules({"type": "integer"}, "q_", shared)
    assert all(r.startswith("q_") for r in again)                 # the shared ones are not repeated
    name = next(iter(shared))
    odd = {**shared, name: f"{name} ::= (\"x\")"}
    _, own = any_order.schema_rules({"type": "string"}, "r_", odd)
    assert {r.split(" ::= ")[0] for r in own} >= {"r_" + n for n in shared}   # all renamed apart
    assert all("basic_" not in r.replace("r_basic_", "") for r in own)


def test_a_schema_xgrammar_rejects_still_falls_back_to_free_decoding_with_its_reason(tiny_model):
    from funcall_lib.nudges import Nudges

    model, tok = tiny_model
    odd = {"name": "echo", "parameters": {"type": "object", "properties": {
        "word": {"type": "string", "pattern": "^(a)\\1$"}}, "required": ["word"]}}
    record = {"id": "odd", "tools": [odd], "messages": [{"role": "user", "content": "echo"}]}
    gen = infer.generate(model, tok, [record], tool_choice="required", max_new_tokens=20, max_calls=1,
                         nudges=Nudges(any_order=True))[0]
    assert not gen.constrained and "Backreference" in gen.fallback
