"""Exports of a merged model that other runtimes ask for: Unsloth's merged 16-bit save, GGUF.

GGUF needs llama.cpp's converter (`convert_hf_to_gguf.py`) and, for k-quants such as q4_k_m,
its `llama-quantize` binary. We look for them (env LLAMA_CPP_DIR, then PATH) before writing
anything, and say exactly what is missing instead of leaving a half-made file behind.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from funcall_lib.io import atomic_path

log = logging.getLogger(__name__)

# Types convert_hf_to_gguf.py writes by itself; anything else goes through llama-quantize.
DIRECT_TYPES = ("f32", "f16", "bf16", "q8_0")


class ExportError(RuntimeError):
    """An export cannot run here; the message names what is missing and how to get it."""


def _find(name: str, subdirs: tuple[str, ...]) -> Path | None:
    root = os.environ.get("LLAMA_CPP_DIR")
    if root:
        for sub in subdirs:
            cand = Path(root) / sub / name
            if cand.is_file():
                return cand
    found = shutil.which(name)
    return Path(found) if found else None


def find_gguf_tools(quant: str) -> tuple[Path, Path | None]:
    """(converter, quantizer or None); raise ExportError listing every missing piece."""
    quant = quant.lower()
    converter = _find("convert_hf_to_gguf.py", (".",))
    quantizer = None if quant in DIRECT_TYPES else _find("llama-quantize", ("build/bin", "bin", "."))
    missing = []
    if converter is None:
        missing.append("convert_hf_to_gguf.py (llama.cpp's converter)")
    if quant not in DIRECT_TYPES and quantizer is None:
        missing.append(f"llama-quantize (needed for {quant}; {', '.join(DIRECT_TYPES)} need only the converter)")
    if missing:
        raise ExportError(
            f"GGUF export ({quant}) needs llama.cpp tools that are not here: {'; '.join(missing)}. "
            "Clone and build llama.cpp (git clone https://github.com/ggml-org/llama.cpp; "
            "cmake -B build && cmake --build build --target llama-quantize), then set "
            "LLAMA_CPP_DIR to its directory or put the tools on PATH. Nothing was written.")
    return converter, quantizer


def gguf_path(merged_dir: str | os.PathLike, quant: str) -> Path:
    merged_dir = Path(merged_dir)
    return merged_dir.parent / f"{merged_dir.name}-gguf" / f"model-{quant.lower()}.gguf"


def export_gguf(merged_dir: str | os.PathLike, quant: str = "q8_0",
                out_path: str | os.PathLike | None = None) -> Path:
    """Convert a merged checkpoint to GGUF (then quantize if asked); the file appears only when done."""
    quant = quant.lower()
    converter, quantizer = find_gguf_tools(quant)
    out = Path(out_path) if out_path else gguf_path(merged_dir, quant)
    with atomic_path(out) as tmp:
        first = tmp if quantizer is None else tmp.with_suffix(".f16.tmp")
        try:
            _run([sys.executable, str(converter), str(merged_dir), "--outfile", str(first),
                  "--outtype", quant if quantizer is None else "f16"])
            if quantizer is not None:
                _run([str(quantizer), str(first), str(tmp), quant.upper()])
        finally:
            if first != tmp and first.exists():
                first.unlink()
    return out


def _run(cmd: list[str]) -> None:
    log.info("running %s", " ".join(cmd))
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise ExportError(f"{Path(cmd[1] if cmd[0] == sys.executable else cmd[0]).name} failed "
                          f"(exit {proc.returncode}):\n{tail}")


def export_unsloth_merged(model_id: str, adapter_dir: str | os.PathLike, out_dir: str | os.PathLike,
                          load_in_4bit: bool = False, max_seq_length: int = 2048) -> Path:
    """GPU only: Unsloth's own merged 16-bit save (it dequantizes a 4-bit base before merging)."""
    from funcall_lib.chat import ensure_tool_template
    from funcall_lib.models import cuda_available, load_model, unsloth_importable

    if not cuda_available() or not unsloth_importable():
        raise ExportError("Unsloth's merged save needs a CUDA GPU and the unsloth package "
                          f"(cuda: {cuda_available()}, unsloth installed: {unsloth_importable()}); "
                          "on CPU use `funcall merge` (transformers + peft), which writes the same "
                          "16-bit merged checkpoint.")
    # Unsloth merges only adapters it attached itself, so the adapter folder is loaded through
    # FastLanguageModel (it reads the base from adapter_config.json), not peft's PeftModel.
    from unsloth import FastLanguageModel

    model, tokenizer = FastLanguageModel.from_pretrained(
        str(adapter_dir), max_seq_length=max_seq_length, load_in_4bit=load_in_4bit,
        trust_remote_code=False, local_files_only=True)
    ensure_tool_template(tokenizer)
    with atomic_path(out_dir, is_dir=True) as tmp:
        model.save_pretrained_merged(str(tmp), tokenizer, save_method="merged_16bit")
    return Path(out_dir)
