"""Decoding nudges for small models: which are on, as one value passed whole.

A 135M model makes mistakes that a rule at decoding time can catch: it repeats a call word for
word, or writes it again with the argument it left out, or once more with a value said once read
into two arguments, spells a value anew instead of copying the user's, closes a call before an
optional argument the user asked for, ends a word of the user's its own way, writes another name
after the first letter of the user's, runs a list on past the user's last item, ends a city
without the state its parameter asks for, writes a date in another layout than the one its
parameter's description states, writes "5%" as 5 where the description asks for 0.05 (or where
it is silent and the parameter is a rate), writes "374 cm" as 374 under a parameter in
millimetres, writes `false` for a flag the user asked for ("a direct flight"), writes "50
million" with a zero too many, writes "March 17, 1915" as 2015-03-17, writes "next month" as a
date of its own, leaves out an optional parameter whose option the user said ("a transit
route"), leaves an object open over the arguments after it, or calls a tool where it should
answer (or the other way round).
Each rule lives in its own module (`infer.RepeatedCallStop`, `tool_calls.drop_subsumed`,
`drop_doubled`, `copy_bias`, `word_bias`, `name_bias`, `region_bias`, `option_bias`,
`list_bias`, `stated_layouts`, `stated_percents`, `rate_fractions`, `stated_units`,
`said_flags`, `said_magnitudes`, `said_years`, `said_periods`, `said_options`, `lift_keys`,
`call_bias`); all are off by default.

`Nudges` says which are on and how strongly. Everything that generates takes it whole
(`infer.generate(..., nudges=...)`, `evaluate.evaluate_model`, the quality recipe's `Decoding`,
`funcall bench decode`), checks it in one place, writes it into reports under its field names,
and gets its command-line flags from `add_arguments`. A new nudge is a new field here, not a new
keyword threaded through every layer.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import asdict, dataclass, fields

# The nudges that add a bonus to argument-value tokens; each must be 0 (off) or more.
VALUE_BIASES = ("copy_bias", "word_bias", "name_bias", "region_bias", "option_bias", "list_bias")
# The switches that hold or rewrite a turn's values to the form their descriptions state, or to
# what the user's words say.
RESTATING = ("lift_keys", "drop_doubled", "stated_layouts", "stated_percents", "rate_fractions", "stated_units",
             "said_flags", "said_magnitudes", "said_years", "said_periods", "said_options")
# The restating rules that act only on a finished turn, constrained or free (never on a grammar),
# so that applying them to a turn already written is what decoding with them writes.
AFTER_DECODING = ("lift_keys", "drop_doubled", "stated_percents", "rate_fractions", "stated_units", "said_flags",
                  "said_magnitudes", "said_years", "said_periods", "said_options")
# The switches that change only the grammar of constrained decoding (and what the value biases
# take the grammar to allow).
GRAMMAR_RULES = ("any_order",)
# Beside the nudges, the most tokens a scored turn may take (`funcall eval`, the quality recipe).
# Room for the longest answers we score: with 256, the quality recipe cut off 3 of the 300 `test`
# answers mid-call (six calls of long lists: "each combination"), as it did 11 of BFCL
# parallel's and 15 of parallel_multiple's (quality run 30). A turn that ends sooner costs
# nothing more.
MAX_NEW_TOKENS = 512
# The nudges `evaluate.score_predictions` can replay on outputs already written; no other can.
REPLAYABLE = ("stop_on_repeat", "drop_subsumed", "call_bias", *AFTER_DECODING)


@dataclass(frozen=True, kw_only=True)
class Nudges:
    """The decoding nudges of one generation (the defaults: plain greedy decoding). Fields are
    named, never positional: a new nudge may come between two others."""
    stop_on_repeat: bool = False  # end a turn at its first exact repeat of a call
    drop_subsumed: bool = False   # drop a call the turn writes again with more arguments
    drop_doubled: bool = False    # drop a call that writes a value said once into two arguments
    copy_bias: float = 0.0        # nudge argument values toward the user's words
    word_bias: float = 0.0        # finish a word of the user's that a value has begun copying
    name_bias: float = 0.0        # spell the user's name when a value begins with its first letters
    region_bias: float = 0.0      # go on past a city where its parameter asks for the state too
    call_bias: float = 0.0        # shift the first token between calling and answering
    option_bias: float = 0.0      # favour writing an optional argument the user mentioned
    list_bias: float = 0.0        # favour closing a list where the user's own list ends
    stated_layouts: bool = False  # hold a date or time to the layout its description states
    stated_percents: bool = False  # write "5%" as 0.05 or 5, as the description states
    rate_fractions: bool = False  # write "5%" as 0.05 under a rate whose description is silent
    stated_units: bool = False    # write "374 cm" as 3740 under a parameter in millimetres
    said_flags: bool = False      # write a boolean as the user's words say it
    said_magnitudes: bool = False  # write "50 million" with its zeros as said
    said_years: bool = False      # write a said date's year where the model wrote its own
    said_periods: bool = False    # write "next month" as said, not as a date the model made up
    said_options: bool = False    # write a left-out optional parameter with the option the user said
    lift_keys: bool = False       # move an argument written inside an object up to its own level
    any_order: bool = False       # let the grammar take a call's arguments in any key order

    def __post_init__(self) -> None:
        from funcall_lib.copy_bias import is_bonus

        for name in VALUE_BIASES:
            value = getattr(self, name)
            if not is_bonus(value):
                raise ValueError(f"{name} must be 0 (off) or more, not {value}")
        if not math.isfinite(self.call_bias):
            raise ValueError(f"call_bias must be a finite number, not {self.call_bias}")

    @classmethod
    def from_args(cls, args: argparse.Namespace, recommended: Nudges | None = None) -> Nudges:
        """The settings a command line asks for: its flags are named as the fields are (a
        subclass's own fields included). With `--recommended`, every nudge a flag leaves at its
        default takes its `recommended` setting instead (`RECOMMENDED` unless given); a flag given
        says otherwise."""
        base = (recommended or RECOMMENDED) if getattr(args, "recommended", False) else Nudges()

        def setting(f):
            given = getattr(args, f.name)
            return getattr(base, f.name) if hasattr(base, f.name) and given == f.default else given

        return cls(**{f.name: setting(f) for f in fields(cls)})

    def nudges(self) -> Nudges:
        """These nudges alone (a subclass that adds settings of its own drops them here)."""
        return Nudges(**{f.name: getattr(self, f.name) for f in fields(Nudges)})

    def report(self) -> dict:
        """The report keys (one per field, named as it is) that say how outputs were decoded."""
        return asdict(self.nudges())

    def value_biases(self, tokenizer, vocab: int, records: list[dict]) -> list:
        """The logits processors that steer argument values toward the user's words, one row per
        record: the copy bias, the word-finish bias, the name bias, the region bias, the option
        bias, then the list-end bias (those at 0 are left out). They go after the grammar, which
        they never overrule: they only reorder the tokens it allows. The option and list-end
        biases come after the copy biases (copy, word-finish, name), as their bonus may end a
        value where the user's ends and so make the comma the likeliest token, which is what
        they look at; the region bias, which looks at a value's end, comes after the copy biases
        for the same reason, and before the option bias, which would otherwise turn that end
        into the comma after the string."""
        from funcall_lib.copy_bias import CopyBias, token_pieces, tokens_by_first_char, user_text
        from funcall_lib.list_bias import ListEndBias, list_tokens
        from funcall_lib.name_bias import NameBias
        from funcall_lib.option_bias import OptionBias, option_tokens
        from funcall_lib.region_bias import RegionBias, region_tokens
        from funcall_lib.word_bias import WordFinishBias

        texts = [user_text(r) for r in records]
        biases = []
        if self.copy_bias:
            biases.append(CopyBias(texts, token_pieces(tokenizer, vocab), bonus=self.copy_bias))
        if self.word_bias:
            biases.append(WordFinishBias(texts, token_pieces(tokenizer, vocab), bonus=self.word_bias,
                                         by_first_char=tokens_by_first_char(tokenizer, vocab)))
        if self.name_bias:
            biases.append(NameBias(texts, token_pieces(tokenizer, vocab), bonus=self.name_bias,
                                   by_first_char=tokens_by_first_char(tokenizer, vocab)))
        if self.region_bias:
            biases.append(RegionBias([r.get("tools") or [] for r in records], token_pieces(tokenizer, vocab),
                                     bonus=self.region_bias, tokens=region_tokens(tokenizer, vocab)))
        if self.option_bias:
            biases.append(OptionBias(texts, [r.get("tools") or [] for r in records],
                                     token_pieces(tokenizer, vocab), bonus=self.option_bias,
                                     tokens=option_tokens(tokenizer, vocab),
                                     by_first_char=tokens_by_first_char(tokenizer, vocab),
                                     any_order=self.any_order))
        if self.list_bias:
            biases.append(ListEndBias(texts, token_pieces(tokenizer, vocab), bonus=self.list_bias,
                                      tokens=list_tokens(tokenizer, vocab)))
        return biases


NUDGE_FIELDS = tuple(f.name for f in fields(Nudges))

# The best decoding measured on our sets and BFCL (docs/benchmarks.md, quality runs 23-31), as one
# value: every rule on, the value biases at the strengths that fixed the most and broke the fewest,
# the call bias at 0 (which way it should go depends on the data: `funcall calibrate`).
RECOMMENDED = Nudges(stop_on_repeat=True, drop_subsumed=True, drop_doubled=True, copy_bias=2.0, word_bias=32.0,
                     name_bias=32.0, region_bias=32.0, option_bias=8.0, list_bias=16.0, stated_layouts=True,
                     stated_percents=True, rate_fractions=True, stated_units=True, said_flags=True,
                     said_magnitudes=True, said_years=True, said_periods=True,
                     said_options=True, lift_keys=True, any_order=True)


def add_arguments(parser, names: tuple[str, ...] = NUDGE_FIELDS, also: dict[str, str] | None = None) -> None:
    """The command-line flags of the nudges in `names` (each named as its field, `--copy-bias`
    for copy_bias), one definition for every command that generates; `also` adds to a flag's
    help what that command does with it, by field name. A value bias's flag takes a bonus B
    (0 or more), a restating rule's is a switch; the help of either is its module's `FLAG_HELP`
    (the module is named as the field)."""
    import importlib

    from funcall_lib import call_bias
    from funcall_lib.copy_bias import bonus_value

    also = also or {}
    if set(names) == set(NUDGE_FIELDS):
        parser.add_argument("--recommended", action="store_true",
                            help="the recommended decoding: every nudge at its RECOMMENDED setting "
                                 "(funcall_lib.nudges), where no flag of its own says otherwise"
                                 + also.get("recommended", ""))
    for name in names:
        flag, more = "--" + name.replace("_", "-"), also.get(name, "")
        if name == "stop_on_repeat":
            parser.add_argument(flag, action="store_true",
                                help="end a turn at its first exact repeat of a call (small models loop)" + more)
        elif name == "drop_subsumed":
            parser.add_argument(flag, action="store_true",
                                help="drop a call that the turn writes again with every argument the same "
                                     "and more (the model added what it left out; see "
                                     "tool_calls.drop_subsumed)" + more)
        elif name in RESTATING or name in GRAMMAR_RULES:
            module = importlib.import_module(f"funcall_lib.{name}")
            parser.add_argument(flag, action="store_true",
                                help=f"{module.FLAG_HELP} (see funcall_lib.{name}){more}")
        elif name == "call_bias":
            call_bias.add_argument(parser, also=more)
        else:
            module = importlib.import_module(f"funcall_lib.{name}")
            parser.add_argument(flag, type=bonus_value, default=0.0, metavar="B",
                                help=f"{module.FLAG_HELP} (0: off; see funcall_lib.{name}){more}")
