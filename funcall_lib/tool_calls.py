"""Tool calls as text, both ways: how each family writes calls, and a parser that reads them back.

Families: `hermes` (also `qwen`; the fallback template's format), `llama3`, `mistral`, `json`.
`call_wrapper(family)` describes the text around and between calls (what constrained decoding
must produce), `format_calls` writes calls exactly as the family's chat template does, and
`parse_tool_calls` inverts it. `funcall_lib.chat` re-exports all of these.

The parser never raises and never evaluates model text: only `json` decoding and a few textual
repairs, each reported in `ParseResult.repair`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import NamedTuple

FAMILIES = ("hermes", "llama3", "mistral", "json")

class CallFormat(NamedTuple):
    """How a family writes calls: start + separator.join(prefix + call + suffix) + end.

    Each call is one JSON object {"name": ..., args_key: {...}}, written with json.dumps defaults
    (", " and ": ", unicode as is). When `id_key` is set (Mistral), the object ends with
    `id_key: call_id(i)`, i the call's position in its turn: "call00000", "call00001", ...
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
    key = "hermes" if family == "qwen" else family
    if key not in _FORMATS:
        raise ValueError(f"no call layout for family {family!r}; use one of {sorted([*_FORMATS, 'qwen'])}")
    return _FORMATS[key]


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
            obj[fmt.id_key] = call_id(i)     # what render() writes, whatever ids came in
        objs.append(fmt.prefix + json.dumps(obj, ensure_ascii=False) + fmt.suffix)
    return fmt.start + fmt.separator.join(objs) + fmt.end


def completed_calls(text: str, family: str = "hermes") -> list[tuple[int, int, str]]:
    """The calls fully written so far in the family's own format: (start, end, key) each.

    `start`..`end` spans one call with its prefix and suffix; `key` is the call as canonical JSON
    (name + arguments, keys sorted), so two calls with the same key are the same call. Reading
    stops at the first call that is unfinished or not in the format. Used while generating, so it
    only reads (json.loads), never repairs and never evaluates anything.
    """
    fmt = call_wrapper(family)
    opener = fmt.start + fmt.prefix
    pos = text.find(opener) if opener else text.find("{")
    if pos < 0:
        return []
    pos += len(fmt.start)
    decoder, out = json.JSONDecoder(), []
    while text.startswith(fmt.prefix, pos):
        start, at = pos, pos + len(fmt.prefix)
        try:
            obj, end = decoder.raw_decode(text, at)
        except ValueError:
            break
        if not isinstance(obj, dict) or not text.startswith(fmt.suffix, end) or \
                (not fmt.suffix and end == len(text)):
            break  # the suffix is not written yet (or, suffix-less, the call may still go on)
        end += len(fmt.suffix)
        key = json.dumps({"name": obj.get("name"), "arguments": obj.get(fmt.args_key)},
                         sort_keys=True, ensure_ascii=False)
        out.append((start, end, key))
        if not text.startswith(fmt.separator, end):
            break
        pos = end + len(fmt.separator)
    return out


def first_repeat(text: str, family: str = "hermes") -> int | None:
    """Where the text should end if a call repeats an earlier one of the same turn, else None.

    The offset is the end of the last call before the first exact repeat (separator excluded),
    so `text[:offset] + call_wrapper(family).end` is the turn without the repeat.
    """
    seen, previous_end = set(), None
    for start, end, key in completed_calls(text, family):
        if key in seen:
            return previous_end
        seen.add(key)
        previous_end = end
    return None


def drop_repeats(text: str, family: str = "hermes") -> tuple[str, bool]:
    """(text ended at the first exact repeat of a call, whether one was found).

    For greedy outputs this is exactly what generating with `stop_on_repeat` gives: the same
    tokens up to the repeat, then the end of the turn.
    """
    cut = first_repeat(text, family)
    return (text, False) if cut is None else (text[:cut] + call_wrapper(family).end, True)


def subsumes(fuller: dict, call: dict) -> bool:
    """Does `fuller` call the same tool as `call` with every argument of `call`, the same, and
    more?"""
    args, more = call.get("arguments"), fuller.get("arguments")
    return (fuller.get("name") == call.get("name") and isinstance(args, dict) and isinstance(more, dict)
            and len(more) > len(args) and all(k in more and more[k] == v for k, v in args.items()))


def drop_subsumed(text: str, family: str = "hermes") -> tuple[str, int]:
    """(text without each call that another call of the turn subsumes (`subsumes`), how many were
    dropped). Small models write a call, then write it again with the argument they left out
    ("Mix yellow and blue ... lightness 60 percent": `mix_paint_color(yellow, blue)`, then the
    same with `lightness=60`); the fuller call is the one meant. Only calls written whole in the
    family's format are read (`completed_calls`); the rest of the text stays as it is."""
    spans = completed_calls(text, family)
    calls = [json.loads(key) for _, _, key in spans]
    drop = [i for i, call in enumerate(calls) if any(subsumes(other, call) for other in calls)]
    if not drop:
        return text, 0
    kept = [i for i in range(len(spans)) if i not in drop]
    separator = call_wrapper(family).separator
    body = separator.join(text[spans[i][0]:spans[i][1]] for i in kept)
    return text[:spans[0][0]] + body + text[spans[-1][1]:], len(drop)


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


def closing_token(text: str) -> str | None:
    """The end-of-turn token a generated text ends with (`<|im_end|>`, `<|eot_id|>`, ...), or None
    where it ends otherwise (it ran out of tokens)."""
    return next((token for token in _END_TOKENS if text.endswith(token)), None)


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
