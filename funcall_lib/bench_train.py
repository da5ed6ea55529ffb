"""`funcall bench train`: LoRA training speed and memory, Unsloth vs transformers+peft.

Each backend runs in its own subprocess (importing unsloth patches transformers for the whole
process, so a fair baseline needs a clean one). Both get the same model shape, LoRA config,
sequence length, batch and token stream; we time optimizer steps after a warm-up and count only
non-padding tokens.

Two token streams:
- `random`: dense random token ids, batch x seq_len, no padding: the upper bound of throughput.
- `data`: the real rendered training records (chat template + tool block), length-grouped and
  packed into batches of the same token budget (batch x seq_len, padding included); its useful
  tokens/s over the dense rate at the same shape is the batching efficiency. With
  `pad_multiple` > 1 the row width is rounded up to that multiple and every batch of a width has
  the same number of rows, so only a handful of (rows x width) shapes exist; one step of each is
  run before the clock starts (a compiled model pays for each new shape once, not per step).
  With `padding_free`, each step is one row: records concatenated up to the budget, with
  position ids restarting at every record and no attention mask (what TRL's padding-free
  collator feeds Unsloth), its end padded to `pad_multiple`.

The step here is a plain forward/backward/AdamW step: this is a speed harness, not a trainer.

MFU counts model FLOPs per trained token as 2N (forward) + 2N (backward through activations;
frozen base weights get no weight gradients under LoRA) + 2N (recompute under gradient
checkpointing) plus attention (12 * layers * seq * hidden, forward+backward), where N is the
number of base parameters in the transformer blocks and head, against the GPU's measured bf16
matmul rate (an 8192^3 product timed in the same process).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class BenchTrainConfig:
    shape: str = "llama-3.2-1b"          # models.SHAPES key, or "embedded" for the real weights
    vocab_size: int | None = None       # None: the shape's real vocabulary (see VOCAB)
    backend: str = "hf"                 # hf | unsloth
    load_in_4bit: bool = False
    batch_size: int = 8
    seq_len: int = 1024
    lora_r: int = 16
    lora_alpha: int = 32
    gradient_checkpointing: bool = True
    steps: int = 12
    warmup: int = 3
    tokens: str = "random"              # random | data
    data: str | None = None             # a records JSONL for tokens="data"
    pad_multiple: int = 1               # tokens="data": round widths up to this (fixed shapes)
    padding_free: bool = False          # tokens="data": records concatenated into one row per step
    seed: int = 0
    tokenizer: str | None = None        # tokenizer dir for random shapes; default: the embedded one
    workdir: str = field(default_factory=lambda: os.environ.get("FUNCALL_BENCH_DIR") or str(
        __import__("funcall_lib.models", fromlist=["funcall_home"]).funcall_home() / "bench"))


# The real vocabulary sizes of the shapes (the random model's embedding is sized to it).
VOCAB = {"tiny": 49152, "smollm2-135m": 49152, "llama-3.2-1b": 128256, "llama-3.1-8b": 128256}
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


# ---------------------------------------------------------------- model

def _model_dir(cfg: BenchTrainConfig) -> Path:
    """Save (once) a random model of the shape with the embedded tokenizer; return its dir."""
    from funcall_lib import models

    if cfg.shape == "embedded":
        return models.resolve("embedded")
    vocab = cfg.vocab_size or VOCAB[cfg.shape]
    out = Path(cfg.workdir) / f"random-{cfg.shape}-v{vocab}"
    if (out / "config.json").is_file():
        return out
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(cfg.tokenizer or models.resolve("embedded"))
    torch.manual_seed(cfg.seed)
    config = LlamaConfig(vocab_size=vocab, max_position_embeddings=8192, tie_word_embeddings=False,
                         bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                         pad_token_id=tok.pad_token_id, torch_dtype="bfloat16",
                         **models.SHAPES[cfg.shape])
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = LlamaForCausalLM(config).to(torch.bfloat16)
    from funcall_lib.io import atomic_path

    with atomic_path(out, is_dir=True) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
    return out


def _load(cfg: BenchTrainConfig):
    """The model with LoRA attached, through the backend under test."""
    path = _model_dir(cfg)
    if cfg.backend == "unsloth":
        from unsloth import FastLanguageModel

        model, tok = FastLanguageModel.from_pretrained(
            str(path), max_seq_length=cfg.seq_len, load_in_4bit=cfg.load_in_4bit, dtype=None,
            local_files_only=True)
        model = FastLanguageModel.get_peft_model(
            model, r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0.0,
            target_modules=TARGET_MODULES, bias="none", random_state=cfg.seed,
            use_gradient_checkpointing="unsloth" if cfg.gradient_checkpointing else False)
        return model, tok
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quant = None
    if cfg.load_in_4bit:
        from transformers import BitsAndBytesConfig

        quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                   bnb_4bit_compute_dtype=torch.bfloat16, bnb_4bit_use_double_quant=True)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.bfloat16, attn_implementation="sdpa",
                                                 quantization_config=quant, device_map={"": 0})
    if cfg.load_in_4bit:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=cfg.gradient_checkpointing)
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    model = get_peft_model(model, LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0.0,
                                             target_modules=TARGET_MODULES, task_type="CAUSAL_LM"))
    return model, AutoTokenizer.from_pretrained(path)


# ---------------------------------------------------------------- batches

def _random_batches(cfg: BenchTrainConfig, vocab: int, n: int):
    import torch

    g = torch.Generator().manual_seed(cfg.seed)
    for _ in range(n):
        ids = torch.randint(3, vocab, (cfg.batch_size, cfg.seq_len), generator=g)
        yield {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": ids.clone(),
               "real": ids.numel()}


def _data_rows(cfg: BenchTrainConfig, tokenizer, limit: int) -> list[tuple[list[int], list[int]]]:
    """(input ids, labels) of the first `limit` records that fit in seq_len, prompt labelled -100."""
    from funcall_lib import chat
    from funcall_lib.io import iter_jsonl

    chat.ensure_tool_template(tokenizer)
    rows = []
    for _, rec in iter_jsonl(cfg.data):
        prompt, answer = chat.render(rec, tokenizer)
        p = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        a = tokenizer(answer, add_special_tokens=False)["input_ids"]
        if len(p) + len(a) <= cfg.seq_len:
            rows.append((p + a, [-100] * len(p) + a))
        if len(rows) >= limit:
            break
    return rows


def _budget_groups(cfg: BenchTrainConfig, rows: list) -> list[list]:
    """Length-grouped batches, as many rows per batch as fit the token budget (padding counted).

    Records are sorted by length within windows of 256, so each batch pads only to its own
    longest record; every batch has its own (rows x width) shape.
    """
    grouped = []
    for i in range(0, len(rows), 256):
        grouped += sorted(rows[i:i + 256], key=lambda r: len(r[0]))
    budget, batches, current = cfg.batch_size * cfg.seq_len, [], []
    for row in grouped:
        width = max([len(row[0])] + [len(r[0]) for r in current])
        if current and width * (len(current) + 1) > budget:
            batches.append(current)
            current = []
        current.append(row)
    batches.append(current)
    return batches


def bucket_width(length: int, multiple: int) -> int:
    return -(-length // multiple) * multiple


def _bucket_groups(cfg: BenchTrainConfig, rows: list) -> list[list]:
    """Fixed shapes: width rounded up to `pad_multiple`, budget // width rows per batch of that width.

    A bucket's last, incomplete batch is dropped (a trainer would carry it into the next pass),
    so every batch of a width has exactly the same shape.
    """
    budget, buckets = cfg.batch_size * cfg.seq_len, {}
    for row in rows:
        buckets.setdefault(bucket_width(len(row[0]), cfg.pad_multiple), []).append(row)
    batches = []
    for width, members in sorted(buckets.items()):
        per = max(1, budget // width)
        batches += [members[i:i + per] for i in range(0, len(members) - per + 1, per)]
    return batches


def _tensor_batch(chunk: list, pad: int, width: int):
    import torch

    ids = torch.full((len(chunk), width), pad)
    labels = torch.full((len(chunk), width), -100)
    mask = torch.zeros((len(chunk), width), dtype=torch.long)
    for i, (x, y) in enumerate(chunk):
        ids[i, :len(x)], labels[i, :len(y)], mask[i, :len(x)] = torch.tensor(x), torch.tensor(y), 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels, "real": int(mask.sum())}


def _flat_groups(cfg: BenchTrainConfig, rows: list) -> list[list]:
    """Consecutive records, as many as fit the token budget in one concatenated row."""
    budget, groups, current, used = cfg.batch_size * cfg.seq_len, [], [], 0
    for row in rows:
        if current and used + len(row[0]) > budget:
            groups.append(current)
            current, used = [], 0
        current.append(row)
        used += len(row[0])
    return groups  # the last, partial row is dropped


def _flat_batch(chunk: list, pad: int, width: int):
    import torch

    ids = torch.full((1, width), pad)
    labels = torch.full((1, width), -100)
    positions = torch.zeros((1, width), dtype=torch.long)
    at = 0
    for x, y in chunk:
        ids[0, at:at + len(x)], labels[0, at + 1:at + len(y)] = torch.tensor(x), torch.tensor(y[1:])
        positions[0, at:at + len(x)] = torch.arange(len(x))
        at += len(x)
    return {"input_ids": ids, "position_ids": positions, "labels": labels, "real": at}


def data_batches(cfg: BenchTrainConfig, tokenizer, n: int) -> tuple[list[dict], int]:
    """(batches, warm-up count): `n` timed batches of real records, after the warm-up batches.

    The warm-up is `cfg.warmup` batches, or with `pad_multiple` > 1 one batch of every distinct
    shape if that is more, so the timed steps never meet a shape for the first time.
    """
    import random

    rows = _data_rows(cfg, tokenizer, (n + cfg.warmup) * cfg.batch_size * 8)
    if cfg.padding_free:   # one row per step: its width is the records' total length
        groups, make, length = _flat_groups(cfg, rows), _flat_batch, lambda chunk: sum(map(len, chunk))
    else:                  # a row per record: the batch is as wide as its longest record
        groups = _bucket_groups(cfg, rows) if cfg.pad_multiple > 1 else _budget_groups(cfg, rows)
        make, length = _tensor_batch, lambda chunk: max(map(len, chunk))
    if not groups:
        raise ValueError(f"{cfg.data}: no batch could be formed (records longer than seq_len?)")
    random.Random(cfg.seed).shuffle(groups)  # a fair sample of lengths

    def width(chunk):   # bucket_width(w, 1) == w: no rounding without pad_multiple
        return bucket_width(length([ids for ids, _ in chunk]), cfg.pad_multiple)

    def shape(chunk):
        return (1 if cfg.padding_free else len(chunk), width(chunk))

    warm = groups[:cfg.warmup]
    if cfg.pad_multiple > 1:
        seen = {shape(g) for g in warm}
        for g in groups:
            if shape(g) not in seen:
                seen.add(shape(g))
                warm.append(g)
    timed = [groups[(len(warm) + b) % len(groups)] for b in range(n)]
    pad = tokenizer.pad_token_id
    return [make(g, pad, width(g)) for g in warm + timed], len(warm)


# ---------------------------------------------------------------- measure

def matmul_tflops(n: int = 8192, reps: int = 10) -> float:
    """Measured dense bf16 matmul rate of this GPU (TFLOP/s), the MFU denominator."""
    import torch

    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(reps):
        a @ b
    torch.cuda.synchronize()
    return 2 * n**3 * reps / (time.perf_counter() - start) / 1e12


def logical_numel(param) -> int:
    """Elements of a weight as the model multiplies with it. bitsandbytes stores a 4-bit weight
    packed, two values per byte, so `numel()` is half the real count; the shape it stands for is
    kept in `quant_state.shape`."""
    shape = getattr(getattr(param, "quant_state", None), "shape", None)
    return math.prod(shape) if shape is not None else param.numel()


def _flops_per_token(model_config, seq_len: float, n_params: int, checkpointing: bool) -> float:
    layers, hidden = model_config.num_hidden_layers, model_config.hidden_size
    dense = (6 if checkpointing else 4) * n_params
    attention = (16 if checkpointing else 12) * layers * seq_len * hidden
    return dense + attention


def run_one(cfg: BenchTrainConfig) -> dict:
    """Time `cfg.steps` optimizer steps after `cfg.warmup`; return the measurements."""
    if cfg.backend == "unsloth":
        import unsloth  # noqa: F401  (before transformers/peft, or its patches are skipped)
    import torch

    torch.manual_seed(cfg.seed)
    model, tok = _load(cfg)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    vocab = model.get_input_embeddings().weight.shape[0]
    if cfg.tokens == "random":
        batches, warmup = list(_random_batches(cfg, vocab, cfg.warmup + cfg.steps)), cfg.warmup
    else:
        batches, warmup = data_batches(cfg, tok, cfg.steps)
    torch.cuda.reset_peak_memory_stats()
    useful, padded, rows, times = 0, 0, 0, []
    for i, batch in enumerate(batches):
        real = batch["real"]
        batch = {k: v.cuda(non_blocking=True) for k, v in batch.items() if k != "real"}
        torch.cuda.synchronize()
        start = time.perf_counter()
        loss = model(**batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        if i >= warmup:
            times.append(time.perf_counter() - start)
            useful += real
            padded += batch["input_ids"].numel()
            rows += batch["input_ids"].shape[0]
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    n_params = sum(logical_numel(p) for n, p in base.named_parameters()
                   if "lora_" not in n and "embed_tokens" not in n)
    elapsed = sum(times)
    tps = useful / elapsed
    peak = matmul_tflops()
    avg_len = useful / max(1, rows)  # mean sequence length, for the attention FLOPs
    shapes = len({tuple(b["input_ids"].shape) for b in batches[warmup:]})
    return {**asdict(cfg), "tokens_per_s": tps, "warmup_steps": warmup, "timed_shapes": shapes, "useful_fraction": useful / padded,
            "step_s_median": sorted(times)[len(times) // 2], "peak_vram_gib":
            torch.cuda.max_memory_allocated() / 2**30, "final_loss": float(loss),
            "matmul_tflops": peak, "mfu": tps * _flops_per_token(base.config, avg_len, n_params, cfg.gradient_checkpointing) / (peak * 1e12),
            "n_params": n_params, "device": torch.cuda.get_device_name(), "versions": _versions()}


def _versions() -> dict:
    import importlib.metadata as md

    out = {}
    for name in ("torch", "transformers", "peft", "trl", "unsloth", "bitsandbytes"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    return out


# ---------------------------------------------------------------- compare

def compare(cfg: BenchTrainConfig, backends=("hf", "unsloth"), out: str | None = None) -> list[dict]:
    """Run each backend in a fresh subprocess with the same config; print a table with ratios."""
    results = []
    for backend in backends:
        one = {**asdict(cfg), "backend": backend}
        proc = subprocess.run([sys.executable, "-m", "funcall_lib.bench_train", json.dumps(one)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise RuntimeError(f"bench train ({backend}) failed:\n{tail}")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(format_table(results))
    if out:
        from funcall_lib.io import write_json_atomic

        write_json_atomic(out, results)
    return results


def _tokens_label(r: dict) -> str:
    """'random', 'data' (own width per batch) or 'data/64' (widths rounded to 64: fixed shapes)."""
    pad, label = r.get("pad_multiple", 1), r["tokens"]
    if label == "data" and r.get("padding_free"):
        label = "data-flat"
    return f"{label}/{pad}" if label != "random" and pad > 1 else label


def format_table(results: list[dict]) -> str:
    base = results[0]
    lines = ["| backend | 4-bit | tokens | shape | batch x seq | tokens/s | step s | peak VRAM GiB | MFU | "
             "useful | speed x | VRAM x |", "|" + "---|" * 12]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['load_in_4bit']} | {_tokens_label(r)} | {r['shape']} | {r['batch_size']} x "
            f"{r['seq_len']} | {r['tokens_per_s']:,.0f} | {r['step_s_median']:.3f} | {r['peak_vram_gib']:.2f} | "
            f"{r['mfu']:.1%} | {r['useful_fraction']:.1%} | {r['tokens_per_s'] / base['tokens_per_s']:.2f} | "
            f"{r['peak_vram_gib'] / base['peak_vram_gib']:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":  # one measurement in this process; used by `compare`
    result = run_one(BenchTrainConfig(**json.loads(sys.argv[1])))
    print(json.dumps(result))
