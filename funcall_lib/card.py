"""Model cards: a stub for merged checkpoints, and the full card from a run's run.json and eval reports.

The card is what a stranger reads on the Hub: what the base was, what data, which
hyperparameters, how it scores against the base (same report keys as `funcall eval`), how to
call it with tools through its own chat template, and where it falls short.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from funcall_lib.io import write_text_atomic

METRICS = ("strict_json_rate", "schema_valid_rate", "name_accuracy", "task_pass_rate",
           "irrelevance_accuracy")
HYPERPARAMETERS = ("load_in_4bit", "max_seq_length", "lora_r", "lora_alpha", "lora_dropout",
                   "target_modules", "learning_rate", "lr_scheduler_type", "neftune_noise_alpha",
                   "per_device_train_batch_size", "gradient_accumulation_steps", "num_train_epochs",
                   "max_steps", "seed")

USAGE = '''```python
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "{repo_id}"
tok = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, dtype="auto")
tools = [{{"type": "function", "function": {{
    "name": "get_weather", "description": "Current weather for a city.",
    "parameters": {{"type": "object", "properties": {{"city": {{"type": "string"}}}},
                   "required": ["city"]}}}}}}]
messages = [{{"role": "user", "content": "Is it raining in Oslo?"}}]
ids = tok.apply_chat_template(messages, tools=tools, add_generation_prompt=True,
                              return_tensors="pt", return_dict=True)
out = model.generate(**ids, max_new_tokens=128, do_sample=False)
print(tok.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=False))
```'''

LIMITATIONS = """- Trained on a small synthetic corpus of tool calls; expect gaps on tools and phrasing unlike it.
- Tool calls are emitted as text in the template's format; validate arguments against the schema
  before executing anything (constrained decoding, as `funcall infer` does by default, helps).
- Scores below come from our own held-out splits, not from a public leaderboard."""


# Our model ids that are not Hub ids, mapped to the Hub repo they were built from.
HUB_IDS = {"embedded": "HuggingFaceTB/SmolLM2-135M-Instruct"}


def hub_base(model: str) -> str:
    """The Hub id to name as base_model, or "" for local paths we cannot name."""
    model = HUB_IDS.get(model, model)
    return model if model.count("/") == 1 and not model.startswith((".", "/", "~")) else ""


def _front_matter(base_model: str, library: str, license: str, adapter: bool) -> str:
    base = f"base_model: {hub_base(base_model)}\n" if hub_base(base_model) else ""
    tags = "tags:\n- function-calling\n- tool-use\n" + ("- lora\n" if adapter else "")
    return f"---\n{base}library_name: {library}\nlicense: {license}\n{tags}---\n"


def merged_card_stub(base_model: str, adapter_name: str, dtype: str, license: str = "other") -> str:
    """README.md written into a merged checkpoint; replaced by the full card when pushing."""
    return (_front_matter(base_model, "transformers", license, adapter=False)
            + f"\n# Merged function-calling model\n\nLoRA adapter `{adapter_name}` merged into "
            f"`{base_model}` in {dtype}. The tokenizer carries the tool-aware chat template "
            "used in training: pass `tools=` to `apply_chat_template`.\n\n## Usage\n\n"
            + USAGE.format(repo_id="path/or/hub-id") + "\n")


def load_reports(run_dir: Path) -> dict[str, dict]:
    """Every eval report in run_dir/eval/*.json (examples files excluded), by file stem."""
    reports = {}
    for path in sorted((run_dir / "eval").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        if isinstance(data, dict) and "task_pass_rate" in data:
            reports[path.stem] = data
    return reports


def metrics_table(reports: dict[str, dict]) -> str:
    """Markdown table: one column per report (base ones first), one row per metric."""
    if not reports:
        return "_No evaluation reports found in the run's eval/ directory._"
    order = sorted(reports, key=lambda k: (reports[k].get("adapter") is not None, k))
    head = ["metric"] + [f"{k} ({'tuned' if reports[k].get('adapter') else 'base'})" for k in order]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key in ("n",) + METRICS:
        cells = [_fmt(reports[k].get(key)) for k in order]
        rows.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _hyperparameters(run: dict) -> str:
    config = run.get("config") or run
    lines = [f"- {k}: {config[k]}" for k in HYPERPARAMETERS if config.get(k) is not None]
    return "\n".join(lines) or "- (run.json records no hyperparameters)"


def model_card(run_dir: str | os.PathLike, repo_id: str = "your-name/your-model",
               license: str = "other", adapter: bool = True) -> str:
    """The full card for a run: front matter, base, data, hyperparameters, metrics, usage, limits."""
    run_dir = Path(run_dir)
    path = run_dir / "run.json"
    run = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    config = run.get("config") or {}
    base = HUB_IDS.get(str(run.get("model") or config.get("model")), str(run.get("model") or "unknown"))
    data = run.get("data_dir") or run.get("data") or "unknown"
    counts = run.get("records") or run.get("data_counts") or {}
    library = "peft" if adapter else "transformers"
    parts = [_front_matter(base, library, license, adapter),
             f"# {repo_id.split('/')[-1]}\n",
             f"A {'LoRA adapter for' if adapter else 'fine-tuned'} `{base}` trained to call tools "
             "(function calling) from JSON-Schema tool definitions.\n",
             "## Base model\n", f"`{base}`" + (" (trained in 4-bit, QLoRA)" if config.get("load_in_4bit") else "") + "\n",
             "## Data\n", f"Records from `{Path(str(data)).name}`"
             + (f": {json.dumps(counts)}" if counts else "") + ".\n",
             "## Hyperparameters\n", _hyperparameters(run) + "\n",
             "## Evaluation\n", metrics_table(load_reports(run_dir)) + "\n",
             "## Usage\n", "The tokenizer's chat template renders tools; pass them to "
             "`apply_chat_template`" + (" (for the adapter, load it with peft on the base first)" if adapter else "")
             + ".\n", USAGE.format(repo_id=repo_id) + "\n",
             "## Limitations\n", LIMITATIONS + "\n"]
    return "\n".join(parts)


def write_card(run_dir: str | os.PathLike, **kwargs) -> Path:
    """Write model_card(run_dir, ...) to run_dir/card.md (atomically) and return its path."""
    return write_text_atomic(Path(run_dir) / "card.md", model_card(run_dir, **kwargs))
