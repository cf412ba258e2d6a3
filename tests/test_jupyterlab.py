"""Running the notebooks locally works as the README says (`make lab`).

A real Jupyter server from .venv serves a copy of a chapter; headless Chromium opens it
in JupyterLab, runs all its cells with the kernel of .venv (mlelib importable) and finds
every code cell executed and no error output.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import CELL_STATE_JS

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = "01_likelihood.ipynb"
TOKEN = "course-test-token"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """`jupyter lab` from .venv on a copy of a chapter (autosave cannot touch it)."""
    folder = tmp_path_factory.mktemp("lab")
    notebook = nbformat.read(ROOT / "chapters" / CHAPTER, as_version=4)
    for cell in notebook.cells:  # start from a notebook that has never run
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, folder / CHAPTER)
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(folder / ".config")}
    env["JUPYTER_RUNTIME_DIR"] = str(folder / ".runtime")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={TOKEN}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *(["--allow-root"] if os.geteuid() == 0 else []),  # CI runs as root
            str(folder),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        assert server.poll() is None, "jupyter lab exited:\n" + server.stderr.read()
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            assert time.monotonic() < deadline, "jupyter lab did not start in 120 s"
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)


def test_a_chapter_runs_in_jupyterlab(lab_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{lab_server}/lab/tree/{CHAPTER}?token={TOKEN}")
    page.wait_for_function(
        "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.isReady",
        timeout=120_000,
    )
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session"
        ".kernel.status === 'idle'",
        timeout=120_000,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline = time.monotonic() + 300
    while True:
        state = page.evaluate(CELL_STATE_JS)
        if state["errors"] or (
            state["executed"] == state["cells"] and not state["busy"]
        ):
            break
        assert time.monotonic() < deadline, f"cells still running after 300 s: {state}"
        time.sleep(1)
    page.screenshot(path=str(ROOT / "_build" / "jupyterlab.png"))
    page.close()
    assert not state["errors"], state["errors"]
    assert state["cells"] > 5 and state["executed"] == state["cells"], state
