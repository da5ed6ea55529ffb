"""`funcall push` against an in-memory HfApi fake; HF_HUB_OFFLINE=1 makes any real request fail."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pytest

from funcall_lib import card, hub

SENTINEL = "hf_SENTINELtoken0123456789abcdef"
LFS_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf")


class FakeCommitInfo:
    def __init__(self, n):
        self.commit_url = f"https://hub.invalid/commit/{n}"


class FakeHfApi:
    """Stores files by (repo, path); answers repo_info/get_paths_info/list_repo_tree like the Hub."""

    def __init__(self, fail_after=None):
        self.repos: dict[tuple[str, str], dict] = {}   # (type, id) -> {"private", "files": {path: bytes}}
        self.calls: list[tuple] = []
        self.fail_after = fail_after      # raise while committing, after reading this many files

    def _repo(self, repo_id, repo_type):
        from huggingface_hub.errors import RepositoryNotFoundError

        key = (repo_type or "model", repo_id)
        if key not in self.repos:
            import httpx

            response = httpx.Response(404, request=httpx.Request("GET", "https://hub.invalid"))
            raise RepositoryNotFoundError(f"{repo_id} not found", response=response)
        return self.repos[key]

    def repo_info(self, repo_id, repo_type=None, **kw):
        self.calls.append(("repo_info", repo_id, repo_type))
        repo = self._repo(repo_id, repo_type)
        return type("Info", (), {"private": repo["private"], "id": repo_id})()

    def create_repo(self, repo_id, repo_type=None, private=None, exist_ok=False, **kw):
        self.calls.append(("create_repo", repo_id, repo_type, private))
        self.repos.setdefault((repo_type or "model", repo_id), {"private": bool(private), "files": {}})

    def update_repo_settings(self, repo_id, repo_type=None, private=None, **kw):
        self.calls.append(("update_repo_settings", repo_id, private))
        self._repo(repo_id, repo_type)["private"] = private

    def _entry(self, path, data):
        from huggingface_hub.hf_api import RepoFile

        sha1 = hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()
        lfs = None
        if path.endswith(LFS_SUFFIXES):
            lfs = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 130}
            sha1 = hashlib.sha1(b"pointer " + path.encode()).hexdigest()   # pointer blob, not content
        return RepoFile(path=path, size=len(data), oid=sha1, lfs=lfs)

    def get_paths_info(self, repo_id, paths, expand=False, repo_type=None, **kw):
        self.calls.append(("get_paths_info", repo_id, len(paths)))
        files = self._repo(repo_id, repo_type)["files"]
        return [self._entry(p, files[p]) for p in paths if p in files]

    def list_repo_tree(self, repo_id, path_in_repo=None, recursive=False, expand=False, repo_type=None, **kw):
        self.calls.append(("list_repo_tree", repo_id))
        return [self._entry(p, d) for p, d in self._repo(repo_id, repo_type)["files"].items()]

    def create_commit(self, repo_id, operations, commit_message, repo_type=None, **kw):
        ops = list(operations)
        self.calls.append(("create_commit", repo_id, [o.path_in_repo for o in ops], commit_message))
        staged = {}
        for n, op in enumerate(ops):
            if self.fail_after is not None and n >= self.fail_after:
                self.fail_after = None
                raise ConnectionError("connection reset during upload (simulated)")
            staged[op.path_in_repo] = Path(op.path_or_fileobj).read_bytes()
        self._repo(repo_id, repo_type)["files"].update(staged)   # a commit lands all or nothing
        return FakeCommitInfo(len(self.calls))

    def commits(self):
        return [c for c in self.calls if c[0] == "create_commit"]


@pytest.fixture()
def run(tmp_path):
    r = tmp_path / "run"
    (r / "adapter").mkdir(parents=True)
    (r / "adapter" / "adapter_model.safetensors").write_bytes(b"\x00weights" * 100)
    (r / "adapter" / "adapter_config.json").write_text('{"r": 4}')
    (r / "adapter" / "checkpoint-10").mkdir()
    (r / "adapter" / "checkpoint-10" / "optimizer.pt").write_bytes(b"opt")
    (r / "adapter" / "optimizer.pt").write_bytes(b"opt")
    (r / "adapter" / "rng_state_0.pth").write_bytes(b"rng")
    (r / "eval").mkdir()
    (r / "eval" / "test.json").write_text(json.dumps({"n": 4, "task_pass_rate": 0.5, "adapter": "a"}))
    (r / "eval" / "base_test.json").write_text(json.dumps({"n": 4, "task_pass_rate": 0.25, "adapter": None}))
    (r / "eval" / "test.examples.jsonl").write_text('{"id": "x"}\n')
    return r


def test_two_folders_one_commit_then_idempotent(run):
    api = FakeHfApi()
    first = hub.push([run / "adapter", run / "eval"], "me/r", auto_subdir=True, api=api)
    assert len(api.commits()) == 1
    files = api.repos[("model", "me/r")]["files"]
    assert set(files) == {"adapter/adapter_model.safetensors", "adapter/adapter_config.json",
                          "eval/test.json", "eval/base_test.json", "eval/test.examples.jsonl"}
    assert len(first.uploaded) == 5
    second = hub.push([run / "adapter", run / "eval"], "me/r", auto_subdir=True, api=api)
    assert len(api.commits()) == 1 and second.uploaded == [] and len(second.skipped) == 5
    (run / "eval" / "test.json").write_text('{"n": 5}')     # one changed file -> only it goes up
    third = hub.push([run / "adapter", run / "eval"], "me/r", auto_subdir=True, api=api)
    assert [i.path_in_repo for i in third.uploaded] == ["eval/test.json"]
    assert files["eval/test.json"] == b'{"n": 5}'


def test_training_state_excluded_unless_asked(run):
    api = FakeHfApi()
    (run / ".lock").write_text("training by pid 1 on a-host since 2026-01-01 00:00:00\n")
    hub.push([run], "me/r", api=api, include_training_state=True)
    files = api.repos[("model", "me/r")]["files"]
    assert "adapter/checkpoint-10/optimizer.pt" in files and ".lock" not in files   # it names the host
    plan = hub.push([run / "adapter"], "me/r2", dry_run=True)
    assert sorted(i.path_in_repo for i in plan.items) == ["adapter_config.json", "adapter_model.safetensors"]


def test_private_created_and_existing_visibility_not_flipped(run):
    api = FakeHfApi()
    plan = hub.push([run / "adapter"], "me/p", private=True, api=api)
    assert plan.created_repo and api.repos[("model", "me/p")]["private"] is True
    again = hub.push([run / "eval"], "me/p", private=False, api=api)
    assert api.repos[("model", "me/p")]["private"] is True
    assert any("left private" in w for w in again.warnings)
    assert not [c for c in api.calls if c[0] == "update_repo_settings"]
    flipped = hub.push([run / "eval"], "me/p", private=False, set_visibility=True, api=api)
    assert api.repos[("model", "me/p")]["private"] is False and flipped.warnings


def test_public_by_default(run):
    api = FakeHfApi()
    hub.push([run / "eval"], "me/pub", api=api)
    assert api.repos[("model", "me/pub")]["private"] is False


def test_path_in_repo_and_dataset_repo(run):
    api = FakeHfApi()
    hub.push([run / "eval"], "me/d", repo_type="dataset", path_in_repo="reports/v1", api=api)
    files = api.repos[("dataset", "me/d")]["files"]
    assert "reports/v1/test.json" in files and ("model", "me/d") not in api.repos
    hub.push([run / "adapter"], "me/m", path_in_repo="adapters/toolcall", auto_subdir=True, api=api)
    assert "adapters/toolcall/adapter/adapter_config.json" in api.repos[("model", "me/m")]["files"]
    with pytest.raises(hub.HubError, match="repo_type"):
        hub.push([run / "eval"], "me/x", repo_type="space", api=api)


def test_clashing_destinations_are_an_error(run, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "adapter_config.json").write_text("{}")
    with pytest.raises(hub.HubError, match="both upload"):
        hub.push([run / "adapter", other], "me/c", dry_run=True)


def test_interrupted_upload_rerun_completes(run):
    api = FakeHfApi(fail_after=1)
    with pytest.raises(ConnectionError):
        hub.push([run / "adapter", run / "eval"], "me/i", auto_subdir=True, api=api)
    assert api.repos[("model", "me/i")]["files"] == {}
    plan = hub.push([run / "adapter", run / "eval"], "me/i", auto_subdir=True, api=api)
    assert len(plan.uploaded) == 5 and len(api.repos[("model", "me/i")]["files"]) == 5


def test_dry_run_needs_no_token_and_no_network(run, monkeypatch, capsys):
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(run / "empty-hf-home"))
    monkeypatch.setattr(hub, "resolve_token", lambda *a: pytest.fail("dry run asked for a token"))
    args = _parse(["push", str(run / "adapter"), "--repo-id", "me/r", "--dry-run"])
    assert hub.run_cli(args) == 0
    out = capsys.readouterr().out
    assert "upload (remote not checked)" in out and "adapter_model.safetensors" in out
    assert "optimizer.pt" not in out


def test_missing_token_is_a_clear_error(run, monkeypatch):
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(run / "empty-hf-home"))
    monkeypatch.setenv("HF_TOKEN_PATH", str(run / "empty-hf-home" / "token"))
    with pytest.raises(hub.HubError, match="HF_TOKEN.*HUGGING_FACE_HUB_TOKEN.*hf auth login"):
        hub.push([run / "eval"], "me/r")


def test_token_never_in_output_or_logs(run, monkeypatch, capsys, caplog):
    monkeypatch.setenv("HF_TOKEN", SENTINEL)
    made = {}

    class TokenCheckingApi(FakeHfApi):
        def __init__(self, token=None):
            super().__init__()
            made["token"] = token

    monkeypatch.setattr("huggingface_hub.HfApi", TokenCheckingApi)
    caplog.set_level(logging.DEBUG)
    args = _parse(["-v", "push", str(run / "adapter"), "--repo-id", "me/t", "--private"])
    assert hub.run_cli(args) == 0
    assert made["token"] == SENTINEL      # the token was used ...
    captured = capsys.readouterr()
    text = captured.out + captured.err + caplog.text
    assert SENTINEL not in text and "SENTINEL" not in text   # ... and never shown


def test_readme_card_uploaded_as_readme(run):
    path = card.write_card(run, repo_id="me/r")
    text = path.read_text()
    assert "function-calling" in text and "apply_chat_template" in text and "tools=tools" in text
    assert "| task_pass_rate | 0.250 | 0.500 |" in text      # base column first, then tuned
    api = FakeHfApi()
    hub.push([run / "adapter"], "me/r", readme=path, api=api)
    assert api.repos[("model", "me/r")]["files"]["README.md"] == path.read_bytes()


def test_git_sha1_matches_git(tmp_path):
    import shutil
    import subprocess

    f = tmp_path / "a.txt"
    f.write_bytes(b"hello\n")
    if not shutil.which("git"):
        pytest.skip("git not installed")
    want = subprocess.run(["git", "hash-object", str(f)], capture_output=True, text=True).stdout.strip()
    assert hub.file_hashes(f)[1] == want


def _parse(argv):
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("-v", action="store_true")
    sub = parser.add_subparsers()
    hub.add_arguments(sub.add_parser("push"))
    return parser.parse_args(argv)
