"""Is run B better than run A? A paired comparison of two `funcall eval` examples files.

Two trainings of one recipe differ by a few points on a few hundred records from seed alone, so
"0.79 -> 0.84" says little until it is known which records changed. Both runs scored the same
records, so each record is a pair of verdicts: the records B fixed and the ones it broke are
what changed, and an exact sign test over them (McNemar's test) says how likely a split at
least that lopsided is if neither run is better. Failures are counted by kind for both runs,
so a gain in one kind paid for by a loss in another shows.

The test is about the two trained models, not the recipes behind them: the seed alone can make
two models of one recipe differ far beyond chance on some sets (quality run 14: irrelevance
0.742 vs 0.817, 18 records fixed and none broken), so a recipe needs to win across seeds.

Given two eval folders (as `python -m funcall_lib.quality` writes them), every set both scored
is compared, and the sets are pooled: a data change aimed at a few records in each of seven
sets can move each set by less than its own test can see, while the pooled split of fixed and
broken records over all of them can (the records of different sets are different records).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from funcall_lib.io import iter_jsonl
from funcall_lib.quality import LABELS


def sign_test_p(worse: int, better: int) -> float:
    """One-sided: P(at least `worse` of the changed verdicts go down | each change is a fair coin)."""
    changed = worse + better
    return sum(math.comb(changed, k) for k in range(worse, changed + 1)) / 2 ** changed if changed else 1.0


def two_sided_p(fixed: int, broken: int) -> float:
    """Exact McNemar: P(a split of the changed verdicts at least this lopsided, either way); an
    even split doubles a tail of at least 1/2, so the cap makes it 1."""
    return min(1.0, 2 * sign_test_p(max(fixed, broken), min(fixed, broken)))


def paired_changes(pairs) -> tuple[int, int]:
    """(went from true to false, went from false to true) over (before, after) verdicts; pairs
    with a None on either side (a verdict that does not apply) are left out."""
    pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
    return sum(a and not b for a, b in pairs), sum(b and not a for a, b in pairs)


def read_examples(path: str | Path) -> dict[str, dict]:
    """{id: example} of an examples file `funcall eval` wrote; file:line on anything unusable."""
    examples: dict[str, dict] = {}
    for lineno, obj in iter_jsonl(path):
        if "id" not in obj or not isinstance(obj.get("task_pass"), bool):
            raise ValueError(f"{path}:{lineno}: an example needs an \"id\" and a true/false \"task_pass\" "
                             "(the .examples.jsonl that funcall eval writes beside its report)")
        key = str(obj["id"])
        if key in examples:
            raise ValueError(f"{path}:{lineno}: id {key!r} appears twice")
        examples[key] = obj
    if not examples:
        raise ValueError(f"{path}: no examples")
    return examples


def _shown(ids: list[str]) -> str:
    return ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def shared_records(before: dict, after: dict) -> tuple[dict, dict]:
    """Both runs cut to the records both scored, in `before`'s order: a run scored with --limit
    300 against one scored on the whole set. Fails if they share none."""
    ids = [i for i in before if i in after]
    if not ids:
        raise ValueError("the two runs scored no record in common (no shared id)")
    return {i: before[i] for i in ids}, {i: after[i] for i in ids}


def _check_same_records(before: dict, after: dict, names: tuple[str, str]) -> None:
    """Both runs must have scored the same records. Ids alone do not prove it: a rebuilt data set
    numbers its records the same way, so the expected calls are compared too."""
    only = [sorted(set(a) - set(b)) for a, b in ((before, after), (after, before))]
    for name, ids in zip(names, only):
        if ids:
            raise ValueError(f"{name}: {len(ids)} record(s) the other run did not score ({_shown(ids)}); "
                             "a paired comparison needs both runs on the same records (same --data, "
                             "--limit), or --common to compare the records both scored")
    differ = [i for i in before
              if "gold" in before[i] and "gold" in after[i] and before[i]["gold"] != after[i]["gold"]]
    if differ:
        raise ValueError(f"{names[0]} and {names[1]}: {len(differ)} record(s) with the same id expect "
                         f"different calls ({_shown(differ)}); the runs scored different data")


def compare(before: dict[str, dict], after: dict[str, dict],
            names: tuple[str, str] = ("before", "after")) -> dict:
    """The paired comparison of two runs' examples (as `read_examples` returns them)."""
    _check_same_records(before, after, names)
    ids = list(before)
    fixed = [i for i in ids if after[i]["task_pass"] and not before[i]["task_pass"]]
    broken = [i for i in ids if before[i]["task_pass"] and not after[i]["task_pass"]]
    kinds = [Counter(e.get("reason_kind") for e in run.values() if not e["task_pass"])
             for run in (before, after)]
    n = len(ids)
    return {"n": n,
            "before_pass": sum(e["task_pass"] for e in before.values()) / n,
            "after_pass": sum(e["task_pass"] for e in after.values()) / n,
            "fixed": fixed, "broken": broken, "p_value": two_sided_p(len(fixed), len(broken)),
            "failures": {kind or "unknown": (kinds[0][kind], kinds[1][kind])
                         for kind, _ in (kinds[0] + kinds[1]).most_common()}}


def _split(fixed: int, broken: int) -> str:
    """The fixed and broken counts with their exact sign test, and whether chance could explain them."""
    p_value = two_sided_p(fixed, broken)
    return (f"{fixed} fixed, {broken} broken; exact sign test (McNemar) p = {p_value:.3g}"
            + (" (could be chance at the 0.05 level)" if p_value >= 0.05 else ""))


def _listed(title: str, ids: list[str], before: dict, after: dict, show: int) -> list[str]:
    if not ids or not show:
        return []
    lines = [f"\n{title} ({len(ids)}, first {min(show, len(ids))}):"]
    for i in ids[:show]:
        was, now = before[i].get("reason") or "pass", after[i].get("reason") or "pass"
        lines.append(f"- {i}: {was} -> {now}")
    return lines


def comparison_markdown(result: dict, names: tuple[str, str], before: dict, after: dict,
                        show: int = 5) -> str:
    """A table of task pass and failures by kind (A = names[0], B = names[1]), the change with its
    p-value, and the first `show` fixed and broken records with what each run did."""
    delta = result["after_pass"] - result["before_pass"]
    lines = [f"- A: {names[0]}", f"- B: {names[1]}", "", "| | A | B |", "|---|---|---|",
             f"| task pass (n={result['n']}) | {result['before_pass']:.3f} | {result['after_pass']:.3f} |"]
    lines += [f"| failed: {kind} | {a} | {b} |" for kind, (a, b) in result["failures"].items()]
    lines.append(f"\nchange {delta:+.3f}: {_split(len(result['fixed']), len(result['broken']))}")
    lines += _listed("fixed", result["fixed"], before, after, show)
    lines += _listed("broken", result["broken"], before, after, show)
    return "\n".join(lines)


EXAMPLES_SUFFIXES = (".examples.jsonl", ".examples.jsonl.gz")


def examples_key(path: Path) -> str:
    """The set and mode an examples file scored, without the model's label:
    soup-bfcl_multiple-constrained.examples.jsonl(.gz) -> bfcl_multiple-constrained."""
    stem = path.name.removesuffix(".gz").removesuffix(".examples.jsonl")
    return next((stem[len(label) + 1:] for label in LABELS if stem.startswith(f"{label}-")), stem)


def paired_files(before_dir: Path, after_dir: Path) -> tuple[list[tuple[str, Path, Path]], list[str]]:
    """([(set, A file, B file)] for the sets both folders scored, [notes on sets only one did])."""
    found = []
    for folder in (before_dir, after_dir):
        files: dict[str, Path] = {}
        for path in sorted(p for p in folder.iterdir() if p.name.endswith(EXAMPLES_SUFFIXES)):
            key = examples_key(path)
            if key in files:
                raise ValueError(f"{folder}: {files[key].name} and {path.name} both score {key}; "
                                 "compare those two files by name")
            files[key] = path
        found.append(files)
    pairs = [(key, found[0][key], found[1][key]) for key in sorted(found[0].keys() & found[1].keys())]
    if not pairs:
        raise ValueError(f"{before_dir} and {after_dir}: no set scored in both "
                         "(looked for *.examples.jsonl and .gz, matched by name without base-/tuned-/soup-)")
    notes = [f"only in {'A' if key in found[0] else 'B'}: {key}"
             for key in sorted(found[0].keys() ^ found[1].keys())]
    return pairs, notes


def _read_pair(a_path, b_path, common: bool) -> tuple[dict, dict]:
    before, after = read_examples(a_path), read_examples(b_path)
    return shared_records(before, after) if common else (before, after)


def folders_markdown(before_dir: Path, after_dir: Path, common: bool = False) -> str:
    """One row per set both folders scored, and the pooled split of fixed and broken records."""
    pairs, notes = paired_files(before_dir, after_dir)
    lines = [f"- A: {before_dir}", f"- B: {after_dir}", "",
             "| set | n | A | B | change | fixed | broken | p |", "|---|---|---|---|---|---|---|---|"]
    fixed = broken = 0
    for key, a_path, b_path in pairs:
        result = compare(*_read_pair(a_path, b_path, common), (str(a_path), str(b_path)))
        fixed, broken = fixed + len(result["fixed"]), broken + len(result["broken"])
        lines.append(f"| {key} | {result['n']} | {result['before_pass']:.3f} | {result['after_pass']:.3f} | "
                     f"{result['after_pass'] - result['before_pass']:+.3f} | {len(result['fixed'])} | "
                     f"{len(result['broken'])} | {result['p_value']:.3g} |")
    lines.append(f"\npooled over {len(pairs)} set(s): {_split(fixed, broken)}")
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines)


def add_arguments(parser) -> None:
    parser.add_argument("before", help="A.examples.jsonl (funcall eval wrote it beside A's report), "
                                       "or a folder of them: every set both folders scored, and pooled")
    parser.add_argument("after", help="B.examples.jsonl scored on the same records, or B's folder")
    parser.add_argument("--show", type=int, default=5,
                        help="list this many fixed and broken record ids (default 5)")
    parser.add_argument("--common", action="store_true",
                        help="compare the records both runs scored (one scored with --limit 300, the "
                             "other the whole set); without it, other records are an error")


def run_cli(args) -> int:
    if Path(args.before).is_dir() or Path(args.after).is_dir():
        if not (Path(args.before).is_dir() and Path(args.after).is_dir()):
            raise ValueError(f"{args.before}, {args.after}: give two examples files or two folders")
        print(folders_markdown(Path(args.before), Path(args.after), args.common))
        return 0
    before, after = _read_pair(args.before, args.after, args.common)
    names = (str(args.before), str(args.after))
    print(comparison_markdown(compare(before, after, names), names, before, after, args.show))
    return 0
