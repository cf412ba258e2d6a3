"""Continuous closed-form families: estimators against closed forms, log-likelihoods against scipy."""

import math

import numpy as np
import pytest
from scipy import stats

import mlelib
from mlelib import NoMaximumError


def rng():
    return np.random.default_rng(20260202)


# --- normal ------------------------------------------------------------------------------------

def test_normal_mu_is_the_mean_and_sigma2_divides_by_n():
    x = rng().normal(3.0, 2.0, 1000)
    f = mlelib.fit("normal", x)
    assert f.params["mu"] == pytest.approx(x.mean(), rel=1e-14)
    assert f.params["sigma2"] == pytest.approx(x.var(ddof=0), rel=1e-13)


def test_normal_sigma2_is_accurate_for_data_far_from_zero():
    x = 1e8 + rng().normal(0.0, 1e-3, 500)  # a one-pass sum-of-squares formula would lose every digit here
    assert mlelib.fit("normal", x).params["sigma2"] == pytest.approx(np.var(x - 1e8), rel=1e-6)


def test_normal_loglik_matches_scipy():
    x = rng().normal(-1.0, 0.5, 300)
    expected = stats.norm.logpdf(x, -0.9, math.sqrt(0.3)).sum()
    assert mlelib.loglik("normal", x, mu=-0.9, sigma2=0.3) == pytest.approx(expected, rel=1e-13)


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


def test_normal_fit_does_not_modify_or_copy_a_float64_input():
    x = rng().normal(0.0, 1.0, 100)
    before = x.copy()
    mlelib.fit("normal", x)
    np.testing.assert_array_equal(x, before)


def test_normal_with_all_values_equal_raises_no_maximum():
    with pytest.raises(NoMaximumError):
        mlelib.fit("normal", [5, 5, 5])
