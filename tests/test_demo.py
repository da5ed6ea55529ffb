"""The demo's closing table: read from the eval reports a run wrote, base first."""

from __future__ import annotations

from funcall_lib import demo
from funcall_lib.io import write_json_atomic


def report(**over):
    r = {"n": 12, "strict_json_rate": 0.25, "schema_valid_rate": 0.125, "name_accuracy": 0.5,
         "task_pass_rate": 0.0, "irrelevance_accuracy": None, "by_category": {},
         "model": "embedded", "adapter": None, "constrained": True, "examples_per_s": 2.0}
    r.update(over)
    return r


def test_table_lists_base_before_tuned_with_real_numbers(tmp_path, capsys):
    write_json_atomic(tmp_path / "eval" / "a_tuned.json", report(adapter="adapter", task_pass_rate=0.75))
    write_json_atomic(tmp_path / "eval" / "z_base.json", report())
    (tmp_path / "eval" / "z_base.examples.jsonl").write_text("{}\n")  # ignored: not a report
    table = demo.results_table(tmp_path)
    lines = table.splitlines()
    assert lines[2].startswith("| z_base | 12 |") and lines[3].startswith("| a_tuned | 12 |")
    assert "75.0%" in lines[3] and "0.0%" in lines[2]
    assert demo.main(["--run-dir", str(tmp_path), "--table-only"]) == 0
    assert "75.0%" in capsys.readouterr().out


def test_table_orders_04_eval_reports_by_split_model_and_mode(tmp_path):
    for stem in ("tuned-unseen-constrained", "tuned-test-free", "base-test-free",
                 "tuned-test-constrained", "base-test-constrained", "base-bfcl_simple-constrained"):
        write_json_atomic(tmp_path / "eval" / f"{stem}.json", report())
    rows = [line.split("|")[1].strip() for line in demo.results_table(tmp_path).splitlines()[2:]]
    assert rows == ["base-test-constrained", "base-test-free", "tuned-test-constrained",
                    "tuned-test-free", "tuned-unseen-constrained", "base-bfcl_simple-constrained"]


def test_missing_reports_fail_with_the_reason(tmp_path, capsys):
    assert demo.main(["--run-dir", str(tmp_path), "--table-only"]) == 1
    assert "no evaluation reports" in capsys.readouterr().err
