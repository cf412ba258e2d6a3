"""Likelihood-based inference on a Fit: aic / bic, the covariance (inverse expected or
observed information) and profile-likelihood intervals.

Every number is checked against an independent computation: aic / bic against their
formulas, the observed covariance against a central-difference Hessian of
``mlelib.loglik``, profile intervals against a brute-force profile (the nuisance
parameter maximised numerically by scipy, the deviance crossing located on a grid) and
against the chi-square quantile from ``scipy.special.chdtri``.
"""

import math
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar
from scipy.special import chdtri

import mlelib

Q95 = float(chdtri(1, 0.05))  # chi-square(1) quantile at 0.95, independent of ndtri

# Lieblein & Zelen (1956): millions of revolutions to failure of 23 ball bearings
BALL_BEARINGS = np.array(
    [17.88, 28.92, 33.00, 41.52, 42.12, 45.60, 48.48, 51.84, 51.96, 54.12, 55.56,
     67.80, 68.64, 68.64, 68.88, 84.12, 93.12, 98.64, 105.12, 105.84, 127.92, 128.04,
     173.40]
)  # fmt: skip


def sample(family):
    """(data, known) for ``family``: a seeded sample of 40 or so, estimates inside the
    parameter space."""
    rng = np.random.default_rng(sorted(mlelib.FAMILIES).index(family) + 11)
    return {
        "bernoulli": (rng.binomial(1, 0.3, 40), {}),
        "binomial": (rng.binomial(10, 0.3, 20), {"trials": 10}),
        "categorical": (rng.choice(4, 60, p=[0.1, 0.2, 0.3, 0.4]), {}),
        "poisson": (rng.poisson(3.0, 40), {}),
        "geometric": (rng.geometric(0.3, 40), {}),
        "exponential": (rng.exponential(2.0, 40), {}),
        "normal": (rng.normal(1.0, 2.0, 40), {}),
        "lognormal": (rng.lognormal(0.5, 0.6, 40), {}),
        "laplace": (rng.laplace(1.0, 2.0, 41), {}),
        "uniform": (rng.uniform(0.0, 3.0, 40), {}),
        "weibull": (3.0 * rng.weibull(1.7, 40), {}),
        "gamma": (rng.gamma(2.5, 1.5, 40), {}),
    }[family]


def fitted(family):
    data, known = sample(family)
    return mlelib.fit(family, data, **known), data, known


# normal_mixture (EM, array parameters, observed-information se, no profile) has its
# own tests in test_mlelib_mixture.py
MIXTURES = {"normal_mixture"}
REGULAR = sorted(set(mlelib.FAMILIES) - {"uniform"} - MIXTURES)
ONE_PARAMETER = ["bernoulli", "binomial", "poisson", "geometric", "exponential"]
# exponential families: the observed information equals the expected one at the MLE
EXPONENTIAL_FAMILIES = sorted(set(REGULAR) - {"weibull", "laplace"})


# -- aic and bic --------------------------------------------------------------------


@pytest.mark.parametrize("family", sorted(set(mlelib.FAMILIES) - MIXTURES))
def test_aic_and_bic_follow_their_formulas(family):
    f, data, known = fitted(family)
    k = len(f.params["p"]) - 1 if family == "categorical" else len(f.params)
    assert f.aic == pytest.approx(2 * k - 2 * f.loglik, rel=1e-15)
    assert f.bic == pytest.approx(k * math.log(len(data)) - 2 * f.loglik, rel=1e-15)


def test_known_parameters_do_not_count_in_aic():
    f = mlelib.fit("binomial", [3, 7, 2], trials=10)
    assert f.aic == 2 * 1 - 2 * f.loglik  # p only, not trials


def test_categorical_counts_k_minus_one_free_probabilities():
    f = mlelib.fit("categorical", [0, 1, 2, 2, 3], categories=5)
    assert f.aic == 2 * 4 - 2 * f.loglik


# -- covariance ---------------------------------------------------------------------


@pytest.mark.parametrize("family", REGULAR)
def test_expected_covariance_diagonal_is_se_squared(family):
    f = fitted(family)[0]
    cov = f.cov()
    se = np.concatenate([np.atleast_1d(s) for s in f.se.values()])
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), se, rtol=1e-13)
    np.testing.assert_array_equal(cov, f.cov("expected"))
    np.testing.assert_allclose(cov, cov.T, rtol=1e-15)


@pytest.mark.parametrize("family", REGULAR)
def test_covariance_is_a_read_only_2d_array(family):
    cov = fitted(family)[0].cov()
    assert cov.ndim == 2 and cov.dtype == np.float64
    with pytest.raises(ValueError):
        cov[0, 0] = 1.0


def numeric_hessian(loglik, theta, steps):
    """Central second differences of ``loglik`` at ``theta``."""
    k = len(theta)
    hessian = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * steps[i], np.eye(k)[j] * steps[j]
            hessian[i, j] = (
                loglik(theta + ei + ej)
                - loglik(theta + ei - ej)
                - loglik(theta - ei + ej)
                + loglik(theta - ei - ej)
            ) / (4 * steps[i] * steps[j])
    return hessian


def observed_covariance_by_differences(f, data, known):
    """inv(-Hessian) of mlelib.loglik at the MLE (categorical: free coordinates
    p_0..p_{K-2}, p_{K-1} = 1 - their sum), steps of se / 1000."""
    if f.family == "categorical":
        p = f.params["p"]

        def loglik(free):
            return mlelib.loglik("categorical", data, p=np.append(free, 1 - free.sum()))

        theta, steps = p[:-1].copy(), f.se["p"][:-1] / 1000
    else:
        names = list(f.params)

        def loglik(values):
            return mlelib.loglik(f.family, data, **dict(zip(names, values)), **known)

        theta = np.array([f.params[name] for name in names])
        steps = np.array([f.se[name] for name in names]) / 1000
    return np.linalg.inv(-numeric_hessian(loglik, theta, steps))


@pytest.mark.parametrize("family", sorted(set(REGULAR) - {"laplace"}))
def test_observed_covariance_is_the_inverse_numeric_hessian(family):
    f, data, known = fitted(family)
    expected = observed_covariance_by_differences(f, data, known)
    cov = f.cov("observed")
    k = expected.shape[0]
    scale = np.sqrt(np.outer(np.diag(expected), np.diag(expected)))
    # relative to sqrt(var_i var_j): the entry itself on the diagonal
    assert np.all(np.abs(cov[:k, :k] - expected) <= 1e-5 * scale)


def test_weibull_ball_bearings_observed_covariance_is_the_numeric_hessian():
    f = mlelib.fit("weibull", BALL_BEARINGS)
    expected = observed_covariance_by_differences(f, BALL_BEARINGS, {})
    np.testing.assert_allclose(f.cov("observed"), expected, rtol=1e-5)


def test_weibull_ball_bearings_se_of_shape_expected_0_342_observed_0_329():
    f = mlelib.fit("weibull", BALL_BEARINGS)
    expected, observed = (
        np.sqrt(np.diag(f.cov(kind))) for kind in ("expected", "observed")
    )
    assert round(expected[0], 3) == 0.342 and round(observed[0], 3) == 0.329
    assert expected[0] == pytest.approx(f.se["shape"], rel=1e-13)


@pytest.mark.parametrize("family", EXPONENTIAL_FAMILIES)
def test_observed_equals_expected_information_at_the_mle_of_an_exponential_family(
    family,
):
    f = fitted(family)[0]
    np.testing.assert_allclose(f.cov("observed"), f.cov("expected"), rtol=1e-10)


def test_weibull_observed_information_differs_from_expected():
    f = fitted("weibull")[0]
    assert not np.allclose(f.cov("observed"), f.cov("expected"), rtol=1e-2)


def test_categorical_covariance_is_the_multinomial_one():
    f = mlelib.fit("categorical", [0, 1, 1, 2, 2, 2])
    p = np.array([1, 2, 3]) / 6
    np.testing.assert_allclose(f.cov(), (np.diag(p) - np.outer(p, p)) / 6, rtol=1e-14)
    # the free-coordinate block inverts the information N (diag(1/p_i) + 1/p_K)
    free = 6 * (np.diag(1 / p[:2]) + 1 / p[2])
    np.testing.assert_allclose(f.cov()[:2, :2], np.linalg.inv(free), rtol=1e-13)


@pytest.mark.parametrize(
    "family, data",
    [("bernoulli", [0] * 10), ("bernoulli", [1] * 10), ("poisson", [0] * 10)],
)
def test_covariance_at_a_boundary_estimate_is_zero_like_se(family, data):
    f = mlelib.fit(family, data)
    assert (
        f.cov("expected")[0, 0]
        == f.cov("observed")[0, 0]
        == 0.0
        == f.se[next(iter(f.se))]
    )


def test_unknown_kind_of_information_lists_the_kinds():
    with pytest.raises(ValueError, match="'expected', 'observed'"):
        fitted("normal")[0].cov("fisher")


def test_uniform_has_no_fisher_information():
    f = fitted("uniform")[0]
    for kind in ("expected", "observed"):
        with pytest.raises(ValueError, match="no Fisher information"):
            f.cov(kind)


def test_laplace_has_no_observed_information_for_mu():
    f = fitted("laplace")[0]
    with pytest.raises(ValueError, match="piecewise linear in mu"):
        f.cov("observed")
    assert f.cov("expected").shape == (2, 2)


# -- profile intervals --------------------------------------------------------------


def brute_force_profile(family, data, known, f, name, value):
    """max over the other parameter of mlelib.loglik with ``name`` = ``value``, by
    scipy's bounded scalar minimiser (positive nuisances on the log scale)."""
    names = list(f.params)
    if len(names) == 1:
        return mlelib.loglik(family, data, **{name: value}, **known)
    (other,) = (n for n in names if n != name)
    center, se = f.params[other], f.se[other]
    if other == "mu":  # real

        def minus(v):
            return -mlelib.loglik(family, data, **{name: value, other: v})

        bounds = (center - 10 * se, center + 10 * se)
    else:  # positive: search log(v)

        def minus(u):
            return -mlelib.loglik(family, data, **{name: value, other: math.exp(u)})

        bounds = (math.log(center) - 2, math.log(center) + 2)
    best = minimize_scalar(
        minus, bounds=bounds, method="bounded", options={"xatol": 1e-10}
    )
    return -best.fun


def brute_force_bound(deviance, estimate, se, side, inside):
    """The crossing of ``deviance`` with Q95 on ``side`` of the estimate: a coarse grid
    of steps se / 8, the crossing cell refined by a grid of 20, then linear
    interpolation: its error, (se / 160)^2 / 8 times D'' / D' = 1 / (1.96 se), is
    2.5e-6 se."""

    def cross(points):
        values = [deviance(v) for v in points]
        for (a, da), (b, db) in zip(zip(points, values), zip(points[1:], values[1:])):
            if da <= Q95 < db:
                return a, b, da, db
        raise AssertionError("no crossing on the grid")

    coarse = [estimate] + [
        v for v in (estimate + side * se * j / 8 for j in range(1, 80)) if inside(v)
    ]
    a, b, _, _ = cross(coarse)
    a, b, da, db = cross(list(np.linspace(a, b, 21)))
    return a + (Q95 - da) * (b - a) / (db - da)


DOMAINS = {
    "p": lambda v: 0 < v < 1,
    "rate": lambda v: v > 0,
    "lam": lambda v: v > 0,
    "sigma2": lambda v: v > 0,
    "b": lambda v: v > 0,
    "shape": lambda v: v > 0,
    "scale": lambda v: v > 0,
    "mu": lambda v: True,
}


@pytest.mark.parametrize(
    "family",
    [
        "normal",
        "exponential",
        "poisson",
        "bernoulli",
        "weibull",
        "gamma",
        "lognormal",
        "laplace",
        "binomial",
        "geometric",
    ],
)
def test_profile_interval_agrees_with_a_brute_force_profile(family):
    f, data, known = fitted(family)
    intervals = f.ci(0.95, method="profile")
    for name, estimate in f.params.items():

        def deviance(v, name=name):
            return 2 * (f.loglik - brute_force_profile(family, data, known, f, name, v))

        for side, bound in zip((-1, 1), intervals[name]):
            brute = brute_force_bound(
                deviance, estimate, f.se[name], side, DOMAINS[name]
            )
            assert bound == pytest.approx(brute, rel=1e-5), (name, side)
            # Fit.profile is the maximised log-likelihood brute force finds
            assert f.profile(name, bound) == pytest.approx(
                brute_force_profile(family, data, known, f, name, bound), abs=1e-8
            )


@pytest.mark.parametrize("family", ONE_PARAMETER)
@pytest.mark.parametrize("level", [0.8, 0.95, 0.999])
def test_one_parameter_profile_bounds_have_deviance_equal_to_the_chi2_quantile(
    family, level
):
    f, data, known = fitted(family)
    ((name, (lo, hi)),) = f.ci(level, method="profile").items()
    quantile = float(chdtri(1, 1 - level))
    for bound in (lo, hi):
        deviance = 2 * (
            f.loglik - mlelib.loglik(family, data, **{name: bound}, **known)
        )
        assert deviance == pytest.approx(quantile, rel=1e-8)


@pytest.mark.parametrize("family", REGULAR)
def test_every_profile_bound_has_profile_deviance_equal_to_the_chi2_quantile(family):
    f = fitted(family)[0]
    for name, (lo, hi) in f.ci(method="profile").items():
        if isinstance(lo, np.ndarray):  # categorical p: an interval per entry
            bounds = [(v, i) for i in range(lo.size) for v in (lo[i], hi[i])]
        else:
            bounds = [(lo, None), (hi, None)]
        for bound, index in bounds:
            deviance = 2 * (f.loglik - f.profile(name, bound, index=index))
            assert deviance == pytest.approx(Q95, rel=1e-8), (name, index)


def test_categorical_profile_interval_of_each_p_is_the_bernoulli_one_of_its_indicator():
    labels = sample("categorical")[0]
    lo, hi = mlelib.fit("categorical", labels).ci(method="profile")["p"]
    for i in range(4):
        indicator = mlelib.fit("bernoulli", labels == i).ci(method="profile")["p"]
        assert (lo[i], hi[i]) == pytest.approx(indicator, rel=1e-12)


def test_profile_interval_of_all_zeros_has_the_boundary_as_lower_bound():
    n = 10
    lo, hi = mlelib.fit("bernoulli", [0] * n).ci(method="profile")["p"]
    assert lo == 0.0
    assert hi == pytest.approx(-math.expm1(-Q95 / (2 * n)), rel=1e-12)  # n log(1-p)
    lo, hi = mlelib.fit("bernoulli", [1] * n).ci(method="profile")["p"]
    assert hi == 1.0 and lo == pytest.approx(math.exp(-Q95 / (2 * n)), rel=1e-12)
    lo, hi = mlelib.fit("poisson", [0] * n).ci(method="profile")["lam"]
    assert lo == 0.0 and hi == pytest.approx(Q95 / (2 * n), rel=1e-12)  # n lam


def test_boundary_rule_is_documented():
    assert "edge of the space" in mlelib.Fit.ci.__doc__
    assert "lower bound 0.0" in mlelib.Fit.ci.__doc__


def test_profile_of_the_normal_mean_is_the_closed_form():
    f, data, _ = fitted("normal")
    lo, hi = f.ci(method="profile")["mu"]
    # n log(1 + d^2 / sigma2) / 2 = q / 2  =>  d = sqrt(sigma2 (exp(q / n) - 1))
    half_width = math.sqrt(f.params["sigma2"] * math.expm1(Q95 / len(data)))
    assert (lo, hi) == pytest.approx(
        (f.params["mu"] - half_width, f.params["mu"] + half_width), rel=1e-12
    )


def test_wald_stays_the_default_interval():
    f = fitted("gamma")[0]
    assert f.ci() == f.ci(method="wald") == f.ci(0.95)
    z = 1.959963984540054
    assert f.ci()["shape"] == pytest.approx(
        (f.params["shape"] - z * f.se["shape"], f.params["shape"] + z * f.se["shape"])
    )
    assert f.ci(method="profile") != f.ci()


def test_unknown_interval_method_lists_the_methods():
    with pytest.raises(ValueError, match="'wald', 'profile'"):
        fitted("normal")[0].ci(0.95, method="score")


def test_uniform_profile_interval_is_its_exact_interval():
    f = fitted("uniform")[0]
    assert f.ci(0.9, method="profile") == f.ci(0.9)
    assert f.ci(0.9)["high"][0] == f.params["high"]  # exact: [max, max + t R]


def test_profile_at_the_estimate_is_the_maximum():
    f = fitted("weibull")[0]
    for name, estimate in f.params.items():
        assert f.profile(name, estimate) == pytest.approx(f.loglik, abs=1e-10)
        assert f.profile(name, estimate * 1.1) < f.loglik


def test_profile_refuses_bad_arguments():
    f = fitted("gamma")[0]
    with pytest.raises(ValueError, match="unknown parameter 'rate'"):
        f.profile("rate", 1.0)
    with pytest.raises(ValueError, match="outside the parameter space"):
        f.profile("shape", -1.0)
    with pytest.raises(ValueError, match="index"):
        fitted("categorical")[0].profile("p", 0.3)


# -- the Fit value keeps what profiling needs, and stays a value ----------------------


def test_weibull_fit_keeps_a_read_only_view_of_the_data_not_a_copy():
    x = 3.0 * np.random.default_rng(5).weibull(1.5, 50)
    f = mlelib.fit("weibull", x)
    assert np.shares_memory(f._data, x) and not f._data.flags.writeable


@pytest.mark.parametrize(
    "family", sorted(set(mlelib.FAMILIES) - {"weibull", "laplace"} - MIXTURES)
)
def test_families_with_sufficient_estimates_keep_no_data(family):
    assert fitted(family)[0]._data is None


def test_equality_hash_and_pickle_ignore_the_kept_data():
    x = 3.0 * np.random.default_rng(5).weibull(1.5, 50)
    a, b = mlelib.fit("weibull", x), mlelib.fit("weibull", list(x))
    assert a == b and hash(a) == hash(b)
    copy = pickle.loads(pickle.dumps(a))
    assert copy == a and copy.ci(method="profile") == a.ci(method="profile")
    assert copy.cov("observed").tolist() == a.cov("observed").tolist()
    assert not copy._data.flags.writeable


# -- properties ---------------------------------------------------------------------

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

positive_data = st.lists(st.floats(0.01, 100.0), min_size=3, max_size=30)
real_data = st.lists(st.floats(-100.0, 100.0), min_size=3, max_size=30)
DATA = {
    "normal": real_data,
    "laplace": real_data,
    "exponential": positive_data,
    "lognormal": positive_data,
    "weibull": positive_data,
    "gamma": positive_data,
    "poisson": st.lists(st.integers(0, 20), min_size=1, max_size=30),
    "bernoulli": st.lists(st.integers(0, 1), min_size=1, max_size=30),
    "geometric": st.lists(st.integers(1, 20), min_size=1, max_size=30),
}


@pytest.mark.parametrize("family", sorted(DATA))
def test_profile_intervals_contain_the_mle_and_grow_with_the_level(family):
    @PROPERTY
    @given(DATA[family])
    def check(data):
        try:
            f = mlelib.fit(family, data)
        except mlelib.NoMaximumError:
            assume(False)
        levels = [f.ci(level, method="profile") for level in (0.5, 0.9, 0.99)]
        for name, estimate in f.params.items():
            lows = [interval[name][0] for interval in levels]
            highs = [interval[name][1] for interval in levels]
            assert lows[0] <= estimate <= highs[0]
            assert lows[2] <= lows[1] <= lows[0] and highs[0] <= highs[1] <= highs[2]
            assert lows[2] < highs[2]

    check()
