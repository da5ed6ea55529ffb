"""The quality recipe: does fine-tuning the embedded model make it call tools right?

    python -m funcall_lib.quality --run-dir runs/quality            # data, train, evaluate
    python -m funcall_lib.quality --run-dir runs/quality --skip-train --limit 50
    python -m funcall_lib.quality --run-dir runs/quality-soup --seeds 42,7,1234   # a soup of 3
    python -m funcall_lib.quality --run-dir runs/quality --jobs 7   # sets side by side (GPU)
    python -m funcall_lib.quality --run-dir runs/quality --jobs 16 --shards 4   # and each in 4 parts

Steps: build the bundled corpus with the `quality` data preset (hand-written + procedural
tools), train with the `quality` training preset (Unsloth on CUDA, transformers+peft on CPU),
then evaluate the untuned and the tuned model, constrained and free (and, with `--modes`,
constrained with tool_choice="required" on BFCL's call categories), on data never trained on:
the test split (seen tools, unseen phrasings and values), test_unseen_tools, and BFCL's non-live
categories (from the bfcl-eval package; never trained on). Everything lands in the run dir:
`eval/<label>-<set>-<mode>.json` reports and `quality.md`, the table for docs/benchmarks.md.
Why `--shards`: our own test sets hold 2,000 records each, and the quality runs so far scored only
the first 300 to save time; at 0.87 that leaves a standard error near 0.02, the size of the data changes
being measured. Parts scored side by side make the whole split affordable.

With `--seeds`, the recipe trains one adapter per seed and scores their soup (the mean of the
merged weights) under the label `soup` instead of one training under `tuned`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from funcall_lib.nudges import MAX_NEW_TOKENS, NUDGE_FIELDS, VALUE_BIASES, Nudges

log = logging.getLogger(__name__)

BFCL_SETS = ["bfcl:simple_python", "bfcl:multiple", "bfcl:parallel", "bfcl:parallel_multiple",
             "bfcl:irrelevance"]
LOCAL_SETS = ["test", "test_unseen_tools"]
# Decoding modes: (constrained, tool_choice). "required" forces at least one call through the
# grammar, so it only applies to sets where every record wants a call (BFCL's call categories);
# the local sets and BFCL irrelevance hold records whose right answer is no call.
MODES = {"constrained": (True, "auto"), "free": (False, "auto"), "required": (True, "required")}
CALL_SETS = {"bfcl_simple_python", "bfcl_multiple", "bfcl_parallel", "bfcl_parallel_multiple"}
# Model labels: the untuned model, one training, or the soup of one training per seed.
LABELS = ("base", "tuned", "soup")


def build_data(run_dir: Path, seed: int = 0, n: int | None = None, variation=None) -> Path:
    """The `quality` data preset in run_dir/data, unless already there. `n` and `variation` (a
    `synth.TrainingVariation`; default: the generator's) change only the training split: dev,
    test and test_unseen_tools stay the preset's, record for record, so a variant is scored on
    the same examples as the recipe."""
    from funcall_lib.synth import DATA_PRESETS, TrainingVariation, build_dataset, default_sizes

    data = run_dir / "data"
    if not (data / "train.jsonl").is_file():
        preset = DATA_PRESETS["quality"]
        sizes = {**default_sizes(preset["n"]), "train": n or preset["n"]}
        log.info("building data: %s", build_dataset(data, seed=seed, sizes=sizes, mix=preset["mix"],
                                                          variation=variation or TrainingVariation()))
    return data


def train_adapter(run_dir: Path, data: Path, overrides: dict) -> Path:
    """Train the quality recipe into run_dir, or reuse what is there if it was trained with the
    same config: a reused one trained otherwise would be scored under the wrong name. Returns
    adapter/ (LoRA) or model/ (`--set full_finetuning=true`)."""
    from funcall_lib.config import make_config, to_dict
    from funcall_lib.merge import read_run
    from funcall_lib.train import artifact_dir, train

    config = make_config("quality", **overrides)
    trained_dir = artifact_dir(run_dir, config)
    if not any((trained_dir / name).is_file() for name in ("adapter_config.json", "config.json")):
        train(config, data, run_dir)
        return trained_dir
    trained = read_run(trained_dir).get("config", {})
    wanted = to_dict(config)
    differ = sorted(k for k in wanted if k in trained and trained[k] != wanted[k])
    if differ:
        pairs = ", ".join(f"{k}={trained[k]!r} (asked {wanted[k]!r})" for k in differ)
        raise ValueError(f"{run_dir}: the {trained_dir.name} there was trained with {pairs}; "
                         "use another --run-dir, or the same --set as its training")
    return trained_dir


def train_soup(run_dir: Path, data: Path, overrides: dict, seeds: list[int]) -> Path:
    """One adapter per seed (run_dir/seed-N, reused like `train_adapter`'s) and their uniform soup
    in run_dir/soup: the mean of their merged weights, kept in fp32. Why: the seed alone moved
    BFCL as far as any recipe change did, and a soup of three seeds scored at or above its best
    member on most sets, at the inference cost of one model (docs/benchmarks.md, quality runs
    14-15). A soup already there is reused only if it was made of the same adapters."""
    from funcall_lib.merge import soup_adapters

    adapters = []
    for seed in seeds:
        adapters.append(train_adapter(run_dir / f"seed-{seed}", data, {**overrides, "seed": seed}).resolve())
        _release_accelerator_memory()
    soup = run_dir / "soup"
    made = soup / "merge.json"
    if made.is_file():
        made_of = json.loads(made.read_text(encoding="utf-8")).get("soup_of")
        if made_of != [str(a) for a in adapters]:
            raise ValueError(f"{soup}: a soup of {made_of} is there, not of the adapters of seeds "
                             f"{seeds}; remove it or use another --run-dir")
        return soup
    log.info("soup of %d adapters -> %s", len(adapters), soup)
    soup_adapters(None, adapters, soup, dtype="fp32")
    return soup


def _release_accelerator_memory() -> None:
    """Free the finished training's model before the next seed starts: a 64-row training of
    the embedded model holds about 30 GiB of an H100 (quality run 15), and whatever of it sits
    in a reference cycle lives until the garbage collector runs."""
    import gc

    gc.collect()
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def set_key(name: str) -> str:
    """A set as reports and logs name it: bfcl:multiple -> bfcl_multiple (a file-name-safe key)."""
    return name.replace("bfcl:", "bfcl_")


def eval_sets(data: Path, sets: list[str], limit: int | None,
              shard: tuple[int, int] | None = None) -> dict[str, list[dict]]:
    """{set: records}: the first `limit` of each set, and of those the k-th of n consecutive
    parts when `shard` is (k, n)."""
    from funcall_lib.evaluate import load_benchmark, load_data

    out = {}
    for name in sets:
        records = load_benchmark(name) if name.startswith("bfcl:") else load_data(data / f"{name}.jsonl")
        records = records[:limit] if limit else records
        if shard:
            k, n = shard
            records = records[len(records) * (k - 1) // n: len(records) * k // n]
        out[set_key(name)] = records
    return out


def modes_for(name: str, modes: tuple[str, ...]) -> list[str]:
    return [m for m in modes if m != "required" or name in CALL_SETS]


@dataclass(frozen=True, kw_only=True)
class Decoding(Nudges):
    """How a report's outputs were decoded: the nudges (`funcall_lib.nudges.Nudges`) and whether
    an adapter was merged. Each field that is not at its default names the report folder
    (eval<suffix>), so variants never overwrite each other's reports. One value instead of six
    loose settings, so that scoring, merging parts and making the table cannot disagree on
    which folder a variant's reports are in."""
    unmerged: bool = False        # keep an adapter's LoRA layers apart instead of merging them
    max_new_tokens: int = MAX_NEW_TOKENS  # the most tokens a turn may take

    def for_tool_choice(self, tool_choice: str) -> Decoding:
        """This decoding as a mode with `tool_choice` runs it: the call bias moves the choice
        between calling and answering, so where a call is required it changes nothing and is
        dropped, and such reports go where they would without it."""
        return self if tool_choice == "auto" else replace(self, call_bias=0.0)

    def folder_suffix(self, tool_choice: str = "auto") -> str:
        """The suffix of the report folder and table ("" for plain decoding). The order of its
        parts is fixed: reports already on disk and in docs/quality/ are found by these names."""
        used = self.for_tool_choice(tool_choice)
        parts = ((used.stop_on_repeat, "-stop-on-repeat"),
                 (used.drop_subsumed, "-drop-subsumed"),
                 (used.drop_doubled, "-drop-doubled"),
                 (used.lift_keys, "-lift-keys"),
                 (used.copy_bias, f"-copy-bias-{used.copy_bias:g}"),
                 (used.word_bias, f"-word-bias-{used.word_bias:g}"),
                 (used.name_bias, f"-name-bias-{used.name_bias:g}"),
                 (used.region_bias, f"-region-bias-{used.region_bias:g}"),
                 (used.option_bias, f"-option-bias-{used.option_bias:g}"),
                 (used.list_bias, f"-list-bias-{used.list_bias:g}"),
                 (used.stated_layouts, "-stated-layouts"),
                 (used.stated_percents, "-stated-percents"),
                 (used.rate_fractions, "-rate-fractions"),
                 (used.stated_units, "-stated-units"),
                 (used.said_flags, "-said-flags"),
                 (used.said_magnitudes, "-said-magnitudes"),
                 (used.said_years, "-said-years"),
                 (used.said_periods, "-said-periods"),
                 (used.said_options, "-said-options"),
                 (used.any_order, "-any-order"),
                 (used.call_bias, f"-call-bias{used.call_bias:+g}"),
                 (used.unmerged, "-unmerged"),
                 (used.max_new_tokens != MAX_NEW_TOKENS, f"-max-new-tokens-{used.max_new_tokens}"))
        return "".join(text for setting, text in parts if setting)

    def nudges_for(self, tool_choice: str) -> Nudges:
        """What `evaluate.evaluate_model` takes of this decoding for a mode with `tool_choice`;
        whether the adapter is merged is settled apart, when the model is loaded."""
        return self.for_tool_choice(tool_choice).nudges()


def report_path(run_dir: Path, label: str, name: str, mode: str, decoding: Decoding = Decoding(),
                shard: tuple[int, int] | None = None) -> Path:
    """Where the report of (label, set, mode) goes: eval<suffix>/<label>-<set>-<mode>.json, or
    for the k-th of n parts eval<suffix>/parts/<label>-<set>-<mode>.<k>of<n>.json, the suffix
    being the decoding's for the mode (`Decoding.folder_suffix`)."""
    folder = run_dir / f"eval{decoding.folder_suffix(MODES[mode][1])}"
    stem = f"{label}-{name}-{mode}"
    return folder / "parts" / f"{stem}.{shard[0]}of{shard[1]}.json" if shard else folder / f"{stem}.json"


def evaluate_all(run_dir: Path, model: str, trained: Path | None, sets: dict[str, list[dict]],
                 batch_size: int, labels: tuple[str, ...], modes: tuple[str, ...] = ("constrained", "free"),
                 decoding: Decoding = Decoding(), shard: tuple[int, int] | None = None) -> dict[str, dict]:
    """Every (model label, set, mode); one model load per label. Reports already written are reused.
    With `shard` the sets are one part of each (`eval_sets`), and their reports go to parts/.
    `trained` is what the `tuned` or `soup` label scores: an adapter, merged into the weights to
    decode unless `decoding.unmerged`, or a whole model (a full fine-tune, a soup).
    `decoding.call_bias` applies to the tool_choice="auto" modes (constrained, free); `required`
    reports go where they would without it (the bias changes nothing there)."""
    from funcall_lib import infer, models
    from funcall_lib.evaluate import evaluate_model, write_report

    reports = {}
    for label in labels:
        loaded = None
        model_id, adapter_dir = models.tuned_model(model, trained) if label != "base" else (model, None)
        for name, records in sets.items():
            for mode in modes_for(name, modes):
                constrained, tool_choice = MODES[mode]
                stem = f"{label}-{name}-{mode}"
                whole = report_path(run_dir, label, name, mode, decoding)
                path = report_path(run_dir, label, name, mode, decoding, shard=shard)
                if whole.is_file() or path.is_file():
                    reports[stem] = _reused(whole if whole.is_file() else path, decoding.max_new_tokens)
                    continue
                if loaded is None:
                    loaded = models.load_model(model_id, adapter=adapter_dir)
                    infer.prepare_for_inference(loaded, merge_adapter=not decoding.unmerged)
                start = time.time()
                report, examples = evaluate_model(model_id, records, adapter=adapter_dir,
                                                  constrained=constrained, tool_choice=tool_choice,
                                                  batch_size=batch_size, loaded=loaded,
                                                  max_new_tokens=decoding.max_new_tokens,
                                                  nudges=decoding.nudges_for(tool_choice))
                report["data"], report["tool_choice"] = name, tool_choice
                write_report(path, report, examples)
                reports[stem] = report
                log.info("%s: task pass %.3f (%d examples, %.0f s)", stem, report["task_pass_rate"],
                         report["n"], time.time() - start)
    return reports


def _reused(path: Path, max_new_tokens: int) -> dict:
    """A report already written, if it was scored with `max_new_tokens`: one cut off at another
    length would be tabled under this run's. A report without the key was written before
    reports kept it, when every turn had 256."""
    report = json.loads(path.read_text(encoding="utf-8"))
    scored_with = report.get("max_new_tokens", 256)
    if scored_with != max_new_tokens:
        raise ValueError(f"{path}: scored with at most {scored_with} new tokens, not {max_new_tokens}; "
                         f"remove it to score it again, or move it to {path.parent.name}-max-new-tokens-"
                         f"{scored_with}/, where --max-new-tokens {scored_with} finds it")
    return report


def reports_on_disk(eval_dir: Path) -> dict[str, dict]:
    """Every report already in an eval folder, by stem. The run's table covers them all: sets
    are often scored by one process each, side by side on one GPU, and each process rewrites
    the same quality table (quality runs 15-16), so a table of one process's sets would keep
    only the last one's."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(eval_dir.glob("*.json"))}


def quality_table(reports: dict[str, dict]) -> str:
    """Task pass (irrelevance accuracy on BFCL irrelevance) per set: base vs tuned, constrained
    vs free; each cell gives n and the strict-JSON rate, since sets may be cut differently."""
    sets = sorted({stem.split("-", 1)[1].rsplit("-", 1)[0] for stem in reports},
                  key=lambda s: (s.startswith("bfcl"), s))
    shown = [m for m in MODES if m != "required" or any(stem.endswith("-required") for stem in reports)]
    trained = [label for label in LABELS[1:] if any(stem.startswith(f"{label}-") for stem in reports)]
    cols = [(label, mode) for label in ["base", *(trained or ["tuned"])] for mode in shown]
    lines = ["| set | " + " | ".join(f"{l} {m}" for l, m in cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name in sets:
        cells = []
        for label, mode in cols:
            r = reports.get(f"{label}-{name}-{mode}")
            if r is None:
                cells.append("-")
                continue
            metric = r["irrelevance_accuracy"] if name == "bfcl_irrelevance" else r["task_pass_rate"]
            cells.append(f"{_num(metric, '.3f')} (n={r['n']}, json {_num(r['strict_json_rate'], '.2f')})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _num(value: float | None, spec: str) -> str:
    """A rate, or "-" where none applies (strict JSON on a set where no call was attempted)."""
    return "-" if value is None else format(value, spec)


def main(argv: list[str] | None = None) -> int:
    from funcall_lib.nudges import add_arguments as add_nudge_arguments
    from funcall_lib.synth import add_variation_arguments, variation_from

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", default="runs/quality")
    parser.add_argument("--model", default="embedded")
    parser.add_argument("--skip-train", action="store_true", help="evaluate the base model only")
    parser.add_argument("--only-train", action="store_true", help="build data and train, no evaluation")
    parser.add_argument("--limit", type=int, help="first N records of each evaluation set")
    parser.add_argument("--data-n", type=int, help="training records to generate (default: the quality data "
                        "preset's); dev and the test sets stay the preset's")
    add_variation_arguments(parser)
    parser.add_argument("--sets", default=",".join(LOCAL_SETS + BFCL_SETS))
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--modes", default="constrained,free",
                        help="decoding modes among constrained, free, required (constrained with "
                             "tool_choice=required, BFCL call categories only)")
    # each switch names its report folder as its flag does; a value bias adds its bonus B
    switches = [name for name in NUDGE_FIELDS if name not in VALUE_BIASES and name != "call_bias"]
    add_nudge_arguments(parser, also={
        **{name: f"; reports in eval-{name.replace('_', '-')}/" for name in switches},
        **{name: f"; reports in eval-{name.replace('_', '-')}-B/" for name in VALUE_BIASES},
        "call_bias": "; reports in eval-call-biasB/, e.g. eval-call-bias-3/"})
    parser.add_argument("--unmerged", action="store_true",
                        help="decode with the adapter's LoRA layers apart, not merged (reports in eval-...-unmerged/)")
    parser.add_argument("--max-new-tokens", type=int, default=MAX_NEW_TOKENS,
                        help=f"the most tokens a turn may take (default {MAX_NEW_TOKENS}; other values: reports "
                             "in eval-...-max-new-tokens-N/)")
    parser.add_argument("--labels",
                        help="which models to evaluate: base and tuned, or base and soup with --seeds "
                             "(the default: both); reports on disk are reused")
    parser.add_argument("--seeds", type=_seed_list, metavar="S1,S2,...",
                        help="train one adapter per seed (two or more) and score their soup, the mean "
                             "of their merged weights, as the label soup (docs/benchmarks.md, quality)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="training config override (repeatable), e.g. --set num_train_epochs=2")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="score each set and mode in its own process, up to N side by side, after the "
                             "training (each loads its own model: for the embedded model on a GPU; logs in "
                             "RUN_DIR/logs/eval<suffix>/, as the reports' folder is named)")
    parser.add_argument("--shards", type=int, default=1, metavar="K",
                        help="with --jobs: split each set and mode into K parts, one process each, and merge "
                             "their reports into one (a whole 2,000-record split in the time of a few hundred)")
    parser.add_argument("--shard", type=_shard, metavar="K/N",
                        help="score only the K-th of N consecutive parts of each set (what --shards gives "
                             "each process); its reports go to eval.../parts/")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.shards < 1:
        parser.error(f"--jobs and --shards: expected 1 or more, got {args.jobs} and {args.shards}")
    if args.shards > 1 and (args.jobs == 1 or args.shard):
        parser.error("--shards splits the scoring over --jobs processes: give --jobs N (N > 1), not --shard")
    # checked before data and training, which take minutes to hours
    trained_label = "soup" if args.seeds else "tuned"
    args.labels = args.labels or f"base,{trained_label}"
    if set(args.labels.split(",")) - {"base", trained_label}:
        parser.error(f"--labels: expected base and/or {trained_label}"
                     f"{' (with --seeds)' if args.seeds else ''}, got {args.labels!r}")
    modes = tuple(args.modes.split(","))
    if set(modes) - set(MODES):
        parser.error(f"--modes: expected some of {', '.join(MODES)}, got {args.modes!r}")
    try:
        variation = variation_from(args)
    except ValueError as exc:
        parser.error(str(exc))
    if not args.only_train:
        _check_scoring_needs(parser, args.sets.split(","), modes)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from funcall_lib.train import parse_sets

    overrides = parse_sets(args.set)
    if args.seeds:
        _check_soup_overrides(parser, overrides)
        if args.unmerged:
            parser.error("--unmerged keeps an adapter's LoRA layers apart; a soup is a whole model")
    decoding = Decoding.from_args(args)
    run_dir = Path(args.run_dir)
    data = build_data(run_dir, n=args.data_n, variation=variation)
    trained = None
    if not args.skip_train:
        trained = (train_soup(run_dir, data, overrides, args.seeds) if args.seeds
                   else train_adapter(run_dir, data, overrides))
    if args.only_train:
        return 0
    sets = eval_sets(data, args.sets.split(","), args.limit, args.shard)
    labels = tuple(label for label in args.labels.split(",") if trained is not None or label == "base")
    if not labels:
        parser.error(f"--labels {trained_label} needs a training: drop --skip-train")
    sizes = {name: len(sets[set_key(name)]) for name in args.sets.split(",")}
    jobs = side_jobs(argv, sizes, modes, args.shards) if args.jobs > 1 else []
    if len(jobs) > 1:
        from funcall_lib.side_by_side import run_side_by_side

        _release_accelerator_memory()
        failed = None
        try:
            # one log folder per decoding: passes that differ only in it may run at once
            run_side_by_side(jobs, args.jobs, run_dir / "logs" / f"eval{decoding.folder_suffix()}")
        except RuntimeError as exc:  # keep what finished: a report whose parts all came back
            failed = exc
        if args.shards > 1:
            merge_shards(run_dir, labels, sizes, modes, args.shards, decoding, complete_only=failed is not None)
        if failed:
            raise failed
        reports = {}
    else:
        reports = evaluate_all(run_dir, args.model, trained, sets, args.batch_size, labels,
                               modes=modes, decoding=decoding, shard=args.shard)
        if args.shard:  # one part: the process that started this one makes the table
            return 0
    from funcall_lib.io import write_text_atomic

    variant = decoding.folder_suffix()
    on_disk = reports_on_disk(run_dir / f"eval{variant}")
    if decoding.call_bias and "required" in modes:  # required reports go where no call bias is
        unbiased = decoding.folder_suffix("required")
        on_disk |= {stem: r for stem, r in reports_on_disk(run_dir / f"eval{unbiased}").items()
                    if stem.endswith("-required")}
    table = quality_table({**on_disk, **reports})
    write_text_atomic(run_dir / f"quality{variant}.md", table)
    print(table)
    return 0


SPLIT_OPTIONS = ("--sets", "--modes", "--jobs", "--shards", "--shard")  # what each child gets its own of


def child_argv(argv: list[str], name: str, mode: str, shard: tuple[int, int] | None = None) -> list[str]:
    """`argv` for a process that scores one set in one mode (one part of it with `shard`):
    without the options that split the work, then its own. Its training, already done, is reused
    (the same config)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in SPLIT_OPTIONS:
            skip = True
        elif not arg.startswith(tuple(f"{o}=" for o in SPLIT_OPTIONS)):
            out.append(arg)
    return [*out, "--sets", name, "--modes", mode, *(["--shard", f"{shard[0]}/{shard[1]}"] if shard else [])]


def parts_of(n_records: int, shards: int) -> int:
    """How many parts a set of n records is scored in: `shards`, but never an empty part."""
    return max(1, min(shards, n_records))


def side_jobs(argv: list[str], sizes: dict[str, int], modes: tuple[str, ...], shards: int = 1) -> list:
    """One job per set, mode and part; `sizes` is {set as --sets names it: its record count}."""
    from funcall_lib.side_by_side import Job

    jobs = []
    for name, n_records in sizes.items():
        key, parts = set_key(name), parts_of(n_records, shards)
        for mode in modes_for(key, modes):
            for shard in [(k, parts) for k in range(1, parts + 1)] if parts > 1 else [None]:
                job_name = f"{key}-{mode}" + (f"-{shard[0]}of{shard[1]}" if shard else "")
                jobs.append(Job(job_name, [sys.executable, "-m", "funcall_lib.quality",
                                           *child_argv(argv, name, mode, shard)]))
    return jobs


def merge_shards(run_dir: Path, labels: tuple[str, ...], sizes: dict[str, int], modes: tuple[str, ...],
                 shards: int, decoding: Decoding = Decoding(), complete_only: bool = False) -> None:
    """Each (label, set, mode) whose report is not there yet: its parts merged into one report
    (`evaluate.merge_parts`). Every part must be there, unless `complete_only`: then a report
    with a part missing is skipped (some parts failed; the others are not lost)."""
    from funcall_lib.evaluate import examples_path, merge_parts, write_report
    from funcall_lib.io import iter_jsonl

    for label in labels:
        for set_name, n_records in sizes.items():
            name, shards_here = set_key(set_name), parts_of(n_records, shards)
            for mode in modes_for(name, modes):
                whole = report_path(run_dir, label, name, mode, decoding)
                if whole.is_file():
                    continue
                paths = [report_path(run_dir, label, name, mode, decoding, shard=(k, shards_here))
                         for k in range(1, shards_here + 1)]
                missing = [k for k, path in enumerate(paths, start=1) if not path.is_file()]
                if missing and complete_only:
                    continue
                if missing:
                    raise FileNotFoundError(f"{paths[missing[0] - 1]}: part {missing[0]} of {shards_here} is missing "
                                            f"(see {run_dir / 'logs'})")
                parts = [(json.loads(path.read_text(encoding="utf-8")),
                          [row for _, row in iter_jsonl(examples_path(path))])
                         for path in paths]
                report, examples = merge_parts(parts)
                write_report(whole, report, examples)
                log.info("%s-%s-%s: %d parts merged, task pass %.3f", label, name, mode, shards_here,
                         report["task_pass_rate"])


def _shard(text: str) -> tuple[int, int]:
    k, _, n = text.partition("/")
    try:
        shard = int(k), int(n)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected K/N, e.g. 2/4, got {text!r}") from None
    if not 1 <= shard[0] <= shard[1]:
        raise argparse.ArgumentTypeError(f"expected 1 <= K <= N, got {text!r}")
    return shard


def _seed_list(text: str) -> list[int]:
    try:
        seeds = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"a soup needs two or more different seeds, got {text!r}")
    return seeds


def _check_scoring_needs(parser: argparse.ArgumentParser, set_names: list[str], modes: tuple[str, ...]) -> None:
    """What scoring will need, checked before data and training: quality run 18 trained for ten
    minutes on a machine without the bfcl-eval package and pydantic (which xgrammar imports),
    then failed at its first constrained or BFCL record. A misspelt BFCL category fails here too."""
    from funcall_lib.formats.bfcl import category_file

    for name in set_names:
        if name.startswith("bfcl:"):
            try:
                category_file(name.partition(":")[2])
            except ValueError as exc:
                parser.error(f"--sets {name}: {exc}")
    if {"constrained", "required"} & set(modes):
        try:
            import xgrammar  # noqa: F401
        except ImportError as exc:
            parser.error(f"--modes {','.join(modes)}: constrained decoding needs xgrammar, which did not "
                         f"import ({exc}); pip install xgrammar, or score --modes free")


def _check_soup_overrides(parser: argparse.ArgumentParser, overrides: dict) -> None:
    """A soup averages LoRA adapters, one per seed: `seed` and full fine-tuning do not fit."""
    from funcall_lib.config import make_config

    if "seed" in overrides:
        parser.error("--set seed=... and --seeds: give the seeds with --seeds only")
    try:
        full = make_config("quality", **overrides).full_finetuning
    except (TypeError, ValueError) as exc:
        parser.error(f"--set: {exc}")
    if full:
        parser.error("--seeds averages LoRA adapters; drop --set full_finetuning=true")


if __name__ == "__main__":
    raise SystemExit(main())
