"""The call bias: the first-token choice between calling a tool and answering in text."""

from __future__ import annotations

import json
import math

import pytest
import torch

from funcall_lib import infer
from funcall_lib.call_bias import TEXT_REPLAY, CallBias, call_openers, calls_at, opener_ids
from funcall_lib.copy_bias import token_pieces
from funcall_lib.nudges import Nudges

WEATHER = {"name": "get_weather", "description": "Current weather for a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                          "required": ["city"]}}


def test_openers_are_the_grammars_and_match_the_real_vocabulary(embedded_tokenizer):
    assert call_openers("hermes") == ["<tool_call>\n"]
    assert call_openers("llama3") == ["{", "["]
    assert call_openers("mistral") == ["[TOOL_CALLS] ["]
    pieces = token_pieces(embedded_tokenizer, len(embedded_tokenizer))
    hermes = {pieces[i] for i in opener_ids(pieces, "hermes")}
    assert "<" in hermes and "I" not in hermes and "{" not in hermes
    assert all("<tool_call>\n".startswith(p) or p.startswith("<tool_call>\n") for p in hermes)
    llama = {pieces[i] for i in opener_ids(pieces, "llama3")}
    assert {"{", '{"', "["} <= llama and "<" not in llama


def test_processor_records_margins_and_shifts_only_the_first_step():
    scores = torch.tensor([[5.0, 1.0, 4.0, -math.inf],     # ids 0 and 2 open a call
                           [0.0, 3.0, 2.5, -math.inf],
                           [-math.inf, 2.0, -math.inf, -math.inf]])  # the grammar allows no opener
    bias = CallBias([0, 2], -1.5, rows=3)
    out = bias(None, scores.clone())
    assert bias.margins[0] == pytest.approx(4.0)      # max(5, 4) - 1
    assert bias.margins[1] == pytest.approx(-0.5)     # max(0, 2.5) - 3
    assert bias.margins[2] is None
    assert out[0].tolist() == [3.5, 1.0, 2.5, -math.inf]
    assert out[2].tolist() == [-math.inf, 2.0, -math.inf, -math.inf]   # masked stays masked
    later = bias(None, scores.clone())
    assert torch.equal(later, scores)                 # later steps untouched


def test_calls_at_is_the_greedy_rule():
    assert calls_at(1.0, 0.0, True) and not calls_at(1.0, -1.0, True) and not calls_at(1.0, -2.0, True)
    assert calls_at(-0.5, 1.0, False) and not calls_at(-0.5, 0.0, False)
    assert calls_at(None, -9.0, True) and not calls_at(None, 9.0, False)


def _records(n=4):
    texts = ["Weather in Oslo?", "Tell me a joke.", "Is it raining in Lima?", "Hello there"]
    return [{"id": str(i), "tools": [WEATHER], "messages": [{"role": "user", "content": texts[i % 4]}]}
            for i in range(n)]


def test_generate_follows_its_margins(tiny_model):
    """Bias 0 changes nothing; a bias past a row's margin flips exactly that row's choice; the
    rest of a turn that still calls is decoded as before."""
    model, tok = tiny_model
    records = _records()
    kwargs = dict(max_new_tokens=24, batch_size=4)
    plain = infer.generate(model, tok, records, **kwargs)
    assert all(g.call_margin is not None for g in plain)
    zero = infer.generate(model, tok, records, nudges=Nudges(call_bias=0.0), **kwargs)
    assert [g.text for g in zero] == [g.text for g in plain]
    flipped = 0
    for bias in (-abs(plain[0].call_margin) - 1, abs(plain[0].call_margin) + 1):
        moved = infer.generate(model, tok, records, nudges=Nudges(call_bias=bias), **kwargs)
        for before, after in zip(plain, moved):
            called = before.text.startswith("<")
            assert after.text.startswith("<") == calls_at(before.call_margin, bias, called)
            flipped += after.text.startswith("<") != called
            assert after.call_margin == pytest.approx(before.call_margin, abs=1e-4)
            if called and after.text.startswith("<"):
                assert after.text == before.text
    assert flipped >= len(records)   # one of the two biases flips every row
    required = infer.generate(model, tok, records[:1], tool_choice="required", **kwargs)
    assert required[0].call_margin is None
    no_tools = infer.generate(model, tok, [dict(records[0], tools=[])], **kwargs)
    assert no_tools[0].call_margin is None    # nothing to call: no choice was made


def test_bad_call_bias_settings_are_refused(tiny_model):
    model, tok = tiny_model
    with pytest.raises(ValueError, match="finite"):
        infer.generate(model, tok, _records(1), nudges=Nudges(call_bias=math.nan))
    with pytest.raises(ValueError, match="tool_choice 'auto' only"):
        infer.generate(model, tok, _records(1), nudges=Nudges(call_bias=-1.0), tool_choice="required")


def _write_examples(tmp_path, rows):
    path = tmp_path / "examples.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_predictions_replay_a_negative_bias_from_their_margins(tmp_path):
    from funcall_lib.evaluate import load_predictions, score_predictions

    call = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call>'
    records = [
        {"id": "a", "tools": [WEATHER], "messages": [{"role": "user", "content": "Weather in Oslo?"}],
         "answer": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}},
        {"id": "b", "tools": [WEATHER], "messages": [{"role": "user", "content": "A joke?"}],
         "answer": {"tool_calls": []}},
        {"id": "c", "tools": [WEATHER], "messages": [{"role": "user", "content": "Poem?"}],
         "answer": {"tool_calls": []}},
    ]
    path = _write_examples(tmp_path, [{"id": "a", "output": call, "call_margin": 6.0},
                                      {"id": "b", "output": call, "call_margin": 0.7},
                                      {"id": "c", "output": "No.", "call_margin": -3.0}])
    preds = load_predictions(path)
    plain, _ = score_predictions(records, preds)
    assert plain["task_pass_rate"] == pytest.approx(2 / 3, abs=1e-4)
    biased, examples = score_predictions(records, preds, nudges=Nudges(call_bias=-1.0))
    assert biased["task_pass_rate"] == 1.0 and biased["declined_by_call_bias"] == 1
    assert examples[1]["output"] == TEXT_REPLAY and examples[0]["output"] == call
    too_far, _ = score_predictions(records, preds, nudges=Nudges(call_bias=-7.0))   # the right call is lost too
    assert too_far["task_pass_rate"] == pytest.approx(2 / 3, abs=1e-4) and too_far["declined_by_call_bias"] == 2
    with pytest.raises(ValueError, match="positive --call-bias cannot be replayed"):
        score_predictions(records, preds, nudges=Nudges(call_bias=1.0))
    bare = load_predictions(_write_examples(tmp_path, [{"id": "a", "output": call}]))
    with pytest.raises(ValueError, match="'a'.*no call_margin"):
        score_predictions(records, bare, nudges=Nudges(call_bias=-1.0))


def test_a_bad_margin_names_its_line(tmp_path):
    from funcall_lib.evaluate import load_predictions

    path = _write_examples(tmp_path, [{"id": "a", "output": "x", "call_margin": 1.0},
                                      {"id": "b", "output": "x", "call_margin": "high"}])
    with pytest.raises(ValueError, match=r"examples.jsonl:2: call_margin must be a number"):
        load_predictions(path)


@pytest.mark.parametrize("command", [
    ["infer", "--tools", "t.json", "--prompt", "hi"],
    ["eval", "--model", "embedded", "--benchmark", "bfcl:irrelevance", "--out", "r.json"],
])
def test_commands_refuse_a_non_number_before_any_work(command, capsys):
    from funcall_lib.cli import main

    with pytest.raises(SystemExit) as stop:
        main([*command, "--call-bias", "inf"])
    assert stop.value.code == 2 and "expected a finite number" in capsys.readouterr().err


def test_plot_call_margins_splits_by_what_is_right(tmp_path):
    from funcall_lib.plots import plot_call_margins

    rows = ([{"call_margin": 5.0 + i, "gold": [{"name": "f"}]} for i in range(7)]
            + [{"call_margin": -4.0 + i / 2, "gold": []} for i in range(3)]
            + [{"call_margin": None, "gold": []}])        # the grammar decided: not drawn
    fig = plot_call_margins(rows, path=tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 1000
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert len(heights) == 60 and sum(heights[:30]) == 7 and sum(heights[30:]) == 3
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["a call is right (7)", "no call is right (3)"]
    plot_call_margins([], path=tmp_path / "empty.png")


def test_calibrate_counts_decisions_per_bias_and_picks_the_nearest_best(tmp_path, capsys):
    from funcall_lib.call_bias import best_bias, decision_counts
    from funcall_lib.cli import main

    rows = [{"call_margin": 4.0, "gold": [{"name": "f"}]}, {"call_margin": -0.5, "gold": [{"name": "f"}]},
            {"call_margin": 1.0, "gold": []}, {"call_margin": -6.0, "gold": []},
            {"call_margin": None, "gold": []}]                       # the grammar decided: skipped
    path = _write_examples(tmp_path, rows)
    rows = [(4.0, True), (-0.5, True), (1.0, False), (-6.0, False)]
    assert decision_counts(rows, 0.0) == {"bias": 0.0, "n": 4, "right": 2, "false_calls": 1, "missed_calls": 1}
    assert decision_counts(rows, -2.0)["right"] == 3 and decision_counts(rows, 1.0)["right"] == 3
    table = [decision_counts(rows, b) for b in (-3.0, 0.0, 1.0)]
    assert best_bias(table) == 1.0       # -3 and +1 both get 3 right; +1 is nearer 0
    assert main(["calibrate", str(path), "--biases=-3:1:4"]) == 0
    out = capsys.readouterr().out
    assert "| -3 | 3/4 | 0 | 1 |" in out and "| +1 | 3/4 | 1 | 0 |" in out and out.endswith("best: --call-bias 1\n")


def test_calibrate_refuses_what_it_cannot_read(tmp_path, capsys):
    from funcall_lib.cli import main

    path = _write_examples(tmp_path, [{"call_margin": 1.0, "gold": []}, {"id": "x", "output": "hi"}])
    assert main(["calibrate", str(path)]) == 2
    assert "examples.jsonl:2: an example needs \"call_margin\" and \"gold\"" in capsys.readouterr().err
    path = _write_examples(tmp_path, [{"call_margin": True, "gold": []}])
    assert main(["calibrate", str(path)]) == 2
    assert "examples.jsonl:1: call_margin must be a number or null" in capsys.readouterr().err
    path = _write_examples(tmp_path, [{"call_margin": None, "gold": []}])
    assert main(["calibrate", str(path)]) == 2 and "no example carries a call margin" in capsys.readouterr().err
    for bad in ("1:0:1", "-1:1:0", "a:b:c", "1:2"):
        with pytest.raises(SystemExit):
            main(["calibrate", str(path), f"--biases={bad}"])
    assert "expected" in capsys.readouterr().err
