"""List-end bias: when the model would go on with a list argument after an item where the
user's own list ends, favour closing the list.

Why: our fine-tuned 135M model often runs a list on past the user's last item. "... with the
following data: 85, 90, 88, 92, 86, 89, 91 and set bin range to 5" gives `data` an eighth
item, 5; "dataset_A with the values 12, 24, 36 and dataset_B with ..." gives dataset_A a 46;
"from 2015 to 2021 in New York" gives `[2015, 2021, 5, 2021]`; "a restaurant that serves vegan
food" gives `["Vegan", "Vegetarian"]`. The grammar cannot help: any number of items is valid.

What it does, per row and per step: a JSON scanner (`ListScanner`, the copy bias's
`ValueScanner` plus the item it has just written) follows the generated text and knows when
the decoder is directly in a list that is a call's argument, and the text of the item it is
writing or has just written. If that item occurs in the user's words (case-blind, as a whole
word or number; for numbers also with thousands separators removed), and at none of its
occurrences do the user's words go on to another item (`goes_on`: a separator such as ",",
"and", "or", "to", "/", possibly after a word or two such as a unit, then another number, or
for strings another word; between numbers also the "x" or "by" of dimensions, "16x16" and
"4 ft x 4 ft"), and the row's likeliest token (after the grammar mask) goes on with
the list (","; or '",' at the end of a string item), then `bonus` is added to the logits of
the tokens that close it ("]", "]}", ...; '"]' at the end of a string item). Items the user did
not write as such ("5%" -> 0.05, a city the model names itself) are left alone: without an
occurrence there is nothing to read the list's end from. A confident model still goes on;
`bonus=0` turns it off.

Runs after the grammar mask (a masked token stays masked: -inf plus a bonus is still -inf), so a
list the schema wants longer (`minItems`) is never cut.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from funcall_lib.copy_bias import (_THOUSANDS, ScanningBias, ValueScanner, _ends_here, _word_starts,
                                   per_tokenizer, token_pieces)
from funcall_lib.option_bias import (TurnTokens, _at_arguments_object, continues_object,
                                     ends_string_and_continues)

# What may stand between two items of a list the user writes: a separator, possibly after up
# to two words that qualify the item ("5 kg, 10 kg", "33.4 N, 112.0 W"), then the next item.
# Numbers also pair as dimensions ("16x16", "4 ft x 4 ft", "6 by 3"): a list such as [16, 16].
_SEPARATOR = r"(?:,|;|/|&|\+|\band\b|\bor\b|\bto\b|\bthen\b|\bthrough\b|\bversus\b|\bvs\b\.?)"
_DIMENSION = r"(?:x|×|\bby\b)"
_QUALIFIER = r"(?:\s*[^\s\d,;/&+][^\s,;/&+]*){0,2}"
_NEXT_ITEM = {
    "number": re.compile(_QUALIFIER + r"\s*(?:" + _SEPARATOR + "|" + _DIMENSION + r")\s*(?:and\s+)?[-+$€£(]?\d",
                         re.I),
    "string": re.compile(_QUALIFIER + r"\s*" + _SEPARATOR + r"\s*(?:and\s+|or\s+)?[\"'(]?\w", re.I),
}


def goes_on(item: str, kind: str, text: str) -> bool | None:
    """Does the user's `text` go on to another item after `item` (a "number" or a "string")?
    True if it does after some occurrence of the item, False if the item occurs only where the
    user's list ends, None if the item does not occur as a whole word or number."""
    number = kind == "number"
    source = _THOUSANDS.sub("", text) if number else text
    ends = [end for end in _word_starts(source, item, number) if _ends_here(source[end:], number)]
    if not item or not ends:
        return None
    return any(_NEXT_ITEM[kind].match(source, end) for end in ends)


def _in_argument_list(stack) -> bool:
    """The innermost open container is a list that is a call's argument (not a list in a list)."""
    return len(stack) >= 3 and stack[-1].container == "[" and _at_arguments_object(stack[:-1])


@dataclass
class ListScanner(ValueScanner):
    """A `ValueScanner` that also keeps the list item it has just written: `last_item` (its
    text) and `last_kind`, from the item's end until the next comma or closing bracket."""

    last_item: str | None = None
    last_kind: str | None = None

    def _step(self, ch: str) -> None:
        value, kind = self.value, self.kind
        super()._step(ch)
        if value is not None and self.value is None and _in_argument_list(self.stack):
            self.last_item, self.last_kind = value, kind    # the item ended here
        if not self.in_string and ch in ",]}":
            self.last_item = self.last_kind = None

    @property
    def in_list(self) -> bool:
        """Directly in a call's list argument, or in a string item of one."""
        return _in_argument_list(self.stack)

    def current_item(self) -> tuple[str, str] | None:
        """(text, kind) of the item being written or just written, if in a list argument."""
        if not self.in_list or self.escape:
            return None
        if self.value is not None:
            return self.value, self.kind
        if self.last_item is not None:
            return self.last_item, self.last_kind
        return None


def closes_list(piece: str) -> bool:
    """A token that closes the current list: "]", " ]", "]}", "],", ...."""
    return piece.lstrip().startswith("]")


def ends_string_and_closes_list(piece: str) -> bool:
    """A token that ends a string item and closes the list: '"]', '"],', ...."""
    return piece.startswith('"') and closes_list(piece[1:])


def list_turns(pieces: list[str]) -> TurnTokens:
    """Going on with a list ("," after an item; '",' at a string item's end) turned to closing
    it ("]", "]}", ...; '"]')."""
    return TurnTokens.from_pieces(pieces, continues_object, closes_list, ends_string_and_continues,
                                  ends_string_and_closes_list)


_TOKENS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def list_tokens(tokenizer, size: int) -> TurnTokens:
    """`list_turns` of a tokenizer's vocabulary, computed once per tokenizer and size."""
    return per_tokenizer(_TOKENS, tokenizer, size, lambda tok, n: list_turns(token_pieces(tok, n)))


class ListEndBias(ScanningBias):
    """A logits processor (see the module docstring); one per `generate` call, rows in order.

    `sources[i]`: the user's text of row i. `pieces`: each token id's text, decoded alone
    (`copy_bias.token_pieces`); `tokens`: its `list_turns` when already known (`list_tokens`),
    else found from `pieces`.
    """

    def __init__(self, sources: list[str], pieces: list[str], bonus: float,
                 tokens: TurnTokens | None = None):
        super().__init__([ListScanner() for _ in sources], pieces, bonus)
        self.sources = list(sources)
        self.tokens = tokens or list_turns(pieces)

    def list_ends_here(self, row: int) -> bool:
        """The item row `row` is writing or has just written is where the user's list ends."""
        item = self.scanners[row].current_item()
        return item is not None and goes_on(item[0], item[1], self.sources[row]) is False

    def __call__(self, input_ids, scores):
        self.advance(input_ids)
        if not self.bonus:
            return scores
        rows = [r for r, s in enumerate(self.scanners) if s.in_list and self.list_ends_here(r)]
        if rows:
            quoted = [self.scanners[r].in_string for r in rows]
            self.biased_steps += self.tokens.turn(scores, rows, quoted, self.bonus)
        return scores


# What the --list-bias flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("when the model would go on with a list argument after an item where the user's own "
             "list ends, add B to the logits of the tokens that close the list")
