"""The whole book builds with zero warnings (Sphinx -W -n), as `make book` does."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_book_builds_without_warnings():
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", ".", "-W", "-n", "--keep-going", "--all"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    log = result.stdout + result.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert result.returncode == 0 and not warnings, "\n".join(warnings) or log[-4000:]
    assert (ROOT / "_build" / "html" / "index.html").exists()
