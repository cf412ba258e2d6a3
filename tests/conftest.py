"""Shared fixtures: the book is built once per test session, then checked statically and in a browser."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def book_build():
    """Build the whole book as `make book` does, from scratch (--all), so every warning is seen.

    Notebook execution is cached by jupyter-cache, so an unchanged chapter is not re-executed.
    Returns the completed process (returncode, stdout, stderr).
    """
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    print("\n>>> building the book (jupyter-book build -W -n --keep-going --all)", file=sys.stderr)
    return subprocess.run(
        [str(jupyter_book), "build", ".", "-W", "-n", "--keep-going", "--all"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )


@pytest.fixture(scope="session")
def site(book_build):
    """The built site's folder; fails (never skips) if the build did not produce it."""
    assert book_build.returncode == 0, "the book build failed:\n" + (book_build.stdout + book_build.stderr)[-4000:]
    assert (HTML / "index.html").exists()
    return HTML


def _toc_documents():
    """Documents listed in _toc.yml, in reading order, without suffix (e.g. 'chapters/01_likelihood')."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    documents = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        documents += [entry["file"] for entry in part["chapters"]]
    return documents


@pytest.fixture(scope="session")
def toc_documents():
    return _toc_documents()


@pytest.fixture(scope="session")
def toc_pages(toc_documents):
    """The HTML page of every document in the table of contents, relative to the site root."""
    return [f"{doc}.html" for doc in toc_documents]
