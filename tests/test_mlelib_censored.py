"""Right-censored fits: agreement with scipy's CensoredData fits, the censored
log-likelihood, closed forms, observed information, and the errors."""

import math
import pickle

import numpy as np
import pytest
import scipy.optimize
import scipy.stats as st

import mlelib
from mlelib._censored import log_upper_gamma

FAMILIES = ("exponential", "weibull", "gamma", "lognormal", "normal")

# scipy distribution, fixed keywords, and mlelib params -> scipy's shape/loc/scale args
SCIPY = {
    "exponential": (st.expon, {"floc": 0}, lambda p: (0.0, 1 / p["rate"])),
    "weibull": (st.weibull_min, {"floc": 0}, lambda p: (p["shape"], 0.0, p["scale"])),
    "gamma": (st.gamma, {"floc": 0}, lambda p: (p["shape"], 0.0, p["scale"])),
    "lognormal": (
        st.lognorm,
        {"floc": 0},
        lambda p: (math.sqrt(p["sigma2"]), 0.0, math.exp(p["mu"])),
    ),
    "normal": (st.norm, {}, lambda p: (p["mu"], math.sqrt(p["sigma2"]))),
}


def from_scipy(family, args):
    """scipy's fitted (shape, loc, scale) as mlelib params."""
    if family == "exponential":
        return {"rate": 1 / args[1]}
    if family in ("weibull", "gamma"):
        return {"shape": args[0], "scale": args[2]}
    if family == "lognormal":
        return {"mu": math.log(args[2]), "sigma2": args[0] ** 2}
    return {"mu": args[0], "sigma2": args[1] ** 2}


def lifetimes(family, rng, n):
    return {
        "exponential": lambda: rng.exponential(2.0, n),
        "weibull": lambda: 3.0 * rng.weibull(1.7, n),
        "gamma": lambda: rng.gamma(0.8, 2.0, n),
        "lognormal": lambda: rng.lognormal(0.5, 0.8, n),
        "normal": lambda: rng.normal(3.0, 2.0, n),
    }[family]()


def censored_sample(family, seed, n=150, share=0.3):
    """Lifetimes censored by independent censoring times, around the (1 - share)
    quantile of the lifetimes: (observed times, mask)."""
    rng = np.random.default_rng(seed)
    life = lifetimes(family, rng, n)
    middle = np.quantile(life, 1 - share)
    if family == "normal":
        limit = middle + rng.uniform(-2.0, 2.0, n)
    else:
        limit = middle * rng.uniform(0.3, 1.7, n)
    mask = limit < life
    return np.where(mask, limit, life), mask


def scipy_loglik(family, x, mask, params):
    dist, _, args = SCIPY[family]
    a = args(params)
    return float(dist.logpdf(x[~mask], *a).sum() + dist.logsf(x[mask], *a).sum())


def tight(func, x0, args=(), disp=0):
    """scipy's default optimizer (Nelder-Mead) with tolerances near rounding."""
    return scipy.optimize.fmin(
        func,
        x0,
        args=args,
        disp=0,
        xtol=1e-13,
        ftol=1e-15,
        maxiter=20000,
        maxfun=2000,
    )


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("family", FAMILIES)
def test_censored_fit_agrees_with_scipy_censored_data_fit(family, seed):
    x, mask = censored_sample(family, seed)
    assert 0 < mask.sum() < x.size
    f = mlelib.fit(family, x, censored=mask)
    dist, fixed, _ = SCIPY[family]
    data = st.CensoredData.right_censored(x, mask)
    exact = from_scipy(family, dist.fit(data, optimizer=tight, **fixed))
    for name, value in exact.items():
        assert f.params[name] == pytest.approx(value, rel=1e-6, abs=1e-9), name
    # at scipy's own (default) estimate the likelihood is never higher than at ours
    default = from_scipy(family, dist.fit(data, **fixed))
    theirs = scipy_loglik(family, x, mask, default)
    assert f.loglik >= theirs - 1e-12 * abs(theirs)
    assert f.loglik == pytest.approx(scipy_loglik(family, x, mask, f.params), rel=1e-12)


@pytest.mark.parametrize("family", FAMILIES)
def test_censored_fit_agrees_with_scipy_under_heavy_censoring(family):
    x, mask = censored_sample(family, 7, n=120, share=0.7)
    assert mask.mean() > 0.6
    f = mlelib.fit(family, x, censored=mask)
    dist, fixed, _ = SCIPY[family]
    data = st.CensoredData.right_censored(x, mask)
    exact = from_scipy(family, dist.fit(data, optimizer=tight, **fixed))
    for name, value in exact.items():
        assert f.params[name] == pytest.approx(value, rel=1e-6, abs=1e-9), name


@pytest.mark.parametrize("family", FAMILIES)
def test_censored_loglik_is_scipy_logpdf_plus_logsf(family):
    x, mask = censored_sample(family, 3)
    params = {
        "exponential": {"rate": 0.4},
        "weibull": {"shape": 1.3, "scale": 2.5},
        "gamma": {"shape": 1.7, "scale": 0.9},
        "lognormal": {"mu": 0.2, "sigma2": 1.4},
        "normal": {"mu": 2.0, "sigma2": 5.0},
    }[family]
    value = mlelib.loglik(family, x, censored=mask, **params)
    assert value == pytest.approx(scipy_loglik(family, x, mask, params), rel=1e-10)


@pytest.mark.parametrize("family", FAMILIES)
def test_censored_loglik_at_the_fit_is_the_fits_loglik(family):
    x, mask = censored_sample(family, 4)
    f = mlelib.fit(family, x, censored=mask)
    assert mlelib.loglik(family, x, censored=mask, **f.params) == f.loglik


@pytest.mark.parametrize("family", FAMILIES)
def test_censored_fit_is_a_maximum(family):
    x, mask = censored_sample(family, 5)
    f = mlelib.fit(family, x, censored=mask)
    for name in f.params:
        for factor in (1 - 1e-4, 1 + 1e-4):
            moved = dict(f.params, **{name: f.params[name] * factor})
            assert mlelib.loglik(family, x, censored=mask, **moved) < f.loglik


def test_exponential_censored_rate_is_failures_over_total_time():
    x, mask = censored_sample("exponential", 6)
    f = mlelib.fit("exponential", x, censored=mask)
    d = int((~mask).sum())
    assert f.params["rate"] == d / x.sum()
    assert f.iterations == 0
    assert f.se["rate"] == pytest.approx(f.params["rate"] / math.sqrt(d), rel=1e-14)


def test_weibull_censored_scale_is_closed_form_and_shape_solves_profile_equation():
    x, mask = censored_sample("weibull", 8)
    f = mlelib.fit("weibull", x, censored=mask)
    k, lam = f.params["shape"], f.params["scale"]
    d = int((~mask).sum())
    assert lam**k == pytest.approx(np.sum(x**k) / d, rel=1e-13)
    profile = np.sum(x**k * np.log(x)) / np.sum(x**k) - 1 / k - np.log(x[~mask]).mean()
    assert abs(profile) < 1e-13
    assert 0 < f.iterations < 10


def numeric_hessian(family, x, mask, params, h=1e-4):
    names = list(params)
    hess = np.empty((len(names), len(names)))

    def ll(**moved):
        return mlelib.loglik(family, x, censored=mask, **dict(params, **moved))

    steps = {name: h * max(abs(params[name]), 1.0) for name in names}
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ha, hb = steps[a], steps[b]
            total = 0.0
            for sa, sb, sign in ((1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)):
                moved = {a: params[a] + sa * ha}
                moved[b] = moved.get(b, params[b]) + sb * hb
                if a == b:
                    moved = {a: params[a] + (sa + sb) * ha}
                total += sign * ll(**moved)
            hess[i, j] = total / (4 * ha * hb)
    return hess


@pytest.mark.parametrize("family", FAMILIES)
def test_censored_se_is_from_the_observed_information_a_numeric_hessian(family):
    x, mask = censored_sample(family, 9)
    f = mlelib.fit(family, x, censored=mask)
    cov = np.linalg.inv(-numeric_hessian(family, x, mask, dict(f.params)))
    np.testing.assert_allclose(f.cov(), cov, rtol=1e-5)
    np.testing.assert_allclose(f.cov("observed"), cov, rtol=1e-5)
    np.testing.assert_allclose(
        [f.se[name] for name in f.params], np.sqrt(np.diag(cov)), rtol=1e-5
    )


@pytest.mark.parametrize("family", FAMILIES)
def test_censored_fit_has_no_expected_information(family):
    x, mask = censored_sample(family, 10)
    with pytest.raises(ValueError, match="censoring distribution"):
        mlelib.fit(family, x, censored=mask).cov("expected")


@pytest.mark.parametrize("family", FAMILIES)
def test_censored_none_or_all_false_is_exactly_the_uncensored_fit(family):
    x, _ = censored_sample(family, 11)
    plain = mlelib.fit(family, x)
    for mask in (None, np.zeros(x.size, bool), [False] * x.size):
        f = mlelib.fit(family, x, censored=mask)
        assert f == plain and repr(f) == repr(plain) and f.failures is None
        assert f.cov() is not None and np.array_equal(f.cov(), plain.cov())
    assert mlelib.loglik(
        family, x, censored=np.zeros(x.size, bool), **plain.params
    ) == (mlelib.loglik(family, x, **plain.params))


def test_censored_fit_counts_failures_and_says_so_in_its_title():
    x, mask = censored_sample("weibull", 12, n=40)
    f = mlelib.fit("weibull", x, censored=mask)
    d = int((~mask).sum())
    assert (f.n, f.failures) == (40, d)
    title = repr(f).splitlines()[0]
    assert f"n=40 ({d} failures, {40 - d} censored)" in title
    assert f"({d} failures" in f._repr_html_()
    assert f != mlelib.fit("weibull", x)


@pytest.mark.parametrize("family", FAMILIES)
def test_censored_profile_bounds_have_deviance_equal_to_the_chi2_quantile(family):
    x, mask = censored_sample(family, 13)
    f = mlelib.fit(family, x, censored=mask)
    q = st.chi2.ppf(0.95, 1)
    intervals = f.ci(0.95, method="profile")
    for name, (lo, hi) in intervals.items():
        assert lo < f.params[name] < hi
        for bound in (lo, hi):
            deviance = 2 * (f.loglik - f.profile(name, bound))
            assert deviance == pytest.approx(q, rel=1e-7), (name, bound)
    wald = f.ci(0.95)
    for name, (lo, hi) in wald.items():
        assert (lo + hi) / 2 == pytest.approx(f.params[name], rel=1e-12)


@pytest.mark.parametrize("family", FAMILIES)
def test_censored_aic_and_bic_follow_their_formulas(family):
    x, mask = censored_sample(family, 14)
    f = mlelib.fit(family, x, censored=mask)
    k = len(f.params)
    assert f.aic == 2 * k - 2 * f.loglik
    assert f.bic == k * math.log(x.size) - 2 * f.loglik


def test_censored_fit_pickles_to_an_equal_fit_with_working_inference():
    x, mask = censored_sample("gamma", 15)
    f = mlelib.fit("gamma", x, censored=mask)
    g = pickle.loads(pickle.dumps(f))
    assert g == f and repr(g) == repr(f) and g.failures == f.failures
    np.testing.assert_array_equal(g.cov(), f.cov())


def test_censored_masked_array_fits_the_unmasked_values():
    x, mask = censored_sample("lognormal", 16, n=60)
    hidden = np.zeros(x.size, bool)
    hidden[[3, 10]] = True
    f = mlelib.fit("lognormal", np.ma.array(x, mask=hidden), censored=mask)
    g = mlelib.fit("lognormal", x[~hidden], censored=mask[~hidden])
    assert f == g


def test_gamma_log_survival_where_gammaincc_underflows():
    # log Q(a, y) for Q far below the float64 range (reference: mpmath, 30 digits)
    import mpmath

    mpmath.mp.dps = 30
    for a, y in ((2.5, 900.0), (0.3, 2000.0), (40.0, 1500.0)):
        exact = float(mpmath.log(mpmath.gammainc(a, y, mpmath.inf, regularized=True)))
        assert log_upper_gamma(a, y)[0] == pytest.approx(exact, rel=1e-13)


# -- errors -----------------------------------------------------------------------


def test_censored_mask_of_another_length_is_a_data_error():
    with pytest.raises(
        mlelib.DataError, match="censored has 2 entries but the data have 3"
    ):
        mlelib.fit("weibull", [1.0, 2.0, 3.0], censored=[True, False])


def test_censored_integer_mask_is_refused_with_the_status_hint():
    with pytest.raises(mlelib.DataError, match="status == 0"):
        mlelib.fit("weibull", [1.0, 2.0, 3.0], censored=[0, 1, 0])


def test_censored_nan_in_the_mask_names_its_index():
    with pytest.raises(mlelib.DataError, match="at index 2 is NaN") as info:
        mlelib.fit("exponential", [1.0, 2.0, 3.0], censored=[0.0, 1.0, math.nan])
    assert info.value.index == 2
    with pytest.raises(mlelib.DataError, match="at index 1 is NaN"):
        mlelib.loglik("normal", [1, 2], censored=[False, math.nan], mu=0, sigma2=1)


def test_censored_non_boolean_entries_are_named():
    with pytest.raises(mlelib.DataError, match="'yes' at index 1 is not a boolean"):
        mlelib.fit("gamma", [1.0, 2.0, 3.0], censored=[False, "yes", True])
    with pytest.raises(mlelib.DataError, match="float, not a boolean"):
        mlelib.fit("gamma", [1.0, 2.0, 3.0], censored=[0.0, 1.0, 0.0])
    with pytest.raises(mlelib.DataError, match="one-dimensional"):
        mlelib.fit("gamma", [1.0, 2.0], censored=[[True, False]])


@pytest.mark.parametrize("family", FAMILIES)
def test_censored_without_failures_has_no_maximum(family):
    with pytest.raises(mlelib.NoMaximumError, match="no failures"):
        mlelib.fit(family, [1.0, 2.0, 3.0], censored=[True, True, True])


@pytest.mark.parametrize("family", ["weibull", "gamma", "lognormal", "normal"])
def test_censored_equal_failures_and_no_later_censoring_have_no_maximum(family):
    with pytest.raises(mlelib.NoMaximumError, match="failures are equal"):
        mlelib.fit(family, [2.0, 2.0, 1.0], censored=[False, False, True])
    # a unit that survives past the failures bounds the likelihood
    f = mlelib.fit(family, [2.0, 2.0, 3.0], censored=[False, False, True])
    assert all(math.isfinite(v) for v in f.params.values())


@pytest.mark.parametrize("family", ["bernoulli", "poisson", "uniform", "laplace"])
def test_censored_for_an_unsupported_family_lists_the_supported_ones(family):
    with pytest.raises(
        ValueError, match="exponential, weibull, gamma, lognormal, normal"
    ):
        mlelib.fit(family, [1, 1, 0], censored=[False, True, False])
    with pytest.raises(ValueError, match="families with censoring"):
        mlelib.FAMILIES[family].fit([1, 1, 0], censored=[False, True, False])


def test_censored_data_are_validated_as_usual():
    with pytest.raises(mlelib.DataError, match="value -1 at index 1 is outside"):
        mlelib.fit("weibull", [1.0, -1.0, 3.0], censored=[False, True, False])
    with pytest.raises(mlelib.DataError, match="value nan at index 2 is NaN"):
        mlelib.fit("normal", [1.0, 2.0, math.nan], censored=[False, True, False])
    with pytest.raises(mlelib.DataError, match="at index 0 is infinite"):
        mlelib.loglik("exponential", [math.inf, 1.0], censored=[True, False], rate=1.0)
    with pytest.raises(ValueError, match="outside the parameter space"):
        mlelib.loglik("gamma", [1.0, 2.0], censored=[True, False], shape=-1, scale=1)
    with pytest.raises(ValueError, match="unexpected keyword"):
        mlelib.fit("gamma", [1.0, 2.0], censored=[True, False], scale=1.0)
