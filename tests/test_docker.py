"""docker-compose.yml and the container start-up, checked without a Docker engine.

The compose file is parsed and its structure asserted (GPU, IPC, ports, volumes, secrets);
the entrypoint is syntax-checked and its requirement filter run here.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def lab(compose):
    return compose["services"]["lab"]


def test_image_is_pinned_and_overridable(lab):
    m = re.fullmatch(r"\$\{UNSLOTH_IMAGE:-unsloth/unsloth:([^}]+)\}", lab["image"])
    assert m, f"image must be ${{UNSLOTH_IMAGE:-unsloth/unsloth:<tag>}}, got {lab['image']}"
    assert m.group(1) not in ("latest", "core", "studio"), "a moving tag is not a pin"
    assert re.fullmatch(r"core-(nightly-\d{4}\.\d{2}\.\d{2}|v[\w.-]+)(@sha256:[0-9a-f]{64})?",
                        m.group(1)), f"unexpected tag format {m.group(1)}"


def test_gpu_reservation_and_shared_memory(lab):
    devices = lab["deploy"]["resources"]["reservations"]["devices"]
    assert any(d["driver"] == "nvidia" and "gpu" in d["capabilities"] for d in devices)
    assert lab.get("ipc") == "host" or lab.get("shm_size"), "need host IPC or a large /dev/shm"


def test_port_bound_to_localhost_unless_opted_in(lab):
    (port,) = lab["ports"]
    assert port.startswith("${JUPYTER_BIND:-127.0.0.1}:"), port
    assert port.endswith(":8888")


def test_repo_and_hf_cache_mounted(compose, lab):
    mounts = dict(v.split(":", 1) for v in lab["volumes"])
    assert mounts["."] == lab["working_dir"], "the repo is the working directory"
    hf_home = lab["environment"]["HF_HOME"]
    named = [src for src, dst in mounts.items() if dst == hf_home]
    assert named and named[0] in compose["volumes"], "the HF cache must be a named volume"


def test_secrets_come_from_the_environment_only(lab):
    env = lab["environment"]
    assert env["HF_TOKEN"] == "${HF_TOKEN:-}" and env["JUPYTER_PASSWORD"] == "${JUPYTER_PASSWORD:-}"
    example = (ROOT / ".env.example").read_text()
    assert re.search(r"^HF_TOKEN=$", example, re.M), ".env.example must not carry a token"
    assert not re.search(r"hf_[A-Za-z0-9]{20,}", example + (ROOT / "docker-compose.yml").read_text())
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert ignored.returncode == 0, ".env must be git-ignored"


def test_entrypoint_installs_without_touching_the_image_stack(lab):
    script = ROOT / "docker" / "entrypoint.sh"
    assert lab["entrypoint"][-1].endswith("docker/entrypoint.sh")
    text = script.read_text()
    assert "pip install -q --no-deps -e ." in text
    assert "-c \"$constraints\"" in text, "missing requirements must be constrained to the image"
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_missing_requirements_reports_only_what_is_absent(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("mr", ROOT / "docker" / "missing_requirements.py")
    mr = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mr)
    lines = ["pyyaml>=6.0  # present\n", "\n", "# comment\n", "no-such-package-xyz>=1.0\n",
             "torch>=999\n"]
    assert mr.missing(lines) == ["no-such-package-xyz>=1.0"]
    assert "keeping the image's" in capsys.readouterr().err  # torch present but out of range


def test_makefile_docker_targets_use_compose():
    make = (ROOT / "Makefile").read_text()
    for target in ("docker-pull", "docker-up", "docker-down"):
        assert re.search(rf"^{target}:.*\n(?:\t.*\n)*?\t.*\$\(COMPOSE\)", make, re.M), target
