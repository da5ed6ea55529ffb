"""Shared fixtures: the embedded tokenizer (real), a tiny random Llama (fast), record fixtures.

The embedded checkpoint is built once per FUNCALL_HOME (about half a minute, then cached).
Unit tests use `tiny_model`: a 2-layer random Llama with the embedded tokenizer, built in-process.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def embedded_path():
    from funcall_lib.models import resolve

    return resolve("embedded")


@pytest.fixture(scope="session")
def embedded_tokenizer(embedded_path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(embedded_path)


@pytest.fixture()
def tool_tokenizer(embedded_tokenizer):
    """A fresh copy of the embedded tokenizer with the tool-aware template installed."""
    import copy

    from funcall_lib.chat import ensure_tool_template

    tok = copy.deepcopy(embedded_tokenizer)
    ensure_tool_template(tok)
    return tok


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, embedded_tokenizer):
    """A saved tiny random Llama (with the tool-aware template), usable as a model id."""
    import copy

    from funcall_lib.chat import ensure_tool_template
    from funcall_lib.models import random_model

    tok = copy.deepcopy(embedded_tokenizer)
    ensure_tool_template(tok)
    return random_model("tiny", tokenizer=tok, seed=0,
                        out_dir=str(tmp_path_factory.mktemp("tiny") / "model"))


def save_random_adapter(model_dir, out, seed: int, r: int, targets: list[str]):
    """A random, non-zero LoRA (r, alpha 2r) on `model_dir`, saved in `out` with the model's
    tokenizer; one builder for every test that needs an adapter without training one."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoModelForCausalLM.from_pretrained(model_dir)
    torch.manual_seed(seed)
    peft_model = get_peft_model(base, LoraConfig(r=r, lora_alpha=2 * r, init_lora_weights=False,
                                                 target_modules=targets))
    peft_model.save_pretrained(out)
    AutoTokenizer.from_pretrained(model_dir).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def random_adapter():
    """`save_random_adapter`, for tests that need an adapter other than `tiny_adapter_dir`."""
    return save_random_adapter


@pytest.fixture(scope="session")
def tiny_adapter_dir(tmp_path_factory, tiny_model_dir):
    """A random, non-zero LoRA adapter (r=4) on the tiny model, with its tool-aware tokenizer."""
    return save_random_adapter(tiny_model_dir, tmp_path_factory.mktemp("adapter") / "adapter",
                               seed=1, r=4, targets=["q_proj", "v_proj", "down_proj"])


@pytest.fixture()
def tiny_model(tool_tokenizer):
    from funcall_lib.models import random_model

    model, tok = random_model("tiny", tokenizer=tool_tokenizer, seed=0)
    return model.eval(), tok


@pytest.fixture()
def spy(monkeypatch):
    """`spy(module, "Name")` swaps a class for a subclass that keeps every instance made (so a
    test can read what a logits processor did inside `generate`) and returns that list."""
    def install(module, name: str) -> list:
        made, base = [], getattr(module, name)

        class Spy(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                made.append(self)

        monkeypatch.setattr(module, name, Spy)
        return made
    return install
