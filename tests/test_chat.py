"""Rendering through real and fallback templates, and parsing back what they write.

The real templates (tests/fixtures/templates, see SOURCES.md there) are installed into copies of
the embedded tokenizer: their special tokens are then plain text, which is all render and parse
need. No network.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funcall_lib import chat

TEMPLATES = Path(__file__).parent / "fixtures" / "templates"
SYSTEM = {"role": "system", "content": "You are a helpful assistant that uses tools."}
WEATHER = {"name": "get_weather", "description": "Current weather for a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                          "required": ["city"]}}
ANY = {"type": "object", "properties": {}}
TOOLS = [WEATHER, {"name": "search", "description": "Search a catalogue.", "parameters": ANY},
         {"name": "get_time", "description": "The time now.", "parameters": ANY}]


def rec(rid, calls, messages=None, content=None, system=True):
    msgs = messages or [{"role": "user", "content": "Please help."}]
    answer = {"tool_calls": calls} if content is None else {"tool_calls": calls, "content": content}
    return {"id": rid, "messages": ([SYSTEM] if system else []) + msgs, "tools": TOOLS,
            "answer": answer, "meta": {"source": "test", "category": "simple"}}


def call(name, **args):
    return {"name": name, "arguments": args}


HISTORY = [{"role": "user", "content": "Weather in Oslo?"},
           {"role": "assistant", "content": None, "tool_calls": [call("get_weather", city="Oslo")]},
           {"role": "tool", "name": "get_weather", "content": "{\"temp_c\": 3, \"sky\": \"rain\"}"}]
PARALLEL_HISTORY = [{"role": "user", "content": "Oslo and Bergen?"},
                    {"role": "assistant", "content": "", "tool_calls": [
                        call("get_weather", city="Oslo"), call("get_weather", city="Bergen")]},
                    {"role": "tool", "content": {"temp_c": 3}},
                    {"role": "tool", "content": {"temp_c": 7}}]
RECORDS = [
    rec("simple", [call("get_weather", city="Oslo")]),
    rec("unicode", [call("search", q="Zürich 日本語 ✓ 🌧", note='say "hi" \\ back\nslash / tab\t')]),
    rec("nested", [call("search", filter={"range": {"min": 1, "max": 2.5}, "tags": ["a", "b"]})]),
    rec("objects", [call("search", items=[{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}])]),
    rec("scalars", [call("search", n=0, x=-3.25, big=12345678901234, one=1.0, flag=True,
                         off=False, none=None, empty="", lst=[])]),
    rec("parallel", [call("get_weather", city="Oslo"), call("get_time"),
                     call("search", q="umbrella", limit=3)]),
    rec("empty-args", [call("get_time")]),
    rec("tricky", [call("search", q='a </tool_call> b; {"name": 1} [TOOL_CALLS] end')]),
    rec("no-call", [], content="I cannot do that with these tools."),
    rec("no-call-default", []),
    rec("no-system", [call("get_weather", city="Lima")], system=False),
    rec("multi-turn", [call("get_time")], messages=HISTORY),
    rec("multi-turn-text", [], messages=HISTORY, content="It is 3 °C and raining in Oslo."),
    rec("multi-turn-parallel", [call("search", q="coat")], messages=PARALLEL_HISTORY),
]
CALL_RECORDS = [r for r in RECORDS if r["answer"]["tool_calls"]]
# file (or the fallback), family, bos, eos (None: keep the embedded tokenizer's)
REAL = [("llama-3.1-instruct.jinja", "llama3", "<|begin_of_text|>", "<|eot_id|>"),
        ("llama-3.2-instruct.jinja", "llama3", "<|begin_of_text|>", "<|eot_id|>"),
        ("qwen2.5-instruct.jinja", "hermes", None, None),
        ("qwen3.jinja", "hermes", None, None),
        ("mistral-7b-instruct-v0.3.jinja", "mistral", "<s>", "</s>"),
        ("fallback", "hermes", None, None)]
EOT = {"llama3": "<|eot_id|>", "hermes": "<|im_end|>", "mistral": "</s>"}


def same(a, b) -> bool:
    """Equal with types and order: 1 != 1.0 != True, key order counts."""
    return json.dumps(a) == json.dumps(b)


def gold(record):
    return [{"name": c["name"], "arguments": c["arguments"]} for c in record["answer"]["tool_calls"]]


@pytest.fixture(scope="module", params=REAL, ids=[r[0] for r in REAL])
def real(request, embedded_tokenizer):
    name, family, bos, eos = request.param
    tok = copy.deepcopy(embedded_tokenizer)
    tok.chat_template = chat.FALLBACK_TEMPLATE if name == "fallback" else (TEMPLATES / name).read_text()
    if bos:
        tok.bos_token, tok.eos_token = bos, eos
    return tok, family, name


# ---------------------------------------------------------------- templates

def test_smollm2_gets_the_fallback(embedded_tokenizer):
    tok = copy.deepcopy(embedded_tokenizer)
    assert not chat.template_supports_tools(tok)
    assert chat.ensure_tool_template(tok) == "hermes"
    assert tok.chat_template == chat.FALLBACK_TEMPLATE
    assert chat.template_supports_tools(tok) and chat.end_of_turn(tok) == "<|im_end|>"


def test_templates_are_detected_and_kept(real):
    tok, family, _ = real
    before = tok.chat_template
    assert chat.template_supports_tools(tok)
    assert chat.detect_family(tok) == family
    assert chat.ensure_tool_template(tok) == family
    assert tok.chat_template == before
    assert chat.end_of_turn(tok) == EOT[family]


def test_unknown_call_format_gets_the_fallback(embedded_tokenizer, caplog):
    tok = copy.deepcopy(embedded_tokenizer)
    tok.chat_template = ("{% for t in tools or [] %}{{ t.function.name }} {% endfor %}"
                         "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}")
    assert chat.template_supports_tools(tok)
    assert chat.ensure_tool_template(tok) == "hermes"
    assert tok.chat_template == chat.FALLBACK_TEMPLATE
    assert "unknown format" in caplog.text


@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_render_parses_back(real, record):
    tok, family, _ = real
    prompt, answer = chat.render(record, tok)
    eot = EOT[family]
    assert answer.endswith(eot) and eot not in answer[: -len(eot)]
    assert prompt == chat.render_prompt(record["messages"], record["tools"], tok)
    parsed = chat.parse_tool_calls(answer, family)
    assert same(parsed.calls, gold(record)), (answer, parsed)
    assert parsed.strict_json and parsed.error is None
    assert parsed.has_call_syntax == bool(gold(record))
    if not gold(record):
        assert parsed.content == (record["answer"].get("content") or chat.NO_CALL_REPLY)


@pytest.mark.parametrize("record", CALL_RECORDS, ids=[r["id"] for r in CALL_RECORDS])
def test_format_calls_is_what_the_template_writes(real, record):
    tok, family, _ = real
    _, answer = chat.render(record, tok)
    assert answer == chat.format_calls(record["answer"]["tool_calls"], family) + EOT[family]


def test_rendered_templates_use_their_own_call_format(real):
    tok, family, _ = real
    _, answer = chat.render(RECORDS[0], tok)
    expected = {"llama3": '{"name": "get_weather", "parameters": {"city": "Oslo"}}<|eot_id|>',
                "hermes": '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n'
                          '</tool_call><|im_end|>',
                "mistral": '[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Oslo"}, '
                           '"id": "call00000"}]</s>'}
    assert answer == expected[family]


def test_prompt_holds_tools_system_and_header(real):
    tok, family, name = real
    prompt, _ = chat.render(RECORDS[0], tok)
    assert "get_weather" in prompt and "Current weather for a city." in prompt
    assert "You are a helpful assistant that uses tools." in prompt
    header = {"llama3": "<|start_header_id|>assistant<|end_header_id|>\n\n",
              "mistral": "[/INST]", "hermes": "<|im_start|>assistant\n"}[family]
    if name == "qwen3.jinja":
        header += "<think>\n\n</think>\n\n"
    assert prompt.endswith(header)


def test_mistral_history_gets_valid_ids_and_matching_results(real):
    tok, family, _ = real
    if family != "mistral":
        pytest.skip("Mistral only")
    prompt, _ = chat.render(RECORDS[-1], tok)
    assert prompt.count('"id": "call00000"') == 1 and prompt.count('"id": "call00001"') == 1
    assert '"call_id": "call00000"}' in prompt and '"call_id": "call00001"}' in prompt


def test_template_refusal_is_a_clear_error(real):
    tok, family, _ = real
    if family == "mistral":   # roles must alternate, tool turns aside
        bad = rec("user-after-tool", [call("get_time")],
                  messages=HISTORY + [{"role": "user", "content": "And the time?"}])
        with pytest.raises(ValueError, match=r"user-after-tool.*mistral template.*alternate"):
            chat.render(bad, tok)
    elif family == "llama3":  # tools go into the first user message
        bad = {**rec("no-user", [call("get_time")]), "messages": [SYSTEM]}
        with pytest.raises(ValueError, match=r"no-user.*llama3 template.*no first user message"):
            chat.render(bad, tok)
    else:
        pytest.skip("ChatML templates render any sequence of roles")


def test_prompt_and_answer_are_the_templates_own_text(real):
    """No rewriting behind the template's back: prompt + answer is what it renders itself."""
    tok, family, _ = real
    messages = [{"role": "user", "content": "Weather in Lima?"}]
    answer = {"role": "assistant", "content": "", "tool_calls": [
        {"id": "call00000", "type": "function",
         "function": {"name": "get_weather", "arguments": {"city": "Lima"}}}]}
    kwargs = dict(tools=[{"type": "function", "function": t} for t in TOOLS], tokenize=False,
                  date_string="26 Jul 2024", enable_thinking=False)
    own_prompt = tok.apply_chat_template(messages, add_generation_prompt=True, **kwargs)
    own_full = tok.apply_chat_template(messages + [answer], **kwargs)
    prompt, text = chat.render(rec("own", [call("get_weather", city="Lima")],
                                   messages=messages, system=False), tok)
    assert prompt == own_prompt
    assert own_full in (prompt + text, prompt + text + "\n")


# ---------------------------------------------------------------- fallback

def test_fallback_survives_save_and_load(tool_tokenizer, tmp_path):
    from transformers import AutoTokenizer

    tool_tokenizer.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded.chat_template == chat.FALLBACK_TEMPLATE
    assert chat.ensure_tool_template(loaded) == "hermes"
    for record in RECORDS:
        assert chat.render(record, loaded) == chat.render(record, tool_tokenizer)


def test_fallback_renders_plain_and_openai_tools_alike(tool_tokenizer):
    messages = [{"role": "user", "content": "hi"}]
    plain = tool_tokenizer.apply_chat_template(messages, tools=TOOLS, tokenize=False,
                                               add_generation_prompt=True)
    wrapped = tool_tokenizer.apply_chat_template(
        messages, tools=[{"type": "function", "function": t} for t in TOOLS], tokenize=False,
        add_generation_prompt=True)
    assert plain == wrapped
    assert "<tools>\n" + json.dumps(WEATHER, ensure_ascii=False) + "\n" in plain


def test_fallback_text_of_a_multi_turn_record(tool_tokenizer):
    prompt, answer = chat.render(RECORDS[-1], tool_tokenizer)
    assert prompt.startswith("<|im_start|>system\nYou are a helpful assistant that uses tools.\n\n"
                             "# Tools\n")
    assert ('<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": '
            '{"city": "Oslo"}}\n</tool_call>\n<tool_call>\n{"name": "get_weather", '
            '"arguments": {"city": "Bergen"}}\n</tool_call><|im_end|>\n') in prompt
    assert ('<|im_start|>tool\n<tool_response>\n{"temp_c": 3}\n</tool_response><|im_end|>\n'
            '<|im_start|>tool\n<tool_response>\n{"temp_c": 7}\n</tool_response><|im_end|>\n'
            '<|im_start|>assistant\n') in prompt
    assert prompt.endswith("<|im_start|>assistant\n")
    assert answer == '<tool_call>\n{"name": "search", "arguments": {"q": "coat"}}\n</tool_call><|im_end|>'


def test_no_call_answer_is_the_reply(tool_tokenizer):
    assert chat.render(RECORDS[8], tool_tokenizer)[1] == "I cannot do that with these tools.<|im_end|>"
    assert chat.render(RECORDS[9], tool_tokenizer)[1] == chat.NO_CALL_REPLY + "<|im_end|>"


# ---------------------------------------------------------------- parse

@pytest.mark.parametrize("family", ["hermes", "qwen", "llama3", "mistral", "json"])
@pytest.mark.parametrize("record", CALL_RECORDS, ids=[r["id"] for r in CALL_RECORDS])
def test_format_then_parse_is_identity(family, record):
    parsed = chat.parse_tool_calls(chat.format_calls(record["answer"]["tool_calls"], family), family)
    assert same(parsed.calls, gold(record)) and parsed.strict_json and parsed.has_call_syntax


def test_call_wrapper_rebuilds_format_calls():
    calls = gold(RECORDS[5])
    for family in chat.FAMILIES:
        w = chat.call_wrapper(family)
        objs = []
        for i, c in enumerate(calls):
            obj = {"name": c["name"], w.args_key: c["arguments"]}
            if w.id_key:
                obj[w.id_key] = chat.call_id(i)
            objs.append(w.prefix + json.dumps(obj, ensure_ascii=False) + w.suffix)
        assert w.start + w.separator.join(objs) + w.end == chat.format_calls(calls, family)
    assert chat.call_wrapper("hermes")[1:4] == ("<tool_call>\n", "\n</tool_call>", "\n")


W = {"name": "get_weather", "arguments": {"city": "Oslo"}}
CASES = [  # family, text, calls, repair (None = strict), has_call_syntax
    ("hermes", "It is sunny.", [], None, False),
    ("hermes", '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}', [W],
     "missing </tool_call>", True),
    ("hermes", '<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}</tool_call>', [W],
     "closed truncated JSON", True),
    ("hermes", '{"name": "get_weather", "arguments": {"city": "Oslo"}}', [W],
     "calls not inside <tool_call> tags", True),
    ("hermes", '```json\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n```', [W],
     "stripped code fence; calls not inside <tool_call> tags", True),
    ("hermes", 'Sure! {"name": "get_weather", "arguments": {"city": "Oslo"}} Done.', [W],
     "extracted calls from surrounding text; ignored text after the calls", True),
    ("hermes", '<think>hm</think><tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo",}}'
     '\n</tool_call><|im_end|>', [W], "removed trailing comma", True),
    ("hermes", '<tool_call>\n{"name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}\n'
     '</tool_call>', [W], "arguments given as a JSON string", True),
    ("llama3", '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Oslo"}}<|eom_id|>',
     [W], None, True),
    ("llama3", '{"name": "get_weather", "parameters": {"city": "Oslo"}};\n'
     '{"name": "get_weather", "arguments": {"city": "Oslo"}}', [W, W], None, True),
    ("llama3", '{"type": "function", "name": "get_weather", "parameters": {"city": "Oslo"}}\n'
     '{"name": "get_weather", "parameters": {"city": "Oslo"}}', [W, W], None, True),
    ("llama3", '{"name": "get_weather", "parameters": {"city": "Oslo"}} trailing words', [W],
     "ignored text after the calls", True),
    ("mistral", '[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Oslo"}, '
     '"id": "abcDEF123"}]</s>', [W], None, True),
    ("mistral", '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Oslo"}}', [W],
     "closed truncated JSON", True),
    ("mistral", "Nothing to call here.", [], None, False),
    ("json", '[{"name": "get_weather", "arguments": {"city": "Oslo"}}]', [W], None, True),
    ("json", '{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}',
     [W], None, True),
]


@pytest.mark.parametrize("family,text,calls,repair,syntax", CASES)
def test_parse_cases(family, text, calls, repair, syntax):
    parsed = chat.parse_tool_calls(text, family)
    assert same(parsed.calls, calls), parsed
    assert parsed.repair == repair and parsed.strict_json == (repair is None)
    assert parsed.has_call_syntax == syntax and parsed.error is None


@pytest.mark.parametrize("text", ['<tool_call>\nnot json at all\n</tool_call>',
                                  '<tool_call>{"city": "Oslo"}</tool_call>',
                                  '{"name": 3, "arguments": {}}', "[" * 5000, "{" * 100000])
def test_unreadable_calls_report_an_error(text):
    parsed = chat.parse_tool_calls(text, "hermes")
    assert parsed.calls == [] and not parsed.strict_json and parsed.error and parsed.has_call_syntax


def test_plain_answer_keeps_its_text_and_unknown_family_is_reported():
    parsed = chat.parse_tool_calls("Paris is the capital.<|im_end|>", "hermes")
    assert parsed.content == "Paris is the capital." and parsed.calls == [] and parsed.strict_json
    bad = chat.parse_tool_calls("{}", "gemma")
    assert bad.error and "unknown family" in bad.error


JSONISH = st.lists(st.sampled_from(
    ['{', '}', '[', ']', '"', ':', ',', ';', '\\', '"name"', '"arguments"', '"parameters"',
     '"get_weather"', '1', '-2.5e3', 'true', 'null', ' ', '\n', '<tool_call>', '</tool_call>',
     '[TOOL_CALLS]', '<|python_tag|>', '<|im_end|>', '<think>', '```json', '```', 'NaN', '{"a"']),
    max_size=60).map("".join)


def _check_never_raises(text):
    for family in (*chat.FAMILIES, "qwen"):
        parsed = chat.parse_tool_calls(text, family)
        assert isinstance(parsed, chat.ParseResult)
        assert all(isinstance(c["name"], str) and isinstance(c["arguments"], dict)
                   for c in parsed.calls)
        assert parsed.strict_json == (parsed.repair is None and parsed.error is None)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parser_never_raises_on_any_text(text):
    _check_never_raises(text)


@settings(max_examples=300, deadline=None)
@given(JSONISH)
def test_parser_never_raises_on_json_fragments(text):
    _check_never_raises(text)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 200_000), st.sampled_from(["[", "{", '{"a":', "[{", '<tool_call>{"name": "x", "arguments": ']))
def test_parser_survives_deep_nesting(depth, unit):
    _check_never_raises(unit * depth)


REPEAT_A = {"name": "f", "arguments": {"x": 1, "tags": ["a", "b"]}}
REPEAT_B = {"name": "g", "arguments": {"y": "s}"}}


@pytest.mark.parametrize("family", ["hermes", "llama3", "mistral", "json"])
def test_first_repeat_cuts_before_the_repeated_call(family):
    from funcall_lib.tool_calls import completed_calls, first_repeat

    end = chat.call_wrapper(family).end
    looped = chat.format_calls([REPEAT_A, REPEAT_B, REPEAT_A, REPEAT_B], family) + "<|end|>"
    cut = first_repeat(looped, family)
    assert looped[:cut] + end == chat.format_calls([REPEAT_A, REPEAT_B], family)
    assert first_repeat(chat.format_calls([REPEAT_A, REPEAT_B], family) + "<|end|>", family) is None
    # a call still being written is not counted, even when it would repeat
    partial = chat.format_calls([REPEAT_A, REPEAT_A], family)[:-4]
    assert len(completed_calls(partial, family)) == 1 and first_repeat(partial, family) is None
    # same name, other arguments: not a repeat
    other = {"name": "f", "arguments": {"x": 2, "tags": ["a", "b"]}}
    assert first_repeat(chat.format_calls([REPEAT_A, other], family) + "<|end|>", family) is None


@pytest.mark.parametrize("family", ["hermes", "llama3", "mistral", "json"])
def test_drop_subsumed_keeps_the_fuller_call_of_a_tool(family):
    from funcall_lib.tool_calls import drop_subsumed

    mix = {"name": "mix", "arguments": {"color1": "yellow", "color2": "blue"}}
    lighter = {"name": "mix", "arguments": {"color1": "yellow", "color2": "blue", "lightness": 60}}
    other = {"name": "mix", "arguments": {"color1": "red", "color2": "blue", "lightness": 60}}
    def kept(calls):     # the calls left and how many went (Mistral's call ids stay as written)
        text, dropped = drop_subsumed(chat.format_calls(calls, family) + "<|end|>", family)
        assert text.endswith(chat.call_wrapper(family).end + "<|end|>")
        return chat.parse_tool_calls(text, family).calls, dropped

    assert kept([mix, REPEAT_B, lighter, other]) == ([REPEAT_B, lighter, other], 1)
    assert kept([lighter, mix]) == ([lighter], 1)       # the fuller call first: the other goes all the same
    # other values, another tool with the same arguments, an exact repeat: none is subsumed
    for calls in ([mix, {"name": "mix", "arguments": {"color1": "red", "color2": "blue", "lightness": 1}}],
                  [mix, {"name": "blend", "arguments": {**lighter["arguments"]}}], [mix, mix]):
        text = chat.format_calls(calls, family) + "<|end|>"
        assert drop_subsumed(text, family) == (text, 0)


def test_drop_subsumed_reads_only_calls_written_whole():
    from funcall_lib.tool_calls import drop_subsumed

    mix = {"name": "mix", "arguments": {"color1": "yellow"}}
    fuller = {"name": "mix", "arguments": {"color1": "yellow", "lightness": 60}}
    unfinished = chat.format_calls([mix, fuller], "hermes")[:-3]
    assert drop_subsumed(unfinished, "hermes") == (unfinished, 0)
    said = "Sure. " + chat.format_calls([mix, fuller], "hermes") + "<|im_end|>"
    assert drop_subsumed(said, "hermes") == ("Sure. " + chat.format_calls([fuller], "hermes") + "<|im_end|>", 1)
    assert drop_subsumed("no calls { here", "hermes") == ("no calls { here", 0)


def test_first_repeat_ignores_text_that_is_not_a_call():
    from funcall_lib.tool_calls import first_repeat

    assert first_repeat("no calls here { not json }", "hermes") is None
    assert first_repeat("", "llama3") is None
    text = "Sure. " + chat.format_calls([REPEAT_A, REPEAT_A], "hermes") + "<|im_end|>"
    assert text[:first_repeat(text, "hermes")].endswith("</tool_call>")
