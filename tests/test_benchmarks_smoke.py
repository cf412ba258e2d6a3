"""The benchmark script still runs: a --quick pass with tiny n prints a row per
family, then the fits beyond memory (a memory-mapped file, fit_chunks and Dask)."""

import subprocess
import sys
from pathlib import Path

import pytest

import mlelib

ROOT = Path(__file__).resolve().parent.parent
BEYOND_MEMORY = ("normal", "gamma", "poisson", "weibull")


@pytest.fixture(scope="module")
def quick_run() -> list[str]:
    """The stdout lines of ``benchmarks/run.py --quick`` (run once for this module)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


def test_benchmark_quick_run_prints_a_row_per_family_and_the_memory_table(quick_run):
    lines = quick_run
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
    memory_end = lines.index("", memory_start)
    memory_rows = [line.split()[0] for line in lines[memory_start + 1 : memory_end]]
    assert sorted(memory_rows) == sorted(mlelib.FAMILIES)
    assert "weibull log-likelihoods" in "\n".join(lines)
    assert "LOWER" not in "\n".join(lines)


def test_benchmark_quick_run_fits_a_memory_mapped_file_four_ways(quick_run):
    start = next(
        i for i, line in enumerate(quick_run) if line.startswith("beyond memory")
    )
    lines = quick_run[start:]
    assert "memory-mapped .npy file" in lines[0]
    rows = [
        line.split()
        for line in lines
        if line.split()[:1] and line.split()[0] in BEYOND_MEMORY
    ]
    ways = [(row[0], " ".join(row[2:-5])) for row in rows]
    assert ways == [
        (family, way)
        for family in BEYOND_MEMORY
        for way in ("in memory", "fit_chunks", "dask", "dask lazy")
    ]
    assert [row[1] for row in rows] == [
        "int64" if row[0] == "poisson" else "float64" for row in rows
    ]
    for row in rows:  # ns/value, Mvalues/s, /in memory, MB at the two sizes
        assert all(float(value) >= 0 for value in row[-5:])
    assert any(line.startswith("every way gave the in-memory fit's") for line in lines)
    targets = [line for line in lines if line.startswith(("  met", "  NOT MET"))]
    assert len(targets) == 3 * 2 * len(BEYOND_MEMORY)  # throughput, memory
