"""Merge on the tiny random Llama with a non-zero LoRA adapter made here (no training needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from funcall_lib import export, merge
from funcall_lib.io import write_jsonl_atomic

TOOL = {"name": "get_weather", "description": "Current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]}}


def _records(n=3):
    return [{"id": f"r{i}", "messages": [{"role": "user", "content": f"Weather in city {i}?"}],
             "tools": [TOOL], "answer": {"tool_calls": [{"name": "get_weather",
                                                         "arguments": {"city": f"c{i}"}}]},
             "meta": {"source": "test", "category": "simple"}} for i in range(n)]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, tiny_model_dir, tiny_adapter_dir):
    """RUN/adapter (random non-zero LoRA + tool tokenizer), RUN/run.json, RUN/data/dev.jsonl."""
    import shutil

    run = tmp_path_factory.mktemp("run")
    shutil.copytree(tiny_adapter_dir, run / "adapter")
    write_jsonl_atomic(run / "data" / "dev.jsonl", _records())
    (run / "run.json").write_text(json.dumps({"model": str(tiny_model_dir), "data_dir": "data",
                                              "config": {"load_in_4bit": False}}))
    return run


@pytest.fixture(scope="module")
def merged(run_dir):
    out = run_dir / "merged"
    summary = merge.merge_adapter(None, run_dir / "adapter", out, verify=True, dtype="fp32",
                                  max_shard_size="200KB", evaluate=False)
    return out, summary


def test_merged_logits_match_base_plus_adapter(merged):
    out, summary = merged
    lg = summary["verify"]["logits"]
    assert lg["max_abs_logit_diff"] <= merge.LOGIT_ATOL["fp32"]
    assert lg["top1_agreement"] == 1.0 and lg["greedy_identical"] == lg["prompts"] == 3
    assert json.loads((out / "verify.json").read_text())["passed"] is True


def test_adapter_actually_changes_the_model(run_dir, tiny_model_dir):
    """Guard against a vacuous check: base alone must differ from base+adapter."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(run_dir / "adapter")
    prompts = merge.load_prompts(run_dir / "data" / "dev.jsonl", tok, 2)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    merged_model = AutoModelForCausalLM.from_pretrained(run_dir / "merged").eval()
    a = merge.model_outputs(base, tok, prompts, 4)
    b = merge.model_outputs(merged_model, tok, prompts, 4)
    assert merge.compare_outputs(a, b, "fp32")["max_abs_logit_diff"] > 1e-2


def test_saved_sharded_with_template_and_card(merged):
    out, _ = merged
    shards = sorted(out.glob("model-*.safetensors"))
    assert len(shards) > 1 and (out / "model.safetensors.index.json").is_file()
    assert (out / "generation_config.json").is_file() and (out / "README.md").is_file()
    template = (out / "chat_template.jinja").read_text() if (out / "chat_template.jinja").is_file() \
        else json.loads((out / "tokenizer_config.json").read_text())["chat_template"]
    assert "<tools>" in template
    assert not list(out.parent.glob(".merged.*"))   # no temp dirs left behind
    assert out.stat().st_mode & 0o055      # readable by others, unlike a bare mkdtemp


def test_reload_check_in_fresh_process(merged):
    out, summary = merged
    rl = summary["verify"]["reload"]
    assert rl["passed"] and rl["forbidden_modules"] == [] and rl["tool_in_prompt"]


def test_reload_check_fails_without_tool_template(tmp_path, tiny_model_dir):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(tiny_model_dir, bad)
    (bad / "chat_template.jinja").unlink(missing_ok=True)
    cfg = json.loads((bad / "tokenizer_config.json").read_text())
    cfg["chat_template"] = "{% for m in messages %}{{ m.content }}{% endfor %}"
    (bad / "tokenizer_config.json").write_text(json.dumps(cfg))
    assert merge.reload_check(bad)["passed"] is False


def test_failure_mid_save_leaves_no_out_dir(run_dir, monkeypatch):
    out = run_dir / "merged-crash"

    def boom(*a, **k):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr("transformers.PreTrainedTokenizerBase.save_pretrained", boom)
    with pytest.raises(OSError, match="disk full"):
        merge.merge_adapter(None, run_dir / "adapter", out, dtype="fp32")
    assert not out.exists() and not list(run_dir.glob(".merged-crash.*"))


def test_verify_without_prompts_is_a_clear_error(tmp_path, run_dir):
    import shutil

    lone = tmp_path / "lone"
    shutil.copytree(run_dir / "adapter", lone / "adapter")
    with pytest.raises(merge.MergeError, match="--data"):
        merge.dev_split(lone / "adapter", {})


def test_qlora_detection(run_dir):
    adapter = run_dir / "adapter"
    assert merge.trained_in_4bit(adapter, {"config": {"load_in_4bit": True}})
    assert not merge.trained_in_4bit(adapter, {})


def test_compare_reports_flags_regression():
    ref = {"n": 10, "task_pass_rate": 0.8, "strict_json_rate": 1.0}
    assert merge.compare_reports(ref, {"n": 10, "task_pass_rate": 0.79, "strict_json_rate": 1.0})["passed"]
    assert not merge.compare_reports(ref, {"n": 10, "task_pass_rate": 0.7, "strict_json_rate": 1.0})["passed"]


def test_gguf_without_llama_cpp_says_what_is_missing(merged, monkeypatch):
    out, _ = merged
    monkeypatch.delenv("LLAMA_CPP_DIR", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(export.ExportError, match="convert_hf_to_gguf.py.*llama-quantize"):
        export.export_gguf(out, "q4_k_m")
    assert not export.gguf_path(out, "q4_k_m").exists()
    assert not export.gguf_path(out, "q4_k_m").parent.exists()


def test_gguf_converter_failure_leaves_no_file(merged, tmp_path, monkeypatch):
    out, _ = merged
    fake = tmp_path / "llama.cpp"
    fake.mkdir()
    (fake / "convert_hf_to_gguf.py").write_text("import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[sys.argv.index('--outfile') + 1]); p.write_bytes(b'GGUF half')\n"
        "sys.exit('unsupported architecture (simulated)')\n")
    monkeypatch.setenv("LLAMA_CPP_DIR", str(fake))
    target = tmp_path / "x" / "model.gguf"
    with pytest.raises(export.ExportError, match="simulated"):
        export.export_gguf(out, "q8_0", out_path=target)
    assert not target.exists() and not list(target.parent.glob("*"))


def test_unsloth_export_needs_gpu(run_dir, tmp_path):
    from funcall_lib.models import cuda_available

    if cuda_available():
        pytest.skip("GPU present: the export would run")
    with pytest.raises(export.ExportError, match="CUDA"):
        export.export_unsloth_merged("x", run_dir / "adapter", tmp_path / "u")
    assert not (tmp_path / "u").exists()


def test_cli_merge_verify_exit_code(run_dir, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    merge.add_arguments(parser)
    rc = merge.run_cli(parser.parse_args(["--adapter", str(run_dir / "adapter"), "--out", str(run_dir / "m2"),
               "--verify", "--dtype", "fp32", "--limit", "2"]))
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "verify: PASSED" in out and "task_pass_rate: base+adapter" in out
    ev = json.loads((run_dir / "m2" / "verify.json").read_text())["evaluation"]
    assert ev["n"] == 2 and ev["passed"] and all(r["delta"] == 0 for r in ev["metrics"].values())


def test_greedy_identity_required_in_fp32_only():
    import torch

    logits = torch.zeros(4, 10)
    logits[:, 3] = 5.0
    ref = [{"logits": logits, "greedy": [1, 2, 3]}]
    new = [{"logits": logits + 0.01, "greedy": [1, 2, 4]}]
    assert not merge.compare_outputs(ref, new, "fp32")["passed"]        # 0.01 > 1e-3 and greedy differs
    assert merge.compare_outputs(ref, new, "bf16")["passed"]
    far = [{"logits": logits + 3.0, "greedy": [1, 2, 3]}]
    assert not merge.compare_outputs(ref, far, "bf16")["passed"]        # beyond the bf16 bound


def test_compare_reports_allows_one_example_in_16_bits_only():
    ref = {"n": 4, "task_pass_rate": 0.5, "strict_json_rate": 1.0}
    one_flip = {"n": 4, "task_pass_rate": 0.5, "strict_json_rate": 0.75}
    two_flips = {"n": 4, "task_pass_rate": 0.5, "strict_json_rate": 0.5}
    assert merge.compare_reports(ref, one_flip, dtype="bf16")["passed"]
    assert merge.compare_reports(ref, one_flip, dtype="bf16")["tolerance"] == 0.25
    assert not merge.compare_reports(ref, two_flips, dtype="bf16")["passed"]
    assert not merge.compare_reports(ref, one_flip, dtype="fp32")["passed"]
    big = {"n": 200, "task_pass_rate": 0.5}
    assert not merge.compare_reports(big, {"n": 200, "task_pass_rate": 0.47}, dtype="bf16")["passed"]


def test_sign_test_p_values():
    assert merge.sign_test_p(0, 0) == 1.0
    assert merge.sign_test_p(4, 0) == 1 / 16
    assert merge.sign_test_p(5, 0) == 1 / 32
    assert merge.sign_test_p(1, 3) == 15 / 16          # more got better than worse


def verdicts(flags: str) -> list[dict]:
    """'+-.' per example: strict_json True, False, or None (not a call example)."""
    return [{"strict_json": {"+": True, "-": False, ".": None}[f], "task_pass": True} for f in flags]


def test_compare_reports_in_16_bits_fails_only_a_systematic_drop():
    ref_ex = verdicts("++++++++++++++..")
    report = {"n": 16, "task_pass_rate": 1.0}
    two_worse = verdicts("--++++++++++++..")      # what the GPU's bf16 QLoRA merge did: passes
    result = merge.compare_reports({**report, "strict_json_rate": 14 / 14}, {**report, "strict_json_rate": 12 / 14},
                                   dtype="bf16", ref_examples=ref_ex, merged_examples=two_worse)
    assert result["passed"] and result["metrics"]["strict_json_rate"]["worse"] == 2
    five_worse = verdicts("-----+++++++++..")     # every change in one direction, 5 times: fails
    result = merge.compare_reports({**report, "strict_json_rate": 1.0}, {**report, "strict_json_rate": 9 / 14},
                                   dtype="bf16", ref_examples=ref_ex, merged_examples=five_worse)
    assert not result["passed"] and result["metrics"]["strict_json_rate"]["p_value"] == 1 / 32
    # the same examples in fp32 keep the strict absolute rule
    assert not merge.compare_reports({**report, "strict_json_rate": 1.0}, {**report, "strict_json_rate": 12 / 14},
                                     dtype="fp32", ref_examples=ref_ex, merged_examples=two_worse)["passed"]


def test_a_full_fine_tune_is_not_merged(tmp_path):
    """model/ from `full_finetuning` is a checkpoint of its own: merge says so instead of failing
    on a missing adapter_config.json."""
    whole = tmp_path / "run" / "model"
    whole.mkdir(parents=True)
    (whole / "config.json").write_text("{}")
    with pytest.raises(merge.MergeError, match="needs no merge"):
        merge._adapter_config(whole)
    with pytest.raises(merge.MergeError) as plain:
        merge._adapter_config(tmp_path)
    assert "needs no merge" not in str(plain.value)


def _second_adapter(random_adapter, tmp_path, tiny_model_dir, base_in_run_json):
    """Another random LoRA on the tiny model (other seed, other targets), in RUN/adapter."""
    run = tmp_path / "run_b"
    random_adapter(tiny_model_dir, run / "adapter", seed=2, r=2, targets=["k_proj", "up_proj"])
    (run / "run.json").write_text(json.dumps({"model": base_in_run_json}))
    return run / "adapter"


def _weights(model_dir):
    from transformers import AutoModelForCausalLM

    return {k: v.clone() for k, v in AutoModelForCausalLM.from_pretrained(model_dir).state_dict().items()}


def test_soup_is_the_mean_of_the_merged_weights(run_dir, tiny_model_dir, tmp_path, random_adapter):
    import torch

    adapter_b = _second_adapter(random_adapter, tmp_path, tiny_model_dir, str(tiny_model_dir))
    merge.merge_adapter(None, adapter_b, tmp_path / "merged_b", dtype="fp32")
    merge.merge_adapter(None, run_dir / "adapter", tmp_path / "merged_a", dtype="fp32")
    summary = merge.soup_adapters(None, [run_dir / "adapter", adapter_b], tmp_path / "soup",
                                  dtype="fp32")
    assert summary["base_model"] == str(tiny_model_dir) and len(summary["soup_of"]) == 2
    a, b, soup = (_weights(tmp_path / d) for d in ("merged_a", "merged_b", "soup"))
    differ = [k for k in soup if not torch.equal(a[k], b[k])]
    assert differ, "the two adapters must change the model differently for this test to mean anything"
    for key in soup:
        torch.testing.assert_close(soup[key], (a[key] + b[key]) / 2, rtol=0, atol=1e-6)
    assert json.loads((tmp_path / "soup" / "merge.json").read_text())["soup_of"] == summary["soup_of"]


def test_soup_refuses_adapters_of_different_bases(run_dir, tiny_model_dir, tmp_path, random_adapter):
    adapter_b = _second_adapter(random_adapter, tmp_path, tiny_model_dir, "some-org/another-base")
    with pytest.raises(merge.MergeError, match="different bases"):
        merge.soup_adapters(None, [run_dir / "adapter", adapter_b], tmp_path / "soup")
    assert not (tmp_path / "soup").exists()
    with pytest.raises(merge.MergeError, match="two or more"):
        merge.soup_adapters(None, [run_dir / "adapter"], tmp_path / "soup")


def test_cli_soup_takes_no_verify(run_dir, tmp_path, capsys):
    from funcall_lib.cli import main

    code = main(["merge", "--adapter", str(run_dir / "adapter"), "--adapter", str(run_dir / "adapter"),
                 "--out", str(tmp_path / "soup"), "--verify"])
    assert code != 0 and "one adapter" in capsys.readouterr().err
    assert not (tmp_path / "soup").exists()
    assert main(["merge", "--adapter", str(run_dir / "adapter"), "--adapter", str(run_dir / "adapter"),
                 "--out", str(tmp_path / "soup"), "--dtype", "fp32"]) == 0
    assert "soup of 2 adapters" in capsys.readouterr().out
