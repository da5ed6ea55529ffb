"""Idempotent uploads of run folders (adapters, merged models, eval artifacts) to the Hugging Face Hub.

Git refuses files over 100 MB, so weights and reports go to the Hub. `push` plans first: every
local file gets its path in the repo, size and sha256. Then it asks the Hub what is already there
and skips files whose content matches:
- LFS files (weights, anything large or binary): the Hub reports the sha256 of the content,
  compared directly with ours;
- small text files kept in git: the Hub reports only the git blob id, which is
  sha1(b"blob <size>\\0" + content); we compute the same locally.
Everything left goes up in ONE commit (several folders included), so a run is all-or-nothing: an
interrupted upload leaves the repo as it was and rerunning completes it. Nothing to upload means
no commit at all (no empty commits on repeated runs).

The token comes from HF_TOKEN / HUGGING_FACE_HUB_TOKEN or `hf auth login`, is handed to HfApi and
is never printed or logged. `dry_run` needs neither token nor network.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

# Training state that is large, useless to a model's users, and sometimes pickled (unsafe to load).
DEFAULT_EXCLUDE = ("checkpoint-*", "checkpoint-*/*", "*/checkpoint-*/*", "optimizer.pt", "scheduler.pt",
                   "scaler.pt", "rng_state*.pth", "training_args.bin", ".*", "*/.*", "__pycache__/*",
                   "*/__pycache__/*", "*.pyc")
# A training's folder lock (io.exclusive_dir) names the host and process: never uploaded,
# training state or not.
NEVER_UPLOADED = (".lock", "*/.lock")
ACTIONS = ("upload", "skip", "upload (remote not checked)")


class HubError(RuntimeError):
    """A push cannot proceed (no token, clashing paths, ...); the message says what to do."""


@dataclass
class PlanItem:
    local: Path
    path_in_repo: str
    size: int
    sha256: str
    git_sha1: str
    action: str = "upload (remote not checked)"


@dataclass
class PushPlan:
    repo_id: str
    repo_type: str
    items: list[PlanItem]
    dry_run: bool
    warnings: list[str] = field(default_factory=list)
    created_repo: bool = False
    commit_url: str | None = None

    @property
    def uploaded(self) -> list[PlanItem]:
        return [i for i in self.items if i.action != "skip"] if not self.dry_run else []

    @property
    def skipped(self) -> list[PlanItem]:
        return [i for i in self.items if i.action == "skip"]

    def table(self) -> str:
        """Human-readable plan: path in repo, size, action (never the token)."""
        head = f"{'dry run: ' if self.dry_run else ''}{self.repo_type} repo {self.repo_id}"
        rows = [f"  {i.action:<28} {_size(i.size):>9}  {i.path_in_repo}" for i in self.items]
        tail = (f"{len(self.items)} files planned, none sent (dry run)" if self.dry_run else
                f"{len(self.uploaded)} uploaded, {len(self.skipped)} skipped (already on the Hub)")
        return "\n".join([head, *rows, *(f"warning: {w}" for w in self.warnings), tail])


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


# ---------------------------------------------------------------- local side

def file_hashes(path: Path) -> tuple[str, str]:
    """(sha256 of content, git blob sha1 = sha1(b"blob <size>\\0" + content)), streamed."""
    sha256 = hashlib.sha256()
    sha1 = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha256.update(chunk)
            sha1.update(chunk)
    return sha256.hexdigest(), sha1.hexdigest()


def _excluded(rel: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    if include and not any(fnmatch.fnmatch(rel, p) for p in include):
        return True
    return any(fnmatch.fnmatch(rel, p) for p in exclude)


def collect(paths, auto_subdir: bool = False, path_in_repo: str | None = None,
            include=(), exclude=(), include_training_state: bool = False) -> list[PlanItem]:
    """Local files -> plan items with their destination; clashing destinations are an error."""
    prefix = (path_in_repo or "").strip("/")
    skip = tuple(exclude) + NEVER_UPLOADED + (() if include_training_state else DEFAULT_EXCLUDE)
    items: dict[str, PlanItem] = {}
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise HubError(f"{root}: no such file or directory")
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        base = root.parent if root.is_file() else root
        sub = root.name if auto_subdir and root.is_dir() else ""
        for f in files:
            rel = f.relative_to(base).as_posix()
            if _excluded(rel, tuple(include), skip):
                continue
            dest = "/".join(p for p in (prefix, sub, rel) if p)
            if dest in items:
                raise HubError(f"{f} and {items[dest].local} would both upload to {dest!r}; "
                               "use --auto-subdir or separate pushes")
            sha256, sha1 = file_hashes(f)
            items[dest] = PlanItem(f, dest, f.stat().st_size, sha256, sha1)
    if not items:
        raise HubError(f"nothing to upload under {list(map(str, paths))} (all files excluded?)")
    return list(items.values())


# ---------------------------------------------------------------- remote side

def resolve_token(token: str | None = None) -> str:
    """The token to use; a clear error (naming where we looked) when there is none."""
    if token:
        return token
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        if os.environ.get(var):
            return os.environ[var]
    from huggingface_hub import get_token

    found = get_token()
    if not found:
        raise HubError("no Hugging Face token: set HF_TOKEN (or HUGGING_FACE_HUB_TOKEN), or run "
                       "`hf auth login` once; a token with write access is needed to push. "
                       "Use --dry-run to see the plan without one.")
    return found


def ensure_repo(api, repo_id: str, repo_type: str, private: bool | None,
                set_visibility: bool, plan: PushPlan) -> None:
    """Create the repo if missing; never flip an existing repo's visibility unless asked."""
    from huggingface_hub.errors import RepositoryNotFoundError

    try:
        info = api.repo_info(repo_id, repo_type=repo_type)
    except RepositoryNotFoundError:
        api.create_repo(repo_id, repo_type=repo_type, private=bool(private), exist_ok=True)
        plan.created_repo = True
        return
    current = bool(getattr(info, "private", False))
    if private is None or current == bool(private):
        return
    want = "private" if private else "public"
    have = "private" if current else "public"
    if set_visibility:
        api.update_repo_settings(repo_id, repo_type=repo_type, private=bool(private))
        plan.warnings.append(f"{repo_id} was {have}; made it {want} as asked (--set-visibility)")
    else:
        plan.warnings.append(f"{repo_id} exists and is {have}; left {have} (you asked for {want}; "
                             "pass --set-visibility to change it)")


def mark_remote_matches(api, plan: PushPlan) -> None:
    """Set each item's action to skip when the Hub already holds identical content."""
    from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError

    paths = [i.path_in_repo for i in plan.items]
    remote = {}
    try:
        for start in range(0, len(paths), 500):   # the API takes a bounded list per call
            for entry in api.get_paths_info(plan.repo_id, paths[start:start + 500], expand=True,
                                            repo_type=plan.repo_type):
                remote[entry.path] = entry
    except (EntryNotFoundError, RepositoryNotFoundError):
        remote = {}
    for item in plan.items:
        entry = remote.get(item.path_in_repo)
        item.action = "skip" if entry is not None and _same(item, entry) else "upload"


def _same(item: PlanItem, entry) -> bool:
    lfs = getattr(entry, "lfs", None)
    if lfs is not None:
        sha = lfs.get("sha256") if isinstance(lfs, dict) else getattr(lfs, "sha256", None)
        return sha == item.sha256
    return getattr(entry, "blob_id", None) == item.git_sha1


# ---------------------------------------------------------------- the stage

def push(paths, repo_id: str, private: bool | None = False, auto_subdir: bool = False,
         path_in_repo: str | None = None, repo_type: str = "model", commit_message: str | None = None,
         dry_run: bool = False, api=None, token: str | None = None, include=(), exclude=(),
         include_training_state: bool = False, set_visibility: bool = False,
         readme: str | os.PathLike | None = None) -> PushPlan:
    """Upload files/folders to `repo_id` in one commit, skipping content already there.

    `private=None` means "don't care" (new repos public); `readme` (e.g. RUN/card.md) is uploaded
    as README.md at the destination prefix. `api` is an HfApi (or a compatible fake in tests).
    """
    if repo_type not in ("model", "dataset"):
        raise HubError(f"repo_type must be model or dataset, not {repo_type!r}")
    items = collect(paths, auto_subdir, path_in_repo, include, exclude, include_training_state)
    if readme:
        items = [i for i in items if i.path_in_repo != _join(path_in_repo, "README.md")]
        card = Path(readme)
        items.append(PlanItem(card, _join(path_in_repo, "README.md"), card.stat().st_size, *file_hashes(card)))
    plan = PushPlan(repo_id, repo_type, items, dry_run)
    if dry_run:
        return plan
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=resolve_token(token))
    ensure_repo(api, repo_id, repo_type, private, set_visibility, plan)
    mark_remote_matches(api, plan)
    todo = plan.uploaded
    if todo:
        from huggingface_hub import CommitOperationAdd

        ops = [CommitOperationAdd(path_in_repo=i.path_in_repo, path_or_fileobj=str(i.local)) for i in todo]
        info = api.create_commit(repo_id, operations=ops, repo_type=repo_type,
                                 commit_message=commit_message or f"Upload {len(todo)} files with funcall push")
        plan.commit_url = getattr(info, "commit_url", None)
    return plan


def _join(prefix: str | None, name: str) -> str:
    return "/".join(p for p in ((prefix or "").strip("/"), name) if p)


# ---------------------------------------------------------------- CLI

def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", help="files or folders to upload")
    parser.add_argument("--repo-id", required=True, help="owner/name on the Hub")
    vis = parser.add_mutually_exclusive_group()
    vis.add_argument("--private", dest="private", action="store_true", default=None,
                     help="create the repo private (an existing repo is not changed)")
    vis.add_argument("--public", dest="private", action="store_false", help="create the repo public")
    parser.add_argument("--set-visibility", action="store_true",
                        help="change an existing repo's visibility to match --private/--public")
    parser.add_argument("--auto-subdir", action="store_true", help="each folder under its own name")
    parser.add_argument("--path-in-repo", default=None, help="destination prefix in the repo")
    parser.add_argument("--repo-type", default="model", choices=("model", "dataset"))
    parser.add_argument("--commit-message", default=None)
    parser.add_argument("--dry-run", action="store_true", help="print the plan; no token, no network")
    parser.add_argument("--include", action="append", default=[], help="only paths matching (glob)")
    parser.add_argument("--exclude", action="append", default=[], help="skip paths matching (glob)")
    parser.add_argument("--include-training-state", action="store_true",
                        help="also upload checkpoint-*/, optimizer/scheduler/RNG states")
    parser.add_argument("--readme", default=None, help="upload this file (e.g. RUN/card.md) as README.md")


def run_cli(args) -> int:
    plan = push(args.paths, args.repo_id, private=args.private, auto_subdir=args.auto_subdir,
                path_in_repo=args.path_in_repo, repo_type=args.repo_type,
                commit_message=args.commit_message, dry_run=args.dry_run,
                include=tuple(args.include), exclude=tuple(args.exclude),
                include_training_state=args.include_training_state,
                set_visibility=args.set_visibility, readme=args.readme)
    print(plan.table())
    return 0
