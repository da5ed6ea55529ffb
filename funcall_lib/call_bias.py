"""Call bias: move the turn's first decision, call a tool or answer in text, by a fixed margin.

With `tool_choice="auto"` the first generated token decides everything: a token that opens a
call ("<" of "<tool_call>" for Hermes, "{" or "[" for the bare-JSON families) commits the turn to
calls, any other allowed token to a text answer. A fine-tuned small model calls too readily when
the offered tools are near misses (BFCL irrelevance), and no data fix has moved that far enough.
`CallBias` adds `bias` to the logits of the opening tokens at the first step only (negative:
answer in text more often), after the grammar mask, so the rest of the turn is decoded exactly
as without it. It also records each row's margin (the best opening token's logit minus the best
other allowed token's), which is all one needs to see what any bias would do: a row calls iff
its margin plus the bias is above 0 (ties aside), so `funcall eval --predictions EXAMPLES
--call-bias B` scores a negative B on stored outputs exactly. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import math

from funcall_lib import chat


# What a replayed text answer reads (`evaluate.score_predictions`): its words are unknown, and a
# text answer scores the same whatever they are.
TEXT_REPLAY = "(a text answer: the call bias outweighed this call)"


def call_openers(family: str) -> list[str]:
    """The texts a call begins with, which plain text may not begin with (the grammar's rule)."""
    fmt = chat.call_wrapper(family)
    return ["{", "["] if family in ("llama3", "json") else [fmt.start + fmt.prefix]


def opener_ids(pieces: list[str], family: str) -> list[int]:
    """Token ids whose text begins a call: a non-empty beginning of an opener ("<"), or an opener
    followed by more ('{"')."""
    openers = call_openers(family)
    return [i for i, piece in enumerate(pieces)
            if piece and any(o.startswith(piece) or piece.startswith(o) for o in openers)]


class CallBias:
    """Logits processor: at a row's first generated token, add `bias` to the call-opening tokens
    and record the row's margin (None where a branch has no allowed token: the grammar decided).

    Stateful: one per `generate` call. Place it after the grammar mask.
    """

    def __init__(self, opener_ids: list[int], bias: float, rows: int):
        self.ids = opener_ids
        self.bias = bias
        self.margins: list[float | None] = [None] * rows
        self.done = False

    def __call__(self, input_ids, scores):
        if self.done:
            return scores
        self.done = True
        import torch

        index = torch.tensor(self.ids, dtype=torch.long, device=scores.device)
        opening = scores.index_select(1, index).float()
        others = scores.float().clone()
        others[:, index] = -math.inf
        best_call, best_text = opening.max(dim=1).values.tolist(), others.max(dim=1).values.tolist()
        self.margins = [c - t if math.isfinite(c) and math.isfinite(t) else None
                        for c, t in zip(best_call, best_text)]
        if self.bias:
            scores[:, index] += self.bias
        return scores


def checked_margin(value, where: str) -> float | None:
    """A stored call_margin: a number, or null where the grammar decided; else a ValueError at `where`."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ValueError(f"{where}: call_margin must be a number or null, not {value!r}")
    return value


def calls_at(margin: float | None, bias: float, called: bool) -> bool:
    """Whether a row whose unbiased choice was `called` calls under `bias`, from its margin."""
    return called if margin is None else margin + bias > 0


def bias_value(text: str) -> float:
    """argparse type of --call-bias: a finite number of logits (negative: fewer calls)."""
    value = float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
    return value


def add_argument(parser, also: str = "") -> None:
    """The one --call-bias option of infer, eval and the quality recipe."""
    parser.add_argument("--call-bias", type=bias_value, default=0.0, metavar="B",
                        help="with tool_choice auto, add B to the logits of the tokens that open a tool "
                             "call at the turn's first token (negative: answer in text more often; "
                             "0: off; see funcall_lib.call_bias)" + also)


# ---------------------------------------------------------------- choosing B on held-out data

def read_margins(path) -> list[tuple[float, bool]]:
    """(call_margin, a call is right) per example of an examples file `funcall eval` wrote with
    tool_choice auto; examples without a margin (the grammar decided) are skipped."""
    from funcall_lib.io import iter_jsonl

    rows = []
    for lineno, obj in iter_jsonl(path):
        if "call_margin" not in obj or "gold" not in obj:
            raise ValueError(f"{path}:{lineno}: an example needs \"call_margin\" and \"gold\" "
                             "(write it with funcall eval, tool_choice auto)")
        margin = checked_margin(obj["call_margin"], f"{path}:{lineno}")
        if margin is not None:
            rows.append((float(margin), bool(obj["gold"])))
    return rows


def decision_counts(rows: list[tuple[float, bool]], bias: float) -> dict:
    """How the call-or-answer decision goes under `bias`: right, false calls, missed calls."""
    calls = [(calls_at(margin, bias, True), wanted) for margin, wanted in rows]
    return {"bias": bias, "n": len(rows), "right": sum(c == w for c, w in calls),
            "false_calls": sum(c and not w for c, w in calls),
            "missed_calls": sum(w and not c for c, w in calls)}


def best_bias(table: list[dict]) -> float:
    """The bias with the most right decisions; among equals, the one nearest 0 (least change)."""
    return max(table, key=lambda row: (row["right"], -abs(row["bias"])))["bias"]


def bias_grid(text: str) -> list[float]:
    """argparse type of --biases: "LO:HI:STEP" -> LO, LO+STEP, ..., HI."""
    try:
        lo, hi, step = (float(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LO:HI:STEP, e.g. -6:6:0.5, got {text!r}") from None
    if step <= 0 or hi < lo:
        raise argparse.ArgumentTypeError(f"expected LO <= HI and STEP > 0, got {text!r}")
    return [round(lo + k * step, 6) for k in range(int(round((hi - lo) / step)) + 1)]


def add_arguments(parser) -> None:
    parser.add_argument("examples", help="EXAMPLES.jsonl that funcall eval wrote for held-out records "
                                         "(tool_choice auto), e.g. the dev split's")
    parser.add_argument("--biases", type=bias_grid, default=bias_grid("-6:6:0.5"), metavar="LO:HI:STEP",
                        help="the biases to try (default -6:6:0.5; write --biases=-4:4:1, with '=', "
                             "when LO is negative)")


def run_cli(args) -> int:
    rows = read_margins(args.examples)
    if not rows:
        raise ValueError(f"{args.examples}: no example carries a call margin (tool_choice auto, tools offered)")
    table = [decision_counts(rows, b) for b in args.biases]
    print("| call bias | right | false calls | missed calls |\n|---|---|---|---|")
    for row in table:
        print(f"| {row['bias']:+g} | {row['right']}/{row['n']} | {row['false_calls']} | {row['missed_calls']} |")
    print(f"best: --call-bias {best_bias(table):g}")
    return 0
