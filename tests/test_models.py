"""The embedded model, id resolution and backend choice."""

from __future__ import annotations

import os
import time

import pytest

from funcall_lib import models


def test_embedded_is_a_complete_checkpoint(embedded_path):
    names = set(os.listdir(embedded_path))
    assert {"config.json", "model.safetensors", "tokenizer.json", "generation_config.json"} <= names
    assert not any(n.endswith(".tmp") for n in os.listdir(embedded_path.parent))


def test_second_resolve_is_instant(embedded_path):
    start = time.perf_counter()
    assert models.resolve("embedded") == embedded_path
    assert time.perf_counter() - start < 1.0


def test_local_dir_resolves_to_itself(tiny_model_dir):
    assert models.resolve(str(tiny_model_dir)) == tiny_model_dir


def test_offline_hub_id_names_the_embedded_alternative(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(models.ModelError, match="embedded"):
        models.resolve("meta-llama/Llama-3.1-8B-Instruct")


def test_missing_local_path_is_a_clear_error(tmp_path):
    with pytest.raises(models.ModelError, match="no such directory"):
        models.resolve(str(tmp_path / "nope" / "deeper" / "x"))


def test_cpu_asking_for_unsloth_or_4bit_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(models, "cuda_available", lambda: False)
    with pytest.raises(models.ModelError, match="CUDA"):
        models.choose_backend("unsloth")
    with pytest.raises(models.ModelError, match="4-bit"):
        models.choose_backend("auto", load_in_4bit=True)
    assert models.choose_backend("auto")[0] == "hf"


def test_gpu_prefers_unsloth_when_importable(monkeypatch):
    monkeypatch.setattr(models, "cuda_available", lambda: True)
    monkeypatch.setattr(models, "unsloth_importable", lambda: True)
    assert models.choose_backend("auto")[0] == "unsloth"
    monkeypatch.setattr(models, "unsloth_importable", lambda: False)
    assert models.choose_backend("auto")[0] == "hf"


def test_tiny_random_model_runs(tiny_model):
    import torch

    model, tok = tiny_model
    ids = tok("hello world", return_tensors="pt")
    with torch.no_grad():
        logits = model(**ids).logits
    assert logits.shape[-1] == len(tok)


@pytest.mark.slow
def test_embedded_model_knows_the_capital_of_france():
    loaded = models.load_model("embedded", backend="hf")
    tok, model = loaded.tokenizer, loaded.model
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    inputs = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                     return_dict=True)
    out = model.generate(**inputs, max_new_tokens=24, do_sample=False)
    answer = tok.decode(out[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    assert "Paris" in answer
    assert loaded.backend == "hf"


def test_import_unsloth_first_does_nothing_without_cuda(monkeypatch):
    import sys

    monkeypatch.setattr(models, "cuda_available", lambda: False)
    monkeypatch.delitem(sys.modules, "unsloth", raising=False)
    assert models.import_unsloth_first() is False
    assert "unsloth" not in sys.modules
