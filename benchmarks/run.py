"""mlelib against scipy and statsmodels, side by side, in one process.

Run:  .venv/bin/python benchmarks/run.py          (n = 1e3, 1e5, 1e6; memory at 1e7;
                                                   beyond memory: 1e8; memory 1e7, 1e8)
      .venv/bin/python benchmarks/run.py --quick  (a smoke run with tiny n, seconds)

For each family and n it prints the median time of mlelib.fit and of the peer's fit
(scipy's ``fit`` for the continuous families, a statsmodels intercept-only model for the
discrete ones, whose log-likelihood includes the constants such as log x!), their ratio
peer/mlelib (> 1: mlelib is faster), the floor (one ``np.log(x).sum()`` pass over data
of that size) and mlelib/floor. Then the peak extra memory of each fit at the largest n,
in multiples of the data array, measured by tracemalloc (numpy reports its allocations
to it), and the Weibull log-likelihoods of both fits, then the targets of issue 10, each
"met" or "NOT MET" with its figure. Then fits beyond memory (issue 13): 10^8 values
from a memory-mapped .npy file through mlelib.fit_chunks and through Dask, against the
in-memory fit (benchmarks/beyond_memory.py, which also runs on its own). Progress goes
to stderr, results to stdout.

A full run also writes its output to benchmarks/RESULTS.md and the targets into the
block of README.md between ``<!-- bench-targets:start -->`` and ``-end -->`` (generated
files, naming the machine; ``--no-write`` skips that).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

# run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import beyond_memory  # noqa: E402  (benchmarks/, the script's own directory)
from beyond_memory import peak_extra_bytes  # noqa: E402

import mlelib  # noqa: E402

# repeat a call until about this long has passed (at least MIN_REPEATS)
SECONDS_PER_MEASUREMENT = 0.4
MIN_REPEATS, MAX_REPEATS = 3, 51
# a call faster than this is timed in batches of calls per round
BATCH_SECONDS = 0.002


def data_for(family: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """A sample of size n from the family, seeded."""
    return {
        "bernoulli": lambda: (rng.random(n) < 0.3).astype(np.int64),
        "binomial": lambda: rng.binomial(20, 0.3, n),
        "categorical": lambda: rng.choice(4, n, p=[0.1, 0.2, 0.3, 0.4]),
        "poisson": lambda: rng.poisson(3.0, n),
        "geometric": lambda: rng.geometric(0.3, n),
        "exponential": lambda: rng.exponential(2.0, n),
        "normal": lambda: rng.normal(3.0, 2.0, n),
        "lognormal": lambda: rng.lognormal(1.0, 0.5, n),
        "laplace": lambda: rng.laplace(1.0, 2.0, n),
        "uniform": lambda: rng.uniform(2.0, 5.0, n),
        "weibull": lambda: 80.0 * rng.weibull(1.5, n),
        "gamma": lambda: rng.gamma(2.0, 3.0, n),
        "normal_mixture": lambda: np.where(
            rng.random(n) < 0.4, rng.normal(-1.0, 1.0, n), rng.normal(2.5, 0.7, n)
        ),
    }[family]()


KNOWN = {"binomial": {"trials": 20}}
# EM from ten starts (normal_mixture) has no peer to compare with and takes minutes at
# n = 10^6: it is timed at the smaller sizes only
LARGEST_N = {"normal_mixture": 10**5}


def statsmodels_peers():
    """Intercept-only statsmodels fits for the discrete families (imported lazily: it is
    slow to import)."""
    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import Logit, MNLogit, Poisson

    def ones(y):
        return np.ones((y.size, 1))

    return {
        "bernoulli": ("statsmodels Logit", lambda y: Logit(y, ones(y)).fit(disp=0).llf),
        "binomial": (
            "statsmodels GLM Binomial",
            lambda y: (
                sm.GLM(
                    np.column_stack([y, 20 - y]), ones(y), family=sm.families.Binomial()
                )
                .fit()
                .llf
            ),
        ),
        "categorical": (
            "statsmodels MNLogit",
            lambda y: MNLogit(y, ones(y)).fit(disp=0).llf,
        ),
        "poisson": (
            "statsmodels Poisson",
            lambda y: Poisson(y, ones(y)).fit(disp=0).llf,
        ),
    }


SCIPY_PEERS = {
    "exponential": ("scipy expon.fit(floc=0)", lambda x: stats.expon.fit(x, floc=0)),
    "normal": ("scipy norm.fit", lambda x: stats.norm.fit(x)),
    "lognormal": ("scipy lognorm.fit(floc=0)", lambda x: stats.lognorm.fit(x, floc=0)),
    "laplace": ("scipy laplace.fit", lambda x: stats.laplace.fit(x)),
    "uniform": ("scipy uniform.fit", lambda x: stats.uniform.fit(x)),
    "weibull": (
        "scipy weibull_min.fit(floc=0)",
        lambda x: stats.weibull_min.fit(x, floc=0),
    ),
    "gamma": ("scipy gamma.fit(floc=0)", lambda x: stats.gamma.fit(x, floc=0)),
}


# a call slower than this (statsmodels MNLogit at 1e6) is timed once
SINGLE_RUN_SECONDS = 5.0


def interleaved_medians(
    calls: dict, data: np.ndarray, budget: float = SECONDS_PER_MEASUREMENT
) -> dict:
    """Median wall time of each ``call(data)``, timed in interleaved rounds (floor,
    mlelib, peer, ...) so that a change in machine load hits all of them alike. Each
    call runs at least MIN_REPEATS times (once if a single run takes
    SINGLE_RUN_SECONDS), more while the budget lasts; a call that has used the budget on
    its own (scipy's Weibull fit at 1e6) stops at MIN_REPEATS. A call faster than
    BATCH_SECONDS is timed as a batch of calls per round (as timeit does), so that
    microsecond calls are not measured against the clock's own overhead."""
    for call in calls.values():  # warm up code paths and caches on a small slice
        call(data[:100])
    batch = {name: _batch_size(call, data) for name, call in calls.items()}
    times = {name: [] for name in calls}
    start = time.perf_counter()
    for _ in range(MAX_REPEATS):
        for name, call in calls.items():
            done = times[name]
            if done and (
                done[0] > SINGLE_RUN_SECONDS
                or (len(done) >= MIN_REPEATS and sum(done) > budget)
            ):
                continue
            t0 = time.perf_counter()
            for _ in range(batch[name]):
                call(data)
            done.append((time.perf_counter() - t0) / batch[name])
        if (
            all(
                len(done) >= MIN_REPEATS or done[0] > SINGLE_RUN_SECONDS
                for done in times.values()
            )
            and time.perf_counter() - start > budget
        ):
            break
    return {name: (statistics.median(done), len(done)) for name, done in times.items()}


def _batch_size(call, data) -> int:
    """How many calls make one timed round last about BATCH_SECONDS (at least one)."""
    t0 = time.perf_counter()
    call(data)
    single = time.perf_counter() - t0
    return max(1, min(1000, int(BATCH_SECONDS / max(single, 1e-9))))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def fmt_ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.3f}"


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


LINES: list[str] = []  # everything printed to stdout, for RESULTS.md


def out(*parts, flush: bool = False) -> None:
    """Print to stdout and keep the text for the generated results file."""
    text = " ".join(str(part) for part in parts)
    print(text, flush=flush)
    LINES.extend(text.split("\n"))


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(
    sizes: list[int],
    memory_n: int,
    budget: float,
    beyond: dict,
    write: bool = False,
) -> list[dict]:
    """Time every family at every size; print the tables; then the fits beyond memory
    (``beyond``: the keywords of beyond_memory.run); return the rows (for tests and
    targets)."""
    import statsmodels

    peers = {**SCIPY_PEERS, **statsmodels_peers()}
    # the load average says whether other work shared the cpus during the run
    machine = (
        f"{cpu_model()}, {len(os.sched_getaffinity(0))} cpus, load average "
        f"{os.getloadavg()[0]:.1f} at the start"
    )
    out(
        f"machine: {machine}; python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, "
        f"statsmodels {statsmodels.__version__}"
    )
    out(
        "times: median ms of repeated calls; peer/mlelib > 1 means mlelib is faster; "
        "floor: one np.log(x).sum() pass over n positive float64 values\n"
    )
    header = (
        f"{'family':<12} {'n':>9} {'mlelib ms':>10} {'peer':<30} {'peer ms':>10} "
        f"{'peer/mlelib':>11} {'floor ms':>9} {'mlelib/floor':>12}"
    )
    out(header)
    out("-" * len(header))
    rows, weibull_logliks = [], []
    for n in sizes:
        rng = np.random.default_rng(12345)
        positive = rng.exponential(1.0, n) + 0.5
        for family in mlelib.FAMILIES:
            if n > LARGEST_N.get(family, n):
                continue
            x = data_for(family, n, rng)
            known = KNOWN.get(family, {})
            peer_name, peer_call = peers.get(family, ("(none)", None))
            calls = {
                "floor": lambda _, positive=positive: np.log(positive).sum(),
                "mlelib": lambda data, family=family, known=known: mlelib.fit(
                    family, data, **known
                ),
            }
            if peer_call is not None:
                calls["peer"] = peer_call
            reduction_name, reduction = REDUCTIONS.get(family, (None, None))
            if reduction is not None:
                calls["reduction"] = reduction
            progress(f"[{family} n={n}] mlelib and {peer_name}")
            with warnings.catch_warnings():
                # statsmodels and scipy warn about convergence on some samples
                warnings.simplefilter("ignore")
                measured = interleaved_medians(calls, x, budget)
            ours, floor = measured["mlelib"][0], measured["floor"][0]
            theirs, runs = measured.get("peer", (None, 0))
            row = {
                "family": family,
                "n": n,
                "mlelib": ours,
                "peer": peer_name,
                "peer_seconds": theirs,
                "ratio": theirs / ours if theirs else None,
                "floor": floor,
                "floor_ratio": ours / floor,
                "reduction": reduction_name,
                "reduction_ratio": (
                    ours / measured["reduction"][0] if reduction is not None else None
                ),
            }
            rows.append(row)
            single = "*" if runs == 1 else " "
            out(
                f"{family:<12} {n:>9} {fmt_ms(ours):>10} {peer_name:<30} "
                f"{fmt_ms(theirs):>10}{single}{fmt_ratio(row['ratio']):>11} "
                f"{fmt_ms(floor):>9} {fmt_ratio(row['floor_ratio']):>12}",
                flush=True,
            )
            if family == "weibull":
                shape, _, scale = stats.weibull_min.fit(x, floc=0)
                weibull_logliks.append(
                    (
                        n,
                        mlelib.fit(family, x).loglik,
                        mlelib.loglik(family, x, shape=shape, scale=scale),
                    )
                )
        out()
    out("(* timed once: a single run takes more than 5 s)\n")

    out("weibull log-likelihoods (ours must be >= scipy's):")
    for n, ours_ll, scipy_ll in weibull_logliks:
        verdict = "ok" if ours_ll >= scipy_ll else "LOWER"
        out(
            f"  n={n:<9} mlelib {ours_ll:.10f}  scipy {scipy_ll:.10f}  "
            f"mlelib - scipy {ours_ll - scipy_ll:+.3e}  {verdict}"
        )

    out(
        f"\npeak extra memory of mlelib.fit at n = {memory_n} "
        "(multiples of the data array):"
    )
    rng = np.random.default_rng(54321)
    memory = {}
    for family in mlelib.FAMILIES:
        if memory_n > LARGEST_N.get(family, memory_n):
            continue
        x = data_for(family, memory_n, rng)
        progress(f"[{family} n={memory_n}] memory")
        known = KNOWN.get(family, {})
        extra = peak_extra_bytes(
            lambda family=family, x=x, known=known: mlelib.fit(family, x, **known)
        )
        memory[family] = extra / x.nbytes
        out(
            f"  {family:<12} {memory[family]:6.2f} x  ({extra / 2**20:8.1f} MiB, "
            f"data {x.dtype} {x.nbytes / 2**20:.1f} MiB)"
        )
    targets = []
    if 10**3 in sizes and 10**6 in sizes:
        targets = print_targets(rows, weibull_logliks, memory)
    targets += ["", *beyond_memory.run(out=out, progress=progress, **beyond)]
    if write:
        write_results(machine, targets)
    return rows


CLOSED_FORMS = ("exponential", "normal", "lognormal", "laplace", "uniform")
STATSMODELS_FAMILIES = ("bernoulli", "binomial", "categorical", "poisson")
# the cheapest reduction each closed form needs, timed as one pass over its data
REDUCTIONS = {
    "exponential": ("x.sum()", lambda x: np.add.reduce(x)),
    "normal": ("x.sum()", lambda x: np.add.reduce(x)),
    "lognormal": ("np.log(x).sum()", lambda x: np.log(x).sum()),
    "laplace": ("x.sum()", lambda x: np.add.reduce(x)),
    "uniform": ("x.min()", lambda x: np.minimum.reduce(x)),
}


def print_targets(rows: list[dict], weibull_logliks: list, memory: dict) -> list[str]:
    """The performance targets of issue 10, judged on this run; returns their lines."""
    at = {(row["family"], row["n"]): row for row in rows}
    lines = []

    def check(label: str, value: float, good: bool, note: str = "") -> None:
        verdict = "met    " if good else "NOT MET"
        lines.append(f"  {verdict}  {label}: {value:.3f}{note}")
        out(lines[-1])

    out("\ntargets at n = 10^6 unless said otherwise:")
    weibull = at[("weibull", 10**6)]
    check(
        "weibull: scipy weibull_min.fit(floc=0) / mlelib >= 100",
        weibull["ratio"],
        weibull["ratio"] >= 100,
    )
    check(
        "weibull: mlelib / floor <= 8",
        weibull["floor_ratio"],
        weibull["floor_ratio"] <= 8,
    )
    gap = min(ours - theirs for _, ours, theirs in weibull_logliks)
    check("weibull: min over n of loglik(mlelib) - loglik(scipy) >= 0", gap, gap >= 0)
    gamma = at[("gamma", 10**6)]
    check(
        "gamma: scipy gamma.fit(floc=0) / mlelib >= 1",
        gamma["ratio"],
        gamma["ratio"] >= 1,
    )
    check(
        "gamma: mlelib / floor <= 1.6",
        gamma["floor_ratio"],
        gamma["floor_ratio"] <= 1.6,
    )
    for family in CLOSED_FORMS:
        row = at[(family, 10**6)]
        check(
            f"{family}: {row['peer']} / mlelib >= 1",
            row["ratio"],
            row["ratio"] >= 1,
            f"   (mlelib = {row['reduction_ratio']:.2f} x one {row['reduction']} pass)",
        )
    for family in STATSMODELS_FAMILIES:
        row = at[(family, 10**6)]
        check(
            f"{family}: {row['peer']} / mlelib >= 40", row["ratio"], row["ratio"] >= 40
        )
    normal = at[("normal", 10**3)]
    check(
        "normal at n = 10^3: scipy norm.fit / mlelib >= 1.3 (per-call overhead)",
        normal["ratio"],
        normal["ratio"] >= 1.3,
    )
    worst = max(memory, key=memory.get)
    check(
        f"peak extra memory <= 3 data arrays (worst: {worst})",
        memory[worst],
        memory[worst] <= 3,
    )
    return lines


def write_results(machine: str, targets: list[str]) -> None:
    """benchmarks/RESULTS.md (the whole output) and the README's targets block."""
    root = Path(__file__).resolve().parent.parent
    stamp = time.strftime("%Y-%m-%d")
    (root / "benchmarks" / "RESULTS.md").write_text(
        "# Benchmark results\n\n"
        f"This file is generated by `make bench` (benchmarks/run.py); do not edit it.\n"
        f"Made on {stamp} on this machine: {machine}.\n\n"
        "```text\n" + "\n".join(LINES).strip("\n") + "\n```\n"
    )
    readme = root / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench-targets:start -->", "<!-- bench-targets:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        block = (
            f"{start}\n"
            f"Generated by `make bench` on {stamp} on {machine}; the full output is "
            "in [benchmarks/RESULTS.md](benchmarks/RESULTS.md).\n\n"
            "```text\n" + "\n".join(targets) + "\n```\n" + end
        )
        readme.write_text(head + block + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes and short budgets: a smoke run"
    )
    parser.add_argument(
        "--no-write",
        action="store_true",
        help="do not write benchmarks/RESULTS.md and the README's targets block",
    )
    args = parser.parse_args(argv)
    if args.quick:
        run(sizes=[200], memory_n=10_000, budget=0.01, beyond=beyond_memory.QUICK)
    else:
        run(
            sizes=[10**3, 10**5, 10**6],
            memory_n=10**7,
            budget=SECONDS_PER_MEASUREMENT,
            beyond=beyond_memory.FULL,
            write=not args.no_write,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
