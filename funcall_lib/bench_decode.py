"""Decoding speed, free vs grammar-constrained, on the same prompts and model.

What it measures: generated tokens per second of decoding, for free and for constrained
decoding. Only generated tokens count (each row up to and including its end-of-turn token, not
the padding after it), and the clock starts when the prompt's prefill forward is done: prefill is
the same work in both modes, and on a slow CPU it would otherwise drown the difference. Warm-up
(one short generation per mode) and grammar compilation are not counted. Modes alternate within
each repeat so drift on a shared machine hits both alike; the report gives the median over
repeats and the constraint overhead per generated token, `free_tps / constrained_tps - 1`.
Grammar compile time is reported apart (it is paid once per tool set, then cached).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass

from funcall_lib.nudges import VALUE_BIASES, Nudges

log = logging.getLogger(__name__)

TARGETS = {"cpu": 0.25, "cuda": 0.10}   # the overhead we accept per generated token


@dataclass
class BenchDecodeConfig:
    model: str = "embedded"
    adapter: str | None = None
    data: str | None = None          # records JSONL; default: built-in prompts on the toolbox tools
    n: int = 16                      # prompts
    batch_size: int = 8
    max_new_tokens: int = 64
    repeats: int = 3
    tool_choice: str = "auto"
    threads: int | None = None       # torch CPU threads; 1 avoids spin-wait on a crowded machine
    dtype: str | None = None         # bf16 | fp32; None: the loader's default for the device
    nudges: Nudges = Nudges()        # value biases on: constrained passes also run them
    merge_adapter: bool = True       # False: time the LoRA layers unmerged


_PROMPTS = ["What is 17 * 23?", "Convert 5 km to miles.", "Is there any bread left?",
            "How many items do you have in dairy?", "What is 2 ** 16 minus 1000?",
            "How much is 70 F in Celsius?", "Do you still have bananas?", "Convert 3 lb to kg."]


def builtin_records(n: int) -> list[dict]:
    """`n` records over the bundled tools (calculator, units, inventory)."""
    from funcall_lib.chat import DEFAULT_SYSTEM
    from funcall_lib.toolbox import default_registry, tool_specs

    tools = tool_specs(default_registry())
    return [{"id": f"bench-{i}", "tools": tools,
             "messages": [{"role": "system", "content": DEFAULT_SYSTEM},
                          {"role": "user", "content": _PROMPTS[i % len(_PROMPTS)]}]}
            for i in range(n)]


def _records(cfg: BenchDecodeConfig) -> list[dict]:
    if not cfg.data:
        return builtin_records(cfg.n)
    from funcall_lib.records import load_records

    records = load_records(cfg.data)[: cfg.n]
    if not records:
        raise ValueError(f"{cfg.data}: no records")
    return records


def _one_pass(model, tok, records, cfg, constrained: bool) -> tuple[int, float]:
    from funcall_lib.infer import generate

    t0 = time.perf_counter()
    gens = generate(model, tok, records, constrained=constrained, tool_choice=cfg.tool_choice,
                    max_new_tokens=cfg.max_new_tokens, batch_size=cfg.batch_size,
                    nudges=cfg.nudges if constrained else Nudges())
    wall = time.perf_counter() - t0
    return sum(g.new_tokens for g in gens), sum(g.decode_seconds for g in gens), wall


def _compile_seconds(model, tok, records, cfg) -> float:
    """Cold compile time of every distinct tool set (the first call; later ones hit the cache)."""
    from funcall_lib.chat import ensure_tool_template
    from funcall_lib.infer import compile_tools, logits_size

    family, vocab = ensure_tool_template(tok), logits_size(model)
    t0 = time.perf_counter()
    for rec in records:
        try:
            compile_tools(tok, vocab, rec.get("tools") or [], family, cfg.tool_choice)
        except RuntimeError:  # generate() decodes such a record free and says why
            pass
    return time.perf_counter() - t0


def constrained_outputs(model, tok, records, cfg) -> list:
    """One constrained generation as the timed passes make it (the biases included), whose texts
    the replays below time the grammar and each bias on."""
    from funcall_lib.infer import generate

    return generate(model, tok, records, tool_choice=cfg.tool_choice, max_new_tokens=cfg.max_new_tokens,
                    batch_size=cfg.batch_size, nudges=cfg.nudges)


def mask_ms_per_token(model, tok, records, cfg, gens) -> float:
    """Grammar work alone (mask fill + apply + accept) per token, replaying constrained outputs.

    A noise-robust view of the overhead: on a crowded CPU the end-to-end medians wobble by more
    than the grammar costs, so we also time just the grammar on the texts it produced.
    """
    import torch
    import xgrammar as xgr

    from funcall_lib.chat import ensure_tool_template
    from funcall_lib.infer import compile_tools, logits_size

    family, vocab = ensure_tool_template(tok), logits_size(model)
    bitmask, logits = xgr.allocate_token_bitmask(1, vocab), torch.zeros(1, vocab)
    spent, count = 0.0, 0
    for rec, gen in zip(records, gens):
        if not gen.constrained:
            continue
        matcher = xgr.GrammarMatcher(compile_tools(tok, vocab, rec.get("tools") or [], family,
                                                   cfg.tool_choice))
        t0 = time.perf_counter()
        for token in tok(gen.text, add_special_tokens=False).input_ids:
            matcher.fill_next_token_bitmask(bitmask, 0)
            xgr.apply_token_bitmask_inplace(logits, bitmask)
            if not matcher.accept_token(token):
                break
            count += 1
        spent += time.perf_counter() - t0
    return 1000 * spent / max(count, 1)


def processor_ms_per_token(tok, records, gens, vocab: int, make_processor) -> float:
    """A logits processor's own work per token, replaying constrained outputs one row at a time
    through a fresh processor (`make_processor(record)`) on a row of random logits, as
    `mask_ms_per_token` does for the grammar: the biases cost too little to see in end-to-end
    medians on a crowded machine."""
    import torch

    spent, count = 0.0, 0
    for rec, gen in zip(records, gens):
        ids = tok(gen.text, add_special_tokens=False).input_ids
        seq = torch.tensor([[0] + ids])   # the first call sees the prompt's end, fed no token
        processor, logits = make_processor(rec), torch.randn(1, vocab)
        t0 = time.perf_counter()
        for end in range(1, seq.shape[1] + 1):
            processor(seq[:, :end], logits)
        spent += time.perf_counter() - t0
        count += len(ids)
    return 1000 * spent / max(count, 1)


def bias_ms_per_token(model, tok, records, cfg, gens, bias: str) -> float:
    """One value bias's own work per token (scan, match, bonus): `bias` is one of VALUE_BIASES,
    at the strength `cfg.nudges` gives it, the others off."""
    from funcall_lib.infer import logits_size

    vocab, alone = logits_size(model), Nudges(**{bias: getattr(cfg.nudges, bias)})
    return processor_ms_per_token(tok, records, gens, vocab,
                                  lambda rec: alone.value_biases(tok, vocab, [rec])[0])


def machine() -> dict:
    import importlib.metadata

    import torch
    import transformers

    cuda = torch.cuda.is_available()
    return {"date": datetime.date.today().isoformat(), "platform": platform.platform(),
            "cpu_count": os.cpu_count(), "device": torch.cuda.get_device_name(0) if cuda else "cpu",
            "torch": torch.__version__, "transformers": transformers.__version__,
            "xgrammar": importlib.metadata.version("xgrammar"), "threads": torch.get_num_threads()}


def run(cfg: BenchDecodeConfig) -> dict:
    """Measure and return the result dict (config, machine, per-repeat and median numbers)."""
    from funcall_lib.infer import prepare_for_inference
    from funcall_lib.models import load_model

    if cfg.threads:
        import torch

        torch.set_num_threads(cfg.threads)
    info = machine()
    loaded = load_model(cfg.model, adapter=cfg.adapter, dtype=cfg.dtype)
    prepare_for_inference(loaded, merge_adapter=cfg.merge_adapter)
    info["dtype"] = str(loaded.model.dtype).removeprefix("torch.")
    info["adapter_merged"] = loaded.adapter_merged
    model, tok = loaded.model, loaded.tokenizer
    records = _records(cfg)
    compile_s = _compile_seconds(model, tok, records, cfg)
    from funcall_lib.infer import generate

    for constrained in (False, True):                         # warm-up, not counted
        generate(model, tok, records[:1], constrained=constrained, max_new_tokens=4)
    rows = []
    for rep in range(cfg.repeats):
        order = (False, True) if rep % 2 == 0 else (True, False)
        for constrained in order:
            tokens, seconds, wall = _one_pass(model, tok, records, cfg, constrained)
            rows.append({"repeat": rep, "constrained": constrained, "tokens": tokens,
                         "decode_seconds": round(seconds, 4), "wall_seconds": round(wall, 4),
                         "tokens_per_s": round(tokens / seconds, 2)})
            log.info("repeat %d constrained=%s: %d tokens, %.2fs decoding (%.2fs with prefill)",
                     rep, constrained, tokens, seconds, wall)
    free = statistics.median(r["tokens_per_s"] for r in rows if not r["constrained"])
    cons = statistics.median(r["tokens_per_s"] for r in rows if r["constrained"])
    gens = constrained_outputs(model, tok, records, cfg)
    mask_ms = mask_ms_per_token(model, tok, records, cfg, gens)
    bias_ms = {bias: bias_ms_per_token(model, tok, records, cfg, gens, bias) if getattr(cfg.nudges, bias) else None
               for bias in VALUE_BIASES}
    target = TARGETS["cpu" if info["device"] == "cpu" else "cuda"]
    overhead = free / cons - 1
    return {"config": asdict(cfg), "machine": info, "backend": loaded.backend,
            "grammar_compile_s": round(compile_s, 3), "runs": rows,
            "free_tokens_per_s": round(free, 2), "constrained_tokens_per_s": round(cons, 2),
            "overhead": round(overhead, 4), "mask_ms_per_token": round(mask_ms, 3),
            **{f"{bias}_ms_per_token": None if ms is None else round(ms, 3) for bias, ms in bias_ms.items()},
            "target": target, "within_target": overhead < target}


def markdown_row(result: dict) -> str:
    c = result["config"]
    return (f"| {result['machine']['date']} | {result['machine']['device']} | {c['batch_size']} | "
            f"{c['n']} | {c['max_new_tokens']} | {result['free_tokens_per_s']} | "
            f"{result['constrained_tokens_per_s']} | {100 * result['overhead']:+.1f}% | "
            f"{result['mask_ms_per_token']} | {result['grammar_compile_s']} |")


def print_result(result: dict) -> None:
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))
    print("| date | device | batch | prompts | max new | free tok/s | constrained tok/s | "
          "overhead | grammar ms/token | compile s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(markdown_row(result))
