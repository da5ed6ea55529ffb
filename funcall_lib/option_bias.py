"""Option bias: when the model would close a call's arguments, favour writing one more argument
if the user's request mentions an optional parameter the call has not written yet.

Why: after wrong values, the most common avoidable error of our fine-tuned 135M model is a call
that closes its arguments object without an optional parameter the request plainly asks for
("... and an initial investment of $2000": no `initial_investment`; "Find me detailed
information about ...": no `detailed`; "in km/h": no `to_unit`). Under the grammar a required
key cannot be left out, but an optional one is the model's choice, and a small model prefers to
close: optional parameters are missing from many of its training calls.

What it does, per row and per step: a JSON scanner (`CallScanner`, the copy bias's
`ValueScanner` plus what a call holds) follows the generated text and knows the current call's
tool, the keys its arguments object holds so far, and whether the decoder is directly at that
object's level. `mentioned_options` says which of the tool's optional parameters the user's
words mention: every content word of the parameter's name occurs in the request (a shared
long prefix counts: "detail" ~ "detailed"), or one of its enum values does ("km/h"), or a value
its description quotes as an example, the default aside ("e.g., 'IPR', 'Patent'": "patent
lawsuits"; an enum written in prose, quality run 29). When such
a parameter is still unwritten and the row's likeliest token (after the grammar mask) closes the
object ("}", "}}"), `bonus` is added to the logits of the comma tokens (",", ' ,'), so the model
may go on to write another key; at the end of a string value, where the tokenizer ends a value
and goes on in one token ('",') but ends it and closes in two ('"' then '}}'), the same happens
when the likeliest token is the lone or closing quote: the bonus goes to '",'. Acting only when
the model wants to close means no value is cut short (a number being written ends where the
model ends it); a confident close still wins over a small bonus. A parameter counts as pending
only when it comes after every key written so far in the schema's order: the grammar writes
properties in that order, so an earlier one can no longer be written; under `--any-order`
(`funcall_lib.any_order`) it can, and every unwritten mentioned option is pending.

Then the key. Whether the comma came from this bonus or from the model, the key after it is
where the model skips to the optional key it knows best: "Search vegan recipes using
mushrooms, ..." gets `"max_minutes": 1`, made up, instead of `"diet": "vegan"` (test unseen
tools 53, 57, 150), as the schema puts `max_minutes` first. So while a key is being written
directly in the arguments object and a mentioned option is pending, if the likeliest token
spells neither a pending mentioned option nor a required key (the grammar wants that one
anyway), the tokens that go on spelling a pending mentioned option get the bonus, at least
`KEY_BONUS` (32). Why more there: the grammar allows only this tool's keys at that point, so
the bonus chooses which key, never whether to write one or what value, and at 2 it moved none
of the 12 records where it could act; at 8 it fixed 2, at 32 4, breaking none (quality run
25). The value is the model's. `bonus=0` turns both off.

Once per mention. In a turn of several calls of one tool, an option counts for a call only
while the turn's earlier calls of that tool have written it fewer times than the request
mentions it (its name's words, or its enum values): "... at 536 dpi, ... a photo 4238 pixels
wide ..." mentions `dpi` once, for the first photo. Without this, a bonus of 8 wrote a `dpi`
into every call of the turn and broke 3 `test` records in each mode (quality run 26).

Runs after the grammar mask (a masked token stays masked: -inf plus a bonus is still -inf).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

from funcall_lib.copy_bias import (ARGUMENT_KEYS, ScanningBias, ValueScanner, index_by_first_char, per_tokenizer,
                                   token_pieces, tokens_going_on)

# Words of a parameter name that say nothing about what the user asked for.
GENERIC_WORDS = frozenset(
    "type unit units name number num count value level mode info data include use get set list "
    "max min flag option options the and for with".split())
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_MIN_WORD = 3        # shorter name words ("to", "id") and enum phrases are too common to count
_MIN_STEM = 5        # words this long may match on a shared prefix ("owner" ~ "owners")
# The least bonus a mentioned option's key gets where the model writes a key (see the docstring).
KEY_BONUS = 32.0


# ---------------------------------------------------------------- which options the user mentions

def text_words(text: str) -> list[str]:
    """The lowercase words and numbers of a text, as the matching compares them."""
    return re.findall(r"[a-z0-9]+", text.lower())


def name_words(name: str) -> list[str]:
    """The content words of a parameter name: split on "_", ".", "-" and camelCase, lowercase,
    without short words and generic ones ("to_unit" has none; "initialInvestment" two)."""
    return [w for w in text_words(_CAMEL_BOUNDARY.sub(" ", name))
            if len(w) >= _MIN_WORD and w not in GENERIC_WORDS]


def words_match(name_word: str, text_word: str) -> bool:
    """Equal, or both long enough and sharing a prefix of all but their last three letters (at
    least five): "standardize" ~ "standardization", "detail" ~ "detailed"; "rain" !~ "terrain"."""
    if name_word == text_word:
        return True
    shorter = min(len(name_word), len(text_word))
    if shorter < _MIN_STEM:
        return False
    need = max(_MIN_STEM, shorter - 3)
    return name_word[:need] == text_word[:need]


def _enum_values(schema: dict) -> list:
    items = schema.get("items")
    values = schema.get("enum") or (items.get("enum") if isinstance(items, dict) else None)
    return values if isinstance(values, list) else []


def _phrase(value) -> str:
    return " ".join(text_words(str(value)))


# A quoted value opens after a space or a bracket, not inside a word ("the user's friend's").
_QUOTED = re.compile(r"""(?<!\w)['"]([^'"]{2,40})['"](?!\w)""")
_QUOTED_DEFAULT = re.compile(r"""default(?:s| is| value is|:)?\s*(?:to\s*)?['"]([^'"]+)['"]""", re.IGNORECASE)


def stated_examples(description: str) -> list[str]:
    """The values a parameter's description quotes as examples or choices ("e.g., 'IPR',
    'Patent', 'Commercial'", "could be 'IMAX', '2D'"), less the one it quotes as the default
    ("Default is 'all'"): naming the default asks for nothing."""
    defaults = set(_QUOTED_DEFAULT.findall(description or ""))
    return [value for value in _QUOTED.findall(description or "") if value not in defaults]


def _mentions(name: str, schema, words: list[str], phrase_text: str) -> int:
    """How many times the request's `words` mention the parameter: the fewest occurrences of
    any content word of its name, or the occurrences of its enum values, or of the values its
    description quotes (`stated_examples`), as whole-word phrases, whichever is more."""
    content = name_words(name)
    by_name = min((sum(words_match(w, t) for t in words) for w in content), default=0)
    if not isinstance(schema, dict):
        return by_name
    values = [*_enum_values(schema), *stated_examples(schema.get("description", ""))]
    phrases = {_phrase(v) for v in values if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    return max(by_name, sum(phrase_text.count(f" {p} ") for p in phrases if len(p) >= _MIN_WORD))


def _properties(tool: dict) -> dict:
    params = tool.get("parameters")
    props = params.get("properties") if isinstance(params, dict) else None
    return props if isinstance(props, dict) else {}


def optional_parameters(tool: dict) -> list[str]:
    """The tool's optional parameters (in `properties`, not in `required`), in schema order."""
    required = set(tool["parameters"].get("required") or []) if _properties(tool) else set()
    return [name for name in _properties(tool) if name not in required]


def option_mentions(tool: dict, text: str) -> dict[str, int]:
    """{name: how many times the user's `text` mentions it}, in schema order, for the tool's
    optional parameters that it mentions: every content word of the name occurs in the text
    (`name_words`, `words_match`), or one of its enum values (`enum`, or `items.enum` for an
    array) or of the values its description quotes (`stated_examples`), as lowercase words of 3
    characters or more, occurs as a whole-word phrase.
    Parameters whose value is an object, or a list of objects, are left out (`said_in_words`).
    `tool` is a plain tool schema {"name", "description", "parameters"}."""
    words = text_words(text)
    phrase_text = f" {' '.join(words)} "
    props = _properties(tool)
    counts = {name: _mentions(name, props[name], words, phrase_text) for name in optional_parameters(tool)
              if said_in_words(props[name])}
    return {name: n for name, n in counts.items() if n}


def mentioned_options(tool: dict, text: str) -> set[str]:
    """The names of the tool's optional parameters that the user's `text` mentions
    (`option_mentions`)."""
    return set(option_mentions(tool, text))


def said_in_words(schema) -> bool:
    """Can a request's words carry this parameter's value? Not when it is an object or a list of
    objects: "find the Queen of Hearts in the deck" names `deck` (a list of card objects,
    defaulting to a full deck) but gives it no value, and a model pushed to write one makes
    it up (quality run 23: the record this bias broke in both modes)."""
    if not isinstance(schema, dict):
        return True
    items = schema.get("items")
    kinds = {schema.get("type"), items.get("type") if isinstance(items, dict) else None}
    return "object" not in kinds


# ---------------------------------------------------------------- where the decoder is in a call

def _at_arguments_object(stack) -> bool:
    """The innermost open container is a call's arguments object (not an object inside it)."""
    return (len(stack) >= 2 and stack[-1].container == "{" and stack[-2].key in ARGUMENT_KEYS
            and not any(level.key in ARGUMENT_KEYS for level in stack[:-2]))


@dataclass
class CallScanner(ValueScanner):
    """A `ValueScanner` that also knows the call it is in: `tool_name` (the string value of
    "name" in the object that holds the arguments key), `written` (the keys its arguments object
    holds so far) and `at_arguments_level` (directly in that object, not inside a string), and
    the keys the turn's earlier calls wrote (`earlier`, counted per tool)."""

    tool_name: str | None = None
    written: set[str] = field(default_factory=set)
    name_chars: list[str] | None = None     # the "name" value being read, else None
    # {tool name: {key: how many of the turn's earlier calls of that tool wrote it}}
    earlier: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def at_arguments_level(self) -> bool:
        return not self.in_string and _at_arguments_object(self.stack)

    @property
    def in_argument_string(self) -> bool:
        """Inside a string value that sits directly in the arguments object (its closing quote
        is where the model chooses between '"}}' and '",')."""
        return (self.in_string and self.string_kind == "value" and not self.escape
                and _at_arguments_object(self.stack))

    @property
    def key_so_far(self) -> str | None:
        """The key being written directly in the arguments object (its characters so far), else
        None."""
        if self.in_string and self.string_kind == "key" and not self.escape and _at_arguments_object(self.stack):
            return "".join(self.key_chars)
        return None

    def _step(self, ch: str) -> None:
        was_in_string, depth = self.in_string, len(self.stack)
        super()._step(ch)
        if was_in_string:
            self._after_string_char(ch)
        elif self.in_string:
            self._string_opened()
        elif len(self.stack) > depth and self.stack[-1].container == "{":
            self._object_opened()

    def _string_opened(self) -> None:
        # string_kind None: neither a key nor an argument value (ValueScanner's rule)
        if self.string_kind is None and self.stack and self.stack[-1].key == "name":
            self.name_chars = []

    def _after_string_char(self, ch: str) -> None:
        if self.in_string:
            if self.name_chars is not None and not self.escape:
                self.name_chars.append(ch)
        elif self.name_chars is not None:
            self.tool_name, self.name_chars = "".join(self.name_chars), None
        elif self.string_kind == "key" and _at_arguments_object(self.stack):
            self.written.add(self.stack[-1].key)

    def _object_opened(self) -> None:
        if _at_arguments_object(self.stack):
            self.written = set()
        elif not self._in_arguments():      # a new call (or another object outside arguments)
            if self.tool_name is not None:
                counts = self.earlier.setdefault(self.tool_name, {})
                for key in self.written:
                    counts[key] = counts.get(key, 0) + 1
            self.tool_name, self.written = None, set()


# ---------------------------------------------------------------- the logits processor

def closes_object(piece: str) -> bool:
    """A token that closes the current object: "}", " }", "}}", ...."""
    return piece.lstrip().startswith("}")


def continues_object(piece: str) -> bool:
    """A comma token: after leading whitespace it starts with "," and holds only commas,
    whitespace and at most one '"' (",", " ,", ',"')."""
    return (piece.lstrip().startswith(",") and piece.count('"') <= 1
            and all(ch in ',"' or ch.isspace() for ch in piece))


def ends_string_and_object(piece: str) -> bool:
    """A token that ends a string value and then stops, or closes the object: '"', '"}', '"}}'."""
    return piece.startswith('"') and (not piece[1:].strip() or closes_object(piece[1:]))


def ends_string_and_continues(piece: str) -> bool:
    """A token that ends a string value and writes the comma: '",', '", "'."""
    return piece.startswith('"') and continues_object(piece[1:])


@dataclass(frozen=True)
class TurnTokens:
    """Where a bias turns the model from one choice to another, in one vocabulary: the ids of the
    tokens it may be about to take (`taken`) and of those the bonus goes to (`turned_to`), outside
    a string value and at its end (`quote_taken`, `quote_turned_to`). Why both: SmolLM2's
    tokenizer writes a string value's end and the comma as one token ('",') but its end and the
    closing braces as two ('"', '}}'), so after a string the choice is made at the quote. The
    option bias turns closing the arguments to a comma (`option_turns`), the list-end bias a
    comma to closing the list."""

    taken: frozenset[int]
    turned_to: list[int]
    quote_taken: frozenset[int] = frozenset()
    quote_turned_to: list[int] = field(default_factory=list)

    @classmethod
    def from_pieces(cls, pieces: list[str], taken, turned_to, quote_taken, quote_turned_to) -> "TurnTokens":
        """The ids of the `pieces` (each token's text) that pass each test."""
        def ids(test):
            return [i for i, p in enumerate(pieces) if test(p)]

        return cls(frozenset(ids(taken)), ids(turned_to), frozenset(ids(quote_taken)), ids(quote_turned_to))

    def turn(self, scores, rows: list[int], quoted: list[bool], bonus: float) -> int:
        """Add `bonus` to the `turned_to` tokens of each row in `rows` whose likeliest token is one
        of `taken` (the `quote_` pair for rows where `quoted`); returns how many rows got it."""
        turned = 0
        for row, token, at_quote in zip(rows, scores[rows].argmax(dim=-1).tolist(), quoted):
            if token in (self.quote_taken if at_quote else self.taken):
                scores[row, self.quote_turned_to if at_quote else self.turned_to] += bonus
                turned += 1
        return turned


def writes_key(piece: str, written: str, name: str) -> bool:
    """Does `piece`, written after the key's first characters `written`, go on spelling the key
    `name` (and, if it holds the closing quote, end the key exactly there)?"""
    head, quote, _ = piece.partition('"')
    return bool(piece) and name.startswith(written + head) and (not quote or written + head == name)


def option_turns(pieces: list[str]) -> TurnTokens:
    """Closing a call's arguments ("}", "}}"; '"', '"}}' after a string) turned to a comma."""
    return TurnTokens.from_pieces(pieces, closes_object, continues_object, ends_string_and_object,
                                  ends_string_and_continues)


_TOKENS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def option_tokens(tokenizer, size: int) -> TurnTokens:
    """`option_turns` of a tokenizer's vocabulary, computed once per tokenizer and size."""
    return per_tokenizer(_TOKENS, tokenizer, size, lambda tok, n: option_turns(token_pieces(tok, n)))


@dataclass(frozen=True)
class _ToolOptions:
    order: dict[str, int]       # each property's place in the schema
    mentioned: dict[str, int]   # the mentioned optional ones, in schema order: how often each
    required: frozenset[str] = frozenset()
    any_order: bool = False     # the grammar takes this tool's keys in any order (`any_order`)

    def pending(self, written: set[str], earlier: dict[str, int] | None = None) -> list[str]:
        """Mentioned options that can still be written: not written yet (and, unless the grammar
        takes keys in any order, after every written key in schema order), and not yet written
        by as many earlier calls of the tool (`earlier`) as the request mentions them."""
        last = -1 if self.any_order else max((self.order[k] for k in written if k in self.order), default=-1)
        earlier = earlier or {}
        return [name for name, times in self.mentioned.items()
                if name not in written and self.order[name] > last and earlier.get(name, 0) < times]


def _tool_options(tool: dict, text: str, any_order: bool = False) -> _ToolOptions:
    """What the processor needs of a plain tool: its properties' order and mentioned options."""
    from funcall_lib.any_order import orderable

    order = {name: i for i, name in enumerate(_properties(tool))}
    required = frozenset(order) - set(optional_parameters(tool))
    return _ToolOptions(order, option_mentions(tool, text), required,
                        any_order and orderable(tool["parameters"]))


def _options_by_tool(tools: list[dict], text: str, any_order: bool = False) -> dict[str, _ToolOptions]:
    """{tool name: its options} for the offered tools that have a mentioned option."""
    from funcall_lib.infer import plain_tool

    plain = [plain_tool(t) for t in tools]
    options = {t.get("name"): _tool_options(t, text, any_order) for t in plain}
    return {name: o for name, o in options.items() if o.mentioned}


class OptionBias(ScanningBias):
    """A logits processor (see the module docstring); one per `generate` call, rows in order.

    `sources[i]`: the user's text of row i; `tools[i]`: the tools row i offers (plain or
    OpenAI-style). `pieces`: each token id's text, decoded alone (`copy_bias.token_pieces`);
    `tokens`: its `option_turns` when already known (`option_tokens`), else found from `pieces`;
    `by_first_char`: `copy_bias.tokens_by_first_char` of the tokenizer when already known, else
    built from `pieces` at the first key the bias steers. `any_order`: the grammar takes keys in
    any order (`funcall_lib.any_order`), so an option stays pending after a later key.
    """

    def __init__(self, sources: list[str], tools: list[list[dict]], pieces: list[str], bonus: float,
                 tokens: TurnTokens | None = None, by_first_char: dict[str, list[int]] | None = None,
                 any_order: bool = False):
        super().__init__([CallScanner() for _ in sources], pieces, bonus)
        self.tokens = tokens or option_turns(pieces)
        self.options = [_options_by_tool(row_tools, text, any_order) for text, row_tools in zip(sources, tools)]
        self.by_first_char = by_first_char

    def pending_options(self, row: int) -> list[str]:
        """The mentioned options row `row` could still write here (empty unless the decoder is
        directly in a call's arguments object, at its level, at a string value's end or in a key)."""
        scanner = self.scanners[row]
        options = self.options[row].get(scanner.tool_name)
        at_object = scanner.at_arguments_level or scanner.in_argument_string
        if options is None or not (at_object or scanner.key_so_far is not None):
            return []
        return options.pending(scanner.written, scanner.earlier.get(scanner.tool_name))

    def steer_key(self, scores, row: int, pending: list[str], best: int) -> bool:
        """In a key: if the likeliest token spells another optional key than the mentioned ones
        that may still come (`pending`), add the bonus to the tokens that go on spelling one of
        those. Returns whether it did. A required key is the model's to write (the grammar wants
        it)."""
        scanner = self.scanners[row]
        written = scanner.key_so_far
        names = [name for name in pending if name.startswith(written) and name != written]
        required = self.options[row][scanner.tool_name].required
        if not names or any(writes_key(self.pieces[best], written, name) for name in (*names, *required)):
            return False
        if self.by_first_char is None:
            self.by_first_char = index_by_first_char(self.pieces)
        ids = tokens_going_on(self.by_first_char, self.pieces, [name[len(written):] for name in names],
                              lambda piece, rest: writes_key(piece, "", rest))
        scores[row, ids] += max(self.bonus, KEY_BONUS)
        return bool(ids)

    def __call__(self, input_ids, scores):
        self.advance(input_ids)
        if not self.bonus or not self.tokens.turned_to:
            return scores
        pending = {r: names for r in range(len(self.scanners)) if (names := self.pending_options(r))}
        rows = list(pending)
        in_key = [r for r in rows if self.scanners[r].key_so_far is not None]
        if in_key:
            best = scores[in_key].argmax(dim=-1).tolist()
            self.biased_steps += sum(self.steer_key(scores, r, pending[r], b) for r, b in zip(in_key, best))
        rows = [r for r in rows if self.scanners[r].key_so_far is None]
        if rows:
            quoted = [self.scanners[r].in_argument_string for r in rows]
            self.biased_steps += self.tokens.turn(scores, rows, quoted, self.bonus)
        return scores


# What the --option-bias flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("when the model would close a call's arguments while an optional parameter the user's "
             "words mention is unwritten, add B to the logits of the comma tokens; in a key, where "
             "the model would spell another optional key, add B (at least 32) to the tokens that "
             "spell the mentioned one")
