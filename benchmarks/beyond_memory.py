"""Fitting data that need not fit in memory (issue 13): 10^8 values from a memory-mapped
.npy file, fitted four ways, for normal, gamma, poisson and weibull.

Run:  .venv/bin/python benchmarks/beyond_memory.py          (n = 1e8; memory 1e7, 1e8)
      .venv/bin/python benchmarks/beyond_memory.py --quick  (a smoke run, tiny n)
`make bench` runs it from benchmarks/run.py, which writes its table into RESULTS.md and
its targets into the README.

Each family's sample is written once (seeded, in blocks) into a .npy file in a
temporary directory, removed afterwards: float64, except poisson, whose counts are
stored as int64 (the dtype of counts; also 8 bytes a value).
``mm = np.load(path, mmap_mode="r")``, then:

  in memory   ``mlelib.fit(family, x)`` on the file loaded whole (``x = np.load(path)``;
              the load is not timed): the reference throughput;
  fit_chunks  ``mlelib.fit_chunks(family, lambda: (mm[i:i + C] for i in ...))``;
  dask        ``mlelib.fit(family, dask.array.from_array(mm, chunks=C))`` with Dask's
              threaded scheduler (from_array copies a memmap into memory whole:
              dask/dask#11850, open);
  dask lazy   the same fit of a Dask array built by the memory-mapping recipe of
              Dask's documentation (``lazy_dask_array``), which reads nothing before
              its tasks run.

Times are medians of interleaved rounds (one call of each way per round). Peak extra
memory is what tracemalloc (numpy reports its allocations to it) saw allocated during
the call beyond what was allocated before it, measured in calls of their own at two
sizes (the first 10^7 values and all 10^8), to show whether it grows with n; for "in
memory" the call includes the load (``np.array(mm[:n])``). Every way must give the
same parameters and log-likelihood as the in-memory fit to 1e-12 relative, or the
benchmark stops.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

# run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import mlelib  # noqa: E402

SAMPLERS = {  # the same laws as run.py's data_for
    "normal": lambda rng, k: rng.normal(3.0, 2.0, k),
    "gamma": lambda rng, k: rng.gamma(2.0, 3.0, k),
    "poisson": lambda rng, k: rng.poisson(3.0, k),  # int64
    "weibull": lambda rng, k: 80.0 * rng.weibull(1.5, k),
}
CHUNK = 2**20  # values per chunk, for fit_chunks and Dask (8 MB of float64)
WRITE_BLOCK = 2**22  # values generated and written at a time
ROUNDS = 3
TARGET_RATIO = 0.5  # throughput of fit_chunks and of Dask over the in-memory fit
TARGET_MB = 256  # peak extra memory of fit_chunks and Dask, whatever n
RTOL = 1e-12  # parameters and log-likelihood against the in-memory fit
MB = 10**6
FULL = {"n": 10**8, "sizes": [10**7, 10**8]}
QUICK = {"n": 20_000, "sizes": [2_000, 20_000], "chunk": 1_000, "rounds": 1}


def write_sample(path: Path, family: str, n: int, progress: Callable) -> None:
    """A seeded sample of n values from the family, written into the .npy file at path
    block by block (never whole in memory), with a progress line every tenth."""
    rng = np.random.default_rng(2026)
    dtype = SAMPLERS[family](rng, 1).dtype
    out = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(n,))
    tenth = 0
    for start in range(0, n, WRITE_BLOCK):
        stop = min(start + WRITE_BLOCK, n)
        out[start:stop] = SAMPLERS[family](rng, stop - start)
        if stop * 10 // n > tenth:
            tenth = stop * 10 // n
            progress(f"[{family}] writing {n} {dtype} values: {tenth * 10}%")
    out.flush()
    del out


def chunks_of(mm: np.ndarray, chunk: int) -> Callable:
    """The zero-argument callable fit_chunks calls once per pass: a fresh generator of
    the memmap's consecutive slices (views: nothing is read until they are used)."""
    return lambda: (mm[i : i + chunk] for i in range(0, mm.size, chunk))


def lazy_dask_array(mm: np.memmap, chunk: int):
    """A Dask array of the memmap's file built by the memory-mapping recipe of Dask's
    documentation: one task per chunk, which slices the file's memmap when it runs
    (``dask.array.from_array`` copies a memmap into memory whole: dask/dask#11850)."""
    import dask
    import dask.array as da

    block = dask.delayed(_file_slice, pure=True)
    return da.concatenate(
        [
            da.from_delayed(
                block(mm.filename, i, min(i + chunk, mm.size)),
                shape=(min(chunk, mm.size - i),),
                dtype=mm.dtype,
            )
            for i in range(0, mm.size, chunk)
        ]
    )


def _file_slice(path: str, start: int, stop: int) -> np.ndarray:
    return np.load(path, mmap_mode="r")[start:stop]


def ways(family: str, chunk: int) -> dict[str, Callable]:
    """The fits, each a call on an array (the loaded sample for "in memory", the
    memmap for the others)."""
    import dask
    import dask.array as da

    def with_dask(make_array):
        def call(mm):
            with dask.config.set(scheduler="threads"):
                return mlelib.fit(family, make_array(mm))

        return call

    return {
        "in memory": lambda x: mlelib.fit(family, x),
        "fit_chunks": lambda mm: mlelib.fit_chunks(family, chunks_of(mm, chunk)),
        "dask": with_dask(lambda mm: da.from_array(mm, chunks=chunk)),
        "dask lazy": with_dask(lambda mm: lazy_dask_array(mm, chunk)),
    }


def timed_rounds(calls: dict, inputs: dict, rounds: int, progress: Callable) -> dict:
    """Median wall time of each call on its input over interleaved rounds (so that a
    change in machine load hits every way alike), and the fit of its last call."""
    times = {name: [] for name in calls}
    fits = {}
    for r in range(rounds):
        for name, call in calls.items():
            progress(f"  round {r + 1}/{rounds}: {name}")
            t0 = time.perf_counter()
            fits[name] = call(inputs[name])
            times[name].append(time.perf_counter() - t0)
    return {name: (statistics.median(times[name]), fits[name]) for name in calls}


def check_same(family: str, name: str, reference, fit) -> None:
    """Stop the benchmark unless ``fit`` has the reference's parameters and
    log-likelihood to RTOL relative (a benchmark of a wrong answer is worthless)."""
    pairs = [(key, reference.params[key], fit.params[key]) for key in reference.params]
    pairs.append(("loglik", reference.loglik, fit.loglik))
    for key, want, got in pairs:
        if not abs(got - want) <= RTOL * abs(want):
            raise AssertionError(
                f"{family} {name}: {key} = {got!r}, in memory {want!r} "
                f"(relative difference {abs(got - want) / abs(want):.2e} > {RTOL})"
            )
    if fit.n != reference.n:
        raise AssertionError(f"{family} {name}: n = {fit.n}, in memory {reference.n}")


def peak_extra_bytes(call: Callable) -> int:
    """Peak memory allocated during ``call()`` beyond what was allocated before it
    (tracemalloc; it traces every thread, Dask's workers too)."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def peak_memory(calls: dict, mm: np.ndarray, sizes: list[int], progress) -> dict:
    """Peak extra bytes of each way on the first m values of the memmap, for each m in
    sizes; "in memory" loads them first (np.array copies them out of the file)."""
    peaks = {}
    for name, call in calls.items():
        for m in sizes:
            progress(f"  memory at n={m}: {name}")
            data = mm[:m]
            if name == "in memory":
                peaks[name, m] = peak_extra_bytes(lambda c=call, d=data: c(np.array(d)))
            else:
                peaks[name, m] = peak_extra_bytes(lambda c=call, d=data: c(d))
    return peaks


def measure_family(
    family: str, n: int, sizes: list[int], chunk: int, rounds: int, tmp: Path, progress
) -> list[dict]:
    """Write the family's sample, time the ways, check they agree, measure their
    memory, remove the file; one row per way."""
    path = tmp / f"{family}.npy"
    write_sample(path, family, n, progress)
    mm = np.load(path, mmap_mode="r")
    calls = ways(family, chunk)
    warm = mm[: min(n, 3 * chunk)]  # warm code paths (and Dask's imports) on a slice
    for name, call in calls.items():
        call(np.array(warm) if name == "in memory" else warm)
    x = np.load(path)
    progress(f"[{family} n={n}] timing {', '.join(calls)} ({rounds} rounds)")
    inputs = {name: x if name == "in memory" else mm for name in calls}
    timed = timed_rounds(calls, inputs, rounds, progress)
    del x, inputs
    reference = timed["in memory"][1]
    for name in calls:
        check_same(family, name, reference, timed[name][1])
    progress(f"[{family}] peak extra memory")
    peaks = peak_memory(calls, mm, sizes, progress)
    del mm
    path.unlink()
    base = timed["in memory"][0]
    return [
        {
            "family": family,
            "dtype": str(reference_dtype(family)),
            "way": name,
            "n": n,
            "seconds": seconds,
            "ratio": base / seconds,
            "peaks": {m: peaks[name, m] for m in sizes},
        }
        for name, (seconds, _) in timed.items()
    ]


def reference_dtype(family: str) -> np.dtype:
    return SAMPLERS[family](np.random.default_rng(0), 1).dtype


def power(n: int) -> str:
    """10^8 for a power of ten, else the number."""
    digits = str(n)
    if digits.startswith("1") and set(digits[1:]) <= {"0"} and n >= 10:
        return f"10^{len(digits) - 1}"
    return digits


def print_table(rows: list[dict], sizes: list[int], out: Callable) -> None:
    """One line per family and way: time per value, throughput, its ratio to the
    in-memory fit, peak extra memory at each size."""
    memory = " ".join(f"{'MB n=' + power(m):>12}" for m in sizes)
    header = (
        f"{'family':<8} {'dtype':<7} {'way':<10} {'ns/value':>9} "
        f"{'Mvalues/s':>10} {'/in memory':>10} {memory}"
    )
    out(header)
    out("-" * len(header))
    for row in rows:
        per_value = row["seconds"] / row["n"]
        peaks = " ".join(f"{row['peaks'][m] / MB:>12.1f}" for m in sizes)
        out(
            f"{row['family']:<8} {row['dtype']:<7} {row['way']:<10} "
            f"{per_value * 1e9:>9.2f} {1e-6 / per_value:>10.1f} "
            f"{row['ratio']:>10.2f} {peaks}",
            flush=True,
        )


def targets(rows: list[dict], sizes: list[int], out: Callable) -> list[str]:
    """The targets of issue 13 for fit_chunks and Dask, judged on this run; returns
    their lines."""
    n = power(rows[0]["n"])
    lines = [f"beyond memory (issue 13), n = {n} from a memory-mapped .npy file:"]
    out("\n" + lines[0])
    for row in rows:
        if row["way"] == "in memory":
            continue
        label = f"{row['family']} {row['way']}"
        ratio = row["ratio"]
        lines.append(
            f"  {'met    ' if ratio >= TARGET_RATIO else 'NOT MET'}  {label}: "
            f"throughput / in-memory fit's >= {TARGET_RATIO}: {ratio:.3f}"
        )
        out(lines[-1])
        peaks = [row["peaks"][m] / MB for m in sizes]
        at = ", ".join(f"{p:.1f} at n = {power(m)}" for p, m in zip(peaks, sizes))
        lines.append(
            f"  {'met    ' if max(peaks) <= TARGET_MB else 'NOT MET'}  {label}: "
            f"peak extra memory <= {TARGET_MB} MB whatever n: {max(peaks):.3f}"
            f"   (MB: {at})"
        )
        out(lines[-1])
    return lines


NOTES = """\
  in memory:  mlelib.fit(family, x), x the file loaded whole (the load is not timed)
  fit_chunks: mlelib.fit_chunks(family, lambda: (mm[i:i+C] for i in range(0, n, C)))
  dask:       mlelib.fit(family, dask.array.from_array(mm, chunks=C)), Dask's
              threaded scheduler; from_array copies the memmap into memory whole
              (Dask {dask_version}; dask/dask#11850), inside the timed call
  dask lazy:  the same, the Dask array built by the memory-mapping recipe of Dask's
              documentation (a task per chunk slicing np.load(path, mmap_mode="r"))
  ns/value, Mvalues/s: median time of interleaved rounds; /in memory: throughput over
    the in-memory fit's (target >= {ratio} for fit_chunks and dask)
  MB n=...: peak extra memory during the call, in 10^6 bytes, on the first n values
    of the file, by tracemalloc (numpy reports its allocations to it); for "in memory"
    the load is included (target <= {target_mb} MB for fit_chunks and dask, whatever n).
    The memory-mapped pages are the kernel's page cache, not extra memory: tracemalloc
    does not count them, and the kernel drops them when it needs the room.
  Each file has just been written, so it is read from a warm page cache: the times are
    of the computation, not of the disk.
"""


def run(
    n: int,
    sizes: list[int],
    out: Callable,
    progress: Callable,
    chunk: int = CHUNK,
    rounds: int = ROUNDS,
) -> list[str]:
    """Measure every family; print the table and the targets; return the target
    lines."""
    out(
        f"\nbeyond memory: n = {power(n)} values in a memory-mapped .npy file "
        f"({n * 8 / MB:g} MB; float64, poisson int64), chunks of C = {chunk} values"
    )
    import dask

    notes = {"target_mb": TARGET_MB, "ratio": TARGET_RATIO}
    out(NOTES.format(dask_version=dask.__version__, **notes))
    with tempfile.TemporaryDirectory(prefix="mlelib-bench-") as tmp:
        rows = []
        for family in SAMPLERS:
            rows += measure_family(family, n, sizes, chunk, rounds, Path(tmp), progress)
    print_table(rows, sizes, out)
    out(
        "every way gave the in-memory fit's parameters and log-likelihood to "
        f"{RTOL} relative (checked: the run stops otherwise)"
    )
    return targets(rows, sizes, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="tiny n and chunks: a smoke run, seconds"
    )
    args = parser.parse_args(argv)

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def out(*parts, flush: bool = False) -> None:
        print(*parts, flush=flush)

    run(out=out, progress=progress, **(QUICK if args.quick else FULL))
    return 0


if __name__ == "__main__":
    sys.exit(main())
