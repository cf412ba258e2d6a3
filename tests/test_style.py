"""Code reads well on the page: ruff lints and formats every Python file and notebook.

The configuration (line length 88, rules) is in pyproject.toml; `ruff format .` and
`ruff check --fix .` repair most findings.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.parametrize(
    "command", [["check"], ["format", "--check"]], ids=["lint", "format"]
)
def test_ruff_is_clean(command):
    result = subprocess.run(
        [str(RUFF), *command, "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
