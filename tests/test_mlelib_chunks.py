"""Fits from chunks (``mlelib.fit_chunks``, Dask arrays) equal the fit in memory.

Hypothesis makes up the data, how they are cut into chunks (empty chunks included) and
the order in which statistics are merged; every chunked fit must give the in-memory
parameters and log-likelihood to 1e-12 relative. Bad values are reported in the chunk
that holds them; families that need several passes get them (and say so when an
iterator cannot give them).
"""

import logging
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlelib
from mlelib import _chunks

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RTOL = 1e-12
rng = np.random.default_rng(20261130)

# one data set per family (sizes above the 8192-value blocks of mlelib._blocks, so
# chunks and blocks do not line up), and the known parameters of its fit
SAMPLES = {
    "bernoulli": (rng.integers(0, 2, 20_011), {}),
    "binomial": (rng.binomial(12, 0.3, 20_011), {"trials": 12}),
    "categorical": (rng.integers(0, 6, 20_011), {}),
    "poisson": (rng.poisson(3.5, 20_011), {}),
    "geometric": (rng.geometric(0.2, 20_011), {}),
    "exponential": (rng.exponential(2.0, 20_011), {}),
    "normal": (1e9 + rng.normal(0, 1, 20_011), {}),  # a shared offset: Chan's merge
    "lognormal": (rng.lognormal(1.0, 0.5, 20_011), {}),
    "laplace": (rng.laplace(3.0, 2.0, 20_011), {}),
    "uniform": (rng.uniform(-1.0, 4.0, 20_011), {}),
    "weibull": (2.5 * rng.weibull(1.7, 20_011), {}),
    "gamma": (rng.gamma(3.0, 2.0, 20_011), {}),
}
HARD = {  # data where a naive merge loses digits or a pass misses
    "poisson, counts above 1000": ("poisson", rng.poisson(5000.0, 9_001), {}),
    "binomial, 5000 trials": (
        "binomial",
        rng.binomial(5000, 0.4, 9_001),
        {"trials": 5000},
    ),
    "gamma, nearly equal": ("gamma", 7.0 + 1e-6 * rng.random(9_001), {}),
    "lognormal, nearly equal": ("lognormal", 3.0 * (1 + 1e-9 * rng.random(9_001)), {}),
    "weibull, nearly equal": ("weibull", 5.0 + 1e-7 * rng.random(9_001), {}),
    "laplace, ties": ("laplace", rng.integers(0, 4, 9_000).astype(float), {}),
    "laplace, sorted": ("laplace", np.sort(rng.normal(size=9_001)), {}),
    "normal, 1e12 offset": ("normal", 1e12 + rng.normal(0, 1, 9_001), {}),
}


def assert_same_fit(chunked: mlelib.Fit, in_memory: mlelib.Fit) -> None:
    """Parameters, log-likelihood, n, se and known values agree to RTOL."""
    assert (chunked.family, chunked.n) == (in_memory.family, in_memory.n)
    assert dict(chunked.known) == dict(in_memory.known)
    for name, value in in_memory.params.items():
        np.testing.assert_allclose(chunked.params[name], value, rtol=RTOL, atol=0)
        np.testing.assert_allclose(chunked.se[name], in_memory.se[name], rtol=RTOL)
    assert math.isclose(chunked.loglik, in_memory.loglik, rel_tol=RTOL)


def cut(x: np.ndarray, cuts: list[int]) -> list[np.ndarray]:
    """x split at the sorted positions ``cuts`` (repeated cuts make empty chunks)."""
    return np.split(x, sorted(c % (x.size + 1) for c in cuts))


@PROPERTY
@given(
    name=st.sampled_from(sorted(SAMPLES)),
    cuts=st.lists(st.integers(0, 20_011), max_size=40),
)
def test_any_chunking_gives_the_in_memory_fit(name, cuts):
    x, known = SAMPLES[name]
    assert_same_fit(
        mlelib.fit_chunks(name, cut(x, cuts), **known), mlelib.fit(name, x, **known)
    )


@pytest.mark.parametrize("case", sorted(HARD))
@pytest.mark.parametrize("size", [1, 97, 4096, 10**6])
def test_hard_data_in_chunks(case, size):
    name, x, known = HARD[case]
    chunks = [x[i : i + size] for i in range(0, x.size, size)]
    assert_same_fit(
        mlelib.fit_chunks(name, chunks, **known), mlelib.fit(name, x, **known)
    )


@PROPERTY
@given(
    name=st.sampled_from(sorted(SAMPLES)),
    cuts=st.lists(st.integers(0, 20_011), min_size=1, max_size=12),
    order=st.randoms(use_true_random=False),
)
def test_merges_are_associative_in_any_order(name, cuts, order):
    """Merging the chunks' statistics in a random tree gives the statistics of the
    whole sample, so the estimate from them equals the in-memory fit."""
    x, known = SAMPLES[name]
    family = mlelib.FAMILIES[name]
    parts = []
    for chunk in cut(x, cuts):
        if chunk.size:
            validated, resolved = family.sample(chunk, **known)
            parts.append((family.statistics(validated, **resolved), chunk.size))
    while len(parts) > 1:  # merge two neighbours picked at random
        i = order.randrange(len(parts) - 1)
        (a, na), (b, nb) = parts[i], parts[i + 1]
        parts[i : i + 2] = [(family.merge(a, b), na + nb)]
    (stats, n), whole = parts[0], [x]
    passes = _chunks.Passes(_chunks.Chunks(whole), family, known, n)
    resolved = family.sample(x, **known)[1]
    params, loglik, _, _ = family.estimate_from(stats, passes, n, **resolved)
    expected = mlelib.fit(name, x, **known)
    for key, value in expected.params.items():
        np.testing.assert_allclose(params[key], value, rtol=RTOL, atol=0)
    assert math.isclose(loglik, expected.loglik, rel_tol=RTOL)


BAD = {
    "normal": np.nan,
    "exponential": -1.0,
    "poisson": 2.5,
    "gamma": 0.0,
    "weibull": np.inf,
    "laplace": -np.inf,
    "bernoulli": 2,
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_value_in_the_37th_chunk_is_reported_there(name):
    x = SAMPLES[name][0][: 50 * 100].astype(float)
    x[36 * 100 + 42] = BAD[name]
    chunks = [x[i : i + 100] for i in range(0, x.size, 100)]
    with pytest.raises(mlelib.DataError, match="at index 42 of chunk 36 ") as raised:
        mlelib.fit_chunks(name, chunks)
    assert (raised.value.chunk, raised.value.index) == (36, 42)


def test_empty_chunks_are_skipped_and_all_empty_is_an_error():
    x = SAMPLES["exponential"][0]
    chunks = [[], x[:10], np.empty(0), [], x[10:], []]
    assert_same_fit(
        mlelib.fit_chunks("exponential", chunks), mlelib.fit("exponential", x)
    )
    with pytest.raises(mlelib.DataError, match="every chunk is"):
        mlelib.fit_chunks("exponential", [[], np.empty(0)])


def test_a_chunk_that_is_not_one_dimensional_is_named():
    with pytest.raises(mlelib.DataError, match="shape .2, 2.* chunk 1"):
        mlelib.fit_chunks("normal", [[1.0, 2.0], [[1.0, 2.0], [3.0, 4.0]]])


def counted(chunks: list) -> tuple[list, callable]:
    """A callable returning the chunks, and how many times it was called."""
    calls = []

    def make():
        calls.append(1)
        return iter(chunks)

    return calls, make


@pytest.mark.parametrize(
    ("name", "passes"),
    [
        ("normal", 1),
        ("gamma", 1),
        ("poisson", 1),
        ("laplace", (3, 5)),
        ("weibull", (3, 8)),
    ],
)
def test_a_callable_is_called_once_per_pass(name, passes):
    x, known = SAMPLES[name]
    calls, make = counted([x[i : i + 1000] for i in range(0, x.size, 1000)])
    fit = mlelib.fit_chunks(name, make, **known)
    low, high = passes if isinstance(passes, tuple) else (passes, passes)
    assert low <= len(calls) <= high
    if name == "weibull":  # one pass for the statistics, then one per Newton step
        assert len(calls) in (fit.iterations, fit.iterations + 1)


def test_one_pass_families_take_an_iterator_and_others_say_why_not():
    x = SAMPLES["gamma"][0]
    chunks = (x[i : i + 1000] for i in range(0, x.size, 1000))
    assert_same_fit(mlelib.fit_chunks("gamma", chunks), mlelib.fit("gamma", x))
    with pytest.raises(ValueError, match="another pass.*callable"):
        mlelib.fit_chunks("weibull", iter([x[:100], x[100:]]))


def test_chunks_that_change_between_passes_are_refused():
    x = SAMPLES["weibull"][0]
    calls = []

    def shrinking():
        calls.append(1)
        return [x[: x.size - len(calls)]]

    with pytest.raises(mlelib.DataError, match="changed between passes"):
        mlelib.fit_chunks("weibull", shrinking)


def test_what_a_chunked_fit_cannot_do_is_said():
    x = SAMPLES["weibull"][0]
    fit = mlelib.fit_chunks("weibull", [x[:5000], x[5000:]])
    wald = mlelib.fit("weibull", x).ci(method="wald")
    for name, bounds in fit.ci(method="wald").items():
        np.testing.assert_allclose(bounds, wald[name], rtol=RTOL)
    with pytest.raises(ValueError, match="keeps none; fit the data in memory"):
        fit.ci(method="profile")
    with pytest.raises(ValueError, match="keeps none"):
        fit.cov("observed")
    with pytest.raises(ValueError, match="normal_mixture: no chunked fit: EM"):
        mlelib.fit_chunks("normal_mixture", [x])
    with pytest.raises(ValueError, match="censored data cannot be fitted in chunks"):
        mlelib.fit_chunks("weibull", [x], censored=np.zeros(x.size, bool))
    with pytest.raises(TypeError, match="got one array; pass \\[x\\]"):
        mlelib.fit_chunks("normal", x)
    with pytest.raises(ValueError, match="unexpected keyword 'trials'"):
        mlelib.fit_chunks("normal", [x], trials=3)


def test_equal_values_have_no_maximum_in_chunks_too():
    for name in ("normal", "gamma", "weibull", "laplace", "uniform", "lognormal"):
        with pytest.raises(mlelib.NoMaximumError, match="all 30 .*are equal"):
            mlelib.fit_chunks(name, [np.full(10, 2.0), np.full(20, 2.0)])


# -- Dask arrays (dask is imported only here: mlelib imports it only when one arrives)

da = pytest.importorskip("dask.array")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_dask_array_gives_the_in_memory_fit(name):
    x, known = SAMPLES[name]
    assert_same_fit(
        mlelib.fit(name, da.from_array(x, chunks=3001), **known),
        mlelib.fit(name, x, **known),
    )


def test_a_bad_value_in_a_dask_block_is_reported_there():
    x = SAMPLES["gamma"][0].copy()
    x[36 * 500 + 7] = -2.0
    with pytest.raises(mlelib.DataError, match="at index 7 of chunk 36 "):
        mlelib.fit("gamma", da.from_array(x, chunks=500))
    with pytest.raises(mlelib.DataError, match="one-dimensional.*Dask array"):
        mlelib.fit("gamma", da.ones((4, 4), chunks=2))


@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_a_distributed_cluster_gives_the_in_memory_fit(cluster_client):
    """Lazily generated draws, computed on two worker processes; errors cross too."""
    lazy = 2.0 * da.random.default_rng(11).weibull(1.5, size=400_000, chunks=50_000)
    x = lazy.compute()
    for name in ("weibull", "gamma", "laplace"):
        assert_same_fit(mlelib.fit(name, lazy), mlelib.fit(name, x))
    bad = da.concatenate([lazy, da.from_array(np.array([1.0, 0.0]))])
    with pytest.raises(mlelib.DataError, match="at index 1 of chunk 8 ") as raised:
        mlelib.fit("gamma", bad)
    assert (raised.value.chunk, raised.value.index) == (8, 1)


def test_dask_is_imported_only_when_a_dask_array_arrives():
    code = (
        "import sys, mlelib; mlelib.fit('normal', [1.0, 2.0]); "
        "mlelib.fit_chunks('normal', [[1.0], [2.0]]); print('dask' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
