"""Scoring fixed outputs without a model; report files; the CLI with --predictions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funcall_lib import evaluate as ev
from funcall_lib.chat import format_calls
from funcall_lib.nudges import Nudges

WEATHER = {"name": "get_weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city"]}}
TIME = {"name": "get_time", "description": "Time.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


def record(rid, calls, category="simple", tools=(WEATHER, TIME)):
    return {"id": rid, "messages": [{"role": "user", "content": "q"}], "tools": list(tools),
            "answer": {"tool_calls": calls}, "meta": {"source": "test", "category": category}}


def c(name, **args):
    return {"name": name, "arguments": args}


RECORDS = [
    record("ok", [c("get_weather", city="Oslo")]),
    record("repaired", [c("get_weather", city="Oslo")]),
    record("wrongtool", [c("get_weather", city="Oslo")]),
    record("badtype", [c("get_weather", city="Oslo", days=2)]),
    record("text", [c("get_weather", city="Oslo")]),
    record("par", [c("get_weather", city="Oslo"), c("get_time", city="Rome")], "parallel"),
    record("irr-ok", [], "irrelevance"),
    record("irr-call", [], "irrelevance"),
]
OUTPUTS = [
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call><|im_end|>',
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"},}\n</tool_call>',
    '<tool_call>\n{"name": "get_time", "arguments": {"city": "Oslo"}}\n</tool_call>',
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo", "days": "2"}}\n</tool_call>',
    "It is sunny in Oslo.",
    format_calls([c("get_time", city="Rome"), c("get_weather", city="Oslo")]),
    "None of the tools can help with that.",
    format_calls([c("get_time", city="Paris")]),
]


@pytest.fixture()
def scored():
    return ev.score_outputs(RECORDS, OUTPUTS, "hermes", model="fixed", constrained=False)


def test_per_example_verdicts(scored):
    _, ex = scored
    by = {e["id"]: e for e in ex}
    assert by["ok"]["task_pass"] and by["ok"]["strict_json"] and by["ok"]["reason"] is None
    assert by["repaired"]["task_pass"] and by["repaired"]["strict_json"] is False
    assert by["wrongtool"]["reason_kind"] == "wrong tool" and not by["wrongtool"]["name_correct"]
    assert by["wrongtool"]["schema_valid"]
    assert by["badtype"]["reason_kind"] == "schema violation" and by["badtype"]["schema_valid"] is False
    assert by["badtype"]["name_correct"]
    assert by["text"]["reason_kind"] == "no call made" and by["text"]["strict_json"] is False
    assert by["text"]["schema_valid"] is False
    assert by["par"]["task_pass"]
    assert by["irr-ok"]["task_pass"] and by["irr-ok"]["strict_json"] is None
    assert by["irr-call"]["reason_kind"] == "called a tool on an irrelevant request"
    assert by["irr-call"]["strict_json"] is True and not by["irr-call"]["name_correct"]


def test_report_rates(scored):
    rep, _ = scored
    assert rep["n"] == 8
    assert rep["call_examples"] == 7           # irr-ok declines in text: not counted
    assert rep["strict_json_rate"] == round(5 / 7, 4)
    assert rep["schema_valid_rate"] == round(5 / 7, 4)
    assert rep["task_pass_rate"] == round(4 / 8, 4)
    assert rep["name_accuracy"] == round(5 / 8, 4)
    assert rep["irrelevance_accuracy"] == 0.5
    assert rep["by_category"]["parallel"]["task_pass_rate"] == 1.0
    assert rep["by_category"]["irrelevance"]["strict_json_rate"] == 1.0
    assert rep["by_category"]["simple"]["irrelevance_accuracy"] is None
    assert rep["model"] == "fixed" and rep["constrained"] is False and rep["examples_per_s"] > 0
    assert rep["failures"]["wrong tool"] == 1


def test_write_report_files(tmp_path, scored):
    rep, ex = scored
    ev.write_report(tmp_path / "r.json", rep, ex)
    assert json.loads((tmp_path / "r.json").read_text())["n"] == 8
    rows = [json.loads(line) for line in (tmp_path / "r.examples.jsonl").read_text().splitlines()]
    assert len(rows) == 8
    for row in rows:
        assert {"id", "output", "calls", "strict_json", "schema_valid", "name_correct",
                "task_pass", "reason"} <= set(row)
    md = (tmp_path / "r.md").read_text()
    assert "| all | 8 |" in md and "**wrong tool** (1)" in md and "`wrongtool`" in md
    assert "cut off" not in md                           # scored outputs: no generation, no limit
    ev.write_report(tmp_path / "g.json", {**rep, "max_new_tokens": 512, "out_of_tokens": 2}, ex)
    assert "examples/s, 2 cut off at 512 new tokens" in (tmp_path / "g.md").read_text()


def test_side_by_side_table(scored):
    rep, _ = scored
    table = ev.side_by_side({"base": rep, "tuned": dict(rep, task_pass_rate=0.75)})
    lines = table.strip().splitlines()
    assert len(lines) == 4 and "| tuned | 8 |" in lines[3] and "75.0%" in lines[3]
    assert "fixed (free)" in ev.side_by_side([rep])


def test_families_per_output():
    rec = [record("a", [c("get_weather", city="Oslo")])]
    out = ['{"name": "get_weather", "parameters": {"city": "Oslo"}}']
    rep, _ = ev.score_outputs(rec, out, families=["llama3"])
    assert rep["task_pass_rate"] == 1.0


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="1 records but 2 outputs"):
        ev.score_outputs(RECORDS[:1], OUTPUTS[:2])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text().map(lambda t: "<tool_call>" + t),
                 st.text().map(lambda t: '{"name": "get_weather", "arguments": ' + t),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                              lambda ch: st.lists(ch) | st.dictionaries(st.text(), ch)).map(
                     lambda v: "<tool_call>" + json.dumps({"name": "get_weather", "arguments": v}))))
def test_never_crashes_on_any_output(text):
    for rec in (RECORDS[0], RECORDS[5], RECORDS[6]):
        for fam in ("hermes", "llama3", "mistral", "json"):
            row = ev.score_example(rec, text, fam)
            assert isinstance(row["task_pass"], bool)
            assert row["task_pass"] or row["reason"]


# ---------------------------------------------------------------- CLI

def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_cli_predictions(tmp_path, capsys):
    from funcall_lib.cli import main

    data = _write_jsonl(tmp_path / "test.jsonl", RECORDS)
    preds = _write_jsonl(tmp_path / "pred.jsonl", [{"id": r["id"], "output": o}
                                                    for r, o in zip(RECORDS, OUTPUTS)])
    out = tmp_path / "eval" / "pred.json"
    assert main(["eval", "--predictions", str(preds), "--data", str(data), "--out", str(out)]) == 0
    rep = json.loads(out.read_text())
    assert rep["n"] == 8 and rep["task_pass_rate"] == 0.5 and rep["model"] == "pred.jsonl"
    assert (tmp_path / "eval" / "pred.examples.jsonl").exists() and (tmp_path / "eval" / "pred.md").exists()
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["n"] == 8
    assert main(["eval", "--predictions", str(preds), "--data", str(data), "--out", str(out),
                 "--limit", "2"]) == 0
    assert json.loads(out.read_text())["n"] == 2


def test_cli_scores_an_adapter_merged_unless_told_otherwise(tmp_path, tiny_model_dir, tiny_adapter_dir):
    from funcall_lib.cli import main

    data = _write_jsonl(tmp_path / "test.jsonl", RECORDS[:2])
    merged = {}
    for flags in ([], ["--unmerged"]):
        out = tmp_path / f"r{len(flags)}.json"
        assert main(["eval", "--model", str(tiny_model_dir), "--adapter", str(tiny_adapter_dir),
                     "--data", str(data), "--out", str(out), "--max-new-tokens", "4", *flags]) == 0
        merged[bool(flags)] = json.loads(out.read_text())["adapter_merged"]
    assert merged == {False: True, True: False}


def test_cli_bad_predictions_name_file_and_line(tmp_path, capsys):
    from funcall_lib.cli import main

    data = _write_jsonl(tmp_path / "test.jsonl", RECORDS)
    preds = _write_jsonl(tmp_path / "pred.jsonl", [{"id": "ok", "output": "x"}, {"id": "b"}])
    assert main(["eval", "--predictions", str(preds), "--data", str(data),
                 "--out", str(tmp_path / "r.json")]) == 2
    assert "pred.jsonl:2:" in capsys.readouterr().err


def test_cli_needs_one_source(tmp_path, capsys):
    from funcall_lib.cli import main

    assert main(["eval", "--out", str(tmp_path / "r.json"), "--data", "x"]) == 2
    assert "exactly one of --model" in capsys.readouterr().err


def test_cli_benchmark_with_predictions(tmp_path):
    from funcall_lib.cli import main

    recs = ev.load_benchmark("bfcl:simple_python")[:5]
    preds = _write_jsonl(tmp_path / "p.jsonl", [{"id": r["id"], "output": format_calls(
        r["answer"]["tool_calls"], "json"), "format": "json"} for r in recs])
    out = tmp_path / "bfcl.json"
    assert main(["eval", "--benchmark", "bfcl:simple_python", "--predictions", str(preds),
                 "--limit", "5", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["task_pass_rate"] == 1.0


# ---------------------------------------------------------------- a model (tiny, random)

def test_evaluate_model_and_grid(tiny_model_dir, tmp_path):
    records = RECORDS[:2] + RECORDS[6:7]
    report, examples = ev.evaluate_model(str(tiny_model_dir), records, max_new_tokens=12, batch_size=2)
    assert report["n"] == 3 and report["constrained"] is True and report["examples_per_s"] > 0
    assert report["max_new_tokens"] == 12          # the limit travels with the report, and its cut-offs
    assert report["out_of_tokens"] == sum(e["new_tokens"] == 12 for e in examples)
    assert all(0 < e["new_tokens"] <= 12 for e in examples)
    assert [e["id"] for e in examples] == ["ok", "repaired", "irr-ok"]
    assert all(isinstance(e["output"], str) for e in examples)
    reports = ev.evaluate_grid(str(tiny_model_dir), records, tmp_path / "eval", {"base": None},
                               name="t", max_new_tokens=12, batch_size=3)
    assert set(reports) == {"base-t-constrained", "base-t-free"}
    assert reports["base-t-free"]["constrained"] is False
    assert (tmp_path / "eval" / "base-t-free.examples.jsonl").exists()


def test_plot_eval_comparison(tmp_path, scored):
    from funcall_lib.plots import plot_eval_comparison

    rep, _ = scored
    fig = plot_eval_comparison({"a": rep, "b": dict(rep, irrelevance_accuracy=None)},
                               path=tmp_path / "cmp.png")
    assert (tmp_path / "cmp.png").stat().st_size > 1000
    assert len(fig.axes[0].patches) == 10


def test_predictions_with_stop_on_repeat(tmp_path):
    from funcall_lib.chat import format_calls
    from funcall_lib.evaluate import score_predictions

    call = {"name": "get_weather", "arguments": {"city": "Oslo"}}
    record = {"id": "r1", "messages": [{"role": "user", "content": "Weather in Oslo?"}],
              "tools": [{"name": "get_weather", "description": "Weather.", "parameters": {
                  "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
              "answer": {"tool_calls": [call]}}
    looped = {"r1": {"output": format_calls([call] * 3) + "<|im_end|>", "format": None}}
    plain, _ = score_predictions([record], looped)
    ruled, _ = score_predictions([record], looped, nudges=Nudges(stop_on_repeat=True))
    assert plain["task_pass_rate"] == 0.0 and ruled["task_pass_rate"] == 1.0
    assert ruled["stopped_on_repeat"] == 1 and "stop_on_repeat" not in plain


def test_predictions_with_drop_subsumed():
    from funcall_lib.chat import format_calls
    from funcall_lib.evaluate import score_predictions

    short = {"name": "get_weather", "arguments": {"city": "Oslo"}}
    full = {"name": "get_weather", "arguments": {"city": "Oslo", "unit": "C"}}
    record = {"id": "r1", "messages": [{"role": "user", "content": "Weather in Oslo in C?"}],
              "tools": [{"name": "get_weather", "description": "Weather.", "parameters": {
                  "type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
                  "required": ["city"]}}],
              "answer": {"tool_calls": [full]}}
    twice = {"r1": {"output": format_calls([short, full]) + "<|im_end|>", "format": None}}
    plain, _ = score_predictions([record], twice)
    ruled, _ = score_predictions([record], twice, nudges=Nudges(stop_on_repeat=True, drop_subsumed=True))
    assert plain["task_pass_rate"] == 0.0 and ruled["task_pass_rate"] == 1.0
    assert ruled["dropped_subsumed"] == 1 and "drop_subsumed" not in plain


def test_predictions_with_the_rules_that_rewrite_a_finished_constrained_turn(tmp_path):
    from funcall_lib.chat import format_calls
    from funcall_lib.evaluate import load_predictions, score_predictions

    tool = {"name": "book", "description": "Book a flight.", "parameters": {
        "type": "object", "properties": {"to": {"type": "string"}, "direct_flight": {"type": "boolean"},
                                         "budget": {"type": "integer"}}, "required": ["to"]}}
    wanted = {"name": "book", "arguments": {"to": "Oslo", "direct_flight": True, "budget": 2000000}}
    record = {"id": "r1", "messages": [{"role": "user", "content": "A direct flight to Oslo, 2 million at most"}],
              "tools": [tool], "answer": {"tool_calls": [wanted]}}
    written = format_calls([{"name": "book", "arguments": {"to": "Oslo", "budget": 20000000}}])
    lines = [{"id": "r1", "output": written + "<|im_end|>"}]
    path = tmp_path / "preds.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    preds = load_predictions(path)
    rules = Nudges(said_flags=True, said_magnitudes=True)
    plain, _ = score_predictions([record], preds)
    ruled, examples = score_predictions([record], preds, nudges=rules)
    assert plain["task_pass_rate"] == 0.0 and ruled["task_pass_rate"] == 1.0
    assert ruled["restated"] == 1 and ruled["said_flags"] and examples[0]["calls"] == [wanted]
    unfinished = {"r1": {"output": written, "format": None}}               # ran out of tokens: left alone
    assert score_predictions([record], unfinished, nudges=rules)[0]["restated"] == 0
    # decoded free (the whole file, or a record whose grammar fell back): restated where the turn is
    # exactly its calls in the family's format, left where anything else is in it
    fell_back = {"r1": {**preds["r1"], "fallback": "grammar did not compile"}}
    assert score_predictions([record], fell_back, nudges=rules)[0]["task_pass_rate"] == 1.0
    assert score_predictions([record], preds, nudges=rules, constrained=False)[0]["task_pass_rate"] == 1.0
    chatty = {"r1": {"output": "Sure! " + written + "<|im_end|>", "format": None}}
    assert score_predictions([record], chatty, nudges=rules, constrained=False)[0]["restated"] == 0
    assert score_predictions([record], chatty, nudges=rules)[0]["restated"] == 1


def test_recommended_replays_its_after_decoding_rules_on_written_outputs(tmp_path):
    from funcall_lib.cli import main

    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"id": "r1", "output": "hello"}) + "\n")
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"id": "r1", "messages": [{"role": "user", "content": "hi"}], "tools": [],
                                "answer": {"tool_calls": []}}) + "\n")
    out = tmp_path / "r.json"
    assert main(["eval", "--data", str(data), "--predictions", str(preds), "--recommended", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["stop_on_repeat"] and report["drop_doubled"] and report["said_flags"]
    out.unlink()                           # a value bias given by hand still cannot be replayed
    assert main(["eval", "--data", str(data), "--predictions", str(preds), "--recommended", "--copy-bias", "3",
                 "--out", str(out)]) != 0
    assert not out.exists()
