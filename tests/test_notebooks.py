"""The notebooks as tested artefacts: committed clean, one parameters cell, runnable in order.

Fast tests check the committed notebooks' shape and the runner on throwaway notebooks; the slow
test runs all six under papermill on the embedded model with the cpu-demo preset (what CI does).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from funcall_lib import notebooks as nbrun

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
# Smaller knobs for CI on a 2-core CPU (per notebook; each must be declared by that notebook).
CI_PARAMETERS = {
    "01_data": {"n_train": 1000},
    "02_train": {"max_steps": 6},
    "03_infer": {"max_new_tokens": 32, "tool_rounds": 1},
    "04_eval": {"limit": 4, "unseen_limit": 2, "bfcl_limit": 2, "max_new_tokens": 64},
    "05_merge": {"limit": 2, "gguf": "", "max_new_tokens": 64},
}


def committed(name: str) -> nbformat.NotebookNode:
    path = NB_DIR / f"{name}.ipynb"
    assert path.is_file(), f"{path.name} is missing from notebooks/"
    return nbformat.read(path, as_version=4)


# --- the committed notebooks ------------------------------------------------------------------

@pytest.mark.parametrize("name", nbrun.NOTEBOOKS)
def test_committed_notebook_is_valid_and_has_no_outputs(name):
    nb = committed(name)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{name}.ipynb cells {dirty} carry outputs or execution counts: run `make strip`"
    volatile = [i for i, c in enumerate(nb.cells) if set(c.metadata) - set(nbrun.KEEP_CELL_METADATA)]
    assert not volatile, f"{name}.ipynb cells {volatile} carry volatile metadata: run `make strip`"
    assert "papermill" not in nb.metadata and "widgets" not in nb.metadata, \
        f"{name}.ipynb carries run metadata: run `make strip`"


@pytest.mark.parametrize("name", nbrun.NOTEBOOKS)
def test_committed_notebook_opens_with_markdown_then_parameters(name):
    nb = committed(name)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}.ipynb: expected exactly one cell tagged parameters, got {tagged}"
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    assert tagged[0] == first_code, f"{name}.ipynb: the parameters cell must be the first code cell"
    assert first_code > 0 and nb.cells[first_code - 1].cell_type == "markdown", \
        f"{name}.ipynb: a markdown cell must say what the step does before the parameters cell"
    declared = nbrun.declared_parameters(NB_DIR / f"{name}.ipynb")
    assert {"run_dir", "preset"} <= set(declared), f"{name}.ipynb must declare run_dir and preset"


@pytest.mark.parametrize("name", nbrun.NOTEBOOKS)
def test_papermill_reads_every_declared_parameter(name):
    """papermill parses each line of the cell with a regex: a comment holding "=" makes it skip
    the line, warn "Passed unknown parameter" and lose the parameter's type and help text."""
    from papermill.translators import PythonTranslator

    nb = committed(name)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    seen = {p.name for p in PythonTranslator.inspect(cell)}
    missing = set(nbrun.declared_parameters(NB_DIR / f"{name}.ipynb")) - seen
    assert not missing, f"{name}.ipynb: papermill cannot parse the lines of {sorted(missing)}"


def test_ci_parameters_are_declared_by_their_notebooks():
    for name, params in CI_PARAMETERS.items():
        declared = nbrun.declared_parameters(NB_DIR / f"{name}.ipynb")
        assert set(params) <= set(declared), f"{name}: CI overrides {params} not in {declared}"


# --- the runner and the stripper on throwaway notebooks ---------------------------------------

def make_notebook(path: Path, body: str,
                  params: str = 'run_dir = "x"\npreset = "auto"\nsteps = 3  # 0 = none (a = b)\n',
                  outputs: bool = False) -> Path:
    nb = nbformat.v4.new_notebook()
    md = nbformat.v4.new_markdown_cell("What this step does.")
    p = nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})
    code = nbformat.v4.new_code_cell(body)
    if outputs:
        code.execution_count = 3
        code.outputs = [nbformat.v4.new_output("stream", text="hi\n")]
        code.metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
        nb.metadata["papermill"] = {"duration": 1.0}
    nb.cells = [md, p, code]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture()
def toy_dir(tmp_path):
    d = tmp_path / "nbs"
    d.mkdir()
    body = ("import json, os, pathlib\n"
            "p = pathlib.Path(run_dir) / 'trace.jsonl'\n"
            "with open(p, 'a') as f:\n"
            "    f.write(json.dumps({'nb': NAME, 'cwd': os.getcwd(), 'preset': preset, "
            "'steps': steps}) + '\\n')\n")
    for name in nbrun.NOTEBOOKS:
        make_notebook(d / f"{name}.ipynb", f"NAME = {name!r}\n" + body)
    return d


def trace(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "trace.jsonl").read_text().splitlines()]


def test_runner_runs_in_order_with_parameters_and_cwd(toy_dir, tmp_path):
    run_dir = tmp_path / "run"
    runs = nbrun.run_notebooks(run_dir, preset="cpu-demo", names=["02_train", "01"],
                               parameters={"steps": 7, "02_train": {"steps": 1}},
                               notebook_dir=toy_dir)
    assert [r.name for r in runs] == ["01_data", "02_train"]
    rows = trace(run_dir)
    assert [r["nb"] for r in rows] == ["01_data", "02_train"]
    assert [r["steps"] for r in rows] == [7, 1]
    assert {r["preset"] for r in rows} == {"cpu-demo"}
    assert {r["cwd"] for r in rows} == {str(toy_dir.resolve())}
    assert (run_dir / "executed" / "02_train.ipynb").is_file()


def test_runner_stops_at_first_failure_naming_notebook_and_cell(toy_dir, tmp_path):
    make_notebook(toy_dir / "02_train.ipynb", "raise ValueError('the loss went NaN')")
    run_dir = tmp_path / "run"
    with pytest.raises(nbrun.NotebookError) as err:
        nbrun.run_notebooks(run_dir, names="01_data,02_train,03_infer", notebook_dir=toy_dir)
    msg = str(err.value)
    assert "02_train.ipynb" in msg and "cell" in msg and "the loss went NaN" in msg
    assert [r["nb"] for r in trace(run_dir)] == ["01_data"]  # 03 never ran
    assert not (run_dir / "executed" / "03_infer.ipynb").exists()


def test_runner_rejects_unknown_parameters_before_running(toy_dir, tmp_path):
    with pytest.raises(nbrun.NotebookError, match="max_stesp"):
        nbrun.run_notebooks(tmp_path / "r", parameters={"max_stesp": 1}, notebook_dir=toy_dir)
    with pytest.raises(nbrun.NotebookError, match="04_eval.ipynb has no parameter"):
        nbrun.run_notebooks(tmp_path / "r", parameters={"04_eval": {"nope": 1}},
                            notebook_dir=toy_dir)
    with pytest.raises(nbrun.NotebookError, match="unknown notebook"):
        nbrun.select(["07_deploy"])
    assert not (tmp_path / "r").exists()


def test_cli_assignments():
    pairs = [nbrun.parse_assignment(s) for s in ("max_steps=5", "04.limit=8", "flag=true", "x=a b")]
    assert nbrun.assignments_to_parameters(pairs) == {
        "max_steps": 5, "04_eval": {"limit": 8}, "flag": True, "x": "a b"}
    with pytest.raises(Exception):
        nbrun.parse_assignment("novalue")


def test_strip_clears_outputs_counts_and_volatile_metadata(tmp_path):
    path = make_notebook(tmp_path / "dirty.ipynb", "print('hi')", outputs=True)
    assert nbrun.strip_notebook(path) is True
    nb = nbformat.read(path, as_version=4)
    code = nb.cells[2]
    assert code.outputs == [] and code.execution_count is None and "execution" not in code.metadata
    assert nb.cells[1].metadata["tags"] == ["parameters"]
    assert "papermill" not in nb.metadata and nb.metadata["kernelspec"]["name"] == "python3"
    assert nbrun.strip_notebook(path) is False  # idempotent: a clean file is left as it is


def test_default_kernel_runs_this_interpreter():
    nbrun.check_kernel("python3")  # raises if missing
    with pytest.raises(nbrun.NotebookError, match="ipykernel install"):
        nbrun.check_kernel("no-such-kernel-xyz")


# --- the whole tutorial, as CI runs it ---------------------------------------------------------

@pytest.mark.slow
def test_all_six_notebooks_run_on_the_embedded_model(tmp_path):
    run_dir = tmp_path / "run"
    runs = nbrun.run_notebooks(run_dir, preset="cpu-demo", parameters=CI_PARAMETERS)
    assert [r.name for r in runs] == list(nbrun.NOTEBOOKS)
    for split in ("train", "dev", "test"):
        assert (run_dir / "data" / f"{split}.jsonl").stat().st_size > 0
    assert (run_dir / "adapter" / "adapter_config.json").is_file()
    assert json.loads((run_dir / "run.json").read_text())
    reports = sorted((run_dir / "eval").glob("*.json"))
    stems = [r.stem for r in reports]
    assert any(s.startswith("base") for s in stems) and any(s.startswith("tuned") for s in stems), \
        f"expected base and tuned reports, got {stems}"
    for report in reports:
        data = json.loads(report.read_text())
        assert 0.0 <= data["task_pass_rate"] <= 1.0 and data["n"] > 0
    assert (run_dir / "merged" / "config.json").is_file()
    assert (run_dir / "card.md").read_text().strip()
    for r in runs:
        assert r.output.is_file()
