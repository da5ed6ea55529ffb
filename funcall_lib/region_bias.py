"""Region bias: when the model would end a place value whose parameter asks for the city with
its state (or country), and the value names no region yet, favour going on with a comma.

Why: "The city and state, e.g. San Francisco, CA" is how tool schemas most often describe a
location (it is the description of the first function-calling example most people see), and
BFCL's answers then want "Chicago, IL", not "Chicago". Our fine-tuned 135M model ends the value
after the city: "New York" where the description reads "The city and state, e.g. New York,
NY" (BFCL simple_python 35, 158, 387), "Chicago" under "In the format City, State", even
"Boston" where the user wrote "Boston, MA" (simple_python 85): 7 of 400 simple_python records
failed so with run 23's rules. Data did not fix it at this size: more wordings of such
descriptions in training made the dropped state more common, not less (docs/benchmarks.md,
runs 16-17), and the copy bias cannot help, as the state is often not in the request.

What it does, per row and per step: the option bias's scanner (`CallScanner`) knows the call's
tool, the key whose value is being written and whether the decoder is inside a string directly
in the arguments object. `region_parameters` says which of each offered tool's string
parameters want a region: the description names the city and the state, country, province or
region ("The city and state", "in the format City, State", "City and country"), or gives an
example of the form "e.g. Austin, TX"; "the city, state, or country" offers a choice of one and
does not count. There, when the value so far is not empty and holds no comma, and the row's
likeliest token (after the grammar and the biases before this one) ends the string (a token
that starts with '"', after spaces or not), `bonus` is added to the logits of the tokens that
write a comma inside the string (",", ", "). Which region follows is the model's: the state it
knows, or the one the user wrote, which the copy bias favours. But not nothing: right after
that comma (or its space), if the likeliest token still ends the string, the bonus goes to the
tokens that begin a capitalised word (" IL", "Illinois"), as "Chicago, " is no value at all (at
B = 32, before this step, the model wrote it for "In the format City, State"). A value that
already names a region ("Boston, MA") is left alone, and so is every parameter whose
description says nothing of one: a plain `city` stays plain. `bonus=0` turns it off.

Runs after the grammar mask (a masked token stays masked: -inf plus a bonus is still -inf), so
an `enum` or `pattern` that forbids the comma still wins.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from funcall_lib.copy_bias import ScanningBias, per_tokenizer, token_pieces
from funcall_lib.option_bias import CallScanner, TurnTokens, _properties

# "The city and state", "City, State", "city and its country": the description names the city and
# a region together. Not "city, state, or country" nor "city/state/country": those offer a choice
# of one (BFCL parallel_8 wants "Alaska" there, and "city" for the kind of area).
_CITY_AND_REGION = re.compile(r"\bcity\s*(?:,|and|&|with)\s*(?:its\s+|the\s+)?"
                              r"(?:state|country|province|region)\b(?!\s*,?\s*or\b)", re.I)
# An example value of the form "e.g. Austin, TX" or "e.g., New York City, NY": capitalised
# words, a comma, a two-letter capital code (case-sensitive: "e.g. Lyon, la ville" is not one).
_EXAMPLE_WITH_CODE = re.compile(r"\b(?:[Ee]\.g\.|[Ff]or example|such as)[,:]?\s+(?:[A-Z][\w.'-]*\s+)*"
                                r"[A-Z][\w.'-]*,\s*[A-Z]{2}\b(?![\w-])")


def wants_region(description: str) -> bool:
    """Does a parameter's description ask for the city together with its state or country?"""
    return bool(_CITY_AND_REGION.search(description) or _EXAMPLE_WITH_CODE.search(description))


def region_parameters(tool: dict) -> frozenset[str]:
    """The names of a plain tool's string parameters whose description `wants_region`."""
    return frozenset(name for name, schema in _properties(tool).items()
                     if isinstance(schema, dict) and schema.get("type") == "string"
                     and isinstance(schema.get("description"), str) and wants_region(schema["description"]))


def _regions_by_tool(tools: list[dict]) -> dict[str, frozenset[str]]:
    """{tool name: its region parameters} for the offered tools that have one."""
    from funcall_lib.infer import plain_tool

    found = {t.get("name"): region_parameters(t) for t in map(plain_tool, tools)}
    return {name: params for name, params in found.items() if params}


def ends_string(piece: str) -> bool:
    """A token that ends the string value, after spaces or not: '"', '",', '"}}', ' ",' (which
    SmolLM2 takes after "Chicago," to write "Chicago, " and end it)."""
    return piece.lstrip(" ").startswith('"')


def writes_comma(piece: str) -> bool:
    """A token that writes one comma inside the string and stays there: "," or ", " (",," would
    write two)."""
    return piece in (",", ", ")


def starts_region(piece: str) -> bool:
    """A token that begins a region's name after the comma: a capital letter, after at most one
    space (" IL", "Illinois", " New"), with no quote or backslash in it. Not a lowercase word:
    after "Chicago," the copy bias favours the user's next words (" with ticket availability"),
    which name no region."""
    word = piece[1:] if piece.startswith(" ") else piece
    return word[:1].isupper() and '"' not in piece and "\\" not in piece


@dataclass(frozen=True)
class RegionTokens:
    """Where the region bias turns ending a string value, in one vocabulary: to the comma while
    the value has none (`comma`), and to a region's first letters right after one (`region`)."""

    comma: TurnTokens
    region: TurnTokens


def region_turns(pieces: list[str]) -> RegionTokens:
    """Ending a string value turned to a comma inside it, or after one to a region's first
    letters (every row it acts on is in a string, so only the `quote_` pairs are filled)."""
    ends = frozenset(i for i, p in enumerate(pieces) if ends_string(p))
    commas = [i for i, p in enumerate(pieces) if writes_comma(p)]
    regions = [i for i, p in enumerate(pieces) if starts_region(p)]
    return RegionTokens(TurnTokens(frozenset(), [], ends, commas), TurnTokens(frozenset(), [], ends, regions))


_TOKENS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def region_tokens(tokenizer, size: int) -> RegionTokens:
    """`region_turns` of a tokenizer's vocabulary, computed once per tokenizer and size."""
    return per_tokenizer(_TOKENS, tokenizer, size, lambda tok, n: region_turns(token_pieces(tok, n)))


class RegionBias(ScanningBias):
    """A logits processor (see the module docstring); one per `generate` call, rows in order.

    `tools[i]`: the tools row i offers (plain or OpenAI-style). `pieces`: each token id's text,
    decoded alone (`copy_bias.token_pieces`); `tokens`: its `region_turns` when already known
    (`region_tokens`), else found from `pieces`.
    """

    def __init__(self, tools: list[list[dict]], pieces: list[str], bonus: float,
                 tokens: RegionTokens | None = None):
        super().__init__([CallScanner() for _ in tools], pieces, bonus)
        self.tokens = tokens or region_turns(pieces)
        self.regions = [_regions_by_tool(row_tools) for row_tools in tools]

    def missing(self, row: int) -> str | None:
        """What row `row`'s value still lacks, if it is a region parameter's value begun: "comma"
        (it has none), "region" (it ends in its one comma, and spaces), else None."""
        scanner = self.scanners[row]
        if not scanner.in_argument_string or not scanner.value:
            return None
        params = self.regions[row].get(scanner.tool_name)
        if params is None or scanner.stack[-1].key not in params:
            return None
        commas = scanner.value.count(",")
        if commas == 0:
            return "comma"
        return "region" if commas == 1 and scanner.value.rstrip(" ").endswith(",") else None

    def __call__(self, input_ids, scores):
        self.advance(input_ids)
        if not self.bonus:
            return scores
        missing = [self.missing(r) for r in range(len(self.scanners))]
        for what, tokens in (("comma", self.tokens.comma), ("region", self.tokens.region)):
            rows = [r for r, m in enumerate(missing) if m == what]
            if rows and tokens.quote_turned_to:
                self.biased_steps += tokens.turn(scores, rows, [True] * len(rows), self.bonus)
        return scores


# What the --region-bias flag does, in its help (`nudges.add_arguments` defines the flag).
FLAG_HELP = ("when the model would end a value whose parameter asks for the city and state (or "
             "country) and the value has no comma yet, add B to the logits of the comma tokens")
