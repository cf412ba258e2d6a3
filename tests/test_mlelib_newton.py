"""Weibull and gamma: Newton on the profile equation of the shape, safeguarded so it
always converges."""

import math

import numpy as np
import pytest
from scipy import special, stats

import mlelib
from mlelib import DataError, NoMaximumError
from mlelib._newton import solve

BALL_BEARINGS = np.array(
    [
        17.88,
        28.92,
        33.00,
        41.52,
        42.12,
        45.60,
        48.48,
        51.84,
        51.96,
        54.12,
        55.56,
        67.80,
        68.64,
        68.64,
        68.88,
        84.12,
        93.12,
        98.64,
        105.12,
        105.84,
        127.92,
        128.04,
        173.40,
    ]
)

EPS = np.finfo(float).eps
SHAPES = [0.05, 0.3, 1.0, 3.0, 50.0]
SCALES = [1e-8, 1.0, 1e8]


def rng():
    return np.random.default_rng(20260303)


def weibull_profile_score(x, shape):
    """sum(x^k log x) / sum(x^k) - 1/k - mean(log x), computed independently of mlelib
    (in log space)."""
    log_x = np.log(x)
    w = np.exp(shape * (log_x - log_x.max()))
    return (w @ log_x) / w.sum() - 1 / shape - log_x.mean()


def gamma_profile_score(x, shape):
    """log a - digamma(a) - (log mean x - mean log x)."""
    return (
        math.log(shape)
        - special.digamma(shape)
        - (math.log(x.mean()) - np.log(x).mean())
    )


def awkward_samples():
    """Samples that stress a solver: n = 2, heavy ties, shapes far from 1, extreme
    scales."""
    generator = rng()
    yield np.array([1.0, 2.0])
    yield np.array([5e-8, 7e-8])
    yield np.array([1.0, 1.0, 1.0, 1.0, 2.0])
    yield np.array([3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0000001])
    yield np.repeat([1.0, 2.0, 3.0], [50, 3, 1])
    for shape in SHAPES:
        for scale in SCALES:
            for n in (3, 30, 3000):
                x = scale * generator.weibull(shape, n)
                yield x[x > 0]


# --- weibull --------------------------------------------------------------------------


def test_weibull_ball_bearing_data_gives_the_published_fit():
    f = mlelib.fit("weibull", BALL_BEARINGS)
    assert f.params["shape"] == pytest.approx(2.10206, abs=5e-6)
    assert f.params["scale"] == pytest.approx(81.8783, abs=5e-5)


def test_weibull_score_is_zero_at_fit_for_awkward_samples():
    for x in awkward_samples():
        f = mlelib.fit("weibull", x)
        shape = f.params["shape"]
        # the score's terms are a weighted mean of log x, 1/shape and mean(log x):
        # float64 resolves it to a few ulps of the largest of them, which is all a
        # recomputation can check
        assert abs(weibull_profile_score(x, shape)) <= 32 * EPS * (
            1 / shape + np.abs(np.log(x)).max()
        ), (x[:5], shape)


def test_weibull_scale_solves_its_own_equation_at_fit():
    x = rng().weibull(2.5, 500) * 40
    f = mlelib.fit("weibull", x)
    shape, scale = f.params["shape"], f.params["scale"]
    assert scale == pytest.approx(np.mean(x**shape) ** (1 / shape), rel=1e-13)


def test_weibull_needs_few_newton_steps_from_the_log_spread_start():
    steps = [
        mlelib.fit("weibull", rng().weibull(shape, 10_000)).iterations
        for shape in SHAPES
    ]
    assert max(steps) <= 4


def test_weibull_converges_within_a_bounded_number_of_steps_for_awkward_samples():
    assert max(mlelib.fit("weibull", x).iterations for x in awkward_samples()) <= 12


def test_weibull_loglik_matches_scipy():
    x = rng().weibull(1.7, 300) * 5
    expected = stats.weibull_min.logpdf(x, 1.6, scale=4.5).sum()
    assert mlelib.loglik("weibull", x, shape=1.6, scale=4.5) == pytest.approx(
        expected, rel=1e-13
    )


def test_weibull_fit_is_at_least_as_likely_as_scipys():
    x = rng().weibull(0.8, 200) * 30
    shape, _, scale = stats.weibull_min.fit(x, floc=0)
    ours = mlelib.fit("weibull", x).loglik
    assert ours >= mlelib.loglik("weibull", x, shape=shape, scale=scale) - 1e-9 * abs(
        ours
    )


def test_weibull_se_is_the_inverted_expected_information():
    f = mlelib.fit("weibull", BALL_BEARINGS)
    k, lam, n = f.params["shape"], f.params["scale"], 23
    g = np.euler_gamma
    info = n * np.array(
        [
            [((1 - g) ** 2 + np.pi**2 / 6) / k**2, -(1 - g) / lam],
            [-(1 - g) / lam, k**2 / lam**2],
        ]
    )
    np.testing.assert_allclose(
        [f.se["shape"], f.se["scale"]],
        np.sqrt(np.diag(np.linalg.inv(info))),
        rtol=1e-12,
    )


def test_weibull_se_matches_observed_information_on_a_large_sample():
    x = rng().weibull(1.5, 200_000) * 10
    f = mlelib.fit("weibull", x)
    observed = observed_information(
        lambda k, lam: mlelib.loglik("weibull", x, shape=k, scale=lam),
        f.params["shape"],
        f.params["scale"],
    )
    # observed and expected information differ by O(1/sqrt(n)) ~ 0.2% at n = 2e5
    np.testing.assert_allclose(
        [f.se["shape"], f.se["scale"]],
        np.sqrt(np.diag(np.linalg.inv(observed))),
        rtol=0.02,
    )


def test_weibull_all_values_equal_has_no_maximum():
    with pytest.raises(NoMaximumError, match="weibull: all 4 values are equal"):
        mlelib.fit("weibull", [2.0, 2.0, 2.0, 2.0])


def test_weibull_zero_is_outside_the_support():
    with pytest.raises(
        DataError,
        match=r"weibull: value 0 at index 1 is outside the support; allowed: x > 0",
    ):
        mlelib.fit("weibull", [1.0, 0.0, -1.0])


# --- gamma ----------------------------------------------------------------------------


def test_gamma_score_is_zero_at_fit_for_awkward_samples():
    for x in awkward_samples():
        f = mlelib.fit("gamma", x)
        shape = f.params["shape"]
        # log mean x - mean log x is resolved to a few ulps of |log x|, which bounds
        # what a recomputation of the score can check
        assert abs(gamma_profile_score(x, shape)) <= 32 * EPS * (
            1 + np.abs(np.log(x)).max()
        ), (x[:5], shape)


def test_gamma_scale_is_mean_over_shape():
    x = rng().gamma(3.0, 2.0, 400)
    f = mlelib.fit("gamma", x)
    assert f.params["scale"] == pytest.approx(x.mean() / f.params["shape"], rel=1e-14)


def test_gamma_needs_few_newton_steps_from_minkas_start():
    steps = [
        mlelib.fit("gamma", rng().gamma(shape, 1.0, 10_000)).iterations
        for shape in SHAPES
    ]
    assert max(steps) <= 3


def test_gamma_loglik_matches_scipy():
    x = rng().gamma(2.0, 3.0, 300)
    expected = stats.gamma.logpdf(x, 2.2, scale=2.8).sum()
    assert mlelib.loglik("gamma", x, shape=2.2, scale=2.8) == pytest.approx(
        expected, rel=1e-13
    )


def test_gamma_se_is_the_inverted_expected_information():
    x = rng().gamma(0.7, 5.0, 150)
    f = mlelib.fit("gamma", x)
    a, theta = f.params["shape"], f.params["scale"]
    info = 150 * np.array(
        [[special.polygamma(1, a), 1 / theta], [1 / theta, a / theta**2]]
    )
    np.testing.assert_allclose(
        [f.se["shape"], f.se["scale"]],
        np.sqrt(np.diag(np.linalg.inv(info))),
        rtol=1e-12,
    )


def test_gamma_all_values_equal_has_no_maximum():
    with pytest.raises(NoMaximumError, match=r"gamma: all 3 values are equal \(0.25\)"):
        mlelib.fit("gamma", [0.25, 0.25, 0.25])


def test_gamma_nan_is_named_with_its_index():
    with pytest.raises(DataError, match="gamma: value nan at index 2 is NaN"):
        mlelib.fit("gamma", [1.0, 2.0, np.nan])


# --- the solver -----------------------------------------------------------------------


def test_solver_falls_back_to_bisection_from_a_hopeless_start():
    # root of log(x) - log(7) (increasing); a Newton step from 1e-9 would jump to a
    # negative x
    root, steps, _, _ = solve(lambda x: (math.log(x / 7), 1 / x, None), 1e-9)
    assert root == pytest.approx(7.0, rel=1e-14) and steps < 60


def test_solver_takes_a_tiny_last_step_without_evaluating_again():
    evaluations = []

    def score(x):
        evaluations.append(x)
        return x * x - 2, 2 * x, len(evaluations)

    root, steps, extra, offset = solve(score, 1.5, last_step=1e-8)
    assert root == pytest.approx(math.sqrt(2), rel=1e-15)
    assert root == evaluations[-1] + offset and 0 < abs(offset) <= 1e-8 * root
    assert steps == len(evaluations) == extra


def test_solver_handles_a_decreasing_score():
    root, _, _, _ = solve(
        lambda x: (1 / x - 0.25, -1 / x**2, None), 100.0, increasing=False
    )
    assert root == pytest.approx(4.0, rel=1e-14)


def observed_information(loglik, a, b, h=1e-4):
    """Minus the Hessian of loglik at (a, b) by central differences with relative step
    h."""
    da, db = a * h, b * h
    f = lambda i, j: loglik(a + i * da, b + j * db)  # noqa: E731
    faa = (f(1, 0) - 2 * f(0, 0) + f(-1, 0)) / da**2
    fbb = (f(0, 1) - 2 * f(0, 0) + f(0, -1)) / db**2
    fab = (f(1, 1) - f(1, -1) - f(-1, 1) + f(-1, -1)) / (4 * da * db)
    return -np.array([[faa, fab], [fab, fbb]])
