"""`funcall compare`: the paired comparison of two eval runs on the same records."""

import gzip
import json

import pytest

from funcall_lib.cli import main
from funcall_lib.compare import compare, read_examples, two_sided_p


def _write(path, passes, gold=None, reason="wrong value: x"):
    rows = [{"id": f"r{i}", "task_pass": ok, "gold": gold or [{"name": "f", "arguments": {"i": i}}],
             "reason": None if ok else reason, "reason_kind": None if ok else reason.split(":")[0]}
            for i, ok in enumerate(passes)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_exact_two_sided_p_values():
    assert two_sided_p(0, 0) == 1.0 and two_sided_p(3, 3) == 1.0
    assert two_sided_p(10, 0) == two_sided_p(0, 10) == 2 / 2 ** 10
    assert two_sided_p(5, 2) == 2 * (1 + 7 + 21) / 2 ** 7      # P(X >= 5 | 7 changed), both tails
    assert two_sided_p(1, 0) == 1.0                              # 2 * 1/2, capped


def test_fixed_broken_and_failure_kinds(tmp_path, capsys):
    a = _write(tmp_path / "a.jsonl", [True, True, False, False, False, False, False, True, False, False])
    b = _write(tmp_path / "b.jsonl", [False, True, True, True, True, True, False, False, True, True],
               reason="wrong number of calls: made 2")
    result = compare(read_examples(a), read_examples(b))
    assert result["fixed"] == ["r2", "r3", "r4", "r5", "r8", "r9"] and result["broken"] == ["r0", "r7"]
    assert (result["before_pass"], result["after_pass"]) == (0.3, 0.7)
    assert result["failures"] == {"wrong value": (7, 0), "wrong number of calls": (0, 3)}
    assert result["p_value"] == two_sided_p(6, 2)

    assert main(["compare", str(a), str(b), "--show", "1"]) == 0
    out = capsys.readouterr().out
    assert "6 fixed, 2 broken" in out and "| task pass (n=10) | 0.300 | 0.700 |" in out
    assert "- r2: wrong value: x -> pass" in out and "- r0: pass -> wrong number of calls: made 2" in out
    assert "r3" not in out                                       # --show 1


@pytest.mark.parametrize("case", ["other ids", "other gold", "bad json", "no verdict", "twice"])
def test_unusable_inputs_are_named(tmp_path, capsys, case):
    a = _write(tmp_path / "a.jsonl", [True, False, True])
    b = tmp_path / "b.jsonl"
    if case == "other ids":
        _write(tmp_path / "b.jsonl", [True, False])
        expected = "a.jsonl: 1 record(s) the other run did not score (r2)"
    elif case == "other gold":
        _write(b, [True, False, True], gold=[{"name": "g", "arguments": {}}])
        expected = "3 record(s) with the same id expect different calls"
    elif case == "bad json":
        b.write_text(a.read_text() + "{not json\n")
        expected = "b.jsonl:4: not valid JSON"
    elif case == "no verdict":
        b.write_text('{"id": "r0", "task_pass": null}\n')
        expected = "b.jsonl:1: an example needs an \"id\" and a true/false \"task_pass\""
    else:
        b.write_text(a.read_text() + a.read_text().splitlines(keepends=True)[0])
        expected = "b.jsonl:4: id 'r0' appears twice"
    assert main(["compare", str(a), str(b)]) == 2
    assert expected in capsys.readouterr().err


def test_two_folders_compare_each_set_and_pool(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    _write(a / "soup-test-free.examples.jsonl", [False] * 6 + [True] * 4)
    _write(b / "tuned-test-free.examples.jsonl", [True] * 5 + [False] + [True] * 4)      # 5 fixed
    _write(a / "soup-bfcl_multiple-constrained.examples.jsonl", [False, False, True, True])
    _write(b / "soup-bfcl_multiple-constrained.examples.jsonl", [True, True, True, True])  # 2 fixed
    _write(a / "soup-bfcl_parallel-constrained.examples.jsonl", [True])                    # A only
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "| test-free | 10 | 0.400 | 0.900 | +0.500 | 5 | 0 | 0.0625 |" in out
    assert "| bfcl_multiple-constrained | 4 | 0.500 | 1.000 | +0.500 | 2 | 0 | 0.5 |" in out
    # neither set alone is beyond chance; the 7-0 split over both is (p = 2/2**7)
    assert f"pooled over 2 set(s): 7 fixed, 0 broken; exact sign test (McNemar) p = {2 / 2 ** 7:.3g}\n" in out
    assert "- only in A: bfcl_parallel-constrained" in out


@pytest.mark.parametrize("case", ["nothing shared", "file and folder", "two of one set"])
def test_unusable_folders_are_named(tmp_path, capsys, case):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    _write(a / "soup-test-free.examples.jsonl", [True])
    if case == "nothing shared":
        _write(b / "soup-test-constrained.examples.jsonl", [True])
        argv, expected = [str(a), str(b)], "no set scored in both"
    elif case == "file and folder":
        argv, expected = [str(a), str(a / "soup-test-free.examples.jsonl")], "give two examples files or two folders"
    else:
        _write(b / "soup-test-free.examples.jsonl", [True])
        _write(b / "tuned-test-free.examples.jsonl", [True])
        argv, expected = [str(a), str(b)], "soup-test-free.examples.jsonl and tuned-test-free.examples.jsonl both score test-free"
    assert main(["compare", *argv]) == 2
    assert expected in capsys.readouterr().err


def _gzip(path):
    gz = path.with_name(path.name + ".gz")
    gz.write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()
    return gz


def test_a_published_gzip_folder_against_a_whole_set_run_with_common(tmp_path, capsys):
    """The reference outputs are kept gzipped and scored on the first records of a set; a run
    on the whole set is compared over the records both scored, and only with --common."""
    ref, mine = tmp_path / "ref", tmp_path / "mine"
    ref.mkdir(), mine.mkdir()
    _gzip(_write(ref / "soup-test-constrained.examples.jsonl", [False, True, False, True]))
    _write(mine / "soup-test-constrained.examples.jsonl", [True, True, True, False] + [True] * 6)
    assert main(["compare", str(ref), str(mine)]) == 2
    assert "6 record(s) the other run did not score" in capsys.readouterr().err
    assert main(["compare", str(ref), str(mine), "--common"]) == 0
    assert "| test-constrained | 4 | 0.500 | 0.750 | +0.250 | 2 | 1 | 1 |" in capsys.readouterr().out
    assert main(["compare", str(ref / "soup-test-constrained.examples.jsonl.gz"),
                 str(mine / "soup-test-constrained.examples.jsonl"), "--common"]) == 0
    assert "2 fixed, 1 broken" in capsys.readouterr().out


def test_common_needs_a_shared_record_and_a_bad_gzip_line_is_named(tmp_path, capsys):
    a = _write(tmp_path / "a.examples.jsonl", [True])
    b = tmp_path / "b.examples.jsonl"
    b.write_text('{"id": "other", "task_pass": true}\n')
    assert main(["compare", str(a), str(b), "--common"]) == 2
    assert "no record in common" in capsys.readouterr().err
    b.write_text(a.read_text() + "{oops\n")
    assert main(["compare", str(a), str(_gzip(b))]) == 2
    assert "b.examples.jsonl.gz:2: not valid JSON" in capsys.readouterr().err
