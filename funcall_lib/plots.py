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
