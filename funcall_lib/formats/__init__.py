"""`funcall data convert`: dataset dumps in six formats -> canonical records.

One module per format (hermes, xlam, glaive, openai, seed, bfcl), each with `detect(row)` and
`convert(row, lineno, **context) -> list[record]` (a row may hold several tool-calling turns).
Input is JSONL, read line by line; a file that starts with `[` is read as one JSON array (some
Hub exports are). Every row is either converted (and each record validated) or rejected with its
line and reason into `<OUT>.rejects.jsonl`; nothing is dropped silently. Output is atomic.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from funcall_lib.formats import bfcl, glaive, hermes, openai, seed, xlam
from funcall_lib.formats.common import ConvertError
from funcall_lib.io import atomic_path
from funcall_lib.records import validate_record

# Detection order matters: seed (has "answer") before openai (has "messages" only).
FORMATS = {"bfcl": bfcl, "xlam": xlam, "glaive": glaive, "hermes": hermes, "seed": seed,
           "openai": openai}


@dataclass
class ConvertStats:
    format: str
    read: int = 0          # input rows
    converted: int = 0     # rows that gave at least one record
    records: int = 0       # records written
    rejected: int = 0      # rows rejected (see rejects file)
    rejects_path: str | None = None
    reasons: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        text = (f"{self.format}: read {self.read} rows, converted {self.converted} "
                f"({self.records} records), rejected {self.rejected}")
        return text + (f" -> {self.rejects_path}" if self.rejected else "")


def iter_rows(path: str | Path) -> Iterator[tuple[int, object, str | None]]:
    """(line or array item number, row, parse error) for a JSONL file or a JSON array file."""
    with open(path, encoding="utf-8") as fh:
        head = fh.read(4096).lstrip()
    if head.startswith("["):
        try:
            rows = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            yield exc.lineno, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
            return
        for i, row in enumerate(rows, start=1):
            yield i, row, None
        return
    from funcall_lib.records import iter_raw

    yield from iter_raw(path)


def detect_format(path: str | Path, sample: int = 20) -> str:
    """The format of the first parsable rows; ValueError naming the file when none fits."""
    votes: dict[str, int] = {}
    for k, (_, row, err) in enumerate(iter_rows(path)):
        if k >= sample:
            break
        if err or not isinstance(row, dict):
            continue
        for name, module in FORMATS.items():
            if module.detect(row):
                votes[name] = votes.get(name, 0) + 1
                break
    if not votes:
        raise ValueError(f"{path}: cannot detect the format from its first {sample} rows; "
                         f"pass --format ({'|'.join(FORMATS)})")
    return max(votes, key=votes.get)


def convert_rows(rows, fmt: str, context: dict | None = None) -> Iterator[tuple[int, list[dict], str | None]]:
    """(line, records, reject reason) per input row; records are validated."""
    module = FORMATS[fmt]
    for lineno, row, err in rows:
        if err is None and not isinstance(row, dict):
            err = f"expected a JSON object, got {type(row).__name__}"
        if err:
            yield lineno, [], err
            continue
        try:
            records = module.convert(row, lineno, **(context or {}))
        except ConvertError as exc:
            yield lineno, [], str(exc)
            continue
        problems = [f"record {r['id']}: {p}" for r in records for p in validate_record(r)]
        yield lineno, ([] if problems else records), ("; ".join(problems[:3]) if problems else None)


def convert_file(in_path: str | Path, out_path: str | Path, fmt: str | None = None, *,
                 strict: bool = False, answers: str | Path | None = None) -> ConvertStats:
    """Convert a dump to canonical JSONL; rejects go to `<out>.rejects.jsonl` (strict: raise)."""
    in_path, out_path = Path(in_path), Path(out_path)
    if not in_path.is_file():
        raise FileNotFoundError(f"{in_path}: no such file")
    fmt = fmt or detect_format(in_path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    context = FORMATS[fmt].prepare(in_path, answers) if hasattr(FORMATS[fmt], "prepare") else {}
    stats = ConvertStats(format=fmt)
    rejects_path = out_path.with_name(out_path.name.removesuffix(".jsonl") + ".rejects.jsonl")
    rejects = []
    with atomic_path(out_path) as tmp, open(tmp, "w", encoding="utf-8") as out:
        for lineno, records, reason in convert_rows(iter_rows(in_path), fmt, context):
            stats.read += 1
            if reason:
                if strict:
                    raise ValueError(f"{in_path}:{lineno}: {reason} (--strict)")
                stats.rejected += 1
                key = re.sub(r"^record [^:]+: ", "", reason)[:60]
                stats.reasons[key] = stats.reasons.get(key, 0) + 1
                rejects.append({"line": lineno, "reason": reason})
                continue
            stats.converted += 1
            stats.records += len(records)
            for rec in records:
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if rejects:
        from funcall_lib.io import write_jsonl_atomic

        write_jsonl_atomic(rejects_path, rejects)
        stats.rejects_path = str(rejects_path)
    elif rejects_path.exists():
        rejects_path.unlink()  # stale from an earlier run
    return stats


def add_arguments(parser) -> None:
    parser.add_argument("input", help="JSONL (or JSON array) dump")
    parser.add_argument("--format", choices=list(FORMATS), help="default: detected from the rows")
    parser.add_argument("-o", "--out", required=True, help="output JSONL of canonical records")
    parser.add_argument("--strict", action="store_true", help="stop at the first rejected row")
    parser.add_argument("--answers", help="bfcl: the possible_answer file (default: found beside)")


def run_cli(args) -> int:
    stats = convert_file(args.input, args.out, args.format, strict=args.strict, answers=args.answers)
    print(stats.summary())
    for reason, count in sorted(stats.reasons.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {count} x {reason}", file=sys.stderr)
    return 0
