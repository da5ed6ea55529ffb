"""Records -> the exact text a model is trained on, and generated text -> tool calls.

Render: when the tokenizer's own chat template writes tools and calls in a format we can parse,
we use it: Llama 3.1/3.2 (`{"name", "parameters"}` after the assistant header), Qwen 2.5/3
(Hermes style `<tool_call>` blocks), Mistral v0.3 (`[TOOL_CALLS] [...]`) and templates that
follow them. Otherwise we install a tool-aware fallback template (Hermes style: tools as JSON
inside <tools></tools> in the system turn, each call a JSON object {"name", "arguments"} inside
<tool_call></tool_call>) into the tokenizer, so the fine-tuned model is saved with a template
that every chat-template consumer renders with tools. The answer is cut out of the template's
own rendering of the whole conversation, so training sees exactly what inference will produce.

Where a real template cannot write a case we handle it, the same way each time:
- Llama 3.x templates raise on more than one call per turn: those turns are written as the
  calls joined by "; " (the separator vLLM's llama3_json parser splits on).
- Mistral v0.3 needs 9-character alphanumeric call ids: calls get `call00000`, `call00001`, ...
  by position in their turn, and tool results the id of the call they answer.
- Mistral v0.3 drops the system message once the conversation goes past the last user turn:
  we fold it into that turn, which is exactly where the template puts it in the prompt.
- Llama 3.2 and Qwen 3 put today's date / a thinking block in the prompt: we pass a fixed date
  and `enable_thinking=False`, so the text is reproducible and the answer is the calls alone.
Anything else the template refuses is raised as a ValueError naming the template and the reason.

Parse: `parse_tool_calls(text, family)` inverts the rendering of each family; it lives in
`funcall_lib.tool_calls` with `format_calls` and `call_wrapper`, and is re-exported here.
"""

from __future__ import annotations

import json
import logging

from funcall_lib.tool_calls import (FAMILIES, CallFormat, ParseResult, call_id, call_wrapper,
                                    drop_repeats, drop_subsumed, first_repeat, format_calls, parse_tool_calls)

__all__ = ["FAMILIES", "DEFAULT_SYSTEM", "NO_CALL_REPLY", "FALLBACK_TEMPLATE", "CallFormat",
           "ParseResult", "call_id", "call_wrapper", "drop_repeats", "drop_subsumed", "first_repeat",
           "format_calls", "parse_tool_calls", "template_supports_tools", "detect_family",
           "ensure_tool_template", "end_of_turn", "render", "render_prompt"]
log = logging.getLogger(__name__)
DEFAULT_SYSTEM = "You are a helpful assistant that uses tools."
NO_CALL_REPLY = "None of the available tools can help with that request."
# Passed to every template; templates that do not use a variable ignore it.
TEMPLATE_KWARGS = {"date_string": "26 Jul 2024", "enable_thinking": False}

# The fallback: ChatML turns, Hermes-style tool block and calls. Tool results go back as a
# `tool` turn wrapped in <tool_response>. Accepts tools as plain function schemas or wrapped in
# {"type": "function", "function": {...}}, and calls with arguments as objects or JSON strings.
FALLBACK_TEMPLATE = (
    # Newlines that follow a block tag are written as {{ nl }}: transformers renders templates
    # with trim_blocks, which would swallow a literal newline there.
    "{% set nl = '\\n' %}"
    "{% macro fn(t) %}{% if t.function is defined %}{{ t.function | tojson }}"
    "{% else %}{{ t | tojson }}{% endif %}{% endmacro %}"
    "{% if messages and messages[0].role == 'system' %}"
    "{% set system_text = messages[0].content %}{% set rest = messages[1:] %}"
    "{% else %}{% set system_text = '" + DEFAULT_SYSTEM + "' %}{% set rest = messages %}{% endif %}"
    "<|im_start|>system\n{{ system_text }}"
    "{% if tools %}{{ nl }}{{ nl }}# Tools{{ nl }}{{ nl }}You may call one or more functions to assist"
    " with the user query. You are provided with function signatures within <tools></tools> XML"
    " tags:{{ nl }}<tools>"
    "{% for t in tools %}{{ nl }}{{ fn(t) }}{% endfor %}{{ nl }}</tools>{{ nl }}{{ nl }}For each function"
    " call, return a json object with function name and arguments within <tool_call></tool_call>"
    " XML tags:{{ nl }}<tool_call>{{ nl }}{\"name\": <function-name>, \"arguments\": <args-json-object>}"
    "{{ nl }}</tool_call>"
    "{% endif %}<|im_end|>{{ nl }}"
    "{% for m in rest %}"
    "{% if m.role == 'tool' %}<|im_start|>tool{{ nl }}<tool_response>{{ nl }}{{ m.content }}{{ nl }}"
    "</tool_response><|im_end|>{{ nl }}"
    "{% elif m.role == 'assistant' %}<|im_start|>assistant{{ nl }}"
    "{% if m.content %}{{ m.content }}{% endif %}"
    "{% if m.tool_calls %}{% for c in m.tool_calls %}"
    "{% set f = c.function if c.function is defined else c %}"
    "{% if not loop.first or m.content %}{{ nl }}{% endif %}"
    "<tool_call>{{ nl }}{\"name\": {{ f.name | tojson }}, \"arguments\": "
    "{% if f.arguments is string %}{{ f.arguments }}{% else %}{{ f.arguments | tojson }}{% endif %}"
    "}{{ nl }}</tool_call>{% endfor %}{% endif %}<|im_end|>{{ nl }}"
    "{% else %}<|im_start|>{{ m.role }}{{ nl }}{{ m.content }}<|im_end|>{{ nl }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant{{ nl }}{% endif %}"
)

_PROBE_NAME = "probe_tool_x7"
_PROBE_TOOL = {"type": "function", "function": {
    "name": _PROBE_NAME, "description": "probe",
    "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}}
_PROBE_ANSWER = "probe answer x7"


# ---------------------------------------------------------------- templates

def _apply(tokenizer, messages, tools=None, add_generation_prompt=False) -> str:
    return tokenizer.apply_chat_template(messages, tools=tools or None, tokenize=False,
                                         add_generation_prompt=add_generation_prompt,
                                         **TEMPLATE_KWARGS)


def template_supports_tools(tokenizer) -> bool:
    """Render a probe tool through the tokenizer's template and look for its name in the text."""
    if not getattr(tokenizer, "chat_template", None):
        return False
    try:
        text = _apply(tokenizer, [{"role": "user", "content": "hi"}], [_PROBE_TOOL], True)
    except Exception:
        return False
    return _PROBE_NAME in text


def _probe_call_family(tokenizer) -> str | None:
    """Render one probe call through the template and see which family's format it wrote."""
    call = {"id": call_id(0), "type": "function",
            "function": {"name": _PROBE_NAME, "arguments": {"q": "x"}}}
    messages = [{"role": "user", "content": "hi"},
                {"role": "assistant", "content": "", "tool_calls": [call]}]
    try:
        text = _apply(tokenizer, messages, [_PROBE_TOOL])
    except Exception:
        return None
    plain = [{"name": _PROBE_NAME, "arguments": {"q": "x"}}]
    for family in ("mistral", "hermes", "llama3"):
        if format_calls(plain, family) in text:
            return family
    return None


_FAMILY_CACHE: dict[str, str | None] = {}


def detect_family(tokenizer) -> str:
    """The tool-call family the tokenizer's template writes: hermes, llama3 or mistral."""
    template = str(getattr(tokenizer, "chat_template", "") or "")
    if template not in _FAMILY_CACHE:
        _FAMILY_CACHE[template] = _probe_call_family(tokenizer) if template else None
    family = _FAMILY_CACHE[template]
    if family:
        return family
    if "[TOOL_CALLS]" in template:
        return "mistral"
    if "<|python_tag|>" in template or "<|eot_id|>" in template:
        return "llama3"
    return "hermes"


def ensure_tool_template(tokenizer) -> str:
    """Install the fallback unless the tokenizer's own template writes tools and calls we parse.

    Returns the family. A template that lists tools but writes calls in a format we do not know
    gets the fallback too (with a warning): training on text the parser cannot read is useless.
    """
    if template_supports_tools(tokenizer):
        detect_family(tokenizer)
        family = _FAMILY_CACHE.get(str(tokenizer.chat_template))
        if family:
            return family
        log.warning("the chat template of %s writes tools but calls in an unknown format; "
                    "installing the Hermes-style fallback template",
                    getattr(tokenizer, "name_or_path", "this tokenizer"))
    tokenizer.chat_template = FALLBACK_TEMPLATE
    return "hermes"


def end_of_turn(tokenizer) -> str:
    """The token that closes an assistant turn in this template (the model learns to stop here).

    Found by rendering a probe answer and reading what follows it; `<|im_end|>` for ChatML/Qwen,
    `<|eot_id|>` for Llama 3, the eos token (`</s>`) for Mistral.
    """
    key = (str(getattr(tokenizer, "chat_template", "") or ""), tokenizer.eos_token)
    if key not in _EOT_CACHE:
        _EOT_CACHE[key] = _probe_end_of_turn(tokenizer)
    return _EOT_CACHE[key]


_EOT_CACHE: dict[tuple, str] = {}


def _probe_end_of_turn(tokenizer) -> str:
    known = ("<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|end|>", "<end_of_turn>", "</s>")
    try:
        text = _apply(tokenizer, [{"role": "user", "content": "hi"},
                                  {"role": "assistant", "content": _PROBE_ANSWER}])
        after = text[text.rindex(_PROBE_ANSWER) + len(_PROBE_ANSWER):].lstrip()
        for token in (tokenizer.eos_token, *known):
            if token and after.startswith(token):
                return token
    except Exception:  # no template, or one that needs more than a plain exchange
        pass
    template = str(getattr(tokenizer, "chat_template", "") or "")
    return next((t for t in known[:-1] if t in template), tokenizer.eos_token)


# ---------------------------------------------------------------- render

def _wrap_tools(tools: list[dict]) -> list[dict]:
    return [t if t.get("type") == "function" and "function" in t
            else {"type": "function", "function": t} for t in tools]


def _template_calls(calls: list[dict]) -> list[dict]:
    """Canonical calls -> OpenAI-style calls with positional ids (name and arguments only)."""
    out = []
    for i, c in enumerate(calls):
        f = c.get("function", c)
        out.append({"id": call_id(i), "type": "function",
                    "function": {"name": f["name"], "arguments": f["arguments"]}})
    return out


def _history(messages: list[dict], family: str) -> list[dict]:
    """Canonical messages -> chat-template messages (calls wrapped OpenAI-style, ids assigned)."""
    out, ids = [], {}
    pending: list[str] = []       # ids of the last call turn not yet answered by a tool message
    for m in messages:
        m = {k: v for k, v in m.items() if v is not None or k == "content"}
        if m.get("content") is None:
            m["content"] = ""
        if m["role"] == "assistant" and m.get("tool_calls"):
            calls = _template_calls(m["tool_calls"])
            ids = {c.get("id"): t["id"] for c, t in zip(m["tool_calls"], calls) if c.get("id")}
            pending = [t["id"] for t in calls]
            if family == "llama3" and len(calls) > 1:   # the template allows one call per turn
                m = {"role": "assistant", "content": format_calls(m["tool_calls"], "llama3")}
            else:
                m["tool_calls"] = calls
        elif m["role"] == "tool":
            if not isinstance(m["content"], str):
                m["content"] = json.dumps(m["content"], ensure_ascii=False)
            tid = ids.get(m.get("tool_call_id")) or (pending[0] if pending else call_id(0))
            m["tool_call_id"] = tid
            pending = [p for p in pending if p != tid]
        else:
            m.pop("tool_calls", None)
        out.append(m)
    return out


def _assistant_message(answer: dict) -> dict:
    calls = answer.get("tool_calls") or []
    if not calls:
        return {"role": "assistant", "content": answer.get("content") or NO_CALL_REPLY}
    return {"role": "assistant", "content": answer.get("content") or "",
            "tool_calls": _template_calls(calls)}


def _fold_system(messages: list[dict]) -> list[dict] | None:
    """Move a leading system message into the last user turn (where Mistral v0.3 writes it)."""
    if not messages or messages[0]["role"] != "system":
        return None
    rest = [dict(m) for m in messages[1:]]
    users = [i for i, m in enumerate(rest) if m["role"] == "user"]
    if not users:
        return None
    rest[users[-1]]["content"] = messages[0]["content"] + "\n\n" + rest[users[-1]]["content"]
    return rest


def _template_name(tokenizer) -> str:
    name = getattr(tokenizer, "name_or_path", "") or "the tokenizer"
    return f"{detect_family(tokenizer)} template of {name}"


def _render_checked(tokenizer, messages, tools, rid, add_generation_prompt):
    try:
        return _apply(tokenizer, messages, tools, add_generation_prompt)
    except Exception as exc:
        raise ValueError(f"record {rid}: the {_template_name(tokenizer)} cannot render this "
                         f"conversation: {exc}") from None


def render_prompt(messages: list[dict], tools: list[dict], tokenizer) -> str:
    """The prompt text up to and including the assistant header, tools rendered in."""
    family = detect_family(tokenizer)
    return _render_checked(tokenizer, _history(messages, family), _wrap_tools(tools), None, True)


def render(record: dict, tokenizer) -> tuple[str, str]:
    """(prompt_text, answer_text) for a canonical record; answer ends with the end-of-turn token.

    The whole conversation is rendered through the template with and without the answer, and
    the answer is what the template wrote after the prompt. Call `ensure_tool_template` first.
    """
    rid, family = record.get("id"), detect_family(tokenizer)
    tools = _wrap_tools(record.get("tools") or [])
    messages = _history(record["messages"], family)
    eot = end_of_turn(tokenizer)
    prompt = _render_checked(tokenizer, messages, tools, rid, True)
    calls = record["answer"].get("tool_calls") or []
    if family == "llama3" and len(calls) > 1:   # the template allows one call per turn
        return prompt, format_calls(calls, "llama3") + eot
    reply = _assistant_message(record["answer"])
    full = _render_checked(tokenizer, messages + [reply], tools, rid, False)
    if not full.startswith(prompt):
        folded = _fold_system(messages)
        if folded is not None and _render_checked(tokenizer, folded, tools, rid, True) == prompt:
            full = _render_checked(tokenizer, folded + [reply], tools, rid, False)
    if not full.startswith(prompt):
        raise ValueError(f"record {rid}: the {_template_name(tokenizer)} does not render the prompt "
                         "as a prefix of the full conversation; cannot isolate the answer")
    answer = full[len(prompt):]
    cut = answer.rfind(eot)
    if cut < 0:
        raise ValueError(f"record {rid}: the {_template_name(tokenizer)} wrote no end-of-turn "
                         f"token {eot!r} after the answer")
    return prompt, answer[: cut + len(eot)]
