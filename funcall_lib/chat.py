"""Records -> the exact text a model is trained on, and generated text -> tool calls.

Render: when the tokenizer's own chat template writes tools, we use it (Llama 3.x, Qwen 2.5/3,
Mistral v0.3 and templates that follow them). Otherwise we install a tool-aware fallback template
(Hermes style: tools as JSON inside <tools></tools> in the system turn, each call a JSON object
{"name", "arguments"} inside <tool_call></tool_call>) into the tokenizer, so the fine-tuned model
is saved with a template every chat-template consumer renders with tools.

Parse: `parse_tool_calls(text, family)` inverts the rendering for each family. It never raises
and never evaluates model text: only `json.loads` and, for near-JSON, a few textual repairs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

FAMILIES = ("hermes", "llama3", "mistral", "json")
DEFAULT_SYSTEM = "You are a helpful assistant that uses tools."
NO_CALL_REPLY = "None of the available tools can help with that request."

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

_PROBE_TOOL = {"type": "function", "function": {
    "name": "probe_tool_x7", "description": "probe",
    "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}}


# ---------------------------------------------------------------- templates

def template_supports_tools(tokenizer) -> bool:
    """Render a probe tool through the tokenizer's template and look for its name in the text."""
    if not getattr(tokenizer, "chat_template", None):
        return False
    try:
        text = tokenizer.apply_chat_template([{"role": "user", "content": "hi"}], tools=[_PROBE_TOOL],
                                             tokenize=False, add_generation_prompt=True)
    except Exception:
        return False
    return "probe_tool_x7" in text


def detect_family(tokenizer) -> str:
    """The tool-call family the tokenizer's template writes: hermes, llama3 or mistral."""
    template = str(getattr(tokenizer, "chat_template", "") or "")
    if "<tool_call>" in template:
        return "hermes"
    if "[TOOL_CALLS]" in template:
        return "mistral"
    if "<|python_tag|>" in template or "<|eom_id|>" in template or "<|eot_id|>" in template:
        return "llama3"
    return "hermes"


def ensure_tool_template(tokenizer) -> str:
    """Install the fallback template unless the tokenizer's own one writes tools; return family."""
    if not template_supports_tools(tokenizer):
        tokenizer.chat_template = FALLBACK_TEMPLATE
        return "hermes"
    return detect_family(tokenizer)


def end_of_turn(tokenizer) -> str:
    """The token that closes an assistant turn in this template."""
    template = str(getattr(tokenizer, "chat_template", "") or "")
    for token in ("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>"):
        if token in template:
            return token
    return tokenizer.eos_token


# ---------------------------------------------------------------- render

def _wrap_tools(tools: list[dict]) -> list[dict]:
    return [{"type": "function", "function": t} for t in tools]


def _assistant_message(answer: dict) -> dict:
    calls = answer.get("tool_calls") or []
    if not calls:
        return {"role": "assistant", "content": answer.get("content") or NO_CALL_REPLY}
    return {"role": "assistant", "content": "", "tool_calls": [
        {"type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
        for c in calls]}


def _history(messages: list[dict]) -> list[dict]:
    """Canonical messages -> chat-template messages (tool calls wrapped OpenAI-style)."""
    out = []
    for m in messages:
        m = dict(m)
        if m.get("tool_calls"):
            m["tool_calls"] = [c if "function" in c else {"type": "function", "function": c}
                               for c in m["tool_calls"]]
            m.setdefault("content", "")
        if m["role"] == "tool" and not isinstance(m.get("content"), str):
            m["content"] = json.dumps(m.get("content"), ensure_ascii=False)
        out.append(m)
    return out


def render_prompt(messages: list[dict], tools: list[dict], tokenizer) -> str:
    """The prompt text up to and including the assistant header, tools rendered in."""
    return tokenizer.apply_chat_template(_history(messages), tools=_wrap_tools(tools) or None,
                                         tokenize=False, add_generation_prompt=True)


def render(record: dict, tokenizer) -> tuple[str, str]:
    """(prompt_text, answer_text) for a canonical record; answer ends with the end-of-turn token.

    Rendered through the template twice, with and without the answer, so the answer is exactly
    what the template writes for it. Call `ensure_tool_template` on the tokenizer first.
    """
    prompt = render_prompt(record["messages"], record.get("tools") or [], tokenizer)
    full = tokenizer.apply_chat_template(
        _history(record["messages"]) + [_assistant_message(record["answer"])],
        tools=_wrap_tools(record.get("tools") or []) or None, tokenize=False)
    if not full.startswith(prompt):
        raise ValueError(f"record {record.get('id')}: the chat template does not render the prompt "
                         "as a prefix of the full conversation; cannot isolate the answer")
    answer = full[len(prompt):]
    eot = end_of_turn(tokenizer)
    cut = answer.rfind(eot)
    if cut < 0:
        raise ValueError(f"record {record.get('id')}: answer has no end-of-turn token {eot!r}")
    return prompt, answer[: cut + len(eot)]


# ---------------------------------------------------------------- parse

@dataclass
class ParseResult:
    calls: list[dict] = field(default_factory=list)   # [{"name": str, "arguments": dict}]
    strict_json: bool = True      # every call parsed with json.loads and no repair
    repair: str | None = None     # what repair was needed, if any
    content: str = ""             # text outside the calls (a plain answer when no call)
    error: str | None = None      # why something that looked like a call could not be read


_TOOL_CALL_RE = re.compile(r"<tool_call>(.*?)(?:</tool_call>|$)", re.S)
_END_TOKENS = ("<|im_end|>", "<|eot_id|>", "<|eom_id|>", "</s>", "<|end|>", "<|endoftext|>")


def _strip_end(text: str) -> str:
    for tok in _END_TOKENS:
        text = text.replace(tok, "")
    return text.strip()


def _loads_with_repair(text: str) -> tuple[object, str | None]:
    """json.loads; on failure try safe textual repairs. Returns (value, repair) or raises."""
    text = text.strip()
    try:
        return json.loads(text), None
    except (json.JSONDecodeError, RecursionError):
        pass
    candidates = []
    fenced = re.sub(r"^```(?:json)?\s*|\s*```$", "", text)
    if fenced != text:
        candidates.append((fenced, "stripped code fence"))
    no_comma = re.sub(r",\s*([}\]])", r"\1", text)
    if no_comma != text:
        candidates.append((no_comma, "removed trailing comma"))
    for closer in ("}", "}}", "]", "}]", "}}]"):
        candidates.append((text + closer, f"closed truncated JSON with {closer!r}"))
    decoder = json.JSONDecoder()
    for candidate, repair in candidates:
        try:
            return json.loads(candidate), repair
        except (json.JSONDecodeError, RecursionError):
            continue
    try:
        value, end = decoder.raw_decode(text)
        return value, "ignored text after the JSON value"
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"not JSON: {exc}") from None


def _as_call(obj: object, args_key: str = "arguments") -> dict | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        return None
    args = obj.get(args_key, obj.get("arguments", obj.get("parameters", {})))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            return None
    if not isinstance(args, dict):
        return None
    return {"name": obj["name"], "arguments": args}


def _calls_from_value(value: object, args_key: str) -> list[dict] | None:
    items = value if isinstance(value, list) else [value]
    calls = [_as_call(v, args_key) for v in items]
    return None if any(c is None for c in calls) else calls


def _parse_segments(segments: list[str], args_key: str, result: ParseResult) -> ParseResult:
    repairs = []
    for seg in segments:
        try:
            value, repair = _loads_with_repair(seg)
        except ValueError as exc:
            result.strict_json, result.error = False, str(exc)
            return result
        calls = _calls_from_value(value, args_key)
        if calls is None:
            result.strict_json, result.error = False, "JSON is not a call object with name and arguments"
            return result
        if repair:
            repairs.append(repair)
        result.calls.extend(calls)
    if repairs:
        result.strict_json, result.repair = False, "; ".join(sorted(set(repairs)))
    return result


def parse_tool_calls(text: str, family: str = "hermes") -> ParseResult:
    """Parse generated text of a family into calls. Never raises, never evaluates the text."""
    try:
        return _parse(text if isinstance(text, str) else str(text), family)
    except Exception as exc:  # a parser must not crash evaluation on any model output
        return ParseResult(strict_json=False, error=f"parser error: {type(exc).__name__}: {exc}")


def _parse(text: str, family: str) -> ParseResult:
    body = _strip_end(text)
    if family in ("hermes", "qwen"):
        segments = _TOOL_CALL_RE.findall(body)
        if not segments:
            return _parse_bare(body)
        content = _TOOL_CALL_RE.sub("", body).strip()
        return _parse_segments(segments, "arguments", ParseResult(content=content))
    if family == "llama3":
        body = body.replace("<|python_tag|>", "").strip()
        if not body.startswith(("{", "[")):
            return ParseResult(content=body)
        # Llama 3.1 writes one JSON object per call; several may be separated by ';' or newlines.
        parts = [p for p in re.split(r"(?<=\})\s*[;\n]\s*(?=\{)", body) if p.strip()]
        return _parse_segments(parts, "parameters", ParseResult())
    if family == "mistral":
        if "[TOOL_CALLS]" not in body:
            return ParseResult(content=body)
        return _parse_segments([body.split("[TOOL_CALLS]", 1)[1]], "arguments", ParseResult())
    if family == "json":
        return _parse_bare(body)
    return ParseResult(strict_json=False, error=f"unknown family {family!r}; use one of {FAMILIES}")


def _parse_bare(body: str) -> ParseResult:
    """Plain JSON (an object or an array of calls); anything else is a text answer."""
    if not body.lstrip().startswith(("{", "[")):
        return ParseResult(content=body)
    return _parse_segments([body], "arguments", ParseResult())


def format_calls(calls: list[dict], family: str = "hermes") -> str:
    """Calls written the way a family's template writes them (no end-of-turn token)."""
    if family in ("hermes", "qwen"):
        return "\n".join("<tool_call>\n" + json.dumps({"name": c["name"], "arguments": c["arguments"]},
                                                      ensure_ascii=False) + "\n</tool_call>"
                         for c in calls)
    if family == "llama3":
        return "; ".join(json.dumps({"name": c["name"], "parameters": c["arguments"]},
                                    ensure_ascii=False) for c in calls)
    if family == "mistral":
        return "[TOOL_CALLS] " + json.dumps([{"name": c["name"], "arguments": c["arguments"]}
                                             for c in calls], ensure_ascii=False)
    return json.dumps([{"name": c["name"], "arguments": c["arguments"]} for c in calls],
                      ensure_ascii=False)
