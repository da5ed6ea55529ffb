"""Copy bias: while the model writes an argument value, favour tokens that copy the user's words.

Why: a small model fails to copy a value it has never seen. " Singapore" is one token after a
space, but after the quote that opens a JSON string it splits into "Sing" + "apore"; the model
writes "S" and then the ending it saw most in training ("ydney"). The same happens to numbers
("2 hours" written as 20, "-50000" as -5000). The grammar cannot help: any string is valid JSON.

What it does, per row and per step: a small JSON scanner follows the generated text and knows
when the decoder is inside a value of a call's arguments (string or number) and what the value
holds so far. If that prefix occurs in the user's messages at the start of a word (case-blind;
for numbers also with thousands separators removed, "10,000" -> "10000"), then among the
`top_k` likeliest next tokens, those that continue one of those occurrences exactly as the user
wrote it, or end the value where the user's word ends, get `bonus` added to their logit.
Nothing else changes: the first character of a value is still the model's own choice (which
span to copy, or none), values the request does not contain ("5%" -> 0.05, "Denver" ->
"Denver, CO") get no bias, and other tokens stay possible, so a confident model still writes
what it wants. It is a soft pointer, not a constraint; `bonus=0` turns it off. A large bonus
overrules some conversions the request needs ("4394 grams" for a parameter in kilograms stays
4394); 2 was best on our dev split (docs/benchmarks.md, quality run 6).

Tokens are compared as text, each decoded on its own, so a character that the tokenizer splits
into byte pieces (emoji, most CJK; accented Latin letters are whole tokens in SmolLM2's
vocabulary) gets no bonus: a piece of it decodes to U+FFFD, which the user never wrote.

Runs after the grammar mask (a masked token stays masked: -inf plus a bonus is still -inf).
"""

from __future__ import annotations

import argparse
import math
import re
import weakref
from dataclasses import dataclass, field

ARGUMENT_KEYS = ("arguments", "parameters")   # the key that holds a call's arguments, per family
NUMBER_CHARS = frozenset("0123456789.-+eE")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
WINDOW = 48     # characters of the user's text looked at after a matched prefix


@dataclass
class _Level:
    container: str            # "{" or "["
    key: str | None = None    # the key whose value is being written (objects only)


@dataclass
class ValueScanner:
    """Follows JSON text a character at a time; `value` is the argument value being written
    (its characters so far) or None when the decoder is not inside one."""

    stack: list[_Level] = field(default_factory=list)
    in_string: bool = False
    escape: bool = False
    expect_key: bool = False
    string_kind: str | None = None    # "key", "value" (an argument's) or None (another string)
    key_chars: list[str] = field(default_factory=list)
    value: str | None = None
    kind: str | None = None           # "string" or "number" while `value` is not None

    @classmethod
    def after(cls, text: str):
        """A scanner that has followed `text` (where a decoder would be after writing it)."""
        scanner = cls()
        scanner.feed(text)
        return scanner

    def _in_arguments(self) -> bool:
        return any(level.key in ARGUMENT_KEYS for level in self.stack[:-1])

    def feed(self, text: str) -> None:
        for ch in text:
            self._step(ch)

    def _step(self, ch: str) -> None:
        if self.in_string:
            self._string_char(ch)
            return
        if self.kind == "number":
            if ch in NUMBER_CHARS:
                self.value += ch
                return
            self.value = self.kind = None
        if ch in "{[":
            self.stack.append(_Level(ch))
            self.expect_key = ch == "{"
        elif ch in "}]":
            if self.stack:
                self.stack.pop()
        elif ch == ":":
            self.expect_key = False
        elif ch == ",":
            self.expect_key = bool(self.stack) and self.stack[-1].container == "{"
        elif ch == '"':
            self.in_string = True
            if self.expect_key:
                self.string_kind, self.key_chars = "key", []
            elif self.stack and self._in_arguments():
                self.string_kind, self.value, self.kind = "value", "", "string"
            else:
                self.string_kind = None
        elif (ch.isdigit() or ch == "-") and self.stack and not self.expect_key \
                and self._in_arguments():
            self.value, self.kind = ch, "number"

    def _string_char(self, ch: str) -> None:
        if self.escape:
            self.escape = False
            if self.string_kind == "value":     # an escaped character: leave this value alone
                self.value = self.kind = None
            return
        if ch == "\\":
            self.escape = True
        elif ch == '"':
            self.in_string = False
            if self.string_kind == "key" and self.stack:
                self.stack[-1].key = "".join(self.key_chars)
            self.value = self.kind = None
        elif self.string_kind == "key":
            self.key_chars.append(ch)
        elif self.value is not None:
            self.value += ch


def _word_starts(source: str, prefix: str, number: bool) -> list[int]:
    """Where the text after each occurrence of `prefix` in `source` begins; only occurrences at
    the start of a word or number count. Case-blind ("ancient" is found for a value begun "A"),
    unless lowercasing would change the text's length (then exact)."""
    low, low_prefix = source.lower(), prefix.lower()
    if len(low) != len(source) or len(low_prefix) != len(prefix):
        low, low_prefix = source, prefix
    hits, start = [], low.find(low_prefix)
    while start >= 0:
        before = source[start - 1] if start else " "
        if not (before.isalnum() or (number and before == ".")):
            hits.append(start + len(prefix))
        start = low.find(low_prefix, start + 1)
    return hits


def _ends_here(rest: str, number: bool) -> bool:
    """The user's word (or number) ends where `rest` begins."""
    return not rest or not (rest[0].isdigit() if number else rest[0].isalnum())


def continues(piece: str, rest: str, kind: str) -> bool:
    """Does writing `piece` next copy `rest` (the user's text after the match), or end the
    value exactly where the user's word ends?"""
    number = kind == "number"
    if number:
        head = next((piece[:i] for i, ch in enumerate(piece) if ch not in NUMBER_CHARS), piece)
        closes = len(head) < len(piece)
    else:
        if "\\" in piece.split('"', 1)[0]:
            return False
        head, quote, _ = piece.partition('"')
        closes = bool(quote)
    if not rest.startswith(head) or (not head and not closes):
        return False
    return not closes or _ends_here(rest[len(head):], number)


def _may_continue(piece: str, rests: list[str], kind: str) -> bool:
    """A cheap first test (no false negatives for `continues`): a token copies only if it starts
    with the next character of some user span, and ends a value only if it starts with its end."""
    if not piece:
        return False
    first = piece[0]
    ends_value = first == '"' if kind == "string" else first not in NUMBER_CHARS
    return ends_value or any(rest[:1] == first for rest in rests)


class ScanningBias:
    """What every value bias (copy, option, list-end) shares: one JSON scanner per row, fed the
    token each row took at the previous step (`advance`, first thing in each step), the bonus,
    and a count of the (row, step) pairs that got it. `pieces`: each token id's text, decoded
    alone (`token_pieces`)."""

    def __init__(self, scanners: list, pieces: list[str], bonus: float):
        self.scanners, self.pieces, self.bonus = scanners, pieces, bonus
        self.started = False
        self.biased_steps = 0      # how many (row, step) pairs got a bonus (tests read it)

    def advance(self, input_ids) -> None:
        """Feed each row's scanner the token it took last (nothing at the first step: the last
        token then is the prompt's)."""
        if self.started:
            for scanner, token in zip(self.scanners, input_ids[:, -1].tolist()):
                scanner.feed(self.pieces[token] if token < len(self.pieces) else "")
        self.started = True


class CopyBias(ScanningBias):
    """A logits processor (see the module docstring); one per `generate` call, rows in order.

    `sources[i]`: the user's text of row i. `pieces`: each token id's text, decoded alone.
    """

    def __init__(self, sources: list[str], pieces: list[str], bonus: float = 2.0, top_k: int = 64):
        super().__init__([ValueScanner() for _ in sources], pieces, bonus)
        self.top_k = top_k
        self.text = list(sources)
        self.numbers = [_THOUSANDS.sub("", s) for s in sources]

    def _rests(self, row: int) -> list[str]:
        scanner = self.scanners[row]
        number = scanner.kind == "number"
        source = self.numbers[row] if number else self.text[row]
        return [source[end:end + WINDOW] for end in _word_starts(source, scanner.value, number)]

    def __call__(self, input_ids, scores):
        self.advance(input_ids)
        rows = [r for r, s in enumerate(self.scanners) if s.value]   # non-empty value prefix
        if not rows or self.bonus == 0:
            return scores
        top = scores[rows].topk(min(self.top_k, scores.shape[-1]), dim=-1).indices.tolist()
        for row, candidates in zip(rows, top):
            rests = self._rests(row)
            if not rests:
                continue
            kind = self.scanners[row].kind
            picked = [t for t in candidates if t < len(self.pieces)
                      and _may_continue(self.pieces[t], rests, kind)
                      and any(continues(self.pieces[t], rest, kind) for rest in rests)]
            if picked:
                scores[row, picked] += self.bonus
                self.biased_steps += 1
        return scores


_PIECES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def per_tokenizer(cache: "weakref.WeakKeyDictionary", tokenizer, size: int, build):
    """`build(tokenizer, size)`, computed once per tokenizer and size: a pass over the whole
    vocabulary is too slow to repeat for every `generate` call. The cache hangs off the
    tokenizer object (weakly), as the compiled grammars do."""
    per_tok = cache.setdefault(tokenizer, {})
    if size not in per_tok:
        per_tok[size] = build(tokenizer, size)
    return per_tok[size]


def _decode_each(tokenizer, size: int) -> list[str]:
    n = min(size, len(tokenizer))
    return [tokenizer.decode([i], skip_special_tokens=False) for i in range(n)] + [""] * (size - n)


def token_pieces(tokenizer, size: int) -> list[str]:
    """Each token id's text decoded on its own (ids past the tokenizer's vocabulary: ""),
    computed once per tokenizer and size."""
    return per_tokenizer(_PIECES, tokenizer, size, _decode_each)


def index_by_first_char(pieces: list[str]) -> dict[str, list[int]]:
    """Token ids grouped by the first character of their text (`pieces`, as `token_pieces`)."""
    index: dict[str, list[int]] = {}
    for token, piece in enumerate(pieces):
        if piece:
            index.setdefault(piece[0], []).append(token)
    return index


def tokens_going_on(by_first_char: dict[str, list[int]], pieces: list[str], rests: list[str],
                    goes_on) -> list[int]:
    """The ids of every token of the vocabulary that goes on with one of `rests` (texts still to
    write), as `goes_on(piece, rest)` decides, found through `by_first_char` (an
    `index_by_first_char` of `pieces`), not only among the likeliest tokens."""
    candidates = {t for rest in rests if rest for t in by_first_char.get(rest[0], [])}
    return sorted(t for t in candidates if any(goes_on(pieces[t], rest) for rest in rests))


_BY_FIRST_CHAR: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def tokens_by_first_char(tokenizer, size: int) -> dict[str, list[int]]:
    """`index_by_first_char` of a tokenizer's vocabulary, computed once per tokenizer and size:
    a bias that must find every token going on with some text (the word-finish bias; the option
    bias's key step) searches the whole vocabulary this way, not only the likeliest tokens."""
    return per_tokenizer(_BY_FIRST_CHAR, tokenizer, size,
                         lambda tok, n: index_by_first_char(token_pieces(tok, n)))


def user_text(record: dict) -> str:
    """The user's words in a record: every user message's text, one per line."""
    return "\n".join(m["content"] for m in record.get("messages", [])
                     if m.get("role") == "user" and isinstance(m.get("content"), str))


def is_bonus(value: float) -> bool:
    """A bonus added to allowed tokens' logits must be finite (inf on a masked token's -inf makes
    it NaN, which lets the token through) and 0 (off) or more."""
    return math.isfinite(value) and value >= 0


def bonus_value(text: str) -> float:
    """argparse type of --copy-bias and --option-bias (`is_bonus`), checked before any work starts."""
    value = float(text)
    if not is_bonus(value):
        raise argparse.ArgumentTypeError(f"expected 0 (off) or more, got {text}")
    return value


# What the --copy-bias flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = "add B to the logits of tokens that copy the user's words into an argument value"
