"""Commands run side by side, a few at a time (funcall_lib.side_by_side)."""

from __future__ import annotations

import sys

import pytest

from funcall_lib.side_by_side import Job, run_side_by_side

# Each job marks itself running, waits, counts the jobs running beside it, then unmarks itself.
COUNT = """
import pathlib, sys, time
d = pathlib.Path(sys.argv[1]); me = d / ("running-" + sys.argv[2])
me.touch(); time.sleep(1.0)
print(len(list(d.glob("running-*")))); me.unlink()
"""


def test_at_most_n_at_once_and_every_log_kept(tmp_path):
    jobs = [Job(f"j{i}", [sys.executable, "-c", COUNT, str(tmp_path), str(i)]) for i in range(5)]
    run_side_by_side(jobs, 2, tmp_path / "logs", poll_s=0.05)
    counts = [int((tmp_path / "logs" / f"j{i}.log").read_text()) for i in range(5)]
    assert max(counts) <= 2 and max(counts) == 2


def test_a_failed_job_is_named_with_its_log_after_the_others_finish(tmp_path):
    jobs = [Job("bad", [sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"]),
            Job("good", [sys.executable, "-c", "print('fine')"])]
    with pytest.raises(RuntimeError, match=r"bad \(exit 3, log .*bad\.log\)") as info:
        run_side_by_side(jobs, 2, tmp_path / "logs", poll_s=0.05)
    assert "good" not in str(info.value)
    assert (tmp_path / "logs" / "bad.log").read_text().strip() == "boom"
    assert (tmp_path / "logs" / "good.log").read_text().strip() == "fine"
    with pytest.raises(ValueError):
        run_side_by_side(jobs, 0, tmp_path / "logs")
