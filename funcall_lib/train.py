"""Supervised fine-tuning with LoRA/QLoRA through TRL's SFTTrainer, loss on the answer only.

The whole step, in order: load the base model (Unsloth on CUDA, transformers on CPU; see
`models.load_model`), install the tool-aware chat template, wrap the model in LoRA, tokenize each
record into `input_ids` + `labels` where every prompt token is -100 (`tokenize_record`), and hand
that pre-tokenized dataset to `SFTTrainer`, which then skips its own tokenization.

Label mask. `chat.render` splits a record into the prompt text (up to the assistant header) and
the answer text (the calls and the end-of-turn token). The prompt is tokenized on its own, exactly
as inference tokenizes it before generating, so `input_ids` always start with the inference
prompt; the answer tokens that follow are the only ones trained. A record that does not fit in
`max_seq_length` with its whole answer is skipped and counted (we never cut the prompt: a model
trained on prompts with the tool block cut off would see prompts unlike the ones at inference).

Batches. Records are length-grouped (`train_sampling_strategy="group_by_length"`) so little is
padding. `pad_to_multiple_of` rounds each batch's width up, so only a few batch shapes exist:
Unsloth compiles its decoder blocks and pays again for every new shape, and on an H100 fixed
shapes ran 2-3x faster than Unsloth's own padding-free default (docs/benchmarks.md), which is
why `padding_free` can be set here (unset, the backend chooses). With `packing=True` on the
Unsloth backend, sequences are packed. Either way run.json reports `useful_token_fraction`:
non-padding tokens / all tokens in the training batches actually fed (and
`trained_token_fraction`: answer tokens / non-padding tokens).

Data parallel: under `torchrun` / `accelerate launch` every process trains on its shard; only
rank 0 writes adapter/ (model/ with `full_finetuning`), run.json and loss.png (the Trainer
itself writes checkpoints on rank 0, plus each rank's RNG state). Effective batch = per-device
batch x accumulation x world size.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import time
from pathlib import Path

from funcall_lib import chat
from funcall_lib.config import TrainConfig, load_yaml, make_config, to_dict
from funcall_lib.io import atomic_path, exclusive_dir, iter_jsonl, write_json_atomic

log = logging.getLogger(__name__)

IGNORE_INDEX = -100
RUN_JSON = "run.json"


# ---------------------------------------------------------------- label mask

def tokenize_record(record: dict, tokenizer, max_seq_length: int) -> dict | None:
    """`{"input_ids", "labels"}` with prompt tokens labelled -100, or None if the answer won't fit.

    The prompt ids are `tokenizer(prompt)` alone (what inference feeds the model). The answer ids
    are the tail of the jointly tokenized prompt+answer when that has the prompt ids as a prefix,
    else the answer tokenized on its own. The last trained token must be the end-of-turn token,
    so the model learns to stop; a template where that fails is an error, not a silent mis-train.
    """
    prompt, answer = chat.render(record, tokenizer)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    full_ids = tokenizer(prompt + answer, add_special_tokens=False)["input_ids"]
    if full_ids[: len(prompt_ids)] == prompt_ids:
        answer_ids = full_ids[len(prompt_ids):]
    else:
        answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
    eot_id = tokenizer.convert_tokens_to_ids(chat.end_of_turn(tokenizer))
    if not answer_ids or answer_ids[-1] != eot_id:
        raise ValueError(f"record {record.get('id')}: the answer does not end in the end-of-turn "
                         f"token id {eot_id}; check the tokenizer's chat template")
    if len(prompt_ids) + len(answer_ids) > max_seq_length:
        return None
    return {"input_ids": prompt_ids + answer_ids,
            "labels": [IGNORE_INDEX] * len(prompt_ids) + list(answer_ids)}


def label_mask(record: dict, tokenizer, max_seq_length: int = 1 << 30) -> list[bool]:
    """Per token of the training sequence: True where the loss is computed (the answer)."""
    row = tokenize_record(record, tokenizer, max_seq_length)
    if row is None:
        raise ValueError(f"record {record.get('id')}: longer than max_seq_length={max_seq_length}")
    return [label != IGNORE_INDEX for label in row["labels"]]


def show_trained_span(record: dict, tokenizer, open_mark: str = "[[", close_mark: str = "]]") -> str:
    """The training text with each trained run of tokens wrapped in marks (read from the mask)."""
    row = tokenize_record(record, tokenizer, 1 << 30)
    parts, run, trained = [], [], False
    for tok, label in zip(row["input_ids"], row["labels"]):
        if (label != IGNORE_INDEX) != trained and run:
            text = tokenizer.decode(run)
            parts.append(f"{open_mark}{text}{close_mark}" if trained else text)
            run = []
        trained = label != IGNORE_INDEX
        run.append(tok)
    text = tokenizer.decode(run)
    parts.append(f"{open_mark}{text}{close_mark}" if trained else text)
    return "".join(parts)


# ---------------------------------------------------------------- data

def load_split(path: str | Path, limit: int | None = None) -> list[dict]:
    """Records of one split (validated by records.py when it is available), first `limit` kept."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such split; build data first (funcall data build)")
    try:
        from funcall_lib.records import load_records
        records = load_records(path)
    except (ImportError, NotImplementedError):
        records = [obj for _, obj in iter_jsonl(path)]
    return records[:limit] if limit else records


def tokenize_split(records: list[dict], tokenizer, max_seq_length: int, name: str = "train",
                   show_progress: bool = True):
    """A `datasets.Dataset` of input_ids/labels, and the ids of records skipped as too long."""
    from datasets import Dataset
    from tqdm.auto import tqdm

    rows, skipped = [], []
    for rec in tqdm(records, desc=f"tokenizing {name}", disable=not show_progress, leave=False):
        row = tokenize_record(rec, tokenizer, max_seq_length)
        if row is None:
            skipped.append(rec.get("id"))
        else:
            rows.append(row)
    if not rows:
        raise ValueError(f"{name}: no record fits in max_seq_length={max_seq_length} "
                         f"({len(skipped)} skipped); raise max_seq_length")
    return Dataset.from_list(rows), skipped


# ---------------------------------------------------------------- model

def load_for_training(config: TrainConfig):
    """(model with LoRA, or whole with `full_finetuning`; tokenizer carrying the tool template;
    backend, base path, family)."""
    from funcall_lib.models import load_model  # imports unsloth first on the Unsloth path

    loaded = load_model(config.model, backend=config.backend, load_in_4bit=config.load_in_4bit,
                        max_seq_length=config.max_seq_length, full_finetuning=config.full_finetuning,
                        dtype=cpu_weights_dtype(config))
    family = chat.ensure_tool_template(loaded.tokenizer)
    if config.full_finetuning:
        return _whole_model(loaded.model, config), loaded.tokenizer, loaded.backend, loaded.path, family
    targets = config.target_modules
    if loaded.backend == "unsloth":
        from unsloth import FastLanguageModel

        model = FastLanguageModel.get_peft_model(
            loaded.model, r=config.lora_r, lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout, target_modules=targets, bias="none",
            use_gradient_checkpointing="unsloth" if config.gradient_checkpointing else False,
            random_state=config.seed)
    else:
        from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
        from transformers import set_seed

        model = loaded.model
        if config.load_in_4bit:
            model = prepare_model_for_kbit_training(model, config.gradient_checkpointing)
        elif config.gradient_checkpointing:
            model.enable_input_require_grads()
        set_seed(config.seed)  # LoRA A matrices are drawn here
        model = get_peft_model(model, LoraConfig(
            r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
            target_modules=targets, bias="none", task_type="CAUSAL_LM"))
    return model, loaded.tokenizer, loaded.backend, loaded.path, family


def _whole_model(model, config: TrainConfig):
    """Every weight trainable (embeddings and norms too): for small models, where LoRA's rank is
    a large share of the layer width anyway and the full optimizer state is cheap."""
    from transformers import set_seed

    set_seed(config.seed)
    for param in model.parameters():
        param.requires_grad_(True)
    if config.gradient_checkpointing and hasattr(model, "gradient_checkpointing_enable"):
        model.gradient_checkpointing_enable()
    return model


def artifact_dir(out_dir: str | Path, config: TrainConfig) -> Path:
    """Where `train` writes the result: adapter/ (LoRA) or model/ (full fine-tuning)."""
    return Path(out_dir) / ("model" if config.full_finetuning else "adapter")


def cpu_weights_dtype(config: TrainConfig) -> str | None:
    """On CPU, frozen base weights in the precision the trainer computes in (bf16 halves their
    memory and saves a cast per matmul); None elsewhere, where the loader's default holds."""
    import torch

    if torch.cuda.is_available():
        return None
    return "bf16" if precision(config)["bf16"] else "fp32"


def precision(config: TrainConfig) -> dict:
    """Device flags: bf16 where the GPU supports it, fp16 on older GPUs. On CPU, `auto` means bf16
    mixed precision (trained weights in float32, matmuls in bf16 under autocast) where the CPU
    has bf16 in hardware (AMX, AVX512-BF16: 1.6-1.7x float32's speed), else float32 (emulated
    bf16 is slower)."""
    import torch

    if not torch.cuda.is_available():
        from funcall_lib.models import cpu_has_native_bf16

        bf16 = cpu_has_native_bf16() if config.bf16 == "auto" else bool(config.bf16)
        # use_cpu makes accelerate set up gloo DDP under torchrun instead of a lone process
        ddp = int(os.environ.get("WORLD_SIZE", "1")) > 1
        return {"bf16": bf16, "fp16": False, "use_cpu": True, "ddp_backend": "gloo" if ddp else None}
    bf16 = torch.cuda.is_bf16_supported() if config.bf16 == "auto" else bool(config.bf16)
    return {"bf16": bf16, "fp16": not bf16}


def sft_config(config: TrainConfig, out_dir: Path, backend: str, has_eval: bool):
    """TRL's SFTConfig from ours. Checkpoints go to out_dir/checkpoints."""
    from trl import SFTConfig

    packed = bool(config.packing and backend == "unsloth")
    if config.packing and not packed:
        log.warning("packing needs a padding-free attention (Unsloth on CUDA); using length "
                    "grouping on backend %s instead", backend)
    return SFTConfig(
        output_dir=str(out_dir / "checkpoints"), seed=config.seed, data_seed=config.seed,
        learning_rate=config.learning_rate, lr_scheduler_type=config.lr_scheduler_type,
        warmup_steps=config.warmup_ratio, weight_decay=config.weight_decay,
        neftune_noise_alpha=config.neftune_noise_alpha,
        per_device_train_batch_size=config.per_device_train_batch_size,
        per_device_eval_batch_size=config.per_device_train_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        num_train_epochs=config.num_train_epochs, max_steps=config.max_steps,
        gradient_checkpointing=config.gradient_checkpointing and backend != "unsloth",
        gradient_checkpointing_kwargs={"use_reentrant": False},
        logging_steps=config.logging_steps, save_steps=config.save_steps,
        save_total_limit=config.save_total_limit, save_strategy="steps",
        eval_strategy="steps" if has_eval else "no", eval_steps=config.eval_steps,
        max_length=config.max_seq_length, packing=packed, packing_strategy="bfd",
        pad_to_multiple_of=config.pad_to_multiple_of,
        train_sampling_strategy="group_by_length" if config.group_by_length and not packed
        else "random",
        report_to="none", dataloader_num_workers=0, prediction_loss_only=True, ddp_find_unused_parameters=False,
        include_num_input_tokens_seen="non_padding", **padding_choice(config), **precision(config))


def padding_choice(config: TrainConfig) -> dict:
    """`padding_free` only when set: left unset, Unsloth picks per GPU (padding-free on H100)."""
    return {} if config.padding_free is None else {"padding_free": bool(config.padding_free)}


def answer_loss(model, inputs, num_items_in_batch=None):
    """Causal-LM loss projecting through the LM head only from the first answer column on.

    The prompt is most of every sequence, and the (batch x length x vocab) logits of a full
    forward dominate the cost of a small model on CPU; `logits_to_keep` skips the prompt part.
    """
    import torch
    import torch.nn.functional as F

    labels = inputs["labels"][:, 1:]
    columns = (labels != IGNORE_INDEX).any(0).nonzero()
    first = int(columns[0]) if len(columns) else labels.shape[1] - 1
    keep = torch.arange(first, labels.shape[1], device=labels.device)
    outputs = model(input_ids=inputs["input_ids"], attention_mask=inputs.get("attention_mask"),
                    logits_to_keep=keep, use_cache=False)
    target = labels[:, first:]
    total = F.cross_entropy(outputs.logits.float().flatten(0, 1), target.flatten(),
                            ignore_index=IGNORE_INDEX, reduction="sum")
    count = num_items_in_batch if num_items_in_batch is not None else (target != IGNORE_INDEX).sum()
    return total / torch.as_tensor(count, device=total.device).clamp(min=1), outputs


def real_tokens(inputs: dict) -> int:
    """Non-padding tokens of a training batch, padded (attention_mask) or padding-free (position_ids).

    A padding-free batch is one row of concatenated records; `pad_to_multiple_of` pads its end
    with position id 0, which no real record ends on (a record's last token has position >= 1).
    """
    if "attention_mask" in inputs:
        return int(inputs["attention_mask"].sum())
    ids, positions = inputs["input_ids"], inputs.get("position_ids")
    if positions is None:
        return ids.numel()
    tail = 0
    for row in positions.reshape(positions.shape[0], -1).tolist():
        for value in reversed(row):
            if value != 0:
                break
            tail += 1
    return ids.numel() - tail


def _trainer_class():
    """SFTTrainer that counts the tokens of every training batch it is fed (for run.json)."""
    from trl import SFTTrainer

    class CountingSFTTrainer(SFTTrainer):
        token_counts = None

        def training_step(self, model, inputs, *args, **kwargs):
            counts = self.token_counts = self.token_counts or {"total": 0, "real": 0, "trained": 0}
            ids = inputs["input_ids"]
            counts["total"] += ids.numel()
            counts["real"] += real_tokens(inputs)
            counts["trained"] += int((inputs["labels"] != IGNORE_INDEX).sum())
            return super().training_step(model, inputs, *args, **kwargs)

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            # TRL's fused LM-head loss runs a Triton kernel that needs a GPU; off CUDA we compute
            # the same quantity (NLL summed over answer tokens / answer tokens in the batch).
            if self.args.device.type == "cuda":
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            loss, outputs = answer_loss(model, inputs, num_items_in_batch)
            if self.args.average_tokens_across_devices and num_items_in_batch is not None:
                loss = loss * self.accelerator.num_processes  # DDP averages the gradients
            return (loss, outputs) if return_outputs else loss

    return CountingSFTTrainer


# ---------------------------------------------------------------- the run

def last_checkpoint(out_dir: Path) -> str | None:
    """Newest complete checkpoint (trainer_state.json is written last), or None."""
    ckpts = sorted((out_dir / "checkpoints").glob("checkpoint-*"),
                   key=lambda p: int(p.name.split("-")[-1]) if p.name.split("-")[-1].isdigit() else -1)
    for path in reversed(ckpts):
        if (path / "trainer_state.json").is_file():
            return str(path)
    return None


def versions() -> dict:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "unsloth",
                 "bitsandbytes"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    return out


def train(config: TrainConfig, data_dir: str | Path, out_dir: str | Path, resume: bool = True,
          callbacks: list | None = None) -> dict:
    """Train a LoRA adapter (or, with `full_finetuning`, the whole model) on data_dir/train.jsonl
    (eval on dev.jsonl); return the run.json dict.

    Writes out_dir/adapter/ (or out_dir/model/: weights + tokenizer with the tool template),
    run.json and loss.png,
    atomically and from rank 0 only. With `resume`, continues from the newest checkpoint in
    out_dir/checkpoints, reaching the same final step count as an uninterrupted run.
    A second process that trains into the same out_dir meanwhile stops at once with
    `io.BusyError` (rank 0 holds out_dir/.lock for the whole training).
    """
    rank0 = int(os.environ.get("RANK", "0")) == 0
    with exclusive_dir(out_dir, "training") if rank0 else contextlib.nullcontext():
        return _train_locked(config, Path(data_dir), Path(out_dir), resume, callbacks, rank0)


def _train_locked(config: TrainConfig, data_dir: Path, out_dir: Path, resume: bool,
                  callbacks: list | None, rank0: bool) -> dict:
    started = time.time()
    model, tokenizer, backend, base_path, family = load_for_training(config)
    train_records = load_split(data_dir / "train.jsonl", config.max_train_records)
    train_ds, skipped_train = tokenize_split(train_records, tokenizer, config.max_seq_length,
                                             "train", rank0)
    dev_path = data_dir / "dev.jsonl"
    eval_ds, skipped_dev = None, []
    if dev_path.is_file() and config.max_eval_records != 0:
        eval_ds, skipped_dev = tokenize_split(load_split(dev_path, config.max_eval_records),
                                              tokenizer, config.max_seq_length, "dev", rank0)
    trainer = _trainer_class()(model=model, args=sft_config(config, out_dir, backend, eval_ds is not None),
                               train_dataset=train_ds, eval_dataset=eval_ds,
                               processing_class=tokenizer, callbacks=callbacks)
    checkpoint = last_checkpoint(out_dir) if resume else None
    if checkpoint:
        log.info("resuming from %s", checkpoint)
    result = trainer.train(resume_from_checkpoint=checkpoint)
    counts = _gathered_counts(trainer)
    run = {
        "status": "complete", "model": config.model, "base": str(base_path), "backend": backend,
        "family": family, "seed": config.seed, "config": to_dict(config),
        "data_dir": str(data_dir), "train_path": str(data_dir / "train.jsonl"),
        "dev_path": str(dev_path) if eval_ds is not None else None,
        "records": {"train": len(train_ds), "dev": len(eval_ds) if eval_ds is not None else 0},
        "skipped_too_long": {"train": len(skipped_train), "dev": len(skipped_dev),
                             "ids": (skipped_train + skipped_dev)[:50]},
        "world_size": trainer.args.world_size,
        "precision": "bf16" if trainer.args.bf16 else "fp16" if trainer.args.fp16 else "fp32",
        "effective_batch_size": (config.per_device_train_batch_size
                                 * config.gradient_accumulation_steps * trainer.args.world_size),
        "global_step": trainer.state.global_step, "max_steps": trainer.state.max_steps,
        "resumed_from": Path(checkpoint).name if checkpoint else None,
        "train_loss": [{"step": h["step"], "loss": h["loss"]} for h in trainer.state.log_history
                       if "loss" in h],
        "eval_loss": [{"step": h["step"], "loss": h["eval_loss"]} for h in trainer.state.log_history
                      if "eval_loss" in h],
        "train_runtime_s": result.metrics.get("train_runtime"),
        "wall_s": round(time.time() - started, 2),
        **_throughput(counts, result.metrics.get("train_runtime")),
        "versions": versions(),
        "definitions": {
            "tokens_per_s": "non-padding tokens fed to training in this session (all ranks) / "
                            "train_runtime of this session",
            "useful_token_fraction": "non-padding tokens / all tokens (incl. padding) in the "
                                     "training batches fed in this session",
            "trained_token_fraction": "answer tokens (label != -100) / non-padding tokens",
        },
    }
    if trainer.is_world_process_zero():
        _write_artifacts(trainer, tokenizer, artifact_dir(out_dir, config), run)
    return run


def _gathered_counts(trainer) -> dict:
    """Token counts of this session summed over all ranks (every rank must call this)."""
    import torch

    c = trainer.token_counts or {"total": 0, "real": 0, "trained": 0}
    t = torch.tensor([c["total"], c["real"], c["trained"]], dtype=torch.int64,
                     device=trainer.args.device)
    t = trainer.accelerator.reduce(t, reduction="sum") if trainer.args.world_size > 1 else t
    return dict(zip(("total", "real", "trained"), (int(x) for x in t.tolist())))


def _throughput(counts: dict, runtime: float | None) -> dict:
    total, real = counts["total"], counts["real"]
    return {"tokens": counts,
            "tokens_per_s": round(real / runtime, 1) if runtime and real else None,
            "useful_token_fraction": round(real / total, 4) if total else None,
            "trained_token_fraction": round(counts["trained"] / real, 4) if real else None}


def _write_artifacts(trainer, tokenizer, artifact: Path, run: dict) -> None:
    from funcall_lib.plots import plot_loss

    out_dir = artifact.parent
    with atomic_path(artifact, is_dir=True) as tmp:
        trainer.model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
    import matplotlib.pyplot as plt

    fig = plot_loss(run["train_loss"], run["eval_loss"], path=out_dir / "loss.png",
                    title=f"{Path(run['model']).name} ({run['backend']})")
    plt.close(fig)
    write_json_atomic(out_dir / RUN_JSON, run)
    log.info("wrote %s (%s/, run.json, loss.png)", out_dir, artifact.name)


# ---------------------------------------------------------------- CLI

def add_arguments(parser) -> None:
    parser.add_argument("--data", required=True, help="dir with train.jsonl (and dev.jsonl)")
    parser.add_argument("--model", default=None, help="model id (default: the preset's)")
    parser.add_argument("--out", required=True, help="run dir: adapter/ (model/ with full_finetuning), run.json, loss.png")
    parser.add_argument("--preset", default="auto", help="auto | cpu-demo | gpu | quality")
    parser.add_argument("--config", default=None, help="YAML file of TrainConfig fields")
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None, help="learning rate")
    parser.add_argument("--backend", default=None, choices=["auto", "unsloth", "hf"])
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="any TrainConfig field; VALUE is read as YAML (repeatable)")
    parser.add_argument("--no-resume", action="store_true", help="ignore existing checkpoints")


def parse_sets(items: list[str]) -> dict:
    """`["lora_r=8", "target_modules=[q_proj, v_proj]"]` -> typed overrides (YAML scalars)."""
    import yaml

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set {item!r}: expected KEY=VALUE")
        out[key.strip()] = yaml.safe_load(value)
    return out


def config_from_args(args) -> TrainConfig:
    overrides = {"model": args.model, "max_steps": args.max_steps, "learning_rate": args.lr,
                 "backend": args.backend, "seed": args.seed}
    if args.config:
        load_yaml(args.config)  # fail early with the file name
    config = make_config(args.preset, args.config, **overrides)
    from funcall_lib.config import apply_overrides

    return apply_overrides(config, parse_sets(args.set), "--set")


def run_cli(args) -> int:
    config = config_from_args(args)
    run = train(config, args.data, args.out, resume=not args.no_resume)
    if int(os.environ.get("RANK", "0")) == 0:
        last = run["train_loss"][-1]["loss"] if run["train_loss"] else None
        print(f"trained {run['global_step']} steps on {run['backend']}: last loss {last}, "
              f"{run['tokens_per_s']} tokens/s, useful-token fraction "
              f"{run['useful_token_fraction']}, skipped {run['skipped_too_long']['train']} "
              f"too-long records -> {artifact_dir(args.out, config)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m funcall_lib.train ...`: the train command alone (same flags as `funcall train`)."""
    import argparse

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="funcall train", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_cli(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
