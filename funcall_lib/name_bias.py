"""Name bias: when a string value begins with the first letters of a name the user wrote and the
model would go on with other letters, favour the tokens that spell the user's name.

Why: a small model copies a name it has rarely seen by its first letter and then writes the name
it knows best: "125 Main Street, Singapore" gives "city": "Sydney" (three records of our `test`
split and one of `test_unseen_tools`, in both modes), "Honolulu" gives "Houlet", "Portland"
"Pomax", "Anchorage" "Achimae". The copy bias (`copy_bias`) adds 2 to the 64 likeliest tokens,
and after "S" the model puts "ydney" far above "ingapore"; the word-finish bias (`word_bias`)
waits for four copied letters, as a common word parts from the user's early and rightly ("veg"
of "vegetarian" becomes "vegan", "k" of "kilometers" "km"). A name is different: nothing else
starts like it but another name.

What it does, per row and per step: the copy bias's scanner. Where the decoder is inside a
string argument value that so far is one to three letters, the first a capital, and the
user's text holds a name that begins with exactly those letters (a capitalised word of four or
more letters, the rest lowercase, that does not open a sentence: "Singapore" in "order it to
Singapore", not "What" in "What's the AQI?"), and the likeliest token (after the grammar and
the biases before this one) goes on with a lowercase letter that copies none of the user's
words (case-blind, so "Sea" + "food" stays when the user wrote "seafood"), then `bonus` is added
to the logits of every token in the vocabulary that goes on spelling one of those names.
Capital letters next are left alone ("T" + "SLA" for Tesla, "C" + "HF"), and so is a value
that ends there, a value that does not start with a capital, and every value past its third
letter, where the word-finish bias takes over. Which name, when several begin alike, is the
model's. `bonus=0` turns it off.

Runs after the grammar mask (a masked token stays masked: -inf plus a bonus is still -inf).
"""

from __future__ import annotations

import re

from funcall_lib.copy_bias import WINDOW, continues
from funcall_lib.word_bias import MIN_LETTERS, WordFinishBias

_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_ENDS = ".!?\n"
_OPENERS = " \t\"'“‘(["


def opens_sentence(text: str, start: int) -> bool:
    """Is the word at `start` the first of a sentence (its capital then says nothing)?"""
    before = text[:start].rstrip(_OPENERS)
    return not before or before[-1] in _SENTENCE_ENDS


def user_names(text: str) -> list[tuple[int, str]]:
    """Where the names in the user's text start, and the names: capitalised words of
    `MIN_LETTERS` or more letters, the rest lowercase ("Singapore", "Kraków"; not "BoardGameGeek"
    nor "USA"), that do not open a sentence."""
    names = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        before = text[match.start() - 1] if match.start() else " "
        if (len(word) >= MIN_LETTERS and word[0].isupper() and word[1:].islower()
                and not before.isalnum() and before not in "'’" and not opens_sentence(text, match.start())):
            names.append((match.start(), word))
    return names


class NameBias(WordFinishBias):
    """A logits processor (see the module docstring); one per `generate` call, rows in order.
    `by_first_char`: `copy_bias.tokens_by_first_char` of the tokenizer whose `pieces` these are.
    The word-finish bias's processor with its two rules changed: where it acts (the first
    letters of a name) and what counts as leaving the user's text (a lowercase letter no word of
    the user's goes on with)."""

    def __init__(self, sources: list[str], pieces: list[str], bonus: float,
                 by_first_char: dict[str, list[int]]):
        super().__init__(sources, pieces, bonus=bonus, by_first_char=by_first_char)
        self.names = [user_names(text) for text in sources]

    def acting_rests(self, row: int) -> list[str]:
        """The user's text after the row's value in each name that the value begins, if the value
        is a string of one to `MIN_LETTERS` - 1 letters starting with a capital ([]: not)."""
        scanner = self.scanners[row]
        value = scanner.value or ""
        if (scanner.kind != "string" or not 0 < len(value) < MIN_LETTERS or not value.isalpha()
                or not value[0].isupper()):
            return []
        text = self.text[row]
        return [text[start + len(value):start + len(value) + WINDOW] for start, name in self.names[row]
                if name.startswith(value) and len(name) > len(value)]

    def turns_away(self, row: int, piece: str, rests: list[str]) -> bool:
        """Does `piece` go on with a lowercase letter that copies none of the user's words (any
        place the value matches, case-blind, not only the names)?"""
        return piece[:1].islower() and not any(continues(piece, rest, "string") for rest in self._rests(row))


# What the --name-bias flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = (f"when a string value is the first 1-{MIN_LETTERS - 1} letters of a name the user wrote "
             "(a capitalised word inside a sentence) and the model would go on with other lowercase "
             "letters, add B to the logits of the tokens that spell the name")
