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

Parse: `parse_tool_calls(text, family)` inverts the rendering of each family. It never raises and
never evaluates model text: only `json` decoding and a few textual repairs, each reported.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import NamedTuple

log = logging.getLogger(__name__)

FAMILIES = ("hermes", "llama3", "mistral", "json")
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


# ---------------------------------------------------------------- call formats

class CallFormat(NamedTuple):
    """How a family writes calls: start + separator.join(prefix + call + suffix) + end.

    Each call is one JSON object {"name": ..., args_key: {...}} (plus `"id": "<9 alphanumerics>"`
    last when `id_key` is set), written with json.dumps defaults (", " and ": ", unicode as is).
    """

    start: str
    prefix: str
    suffix: str
    separator: str
    end: str
    args_key: str
    id_key: str | None = None


_FORMATS = {
    "hermes": CallFormat("", "<tool_call>\n", "\n</tool_call>", "\n", "", "arguments"),
    "llama3": CallFormat("", "", "", "; ", "", "parameters"),
    "mistral": CallFormat("[TOOL_CALLS] [", "", "", ", ", "]", "arguments", "id"),
    "json": CallFormat("[", "", "", ", ", "]", "arguments"),
}


def call_wrapper(family: str) -> CallFormat:
    """The text around and between calls for a family (the grammar for constrained decoding)."""
    return _FORMATS["hermes" if family == "qwen" else family]


def call_id(index: int) -> str:
    """The id of the index-th call of a turn: 9 alphanumerics, as Mistral's template requires."""
    return f"call{index:05d}"


def format_calls(calls: list[dict], family: str = "hermes") -> str:
    """Calls written exactly the way the family's template writes them (no end-of-turn token)."""
    fmt = call_wrapper(family)
    objs = []
    for i, c in enumerate(calls):
        obj = {"name": c["name"], fmt.args_key: c["arguments"]}
        if fmt.id_key:
            obj[fmt.id_key] = c["id"] if _valid_id(c.get("id")) else call_id(i)
        objs.append(fmt.prefix + json.dumps(obj, ensure_ascii=False) + fmt.suffix)
    return fmt.start + fmt.separator.join(objs) + fmt.end


def _valid_id(value) -> bool:
    return isinstance(value, str) and len(value) == 9 and value.isascii() and value.isalnum()


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
    return [t if t.get("type") == "function" and "function" in t else {"type": "function", "function": t}
            for t in tools]


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
    return f"{detect_family(tokenizer)} template of {getattr(tokenizer, 'name_or_path', '') or 'the tokenizer'}"


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
    full = _render_checked(tokenizer, messages + [_assistant_message(record["answer"])], tools, rid, False)
    if not full.startswith(prompt):
        folded = _fold_system(messages)
        if folded is not None and _render_checked(tokenizer, folded, tools, rid, True) == prompt:
            full = _render_checked(tokenizer, folded + [_assistant_message(record["answer"])],
                                   tools, rid, False)
    if not full.startswith(prompt):
        raise ValueError(f"record {rid}: the {_template_name(tokenizer)} does not render the prompt "
                         "as a prefix of the full conversation; cannot isolate the answer")
    answer = full[len(prompt):]
    cut = answer.rfind(eot)
    if cut < 0:
        raise ValueError(f"record {rid}: the {_template_name(tokenizer)} wrote no end-of-turn "
                         f"token {eot!r} after the answer")
    return prompt, answer[: cut + len(eot)]


# ---------------------------------------------------------------- parse

@dataclass
class ParseResult:
    """What generated text says.

    `strict_json` is True when nothing needed repair: every call was written in the family's
    format and decoded with plain `json.loads`. A plain-text answer (no call syntax at all) is
    vacuously strict; `has_call_syntax` tells it apart, so an evaluator can rate strictness over
    the outputs that attempted a call, or over all outputs, as it documents.
    """

    calls: list[dict] = field(default_factory=list)   # [{"name": str, "arguments": dict}]
    strict_json: bool = True      # no repair was needed (see above)
    repair: str | None = None     # what repairs were needed, "; "-joined, if any
    content: str = ""             # text outside the calls (the reply when there is no call)
    error: str | None = None      # why something that looked like a call could not be read
    has_call_syntax: bool = False  # the text attempted a call (wrapper, marker or JSON)


_END_TOKENS = ("<|im_end|>", "<|eot_id|>", "<|eom_id|>", "</s>", "<|end|>", "<|endoftext|>",
               "<end_of_turn>")
_THINK_RE = re.compile(r"<think>.*?(?:</think>|$)", re.S)
_FENCE_RE = re.compile(r"```[a-zA-Z]*\s*(.*?)\s*(?:```|$)", re.S)
_EMBEDDED_RE = re.compile(r"[\[{]\s*\{?\s*\"name\"\s*:")
_DECODER = json.JSONDecoder()
_JSON_ERRORS = (ValueError, RecursionError)   # JSONDecodeError is a ValueError


class _Reader:
    """Collects calls, repairs and the first error while one text is parsed."""

    def __init__(self, args_key: str):
        self.args_key, self.calls, self.repairs, self.error = args_key, [], [], None
        self.has_syntax = False

    def repair(self, what: str) -> None:
        if what not in self.repairs:
            self.repairs.append(what)

    def fail(self, why: str) -> None:
        self.error = self.error or why

    def add_value(self, value) -> None:
        """A decoded JSON value: one call object or a list of them."""
        for item in value if isinstance(value, list) else [value]:
            call = self._as_call(item)
            if call is None:
                return self.fail(f"not a call object with a name: {json.dumps(item)[:80]}")
            self.calls.append(call)

    def _as_call(self, obj) -> dict | None:
        if isinstance(obj, dict) and isinstance(obj.get("function"), dict):
            obj = obj["function"]          # OpenAI style {"type": "function", "function": {...}}
        if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
            return None
        for key in (self.args_key, "arguments", "parameters"):
            if key in obj:
                args = obj[key]
                break
        else:
            self.repair("call without arguments read as {}")
            args = {}
        if isinstance(args, str):
            try:
                args = json.loads(args)
                self.repair("arguments given as a JSON string")
            except _JSON_ERRORS:
                return None
        return {"name": obj["name"], "arguments": args} if isinstance(args, dict) else None

    def result(self, content: str) -> ParseResult:
        return ParseResult(calls=self.calls, strict_json=not self.repairs and self.error is None,
                           repair="; ".join(self.repairs) or None, content=content.strip(),
                           error=self.error, has_call_syntax=self.has_syntax)


def _closers(text: str) -> str:
    """The brackets (and quote) that close a truncated JSON text, innermost first."""
    stack, in_string, escaped = [], False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            stack.append("]" if ch == "[" else "}")
        elif ch in "]}" and stack:
            stack.pop()
    return ('"' if in_string else "") + "".join(reversed(stack))


def _load_json(text: str, reader: _Reader):
    """Decode one JSON value, trying safe textual repairs in turn; raises ValueError."""
    text = text.strip()
    try:
        return json.loads(text)
    except _JSON_ERRORS:
        pass
    no_comma = re.sub(r",\s*([}\]])", r"\1", text)
    attempts = [(no_comma, "removed trailing comma")] if no_comma != text else []
    closed = text.rstrip().rstrip(",") + _closers(text)
    attempts.append((closed, "closed truncated JSON"))
    for candidate, what in attempts:
        try:
            value = json.loads(candidate)
        except _JSON_ERRORS:
            continue
        reader.repair(what)
        return value
    try:
        value, _ = _DECODER.raw_decode(text)
    except _JSON_ERRORS as exc:
        raise ValueError(f"not JSON: {exc}"[:200]) from None
    reader.repair("ignored text after the JSON value")
    return value


def _read_sequence(body: str, reader: _Reader) -> str:
    """Read calls from JSON values separated by ';' or whitespace; return the text left over."""
    pos = 0
    while True:
        while pos < len(body) and body[pos] in " \t\r\n;":
            pos += 1
        if pos >= len(body):
            return ""
        if body[pos] not in "{[":
            if reader.calls:
                reader.repair("ignored text after the calls")
            return body[pos:]
        try:
            value, pos = _DECODER.raw_decode(body, pos)
        except _JSON_ERRORS:
            try:
                reader.add_value(_load_json(body[pos:], reader))
            except ValueError as exc:
                reader.fail(str(exc))
            return ""
        reader.add_value(value)


def _read_hermes(body: str, reader: _Reader) -> str | None:
    """<tool_call> blocks; None when there is none. Returns the text outside the blocks."""
    if "<tool_call>" not in body:
        return None
    reader.has_syntax = True
    content, pos = [], 0
    while (start := body.find("<tool_call>", pos)) >= 0:
        content.append(body[pos:start])
        inner = start + len("<tool_call>")
        end = body.find("</tool_call>", inner)
        first = len(body[inner:]) - len(body[inner:].lstrip()) + inner
        try:   # decode first, so a "</tool_call>" inside a string value does not cut the call
            value, stop = _DECODER.raw_decode(body, first)
            tail = body[stop:].lstrip()
            if tail.startswith("</tool_call>"):
                end = len(body) - len(tail)
            else:
                end = body.find("</tool_call>", stop)
                if end >= 0 or tail:
                    reader.repair("ignored text after the JSON value")
        except _JSON_ERRORS:
            try:
                value = _load_json(body[inner:end if end >= 0 else len(body)], reader)
            except ValueError as exc:
                reader.fail(str(exc))
                value = None
        if value is not None:
            reader.add_value(value)
        if end < 0:
            reader.repair("missing </tool_call>")
            return "".join(content)
        pos = end + len("</tool_call>")
    return "".join(content) + body[pos:]


def _read_loose(body: str, reader: _Reader, missing: str | None) -> str:
    """Calls written without the family's wrapper: bare JSON, fenced JSON, or JSON in prose."""
    fence = _FENCE_RE.search(body) if "```" in body else None
    if fence and fence.group(1).startswith(("{", "[")):
        reader.has_syntax = True
        reader.repair("stripped code fence")
        outside = body[:fence.start()] + _read_sequence(fence.group(1), reader) + body[fence.end():]
    elif body.startswith(("{", "[")):
        reader.has_syntax = True
        outside = _read_sequence(body, reader)
    elif (m := _EMBEDDED_RE.search(body)) is not None:
        probe = _Reader(reader.args_key)
        leftover = _read_sequence(body[m.start():], probe)
        if not probe.calls:
            return body
        reader.has_syntax = True
        reader.calls, reader.error = probe.calls, probe.error
        for what in ["extracted calls from surrounding text", *probe.repairs]:
            reader.repair(what)
        return body[:m.start()] + leftover
    else:
        return body
    if missing and reader.calls:
        reader.repair(missing)
    return outside


def _clean(text: str) -> str:
    """Cut at the first end-of-turn token and drop <think> blocks."""
    cut = min([i for i in (text.find(t) for t in _END_TOKENS) if i >= 0] or [len(text)])
    return _THINK_RE.sub("", text[:cut]).strip()


def parse_tool_calls(text: str, family: str = "hermes") -> ParseResult:
    """Parse generated text of a family into calls. Never raises, never evaluates the text.

    Reads the family's own format (see `call_wrapper`), then, with the repair reported, calls
    written without it: bare or fenced JSON, JSON after some prose, truncated JSON, a missing
    closing tag, trailing commas, text after the JSON.
    """
    try:
        return _parse(text if isinstance(text, str) else str(text), family)
    except Exception as exc:  # a parser must not crash evaluation on any model output
        return ParseResult(strict_json=False, error=f"parser error: {type(exc).__name__}: {exc}"[:300])


def _parse(text: str, family: str) -> ParseResult:
    if family not in (*FAMILIES, "qwen"):
        return ParseResult(strict_json=False, error=f"unknown family {family!r}; use one of {FAMILIES}")
    body = _clean(text)
    reader = _Reader(call_wrapper(family).args_key)
    if family in ("hermes", "qwen"):
        content = _read_hermes(body, reader)
        if content is None:
            content = _read_loose(body, reader, "calls not inside <tool_call> tags")
    elif family == "mistral":
        if "[TOOL_CALLS]" in body:
            reader.has_syntax = True
            before, after = body.split("[TOOL_CALLS]", 1)
            content = before + _read_sequence(after, reader)
        else:
            content = _read_loose(body, reader, "calls without the [TOOL_CALLS] marker")
    else:   # llama3 and json: bare JSON is the format itself
        if family == "llama3" and body.startswith("<|python_tag|>"):
            reader.has_syntax = True
            body = body[len("<|python_tag|>"):].lstrip()
        content = _read_loose(body, reader, None)
    return reader.result(content)
