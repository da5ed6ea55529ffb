"""The category mix of a split, shared by both generator families (`synth`, `synth_proc`).

A split of n records holds exactly its quota of each category (the mix is a choice, not luck),
and every record differs from all made before it by its dedupe key, across splits too, so no
test prompt repeats a training one. Each attempt seeds its own random.Random from a string,
so the output depends only on the arguments: a data build is reproducible byte for byte.
"""

from __future__ import annotations

from typing import Callable


def category_quota(weights: dict[str, int], n: int) -> dict[str, int]:
    """Exact record counts per category for `n` records; the remainder goes to the first ones."""
    total = sum(weights.values())
    quota = {c: n * w // total for c, w in weights.items()}
    for c in list(weights)[: n - sum(quota.values())]:
        quota[c] += 1
    return quota


def fill_quotas(weights: dict[str, int], n: int, make: Callable[[str, int], dict | None],
                key: Callable[[dict], str], seen: set, what: str) -> list[dict]:
    """Records from `make(category, attempt)` (None: an attempt that gave nothing usable) until
    each category has its quota of records whose `key` is not in `seen`; `seen` is extended.
    Gives up with the split's name (`what`) when the catalogue cannot fill a quota."""
    made: list[dict] = []
    for category, quota in category_quota(weights, n).items():
        attempt, start = 0, len(made)
        while len(made) - start < quota:
            if attempt > 30 * quota + 100:
                raise RuntimeError(f"{what}: only {len(made) - start} distinct {category} records "
                                   f"of {quota}; the catalogue is too small for this --n")
            rec = make(category, attempt)
            attempt += 1
            if rec is None:
                continue
            rec_key = key(rec)
            if rec_key not in seen:
                seen.add(rec_key)
                made.append(rec)
    return made
