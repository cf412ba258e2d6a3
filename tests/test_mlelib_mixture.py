"""The normal mixture fitted by EM: a monotone likelihood sequence, at least as high as
scipy.optimize reaches, known parameters recovered, clear errors, K = 1 the normal fit.

Independent references: scipy.stats.norm.logpdf with scipy.special.logsumexp for the
log-likelihood, L-BFGS-B on an unconstrained parametrisation for the maximum, central
differences for the observed information, scipy.integrate.quad for the expected one.
"""

import math

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats
from test_mlelib_inference import numeric_hessian

import mlelib

MIXTURE = mlelib.FAMILIES["normal_mixture"]


def two_components(seed, n=400, weight=0.35, mu=(-1.0, 2.5), sd=(1.0, 0.7)):
    rng = np.random.default_rng(seed)
    first = rng.random(n) < weight
    return np.where(first, rng.normal(mu[0], sd[0], n), rng.normal(mu[1], sd[1], n))


def scipy_loglik(x, weight, mu, sigma2):
    logpdf = stats.norm.logpdf(np.asarray(x)[:, None], mu, np.sqrt(sigma2))
    return float(special.logsumexp(logpdf, b=weight, axis=1).sum())


def lbfgsb_maximum(x, start):
    """scipy's L-BFGS-B on (logit weight_0, mu_0, mu_1, log sigma2_0, log sigma2_1)."""

    def unpack(theta):
        w = special.expit(theta[0])
        return np.array([w, 1 - w]), theta[1:3], np.exp(theta[3:5])

    result = optimize.minimize(
        lambda theta: -scipy_loglik(x, *unpack(theta)), start, method="L-BFGS-B"
    )
    return -result.fun, unpack(result.x)


# -- EM's log-likelihood sequence ------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_em_loglik_sequence_never_decreases_on_the_returned_run(seed):
    x = two_components(seed)
    trace = MIXTURE.trace(x)
    assert trace.size == mlelib.fit("normal_mixture", x).iterations + 1
    assert np.all(np.diff(trace) >= -1e-13 * np.abs(trace[1:]))  # rounding only
    # Newton steps polish EM's last estimate: a little higher still
    loglik = mlelib.fit("normal_mixture", x).loglik
    assert trace[-1] <= loglik <= trace[-1] + 1e-9 * abs(loglik)


@pytest.mark.parametrize(
    "weight, mu, sigma2",
    [
        ([0.5, 0.5], [0.0, 0.1], [1.0, 1.0]),  # nearly equal components: slow
        ([0.9, 0.1], [3.0, -2.0], [5.0, 0.1]),  # labels the other way round
        ([0.2, 0.3, 0.5], [-3.0, 0.0, 3.0], [1.0, 1.0, 1.0]),
    ],
)
def test_em_from_any_start_never_decreases_the_loglik(weight, mu, sigma2):
    x = two_components(11)
    run = MIXTURE.em(x, weight, mu, sigma2)
    assert not run.degenerate and run.iterations > 5
    assert np.all(np.diff(run.trace) >= -1e-13 * np.abs(run.trace[1:]))
    # the trace's first entry is the log-likelihood at the start
    assert run.trace[0] == pytest.approx(scipy_loglik(x, weight, mu, sigma2), 1e-12)


def test_em_started_on_a_point_collapses_where_the_likelihood_is_unbounded():
    x = two_components(3)
    run = MIXTURE.em(x, [0.5, 0.5], [x[0], x.mean()], [1e-9 * x.var(), x.var()])
    assert run.degenerate and not run.converged
    assert run.sigma2.min() < 1e-12 * x.var()  # stopped once it collapsed
    # one component on x[0]: the log-likelihood grows like -log(sigma2) / 2
    values = [
        mlelib.loglik(
            "normal_mixture", x, weight=[0.5, 0.5], mu=[x[0], 0], sigma2=[v, 1]
        )
        for v in (1e-8, 1e-16, 1e-32, 1e-64)
    ]
    assert np.all(np.diff(values) > 9)


# -- the maximum -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_em_loglik_is_at_least_scipy_lbfgsb_from_several_starts(seed):
    x = two_components(seed, n=300)
    f = mlelib.fit("normal_mixture", x)
    rng = np.random.default_rng(100 + seed)
    lo, hi = np.quantile(x, [0.1, 0.9])
    found = []
    for _ in range(6):
        start = [
            rng.normal(),
            rng.uniform(lo, hi),
            rng.uniform(lo, hi),
            *np.log(x.var() * rng.uniform(0.1, 1.0, 2)),
        ]
        loglik, (_, _, sigma2) = lbfgsb_maximum(x, start)
        if sigma2.min() > 1e-6 * x.var():  # not a collapsed (unbounded) solution
            found.append(loglik)
    assert found and f.loglik >= max(found)


def test_the_fit_is_a_stationary_point_and_a_local_maximum():
    x = two_components(8)
    f = mlelib.fit("normal_mixture", x)
    w, mu, s2 = (np.array(f.params[k]) for k in ("weight", "mu", "sigma2"))
    theta = np.r_[w[0], mu, s2]

    def loglik(t):
        return scipy_loglik(x, [t[0], 1 - t[0]], t[1:3], t[3:5])

    steps = 1e-5 * np.eye(5)
    gradient = [(loglik(theta + h) - loglik(theta - h)) / 2e-5 for h in steps]
    assert np.all(np.abs(gradient) <= 1e-5)  # central differences
    assert np.all(np.linalg.eigvalsh(np.linalg.inv(f.cov("observed")[1:, 1:])) > 0)


def test_recovers_known_parameters_on_a_large_sample():
    x = two_components(2026, n=20_000, weight=0.3, mu=(-2.0, 1.5), sd=(0.8, 1.1))
    f = mlelib.fit("normal_mixture", x)
    truth = {"weight": [0.3, 0.7], "mu": [-2.0, 1.5], "sigma2": [0.64, 1.21]}
    for name, value in truth.items():
        z = (f.params[name] - np.array(value)) / f.se[name]
        assert np.all(np.abs(z) < 4), (name, z)
    assert np.all(f.se["mu"] < 0.03)


def test_components_are_ordered_by_mu_whatever_the_data_order():
    x = two_components(5, weight=0.8, mu=(4.0, -1.0))  # the heavier one on the right
    f = mlelib.fit("normal_mixture", x)
    assert np.all(np.diff(f.params["mu"]) > 0)
    assert f.params["weight"][1] > f.params["weight"][0]
    g = mlelib.fit("normal_mixture", np.random.default_rng(0).permutation(x))
    for name in f.params:
        np.testing.assert_allclose(g.params[name], f.params[name], rtol=1e-6)


def test_three_components_recovered_and_ordered():
    rng = np.random.default_rng(3)
    x = np.r_[rng.normal(-5, 1, 300), rng.normal(0, 0.5, 200), rng.normal(6, 1.5, 500)]
    f = mlelib.fit("normal_mixture", x, components=3)
    np.testing.assert_allclose(f.params["mu"], [-5, 0, 6], atol=0.3)
    np.testing.assert_allclose(f.params["weight"], [0.3, 0.2, 0.5], atol=0.05)
    assert f.params["weight"].sum() == pytest.approx(1, abs=1e-14)


def test_one_component_is_the_normal_fit():
    x = two_components(4)
    f, g = mlelib.fit("normal_mixture", x, components=1), mlelib.fit("normal", x)
    assert f.params["weight"].tolist() == [1.0] and f.iterations == 0
    assert (f.params["mu"][0], f.params["sigma2"][0], f.loglik) == (
        g.params["mu"],
        g.params["sigma2"],
        g.loglik,
    )
    np.testing.assert_allclose(
        [f.se["mu"][0], f.se["sigma2"][0]], [g.se["mu"], g.se["sigma2"]], rtol=1e-12
    )


def test_fit_is_deterministic_and_does_not_depend_on_units():
    x = two_components(6)
    f, g = mlelib.fit("normal_mixture", x), mlelib.fit("normal_mixture", x)
    assert f == g and repr(f) == repr(g)
    h = mlelib.fit("normal_mixture", 1000 * x + 5)
    np.testing.assert_allclose(h.params["mu"], 1000 * f.params["mu"] + 5, rtol=1e-7)
    np.testing.assert_allclose(h.params["sigma2"], 1e6 * f.params["sigma2"], rtol=1e-6)
    assert h.loglik == pytest.approx(f.loglik - x.size * math.log(1000), rel=1e-10)


def test_best_run_stopped_by_the_step_limit_warns(monkeypatch):
    from mlelib import normal_mixture

    monkeypatch.setattr(normal_mixture, "MAX_STEPS", 2)
    with pytest.warns(RuntimeWarning, match="EM stopped after 2 steps"):
        f = mlelib.fit("normal_mixture", two_components(1))
    assert f.iterations == 2


# -- log-likelihood --------------------------------------------------------------------


def test_loglik_equals_a_direct_scipy_sum():
    x = two_components(9)
    params = {"weight": [0.2, 0.8], "mu": [0.0, 1.0], "sigma2": [2.0, 0.5]}
    assert mlelib.loglik("normal_mixture", x, **params) == pytest.approx(
        scipy_loglik(x, **params), rel=1e-13
    )


def test_loglik_is_finite_far_in_the_tails_where_densities_underflow():
    x = np.array([-1e3, 0.0, 1e3])
    params = {"weight": [0.5, 0.5], "mu": [-1.0, 1.0], "sigma2": [1.0, 1.0]}
    value = mlelib.loglik("normal_mixture", x, **params)
    assert math.isfinite(value)
    assert value == pytest.approx(scipy_loglik(x, **params), rel=1e-14)


def test_fit_loglik_is_mlelib_loglik_at_the_estimate():
    x = two_components(10)
    f = mlelib.fit("normal_mixture", x)
    assert f.loglik == mlelib.loglik("normal_mixture", x, **f.params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"weight": [0.5, 0.6], "mu": [0, 1], "sigma2": [1, 1]}, "sum\\(weight\\) = 1"),
        ({"weight": [0.5, 0.5], "mu": [0, 1, 2], "sigma2": [1, 1]}, "one entry per"),
        ({"weight": [0.5, 0.5], "mu": [0, 1], "sigma2": [1, 0]}, "sigma2_k > 0"),
        ({"weight": [0.5, 0.5], "mu": [0, np.nan], "sigma2": [1, 1]}, "finite real"),
        ({"weight": [1.0], "mu": [0], "sigma2": [1], "components": 2}, "components=2"),
    ],
)
def test_loglik_rejects_parameters_outside_the_space(params, message):
    with pytest.raises(ValueError, match=message):
        mlelib.loglik("normal_mixture", [0.0, 1.0], **params)


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, components, distinct",
    [
        ([1.0, 2.0, 3.0], 2, 3),  # too few
        ([1.0, 1.0, 2.0, 2.0, 3.0, 3.0], 2, 3),  # too tied
        (np.r_[np.zeros(500), np.ones(500), 2.0, 3.0, 4.0], 3, 5),
        ([2.0, 2.0, 2.0], 1, 1),
    ],
)
def test_too_few_or_too_tied_values_have_no_maximum(data, components, distinct):
    with pytest.raises(mlelib.NoMaximumError) as info:
        mlelib.fit("normal_mixture", data, components=components)
    message = str(info.value)
    assert message.startswith("normal_mixture: ")
    assert f"at least {2 * components} distinct values" in message
    assert f"got {distinct} among {len(data)}" in message


def test_nan_in_the_data_is_a_data_error_naming_the_index():
    with pytest.raises(mlelib.DataError, match="value nan at index 2 is NaN"):
        mlelib.fit("normal_mixture", [0.0, 1.0, np.nan, 3.0, 4.0])


@pytest.mark.parametrize("components", [0, 1.5, -2, True])
def test_components_must_be_a_positive_integer(components):
    with pytest.raises(mlelib.DataError, match="components must be a positive integer"):
        mlelib.fit("normal_mixture", [0.0, 1.0, 2.0, 3.0], components=components)


def test_masked_values_are_left_out():
    x = two_components(12)
    masked = np.ma.array(np.r_[x, 1e6], mask=np.r_[np.zeros(x.size, bool), True])
    assert mlelib.fit("normal_mixture", masked) == mlelib.fit("normal_mixture", x)


def test_profile_intervals_are_refused_with_the_reason():
    f = mlelib.fit("normal_mixture", two_components(1))
    with pytest.raises(ValueError, match="constrained EM"):
        f.ci(method="profile")
    with pytest.raises(ValueError, match="constrained EM"):
        f.profile("mu", 0.0, index=0)


# -- the Fit, standard errors and information ------------------------------------------


def test_fit_holds_read_only_arrays_and_prints_one_row_per_entry():
    f = mlelib.fit("normal_mixture", two_components(1))
    for value in (*f.params.values(), *f.se.values()):
        assert value.shape == (2,) and not value.flags.writeable
    lines = repr(f).splitlines()
    assert lines[0].startswith("mlelib.Fit: normal_mixture, components=2, n=400")
    assert [line.split()[0] for line in lines[1:]] == [
        "param", "weight[0]", "weight[1]", "mu[0]", "mu[1]", "sigma2[0]", "sigma2[1]"
    ]  # fmt: skip
    assert "<td>mu[1]</td>" in f._repr_html_()


def test_aic_counts_three_k_minus_one_parameters():
    f = mlelib.fit("normal_mixture", two_components(1))
    assert f.aic == 2 * 5 - 2 * f.loglik
    assert f.bic == 5 * math.log(400) - 2 * f.loglik


def numeric_observed_covariance(x, f):
    """inv(-Hessian) of scipy's log-likelihood by central differences, in the free
    coordinates (weight_0, mu_0, mu_1, sigma2_0, sigma2_1)."""
    theta = np.r_[f.params["weight"][0], f.params["mu"], f.params["sigma2"]]
    steps = np.r_[f.se["weight"][0], f.se["mu"], f.se["sigma2"]] / 1000

    def loglik(t):
        return scipy_loglik(x, [t[0], 1 - t[0]], t[1:3], t[3:5])

    return np.linalg.inv(-numeric_hessian(loglik, theta, steps))


def test_observed_covariance_is_the_inverse_numeric_hessian():
    x = two_components(7)
    f = mlelib.fit("normal_mixture", x)
    expected = numeric_observed_covariance(x, f)
    cov = f.cov("observed")  # order weight_0, weight_1, mu_0, mu_1, sigma2_0, sigma2_1
    free = [0, 2, 3, 4, 5]
    scale = np.sqrt(np.outer(np.diag(expected), np.diag(expected)))
    assert np.all(np.abs(cov[np.ix_(free, free)] - expected) <= 1e-5 * scale)
    # weight_1 = 1 - weight_0: the same variance, perfectly anticorrelated
    assert cov[1, 1] == pytest.approx(cov[0, 0], rel=1e-12)
    assert cov[0, 1] == pytest.approx(-cov[0, 0], rel=1e-12)


def test_se_are_the_square_roots_of_the_observed_covariance_diagonal():
    f = mlelib.fit("normal_mixture", two_components(7))
    se = np.concatenate([f.se[name] for name in ("weight", "mu", "sigma2")])
    np.testing.assert_allclose(np.sqrt(np.diag(f.cov("observed"))), se, rtol=1e-13)
    cov = f.cov("observed")
    assert cov.shape == (6, 6) and not cov.flags.writeable


def test_expected_information_is_the_integral_of_the_score_outer_product():
    f = mlelib.fit("normal_mixture", two_components(7, n=200))
    w, mu, s2 = (np.array(f.params[k]) for k in ("weight", "mu", "sigma2"))

    def score(x):
        d = x - mu
        log_joint = np.log(w) + stats.norm.logpdf(x, mu, np.sqrt(s2))
        r = np.exp(log_joint - special.logsumexp(log_joint))
        return np.r_[
            r[0] / w[0] - r[1] / w[1], r * d / s2, r * (d * d / (2 * s2**2) - 0.5 / s2)
        ]

    def density(x):
        return float(np.sum(w * stats.norm.pdf(x, mu, np.sqrt(s2))))

    information = np.empty((5, 5))
    for i in range(5):
        for j in range(i, 5):
            value = integrate.quad(
                lambda x, i=i, j=j: score(x)[i] * score(x)[j] * density(x),
                -np.inf,
                np.inf,
                epsabs=0,
                epsrel=1e-10,
                limit=200,
            )[0]
            information[i, j] = information[j, i] = 200 * value
    free = [0, 2, 3, 4, 5]
    cov = np.linalg.inv(information)
    np.testing.assert_allclose(f.cov("expected")[np.ix_(free, free)], cov, rtol=1e-8)


def test_default_covariance_is_the_observed_one_the_se_come_from():
    fit = mlelib.fit("normal_mixture", two_components(8))
    np.testing.assert_array_equal(fit.cov(), fit.cov(kind="observed"))
    assert not np.array_equal(fit.cov(), fit.cov(kind="expected"))
