"""Every command the guide and the README show is real.

Shell code blocks are read from FUNCTION_CALLING_FINETUNE.md and README.md; each `funcall ...`
line is parsed by the real argparse parser (funcall_lib.cli.build_parser), each
`python -m funcall_lib.notebooks|demo ...` by that module's parser, and each `make ...` target
must exist in the Makefile.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["FUNCTION_CALLING_FINETUNE.md", "README.md"]
SHELL_BLOCK = re.compile(r"```(?:bash|sh|shell|console)\n(.*?)```", re.S)


def commands(doc: str) -> list[list[str]]:
    """Commands in the doc's shell blocks: continuations joined, split on && ; |, env stripped."""
    out = []
    for block in SHELL_BLOCK.findall((ROOT / doc).read_text(encoding="utf-8")):
        text = re.sub(r"\\\n\s*", " ", block)
        for line in text.splitlines():
            line = line.strip().removeprefix("$ ")
            if not line or line.startswith("#"):
                continue
            for part in re.split(r"&&|;|\|\|?", line):
                words = shlex.split(part, comments=True)
                while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                    words = words[1:]  # VAR=value prefixes
                if words:
                    out.append(words)
    return out


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z0-9-]*):", text, re.M))


def parser_for(words: list[str]):
    """(parser, argv) for commands we own, else None."""
    if words[0] == "funcall" or words[:3] == ["python", "-m", "funcall_lib"]:
        from funcall_lib.cli import build_parser

        return build_parser(), words[1:] if words[0] == "funcall" else words[3:]
    if words[:2] in (["python", "-m"], [".venv/bin/python", "-m"]) and \
            words[2] in ("funcall_lib.notebooks", "funcall_lib.demo"):
        import importlib

        return importlib.import_module(words[2]).build_parser(), words[3:]
    return None


@pytest.mark.parametrize("doc", DOCS)
def test_doc_has_commands(doc):
    assert (ROOT / doc).is_file(), f"{doc} is missing"
    found = commands(doc)
    assert any(w[0] == "make" for w in found), f"{doc} shows no make command"


@pytest.mark.parametrize("doc", DOCS)
def test_every_funcall_command_parses(doc, capsys):
    checked, bad = 0, []
    for words in commands(doc):
        found = parser_for(words)
        if found is None:
            continue
        parser, argv = found
        try:
            parser.parse_args(argv)
        except SystemExit:
            bad.append(f"`{shlex.join(words)}`: "
                       f"{capsys.readouterr().err.strip().splitlines()[-1:]}")
        checked += 1
    assert not bad, f"{doc}: commands not accepted:\n" + "\n".join(bad)
    if doc == "FUNCTION_CALLING_FINETUNE.md":
        assert checked >= 8, f"expected the guide to show the funcall commands, found {checked}"


@pytest.mark.parametrize("doc", DOCS)
def test_every_make_target_exists(doc):
    targets = makefile_targets()
    for words in commands(doc):
        if words[0] != "make":
            continue
        for arg in words[1:]:
            if "=" in arg or arg.startswith("-"):
                continue
            assert arg in targets, f"{doc}: `{shlex.join(words)}`: no target {arg!r} in the Makefile"


def test_extractor_sees_flags_and_continuations(tmp_path, monkeypatch):
    doc = tmp_path / "x.md"
    doc.write_text("```bash\nfuncall train --data d \\\n  --out r  # c\nPRESET=gpu make train && make eval\n```\n"
                   "```python\nfuncall nope\n```\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert commands("x.md") == [["funcall", "train", "--data", "d", "--out", "r"],
                                ["make", "train"], ["make", "eval"]]
