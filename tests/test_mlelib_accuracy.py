"""Every family on hard data against the exact MLE computed by mpmath at 60+ digits.

Hard data: tiny and huge magnitudes, a small relative spread (NIST StRD NumAcc-style
1e7 + {0.1, 0.2, 0.3}, 1e9 + N(0, 1), values one ulp apart), heavy ties, n = 1 and 2,
extreme shapes, huge counts. Target: relative error <= 1e-10 in every parameter and in
the log-likelihood wherever the MLE is representable in float64, and a clear error
otherwise. The references work on the distinct values and their counts, so ties cost
nothing; the whole file runs in a few seconds.
"""

import math

import mpmath as mp
import numpy as np
import pytest

import mlelib

RTOL = 1e-10
DPS = 80  # digits: enough for spreads of 1e-33 (values one ulp apart) and more
rng = np.random.default_rng(20261130)

NUMACC4 = np.r_[10000000.2, np.tile([10000000.1, 10000000.3], 500)]
NIST3 = np.array([1e7 + 0.1, 1e7 + 0.2, 1e7 + 0.3])
NEAR_1E9 = 1e9 + rng.standard_normal(60)
ONE_ULP = np.array([1.0, 1.0 + 2**-52])
WEIBULL = 80 * rng.weibull(1.5, 300)
GAMMA = rng.gamma(2.0, 3.0, 300)
TIES = np.r_[np.full(999, 2.0), 7.5]


def table(x):
    values, counts = np.unique(np.asarray(x), return_counts=True)
    return [mp.mpf(float(v)) for v in values], [int(c) for c in counts]


def total(counts, terms):
    return mp.fsum(c * t for c, t in zip(counts, terms))


# --- exact references: (params, loglik) from the distinct values and their counts ---


def ref_bernoulli(v, c):
    n, k = sum(c), total(c, v)
    p = k / n
    return {"p": p}, _xlogy(k, p) + _xlogy(n - k, 1 - p)


def ref_binomial(v, c, trials):
    n, k = sum(c), total(c, v)
    p = k / (n * trials)
    log_choose = total(
        c,
        [
            mp.loggamma(trials + 1) - mp.loggamma(x + 1) - mp.loggamma(trials - x + 1)
            for x in v
        ],
    )
    return {"p": p}, log_choose + _xlogy(k, p) + _xlogy(n * trials - k, 1 - p)


def ref_categorical(v, c):
    n = sum(c)
    p = {int(x): mp.mpf(m) / n for x, m in zip(v, c)}
    return {"p": p}, mp.fsum(m * mp.log(p[int(x)]) for x, m in zip(v, c))


def ref_poisson(v, c):
    n = sum(c)
    lam = total(c, v) / n
    return {"lam": lam}, total(
        c, [_xlogy(x, lam) - lam - mp.loggamma(x + 1) for x in v]
    )


def ref_geometric(v, c):
    n = sum(c)
    p = n / total(c, v)
    return {"p": p}, n * mp.log(p) + _xlogy(total(c, v) - n, 1 - p)


def ref_exponential(v, c):
    n = sum(c)
    rate = n / total(c, v)
    return {"rate": rate}, n * (mp.log(rate) - 1)


def ref_normal(v, c):
    n = sum(c)
    mu = total(c, v) / n
    sigma2 = total(c, [(x - mu) ** 2 for x in v]) / n
    return {"mu": mu, "sigma2": sigma2}, -n / 2 * (mp.log(2 * mp.pi * sigma2) + 1)


def ref_lognormal(v, c):
    params, loglik = ref_normal([mp.log(x) for x in v], c)
    return params, loglik - sum(c) * params["mu"]


def ref_laplace(v, c):
    n = sum(c)
    ranks = np.cumsum(c)
    below = [n // 2] if n % 2 else [n // 2 - 1, n // 2]
    middle = [v[int(np.searchsorted(ranks, r, side="right"))] for r in below]
    mu = mp.fsum(middle) / len(middle)
    b = total(c, [abs(x - mu) for x in v]) / n
    return {"mu": mu, "b": b}, -n * (mp.log(2 * b) + 1)


def ref_uniform(v, c):
    low, high = v[0], v[-1]
    return {"low": low, "high": high}, -sum(c) * mp.log(high - low)


def ref_weibull(v, c, start):
    n, logs = sum(c), [mp.log(x) for x in v]
    top, mean_log = max(logs), total(c, logs) / n

    def profile(k):
        w = [m * mp.exp(k * (z - top)) for m, z in zip(c, logs)]
        return mp.fsum(wi * z for wi, z in zip(w, logs)) / mp.fsum(w) - 1 / k - mean_log

    k = mp.findroot(profile, mp.mpf(start), tol=mp.mpf(10) ** (-DPS + 10))
    power_mean = total(c, [mp.exp(k * (z - top)) for z in logs]) / n
    scale = mp.exp(top + mp.log(power_mean) / k)
    loglik = n * (mp.log(k) - k * mp.log(scale) - 1) + (k - 1) * total(c, logs)
    return {"shape": k, "scale": scale}, loglik


def ref_gamma(v, c, start):
    n = sum(c)
    mean = total(c, v) / n
    spread = total(c, [x / mean - 1 - mp.log(x / mean) for x in v]) / n  # no cancel
    a = mp.findroot(
        lambda a: mp.log(a) - mp.digamma(a) - spread,
        mp.mpf(start),
        tol=mp.mpf(10) ** (-DPS + 10),
    )
    scale = mean / a
    loglik = total(
        c,
        [
            (a - 1) * mp.log(x) - x / scale - mp.loggamma(a) - a * mp.log(scale)
            for x in v
        ],
    )
    return {"shape": a, "scale": scale}, loglik


def _xlogy(x, y):
    return mp.mpf(0) if x == 0 else x * mp.log(y)


REFERENCES = {
    "bernoulli": ref_bernoulli,
    "binomial": ref_binomial,
    "categorical": ref_categorical,
    "poisson": ref_poisson,
    "geometric": ref_geometric,
    "exponential": ref_exponential,
    "normal": ref_normal,
    "lognormal": ref_lognormal,
    "laplace": ref_laplace,
    "uniform": ref_uniform,
    "weibull": ref_weibull,
    "gamma": ref_gamma,
}

# --- the hard data: (family, case id, data, known parameters) -------------------------

BIG = 2**52
CASES = [
    ("bernoulli", "n=1", [1], {}),
    ("bernoulli", "n=2", [0, 1], {}),
    ("bernoulli", "heavy ties", np.r_[np.zeros(10**6, int), 1], {}),
    ("bernoulli", "all zeros", np.zeros(5, int), {}),
    ("binomial", "n=1", [3], {"trials": 7}),
    (
        "binomial",
        "huge trials",
        rng.binomial(9 * 10**15, 0.3, 4),
        {"trials": 9 * 10**15},
    ),
    ("binomial", "huge trials rare", [0, 1, 3], {"trials": 10**12}),
    ("binomial", "heavy ties", np.r_[np.zeros(999, int), 10], {"trials": 10}),
    ("binomial", "n=2 near 1", [10**6, 10**6 - 1], {"trials": 10**6}),
    ("categorical", "n=1", [0], {}),
    ("categorical", "heavy ties", np.r_[np.zeros(999, int), 5], {}),
    ("categorical", "n=2", [0, 1], {}),
    ("poisson", "n=1 zero", [0], {}),
    ("poisson", "n=1 2**52", [BIG], {}),
    ("poisson", "1e12", rng.poisson(1e12, 5), {}),
    ("poisson", "heavy ties", np.r_[np.zeros(999, int), 10**9], {}),
    ("poisson", "n=2", [3, 4], {}),
    ("geometric", "n=1", [1], {}),
    ("geometric", "n=1 2**52", [BIG], {}),
    ("geometric", "n=2", [1, 2**40], {}),
    ("geometric", "heavy ties", np.r_[np.ones(999, int), 1000], {}),
    ("exponential", "n=1", [3.5], {}),
    ("exponential", "tiny", 1e-300 * GAMMA, {}),
    ("exponential", "huge", 1e300 * GAMMA, {}),
    ("exponential", "NumAcc4", NUMACC4, {}),
    ("exponential", "heavy ties with zeros", np.r_[np.zeros(999), 1e-300], {}),
]
CONTINUOUS = [
    ("n=2", np.array([1.5, 4.0])),
    ("tiny", 1e-150 * GAMMA),
    ("huge", 1e150 * GAMMA),
    ("NIST 1e7+{.1,.2,.3}", NIST3),
    ("NumAcc4", NUMACC4),
    ("1e9+N(0,1)", NEAR_1E9),
    ("heavy ties", TIES),
]
for family in ("normal", "lognormal", "laplace", "uniform", "weibull", "gamma"):
    CASES += [(family, name, data, {}) for name, data in CONTINUOUS]
CASES += [
    ("normal", "near 1e153", 1e153 * (1 + 0.3 * rng.standard_normal(50)), {}),
    ("lognormal", "one ulp", ONE_ULP, {}),
    ("lognormal", "1e-300..1e250", np.array([1e-300, 1.0, 1e250]), {}),
    ("laplace", "n=3 huge spread", np.array([-1e300, 1.0, 1e300]), {}),
    ("uniform", "range beyond float64", np.array([-1e308, 0.0, 1e308]), {}),
    ("weibull", "one ulp", ONE_ULP, {}),
    (
        "weibull",
        "shape 1e-3",
        np.exp(1000 * rng.standard_normal(40).clip(-0.7, 0.7)),
        {},
    ),
    ("weibull", "ball bearings", WEIBULL, {}),
    ("weibull", "1e-300..1e300", np.array([1e-300, 1.0, 1e300]), {}),
    ("gamma", "one ulp", ONE_ULP, {}),
    ("gamma", "ties and one ulp", np.array([2.0, 2.0, 2.0 * (1 + 2**-52)]), {}),
    ("gamma", "shape 1e-3", rng.gamma(1e-3, 1.0, 200).clip(1e-300), {}),
    ("gamma", "sample", GAMMA, {}),
    ("gamma", "1e-300..1e300", np.array([1e-300, 1.0, 1e300]), {}),
]


def relative_error(got, exact):
    exact = mp.mpf(exact)
    if exact == 0:
        return abs(got)
    return float(abs((mp.mpf(got) - exact) / exact))


@pytest.mark.parametrize(
    "family, data, known",
    [pytest.param(f, d, k, id=f"{f}: {name}") for f, name, d, k in CASES],
)
def test_fit_matches_the_exact_mle(family, data, known):
    f = mlelib.fit(family, data, **known)
    with mp.workdps(DPS):
        v, c = table(data)
        reference = REFERENCES[family]
        if family in ("weibull", "gamma"):
            params, loglik = reference(v, c, f.params["shape"])
        elif known:
            params, loglik = reference(v, c, **known)
        else:
            params, loglik = reference(v, c)
        errors = {"loglik": relative_error(f.loglik, loglik)}
        for name, exact in params.items():
            if family == "categorical":
                for label, share in exact.items():
                    errors[f"p[{label}]"] = relative_error(f.params["p"][label], share)
                assert np.count_nonzero(f.params["p"]) == len(exact)
            else:
                errors[name] = relative_error(f.params[name], exact)
    assert max(errors.values()) <= RTOL, errors


def test_a_location_that_cancels_to_zero_is_exact_to_its_scale():
    # mean(log x) of 1e-300, 1, 1e300 is 1e-17 in exact arithmetic, but each log x is
    # rounded to 0.5 ulp of 690: mu can only be right to eps |log x| (relative to its
    # scale sqrt(sigma2), not to itself) unless log x is computed in extended precision
    x = np.array([1e-300, 1.0, 1e300])
    f = mlelib.fit("lognormal", x)
    with mp.workdps(DPS):
        params, loglik = ref_lognormal(*table(x))
        assert abs(f.params["mu"] - params["mu"]) <= 1e-15 * mp.sqrt(params["sigma2"])
        assert relative_error(f.params["sigma2"], params["sigma2"]) <= RTOL
        assert relative_error(f.loglik, loglik) <= RTOL


def test_every_family_has_hard_cases():
    # the mixture has no exact reference (EM finds local maxima): see
    # test_mlelib_mixture.py
    assert {family for family, *_ in CASES} == set(mlelib.FAMILIES) - {"normal_mixture"}


# --- where the MLE is not representable in float64: a clear error -------------------

UNREPRESENTABLE = [
    ("normal", [0.0, 5e-324], mlelib.DataError, r"sigma2 = 0\.0 is below the normal"),
    ("normal", 1e-160 * (1 + GAMMA[:20]), mlelib.DataError, "below the normal float64"),
    ("normal", [-1e308, 1e308], mlelib.DataError, "sigma2 = .* exceeds the float64"),
    ("exponential", [5e-324, 5e-324], mlelib.DataError, "multiply the data"),
    ("exponential", [1.7e308, 1.7e308], mlelib.DataError, "divide the data"),
    ("gamma", [1e-300, 1.0, 1e308], mlelib.DataError, "scale .* normal float64"),
]
NO_MAXIMUM = ["normal", "lognormal", "laplace", "uniform", "weibull", "gamma"]


@pytest.mark.parametrize("family, data, error, message", UNREPRESENTABLE)
def test_an_mle_outside_float64_is_a_data_error_naming_the_cure(
    family, data, error, message
):
    with pytest.raises(error, match=f"{family}: .*{message}"):
        mlelib.fit(family, data)


@pytest.mark.parametrize("family", NO_MAXIMUM)
@pytest.mark.parametrize("data", [[2.5], [1e7 + 0.1] * 3], ids=["n=1", "equal"])
def test_one_value_or_equal_values_have_no_maximum(family, data):
    with pytest.raises(mlelib.NoMaximumError, match=f"{family}: all {len(data)} "):
        mlelib.fit(family, data)


def test_the_references_are_independent_of_mlelib_float_formulas():
    # a sanity check of the reference itself: NumAcc4's gamma shape is 1.001e16
    with mp.workdps(DPS):
        v, c = table(NUMACC4)
        params, loglik = ref_gamma(v, c, 1e16)
    assert float(params["shape"]) == pytest.approx(1.001000029e16, rel=1e-9)
    assert math.isclose(float(loglik), 885.0304507, rel_tol=1e-9)
