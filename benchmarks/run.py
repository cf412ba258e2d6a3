"""mlelib against scipy and statsmodels, side by side, in one process.

Run:  .venv/bin/python benchmarks/run.py            (n = 1e3, 1e5, 1e6; memory at n = 1e7)
      .venv/bin/python benchmarks/run.py --quick    (a smoke run with tiny n, a few seconds)

For each family and n it prints the median time of mlelib.fit and of the peer's fit (scipy's
``fit`` for the continuous families, a statsmodels intercept-only model for the discrete ones, whose
log-likelihood includes the constants such as log x!), their ratio peer/mlelib (> 1: mlelib is
faster), the floor (one ``np.log(x).sum()`` pass over data of that size) and mlelib/floor. Then the
peak extra memory of each fit at the largest n, in multiples of the data array, measured by
tracemalloc (numpy reports its allocations to it), and the Weibull log-likelihoods of both fits.
Progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing
import mlelib  # noqa: E402

SECONDS_PER_MEASUREMENT = 0.4  # repeat a call until about this long has passed (at least MIN_REPEATS)
MIN_REPEATS, MAX_REPEATS = 3, 51


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
    }[family]()


KNOWN = {"binomial": {"trials": 20}}


def statsmodels_peers():
    """Intercept-only statsmodels fits for the discrete families (imported lazily: it is slow to import)."""
    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import Logit, MNLogit, Poisson

    def ones(y):
        return np.ones((y.size, 1))

    return {
        "bernoulli": ("statsmodels Logit", lambda y: Logit(y, ones(y)).fit(disp=0).llf),
        "binomial": ("statsmodels GLM Binomial",
                     lambda y: sm.GLM(np.column_stack([y, 20 - y]), ones(y), family=sm.families.Binomial()).fit().llf),
        "categorical": ("statsmodels MNLogit", lambda y: MNLogit(y, ones(y)).fit(disp=0).llf),
        "poisson": ("statsmodels Poisson", lambda y: Poisson(y, ones(y)).fit(disp=0).llf),
    }


SCIPY_PEERS = {
    "exponential": ("scipy expon.fit(floc=0)", lambda x: stats.expon.fit(x, floc=0)),
    "normal": ("scipy norm.fit", lambda x: stats.norm.fit(x)),
    "lognormal": ("scipy lognorm.fit(floc=0)", lambda x: stats.lognorm.fit(x, floc=0)),
    "laplace": ("scipy laplace.fit", lambda x: stats.laplace.fit(x)),
    "uniform": ("scipy uniform.fit", lambda x: stats.uniform.fit(x)),
    "weibull": ("scipy weibull_min.fit(floc=0)", lambda x: stats.weibull_min.fit(x, floc=0)),
    "gamma": ("scipy gamma.fit(floc=0)", lambda x: stats.gamma.fit(x, floc=0)),
}


def median_seconds(call, budget: float = SECONDS_PER_MEASUREMENT) -> float:
    """Median wall time of ``call()`` over repeats: at least MIN_REPEATS, more while within budget."""
    times = []
    start = time.perf_counter()
    while len(times) < MIN_REPEATS or (time.perf_counter() - start < budget and len(times) < MAX_REPEATS):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_extra_bytes(call) -> int:
    """Peak memory allocated during ``call()`` beyond what was allocated before it (tracemalloc)."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


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


def run(sizes: list[int], memory_n: int, budget: float) -> list[dict]:
    """Time every family at every size; print the tables; return the rows (for tests and targets)."""
    import statsmodels

    peers = {**SCIPY_PEERS, **statsmodels_peers()}
    print(f"machine: {cpu_model()}, {len(__import__('os').sched_getaffinity(0))} cpus; python "
          f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"statsmodels {statsmodels.__version__}")
    print("times: median ms of repeated calls; peer/mlelib > 1 means mlelib is faster; "
          "floor: one np.log(x).sum() pass over n positive float64 values\n")
    header = f"{'family':<12} {'n':>9} {'mlelib ms':>10} {'peer':<30} {'peer ms':>10} {'peer/mlelib':>11} {'floor ms':>9} {'mlelib/floor':>12}"
    print(header)
    print("-" * len(header))
    rows, weibull_logliks = [], []
    for n in sizes:
        rng = np.random.default_rng(12345)
        positive = rng.exponential(1.0, n) + 0.5
        floor = median_seconds(lambda: np.log(positive).sum(), budget)
        for family in mlelib.FAMILIES:
            x = data_for(family, n, rng)
            known = KNOWN.get(family, {})
            print(f"[{family} n={n}] mlelib", file=sys.stderr, flush=True)
            ours = median_seconds(lambda: mlelib.fit(family, x, **known), budget)
            peer_name, peer_call = peers.get(family, ("(none)", None))
            theirs = None
            if peer_call is not None:
                print(f"[{family} n={n}] {peer_name}", file=sys.stderr, flush=True)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    theirs = median_seconds(lambda: peer_call(x), budget)
            row = {"family": family, "n": n, "mlelib": ours, "peer": peer_name, "peer_seconds": theirs,
                   "ratio": theirs / ours if theirs else None, "floor": floor, "floor_ratio": ours / floor}
            rows.append(row)
            print(f"{family:<12} {n:>9} {fmt_ms(ours):>10} {peer_name:<30} {fmt_ms(theirs):>10} "
                  f"{fmt_ratio(row['ratio']):>11} {fmt_ms(floor):>9} {fmt_ratio(row['floor_ratio']):>12}", flush=True)
            if family == "weibull":
                shape, _, scale = stats.weibull_min.fit(x, floc=0)
                weibull_logliks.append((n, mlelib.fit(family, x).loglik, mlelib.loglik(family, x, shape=shape, scale=scale)))
        print()

    print("weibull log-likelihoods (ours must be >= scipy's):")
    for n, ours_ll, scipy_ll in weibull_logliks:
        verdict = "ok" if ours_ll >= scipy_ll else "LOWER"
        print(f"  n={n:<9} mlelib {ours_ll:.10f}  scipy {scipy_ll:.10f}  mlelib - scipy {ours_ll - scipy_ll:+.3e}  {verdict}")

    print(f"\npeak extra memory of mlelib.fit at n = {memory_n} (multiples of the data array):")
    rng = np.random.default_rng(54321)
    for family in mlelib.FAMILIES:
        x = data_for(family, memory_n, rng)
        print(f"[{family} n={memory_n}] memory", file=sys.stderr, flush=True)
        extra = peak_extra_bytes(lambda: mlelib.fit(family, x, **KNOWN.get(family, {})))
        print(f"  {family:<12} {extra / x.nbytes:6.2f} x  ({extra / 2**20:8.1f} MiB, data {x.dtype} {x.nbytes / 2**20:.1f} MiB)")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and short budgets: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        run(sizes=[200], memory_n=10_000, budget=0.01)
    else:
        run(sizes=[10**3, 10**5, 10**6], memory_n=10**7, budget=SECONDS_PER_MEASUREMENT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
