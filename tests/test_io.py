"""The folder lock that keeps two trainings out of one run folder."""

from __future__ import annotations

import subprocess
import sys

import pytest

from funcall_lib.io import BusyError, exclusive_dir


def test_a_held_folder_refuses_a_second_holder_and_names_the_first(tmp_path):
    with exclusive_dir(tmp_path / "run", "training"):
        with pytest.raises(BusyError, match=r"run: training by pid \d+ on .* since "):
            with exclusive_dir(tmp_path / "run", "training"):
                pass
    with exclusive_dir(tmp_path / "run", "scoring") as lock:     # free again once released
        assert lock.read_text().startswith("scoring by pid")


def test_the_lock_of_a_process_that_died_holding_it_is_free(tmp_path):
    code = ("import os, sys; from funcall_lib.io import exclusive_dir\n"
            "with exclusive_dir(sys.argv[1]): os._exit(0)")   # no release: the process ends
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=60)
    assert "training by pid" in (tmp_path / ".lock").read_text()
    with exclusive_dir(tmp_path):
        pass


def test_other_folders_are_not_held(tmp_path):
    with exclusive_dir(tmp_path / "a"), exclusive_dir(tmp_path / "b"):
        pass
