"""Constrained generation: every constrained call parses as strict JSON and validates.

The tiny random model writes nonsense, which is the point: whatever it prefers, the grammar must
only let through calls that name an offered tool with schema-valid arguments.
"""

from __future__ import annotations

import json
import logging

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funcall_lib import chat, infer
from funcall_lib.nudges import VALUE_BIASES, Nudges

WEATHER = {"name": "get_weather", "description": "Current weather for a city.",
           "parameters": {"type": "object",
                          "properties": {"city": {"type": "string", "maxLength": 12},
                                         "unit": {"type": "string", "enum": ["c", "f"]}},
                          "required": ["city"]}}
ADD = {"type": "function", "function": {
    "name": "add", "description": "Add two numbers.",
    "parameters": {"type": "object", "properties": {"a": {"type": "integer", "minimum": -99,
                                                          "maximum": 99},
                                                    "b": {"type": "integer", "minimum": 0,
                                                          "maximum": 9}},
                   "required": ["a", "b"]}}}


def _record(tools, text="What is the weather in Oslo?", rid="r0"):
    return {"id": rid, "tools": tools, "messages": [{"role": "user", "content": text}]}


def _accepts(tools, family, choice, text):
    import xgrammar as xgr

    grammar = xgr.Grammar.from_ebnf(infer.grammar_ebnf(tools, family, choice),
                                    root_rule_name="fc_root")
    return xgr.testing._is_grammar_accept_string(grammar, text)


# ---------------------------------------------------------------- grammar shape

CALLS = [{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}},
         {"name": "add", "arguments": {"a": 3, "b": 4}}]


@pytest.mark.parametrize("family", ["hermes", "llama3", "mistral", "json"])
def test_grammar_accepts_exactly_what_format_calls_writes(family):
    tools = [WEATHER, ADD]
    assert _accepts(tools, family, "required", chat.format_calls(CALLS, family))
    assert _accepts(tools, family, "required", chat.format_calls(CALLS[:1], family))
    compact = chat.format_calls(CALLS[:1], family).replace(": ", ":")
    assert not _accepts(tools, family, "required", compact)          # whitespace is trained-on
    bad = [{"name": "add", "arguments": {"a": 3}}]                     # missing required "b"
    assert not _accepts(tools, family, "required", chat.format_calls(bad, family))
    unknown = [{"name": "nope", "arguments": {}}]
    assert not _accepts(tools, family, "auto", chat.format_calls(unknown, family))


def test_grammar_matches_the_rendered_training_answer(tool_tokenizer):
    record = {**_record([WEATHER, ADD]), "answer": {"tool_calls": CALLS}}
    _, answer = chat.render(record, tool_tokenizer)
    body = answer[: -len(chat.end_of_turn(tool_tokenizer))]
    assert _accepts([WEATHER, ADD], "hermes", "required", body)


def test_tool_choice_controls_text_and_calls():
    call, text = chat.format_calls(CALLS[:1], "hermes"), chat.NO_CALL_REPLY
    assert _accepts([WEATHER], "hermes", "auto", text)
    assert _accepts([WEATHER], "hermes", "auto", call)
    assert not _accepts([WEATHER], "hermes", "required", text)
    assert _accepts([WEATHER], "hermes", "none", text)
    assert not _accepts([WEATHER], "hermes", "none", call)
    assert not _accepts([WEATHER], "hermes", "auto", " " + call)     # no unconstrained call
    assert not _accepts([WEATHER], "hermes", "auto", "")


def test_bounded_strings_exclude_control_characters():
    call = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "O\\u0001"}}\n</tool_call>'
    raw = call.replace("\\u0001", "\x01")
    assert not _accepts([WEATHER], "hermes", "required", raw)
    with pytest.raises(ValueError):
        infer.grammar_ebnf([WEATHER], "hermes", "sometimes")


# ---------------------------------------------------------------- generation

def _check_valid(gen, tools):
    by_name = {infer.plain_tool(t)["name"]: infer.plain_tool(t) for t in tools}
    assert gen.constrained and gen.fallback is None
    assert gen.text.endswith("<|im_end|>"), f"truncated: {gen.text!r}"
    assert gen.parsed.strict_json and gen.parsed.error is None, gen.text
    assert gen.calls, gen.text
    for segment in gen.text.split("<tool_call>\n")[1:]:
        json.loads(segment.split("\n</tool_call>")[0])                # strict, no repair
    for call in gen.calls:
        jsonschema.Draft202012Validator(by_name[call["name"]]["parameters"]).validate(
            call["arguments"])


def test_generate_required_batch_with_different_tools_per_row(tiny_model):
    model, tok = tiny_model
    records = [_record([WEATHER], rid="w"), _record([ADD], "Add 2 and 3", rid="a"),
               _record([WEATHER, ADD], "Both please, and a long prompt " * 3, rid="b")]
    gens = infer.generate(model, tok, records, tool_choice="required", max_new_tokens=400,
                          batch_size=3, max_calls=2)
    assert [g.id for g in gens] == ["w", "a", "b"]
    for gen, rec in zip(gens, records):
        _check_valid(gen, rec["tools"])
        assert 0 < gen.new_tokens <= 400 and gen.seconds > 0
    assert {c["name"] for c in gens[0].calls} == {"get_weather"}
    assert {c["name"] for c in gens[1].calls} == {"add"}


def test_free_decoding_is_marked_unconstrained(tiny_model):
    model, tok = tiny_model
    gen = infer.generate(model, tok, [_record([WEATHER])], constrained=False, max_new_tokens=8)[0]
    assert not gen.constrained and gen.fallback is None and gen.new_tokens == 8


def test_batched_matches_one_by_one(tiny_model):
    model, tok = tiny_model
    records = [_record([WEATHER], "hi", rid="s"), _record([WEATHER], "a much longer question " * 4)]
    batched = infer.generate(model, tok, records, tool_choice="required", max_new_tokens=60,
                             batch_size=2, max_calls=1)
    single = [infer.generate(model, tok, [r], tool_choice="required", max_new_tokens=60,
                             max_calls=1)[0] for r in records]
    assert [g.text for g in batched] == [g.text for g in single]


def test_unsupported_schema_falls_back_with_reason(tiny_model, caplog):
    model, tok = tiny_model
    odd = {"name": "echo", "parameters": {"type": "object", "properties": {
        "word": {"type": "string", "pattern": "^(a)\\1$"}}, "required": ["word"]}}
    with caplog.at_level(logging.WARNING, logger="funcall_lib.infer"):
        gens = infer.generate(model, tok, [_record([odd], rid="odd"), _record([WEATHER], rid="ok")],
                              tool_choice="required", max_new_tokens=200, max_calls=1)
    assert not gens[0].constrained and "Backreference" in gens[0].fallback
    assert "odd" in caplog.text and "Backreference" in caplog.text
    _check_valid(gens[1], [WEATHER])                                  # its batch-mate still is


def test_grammar_is_compiled_once_per_tool_set(tiny_model, monkeypatch):
    model, tok = tiny_model
    vocab = infer.logits_size(model)
    first = infer.compile_tools(tok, vocab, [WEATHER], "hermes", "auto")
    assert infer.compile_tools(tok, vocab, [WEATHER], "hermes", "auto") is first
    assert infer.compile_tools(tok, vocab, [WEATHER], "hermes", "required") is not first
    assert first.tokenizer_info.vocab_size == model.get_output_embeddings().weight.shape[0]


# ---------------------------------------------------------------- property: always valid

_leaf = st.one_of(
    st.builds(lambda n: {"type": "string", "maxLength": n}, st.integers(1, 8)),
    st.builds(lambda lo, span: {"type": "integer", "minimum": lo, "maximum": lo + span},
              st.integers(-1000, 1000), st.integers(0, 5000)),
    st.builds(lambda lo, span: {"type": "number", "minimum": lo, "maximum": lo + span},
              st.integers(-100, 100), st.integers(1, 1000)),
    st.just({"type": "boolean"}),
    st.builds(lambda vs: {"type": "string", "enum": vs},
              st.lists(st.text("abcxyz_", min_size=1, max_size=6), min_size=1, max_size=4,
                       unique=True)),
)
_keys = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)


def _objects(children):
    props = st.dictionaries(_keys, children, min_size=1, max_size=4)
    return props.flatmap(lambda p: st.lists(st.sampled_from(sorted(p)), unique=True).map(
        lambda req: {"type": "object", "properties": p, "required": req}))


_value = st.recursive(
    _leaf, lambda inner: st.one_of(
        st.builds(lambda it, n: {"type": "array", "items": it, "maxItems": n}, inner,
                  st.integers(0, 3)),
        _objects(inner)), max_leaves=6)
_params = _objects(_value)


def max_bytes(schema: dict) -> int:
    """An upper bound on the bytes of any compact JSON value valid under the test schemas."""
    if "enum" in schema:
        return max(len(json.dumps(v)) for v in schema["enum"])
    kind = schema["type"]
    if kind == "string":
        return 2 + 4 * schema["maxLength"]
    if kind == "integer":
        return max(len(str(schema["minimum"])), len(str(schema["maximum"])))
    if kind == "number":
        return max(len(str(schema["minimum"])), len(str(schema["maximum"]))) + 24
    if kind == "boolean":
        return 5
    if kind == "array":
        return 2 + schema["maxItems"] * (max_bytes(schema["items"]) + 2)
    return 2 + sum(len(json.dumps(k)) + 4 + max_bytes(v) for k, v in schema["properties"].items())


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(params=st.lists(_params, min_size=1, max_size=2), seed_text=st.sampled_from(
    ["Do it.", "Please call the tool with good arguments", "x"]), any_order=st.booleans())
def test_constrained_output_always_parses_and_validates(tool_tokenizer, params, seed_text, any_order):
    """Whatever the schemas, and whether keys come in the schema's order or in any order."""
    model, tok = _tiny(tool_tokenizer)
    tools = [{"name": f"tool_{i}", "description": "generated", "parameters": p}
             for i, p in enumerate(params)]
    per_call = max(len('<tool_call>\n{"name": "tool_0", "arguments": }\n</tool_call>\n')
                   + max_bytes(p) for p in params)
    budget = 2 * per_call + 1                 # max_calls=2 wrapped calls, then the end token
    gen = infer.generate(model, tok, [_record(tools, seed_text)], tool_choice="required",
                         max_new_tokens=budget, max_calls=2, nudges=Nudges(any_order=any_order))[0]
    assert gen.new_tokens < budget or gen.text.endswith("<|im_end|>")
    _check_valid(gen, tools)


_TINY = {}


def _tiny(tokenizer):
    """One tiny model per test session for the property test (fixtures don't mix with @given)."""
    from funcall_lib.models import random_model

    if "m" not in _TINY:
        _TINY["m"] = random_model("tiny", tokenizer=tokenizer, seed=1)[0].eval()
    return _TINY["m"], tokenizer


# ---------------------------------------------------------------- tool loop and CLI

def test_tool_loop_validates_runs_and_feeds_results_back(tiny_model):
    from funcall_lib.toolbox import default_registry

    model, tok = tiny_model
    registry = default_registry()
    messages = [{"role": "user", "content": "How much bread is left?"}]
    transcript = infer.run_tool_loop(model, tok, messages, registry, max_rounds=1,
                                     tool_choice="required", max_new_tokens=300)
    assert transcript[0] == messages[0]
    assistant, tools_out, final = transcript[1], transcript[2:-1], transcript[-1]
    assert assistant["role"] == "assistant" and assistant["tool_calls"]
    assert [m["name"] for m in tools_out] == [c["name"] for c in assistant["tool_calls"]]
    for m in tools_out:
        assert m["role"] == "tool" and isinstance(json.loads(m["content"]), dict)
    assert final["role"] == "assistant" and "tool_calls" not in final   # rounds used up -> text
    # the transcript renders back through the chat template (the next turn's prompt)
    assert "<tool_response>" in chat.render_prompt(transcript, [t.spec() for t in
                                                                registry.values()], tok)


def test_tool_loop_errors_go_back_to_the_model(tiny_model, monkeypatch):
    from funcall_lib import toolbox

    model, tok = tiny_model
    registry = toolbox.default_registry()
    fake = chat.ParseResult(calls=[{"name": "calculator", "arguments": {"expression": "1/0"}}])
    answers = iter([fake, chat.ParseResult(content="cannot divide by zero")])

    def scripted(*args, **kwargs):
        parsed = next(answers)
        return [infer.Generation("x", "", parsed, parsed.calls)]

    monkeypatch.setattr(infer, "generate", scripted)
    transcript = infer.run_tool_loop(model, tok, [{"role": "user", "content": "1/0?"}], registry)
    assert json.loads(transcript[2]["content"]) == {"error": "division by zero"}
    assert transcript[-1] == {"role": "assistant", "content": "cannot divide by zero"}


def test_cli_prints_raw_text_and_calls(tiny_model_dir, tmp_path, capsys):
    from funcall_lib.cli import main

    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([ADD]))
    rc = main(["infer", "--model", str(tiny_model_dir), "--tools", str(tools), "--prompt",
               "add 2 and 3", "--tool-choice", "required", "--max-new-tokens", "120"])
    out = capsys.readouterr().out
    assert rc == 0 and out.startswith("<tool_call>\n")
    result = json.loads(out[out.index("\n{\n") + 1:])
    assert result["constrained"] and result["calls"][0]["name"] == "add"


def test_cli_tools_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "tools.json"
    bad.write_text('[{"name": "a"},\n {"description": 1}]')
    with pytest.raises(ValueError, match=r"tools.json: tool #1 has no string 'name'"):
        infer.load_tools_file(str(bad))
    bad.write_text('[{"name": "a"},\n oops]')
    with pytest.raises(ValueError, match=r"tools.json:2: not JSON"):
        infer.load_tools_file(str(bad))


def test_bench_decode_reports_both_modes(tiny_model_dir, tmp_path, capsys):
    from funcall_lib.cli import main

    out = tmp_path / "bench.json"
    rc = main(["bench", "decode", "--model", str(tiny_model_dir), "--n", "2", "--batch-size", "2",
               "--max-new-tokens", "6", "--repeats", "1", "--threads", "1", "--dtype", "bf16",
               "--out", str(out)])
    result = json.loads(out.read_text())
    assert rc == 0 and result["free_tokens_per_s"] > 0 and result["constrained_tokens_per_s"] > 0
    assert result["machine"]["dtype"] == "bfloat16" and result["config"]["dtype"] == "bf16"
    assert {r["constrained"] for r in result["runs"]} == {False, True}
    assert result["mask_ms_per_token"] > 0 and result["machine"]["xgrammar"]
    assert "| overhead |" in capsys.readouterr().out.replace("overhead | grammar", "overhead |")
    for bias in VALUE_BIASES:
        assert result[f"{bias}_ms_per_token"] is None and result["config"]["nudges"][bias] == 0


@pytest.mark.parametrize("bias", VALUE_BIASES)
def test_bench_decode_times_each_bias_apart(tiny_model_dir, tmp_path, bias):
    from funcall_lib.cli import main

    out = tmp_path / "bench.json"
    rc = main(["bench", "decode", "--model", str(tiny_model_dir), "--n", "2", "--batch-size", "2",
               "--max-new-tokens", "6", "--repeats", "1", "--threads", "1", f"--{bias.replace('_', '-')}", "2",
               "--dtype", "fp32", "--out", str(out)])
    result = json.loads(out.read_text())
    assert rc == 0 and result["config"]["nudges"][bias] == 2 and result[f"{bias}_ms_per_token"] > 0
    for other in set(VALUE_BIASES) - {bias}:
        assert result["config"]["nudges"][other] == 0 and result[f"{other}_ms_per_token"] is None
    assert result["machine"]["dtype"] == "float32"


def test_repeated_call_stop_ends_the_row_and_cuts_the_repeat(tool_tokenizer):
    import torch

    tok = tool_tokenizer
    call = {"name": "get_weather", "arguments": {"city": "Oslo"}}
    other = {"name": "get_weather", "arguments": {"city": "Rome"}}
    prompt = tok("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
                 add_special_tokens=False)["input_ids"]
    looped = chat.format_calls([call, other, call], "hermes") + "\n<tool_call>\n{\"name\""
    clean = chat.format_calls([call, other], "hermes") + "<|im_end|>"
    rows = []
    for text in (looped, clean):
        rows.append(prompt + tok(text, add_special_tokens=False)["input_ids"])
    width = max(map(len, rows))
    stop = infer.RepeatedCallStop(tok, len(prompt), "hermes", 2)
    for step in range(len(prompt) + 1, width + 1):   # feed the rows token by token
        ids = torch.tensor([r[:step] + [tok.pad_token_id] * (step - len(r[:step])) for r in rows])
        done = stop(ids, None)
    assert done.tolist() == [True, False] and stop.stopped == [True, False]
    # what generate() writes for a stopped row: the text cut at the repeat, then end of turn
    assert chat.drop_repeats(looped, "hermes")[0] + "<|im_end|>" == clean
    assert chat.drop_repeats(clean, "hermes") == (clean, False)


def test_stop_on_repeat_leaves_other_rows_alone(tiny_model):
    model, tok = tiny_model
    records = [_record([WEATHER], rid="w"), _record([WEATHER, ADD], "Both please", rid="b")]
    plain = infer.generate(model, tok, records, tool_choice="required", max_new_tokens=120,
                           batch_size=2, max_calls=4)
    ruled = infer.generate(model, tok, records, tool_choice="required", max_new_tokens=120,
                           batch_size=2, max_calls=4, nudges=Nudges(stop_on_repeat=True))
    for a, b in zip(plain, ruled):
        if b.stopped_on_repeat:   # the rule only removes a repeat and what followed it
            keys = [json.dumps(c, sort_keys=True) for c in b.calls]
            assert len(set(keys)) == len(keys) and b.calls == a.calls[:len(b.calls)]
        else:
            assert b.text == a.text


def test_drop_subsumed_rewrites_each_generated_turn(tiny_model, monkeypatch):
    """Generating with drop_subsumed passes every row's text through `chat.drop_subsumed` (its
    rule is tested in test_chat) and keeps what it returns, in either mode."""
    model, tok = tiny_model
    seen = []

    def spy(text, family):
        seen.append(text)
        return "<tool_call>\n" + json.dumps({"name": "get_weather", "arguments": {"city": "Oslo"}}) + \
            "\n</tool_call><|im_end|>", 2

    monkeypatch.setattr(infer.chat, "drop_subsumed", spy)
    records = [_record([WEATHER], rid="w"), _record([WEATHER, ADD], "Both please", rid="b")]
    for constrained in (True, False):
        seen.clear()
        plain = infer.generate(model, tok, records, constrained=constrained, max_new_tokens=40, batch_size=2)
        ruled = infer.generate(model, tok, records, constrained=constrained, max_new_tokens=40, batch_size=2,
                               nudges=Nudges(drop_subsumed=True))
        assert seen == [g.text for g in plain] and all(g.dropped_subsumed == 0 for g in plain)
        assert all(g.calls == [{"name": "get_weather", "arguments": {"city": "Oslo"}}] and g.dropped_subsumed == 2
                   for g in ruled)


def test_stop_on_repeat_cuts_a_forced_loop(tiny_model):
    # One tool without parameters: every second call is necessarily a repeat of the first.
    model, tok = tiny_model
    ping = {"name": "ping", "description": "Check the service.",
            "parameters": {"type": "object", "properties": {}}}
    records = [_record([ping], "ping it", rid=str(i)) for i in range(3)]
    plain = infer.generate(model, tok, records, tool_choice="required", max_new_tokens=80,
                           batch_size=3, max_calls=4)
    ruled = infer.generate(model, tok, records, tool_choice="required", max_new_tokens=80,
                           batch_size=3, max_calls=4, nudges=Nudges(stop_on_repeat=True))
    for a, b in zip(plain, ruled):
        assert len(b.calls) == 1 and b.parsed.strict_json, b.text
        assert b.text.endswith("</tool_call><|im_end|>")
        assert b.stopped_on_repeat == (len(a.calls) > 1)
    assert any(len(a.calls) > 1 for a in plain), "the random model never looped; pick another seed"


def test_a_row_stopped_on_repeat_counts_only_the_tokens_it_wrote(tiny_model):
    """Beside a row that writes to the token limit, a stopped row is padded until the batch
    ends; its `new_tokens` must not count the padding (it read 256 on BFCL rows that had
    stopped early)."""
    model, tok = tiny_model
    ping = {"name": "ping", "description": "Check the service.",
            "parameters": {"type": "object", "properties": {}}}
    records = [_record([ping], "ping it", rid="loops"), _record([WEATHER], rid="writes")]
    looped, other = infer.generate(model, tok, records, tool_choice="required", max_new_tokens=80,
                                   batch_size=2, max_calls=4, nudges=Nudges(stop_on_repeat=True))
    assert looped.stopped_on_repeat and not other.stopped_on_repeat and other.new_tokens == 80, \
        "pick other records: the batch must run to the limit after the first row stopped"
    # it wrote its call and the repeat: more than the text it keeps, less than the batch
    kept = len(tok(looped.text, add_special_tokens=False).input_ids)
    assert kept < looped.new_tokens < 80


# ---------------------------------------------------------------- merging the adapter to decode

def _logits(model, tok):
    import torch

    ids = tok("What is the weather in Oslo?", return_tensors="pt").input_ids
    with torch.no_grad():
        return model(input_ids=ids).logits


def test_prepare_for_inference_merges_the_adapter_and_keeps_its_outputs(tiny_model_dir, tiny_adapter_dir):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from funcall_lib.evaluate import evaluate_model
    from funcall_lib.models import load_model

    loaded = load_model(tiny_model_dir, adapter=tiny_adapter_dir, dtype="fp32")
    unmerged = _logits(loaded.model, loaded.tokenizer)
    infer.prepare_for_inference(loaded)
    assert loaded.adapter_merged and not isinstance(loaded.model, PeftModel)
    merged = _logits(loaded.model, loaded.tokenizer)
    assert (merged - unmerged).abs().max() < 1e-4
    base = _logits(AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval(), loaded.tokenizer)
    assert (base - unmerged).abs().max() > 1e-2          # the adapter changes the model
    report, _ = evaluate_model(tiny_model_dir, [_record([WEATHER]) | {"answer": {"tool_calls": []}, "meta": {}}],
                               adapter=tiny_adapter_dir, loaded=loaded, max_new_tokens=4)
    assert report["adapter_merged"] is True

    kept = load_model(tiny_model_dir, adapter=tiny_adapter_dir, dtype="fp32")
    infer.prepare_for_inference(kept, merge_adapter=False)
    assert isinstance(kept.model, PeftModel) and not kept.adapter_merged
