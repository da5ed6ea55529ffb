"""`make demo`: the whole tutorial on the embedded model, ending with base vs fine-tuned metrics.

It executes notebooks 01..06 in order under papermill (the same notebooks a reader opens in
JupyterLab, so the demo can never drift from the tutorial) with the `cpu-demo` preset into
`<run_dir>/executed/`, then prints the evaluation reports 04_eval wrote into `<run_dir>/eval/`
side by side and saves that table as `<run_dir>/results.md`. Offline: the Hub is never contacted
(HF_HUB_OFFLINE=1, and 06_push only plans the upload unless told otherwise).

    python -m funcall_lib.demo --run-dir runs/demo [--preset cpu-demo] [-p max_steps=30]
    python -m funcall_lib.demo --run-dir runs/demo --table-only   # re-print an earlier run's table
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from funcall_lib.notebooks import (NotebookError, assignments_to_parameters, parse_assignment,
                                   run_notebooks)


def results_table(run_dir: str | Path) -> str:
    """Markdown table of every report in run_dir/eval/ (base first), from evaluate.side_by_side."""
    from funcall_lib.card import load_reports
    from funcall_lib.evaluate import side_by_side

    reports = load_reports(Path(run_dir))
    if not reports:
        raise FileNotFoundError(f"{Path(run_dir) / 'eval'}: no evaluation reports; "
                                "run the notebooks first (04_eval writes them)")
    return side_by_side({name: reports[name] for name in sorted(reports, key=lambda k: _table_order(k, reports[k]))})


def _table_order(stem: str, report: dict) -> tuple:
    """04_eval names reports <model>-<split>-<mode>: test split first, base before tuned,
    constrained before free; anything else after, by name."""
    parts = stem.split("-")
    if len(parts) != 3:
        return (9, "", report.get("adapter") is not None, False, stem)
    model, split, mode = parts
    split_rank = {"test": 0, "unseen": 1}.get(split, 2)
    return (split_rank, split, model != "base", mode != "constrained", model)


# Evaluation sizes that keep `make demo` near a quarter of an hour on a 2-core CPU, where
# training steps (about 40 s each) and generation dominate; pass -p to change them.
DEMO_PARAMETERS = {
    "04_eval": {"limit": 12, "unseen_limit": 6, "bfcl_limit": 4, "max_new_tokens": 64},
    "05_merge": {"limit": 4, "gguf": "", "max_new_tokens": 64},
}


def _with_demo_defaults(preset: str, parameters: dict) -> dict:
    """DEMO_PARAMETERS under the caller's overrides (cpu-demo only)."""
    merged = {k: dict(v) for k, v in DEMO_PARAMETERS.items()} if preset == "cpu-demo" else {}
    for key, value in parameters.items():
        if isinstance(value, dict):
            merged.setdefault(key, {}).update(value)
        else:
            merged[key] = value
    return merged


def run_demo(run_dir: str | Path, preset: str = "cpu-demo", parameters: dict | None = None,
             log=print) -> str:
    """Run the six notebooks, write run_dir/results.md, and return the metrics table."""
    parameters = _with_demo_defaults(preset, parameters or {})
    from funcall_lib.io import write_text_atomic

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # inherited by the notebook kernels
    start = time.perf_counter()
    for r in run_notebooks(run_dir, preset=preset, parameters=parameters):
        log(f"  {r.name:9s} {r.seconds:6.0f} s   {r.output}")
    log(f"  all six    {time.perf_counter() - start:6.0f} s")
    table = results_table(run_dir)
    write_text_atomic(Path(run_dir) / "results.md", table)
    return table


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m funcall_lib.demo",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", default="runs/demo", help="where every notebook writes")
    parser.add_argument("--preset", default="cpu-demo", help="cpu-demo (default), auto, gpu, ...")
    parser.add_argument("-p", "--parameter", action="append", default=[], type=parse_assignment,
                        metavar="KEY=VALUE", help="notebook parameter override (see notebooks.py)")
    parser.add_argument("--table-only", action="store_true",
                        help="print the table of an existing run without running anything")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The runner logs each notebook as it starts and ends: progress during a long CPU run.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    try:
        if args.table_only:
            table = results_table(args.run_dir)
        else:
            print(f"Running notebooks 01..06 with preset {args.preset} into {args.run_dir}/executed/")
            table = run_demo(args.run_dir, args.preset, assignments_to_parameters(args.parameter))
    except (NotebookError, FileNotFoundError) as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    print(f"\nBase vs fine-tuned on the held-out test split ({args.run_dir}/eval/):\n")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
