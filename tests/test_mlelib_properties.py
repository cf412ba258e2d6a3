"""Properties every fit must have, checked on data hypothesis makes up, for every
family.

- the fitted log-likelihood is a maximum: no parameter perturbed inside the parameter
space does better; - ``loglik`` at the fitted parameters reproduces ``fit.loglik``; -
where scipy computes the same MLE, we agree with it (parameters for closed forms,
log-likelihood
  for scipy's iterative fits, where ours must be at least as high);
- rescaling the data rescales scale parameters and leaves shapes alone; shifting moves
locations.

Tolerances are stated relative to the size of the numbers being added up
(``magnitude``): float64 sums of n terms of size t carry rounding of order n * t *
1e-16, so 1e-12 of that is a wide margin that still fails for any real error (a wrong
formula is off by far more).
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats

import mlelib

PROPERTY = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

positive = st.floats(1e-3, 1e3)
# no magnitudes near the subnormal range: there a variance underflows, a rate overflows
# (both are errors tested separately)
real = st.floats(-1e3, 1e3).filter(lambda v: v == 0 or abs(v) >= 1e-9)
nonnegative = st.floats(0, 1e3).filter(lambda v: v == 0 or v >= 1e-9)


def spread_out(values, low=1e-6):
    """Distinct enough that float64 resolves the MLE well: spread at least ``low`` of
    the largest |x|."""
    x = np.asarray(values, dtype=float)
    return x.max() - x.min() > low * np.abs(x).max()


def continuous(elements, min_size=2):
    return (
        st.lists(elements, min_size=min_size, max_size=60)
        .filter(spread_out)
        .map(np.array)
    )


SAMPLES = {
    "bernoulli": st.tuples(
        st.lists(st.integers(0, 1), min_size=1, max_size=60), st.just({})
    ),
    "binomial": st.integers(1, 30).flatmap(
        lambda t: st.tuples(
            st.lists(st.integers(0, t), min_size=1, max_size=60), st.just({"trials": t})
        )
    ),
    "categorical": st.tuples(
        st.lists(st.integers(0, 6), min_size=1, max_size=60), st.just({})
    ),
    "poisson": st.tuples(
        st.lists(st.integers(0, 200), min_size=1, max_size=60), st.just({})
    ),
    "geometric": st.tuples(
        st.lists(st.integers(1, 200), min_size=1, max_size=60), st.just({})
    ),
    "exponential": st.tuples(
        st.lists(nonnegative, min_size=1, max_size=60).filter(any).map(np.array),
        st.just({}),
    ),
    "normal": st.tuples(continuous(real), st.just({})),
    "lognormal": st.tuples(continuous(positive), st.just({})),
    "laplace": st.tuples(continuous(real), st.just({})),
    "uniform": st.tuples(continuous(real), st.just({})),
    "weibull": st.tuples(continuous(positive), st.just({})),
    "gamma": st.tuples(continuous(positive), st.just({})),
}


def scipy_logpdf(family, x, params, known):
    """Log-density of each observation under scipy's own implementation of the
    family."""
    x = np.asarray(x, dtype=float)
    p = params
    return {
        "bernoulli": lambda: stats.bernoulli.logpmf(x, p.get("p")),
        "binomial": lambda: stats.binom.logpmf(x, known.get("trials"), p.get("p")),
        "categorical": lambda: np.log(np.asarray(p.get("p"))[x.astype(int)]),
        "poisson": lambda: stats.poisson.logpmf(x, p.get("lam")),
        "geometric": lambda: stats.geom.logpmf(x, p.get("p")),
        "exponential": lambda: stats.expon.logpdf(x, scale=1 / p.get("rate", 1)),
        "normal": lambda: stats.norm.logpdf(
            x, p.get("mu"), math.sqrt(p.get("sigma2", 1))
        ),
        "lognormal": lambda: stats.lognorm.logpdf(
            x, math.sqrt(p.get("sigma2", 1)), scale=math.exp(p.get("mu", 0))
        ),
        "laplace": lambda: stats.laplace.logpdf(x, p.get("mu"), p.get("b")),
        "uniform": lambda: stats.uniform.logpdf(
            x, p.get("low"), p.get("high", 0) - p.get("low", 0)
        ),
        "weibull": lambda: stats.weibull_min.logpdf(
            x, p.get("shape"), scale=p.get("scale")
        ),
        "gamma": lambda: stats.gamma.logpdf(x, p.get("shape"), scale=p.get("scale")),
    }[family]()


def magnitude(family, x, fit):
    """Size of what the log-likelihood adds up: n + sum |log f(x_i)|, plus shape * |log
    x| per observation for weibull and gamma, whose log-density has terms k log(x /
    scale) that cancel."""
    x = np.asarray(x, dtype=float)
    size = (
        x.size
        + np.abs(scipy_logpdf(family, x, dict(fit.params), dict(fit.known))).sum()
    )
    if family in ("weibull", "gamma"):
        size += (
            x.size
            * fit.params["shape"]
            * (1 + np.abs(np.log(x)).max() + abs(math.log(fit.params["scale"])))
        )
    return size


def perturbations(fit):
    """Parameter sets near and far from the estimate: each parameter moved by a relative
    and an absolute step of 0.1%, 10% and 50% both ways (categorical: p mixed towards
    each corner)."""
    params = dict(fit.params)
    for delta in (1e-3, 0.1, 0.5):
        if fit.family == "categorical":
            p = params["p"]
            for j in range(p.size):
                yield {"p": (1 - delta) * p + delta * np.eye(p.size)[j]}
            continue
        for name, value in params.items():
            for moved in (
                value * (1 + delta),
                value * (1 - delta),
                value + delta * max(abs(value), 1.0),
                value - delta * max(abs(value), 1.0),
            ):
                yield {**params, name: moved}


def fitted(family, source):
    """A sample drawn for the family, its known parameters, and its fit."""
    values, known = source.draw(SAMPLES[family])
    return values, known, mlelib.fit(family, values, **known)


@pytest.mark.parametrize("family", list(SAMPLES))
@PROPERTY
@given(source=st.data())
def test_fit_is_a_maximum_of_the_likelihood(family, source):
    x, known, fit = fitted(family, source)
    tolerance = 1e-12 * magnitude(family, x, fit)
    for params in perturbations(fit):
        try:
            value = mlelib.loglik(family, x, **params, **known)
        except (
            ValueError
        ):  # outside the parameter space (p > 1, sigma2 < 0, low >= high, ...)
            continue
        assert value <= fit.loglik + tolerance, (params, value, fit)


@pytest.mark.parametrize("family", list(SAMPLES))
@PROPERTY
@given(source=st.data())
def test_loglik_at_the_fitted_params_equals_fit_loglik(family, source):
    x, known, fit = fitted(family, source)
    again = mlelib.loglik(family, x, **fit.params, **known)
    # fit.loglik comes from the estimator's own statistics (e.g. -n/2 (log 2 pi sigma2 +
    # 1)), loglik from the data again: both round, at ~1e-16 of the magnitude of their
    # terms
    assert again == pytest.approx(
        fit.loglik, rel=0, abs=1e-12 * magnitude(family, x, fit)
    )


@pytest.mark.parametrize("family", list(SAMPLES))
@PROPERTY
@given(source=st.data())
def test_fitted_loglik_agrees_with_scipys_log_density(family, source):
    x, known, fit = fitted(family, source)
    expected = scipy_logpdf(family, x, dict(fit.params), dict(fit.known)).sum()
    # scipy's log-densities are computed term by term: same rounding argument as above
    assert fit.loglik == pytest.approx(
        expected, rel=0, abs=1e-12 * magnitude(family, x, fit)
    )


def scipy_closed_form(family, x):
    """scipy's closed-form fit, translated into our parameters."""
    if family == "normal":
        mu, sigma = stats.norm.fit(x)
        return {"mu": mu, "sigma2": sigma**2}
    if family == "exponential":
        _, scale = stats.expon.fit(x, floc=0)
        return {"rate": 1 / scale}
    if family == "lognormal":
        s, _, scale = stats.lognorm.fit(x, floc=0)
        return {"mu": math.log(scale), "sigma2": s**2}
    if family == "uniform":
        loc, scale = stats.uniform.fit(x)
        return {"low": loc, "high": loc + scale}
    loc, scale = stats.laplace.fit(x)
    return {"mu": loc, "b": scale}


@pytest.mark.parametrize(
    "family", ["normal", "exponential", "lognormal", "uniform", "laplace"]
)
@PROPERTY
@given(source=st.data())
def test_closed_form_params_agree_with_scipy(family, source):
    x, known, fit = fitted(family, source)
    theirs = scipy_closed_form(family, x)
    scale = np.abs(np.log(x)).max() if family == "lognormal" else np.abs(x).max()
    for name, value in fit.params.items():
        # same formula, different summation order: the data's spread is >= 1e-6 of their
        # size, so a variance is resolved to ~1e-16 / 1e-6 relative; 1e-8 allows for
        # that
        tolerance = 1e-8 * (
            abs(value) + (scale**2 if name == "sigma2" else scale) * 1e-4
        )
        assert value == pytest.approx(theirs[name], rel=0, abs=tolerance), (
            name,
            value,
            theirs,
        )


def scipy_iterative_fit(family, x):
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # scipy's optimisers warn on awkward samples; we compare results
        if family == "gamma":
            shape, _, scale = stats.gamma.fit(x, floc=0)
        else:
            shape, _, scale = stats.weibull_min.fit(x, floc=0)
    return {"shape": shape, "scale": scale}


@pytest.mark.parametrize("family", ["gamma", "weibull"])
@PROPERTY
@given(source=st.data())
def test_iterative_fit_is_at_least_as_likely_as_scipys(family, source):
    x, known, fit = fitted(family, source)
    theirs = scipy_iterative_fit(family, x)
    assume(all(np.isfinite(v) and v > 0 for v in theirs.values()))
    # scipy stops its optimiser at ~1e-8 relative, so its optimum can sit slightly below
    # ours; it must never be above by more than rounding
    assert fit.loglik >= mlelib.loglik(family, x, **theirs) - 1e-12 * magnitude(
        family, x, fit
    )


SCALE_PARAMS = {  # how each parameter moves when the data are multiplied by c
    "exponential": {"rate": lambda v, c: v / c},
    "normal": {"mu": lambda v, c: v * c, "sigma2": lambda v, c: v * c * c},
    "lognormal": {"mu": lambda v, c: v + math.log(c), "sigma2": lambda v, c: v},
    "laplace": {"mu": lambda v, c: v * c, "b": lambda v, c: v * c},
    "uniform": {"low": lambda v, c: v * c, "high": lambda v, c: v * c},
    "weibull": {"shape": lambda v, c: v, "scale": lambda v, c: v * c},
    "gamma": {"shape": lambda v, c: v, "scale": lambda v, c: v * c},
}


@pytest.mark.parametrize("family", list(SCALE_PARAMS))
@PROPERTY
@given(source=st.data(), c=st.sampled_from([1e-8, 1e-3, 0.37, 2.0, 1e3, 1e8]))
def test_rescaling_the_data_rescales_scale_params_and_keeps_shapes(family, source, c):
    x, known, fit = fitted(family, source)
    assume(spread_out(x, 1e-3))
    rescaled = mlelib.fit(family, x * c)
    for name, move in SCALE_PARAMS[family].items():
        # x * c rounds each value by 1e-16 relative; with spread >= 1e-3 of |x| the
        # estimates move by at most ~1e-12 relative: 1e-9 is a safe bound that any
        # scaling bug breaks
        expected = move(fit.params[name], c)
        assert rescaled.params[name] == pytest.approx(
            expected, rel=1e-9, abs=1e-9 * abs(c) * np.abs(x).max()
        ), name


@pytest.mark.parametrize(
    "family, location", [("normal", "mu"), ("laplace", "mu"), ("uniform", None)]
)
@PROPERTY
@given(source=st.data(), shift=st.sampled_from([-500.0, -1.5, 0.25, 1e3]))
def test_shifting_the_data_moves_locations_and_keeps_spreads(
    family, location, source, shift
):
    x, known, fit = fitted(family, source)
    assume(spread_out(x, 1e-3))
    shifted = mlelib.fit(family, x + shift)
    size = np.abs(x).max() + abs(shift)
    for name, value in fit.params.items():
        moves = name in (location, "low", "high")
        # adding the shift rounds each value by 1e-16 of `size`; estimates move as much
        # (variances by that relative to the spread, which is >= 1e-3 of the size)
        tolerance = 1e-10 * (size * size if name == "sigma2" else size)
        assert shifted.params[name] == pytest.approx(
            value + shift if moves else value, rel=0, abs=tolerance
        ), name
