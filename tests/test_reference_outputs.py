"""The published outputs of quality runs 18, 29, 30 and 31 (docs/quality/run-18 ... run-31)
agree with their reports and with the README's table, so `funcall compare` against them tests a
run against what we report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from funcall_lib.compare import examples_key, read_examples

ROOT = Path(__file__).resolve().parents[1]
# folder, the label its reports are named with, the README column that shows them
REFERENCES = [
    ("run-18", "soup", "soup of 3 seeds, v11 (run 18), constrained / free"),
    ("run-29", "tuned", "seed 42 trained again (run 27), `--recommended` (run 29), constrained / free"),
    ("run-30", "soup", "soup of seeds 42 (run 27) and 7, `--recommended` (run 30), constrained / free"),
    ("run-31", "soup", "soup of seeds 42 (run 27), 7 (run 30) and 1234, `--recommended` (run 31), constrained / free"),
]
# README row -> the set of that row; a cell is "constrained / free" or one rate
ROWS = {"test (seen tools": "test", "test_unseen_tools": "test_unseen_tools",
        "BFCL simple_python": "bfcl_simple_python", "BFCL multiple": "bfcl_multiple",
        "BFCL parallel (": "bfcl_parallel", "BFCL parallel_multiple": "bfcl_parallel_multiple",
        "BFCL irrelevance": "bfcl_irrelevance"}


def _rate(folder: Path, label: str, set_mode: str) -> float:
    report = json.loads((folder / f"{label}-{set_mode}.json").read_text(encoding="utf-8"))
    return report["task_pass_rate"]


@pytest.mark.parametrize("name, label", [(name, label) for name, label, _ in REFERENCES])
def test_ten_reports_each_with_its_outputs(name, label):
    reports = sorted((ROOT / "docs" / "quality" / name).glob(f"{label}-*.json"))
    assert len(reports) == 10
    for report_path in reports:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        examples = read_examples(report_path.with_name(report_path.stem + ".examples.jsonl.gz"))
        passed = sum(e["task_pass"] for e in examples.values())
        assert len(examples) == report["n"], report_path.name
        assert passed / len(examples) == pytest.approx(report["task_pass_rate"], abs=1e-4), report_path.name
        assert examples_key(report_path.with_suffix(".examples.jsonl.gz")) == report_path.stem[len(label) + 1:]


@pytest.mark.parametrize("name, label, heading", REFERENCES)
def test_the_readme_table_shows_these_rates(name, label, heading):
    folder = ROOT / "docs" / "quality" / name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    header = next(line for line in readme.splitlines() if line.startswith("| set |") and heading in line)
    column = [c.strip() for c in header.split("|")].index(heading)
    seen = 0
    for line in readme.splitlines():
        row = next((name for prefix, name in ROWS.items() if line.startswith(f"| {prefix}")), None)
        if row is None:
            continue
        cell = [c.strip() for c in line.split("|")][column]
        shown = [float(x) for x in re.findall(r"\d\.\d{3}", cell)]
        modes = ["constrained", "free"][:len(shown)]
        assert shown == [round(_rate(folder, label, f"{row}-{mode}"), 3) for mode in modes], (row, cell)
        seen += 1
    assert seen == len(ROWS)
