"""Matplotlib figures used by the notebooks and written next to run artifacts.

Each function takes plain data, returns a Figure and, given `path`, saves it as PNG (atomically).
Sections are per stage; keep each figure function short.
"""

from __future__ import annotations

from pathlib import Path


def _save(fig, path: str | Path | None):
    if path is not None:
        from funcall_lib.io import atomic_path

        with atomic_path(Path(path)) as tmp:
            fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    return fig


def _figure(width: float = 6.0, height: float = 3.5):
    import matplotlib

    matplotlib.use("Agg", force=False) if not _in_notebook() else None
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        return get_ipython() is not None
    except ImportError:
        return False


# ---------------------------------------------------------------- data (01)

def plot_category_mix(splits: dict[str, list[dict]], path: str | Path | None = None):
    """Share of each category per split: a skewed mix teaches a skewed model."""
    from funcall_lib.records import CATEGORIES

    fig, ax = _figure(width=7.0)
    width = 0.8 / max(1, len(splits))
    for i, (name, records) in enumerate(splits.items()):
        counts = [sum(r["meta"]["category"] == c for r in records) for c in CATEGORIES]
        xs = [k + (i - (len(splits) - 1) / 2) * width for k in range(len(CATEGORIES))]
        ax.bar(xs, [c / max(1, len(records)) for c in counts], width, label=f"{name} ({len(records)})")
    ax.set_xticks(range(len(CATEGORIES)), CATEGORIES, rotation=20)
    ax.set_ylabel("share of records")
    ax.set_title("category mix")
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_calls_per_record(splits: dict[str, list[dict]], path: str | Path | None = None):
    """How many gold calls records hold (0 = call nothing): parallel data shows up at 2-3."""
    fig, ax = _figure()
    most = max((len(r["answer"]["tool_calls"]) for rs in splits.values() for r in rs), default=0)
    width = 0.8 / max(1, len(splits))
    for i, (name, records) in enumerate(splits.items()):
        counts = [sum(len(r["answer"]["tool_calls"]) == k for r in records) for k in range(most + 1)]
        xs = [k + (i - (len(splits) - 1) / 2) * width for k in range(most + 1)]
        ax.bar(xs, [c / max(1, len(records)) for c in counts], width, label=name)
    ax.set_xticks(range(most + 1))
    ax.set_xlabel("gold tool calls per record")
    ax.set_ylabel("share of records")
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_prompt_lengths(lengths: dict[str, list[int]], max_seq_length: int | None = None,
                        path: str | Path | None = None):
    """Histogram of prompt+answer token lengths; records past max_seq_length get truncated."""
    fig, ax = _figure()
    for name, values in lengths.items():
        ax.hist(values, bins=40, alpha=0.5, label=name)
    if max_seq_length:
        ax.axvline(max_seq_length, color="red", linestyle="--", label=f"max_seq_length {max_seq_length}")
    ax.set_xlabel("tokens (prompt + answer)")
    ax.set_ylabel("records")
    ax.legend(fontsize=8)
    return _save(fig, path)


# ---------------------------------------------------------------- training (02)

def plot_loss(train_loss: list[dict], eval_loss: list[dict] | None = None,
              path: str | Path | None = None, title: str = "training loss"):
    """Train and dev loss per step (lists of {"step", "loss"}, as in run.json).

    A dev curve that turns up while the train curve keeps falling is the sign of overfitting.
    """
    fig, ax = _figure()
    if train_loss:
        ax.plot([p["step"] for p in train_loss], [p["loss"] for p in train_loss],
                label="train", color="tab:blue")
    if eval_loss:
        ax.plot([p["step"] for p in eval_loss], [p["loss"] for p in eval_loss],
                label="dev", color="tab:orange", marker="o")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss (answer tokens)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return _save(fig, path)



# ---------------------------------------------------------------- evaluation (04)

EVAL_METRICS = ("strict_json_rate", "schema_valid_rate", "name_accuracy", "task_pass_rate",
                "irrelevance_accuracy")


def plot_eval_comparison(reports: dict[str, dict], metrics=EVAL_METRICS,
                         path: str | Path | None = None):
    """Grouped bars: one group per metric, one bar per report (a missing metric draws no bar)."""
    fig, ax = _figure(width=max(6.0, 1.4 * len(metrics) + 0.3 * len(reports)), height=3.8)
    width = 0.8 / max(1, len(reports))
    for i, (label, report) in enumerate(reports.items()):
        values = [report.get(m) for m in metrics]
        xs = [k + (i - (len(reports) - 1) / 2) * width for k in range(len(metrics))]
        bars = ax.bar(xs, [v if v is not None else 0 for v in values], width, label=label)
        for bar, v in zip(bars, values):
            if v is None:
                bar.set_alpha(0)
    ax.set_xticks(range(len(metrics)), [m.removesuffix("_rate").replace("_", " ") for m in metrics],
                  rotation=15)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("fraction")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Evaluation, side by side")
    return _save(fig, path)


def plot_call_margins(examples: list[dict], path: str | Path | None = None):
    """How sure the model was, at its first token, about calling: one histogram of `call_margin`
    for records that want a call, one for those that want none. Greedy decoding calls right of
    0; `--call-bias B` moves that line to -B, so the overlap shows what any B would trade."""
    groups = {"a call is right": [], "no call is right": []}
    for e in examples:
        if e.get("call_margin") is not None:
            groups["a call is right" if e.get("gold") else "no call is right"].append(e["call_margin"])
    fig, ax = _figure()
    values = [v for vs in groups.values() for v in vs]
    bins = 30 if values else 1
    span = (min(values, default=-1.0), max(values, default=1.0))
    for label, vs in groups.items():
        ax.hist(vs, bins=bins, range=span, alpha=0.6, label=f"{label} ({len(vs)})")
    ax.axvline(0.0, color="black", linewidth=1)
    ax.set_xlabel("call margin (logit of opening a call minus the best other first token)")
    ax.set_ylabel("records")
    ax.set_title("First-token choice: call or answer")
    ax.legend(fontsize=8)
    return _save(fig, path)
