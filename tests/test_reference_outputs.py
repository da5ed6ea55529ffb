"""The published outputs of quality run 18 (docs/quality/run-18) agree with their reports and with
the README's table, so `funcall compare` against them tests a run against what we report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from funcall_lib.compare import examples_key, read_examples

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "quality" / "run-18"
REPORTS = sorted(REFERENCE.glob("soup-*.json"))
# README row -> the set of that row, and the v11 soup's column: "constrained / free" or one rate
ROWS = {"test (seen tools": "test", "test_unseen_tools": "test_unseen_tools",
        "BFCL simple_python": "bfcl_simple_python", "BFCL multiple": "bfcl_multiple",
        "BFCL parallel (": "bfcl_parallel", "BFCL parallel_multiple": "bfcl_parallel_multiple",
        "BFCL irrelevance": "bfcl_irrelevance"}


def _rate(set_mode: str) -> float:
    report = json.loads((REFERENCE / f"soup-{set_mode}.json").read_text(encoding="utf-8"))
    return report["task_pass_rate"]


def test_ten_reports_each_with_its_outputs():
    assert len(REPORTS) == 10
    for report_path in REPORTS:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        examples = read_examples(report_path.with_name(report_path.stem + ".examples.jsonl.gz"))
        passed = sum(e["task_pass"] for e in examples.values())
        assert len(examples) == report["n"], report_path.name
        assert passed / len(examples) == pytest.approx(report["task_pass_rate"], abs=1e-4), report_path.name
        assert examples_key(report_path.with_suffix(".examples.jsonl.gz")) == report_path.stem[len("soup-"):]


def test_the_readme_table_shows_these_rates():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    header = next(line for line in readme.splitlines() if line.startswith("| set |") and "v11 (run 18)" in line)
    column = [c.strip() for c in header.split("|")].index("soup of 3 seeds, v11 (run 18), constrained / free")
    seen = 0
    for line in readme.splitlines():
        row = next((name for prefix, name in ROWS.items() if line.startswith(f"| {prefix}")), None)
        if row is None:
            continue
        cell = [c.strip() for c in line.split("|")][column]
        shown = [float(x) for x in re.findall(r"\d\.\d{3}", cell)]
        modes = ["constrained", "free"][:len(shown)]
        assert shown == [round(_rate(f"{row}-{mode}"), 3) for mode in modes], (row, cell)
        seen += 1
    assert seen == len(ROWS)
