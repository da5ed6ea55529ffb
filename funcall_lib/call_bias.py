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
