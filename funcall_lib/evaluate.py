"""Evaluation: score generated text against gold tool calls; write reports; compare models.

What each per-example verdict means (the rates in the report are their means):

- `strict_json`: the output's call part parses with `json.loads` and no repair, and holds at least
  one call. It applies to an example when a call was expected (gold not `[]`) or attempted (the
  output holds something that reads as a call, even an unreadable one). A text answer where a call
  was expected is not strict JSON (there is no JSON at all). A text answer to an irrelevant request
  is `null` and left out of the denominator, so a model that rightly declines is not penalised.
- `schema_valid`: applies to the same examples; every call names an offered tool and its
  arguments validate against that tool's JSON Schema (jsonschema, draft 2020-12). False when a
  call was expected and none was made, or when an attempted call could not be read.
- `name_correct`: the multiset of called tool names equals the gold's (so one call where two are
  expected is wrong); for a gold `[]`, no call was attempted.
- `task_pass`: the calls match the gold under the rules in `funcall_lib.matching`. Repaired JSON
  may still pass (the content is right; `strict_json` reports the form). Any call attempt on an
  irrelevant request fails, even an unreadable one (BFCL counts an undecodable output as no call).
- `reason`: `"<kind>: <detail>"` for a failed task, null when it passed; `reason_kind` is the kind
  alone (matching's kinds: wrong tool, missing argument, extra argument, wrong value, schema
  violation, wrong number of calls, no call made, called a tool on an irrelevant request, not JSON).

Rates are over the examples a verdict applies to; a rate with no such example is null.
`irrelevance_accuracy` is the task pass rate over gold `[]` examples (null when there are none).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from pathlib import Path

from funcall_lib import matching
from funcall_lib.chat import parse_tool_calls
from funcall_lib.nudges import AFTER_DECODING, MAX_NEW_TOKENS, NUDGE_FIELDS, RECOMMENDED, REPLAYABLE, Nudges

log = logging.getLogger(__name__)

METRICS = ("strict_json_rate", "schema_valid_rate", "name_accuracy", "task_pass_rate",
           "irrelevance_accuracy")
VERDICTS = {"strict_json_rate": "strict_json", "schema_valid_rate": "schema_valid",
             "name_accuracy": "name_correct", "task_pass_rate": "task_pass"}


# ---------------------------------------------------------------- one example

def _gold(record: dict) -> list[dict]:
    return list((record.get("answer") or {}).get("tool_calls") or [])


def _normalizes_strings(record: dict) -> bool:
    meta = record.get("meta") or {}
    return bool(meta.get("string_normalize", meta.get("source") == "bfcl"))


def _schema_errors(calls: list[dict], tools: list[dict]) -> list[str]:
    """Why the calls are not valid against the offered tools' schemas (empty = valid)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError, UnknownType

    errors = []
    by_name = {t.get("name"): t for t in tools if isinstance(t, dict)}
    for call in calls:
        tool = by_name.get(call.get("name"))
        if tool is None:
            errors.append(f"{call.get('name')!r} is not an offered tool")
            continue
        schema = tool.get("parameters") or {"type": "object"}
        try:
            err = next(Draft202012Validator(schema).iter_errors(call.get("arguments")), None)
        except (SchemaError, UnknownType, RecursionError) as exc:
            log.debug("tool %s: unusable schema (%s); arguments not checked", tool.get("name"), exc)
            err = None
        if err is not None:
            errors.append(f"{call['name']}: {err.message}")
    return errors


def score_example(record: dict, output, family: str = "hermes") -> dict:
    """The per-example verdicts for one raw output (see the module docstring). Never raises."""
    text = output if isinstance(output, str) else str(getattr(output, "text", output))
    parsed = parse_tool_calls(text, family)
    gold, tools = _gold(record), record.get("tools") or []
    attempted = bool(parsed.calls) or parsed.error is not None or parsed.repair is not None
    applies = bool(gold) or attempted
    readable = parsed.error is None
    calls = parsed.calls if readable else []
    row = {"id": record.get("id"), "category": (record.get("meta") or {}).get("category"),
           "output": text, "calls": calls, "gold": gold,
           "strict_json": (readable and parsed.strict_json and bool(calls)) if applies else None,
           "schema_valid": None, "name_correct": False, "task_pass": False,
           "reason": None, "reason_kind": None}
    if applies:
        row["schema_valid"] = readable and bool(calls) and not _schema_errors(calls, tools)
    names = Counter(str(c.get("name")) for c in calls)
    row["name_correct"] = (not attempted) if not gold else names == Counter(g.get("name") for g in gold)
    if not readable:
        verdict = matching.Match(False, matching.NOT_JSON, parsed.error or "unreadable call")
    else:
        verdict = matching.match_calls(calls, gold, tools, normalize=_normalizes_strings(record))
    row["task_pass"] = verdict.ok
    if not verdict.ok:
        row["reason_kind"], row["reason"] = verdict.kind, f"{verdict.kind}: {verdict.detail}"
    return row


# ---------------------------------------------------------------- many examples

def _rate(values) -> float | None:
    values = [bool(v) for v in values if v is not None]
    return round(sum(values) / len(values), 4) if values else None


def summarize(examples: list[dict]) -> dict:
    """The metric keys over a list of per-example rows."""
    out = {"n": len(examples)}
    for key, verdict in VERDICTS.items():
        out[key] = _rate(e[verdict] for e in examples)
    out["irrelevance_accuracy"] = _rate(e["task_pass"] for e in examples if not e["gold"])
    out["call_examples"] = sum(e["strict_json"] is not None for e in examples)
    return out


def score_outputs(records: list[dict], outputs: list, family: str = "hermes", *,
                  families: list[str | None] | None = None, model: str | None = None,
                  adapter: str | None = None, constrained: bool | None = None,
                  seconds: float | None = None) -> tuple[dict, list[dict]]:
    """Score raw outputs (str or objects with `.text`) against records -> (report, examples).

    `families` gives a per-output family (None = `family`). `seconds` is the time taken to
    produce the outputs; when omitted, examples_per_s measures scoring alone.
    """
    if len(records) != len(outputs):
        raise ValueError(f"{len(records)} records but {len(outputs)} outputs")
    start = time.perf_counter()
    examples = [score_example(r, o, (families[i] if families and families[i] else family))
                for i, (r, o) in enumerate(zip(records, outputs))]
    seconds = seconds if seconds is not None else time.perf_counter() - start
    report = _aggregate(examples)
    report.update({"model": model, "adapter": adapter, "constrained": constrained,
                   "examples_per_s": round(len(examples) / seconds, 3) if seconds > 0 else None})
    return report, examples


def _aggregate(examples: list[dict]) -> dict:
    """The metrics over all examples, by category, and the failures by kind."""
    report = summarize(examples)
    groups = defaultdict(list)
    for e in examples:
        groups[e["category"] or "uncategorised"].append(e)
    report["by_category"] = {c: summarize(rows) for c, rows in sorted(groups.items())}
    report["failures"] = failure_counts(examples)
    return report


# What a part's report must share with the others for the parts to make one report.
PART_SETTINGS = ("model", "adapter", "constrained", *NUDGE_FIELDS, "adapter_merged", "max_new_tokens", "data",
                 "tool_choice")


def merge_parts(parts: list[tuple[dict, list[dict]]]) -> tuple[dict, list[dict]]:
    """One (report, examples) from the reports of consecutive parts of one set, each scored by
    its own process (`python -m funcall_lib.quality --jobs N --shards K`). The metrics are
    computed again over all the examples, so the result is what one process would have written,
    but for `examples_per_s`, which becomes examples per second of one process."""
    if not parts:
        raise ValueError("no parts to merge")
    first = parts[0][0]
    for i, (report, _) in enumerate(parts[1:], start=2):
        differ = [k for k in PART_SETTINGS if report.get(k) != first.get(k)]
        if differ:
            raise ValueError(f"part {i} was scored otherwise than part 1: "
                             + ", ".join(f"{k}={report.get(k)!r} vs {first.get(k)!r}" for k in differ))
    examples = [e for _, rows in parts for e in rows]
    ids = [e.get("id") for e in examples]
    if len(set(ids)) != len(ids):
        raise ValueError("the parts share records: each record must be scored by exactly one part")
    seconds = sum(r["n"] / r["examples_per_s"] for r, _ in parts if r.get("examples_per_s"))
    report = {k: first[k] for k in first if k in PART_SETTINGS}
    report.update(_aggregate(examples))
    report.update({"examples_per_s": round(len(examples) / seconds, 3) if seconds else None,
                   "stopped_on_repeat": sum(r.get("stopped_on_repeat", 0) for r, _ in parts),
                   "dropped_subsumed": sum(r.get("dropped_subsumed", 0) for r, _ in parts),
                   "constrained_fallbacks": sum(r.get("constrained_fallbacks", 0) for r, _ in parts),
                   "out_of_tokens": sum(r.get("out_of_tokens", 0) for r, _ in parts),
                   "parts": len(parts)})
    return report, examples


def failure_counts(examples: list[dict]) -> dict[str, int]:
    """{reason kind: number of failed examples}, most frequent first."""
    return dict(Counter(e["reason_kind"] for e in examples if e["reason_kind"]).most_common())


def failures_by_reason(examples: list[dict]) -> dict[str, list[dict]]:
    """Failed examples grouped by reason kind, most frequent kind first."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for e in examples:
        if e["reason_kind"]:
            groups[e["reason_kind"]].append(e)
    return dict(sorted(groups.items(), key=lambda kv: -len(kv[1])))


# ---------------------------------------------------------------- a model

def evaluate_model(model_id: str, records: list[dict], adapter: str | None = None,
                   constrained: bool = True, tool_choice: str = "auto", max_new_tokens: int = MAX_NEW_TOKENS,
                   batch_size: int = 8, backend: str = "auto", loaded=None,
                   nudges: Nudges = Nudges(), merge_adapter: bool = True) -> tuple[dict, list[dict]]:
    """Generate for every record (batched) and score; examples_per_s includes generation.

    Pass `loaded` (a models.Loaded) to reuse a model already in memory across several runs.
    `nudges` are the decoding rules for small models (`funcall_lib.nudges.Nudges`, off by
    default); the report names each under its field name, and each example keeps its
    `call_margin` so that other call biases can be scored from it later.
    A LoRA adapter is merged into the weights to decode unless `merge_adapter` is False
    (`infer.prepare_for_inference` says why); the report's `adapter_merged` says which. The report
    keeps `max_new_tokens` and counts the turns that used them all (`out_of_tokens`): those were
    cut off, not finished.
    """
    from funcall_lib import infer, models
    from funcall_lib.chat import ensure_tool_template

    if loaded is None:
        loaded = models.load_model(model_id, backend=backend, adapter=adapter)
        infer.prepare_for_inference(loaded, merge_adapter=merge_adapter)
    family = ensure_tool_template(loaded.tokenizer)
    start = time.perf_counter()
    gens = infer.generate(loaded.model, loaded.tokenizer, records, constrained=constrained,
                          tool_choice=tool_choice, max_new_tokens=max_new_tokens,
                          batch_size=batch_size, family=family, nudges=nudges)
    seconds = time.perf_counter() - start
    report, examples = score_outputs(records, [g.text for g in gens], family, model=str(model_id),
                                     adapter=str(adapter) if adapter else None,
                                     constrained=constrained, seconds=seconds)
    for e, g in zip(examples, gens):
        e["new_tokens"], e["fallback"] = getattr(g, "new_tokens", None), getattr(g, "fallback", None)
        e["stopped_on_repeat"] = getattr(g, "stopped_on_repeat", False)
        e["dropped_subsumed"] = getattr(g, "dropped_subsumed", 0)
        e["call_margin"] = getattr(g, "call_margin", None)
    report.update(nudges.report())
    report["adapter_merged"] = loaded.adapter_merged
    report["max_new_tokens"] = max_new_tokens
    report["out_of_tokens"] = sum((e["new_tokens"] or 0) >= max_new_tokens for e in examples)
    report["stopped_on_repeat"] = sum(e["stopped_on_repeat"] for e in examples)
    report["dropped_subsumed"] = sum(e["dropped_subsumed"] for e in examples)
    # Records whose tool schemas the grammar compiler rejected were decoded free: say how many.
    report["constrained_fallbacks"] = sum(e["fallback"] is not None for e in examples)
    return report, examples


def evaluate_grid(model_id: str, records: list[dict], out_dir, adapters: dict[str, str | None],
                  name: str = "test", modes: tuple[bool, ...] = (True, False),
                  **kwargs) -> dict[str, dict]:
    """Each adapter (None = the base model) x each decoding mode, one model load per adapter.

    Writes out_dir/<label>-<name>-<constrained|free>.json (+ examples, .md); returns
    {that stem: report}, ready for `side_by_side` and `plots.plot_eval_comparison`.
    """
    from funcall_lib import infer, models

    reports, backend = {}, kwargs.pop("backend", "auto")
    for label, adapter in adapters.items():
        loaded = models.load_model(model_id, backend=backend, adapter=adapter)
        infer.prepare_for_inference(loaded)
        for constrained in modes:
            report, examples = evaluate_model(model_id, records, adapter=adapter,
                                              constrained=constrained, loaded=loaded, **kwargs)
            report["data"] = name
            stem = f"{label}-{name}-{'constrained' if constrained else 'free'}"
            write_report(Path(out_dir) / f"{stem}.json", report, examples)
            reports[stem] = report
    return reports


# ---------------------------------------------------------------- files

def examples_path(report_path) -> Path:
    """Where a report's per-record examples go: <stem>.examples.jsonl beside REPORT.json."""
    report_path = Path(report_path)
    return report_path.with_name(report_path.stem + ".examples.jsonl")


def write_report(out_path, report: dict, examples: list[dict]) -> Path:
    """REPORT.json, <stem>.examples.jsonl and <stem>.md beside it (all atomic)."""
    from funcall_lib.io import write_json_atomic, write_jsonl_atomic, write_text_atomic

    out = Path(out_path)
    write_jsonl_atomic(examples_path(out), examples)
    write_text_atomic(out.with_name(out.stem + ".md"), report_markdown(report, examples))
    return write_json_atomic(out, report)


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def report_markdown(report: dict, examples: list[dict], max_listed: int = 5) -> str:
    """A short human summary: overall and per-category rates, then failures by reason."""
    lines = [f"# Evaluation: {report.get('model')}" + (f" + {report['adapter']}" if report.get("adapter") else ""),
             "", f"constrained: {report.get('constrained')}, n = {report['n']}, "
             f"{report.get('examples_per_s')} examples/s"
             + (f", {report['out_of_tokens']} cut off at {report['max_new_tokens']} new tokens"
                if report.get("out_of_tokens") else ""), "",
             "| | n | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 2) + "|"]
    rows = [("all", report)] + list(report.get("by_category", {}).items())
    for name, r in rows:
        lines.append(f"| {name} | {r['n']} | " + " | ".join(_pct(r.get(m)) for m in METRICS) + " |")
    lines += ["", "## Failures by reason", ""]
    for kind, rows_ in failures_by_reason(examples).items():
        lines.append(f"- **{kind}** ({len(rows_)})")
        lines += [f"  - `{e['id']}`: {e['reason']}" for e in rows_[:max_listed]]
    return "\n".join(lines) + "\n"


def report_label(report: dict) -> str:
    name = Path(str(report.get("model"))).name
    if report.get("adapter"):
        name += "+adapter"
    return name + (" (constrained)" if report.get("constrained") else " (free)"
                   if report.get("constrained") is False else "")


def side_by_side(reports) -> str:
    """One markdown table comparing reports ({label: report} or a list, labelled from the report)."""
    items = list(reports.items()) if isinstance(reports, dict) else [(report_label(r), r) for r in reports]
    lines = ["| model | n | " + " | ".join(METRICS) + " | examples/s |",
             "|---" * (len(METRICS) + 3) + "|"]
    for label, r in items:
        lines.append(f"| {label} | {r['n']} | " + " | ".join(_pct(r.get(m)) for m in METRICS)
                     + f" | {r.get('examples_per_s')} |")
    return "\n".join(lines) + "\n"


def load_predictions(path) -> dict[str, dict]:
    """{id: {"output", "format", "call_margin", "fallback"}} from a JSONL of {"id", "output"[,
    "format", "call_margin", "fallback"]} lines (an examples file that `funcall eval` wrote is
    one; "fallback" says why a record was decoded free in a constrained evaluation)."""
    from funcall_lib.call_bias import checked_margin
    from funcall_lib.chat import FAMILIES
    from funcall_lib.io import iter_jsonl

    preds = {}
    for lineno, obj in iter_jsonl(path):
        if "id" not in obj or not isinstance(obj.get("output"), str):
            raise ValueError(f"{path}:{lineno}: a prediction needs an \"id\" and a string \"output\"")
        fmt = obj.get("format")
        if fmt is not None and fmt not in FAMILIES:
            raise ValueError(f"{path}:{lineno}: format {fmt!r} is not one of {', '.join(FAMILIES)}")
        if str(obj["id"]) in preds:
            raise ValueError(f"{path}:{lineno}: duplicate id {obj['id']!r}")
        preds[str(obj["id"])] = {"output": obj["output"], "format": fmt}
        if "call_margin" in obj:
            preds[str(obj["id"])]["call_margin"] = checked_margin(obj["call_margin"], f"{path}:{lineno}")
        if obj.get("fallback"):
            preds[str(obj["id"])]["fallback"] = str(obj["fallback"])
    return preds


def score_predictions(records: list[dict], preds: dict[str, dict], family: str = "hermes",
                      source: str | None = None, nudges: Nudges = Nudges(),
                      constrained: bool = True) -> tuple[dict, list[dict]]:
    """Score a predictions mapping; a record with no prediction is scored as an empty output.

    Some of the `nudges` can be replayed on outputs already written (`nudges.REPLAYABLE`).
    `stop_on_repeat` first ends each output at its first exact repeat of a call, as generating
    with that rule would have (tool_calls.drop_repeats), and counts how many it cut;
    `drop_subsumed` then drops each call that another call of the turn writes again with more
    arguments (tool_calls.drop_subsumed), exactly as generating with it does, and counts the
    calls dropped. The rules that rewrite a finished turn (`nudges.AFTER_DECODING`, every
    restating rule but the stated layouts, which hold the grammar) are
    applied to each output that ends its turn, as `infer.generate` applies them
    (`infer.restate_turn`; predictions decoded without the grammar, `constrained=False` or a
    record's `fallback`, as a free turn), and the outputs they changed are counted. A negative `call_bias` turns each call whose recorded `call_margin` it
    outweighs into a text answer, as generating with it would have (greedy: the turn's first
    token decides), and counts them; a positive one cannot be replayed (the text that was not
    written is unknown), nor can the value biases, which act on every token of a call while it
    is written, nor the stated layouts, which hold the grammar.
    """
    check_replayable(nudges)
    stop_on_repeat, drop_subsumed = nudges.stop_on_repeat, nudges.drop_subsumed
    call_bias = nudges.call_bias
    missing = [r["id"] for r in records if str(r.get("id")) not in preds]
    if missing:
        log.warning("%d of %d records have no prediction (scored as empty output), e.g. %s",
                    len(missing), len(records), missing[:3])
    outs = [preds.get(str(r.get("id")), {"output": "", "format": None}) for r in records]
    texts, cut = [o["output"] for o in outs], 0
    if call_bias:
        texts, declined = _replay_call_bias(records, outs, call_bias)
    if stop_on_repeat:
        from funcall_lib.tool_calls import drop_repeats

        pairs = [drop_repeats(t, o["format"] or family) for t, o in zip(texts, outs)]
        texts, cut = [t for t, _ in pairs], sum(c for _, c in pairs)
    if drop_subsumed:
        from funcall_lib.tool_calls import drop_subsumed as drop

        pairs = [drop(t, o["format"] or family) for t, o in zip(texts, outs)]
        texts, dropped = [t for t, _ in pairs], sum(n for _, n in pairs)
    restating = any(getattr(nudges, name) for name in AFTER_DECODING)
    if restating:
        before = texts
        texts = [_restated(t, r, o["format"] or family, nudges, free=not constrained or "fallback" in o)
                 for t, r, o in zip(texts, records, outs)]
        restated = sum(a != b for a, b in zip(before, texts))
    report, examples = score_outputs(records, texts, family, families=[o["format"] for o in outs],
                                     model=source, constrained=None)
    if stop_on_repeat:
        report["stop_on_repeat"], report["stopped_on_repeat"] = True, cut
    if drop_subsumed:
        report["drop_subsumed"], report["dropped_subsumed"] = True, dropped
    if restating:
        report.update({name: True for name in AFTER_DECODING if getattr(nudges, name)}, restated=restated)
    if call_bias:
        report["call_bias"], report["declined_by_call_bias"] = call_bias, declined
    return report, examples


def check_replayable(nudges: Nudges) -> None:
    """Refuse the nudges that act while a call is written (the value biases, the stated layouts):
    only `REPLAYABLE` ones are replayed."""
    for name in NUDGE_FIELDS:
        if name not in REPLAYABLE and getattr(nudges, name):
            raise ValueError(f"--{name.replace('_', '-')} acts while generating (--model); "
                             "--predictions are already written")


def _restated(text: str, record: dict, family: str, nudges: Nudges, free: bool) -> str:
    """A written output as generating with the after-decoding rules on would have left it."""
    from funcall_lib.infer import restate_turn
    from funcall_lib.tool_calls import closing_token, parse_tool_calls

    end = closing_token(text)
    if end is None or not record.get("tools"):
        return text
    return restate_turn(text, parse_tool_calls(text, family), record, family, end, nudges, free=free)[0]


def _replay_call_bias(records: list[dict], outs: list[dict], call_bias: float) -> tuple[list[str], int]:
    from funcall_lib.call_bias import TEXT_REPLAY, calls_at

    if call_bias > 0:
        raise ValueError("a positive --call-bias cannot be replayed on predictions (the text answers "
                         "it would turn into calls were never written); generate with --model")
    texts, declined = [], 0
    for record, out in zip(records, outs):
        margin = out.get("call_margin")
        if "call_margin" not in out and out["output"]:
            raise ValueError(f"record {record.get('id')!r}: its prediction has no call_margin, which "
                             "--call-bias needs (examples written by funcall eval carry it)")
        if margin is not None and calls_at(margin, 0.0, True) and not calls_at(margin, call_bias, True):
            texts.append(TEXT_REPLAY)
            declined += 1
        else:
            texts.append(out["output"])
    return texts, declined


# ---------------------------------------------------------------- CLI

def add_arguments(parser) -> None:
    from funcall_lib.nudges import add_arguments as add_nudge_arguments

    src = parser.add_argument_group("what to score (one of)")
    src.add_argument("--model", help="model id: embedded, a local directory or a Hub id")
    src.add_argument("--predictions", help="JSONL of {id, output[, format]} from any system")
    parser.add_argument("--adapter", help="LoRA adapter directory to attach to --model")
    parser.add_argument("--unmerged", action="store_true",
                        help="decode with --adapter's LoRA layers apart (default: merged into the "
                             "weights, as `funcall merge` exports it; faster)")
    parser.add_argument("--data", help="records JSONL (the gold)")
    parser.add_argument("--benchmark", help="bfcl:CATEGORY (simple_python, multiple, parallel, "
                        "parallel_multiple, irrelevance) in place of --data")
    parser.add_argument("--out", required=True, help="REPORT.json (examples and .md go beside it)")
    parser.add_argument("--free", action="store_true",
                        help="unconstrained decoding (with --predictions: they were decoded so)")
    parser.add_argument("--limit", type=int, help="score only the first N records")
    parser.add_argument("--tool-choice", default="auto", choices=["auto", "required"])
    parser.add_argument("--format", default="hermes", help="family of --predictions lines without one")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=MAX_NEW_TOKENS,
                        help=f"the most tokens a turn may take (default {MAX_NEW_TOKENS}); the report "
                             "counts the turns cut off at it (out_of_tokens)")
    parser.add_argument("--backend", default="auto", choices=["auto", "unsloth", "hf"])
    add_nudge_arguments(parser, also={
        "call_bias": "; with --predictions, 0 or less, replayed from their call_margin",
        "recommended": "; with --predictions, those of them that act on written outputs"})


def load_benchmark(spec: str) -> list[dict]:
    """Records for `bfcl:CATEGORY` (from the installed bfcl-eval package's data files)."""
    kind, _, category = spec.partition(":")
    if kind != "bfcl" or not category:
        raise ValueError(f"--benchmark {spec!r}: expected bfcl:CATEGORY, e.g. bfcl:simple_python")
    from funcall_lib.formats.bfcl import load_bfcl

    return load_bfcl(category)


def load_data(path) -> list[dict]:
    """Records from a JSONL file, validated (a bad record raises with file:line: reason)."""
    from funcall_lib.records import load_records

    return load_records(path)


def _records(args) -> list[dict]:
    if bool(args.data) == bool(args.benchmark):
        raise ValueError("give exactly one of --data FILE or --benchmark bfcl:CATEGORY")
    if args.benchmark:
        records = load_benchmark(args.benchmark)
    else:
        records = load_data(args.data)
    return records[: args.limit] if args.limit else records


def run_cli(args) -> int:
    if bool(args.model) == bool(args.predictions):
        raise ValueError("give exactly one of --model ID or --predictions FILE")
    # With --predictions, --recommended stands for the part of it that acts on written outputs.
    replayable = Nudges(**{name: getattr(RECOMMENDED, name) for name in REPLAYABLE})
    nudges = Nudges.from_args(args, recommended=replayable if args.predictions else None)
    if args.predictions:
        check_replayable(nudges)   # before any record is read
    records = _records(args)
    if args.predictions:
        report, examples = score_predictions(records, load_predictions(args.predictions),
                                             args.format, source=Path(args.predictions).name,
                                             nudges=nudges, constrained=not args.free)
    else:
        report, examples = evaluate_model(args.model, records, adapter=args.adapter,
                                          constrained=not args.free, tool_choice=args.tool_choice,
                                          max_new_tokens=args.max_new_tokens,
                                          batch_size=args.batch_size, backend=args.backend,
                                          nudges=nudges, merge_adapter=not args.unmerged)
    report["data"] = args.benchmark or args.data
    write_report(args.out, report, examples)
    print(json.dumps({k: report[k] for k in ("n", *METRICS, "examples_per_s")}))
    return 0
