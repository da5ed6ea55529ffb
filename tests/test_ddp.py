"""Data-parallel training: two CPU processes (gloo) under torchrun on the tiny random model.

After each step the LoRA weights must be identical on both ranks (DDP all-reduces gradients),
and only rank 0 may write into the run directory (the Trainer's per-rank RNG state excepted,
which resume needs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.test_train import tiny_config, write_data  # noqa: F401  (shared fixtures)

WORKER = r'''
import hashlib, json, os, sys
from pathlib import Path

out_dir, report_dir = Path(sys.argv[1]), Path(sys.argv[2])
rank = int(os.environ["RANK"])
writes = []

def audit(event, args):
    # every file or directory this process creates or renames inside the run directory
    if event == "open" and args[0] is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        mode, flags = args[1], args[2]
        writing = (mode and any(c in str(mode) for c in "wax+")) or (flags and flags & (os.O_WRONLY | os.O_RDWR))
        if writing and str(args[0]).startswith(str(out_dir)):
            writes.append(str(args[0]))
    elif event in ("os.mkdir", "os.rename") and str(args[0]).startswith(str(out_dir)):
        writes.append(str(args[0]))

sys.addaudithook(audit)

import torch
from transformers import TrainerCallback
from funcall_lib.config import make_config
from funcall_lib.train import train

class HashLora(TrainerCallback):
    def on_step_end(self, args, state, control, model=None, **kw):
        h = hashlib.sha256()
        for name, p in sorted(model.named_parameters()):
            if "lora_" in name:
                h.update(name.encode()); h.update(p.detach().cpu().numpy().tobytes())
        (report_dir / f"hash-rank{rank}-step{state.global_step}.txt").write_text(h.hexdigest())

config = make_config("cpu-demo", **json.loads(sys.argv[3]))
run = train(config, sys.argv[4], out_dir, callbacks=[HashLora()])
(report_dir / f"writes-rank{rank}.json").write_text(json.dumps(writes))
(report_dir / f"run-rank{rank}.json").write_text(json.dumps(
    {k: run[k] for k in ("world_size", "effective_batch_size", "global_step", "tokens")}))
'''


def test_two_process_gloo_training_keeps_ranks_in_sync(tmp_path, tiny_model_dir):
    data = write_data(tmp_path / "data", n_train=16, n_dev=4)
    out, reports = tmp_path / "run", tmp_path / "reports"
    reports.mkdir()
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    overrides = dict(model=str(tiny_model_dir), backend="hf", max_steps=2,
                     per_device_train_batch_size=2, gradient_accumulation_steps=1,
                     logging_steps=1, eval_steps=2, save_steps=2, lora_r=4, lora_alpha=8,
                     max_seq_length=1024, max_eval_records=4)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           str(script), str(out), str(reports), json.dumps(overrides),
           str(data)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-4000:]

    for step in (1, 2):
        h0 = (reports / f"hash-rank0-step{step}.txt").read_text()
        h1 = (reports / f"hash-rank1-step{step}.txt").read_text()
        assert h0 == h1, f"LoRA weights differ between ranks after step {step}"
    assert (reports / "hash-rank0-step1.txt").read_text() != (reports / "hash-rank0-step2.txt").read_text()

    run = json.loads((reports / "run-rank0.json").read_text())
    assert run["world_size"] == 2 and run["effective_batch_size"] == 4 and run["global_step"] == 2
    assert json.loads((out / "run.json").read_text())["world_size"] == 2
    assert (out / "adapter" / "adapter_model.safetensors").is_file() and (out / "loss.png").is_file()

    w0 = json.loads((reports / "writes-rank0.json").read_text())
    w1 = json.loads((reports / "writes-rank1.json").read_text())
    assert any("run.json" in w for w in w0) and any("adapter" in w for w in w0)
    # rank 1 writes nothing but its own RNG state inside the checkpoint (needed to resume);
    # it may create (exist_ok) the checkpoint folder it writes that into
    ckpts = str(out / "checkpoints")
    assert all(w.startswith(ckpts) and (os.path.isdir(w) or w.endswith("rng_state_1.pth"))
               for w in w1), w1
    assert (out / "checkpoints" / "checkpoint-2" / "rng_state_1.pth").is_file()
