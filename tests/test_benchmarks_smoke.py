"""The benchmark script still runs: a --quick pass with tiny n prints a row per
family."""

import subprocess
import sys
from pathlib import Path

import mlelib

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_quick_run_prints_a_row_per_family_and_the_memory_table():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("machine: ") and "numpy" in lines[0]
    memory_start = next(
        i for i, line in enumerate(lines) if line.startswith("peak extra memory")
    )
    timing_rows = [
        row
        for row in map(str.split, lines[:memory_start])
        if row[:1] and row[0] in mlelib.FAMILIES and row[1].isdigit()
    ]
    assert sorted(row[0] for row in timing_rows) == sorted(mlelib.FAMILIES)
    assert all(row[1] == "200" for row in timing_rows)
    memory_rows = [line.split()[0] for line in lines[memory_start + 1 :]]
    assert sorted(memory_rows) == sorted(mlelib.FAMILIES)
    assert "weibull log-likelihoods" in result.stdout and "LOWER" not in result.stdout
