"""Atomic file writing, JSONL reading and a folder lock, shared by every stage.

Every artifact is written to a temporary sibling and renamed into place, so a crash or a
second process never sees a half-written file or directory.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Iterator


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, *, is_dir: bool = False) -> Iterator[Path]:
    """Yield a temp path beside `target`; on success rename it onto `target`.

    For directories an existing target is replaced as a whole (old one moved aside, then
    deleted), so readers see either the old or the new tree, never a mix.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if is_dir:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    else:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(name)
    _umask_permissions(tmp, is_dir)
    try:
        yield tmp
        if is_dir and target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()
        raise


def _umask_permissions(path: Path, is_dir: bool) -> None:
    """mkstemp/mkdtemp create owner-only paths; give them the usual umask-based mode instead."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if is_dir else 0o666) & ~umask)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json_atomic(path: str | os.PathLike, obj: Any) -> Path:
    return write_text_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def write_jsonl_atomic(path: str | os.PathLike, rows: Iterable[dict]) -> Path:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return Path(path)


class BusyError(RuntimeError):
    """Another live process holds a folder's lock; the message names the folder and the holder."""


@contextlib.contextmanager
def exclusive_dir(folder: str | os.PathLike, doing: str = "training") -> Iterator[Path]:
    """Hold folder/.lock for the block, or raise BusyError at once if another process holds it.

    Why: two processes training into one folder both run on, write into one checkpoints/
    (a resumed run may pick up the other's checkpoint), and leave the adapter and run.json of
    whichever finished last, and nothing says so (it happened in quality run 21). The
    lock is the operating system's (flock), so it dies with its process: a crash or a kill
    never leaves a stale lock to remove by hand. The file stays (removing it could let a third
    process lock a new file while the second still holds the old one); it names the last holder.
    """
    import fcntl

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise BusyError(f"{folder}: {holder}; wait for it to finish, or use another folder") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{doing} by pid {os.getpid()} on {socket.gethostname()} since "
                 f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        fh.flush()
        try:
            yield path
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class JsonlError(ValueError):
    """A line of a JSONL file is not a JSON object; the message names file and line."""


def iter_jsonl(path: str | os.PathLike) -> Iterator[tuple[int, dict]]:
    """Yield (line_number, object) for each non-blank line; raise JsonlError with file:line.
    A name ending in .gz is read through gzip (published evaluation outputs are kept that way)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise JsonlError(f"{path}:{lineno}: not valid JSON ({exc.msg} at column {exc.colno})") from None
            if not isinstance(obj, dict):
                raise JsonlError(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}")
            yield lineno, obj
