"""Count families: estimators against closed forms, log-likelihoods against scipy,
standard errors."""

import math

import numpy as np
import pytest
from scipy import stats

import mlelib

RNG_SEED = 20260101


def rng():
    return np.random.default_rng(RNG_SEED)


# --- bernoulli ------------------------------------------------------------------------


def test_bernoulli_all_zeros_gives_p_zero_exactly():
    assert mlelib.fit("bernoulli", [0, 0, 0]).params == {"p": 0.0}


def test_bernoulli_all_ones_gives_p_one_with_zero_se_and_zero_loglik():
    f = mlelib.fit("bernoulli", [1, 1, 1, 1])
    assert (f.params["p"], f.se["p"], f.loglik) == (1.0, 0.0, 0.0)


def test_bernoulli_p_is_the_sample_mean():
    x = rng().random(1000) < 0.3
    assert mlelib.fit("bernoulli", x).params["p"] == x.mean()


def test_bernoulli_accepts_bools_ints_and_floats_alike():
    x = rng().random(50) < 0.4
    fits = [
        mlelib.fit("bernoulli", data)
        for data in (x, x.astype(int), x.astype(float), x.tolist())
    ]
    assert len({(f.params["p"], f.loglik) for f in fits}) == 1


def test_bernoulli_loglik_matches_scipy():
    x = (rng().random(200) < 0.35).astype(int)
    expected = stats.bernoulli.logpmf(x, 0.42).sum()
    assert mlelib.loglik("bernoulli", x, p=0.42) == pytest.approx(expected, rel=1e-13)


def test_bernoulli_loglik_at_p_zero_with_a_success_is_minus_infinity():
    assert mlelib.loglik("bernoulli", [0, 1], p=0.0) == -math.inf


def test_bernoulli_se_is_sqrt_p_one_minus_p_over_n():
    x = rng().random(400) < 0.2
    f = mlelib.fit("bernoulli", x)
    p = x.mean()
    assert f.se["p"] == pytest.approx(math.sqrt(p * (1 - p) / 400), rel=1e-14)


# --- binomial -------------------------------------------------------------------------


def test_binomial_p_is_successes_over_total_trials():
    x = rng().binomial(12, 0.3, 500)
    f = mlelib.fit("binomial", x, trials=12)
    assert f.params["p"] == pytest.approx(x.sum() / (500 * 12), rel=1e-15)
    assert f.known == {"trials": 12}


def test_binomial_loglik_matches_scipy_including_the_binomial_coefficients():
    x = rng().binomial(30, 0.6, 300)
    expected = stats.binom.logpmf(x, 30, 0.55).sum()
    assert mlelib.loglik("binomial", x, p=0.55, trials=30) == pytest.approx(
        expected, rel=1e-13
    )


def test_binomial_fitted_loglik_matches_scipy_at_the_estimate():
    x = rng().binomial(7, 0.2, 100)
    f = mlelib.fit("binomial", x, trials=7)
    assert f.loglik == pytest.approx(
        stats.binom.logpmf(x, 7, f.params["p"]).sum(), rel=1e-13
    )


def test_binomial_with_counts_far_above_n_sums_directly_and_matches_scipy():
    x = rng().binomial(
        10**6, 0.5, 20
    )  # values ~5e5 >> 4 n: no value table, coefficients summed directly
    f = mlelib.fit("binomial", x, trials=10**6)
    # each log C(1e6, ~5e5) is ~7e5 and float64 gets it to ~1e-15 relative, in scipy as
    # here: 20 terms on each side differ by at most ~3e-8
    assert f.loglik == pytest.approx(
        stats.binom.logpmf(x, 10**6, f.params["p"]).sum(), rel=0, abs=1e-7
    )


@pytest.mark.parametrize("data, p", [([0, 0, 0], 0.0), ([5, 5], 1.0)])
def test_binomial_all_zero_or_all_trials_is_a_boundary_maximum(data, p):
    f = mlelib.fit("binomial", data, trials=5)
    assert (f.params["p"], f.se["p"], f.loglik) == (p, 0.0, 0.0)


def test_binomial_se_is_sqrt_p_one_minus_p_over_total_trials():
    x = rng().binomial(9, 0.7, 60)
    f = mlelib.fit("binomial", x, trials=9)
    p = f.params["p"]
    assert f.se["p"] == pytest.approx(math.sqrt(p * (1 - p) / (60 * 9)), rel=1e-14)


def test_binomial_without_trials_raises_a_value_error_naming_trials():
    with pytest.raises(ValueError, match="trials"):
        mlelib.fit("binomial", [1, 2])


# --- categorical ----------------------------------------------------------------------


def test_categorical_p_is_the_share_of_each_label():
    x = rng().choice(4, size=1000, p=[0.1, 0.2, 0.3, 0.4])
    f = mlelib.fit("categorical", x)
    np.testing.assert_array_equal(f.params["p"], np.bincount(x) / 1000)
    assert f.known == {"categories": 4}


def test_categorical_unseen_categories_get_p_zero_and_se_zero():
    f = mlelib.fit("categorical", [0, 0, 2], categories=5)
    np.testing.assert_array_equal(f.params["p"], [2 / 3, 0, 1 / 3, 0, 0])
    np.testing.assert_array_equal(f.se["p"][[1, 3, 4]], 0.0)


def test_categorical_loglik_matches_scipy_multinomial_of_one_hot_rows():
    x = rng().choice(3, size=50, p=[0.5, 0.3, 0.2])
    p = np.array([0.45, 0.35, 0.2])
    one_hot = np.eye(3)[x]
    expected = stats.multinomial.logpmf(one_hot, 1, p).sum()
    assert mlelib.loglik("categorical", x, p=p) == pytest.approx(expected, rel=1e-13)


def test_categorical_fitted_loglik_is_sum_of_counts_times_log_p():
    x = rng().choice(6, size=300)
    f = mlelib.fit("categorical", x)
    counts = np.bincount(x)
    assert f.loglik == pytest.approx(float(counts @ np.log(counts / 300)), rel=1e-14)


def test_categorical_se_is_sqrt_p_one_minus_p_over_n():
    x = rng().choice(3, size=80)
    f = mlelib.fit("categorical", x)
    p = f.params["p"]
    np.testing.assert_allclose(f.se["p"], np.sqrt(p * (1 - p) / 80), rtol=1e-14)


def test_categorical_loglik_takes_categories_from_the_length_of_p():
    # label 3 is absent from the data, yet p has four entries: that is a valid
    # evaluation
    assert mlelib.loglik("categorical", [0, 1], p=[0.25] * 4) == pytest.approx(
        2 * math.log(0.25)
    )


# --- poisson --------------------------------------------------------------------------


def test_poisson_all_zeros_gives_lam_zero_and_loglik_zero():
    f = mlelib.fit("poisson", [0, 0, 0, 0])
    assert (f.params["lam"], f.se["lam"], f.loglik) == (0.0, 0.0, 0.0)


def test_poisson_lam_is_the_sample_mean():
    x = rng().poisson(4.5, 1000)
    assert mlelib.fit("poisson", x).params["lam"] == pytest.approx(x.mean(), rel=1e-15)


def test_poisson_loglik_matches_scipy_including_log_factorials():
    x = rng().poisson(2.5, 500)
    expected = stats.poisson.logpmf(x, 2.2).sum()
    assert mlelib.loglik("poisson", x, lam=2.2) == pytest.approx(expected, rel=1e-13)


def test_poisson_loglik_with_sparse_huge_counts_matches_scipy():
    x = np.array(
        [0, 3, 10**7, 12]
    )  # range far larger than the data: summed directly, no value table
    expected = stats.poisson.logpmf(x, 1e6).sum()
    assert mlelib.loglik("poisson", x, lam=1e6) == pytest.approx(expected, rel=1e-12)


def test_poisson_fit_of_integer_valued_floats_equals_fit_of_ints():
    x = rng().poisson(3, 100)
    a, b = mlelib.fit("poisson", x), mlelib.fit("poisson", x.astype(float))
    assert (a.params, a.loglik) == (b.params, b.loglik)


def test_poisson_se_is_sqrt_lam_over_n():
    x = rng().poisson(7, 90)
    f = mlelib.fit("poisson", x)
    assert f.se["lam"] == pytest.approx(math.sqrt(x.mean() / 90), rel=1e-14)


def test_poisson_horse_kick_data_gives_lam_0_61():
    # Bortkiewicz (1898): 109, 65, 22, 3, 1 corps-years with 0..4 deaths
    x = np.repeat(np.arange(5), [109, 65, 22, 3, 1])
    assert mlelib.fit("poisson", x).params["lam"] == pytest.approx(122 / 200, rel=1e-15)


# --- geometric ------------------------------------------------------------------------


def test_geometric_p_is_one_over_the_mean():
    x = rng().geometric(0.25, 1000)
    assert mlelib.fit("geometric", x).params["p"] == pytest.approx(
        1 / x.mean(), rel=1e-15
    )


def test_geometric_all_ones_gives_p_one_with_zero_se():
    f = mlelib.fit("geometric", [1, 1, 1])
    assert (f.params["p"], f.se["p"], f.loglik) == (1.0, 0.0, 0.0)


def test_geometric_loglik_matches_scipy_geom_which_counts_trials_from_one():
    x = rng().geometric(0.4, 300)
    assert mlelib.loglik("geometric", x, p=0.35) == pytest.approx(
        stats.geom.logpmf(x, 0.35).sum(), rel=1e-13
    )


def test_geometric_se_is_p_sqrt_one_minus_p_over_n():
    x = rng().geometric(0.6, 70)
    f = mlelib.fit("geometric", x)
    p = f.params["p"]
    assert f.se["p"] == pytest.approx(math.sqrt(p**2 * (1 - p) / 70), rel=1e-14)


def test_geometric_zero_is_outside_the_support():
    with pytest.raises(
        mlelib.DataError,
        match=r"geometric: value 0 at index 2 is outside the support; "
        r"allowed: integers >= 1",
    ):
        mlelib.fit("geometric", [1, 3, 0])
