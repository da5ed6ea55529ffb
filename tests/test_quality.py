"""The quality recipe's table: right metric per set, n per cell, missing runs marked."""

import json

import pytest

from funcall_lib.chat import format_calls
from funcall_lib.quality import BFCL_SETS, LOCAL_SETS, quality_table

TOOL = {"name": "get_weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"days": {"type": "integer"}}, "required": ["days"]}}


def _call_record(i):
    return {"id": f"r{i}", "messages": [{"role": "user", "content": "q"}], "tools": [TOOL],
            "answer": {"tool_calls": [{"name": "get_weather", "arguments": {"days": i}}]},
            "meta": {"source": "test", "category": "simple" if i % 2 else "parallel"}}


def _hermes_call(days):
    return format_calls([{"name": "get_weather", "arguments": {"days": days}}], "hermes")


def report(n, task, json_rate, irrelevance=None):
    return {"n": n, "task_pass_rate": task, "strict_json_rate": json_rate,
            "irrelevance_accuracy": irrelevance}


def test_table_uses_irrelevance_accuracy_for_bfcl_irrelevance_and_keeps_each_n():
    table = quality_table({
        "base-test-constrained": report(200, 0.12, 0.01, 0.9),
        "tuned-test-constrained": report(100, 0.84, 0.99, 1.0),
        "tuned-bfcl_irrelevance-free": report(100, 0.2, 0.96, 0.76),
    })
    lines = table.splitlines()
    test_row = next(line for line in lines if line.startswith("| test |"))
    assert "0.120 (n=200" in test_row and "0.840 (n=100" in test_row
    assert test_row.count(" - ") == 2          # base free and tuned free were not run
    irr_row = next(line for line in lines if line.startswith("| bfcl_irrelevance |"))
    assert "0.760" in irr_row and "0.200" not in irr_row
    assert lines.index(test_row) < lines.index(irr_row)   # our sets first, then BFCL


def test_a_rate_that_does_not_apply_is_a_dash():
    """A model that declines all of a few irrelevance records attempted no call: no strict-JSON rate."""
    table = quality_table({"base-bfcl_irrelevance-constrained": report(3, 0.0, None, irrelevance=1.0)})
    assert "| bfcl_irrelevance | 1.000 (n=3, json -) |" in table


def test_default_sets_cover_the_issue_categories():
    assert LOCAL_SETS == ["test", "test_unseen_tools"]
    assert {s.split(":")[1] for s in BFCL_SETS} == {
        "simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance"}


def test_each_decoding_variant_has_its_own_report_dir():
    from funcall_lib.quality import Decoding

    variants = [Decoding(), Decoding(stop_on_repeat=True), Decoding(copy_bias=2.0),
                Decoding(stop_on_repeat=True, copy_bias=0.5), Decoding(call_bias=-3.0),
                Decoding(stop_on_repeat=True, copy_bias=2.0, call_bias=-1.5), Decoding(call_bias=2.0),
                Decoding(stop_on_repeat=True, copy_bias=2.0, unmerged=True), Decoding(word_bias=2.0)]
    assert [d.folder_suffix() for d in variants] == [
        "", "-stop-on-repeat", "-copy-bias-2", "-stop-on-repeat-copy-bias-0.5", "-call-bias-3",
        "-stop-on-repeat-copy-bias-2-call-bias-1.5", "-call-bias+2", "-stop-on-repeat-copy-bias-2-unmerged",
        "-word-bias-2"]


def test_a_decodings_folder_suffix_keeps_the_names_of_the_folders_on_disk():
    """Plain decoding has no suffix; a full variant names every setting in a fixed order, and a
    mode that requires a call drops the call bias (it changes nothing there)."""
    from funcall_lib.quality import Decoding

    assert Decoding().folder_suffix() == "" and Decoding().folder_suffix("required") == ""
    full = Decoding(stop_on_repeat=True, copy_bias=2.0, call_bias=1.5, option_bias=2.0, unmerged=True)
    assert full.folder_suffix() == "-stop-on-repeat-copy-bias-2-option-bias-2-call-bias+1.5-unmerged"
    assert Decoding(max_new_tokens=256).folder_suffix() == "-max-new-tokens-256"    # not the default (512)
    every = Decoding(stop_on_repeat=True, copy_bias=2.0, word_bias=8.0, name_bias=16.0, region_bias=4.0,
                     option_bias=2.0, list_bias=16.0, stated_layouts=True, stated_percents=True,
                     said_flags=True, said_magnitudes=True, drop_subsumed=True, stated_units=True,
                     rate_fractions=True, drop_doubled=True, said_years=True, said_periods=True, said_options=True,
                     lift_keys=True, any_order=True)
    assert every.folder_suffix() == ("-stop-on-repeat-drop-subsumed-drop-doubled-lift-keys-copy-bias-2-word-bias-8-name-bias-16"
                                     "-region-bias-4-option-bias-2-list-bias-16-stated-layouts-stated-percents"
                                     "-rate-fractions-stated-units"
                                     "-said-flags-said-magnitudes-said-years-said-periods-said-options-any-order")
    assert full.folder_suffix("auto") == full.folder_suffix()
    assert full.folder_suffix("required") == "-stop-on-repeat-copy-bias-2-option-bias-2-unmerged"
    assert Decoding(call_bias=-3.0).folder_suffix("required") == ""
    assert full.for_tool_choice("required").call_bias == 0.0 and full.call_bias == 1.5   # frozen: a copy


def test_a_decoding_comes_from_the_flags_of_the_command_line():
    import argparse
    import dataclasses

    from funcall_lib.quality import Decoding

    args = argparse.Namespace(stop_on_repeat=True, drop_subsumed=False, drop_doubled=False, copy_bias=2.0,
                              word_bias=0.0,
                              name_bias=0.0, region_bias=0.0, call_bias=-1.0, option_bias=0.5, list_bias=4.0,
                              stated_layouts=True, stated_percents=True, rate_fractions=False, stated_units=False,
                              said_flags=True,
                              said_magnitudes=False, said_years=False, said_periods=False, said_options=False, lift_keys=False,
                              any_order=True, unmerged=True, max_new_tokens=1024,
                              run_dir="runs/q")
    decoding = Decoding.from_args(args)
    assert decoding == Decoding(stop_on_repeat=True, copy_bias=2.0, call_bias=-1.0, option_bias=0.5,
                                list_bias=4.0, stated_layouts=True, stated_percents=True, said_flags=True,
                                any_order=True, unmerged=True, max_new_tokens=1024)
    with pytest.raises(dataclasses.FrozenInstanceError):
        decoding.copy_bias = 0.0


def test_required_mode_only_for_call_sets_and_shown_only_when_run():
    from funcall_lib.quality import modes_for

    every = ("constrained", "free", "required")
    assert modes_for("bfcl_parallel", every) == list(every)
    for no_call_possible in ("test", "test_unseen_tools", "bfcl_irrelevance"):
        assert modes_for(no_call_possible, every) == ["constrained", "free"]
    without = quality_table({"tuned-bfcl_multiple-constrained": report(200, 0.5, 1.0)})
    assert "required" not in without
    table = quality_table({"tuned-bfcl_multiple-constrained": report(200, 0.5, 1.0),
                           "tuned-bfcl_multiple-required": report(200, 0.6, 1.0)})
    header, _, row = table.splitlines()
    assert header.count("|") - 1 == 7                  # set + base/tuned x constrained/free/required
    assert row.endswith("0.600 (n=200, json 1.00) |")


def test_bad_labels_or_modes_stop_before_any_data_is_built(tmp_path):
    import pytest

    from funcall_lib.quality import main

    for bad in (["--modes", "constrained,requried"], ["--labels", "tuned,bsae"], ["--copy-bias", "-1"]):
        with pytest.raises(SystemExit):
            main(["--run-dir", str(tmp_path / "q"), *bad])
        assert not (tmp_path / "q").exists()


def test_data_n_sizes_only_the_training_split(tmp_path, monkeypatch):
    """--data-n is for "the recipe on more data": the variant must be scored on the very
    records the recipe is, or the comparison mixes data size with test-set luck."""
    from funcall_lib import synth
    from funcall_lib.quality import build_data
    from funcall_lib.records import load_records

    monkeypatch.setitem(synth.DATA_PRESETS, "quality", {"n": 400, "mix": 0.6})
    data = build_data(tmp_path / "q", n=200)
    train = load_records(data / "train.jsonl")
    procedural = [r for r in train if r["meta"].get("family") == "procedural"]
    assert 150 <= len(train) <= 200 and 0.5 < len(procedural) / len(train) < 0.7
    bigger = build_data(tmp_path / "q2", n=600)
    assert len(load_records(bigger / "train.jsonl")) > 500
    for split in ("dev", "test", "test_unseen_tools"):
        assert (data / f"{split}.jsonl").read_bytes() == (bigger / f"{split}.jsonl").read_bytes()
        assert len(load_records(data / f"{split}.jsonl")) == 40
    assert build_data(tmp_path / "q", n=999) == data           # an existing corpus is reused
    assert len(load_records(data / "train.jsonl")) == len(train)


def test_an_adapter_trained_otherwise_is_not_reused_silently(tmp_path):
    """`--set lora_r=8` on a run dir trained with r=64 must not score the old adapter as r=8,
    and an evaluation started without the training's --set must not pass either."""
    import json

    import pytest

    from funcall_lib.config import make_config, to_dict
    from funcall_lib.quality import train_adapter

    run = tmp_path / "q"
    (run / "adapter").mkdir(parents=True)
    (run / "adapter" / "adapter_config.json").write_text("{}")
    trained = to_dict(make_config("quality", max_steps=625))
    (run / "run.json").write_text(json.dumps({"config": trained}))
    assert train_adapter(run, run / "data", {"max_steps": 625}) == run / "adapter"
    assert train_adapter(run, run / "data", {"max_steps": "6.25e2"}) == run / "adapter"
    with pytest.raises(ValueError, match=r"max_steps=625 \(asked -1\)"):
        train_adapter(run, run / "data", {})
    with pytest.raises(ValueError, match=r"lora_r=64 \(asked 8\).*another --run-dir"):
        train_adapter(run, run / "data", {"max_steps": 625, "lora_r": 8})


def _fake_scoring(monkeypatch, *keys):
    """evaluate_all with nothing loaded and a scorer that records, per call, its tool_choice and
    the named nudges it was given; returns that record."""
    from funcall_lib import evaluate, infer, models

    seen = []

    def fake_evaluate(model, records, **kwargs):
        seen.append((kwargs["tool_choice"], *(getattr(kwargs["nudges"], k) for k in keys)))
        return {"n": len(records), "task_pass_rate": 0.5}, [{"id": r["id"]} for r in records]

    monkeypatch.setattr(evaluate, "evaluate_model", fake_evaluate)
    monkeypatch.setattr(evaluate, "write_report", lambda path, report, examples: (
        path.parent.mkdir(parents=True, exist_ok=True), path.write_text(json.dumps(report))))
    monkeypatch.setattr(models, "load_model", lambda *a, **k: object())
    monkeypatch.setattr(infer, "prepare_for_inference", lambda loaded, merge_adapter=True: None)
    return seen


def test_call_bias_reaches_auto_modes_only_and_required_reports_stay_plain(tmp_path, monkeypatch):
    from funcall_lib.quality import Decoding, evaluate_all

    seen = _fake_scoring(monkeypatch, "call_bias")
    sets = {"bfcl_simple_python": [{"id": "a"}]}
    evaluate_all(tmp_path, "embedded", None, sets, 8, ("base",), modes=("constrained", "required"),
                 decoding=Decoding(call_bias=-2.0))
    assert seen == [("auto", -2.0), ("required", 0.0)]
    assert (tmp_path / "eval-call-bias-2" / "base-bfcl_simple_python-constrained.json").is_file()
    assert (tmp_path / "eval" / "base-bfcl_simple_python-required.json").is_file()
    assert not (tmp_path / "eval-call-bias-2" / "base-bfcl_simple_python-required.json").exists()


def test_evaluate_all_passes_the_option_bias_to_every_mode(tmp_path, monkeypatch):
    from funcall_lib.quality import Decoding, evaluate_all

    seen = _fake_scoring(monkeypatch, "option_bias")
    evaluate_all(tmp_path, "embedded", None, {"bfcl_simple_python": [{"id": "a"}]}, 8, ("base",),
                 modes=("constrained", "required"), decoding=Decoding(option_bias=2.0))
    assert seen == [("auto", 2.0), ("required", 2.0)]
    for mode in ("constrained", "required"):
        assert (tmp_path / "eval-option-bias-2" / f"base-bfcl_simple_python-{mode}.json").is_file()


def test_seeds_are_checked_before_any_data_is_built(tmp_path):
    import pytest

    from funcall_lib.quality import main

    for bad in (["--seeds", "7"], ["--seeds", "7,7"], ["--seeds", "1,x"],
                ["--seeds", "1,2", "--set", "seed=3"], ["--seeds", "1,2", "--set", "full_finetuning=true"],
                ["--seeds", "1,2", "--labels", "base,tuned"], ["--labels", "base,soup"],
                ["--seeds", "1,2", "--unmerged"]):
        with pytest.raises(SystemExit):
            main(["--run-dir", str(tmp_path / "q"), *bad])
        assert not (tmp_path / "q").exists(), bad


def test_train_soup_trains_each_seed_and_reuses_only_the_same_soup(tmp_path, monkeypatch, tiny_model_dir,
                                                                   random_adapter):
    """One adapter per seed under seed-N, with that seed in its config; their soup in soup/."""
    import pytest

    from funcall_lib import quality

    asked = []

    def fake_train_adapter(run_dir, data, overrides):
        asked.append((run_dir.name, overrides))
        adapter = run_dir / "adapter"
        if not adapter.is_dir():
            random_adapter(tiny_model_dir, adapter, seed=overrides["seed"], r=2, targets=["q_proj"])
            (run_dir / "run.json").write_text(json.dumps({"model": str(tiny_model_dir)}))
        return adapter

    monkeypatch.setattr(quality, "train_adapter", fake_train_adapter)
    run = tmp_path / "q"
    soup = quality.train_soup(run, run / "data", {"lora_r": 2}, [3, 5])
    assert asked == [("seed-3", {"lora_r": 2, "seed": 3}), ("seed-5", {"lora_r": 2, "seed": 5})]
    made = json.loads((soup / "merge.json").read_text())
    assert made["soup_of"] == [str((run / f"seed-{s}" / "adapter").resolve()) for s in (3, 5)]
    assert made["dtype"] == "fp32" and (soup / "config.json").is_file()
    weights = soup / "model.safetensors"
    stamp = weights.stat().st_mtime_ns
    assert quality.train_soup(run, run / "data", {"lora_r": 2}, [3, 5]) == soup
    assert weights.stat().st_mtime_ns == stamp                      # reused, not merged again
    with pytest.raises(ValueError, match="not of the adapters of seeds"):
        quality.train_soup(run, run / "data", {"lora_r": 2}, [3, 6])


def test_a_soup_is_scored_as_a_whole_model_under_its_own_label(tmp_path, monkeypatch):
    from funcall_lib import evaluate, infer, models
    from funcall_lib.quality import evaluate_all

    loaded_as = []
    monkeypatch.setattr(evaluate, "evaluate_model", lambda model, records, **kw: (
        {"n": len(records), "task_pass_rate": 0.5, "strict_json_rate": 1.0}, []))
    monkeypatch.setattr(evaluate, "write_report", lambda path, report, examples: (
        path.parent.mkdir(parents=True, exist_ok=True), path.write_text(json.dumps(report))))
    monkeypatch.setattr(models, "load_model", lambda model, adapter=None: loaded_as.append((model, adapter)))
    monkeypatch.setattr(infer, "prepare_for_inference", lambda loaded, merge_adapter=True: None)
    soup = tmp_path / "soup"
    soup.mkdir()
    (soup / "config.json").write_text("{}")
    reports = evaluate_all(tmp_path, "embedded", soup, {"test": [{"id": "a"}]}, 8, ("base", "soup"),
                           modes=("constrained",))
    assert loaded_as == [("embedded", None), (str(soup), None)]
    assert (tmp_path / "eval" / "soup-test-constrained.json").is_file()
    header = quality_table(reports).splitlines()[0]
    assert "soup constrained" in header and "tuned" not in header


def test_the_table_covers_every_report_in_the_run_not_only_this_invocations(tmp_path):
    """Two processes scoring different sets into one run dir: the table of the second one
    still shows the first one's set."""
    from funcall_lib.quality import reports_on_disk

    eval_dir = tmp_path / "eval-stop-on-repeat"
    eval_dir.mkdir()
    earlier = {"n": 40, "task_pass_rate": 0.25, "strict_json_rate": 1.0}
    (eval_dir / "soup-test-constrained.json").write_text(json.dumps(earlier))
    (eval_dir / "soup-test-constrained.examples.jsonl").write_text("{}\n")
    now = {"soup-bfcl_multiple-constrained": {"n": 200, "task_pass_rate": 0.5, "strict_json_rate": 0.9}}
    table = quality_table({**reports_on_disk(eval_dir), **now})
    assert "| test | - | - | 0.250 (n=40, json 1.00) | - |" in table
    assert "| bfcl_multiple | - | - | 0.500 (n=200, json 0.90) | - |" in table
    assert reports_on_disk(tmp_path / "missing") == {}


def test_child_argv_keeps_everything_but_what_splits_the_work():
    from funcall_lib.quality import child_argv

    argv = ["--run-dir", "r", "--sets", "test,bfcl:multiple", "--jobs", "4", "--seeds", "1,2",
            "--set", "learning_rate=0.001", "--sets=x", "--jobs=2", "--copy-bias", "2", "--modes", "free",
            "--shards", "3"]
    kept = ["--run-dir", "r", "--seeds", "1,2", "--set", "learning_rate=0.001", "--copy-bias", "2"]
    assert child_argv(argv, "bfcl:multiple", "free") == [*kept, "--sets", "bfcl:multiple", "--modes", "free"]
    assert child_argv(argv, "test", "constrained", (2, 3))[-6:] == ["--sets", "test", "--modes", "constrained",
                                                                    "--shard", "2/3"]


def test_jobs_score_each_set_in_its_own_process_and_the_table_has_them_all(tmp_path, monkeypatch):
    import sys

    from funcall_lib import quality, side_by_side

    data = tmp_path / "q" / "data"
    monkeypatch.setattr(quality, "build_data", lambda run_dir, **kw: data)
    monkeypatch.setattr(quality, "eval_sets", lambda data, names, limit, shard: {n.replace(":", "_"): [] for n in names})
    started = []

    def fake_run(jobs, at_once, log_dir):
        started.extend((job.name, job.argv, at_once) for job in jobs)
        for job in jobs:  # what each child process writes
            path = tmp_path / "q" / "eval" / f"base-{job.name}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"n": 3, "task_pass_rate": 1 / 3, "strict_json_rate": 1.0}))

    monkeypatch.setattr(side_by_side, "run_side_by_side", fake_run)
    assert quality.main(["--run-dir", str(tmp_path / "q"), "--skip-train", "--labels", "base",
                         "--modes", "constrained", "--sets", "test,bfcl:multiple", "--jobs", "3"]) == 0
    assert [(name, at_once) for name, _, at_once in started] == [("test-constrained", 3),
                                                                 ("bfcl_multiple-constrained", 3)]
    assert started[1][1][:3] == [sys.executable, "-m", "funcall_lib.quality"]
    assert started[1][1][-4:] == ["--sets", "bfcl:multiple", "--modes", "constrained"]
    assert "--jobs" not in started[1][1]
    table = (tmp_path / "q" / "quality.md").read_text()
    assert "| test | 0.333 (n=3, json 1.00) |" in table and "| bfcl_multiple | 0.333 (n=3, json 1.00) |" in table


def test_shards_split_each_set_and_mode_and_their_parts_make_one_report(tmp_path, monkeypatch):
    from funcall_lib import quality, side_by_side
    from funcall_lib.evaluate import score_outputs, write_report
    from funcall_lib.io import iter_jsonl

    records = [_call_record(i) for i in range(7)]
    outputs = [_hermes_call(i if i % 3 else -1) for i in range(7)]     # 0, 3, 6 wrong
    whole, _ = score_outputs(records, outputs, constrained=True)
    data = tmp_path / "q" / "data"
    monkeypatch.setattr(quality, "build_data", lambda run_dir, **kw: data)
    monkeypatch.setattr(quality, "eval_sets", lambda data, names, limit, shard: {"test": records})
    names = []

    def fake_run(jobs, at_once, log_dir):
        for job in jobs:  # what each child process writes: its part of the records
            names.append(job.name)
            k, n = map(int, job.argv[job.argv.index("--shard") + 1].split("/"))
            lo, hi = len(records) * (k - 1) // n, len(records) * k // n
            report, examples = score_outputs(records[lo:hi], outputs[lo:hi], constrained=True, seconds=1.0)
            report.update(data="test", tool_choice="auto")
            write_report(tmp_path / "q" / "eval" / "parts" / f"base-test-constrained.{k}of{n}.json", report, examples)

    monkeypatch.setattr(side_by_side, "run_side_by_side", fake_run)
    argv = ["--run-dir", str(tmp_path / "q"), "--skip-train", "--labels", "base", "--modes", "constrained",
            "--sets", "test", "--jobs", "2", "--shards", "3"]
    assert quality.main(argv) == 0
    assert names == ["test-constrained-1of3", "test-constrained-2of3", "test-constrained-3of3"]
    merged = json.loads((tmp_path / "q" / "eval" / "base-test-constrained.json").read_text())
    for key in ("n", "task_pass_rate", "strict_json_rate", "by_category", "failures"):
        assert merged[key] == whole[key], key
    assert merged["parts"] == 3 and merged["examples_per_s"] == round(7 / 3, 3)
    rows = [row for _, row in iter_jsonl(tmp_path / "q" / "eval" / "base-test-constrained.examples.jsonl")]
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert "| test | 0.571 (n=7" in (tmp_path / "q" / "quality.md").read_text()


def test_when_some_parts_fail_the_reports_whose_parts_all_came_back_are_still_merged(tmp_path, monkeypatch):
    """Quality run 18: the constrained children died (a missing package) after the free ones had
    scored; their work was merged by hand. Now the finished reports are merged, then it fails."""
    from funcall_lib import quality, side_by_side
    from funcall_lib.evaluate import score_outputs, write_report

    records = [_call_record(i) for i in range(4)]
    data = tmp_path / "q" / "data"
    monkeypatch.setattr(quality, "build_data", lambda run_dir, **kw: data)
    monkeypatch.setattr(quality, "eval_sets", lambda data, names, limit, shard: {"test": records})

    def fake_run(jobs, at_once, log_dir):
        for job in jobs:
            k, n = map(int, job.argv[job.argv.index("--shard") + 1].split("/"))
            mode = job.argv[job.argv.index("--modes") + 1]
            if mode == "constrained" and k == 2:
                continue  # this child failed
            lo, hi = len(records) * (k - 1) // n, len(records) * k // n
            report, examples = score_outputs(records[lo:hi], [_hermes_call(i) for i in range(lo, hi)],
                                             constrained=mode == "constrained", seconds=1.0)
            report.update(data="test", tool_choice="auto")
            write_report(tmp_path / "q" / "eval" / "parts" / f"base-test-{mode}.{k}of{n}.json", report, examples)
        raise RuntimeError("failed: test-constrained-2of2 (exit 1, log ...)")

    monkeypatch.setattr(side_by_side, "run_side_by_side", fake_run)
    argv = ["--run-dir", str(tmp_path / "q"), "--skip-train", "--labels", "base", "--modes", "constrained,free",
            "--sets", "test", "--jobs", "4", "--shards", "2"]
    with pytest.raises(RuntimeError, match="test-constrained-2of2"):
        quality.main(argv)
    free = json.loads((tmp_path / "q" / "eval" / "base-test-free.json").read_text())
    assert free["n"] == 4 and free["parts"] == 2 and free["task_pass_rate"] == 1.0
    assert not (tmp_path / "q" / "eval" / "base-test-constrained.json").exists()


def test_a_missing_part_or_parts_scored_otherwise_are_named(tmp_path):
    from funcall_lib.evaluate import merge_parts, score_outputs
    from funcall_lib.quality import merge_shards

    with pytest.raises(FileNotFoundError, match=r"base-test-constrained\.1of2\.json: part 1 of 2 is missing"):
        merge_shards(tmp_path, ("base",), {"test": 5}, ("constrained",), 2)
    one = score_outputs([_call_record(0)], [_hermes_call(0)], constrained=True)
    other = score_outputs([_call_record(1)], [_hermes_call(1)], constrained=False)
    with pytest.raises(ValueError, match="part 2 was scored otherwise than part 1: constrained=False vs True"):
        merge_parts([one, other])
    with pytest.raises(ValueError, match="the parts share records"):
        merge_parts([one, one])
    longer = score_outputs([_call_record(1)], [_hermes_call(1)], constrained=True)
    one[0].update(max_new_tokens=512, out_of_tokens=1)
    longer[0].update(max_new_tokens=1024, out_of_tokens=0)
    with pytest.raises(ValueError, match="max_new_tokens=1024 vs 512"):
        merge_parts([one, longer])
    longer[0].update(max_new_tokens=512, out_of_tokens=2)
    assert merge_parts([one, longer])[0]["out_of_tokens"] == 3


@pytest.mark.parametrize("argv, expected", [
    (["--shards", "2"], "give --jobs N (N > 1)"),
    (["--jobs", "2", "--shards", "2", "--shard", "1/2"], "give --jobs N (N > 1)"),
    (["--shard", "3/2"], "expected 1 <= K <= N"),
    (["--shard", "x"], "expected K/N"),
])
def test_bad_shard_options_stop_before_any_data_is_built(tmp_path, capsys, argv, expected):
    from funcall_lib.quality import main

    with pytest.raises(SystemExit):
        main(["--run-dir", str(tmp_path / "q"), "--skip-train", *argv])
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "q").exists()


def test_a_set_smaller_than_the_shards_is_split_into_no_empty_part():
    from funcall_lib.quality import side_jobs

    jobs = side_jobs(["--jobs", "8", "--shards", "4"], {"test": 10, "bfcl:multiple": 2, "bfcl:irrelevance": 1},
                     ("constrained",), 4)
    assert [j.name for j in jobs] == ["test-constrained-1of4", "test-constrained-2of4", "test-constrained-3of4",
                                      "test-constrained-4of4", "bfcl_multiple-constrained-1of2",
                                      "bfcl_multiple-constrained-2of2", "bfcl_irrelevance-constrained"]
    assert "--shard" not in jobs[-1].argv and jobs[-2].argv[-2:] == ["--shard", "2/2"]


@pytest.mark.parametrize("argv, expected", [
    (["--sets", "test,bfcl:nope"], "--sets bfcl:nope: BFCL category 'nope' not found in bfcl-eval"),
    (["--sets", "test", "--modes", "free,constrained"], "constrained decoding needs xgrammar, which did not import"),
])
def test_what_scoring_needs_is_checked_before_data_and_training(tmp_path, capsys, monkeypatch, argv, expected):
    """Quality run 18 trained for ten minutes, then its scoring found bfcl-eval and pydantic missing."""
    import sys

    from funcall_lib.quality import main

    monkeypatch.setitem(sys.modules, "xgrammar", None)  # an import that fails, as without pydantic
    with pytest.raises(SystemExit):
        main(["--run-dir", str(tmp_path / "q"), *argv])
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "q").exists()


def test_training_alone_needs_no_scoring_packages(tmp_path, monkeypatch):
    import sys

    from funcall_lib import quality

    monkeypatch.setitem(sys.modules, "xgrammar", None)
    built = []
    monkeypatch.setattr(quality, "build_data", lambda run_dir, **kw: built.append(run_dir) or run_dir / "data")
    monkeypatch.setattr(quality, "train_adapter", lambda run_dir, data, overrides: run_dir / "adapter")
    assert quality.main(["--run-dir", str(tmp_path / "q"), "--only-train", "--sets", "bfcl:nope"]) == 0
    assert built == [tmp_path / "q"]


def test_a_report_cut_off_at_another_token_limit_is_not_tabled_as_this_runs(tmp_path):
    """A report written before reports kept their token limit had 256; the recipe now gives 512,
    and a report of the other limit belongs in its own folder."""
    from funcall_lib.quality import Decoding, evaluate_all, report_path

    sets = {"test": [{"id": "a"}]}
    old = report_path(tmp_path, "base", "test", "constrained")
    old.parent.mkdir(parents=True)
    old.write_text(json.dumps({"n": 1, "task_pass_rate": 1.0}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"at most 256 new tokens, not 512; .* eval-max-new-tokens-256/"):
        evaluate_all(tmp_path, "embedded", None, sets, 8, ("base",), modes=("constrained",))
    at_256 = report_path(tmp_path, "base", "test", "constrained", Decoding(max_new_tokens=256))
    at_256.parent.mkdir(parents=True)
    old.rename(at_256)                                     # where the message says it belongs
    reports = evaluate_all(tmp_path, "embedded", None, sets, 8, ("base",), modes=("constrained",),
                           decoding=Decoding(max_new_tokens=256))
    assert reports == {"base-test-constrained": {"n": 1, "task_pass_rate": 1.0}}   # reused, no model loaded
