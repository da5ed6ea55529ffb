"""Training: the answer-only label mask, run artifacts, determinism, resume after a kill, config."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from funcall_lib import chat
from funcall_lib.train import IGNORE_INDEX, label_mask, show_trained_span, tokenize_record

SYSTEM = {"role": "system", "content": "You are a helpful assistant that uses tools."}
WEATHER = {"name": "get_weather", "description": "Current weather for a city.",
           "parameters": {"type": "object", "properties": {
               "city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
               "required": ["city"]}}
CLOCK = {"name": "get_time", "description": "Local time in a city.",
         "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                        "required": ["city"]}}
CITIES = ["Oslo", "Paris", "Lima", "Tokyo", "Cairo", "Quito", "Berlin", "Perth"]


def handmade_records(n: int) -> list[dict]:
    """Canonical records of every shape the renderer writes: one call, parallel, none, multi-turn."""
    out = []
    for i in range(n):
        city, other = CITIES[i % len(CITIES)], CITIES[(i * 3 + 1) % len(CITIES)]
        user = {"role": "user", "content": f"What is the weather in {city}?"}
        kind = i % 4
        if kind == 0:
            rec = dict(messages=[SYSTEM, user], tools=[WEATHER, CLOCK],
                       answer={"tool_calls": [{"name": "get_weather", "arguments": {"city": city}}]})
        elif kind == 1:
            rec = dict(messages=[{"role": "user", "content": f"Time in {city} and {other}?"}],
                       tools=[CLOCK], answer={"tool_calls": [
                           {"name": "get_time", "arguments": {"city": city}},
                           {"name": "get_time", "arguments": {"city": other}}]})
        elif kind == 2:
            rec = dict(messages=[SYSTEM, {"role": "user", "content": "Tell me a joke."}],
                       tools=[WEATHER], answer={"tool_calls": []})
        else:
            rec = dict(messages=[SYSTEM, user, {"role": "assistant", "content": "", "tool_calls": [
                {"name": "get_time", "arguments": {"city": city}}]},
                {"role": "tool", "content": "{\"time\": \"10:00\"}"},
                {"role": "user", "content": "No, the weather please, in fahrenheit."}],
                tools=[WEATHER, CLOCK], answer={"tool_calls": [
                    {"name": "get_weather", "arguments": {"city": city, "unit": "f"}}]})
        category = ("multiple", "parallel", "irrelevance", "multi_turn")[kind]
        out.append({"id": f"t-{i:03d}", **rec, "meta": {"source": "test", "category": category}})
    return out


def fixture_records(n: int = 24) -> list[dict]:
    """The bundled generator's output when it exists, plus the hand-made shapes above."""
    try:
        from funcall_lib.synth import generate_records
        synth = list(generate_records(n=n, seed=0))
    except (ImportError, NotImplementedError, TypeError):
        synth = []
    return synth[:n] + handmade_records(8)


def write_data(path: Path, n_train: int = 32, n_dev: int = 8) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    records = handmade_records(n_train + n_dev)
    for name, rows in (("train", records[:n_train]), ("dev", records[n_train:])):
        with open(path / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in rows)
    return path


def tiny_config(model_dir, **kw):
    from funcall_lib.config import make_config

    base = dict(model=str(model_dir), backend="hf", max_steps=4, per_device_train_batch_size=4,
                gradient_accumulation_steps=1, logging_steps=1, eval_steps=2, save_steps=2,
                max_seq_length=1024, learning_rate=1e-3, lora_r=4, lora_alpha=8)
    base.update(kw)
    return make_config("cpu-demo", **base)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """The tiny model is too small to gain from threads; on a busy CPU they only contend."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# ---------------------------------------------------------------- label mask

def test_mask_trains_exactly_the_answer_for_every_record(tool_tokenizer):
    eot_id = tool_tokenizer.convert_tokens_to_ids(chat.end_of_turn(tool_tokenizer))
    for rec in fixture_records():
        prompt, _ = chat.render(rec, tool_tokenizer)
        prompt_ids = tool_tokenizer(prompt, add_special_tokens=False)["input_ids"]
        row = tokenize_record(rec, tool_tokenizer, 4096)
        ids, labels = row["input_ids"], row["labels"]
        trained = [i for i, lab in enumerate(labels) if lab != IGNORE_INDEX]
        assert trained, rec["id"]
        # the sequence starts with the prompt exactly as inference tokenizes it, none of it trained
        assert ids[: len(prompt_ids)] == prompt_ids, rec["id"]
        assert all(lab == IGNORE_INDEX for lab in labels[: len(prompt_ids)]), rec["id"]
        # everything after the prompt is trained, labels equal the ids, last one is end-of-turn
        assert trained == list(range(len(prompt_ids), len(ids))), rec["id"]
        assert [labels[i] for i in trained] == [ids[i] for i in trained]
        assert ids[-1] == eot_id and labels[-1] == eot_id, rec["id"]
        assert label_mask(rec, tool_tokenizer) == [lab != IGNORE_INDEX for lab in labels]


def test_trained_span_is_the_call_text(tool_tokenizer):
    rec = handmade_records(1)[0]
    text = show_trained_span(rec, tool_tokenizer, "[[", "]]")
    assert text.count("[[") == 1
    span = text[text.index("[[") + 2: text.index("]]")]
    assert '"get_weather"' in span and span.endswith("<|im_end|>")
    assert "get_weather" in text[: text.index("[[")]   # the tool block is there, untrained


def test_too_long_records_are_skipped_and_counted(tool_tokenizer):
    from funcall_lib.train import tokenize_split

    records = handmade_records(8)
    lengths = sorted(len(tokenize_record(r, tool_tokenizer, 4096)["input_ids"]) for r in records)
    limit = lengths[len(lengths) // 2]
    assert tokenize_record(records[0], tool_tokenizer, 10) is None
    ds, skipped = tokenize_split(records, tool_tokenizer, limit, show_progress=False)
    assert len(ds) + len(skipped) == 8 and 0 < len(skipped) < 8
    assert all(len(x) <= limit for x in ds["input_ids"])
    with pytest.raises(ValueError, match="max_seq_length"):
        tokenize_split(records, tool_tokenizer, 10, show_progress=False)


# ---------------------------------------------------------------- training runs

@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return write_data(tmp_path_factory.mktemp("data"))


def test_train_writes_adapter_run_json_and_plot(tmp_path, tiny_model_dir, data_dir):
    from funcall_lib import models
    from funcall_lib.models import load_model
    from funcall_lib.train import train

    run = train(tiny_config(tiny_model_dir, max_seq_length=300), data_dir, tmp_path / "run")
    out = tmp_path / "run"
    saved = json.loads((out / "run.json").read_text())
    assert saved["global_step"] == 4 == run["global_step"]
    assert [p["step"] for p in saved["train_loss"]] == [1, 2, 3, 4]
    assert [p["step"] for p in saved["eval_loss"]] == [2, 4]
    assert saved["backend"] == "hf" and saved["seed"] == 42 and saved["world_size"] == 1
    assert saved["precision"] == ("bf16" if models.cpu_has_native_bf16() else "fp32")
    assert saved["effective_batch_size"] == 4
    assert saved["versions"]["torch"] and saved["versions"]["trl"]
    assert 0.5 < saved["useful_token_fraction"] <= 1.0
    assert 0 < saved["trained_token_fraction"] < 0.5
    assert saved["tokens_per_s"] > 0 and saved["tokens"]["real"] > 0
    # max_seq_length=300 cuts the multi-turn records (about 360 tokens): skipped, counted
    assert saved["skipped_too_long"]["train"] == 8 and saved["records"]["train"] == 24
    assert (out / "loss.png").stat().st_size > 1000
    loaded = load_model(str(tiny_model_dir), backend="hf", adapter=out / "adapter")
    assert chat.template_supports_tools(loaded.tokenizer)
    assert not list(out.glob(".*tmp"))


def test_full_finetuning_trains_every_weight_and_writes_a_model(tmp_path, tiny_model_dir, data_dir):
    """`full_finetuning`: no LoRA; every weight moves (embeddings included) and model/ is a
    standalone safetensors checkpoint that loads as a model, with the tool template."""
    import torch
    from safetensors.torch import load_file

    from funcall_lib.models import ModelError, load_model, tuned_model
    from funcall_lib.quality import train_adapter
    from funcall_lib.train import train

    out = tmp_path / "run"
    run = train(tiny_config(tiny_model_dir, max_steps=2, eval_steps=2, full_finetuning=True,
                            learning_rate=1e-2), data_dir, out)
    assert run["global_step"] == 2 and run["config"]["full_finetuning"] is True
    assert not (out / "adapter").exists() and (out / "model" / "model.safetensors").is_file()
    before = load_file(Path(tiny_model_dir) / "model.safetensors")
    after = load_file(out / "model" / "model.safetensors")
    assert set(after) == set(before)
    moved = [name for name in before if not torch.equal(before[name].float(), after[name].float())]
    assert any("embed_tokens" in n for n in moved) and any("layernorm" in n or "norm" in n for n in moved)
    assert len(moved) == len(before), sorted(set(before) - set(moved))
    assert all(t.dtype == torch.float32 for t in after.values())
    assert tuned_model("embedded", out / "model") == (str(out / "model"), None)
    assert tuned_model("embedded", tmp_path / "lora") == ("embedded", str(tmp_path / "lora"))
    loaded = load_model(str(out / "model"), backend="hf")
    assert chat.template_supports_tools(loaded.tokenizer)
    with pytest.raises(ModelError, match="whole model"):
        load_model(str(tiny_model_dir), backend="hf", adapter=out / "model")
    with pytest.raises(ModelError, match="4-bit"):
        load_model(str(tiny_model_dir), backend="hf", load_in_4bit=True, full_finetuning=True)
    # the quality recipe finds and reuses it (and refuses a LoRA config for that run dir)
    overrides = {"model": str(tiny_model_dir), "backend": "hf", "full_finetuning": True}
    with pytest.raises(ValueError, match="model there was trained with"):
        train_adapter(out, data_dir, {**overrides, "learning_rate": 5e-4})


def test_same_seed_same_losses(tmp_path, tiny_model_dir, data_dir):
    from funcall_lib.train import train

    a = train(tiny_config(tiny_model_dir, max_steps=3, eval_steps=3), data_dir, tmp_path / "a")
    b = train(tiny_config(tiny_model_dir, max_steps=3, eval_steps=3), data_dir, tmp_path / "b")
    c = train(tiny_config(tiny_model_dir, max_steps=3, eval_steps=3, seed=7), data_dir, tmp_path / "c")
    losses = lambda r: [p["loss"] for p in r["train_loss"]] + [p["loss"] for p in r["eval_loss"]]
    assert losses(a) == pytest.approx(losses(b), abs=1e-6)
    assert losses(a) != losses(c)
    # NEFTune reaches the forward pass: same seed and weights, so the first loss moves only by the noise
    d = train(tiny_config(tiny_model_dir, max_steps=3, eval_steps=3, neftune_noise_alpha=50.0),
              data_dir, tmp_path / "d")
    assert d["train_loss"][0]["loss"] != pytest.approx(a["train_loss"][0]["loss"], abs=1e-6)
    assert d["config"]["neftune_noise_alpha"] == 50.0


def test_cpu_precision_follows_the_cpu(monkeypatch):
    """On CPU, `bf16: auto` means bf16 mixed precision where the CPU multiplies bf16 in hardware
    and float32 elsewhere; an explicit setting wins either way; the frozen base weights load in
    the precision the trainer computes in."""
    import torch

    from funcall_lib import models
    from funcall_lib.config import make_config
    from funcall_lib.train import cpu_weights_dtype, precision

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for native in (True, False):
        monkeypatch.setattr(models, "cpu_has_native_bf16", lambda native=native: native)
        auto = make_config("cpu-demo")
        assert precision(auto) == {"bf16": native, "fp16": False, "use_cpu": True, "ddp_backend": None}
        assert cpu_weights_dtype(auto) == ("bf16" if native else "fp32")
        assert models._default_dtype() == (torch.bfloat16 if native else torch.float32)
        assert precision(make_config("cpu-demo", bf16=False))["bf16"] is False
        assert precision(make_config("cpu-demo", bf16=True))["bf16"] is True
        assert cpu_weights_dtype(make_config("cpu-demo", bf16=False)) == "fp32"


def test_float32_training_on_cpu_stays_float32(tmp_path, tiny_model_dir, data_dir):
    """`bf16: false` keeps the whole run in float32 on any CPU (the path CPUs without bf16 take)."""
    import torch
    from safetensors.torch import load_file

    from funcall_lib.train import train

    run = train(tiny_config(tiny_model_dir, max_steps=2, eval_steps=2, bf16=False), data_dir, tmp_path)
    assert run["precision"] == "fp32" and run["global_step"] == 2
    adapter = load_file(tmp_path / "adapter" / "adapter_model.safetensors")
    assert adapter and all(t.dtype == torch.float32 for t in adapter.values())


def _cli(data_dir, model_dir, out, *extra):
    return [sys.executable, "-m", "funcall_lib.train", "--data", str(data_dir), "--model",
            str(model_dir), "--out", str(out), "--preset", "cpu-demo", "--backend", "hf",
            "--set", "per_device_train_batch_size=4", "--set", "save_steps=2",
            "--set", "eval_steps=100", "--set", "logging_steps=1", "--set", "lora_r=4", *extra]


def test_killed_run_resumes_to_the_same_step_count(tmp_path, tiny_model_dir, data_dir):
    """A second CLI run into the folder of a live one stops at once; SIGKILL the first once a
    checkpoint exists (its lock dies with it), rerun it, and finish at max_steps."""
    out, steps = tmp_path / "run", 12
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(_cli(data_dir, tiny_model_dir, out, "--max-steps", str(steps)),
                            env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "log", "w"),
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if list((out / "checkpoints").glob("checkpoint-*/trainer_state.json")):
            break
        time.sleep(0.2)
    assert proc.poll() is None, (tmp_path / "log").read_text()[-3000:]
    second = subprocess.run(_cli(data_dir, tiny_model_dir, out, "--max-steps", str(steps)),
                            env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode != 0 and f"training by pid {proc.pid}" in second.stderr, second.stderr[-3000:]
    assert proc.poll() is None      # the first one trains on, its checkpoints untouched
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "run.json").exists()
    done = subprocess.run(_cli(data_dir, tiny_model_dir, out, "--max-steps", str(steps)),
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    run = json.loads((out / "run.json").read_text())
    assert run["resumed_from"] and run["resumed_from"].startswith("checkpoint-")
    assert 0 < int(run["resumed_from"].split("-")[1]) < steps
    assert run["global_step"] == steps
    assert [p["step"] for p in run["train_loss"]] == list(range(1, steps + 1))


# ---------------------------------------------------------------- config

def test_cli_overrides_preset_yaml_and_set(tmp_path):
    import argparse

    from funcall_lib.train import add_arguments, config_from_args

    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("lora_r: 8\nlearning_rate: 0.0005\nmax_steps: 7\n")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--data", "d", "--out", "o", "--preset", "cpu-demo", "--config",
                              str(yaml_file), "--max-steps", "11", "--set", "lora_alpha=4",
                              "--set", "target_modules=[q_proj, v_proj]"])
    config = config_from_args(args)
    assert (config.lora_r, config.learning_rate, config.max_steps) == (8, 5e-4, 11)
    assert config.lora_alpha == 4 and config.target_modules == ["q_proj", "v_proj"]
    assert config.model == "embedded"
    bad = parser.parse_args(["--data", "d", "--out", "o", "--set", "lora_rank=8"])
    with pytest.raises(ValueError, match="lora_rank"):
        config_from_args(bad)
    with pytest.raises(ValueError, match="KEY=VALUE"):
        config_from_args(parser.parse_args(["--data", "d", "--out", "o", "--set", "oops"]))


def test_exponent_numbers_from_yaml_and_set_are_numbers(tmp_path):
    """PyYAML reads `2e-4` as a string; a config or --set with it must still train at 2e-4."""
    from funcall_lib.config import make_config
    from funcall_lib.train import parse_sets

    assert parse_sets(["learning_rate=2e-4"]) == {"learning_rate": "2e-4"}  # what YAML 1.1 gives
    config = make_config("quality", **parse_sets(["learning_rate=2e-4", "max_steps=6.0e2"]))
    assert config.learning_rate == 2e-4 and type(config.learning_rate) is float
    assert config.max_steps == 600 and type(config.max_steps) is int
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("learning_rate: 1e-3\nweight_decay: 1e-2\n")
    config = make_config("cpu-demo", yaml_file)
    assert (config.learning_rate, config.weight_decay) == (1e-3, 1e-2)
    with pytest.raises(ValueError, match=r"c.yaml: lora_dropout: expected a number, got 'a lot'"):
        yaml_file.write_text("lora_dropout: a lot\n")
        make_config("cpu-demo", yaml_file)
    with pytest.raises(ValueError, match="lora_r: expected a whole number"):
        make_config("cpu-demo", lora_r="8.5")


def test_real_tokens_padded_and_padding_free():
    import torch

    from funcall_lib.train import real_tokens

    padded = {"input_ids": torch.zeros(2, 5, dtype=torch.long),
              "attention_mask": torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])}
    assert real_tokens(padded) == 8
    # padding-free: records of 3 and 4 tokens concatenated, padded to 8 with position id 0
    flat = {"input_ids": torch.zeros(1, 8, dtype=torch.long),
            "position_ids": torch.tensor([[0, 1, 2, 0, 1, 2, 3, 0]])}
    assert real_tokens(flat) == 7
    flat_exact = {"input_ids": torch.zeros(1, 7, dtype=torch.long),
                  "position_ids": torch.tensor([[0, 1, 2, 0, 1, 2, 3]])}
    assert real_tokens(flat_exact) == 7
    assert real_tokens({"input_ids": torch.zeros(3, 4, dtype=torch.long)}) == 12


def test_padding_choice_only_when_set():
    from funcall_lib.config import make_config
    from funcall_lib.train import padding_choice

    assert padding_choice(make_config("cpu-demo")) == {}  # the backend decides
    assert padding_choice(make_config("cpu-demo", padding_free=False)) == {"padding_free": False}
    quality = make_config("quality")
    assert quality.padding_free is False and quality.pad_to_multiple_of == 64
