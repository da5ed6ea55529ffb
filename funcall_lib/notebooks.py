"""Run the tutorial notebooks 01..06 in order with papermill, and keep their committed copies clean.

The notebooks are the story and `funcall_lib` is the machinery; this module is what makes the
story reproducible: `make notebooks` (and the test suite, on the embedded model) executes every
notebook top to bottom into `<run_dir>/executed/`, with cwd = notebooks/, injecting the run
directory, the preset and any overrides into each notebook's `parameters` cell. It stops at the
first failing notebook and says which notebook and which cell failed, and where the executed
copy with the traceback is.

`strip_notebook` clears outputs, execution counts and volatile metadata, so committed notebooks
diff cleanly without a pre-commit hook (`make strip`; a test fails if a committed one has outputs).

    python -m funcall_lib.notebooks --run-dir runs/demo --preset cpu-demo [--only 01_data,02_train]
                                    [-p max_steps=5] [-p 04_eval.limit=8]
    python -m funcall_lib.notebooks --strip notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

NOTEBOOKS = ("01_data", "02_train", "03_infer", "04_eval", "05_merge", "06_push")
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
# Metadata worth committing; everything else (papermill runs, widget state, versions) is volatile.
KEEP_NOTEBOOK_METADATA = ("kernelspec",)
KEEP_CELL_METADATA = ("tags",)


class NotebookError(RuntimeError):
    """A notebook failed or its parameters were wrong; the message names the notebook and cell."""


@dataclass
class NotebookRun:
    name: str
    output: Path
    seconds: float


def select(names: list[str] | str | None) -> list[str]:
    """Notebook names in pipeline order; accepts '01_data' or '01' or '01_data.ipynb'."""
    if names is None:
        return list(NOTEBOOKS)
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    chosen = set()
    for raw in names:
        key = raw.strip().removesuffix(".ipynb")
        match = [n for n in NOTEBOOKS if n == key or n.split("_")[0] == key]
        if not match:
            raise NotebookError(f"unknown notebook {raw!r}; choose from {', '.join(NOTEBOOKS)}")
        chosen.add(match[0])
    return [n for n in NOTEBOOKS if n in chosen]


def declared_parameters(path: Path) -> dict[str, str]:
    """{name: default source} for each name the notebook's `parameters` cell assigns.

    Read with `ast`, not papermill's line regex, which gives up on a line whose comment holds
    an `=` (`limit = 40  # None = all`) and would make such a knob look undeclared.
    """
    import ast

    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if not cells:
        return {}
    source = cells[0].source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise NotebookError(f"{path}: parameters cell line {exc.lineno}: {exc.msg}") from None
    declared = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name):
                declared[target.id] = ast.get_source_segment(source, node.value) or ""
    return declared


def plan_parameters(name: str, declared: dict[str, Any], run_dir: Path, preset: str,
                    parameters: dict[str, Any]) -> dict[str, Any]:
    """run_dir and preset, then global overrides the notebook declares, then its own overrides.

    Global keys (`max_steps=5`) reach only the notebooks that declare them, so one `-p` can
    shrink every stage that has that knob; per-notebook keys (`{"02_train": {...}}` or
    `02_train.max_steps=5`) must be declared by that notebook, so a typo is an error, not a no-op.
    """
    planned: dict[str, Any] = {"run_dir": str(run_dir), "preset": preset}
    for key, value in parameters.items():
        if key not in NOTEBOOKS and key in declared:
            planned[key] = value
    own = parameters.get(name) or {}
    unknown = sorted(set(own) - set(declared))
    if unknown:
        raise NotebookError(f"{name}.ipynb has no parameter(s) {unknown}; "
                            f"its parameters cell declares: {sorted(declared)}")
    planned.update(own)
    return planned


def check_global_parameters(parameters: dict[str, Any], declared: dict[str, dict]) -> None:
    """A global override no selected notebook declares is a typo; say so before running."""
    used = set().union(*declared.values()) if declared else set()
    stray = sorted(k for k in parameters if k not in NOTEBOOKS and k not in used)
    if stray:
        raise NotebookError(f"no selected notebook declares parameter(s) {stray}; "
                            f"declared: {sorted(used)}")


def describe_failure(name: str, output: Path, exc: Exception) -> str:
    cell = getattr(exc, "cell_index", None)
    first = (getattr(exc, "source", "") or "").strip().splitlines()[:1]
    where = f"cell {cell} (In [{getattr(exc, 'exec_count', None)}]: {first[0] if first else ''!s})"
    what = f"{getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', exc)}"
    return (f"notebook {name}.ipynb failed in {where}\n  {what}\n"
            f"  the executed copy with the full traceback: {output}")


def run_notebooks(run_dir: str | Path, preset: str = "auto", names: list[str] | str | None = None,
                  parameters: dict[str, Any] | None = None, kernel: str = "python3",
                  notebook_dir: str | Path | None = None,
                  log_output: bool = False) -> list[NotebookRun]:
    """Execute the selected notebooks in order into run_dir/executed/; stop at the first failure.

    `parameters` holds global overrides (`{"max_steps": 5}`) and per-notebook ones
    (`{"04_eval": {"limit": 8}}`). The kernel runs this interpreter (see `check_kernel`).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    run_dir = Path(run_dir).resolve()
    nb_dir = Path(notebook_dir or NOTEBOOK_DIR).resolve()
    parameters = dict(parameters or {})
    chosen = select(names)
    paths = {n: nb_dir / f"{n}.ipynb" for n in chosen}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise NotebookError(f"notebook(s) not found: {missing}")
    declared = {n: declared_parameters(p) for n, p in paths.items()}
    check_global_parameters(parameters, declared)
    plans = {n: plan_parameters(n, declared[n], run_dir, preset, parameters) for n in chosen}
    check_kernel(kernel)
    out_dir = run_dir / "executed"
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    for name in chosen:
        output = out_dir / f"{name}.ipynb"
        log.info("running %s with %s", name, plans[name])
        start = time.perf_counter()
        try:
            papermill.execute_notebook(str(paths[name]), str(output), parameters=plans[name],
                                       kernel_name=kernel, cwd=str(nb_dir), progress_bar=False,
                                       log_output=log_output)
        except PapermillExecutionError as exc:
            raise NotebookError(describe_failure(name, output, exc)) from None
        runs.append(NotebookRun(name, output, time.perf_counter() - start))
        log.info("%s done in %.1f s -> %s", name, runs[-1].seconds, output)
    return runs


def check_kernel(kernel: str) -> None:
    """Fail early, with the fix, if the kernel is missing or would run another Python.

    A kernelspec whose argv[0] is a bare `python`/`python3` runs this interpreter (jupyter_client
    substitutes sys.executable); an absolute path elsewhere would run notebooks without
    funcall_lib's environment, which fails much later and far less clearly.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        raise NotebookError(f"no Jupyter kernel named {kernel!r}; register this environment's with "
                            f"`{sys.executable} -m ipykernel install --sys-prefix --name {kernel}` "
                            "(make setup does this)") from None
    exe = spec.argv[0] if spec.argv else ""
    if exe not in ("python", "python3") and Path(exe).resolve() != Path(sys.executable).resolve():
        log.warning("kernel %r runs %s, not this interpreter (%s); notebooks may not find "
                    "funcall_lib", kernel, exe, sys.executable)


def strip_notebook(path: str | Path) -> bool:
    """Clear outputs, execution counts and volatile metadata in place; True if the file changed."""
    import nbformat

    from funcall_lib.io import write_text_atomic

    path = Path(path)
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_NOTEBOOK_METADATA}
    nb.metadata["language_info"] = {"name": "python"}
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    after = nbformat.writes(nb) + "\n"
    if after != before:
        write_text_atomic(path, after)
    return after != before


def parse_assignment(text: str) -> tuple[str, Any]:
    """`key=value` with a YAML value (5 -> int, true -> bool, null -> None), as papermill -y does."""
    import yaml

    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    return key.strip(), yaml.safe_load(value)


def assignments_to_parameters(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`max_steps=5` -> global; `02_train.max_steps=5` -> {"02_train": {"max_steps": 5}}."""
    parameters: dict[str, Any] = {}
    for key, value in pairs:
        nb, dot, name = key.partition(".")
        if dot:
            parameters.setdefault(select([nb])[0], {})[name] = value
        else:
            parameters[key] = value
    return parameters


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m funcall_lib.notebooks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", help="run directory every notebook reads and writes")
    parser.add_argument("--preset", default="auto", help="auto | cpu-demo | gpu | quality")
    parser.add_argument("--only", help="comma-separated notebooks, e.g. 01_data,02_train")
    parser.add_argument("-p", "--parameter", action="append", default=[], type=parse_assignment,
                        metavar="KEY=VALUE", help="override; NOTEBOOK.KEY=VALUE for one notebook")
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel name")
    parser.add_argument("--log-output", action="store_true", help="stream cell output to the log")
    parser.add_argument("--strip", nargs="+", metavar="NOTEBOOK",
                        help="clear outputs and volatile metadata of these files, then exit")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.strip:
        for path in args.strip:
            print(("stripped " if strip_notebook(path) else "clean    ") + str(path))
        return 0
    if not args.run_dir:
        print("error: --run-dir is required (or --strip FILES)", file=sys.stderr)
        return 2
    try:
        runs = run_notebooks(args.run_dir, args.preset, args.only,
                             assignments_to_parameters(args.parameter), args.kernel,
                             log_output=args.log_output)
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for r in runs:
        print(f"{r.name:10s} {r.seconds:7.1f} s  {r.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
