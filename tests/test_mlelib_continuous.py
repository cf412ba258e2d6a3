"""Continuous closed-form families: estimators against closed forms, log-likelihoods
against scipy."""

import math

import numpy as np
import pytest
from scipy import stats

import mlelib
from mlelib import NoMaximumError


def rng():
    return np.random.default_rng(20260202)


# --- normal ---------------------------------------------------------------------------


def test_normal_mu_is_the_mean_and_sigma2_divides_by_n():
    x = rng().normal(3.0, 2.0, 1000)
    f = mlelib.fit("normal", x)
    assert f.params["mu"] == pytest.approx(x.mean(), rel=1e-14)
    assert f.params["sigma2"] == pytest.approx(x.var(ddof=0), rel=1e-13)


def test_normal_sigma2_is_accurate_for_data_far_from_zero():
    x = 1e8 + rng().normal(
        0.0, 1e-3, 500
    )  # a one-pass sum-of-squares formula would lose every digit here
    assert mlelib.fit("normal", x).params["sigma2"] == pytest.approx(
        np.var(x - 1e8), rel=1e-6
    )


def test_normal_loglik_matches_scipy():
    x = rng().normal(-1.0, 0.5, 300)
    expected = stats.norm.logpdf(x, -0.9, math.sqrt(0.3)).sum()
    assert mlelib.loglik("normal", x, mu=-0.9, sigma2=0.3) == pytest.approx(
        expected, rel=1e-13
    )


def test_normal_fitted_loglik_matches_scipy_at_the_estimate():
    x = rng().normal(0.0, 1.0, 200)
    f = mlelib.fit("normal", x)
    expected = stats.norm.logpdf(x, f.params["mu"], math.sqrt(f.params["sigma2"])).sum()
    assert f.loglik == pytest.approx(expected, rel=1e-13)


def test_normal_se_are_sqrt_sigma2_over_n_and_sigma2_sqrt_2_over_n():
    x = rng().normal(5.0, 3.0, 250)
    f = mlelib.fit("normal", x)
    sigma2 = f.params["sigma2"]
    assert f.se["mu"] == pytest.approx(math.sqrt(sigma2 / 250), rel=1e-14)
    assert f.se["sigma2"] == pytest.approx(math.sqrt(2 * sigma2**2 / 250), rel=1e-14)


def test_normal_large_array_gives_the_same_fit_as_numpy():
    x = rng().normal(10.0, 4.0, 300_001)  # several blocks and a ragged last block
    f = mlelib.fit("normal", x)
    assert f.params["mu"] == pytest.approx(x.mean(), rel=1e-13)
    assert f.params["sigma2"] == pytest.approx(x.var(), rel=1e-12)


@pytest.mark.parametrize(
    "family",
    ["exponential", "normal", "lognormal", "laplace", "uniform", "weibull", "gamma"],
)
def test_fit_leaves_its_input_unchanged(family):
    x = rng().gamma(
        2.0, 1.0, 70_001
    )  # > one block and > the laplace selection threshold
    before = x.copy()
    mlelib.fit(family, x)
    np.testing.assert_array_equal(x, before)


def test_normal_with_a_variance_below_float64_range_is_a_data_error():
    # the values differ, so a maximum exists, but sigma2 = 6e-648 is not a float64
    with pytest.raises(
        mlelib.DataError,
        match=r"normal: the MLE sigma2 = 0\.0 is below the normal float64 range .* "
        "multiply the data by a constant",
    ):
        mlelib.fit("normal", [0.0, 5e-324])


def test_normal_with_all_values_equal_raises_no_maximum():
    with pytest.raises(NoMaximumError):
        mlelib.fit("normal", [5, 5, 5])


# --- exponential ----------------------------------------------------------------------


def test_exponential_rate_is_one_over_the_mean():
    x = rng().exponential(2.0, 1000)
    assert mlelib.fit("exponential", x).params["rate"] == pytest.approx(
        1 / x.mean(), rel=1e-14
    )


def test_exponential_loglik_matches_scipy():
    x = rng().exponential(0.5, 200)
    expected = stats.expon.logpdf(x, scale=1 / 1.7).sum()
    assert mlelib.loglik("exponential", x, rate=1.7) == pytest.approx(
        expected, rel=1e-13
    )


def test_exponential_se_is_rate_over_sqrt_n():
    x = rng().exponential(3.0, 64)
    f = mlelib.fit("exponential", x)
    assert f.se["rate"] == pytest.approx(f.params["rate"] / 8, rel=1e-14)


def test_exponential_accepts_zeros_among_positive_values():
    assert mlelib.fit("exponential", [0.0, 2.0]).params["rate"] == 1.0


def test_exponential_all_zeros_has_no_maximum():
    with pytest.raises(NoMaximumError, match="exponential: all 3 values are 0"):
        mlelib.fit("exponential", [0, 0, 0])


def test_exponential_rate_beyond_float64_is_a_data_error_not_inf():
    with pytest.raises(
        mlelib.DataError, match=r"exponential: the values are too small for float64"
    ):
        mlelib.fit("exponential", [0.0, 5e-324])


def test_exponential_negative_value_is_outside_the_support():
    with pytest.raises(
        mlelib.DataError,
        match=r"exponential: value -0.5 at index 1 is outside the support; "
        r"allowed: x >= 0",
    ):
        mlelib.fit("exponential", [1.0, -0.5])


# --- lognormal ------------------------------------------------------------------------


def test_lognormal_params_are_the_normal_mle_of_log_x():
    x = rng().lognormal(1.0, 0.7, 1000)
    f = mlelib.fit("lognormal", x)
    assert f.params["mu"] == pytest.approx(np.log(x).mean(), rel=1e-13)
    assert f.params["sigma2"] == pytest.approx(np.log(x).var(), rel=1e-12)


def test_lognormal_loglik_matches_scipy():
    x = rng().lognormal(0.0, 1.0, 300)
    expected = stats.lognorm.logpdf(x, math.sqrt(0.8), scale=math.exp(0.1)).sum()
    assert mlelib.loglik("lognormal", x, mu=0.1, sigma2=0.8) == pytest.approx(
        expected, rel=1e-13
    )


def test_lognormal_fitted_loglik_matches_scipy_at_the_estimate():
    x = rng().lognormal(2.0, 0.3, 50_000)  # several blocks
    f = mlelib.fit("lognormal", x)
    expected = stats.lognorm.logpdf(
        x, math.sqrt(f.params["sigma2"]), scale=math.exp(f.params["mu"])
    ).sum()
    assert f.loglik == pytest.approx(expected, rel=1e-12)


def test_lognormal_zero_is_outside_the_support():
    with pytest.raises(
        mlelib.DataError,
        match=r"lognormal: value 0 at index 1 is outside the support; allowed: x > 0",
    ):
        mlelib.fit("lognormal", [1.0, 0.0, 2.0])


def test_lognormal_all_values_equal_has_no_maximum():
    with pytest.raises(NoMaximumError, match="lognormal: all 2 log values are equal"):
        mlelib.fit("lognormal", [3.0, 3.0])


# --- laplace --------------------------------------------------------------------------


def test_laplace_mu_is_the_median_and_b_the_mean_absolute_deviation():
    x = rng().laplace(1.0, 2.0, 1001)
    f = mlelib.fit("laplace", x)
    assert f.params["mu"] == np.median(x)
    assert f.params["b"] == pytest.approx(np.abs(x - np.median(x)).mean(), rel=1e-13)


def test_laplace_even_n_takes_the_midpoint_of_the_middle_values():
    assert mlelib.fit("laplace", [4.0, 1.0, 3.0, 10.0]).params["mu"] == 3.5


def test_laplace_loglik_matches_scipy():
    x = rng().laplace(0.0, 1.0, 300)
    assert mlelib.loglik("laplace", x, mu=0.2, b=1.3) == pytest.approx(
        stats.laplace.logpdf(x, 0.2, 1.3).sum(), rel=1e-13
    )


def test_laplace_se_of_both_parameters_is_b_over_sqrt_n():
    x = rng().laplace(0.0, 3.0, 100)
    f = mlelib.fit("laplace", x)
    assert f.se == {"mu": f.params["b"] / 10, "b": f.params["b"] / 10}


def test_laplace_with_more_than_half_the_values_equal_still_has_a_maximum():
    f = mlelib.fit("laplace", [2.0, 2.0, 2.0, 5.0])
    assert (f.params["mu"], f.params["b"]) == (2.0, 0.75)


def test_laplace_all_values_equal_has_no_maximum():
    with pytest.raises(
        NoMaximumError, match=r"laplace: all 3 values are equal \(-1\).*b -> 0"
    ):
        mlelib.fit("laplace", [-1, -1, -1])


# --- uniform --------------------------------------------------------------------------


def test_uniform_low_and_high_are_min_and_max():
    x = rng().uniform(-2.0, 7.0, 500)
    f = mlelib.fit("uniform", x)
    assert (f.params["low"], f.params["high"]) == (x.min(), x.max())
    assert f.loglik == pytest.approx(-500 * math.log(x.max() - x.min()), rel=1e-15)


def test_uniform_loglik_matches_scipy_inside_and_is_minus_inf_outside():
    x = rng().uniform(0.0, 1.0, 100)
    expected = stats.uniform.logpdf(x, -0.5, 2.0).sum()
    assert mlelib.loglik("uniform", x, low=-0.5, high=1.5) == pytest.approx(
        expected, rel=1e-14
    )
    assert mlelib.loglik("uniform", x, low=0.1, high=1.5) == -math.inf


def test_uniform_se_is_the_std_of_the_sample_maximum():
    n, width = 20, 3.0
    x = np.concatenate([[0.0, width], rng().uniform(0.0, width, n - 2)])
    f = mlelib.fit("uniform", x)
    beta_std = stats.beta(n, 1).std()  # (max - low) / width ~ Beta(n, 1)
    assert f.se["high"] == pytest.approx(width * beta_std, rel=1e-13)
    assert f.se["low"] == f.se["high"]


def test_uniform_ci_is_one_sided_from_the_estimate_outwards():
    f = mlelib.fit("uniform", [1.0, 2.0, 4.0])
    (low_lo, low_hi), (high_lo, high_hi) = f.ci(0.9)["low"], f.ci(0.9)["high"]
    assert (low_hi, high_lo) == (1.0, 4.0) and low_lo < 1.0 and high_hi > 4.0


def test_uniform_exact_ci_covers_high_and_low_95_percent_of_the_time():
    generator = rng()
    low, high, n, runs = 3.0, 5.0, 6, 4000
    covered_high = covered_low = 0
    for _ in range(runs):
        ci = mlelib.fit("uniform", generator.uniform(low, high, n)).ci(0.95)
        covered_high += ci["high"][0] <= high <= ci["high"][1]
        covered_low += ci["low"][0] <= low <= ci["low"][1]
    # the binomial sd of a coverage estimate over 4000 runs is 0.0034: 0.95 +- 0.012 is
    # ~3.5 sd
    assert abs(covered_high / runs - 0.95) < 0.012
    assert abs(covered_low / runs - 0.95) < 0.012


def test_uniform_loglik_rejects_low_not_below_high():
    with pytest.raises(
        ValueError,
        match="uniform: parameters low=2.0, high=1.0 are outside .*low < high",
    ):
        mlelib.loglik("uniform", [1.5], low=2.0, high=1.0)


def test_uniform_all_values_equal_has_no_maximum():
    with pytest.raises(NoMaximumError, match="uniform: all 2 values are equal"):
        mlelib.fit("uniform", [0.5, 0.5])


@pytest.mark.parametrize(
    "arrange", ["random", "sorted", "reversed", "ties", "periodic"]
)
def test_laplace_median_of_large_data_is_exactly_numpys(arrange):
    generator = rng()
    x = {
        "random": lambda: generator.laplace(0.0, 1.0, 200_001),
        "sorted": lambda: np.sort(generator.normal(0.0, 1.0, 200_000)),
        "reversed": lambda: np.sort(generator.normal(0.0, 1.0, 200_000))[::-1],
        "ties": lambda: generator.integers(0, 3, 200_000).astype(float),
        "periodic": lambda: np.tile([1.0, 2.0, 3.0, 100.0], 50_001),
    }[arrange]()
    assert mlelib.fit("laplace", x).params["mu"] == np.median(x)


def test_laplace_nan_in_large_data_is_named_with_its_index():
    x = rng().laplace(0.0, 1.0, 100_000)
    x[77_777] = np.nan
    with pytest.raises(
        mlelib.DataError, match="laplace: value nan at index 77777 is NaN"
    ):
        mlelib.fit("laplace", x)
