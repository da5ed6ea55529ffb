"""JupyterLab smoke test: the tutorial opens and runs where people will use it.

Starts `jupyter lab` headless on 127.0.0.1 with a random token and its own config/runtime dirs,
then through the REST API checks the six notebooks are listed and that a kernel imports
funcall_lib (execute_request over the kernel websocket), and takes a screenshot of JupyterLab
with 01_data open in headless Chromium (skipped, with the reason, where Chromium is absent).
`FUNCALL_SCREENSHOT=docs/jupyterlab.png` also copies the screenshot there (how the README's
image is made).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

requests = pytest.importorskip("requests")
websocket = pytest.importorskip("websocket")

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ["01_data", "02_train", "03_infer", "04_eval", "05_merge", "06_push"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server rooted at the repo; yields (base_url, token)."""
    home = tmp_path_factory.mktemp("jupyter")
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_DATA_DIR=str(home / "data"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI often run as root
    # No news or update prompts over the notebook (they would also try the network).
    (home / "config" / "labconfig").mkdir(parents=True)
    (home / "config" / "labconfig" / "default_setting_overrides.json").write_text(json.dumps(
        {"@jupyterlab/apputils-extension:notification":
         {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True}}))
    log = open(home / "lab.log", "wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited: {(home / 'lab.log').read_text()[-2000:]}")
            try:
                if requests.get(f"{base}/api/status", params={"token": token}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer: {(home / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_rest_api_refuses_requests_without_the_token(lab):
    base, _ = lab
    assert requests.get(f"{base}/api/contents/notebooks", timeout=10).status_code == 403


def test_six_notebooks_are_listed(lab):
    base, token = lab
    r = requests.get(f"{base}/api/contents/notebooks", params={"token": token}, timeout=10)
    r.raise_for_status()
    names = {item["name"] for item in r.json()["content"] if item["type"] == "notebook"}
    assert {f"{n}.ipynb" for n in NOTEBOOKS} <= names, f"listed: {sorted(names)}"


def execute(base: str, token: str, kernel_id: str, code: str, timeout: float = 60) -> dict:
    """Run `code` in a kernel over its websocket; returns {"status", "stdout", "error"}."""
    ws = websocket.create_connection(
        f"{base.replace('http', 'ws', 1)}/api/kernels/{kernel_id}/channels?token={token}",
        timeout=timeout)
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    result = {"status": None, "stdout": "", "error": None}
    idle = False    # the reply (shell) may overtake the output (iopub): wait for both
    deadline = time.monotonic() + timeout
    try:
        while (result["status"] is None or not idle) and time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream" and msg["content"]["name"] == "stdout":
                result["stdout"] += msg["content"]["text"]
            elif kind == "error":
                result["error"] = f"{msg['content']['ename']}: {msg['content']['evalue']}"
            elif kind == "execute_reply":
                result["status"] = msg["content"]["status"]
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
    finally:
        ws.close()
    return result


def test_a_kernel_imports_funcall_lib(lab):
    base, token = lab
    r = requests.post(f"{base}/api/kernels", params={"token": token},
                      json={"name": "python3", "path": "notebooks"}, timeout=30)
    r.raise_for_status()
    kernel_id = r.json()["id"]
    try:
        out = execute(base, token, kernel_id,
                      "import funcall_lib, funcall_lib.config as c\n"
                      "print('FUNCALL', funcall_lib.__file__, sorted(c.PRESETS))")
    finally:
        requests.delete(f"{base}/api/kernels/{kernel_id}", params={"token": token}, timeout=30)
    assert out["status"] == "ok", out["error"]
    assert "FUNCALL" in out["stdout"] and str(ROOT / "funcall_lib") in out["stdout"]
    assert "cpu-demo" in out["stdout"]


def chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))
                 if p), None)


def headless(browser: str, profile: Path, *args: str) -> list[str]:
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}",
            "--window-size=1400,900", "--virtual-time-budget=20000", *args]


def first_heading(name: str) -> str:
    """The first line of the notebook's opening markdown cell, without the '#' marks."""
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    return first.source.strip().splitlines()[0].lstrip("#").strip()


def test_screenshot_of_01_data_in_jupyterlab(lab, tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium); "
                    "no screenshot taken")
    base, token = lab
    url = f"{base}/lab/tree/notebooks/01_data.ipynb?token={token}"
    # The rendered page must hold the notebook itself, not an error dialog or a blank shell.
    dom = subprocess.run(headless(browser, tmp_path / "p1", "--dump-dom", url),
                         check=True, capture_output=True, text=True, timeout=180).stdout
    assert "jp-Notebook" in dom, "JupyterLab did not render a notebook"
    heading = first_heading("01_data")
    assert heading.split()[0] in dom, f"01_data's heading {heading!r} is not on the page"
    shot = tmp_path / "jupyterlab.png"
    subprocess.run(headless(browser, tmp_path / "p2", f"--screenshot={shot}", url),
                   check=True, capture_output=True, timeout=180)
    image = pytest.importorskip("matplotlib.image").imread(shot)
    assert image.shape[:2] == (900, 1400)
    colours = {tuple(px) for px in (image[::4, ::4, :3] * 255).astype(int).reshape(-1, 3)}
    assert len(colours) > 50, f"screenshot looks blank ({len(colours)} colours)"
    if os.environ.get("FUNCALL_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["FUNCALL_SCREENSHOT"])
