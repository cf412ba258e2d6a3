"""Shared fixtures: the book is built once per session, then checked statically and in a
browser; one headless Chromium serves every browser test."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
BROWSER_REPORT = ROOT / "_build" / "browser-report.txt"  # written by test_browser.py
LITE_REPORT = ROOT / "_build" / "lite-report.txt"  # written by test_lite.py


# The notebook open in JupyterLab or JupyterLite (window.jupyterapp): how many code
# cells, how many executed (numbered), whether the kernel is busy, which errors were
# raised; null until a notebook panel is open. Used by test_jupyterlab and test_lite.
CELL_STATE_JS = """() => {
  const panel = window.jupyterapp?.shell.currentWidget;
  if (!panel || !panel.content) return null;
  const cells = panel.content.widgets.filter((c) => c.model.type === "code");
  const source = (c) => c.model.sharedModel.getSource().trim();
  const errors = cells.flatMap((c) => c.model.outputs.toJSON())
    .filter((o) => o.output_type === "error").map((o) => o.ename + ": " + o.evalue);
  return {
    cells: cells.filter((c) => source(c)).length,
    executed: cells.filter((c) => source(c) && c.model.executionCount).length,
    busy: panel.sessionContext.session?.kernel?.status !== "idle",
    errors,
  };
}"""


@pytest.fixture(scope="session")
def book_build(tmp_path_factory):
    """Build the book as `make book` does, from scratch (--all): every warning shows.

    Chapters are rendered from their stored outputs (execution off): nbval re-executes
    every notebook and proves those outputs reproducible, so executing them again here
    would only double the run time. Returns the completed process.
    """
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    extensions = config["sphinx"][
        "local_extensions"
    ]  # paths are relative to the config file
    config["sphinx"]["local_extensions"] = {
        name: str(ROOT / path) for name, path in extensions.items()
    }
    stored_outputs_config = tmp_path_factory.mktemp("book") / "_config.yml"
    stored_outputs_config.write_text(yaml.safe_dump(config, sort_keys=False))

    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    print(
        "\n>>> building the book from the stored outputs"
        " (jupyter-book build -W -n --keep-going --all)",
        file=sys.stderr,
    )
    return subprocess.run(
        [
            str(jupyter_book),
            "build",
            ".",
            "-W",
            "-n",
            "--keep-going",
            "--all",
            "--config",
            str(stored_outputs_config),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.fixture(scope="session")
def site(book_build):
    """The built site's folder; fails (never skips) if the build did not produce it."""
    assert book_build.returncode == 0, (
        "the book build failed:\n" + (book_build.stdout + book_build.stderr)[-4000:]
    )
    assert (HTML / "index.html").exists()
    return HTML


@pytest.fixture(scope="session")
def toc_documents():
    """Documents of _toc.yml in reading order, no suffix ('chapters/01_likelihood')."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    documents = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        documents += [entry["file"] for entry in part["chapters"]]
    return documents


@pytest.fixture(scope="session")
def toc_pages(toc_documents):
    """The HTML page of every document in the toc, relative to the site root."""
    return [f"{doc}.html" for doc in toc_documents]


@pytest.fixture(scope="session")
def chapter_pages(toc_documents):
    """The HTML pages of the notebook chapters (each must show formulas and figures)."""
    return [f"{doc}.html" for doc in toc_documents if (ROOT / f"{doc}.ipynb").exists()]


def pytest_addoption(parser):
    parser.addoption(
        "--lite",
        choices=["subset", "all", "rest"],
        default="subset",
        help="chapters run in JupyterLite by tests/test_lite.py: 1, 8 and the last"
        " (subset, `make test`), every chapter (all, `make test-lite`), or all but the"
        " subset (rest: CI, after make test has run the subset)",
    )


def pytest_sessionstart(session):
    BROWSER_REPORT.unlink(missing_ok=True)
    LITE_REPORT.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter):
    """After the run, one line of what the browser saw (pages, formulas, requests)."""
    for report in (BROWSER_REPORT, LITE_REPORT):
        if report.exists():
            terminalreporter.write_line(report.read_text().strip())


CHROMIUM_HELP = (
    "Chromium is needed for the browser tests. On Debian/Ubuntu: "
    "`sudo apt-get install chromium` (CI's .ci/run installs it). "
    "Playwright's own browser download is not used."
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """The system's Chromium executable (fails, never skips, when there is none)."""
    path = next(
        filter(
            None, map(shutil.which, ["chromium", "chromium-browser", "google-chrome"])
        ),
        None,
    )
    assert path, CHROMIUM_HELP
    return path


@pytest.fixture(scope="session")
def playwright():
    """One Playwright driver for the session (its sync API allows only one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright, chromium):
    browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
