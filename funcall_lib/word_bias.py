"""Word-finish bias: when a string value has copied four or more letters of a word of the
user's and the model would go on with other letters, favour the tokens that finish the word as
the user wrote it.

Why: our fine-tuned 135M model starts copying a word it has rarely seen and then spells the
rest its own way: "hawksbill turtle" becomes "hawk" + "bill turtle" (in six of the seven
unseen-tools records that name it), "Liverpool" becomes "Liver" + "ly", "tomatoes" becomes
"tomat" + "os", "governing law" becomes "govern" + "ance". The copy bias (`copy_bias`) cannot
fix these: it looks only at the 64 likeliest tokens and adds 2 (its best on our dev split), and
after "hawk" the model puts "bill" 21.6 logits above "s", far outside them. A larger copy bias
would also overrule the conversions a request needs ("4394 grams" for a parameter in
kilograms), which happen at a value's start and in numbers, not inside a word.

What it does, per row and per step: the copy bias's scanner and matching. Where the decoder is
inside a string argument value that so far copies the user's text from the start of a word
(case-blind), the value ends in `MIN_LETTERS` or more letters, at every place the user's text
matches it the user's word goes on with a letter, and the likeliest token (after the grammar
and the biases before this one) goes on with letters that are not the user's, then `bonus` is
added to the logits of every token in the vocabulary that goes on copying the user's word
exactly as written. Where the likeliest token ends the word instead (a closing quote, a space,
punctuation), the row is left alone: "price" for "prices", "GOOGL" for "Google" and "Calif"
for "California" are the model's to choose. So is everything outside a word the user wrote.
`bonus=0` turns it off.

Why four letters: fewer match by chance, and codes and short forms rightly part from the
user's word early ("JPY" after "J" of "Japanese", "vegan" after "veg" of "vegetarian"). Values
the schema confines to a list of options are settled by the grammar, which runs first: a masked
token stays masked (-inf plus a bonus is still -inf).
"""

from __future__ import annotations

import re

from funcall_lib.copy_bias import CopyBias, continues, tokens_going_on

MIN_LETTERS = 4
_LAST_LETTERS = re.compile(r"[^\W\d_]+$")


def letters_at_end(value: str) -> int:
    """How many letters `value` ends with ("New Yo" -> 2, "hawk" -> 4, "B678" -> 0)."""
    found = _LAST_LETTERS.search(value)
    return len(found.group(0)) if found else 0


def respells(piece: str, rests: list[str]) -> bool:
    """Does writing `piece` next go on with letters that copy none of the user's `rests`?"""
    return piece[:1].isalpha() and not any(continues(piece, rest, "string") for rest in rests)


class WordFinishBias(CopyBias):
    """A logits processor (see the module docstring); one per `generate` call, rows in order.
    `by_first_char`: `copy_bias.tokens_by_first_char` of the tokenizer whose `pieces` these are.
    Where it acts (`acting_rests`) and what counts as leaving the user's text (`turns_away`)
    are its two rules; the name bias (`name_bias.NameBias`) keeps the rest and changes those."""

    def __init__(self, sources: list[str], pieces: list[str], bonus: float,
                 by_first_char: dict[str, list[int]]):
        super().__init__(sources, pieces, bonus=bonus)
        self.by_first_char = by_first_char

    def acting_rests(self, row: int) -> list[str]:
        """The user's text after each match of the row's value, if the value is a string that
        stops inside the user's word at every match, MIN_LETTERS or more letters in ([]: not)."""
        scanner = self.scanners[row]
        if scanner.kind != "string" or letters_at_end(scanner.value or "") < MIN_LETTERS:
            return []
        rests = self._rests(row)
        return rests if all(rest[:1].isalpha() for rest in rests) else []

    def turns_away(self, row: int, piece: str, rests: list[str]) -> bool:
        """Does the likeliest token `piece` leave the user's text (`rests`, from `acting_rests`)?"""
        return respells(piece, rests)

    def __call__(self, input_ids, scores):
        self.advance(input_ids)
        if self.bonus == 0:
            return scores
        acting = {row: rests for row in range(len(self.scanners)) if (rests := self.acting_rests(row))}
        if not acting:
            return scores
        likeliest = scores[list(acting)].argmax(dim=-1).tolist()
        for (row, rests), best in zip(acting.items(), likeliest):
            if best >= len(self.pieces) or not self.turns_away(row, self.pieces[best], rests):
                continue
            picked = tokens_going_on(self.by_first_char, self.pieces, rests,
                                     lambda piece, rest: continues(piece, rest, "string"))
            if picked:
                scores[row, picked] += self.bonus
                self.biased_steps += 1
        return scores


# What the --word-bias flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = (f"when a string value has copied {MIN_LETTERS} or more letters of a word of the user's and "
             "the model would go on with other letters, add B to the logits of the tokens that "
             "finish the word as the user wrote it")
