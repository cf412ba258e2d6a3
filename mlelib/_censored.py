"""Right-censored data: ``fit(family, x, censored=mask)``, and loglik.

``mask[i]`` True means ``x[i]`` is a censoring time: the unit was still running then,
so its lifetime exceeds ``x[i]``. With F the failures (d of them) and C the censored
values, the log-likelihood is

    l(theta) = sum_F log f(x | theta) + sum_C log S(x | theta),   S = 1 - CDF,

with log S computed in log space (scipy.special: log_ndtr for the normal and
lognormal, gammaincc with a continued fraction where it underflows for the gamma,
closed forms for the exponential and Weibull).

Estimators (each kernel's docstring says more): exponential d / sum(x) in closed form;
Weibull by Newton on its profile equation in the shape (the scale in closed form);
gamma, lognormal and normal by a two-parameter Newton iteration on (mu, log sigma2) or
(log shape, log scale), a backtracking line search keeping every step uphill, until the
step is below 1e-13 (relative). Standard errors come from the observed information
(minus the Hessian at the MLE, analytic but for the gamma's derivatives in the shape of
log S, which are Richardson-extrapolated central differences): the expected
information depends on the censoring mechanism, which is not modelled, so
``cov("expected")`` is refused and ``cov()`` gives the observed one.

The Fit has ``n`` = all values and ``failures`` = d; Wald and profile intervals work
(the profile maximises over the other parameter by the same Newton iteration); aic and
bic use k = 2 (1 for the exponential) and log n with n all values. Every value, failure
or censoring time, must lie in the family's support. The mask must be boolean (0/1
integers are refused: see censoring_mask). No failures, or failures all equal with no
censored value beyond them, raise NoMaximumError. censored=None or all False is the
uncensored fit itself.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.special import digamma, gammaincc, gammaln, log_ndtr, polygamma

from ._data import as_floats, show
from ._errors import DataError, NoMaximumError
from ._fit import Fit, read_only
from ._likelihood import check_kind, inverse, profile_intervals
from ._newton import solve
from ._precise import LOG_2PI, log_ratio

SUPPORTED = ("exponential", "weibull", "gamma", "lognormal", "normal")

# the two-parameter Newton iteration stops after a step below STEP_TOL (relative, or
# in units of sqrt(sigma2) for mu), or once steps below NOISE_TOL stop shrinking
STEP_TOL = 1e-13
NOISE_TOL = 1e-10
MAX_STEPS = 200
MAX_LOG_STEP = 2.0  # at most a factor e^2 per step in a positive parameter


# -- the mask ---------------------------------------------------------------------


def censoring_mask(family: str, censored, size: int) -> np.ndarray:
    """``censored`` as a 1-D boolean array of length ``size``, else DataError.

    Only booleans are accepted (Python, numpy, or a pandas boolean Series without
    missing values). Integer 0/1 codes are refused on purpose: survival data usually
    code the *event* as 1 (status = 1 for a failure), the opposite of censored=True,
    and silently accepting them would swap failures and censored units.
    """
    try:
        mask = np.asarray(censored)
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"{family}: censored must be a one-dimensional boolean mask ({exc})"
        ) from None
    if mask.ndim != 1:
        raise DataError(
            f"{family}: censored must be a one-dimensional boolean mask, got shape "
            f"{mask.shape}"
        )
    if mask.size != size:
        raise DataError(
            f"{family}: censored has {mask.size} entries but the data have {size} "
            "values; it needs one True (censored) or False (failure) per value"
        )
    if mask.dtype == np.bool_:
        return mask
    kind = mask.dtype.kind
    if kind in "iu":
        raise DataError(
            f"{family}: censored must be boolean, got integers (dtype {mask.dtype}); "
            "0/1 codes are refused because survival data often code 1 = failure "
            "(event), the opposite of censored=True: pass e.g. status == 0"
        )
    if kind == "f":
        nan = np.flatnonzero(np.isnan(mask))
        i = int(nan[0]) if nan.size else 0
        problem = "is NaN" if nan.size else "is a float, not a boolean"
        value = mask[i]
    else:
        # strings (numpy turns [False, "yes"] into strings), None, objects
        items = censored if isinstance(censored, (list, tuple)) else mask.tolist()
        bad = [i for i, v in enumerate(items) if not isinstance(v, (bool, np.bool_))]
        i = bad[0] if bad else 0
        value = items[i]
        problem = (
            "is NaN"
            if isinstance(value, float) and math.isnan(value)
            else "is not a boolean"
        )
    raise DataError(
        f"{family}: censored value {show(value)} at index {i} {problem}; the mask "
        "must hold True (censored) or False (failure)",
        index=i,
    )


def kernel_of(family) -> Kernel:
    kernel = KERNELS.get(family.name)
    if kernel is None:
        raise ValueError(
            f"{family.name}: censored data are not supported for this family; "
            f"families with censoring: {', '.join(SUPPORTED)}"
        )
    return kernel


def _prepare(family, data, censored, call, keywords):
    """Validate the mask, then run ``call(x, mask, keywords)`` on checked data (the
    unmasked values of a masked array, error indices mapped back by the family)."""
    kernel_of(family)
    if isinstance(data, np.ma.MaskedArray) and data.ndim == 1:
        from ._family import unmasked

        mask = censoring_mask(family.name, censored, data.size)
        keep = ~np.ma.getmaskarray(data)
        return unmasked(lambda values: call(values, mask[keep], keywords), data, {})
    x = as_floats(family.name, data)
    return call(x, censoring_mask(family.name, censored, x.size), keywords)


def _split(family, x, mask):
    """(failures, censored values) after checking the support of every value."""
    support = family._support
    with np.errstate(invalid="ignore"):
        support.check_range(family.name, x, x.min(), x.max())
    return x[~mask], x[mask]


# -- fit and loglik ---------------------------------------------------------------


def fit(family, data, censored, known: dict) -> Fit:
    """The MLE of right-censored data (see the module docstring)."""
    family._reject_unexpected(known, family.known, "fit")
    return _prepare(family, data, censored, functools.partial(_fit, family), known)


def _fit(family, x, mask, known):
    if not mask.any():
        return family.fit(x, **known)  # exactly the uncensored fit
    kernel = kernel_of(family)
    failures, survivors = _split(family, x, mask)
    d = failures.size
    if d == 0:
        raise NoMaximumError(
            f"{family.name}: all {x.size} values are censored (no failures); the "
            "likelihood grows as the scale grows (every survival probability tends "
            "to 1), so it has no maximum"
        )
    if kernel.two_parameters:
        top = failures.max()
        if failures.min() == top and not (survivors > top).any():
            raise NoMaximumError(
                f"{family.name}: all {d} failures are equal ({top:.17g}) and no "
                "censored value exceeds them; the likelihood grows without bound as "
                "the spread -> 0, so it has no maximum"
            )
    values, iterations = kernel.estimate(failures, survivors, x)
    params = dict(zip(family.params, values))
    model = Censored(family, kernel, failures, survivors)
    loglik = model.loglik(params)
    information = model.observed(params)
    variances = np.diag(inverse(information))
    with np.errstate(invalid="ignore"):
        se = {name: float(np.sqrt(v)) for name, v in zip(family.params, variances)}
    return Fit(
        family.name,
        params,
        float(loglik),
        x.size,
        se,
        iterations,
        known,
        model,
        None,
        d,
    )


def loglik(family, data, censored, values: dict) -> float:
    """The censored log-likelihood at the given parameters."""
    family._reject_unexpected(values, family.params + family.known, "loglik")
    missing = [name for name in family.params if name not in values]
    if missing:
        raise ValueError(
            f"{family.name}: loglik needs the parameters {', '.join(family.params)}; "
            f"missing: {', '.join(missing)}"
        )
    params, _ = family.check_params({name: values[name] for name in family.params}, {})

    def call(x, mask, keywords):
        failures, survivors = _split(family, x, mask)
        kernel = kernel_of(family)
        return float(_loglik(family, kernel, failures, survivors, params))

    return _prepare(family, data, censored, call, {})


def _loglik(family, kernel, failures, survivors, params) -> float:
    total = family.log_density_sum(failures, **params) if failures.size else 0.0
    if survivors.size:
        total += kernel.log_survival_sum(survivors, *params.values())
    return total


class Censored:
    """The model a censored Fit carries: the family, its censoring kernel and the data
    (failures and censored values, read-only copies), for the observed information and
    the profile likelihood.

    ``cov("expected")`` is refused: the expected information of censored data depends
    on the censoring distribution, which is not modelled.
    """

    intervals = None  # Wald

    def __init__(self, family, kernel, failures, survivors):
        self.family, self.kernel = family, kernel
        self.failures = read_only(failures)
        self.survivors = read_only(survivors)

    # the family's, not copies: its domains hold functions, which do not pickle
    name = property(lambda self: self.family.name)
    params = property(lambda self: self.family.params)
    domains = property(lambda self: self.family.domains)

    def loglik(self, params: dict) -> float:
        return _loglik(self.family, self.kernel, self.failures, self.survivors, params)

    def observed(self, params: dict) -> np.ndarray:
        """Minus the Hessian of the censored log-likelihood at ``params``."""
        _, _, hessian = self.kernel.terms(
            self.failures, self.survivors, np.array(list(params.values()))
        )
        return -hessian

    def free_parameters(self, fit) -> int:
        return len(self.params)

    def information(self, fit, kind):
        check_kind(self.name, kind)
        if kind == "expected":
            raise ValueError(
                f"{self.name}: a censored fit has no expected information (it depends "
                "on the censoring distribution, which is not modelled); use "
                "kind='observed' (the default for censored fits)"
            )
        return self.observed(fit.params)

    def covariance(self, fit, kind):
        return inverse(self.information(fit, kind))

    def profile_drop(self, fit, name, value, index=None) -> float:
        """l(MLE) minus the log-likelihood maximised over the other parameter with
        ``name`` = ``value`` (the same Newton iteration, on one coordinate)."""
        fixed = self.params.index(name)
        start = np.array(list(fit.params.values()))
        start[fixed] = value
        free = tuple(i for i in range(len(self.params)) if i != fixed)
        params, _ = maximise(
            functools.partial(self.kernel.terms, self.failures, self.survivors),
            start,
            self.kernel.positive,
            free,
        )
        best = self.loglik(dict(zip(self.params, params)))
        return max(fit.loglik - best, 0.0)

    def profiler(self, fit):
        return functools.partial(self.profile_drop, fit)

    def profile_intervals(self, fit, alpha, z):
        return profile_intervals(fit, z * z, self.profiler(fit), self.domains)

    def profile_loglik(self, fit, name, value, index=None):
        from ._family import Family

        return Family.profile_loglik(self, fit, name, value, index)


# -- Newton's method in two (or one) parameters -----------------------------------


def maximise(terms, start, positive, free=(0, 1)):
    """Maximise l over the coordinates ``free`` of ``start`` (the others fixed).

    ``terms(params)`` returns (l, gradient, Hessian) in the natural parameters; a
    positive parameter is moved on the log scale. Newton steps where the Hessian (in
    the working coordinates) is negative definite, else a gradient step scaled by
    its diagonal; each step is halved until l does not decrease. Returns (params,
    steps).
    """
    params = np.array(start, dtype=np.float64)
    positive = np.asarray(positive)
    free = list(free)
    if not free:
        return params, 0
    value, gradient, hessian = terms(params)
    previous, steps = math.inf, 0
    while steps < MAX_STEPS:
        jac = np.where(positive, params, 1.0)
        g = (gradient * jac)[free]
        h = hessian * np.outer(jac, jac) + np.diag(
            np.where(positive, gradient * params, 0.0)
        )
        h = h[np.ix_(free, free)]
        try:
            np.linalg.cholesky(-h)
            step = np.linalg.solve(-h, g)
        except np.linalg.LinAlgError:
            step = g / np.maximum(np.abs(np.diag(h)), 1e-300)
        scale = np.where(positive[free], 1.0, _unit(params, positive))
        size = float(np.max(np.abs(step) / scale))
        if not math.isfinite(size):
            break
        if size > MAX_LOG_STEP:  # a long step: shorten it before the line search
            step, size = step * (MAX_LOG_STEP / size), MAX_LOG_STEP
        t, accepted = 1.0, None
        for _ in range(60):
            trial = params.copy()
            trial[free] = np.where(
                positive[free],
                params[free] * np.exp(np.where(positive[free], t * step, 0.0)),
                params[free] + t * step,
            )
            result = terms(trial)
            if size * t < NOISE_TOL or result[0] >= value:
                accepted = trial, result
                break
            t /= 2
        if accepted is None:
            break  # no uphill step: converged to rounding
        params, (value, gradient, hessian) = accepted
        steps += 1
        taken = size * t
        if taken < STEP_TOL or (taken < NOISE_TOL and taken >= previous / 2):
            break
        previous = taken
    return params, steps


def _unit(params, positive):
    """The scale against which a real parameter's step is measured: sqrt of the
    positive parameter (sigma2) where there is one, else 1 + |value|."""
    spread = params[positive]
    return math.sqrt(spread[0]) if spread.size else 1.0


# -- the families -----------------------------------------------------------------


class Kernel:
    """What censoring needs of a family: log S summed over censored values, the
    log-likelihood with its gradient and Hessian, and the estimator."""

    two_parameters = True
    positive: tuple[bool, ...]


class ExponentialKernel(Kernel):
    """Exponential(rate) with censoring.

    :model: l = d log rate - rate T, T = sum of all values (total time on test)
    :estimator: rate = d / T (closed form, 0 iterations)
    :observed: d / rate^2, se(rate) = rate / sqrt(d)
    """

    two_parameters = False
    positive = (True,)

    def log_survival_sum(self, survivors, rate):
        return -rate * float(np.sum(survivors))

    def terms(self, failures, survivors, params):
        (rate,) = params
        d, total = failures.size, float(np.sum(failures) + np.sum(survivors))
        return (
            d * math.log(rate) - rate * total,
            np.array([d / rate - total]),
            np.array([[-d / rate**2]]),
        )

    def estimate(self, failures, survivors, x):
        total = float(np.sum(x))  # T, the total time on test
        if total == 0:
            raise NoMaximumError(
                f"exponential: all {failures.size + survivors.size} values are 0; the "
                "likelihood grows without bound as rate -> inf, so it has no maximum"
            )
        return (failures.size / total,), 0


class WeibullKernel(Kernel):
    """Weibull(shape k, scale lam) with censoring.

    :model: l = d (log k - log lam) + (k - 1) sum_F t - sum_all exp(k t),
        t = log(x / lam)
    :estimator: the scale in closed form, lam^k = sum_all x^k / d; the shape solves
        the profile equation sum_all x^k log x / sum_all x^k - 1/k - mean_F(log x) = 0
        (Newton, bracket-safeguarded, on z = log(x / max x) as the uncensored fit)
    :observed: [[d / k^2 + sum w t^2, (d - sum w - k sum w t) / lam],
        [., k ((k + 1) sum w - d) / lam^2]], w = exp(k t), sums over all values
    """

    positive = (True, True)

    def log_survival_sum(self, survivors, shape, scale):
        return -float(np.sum(np.exp(shape * log_ratio(survivors, scale))))

    def terms(self, failures, survivors, params):
        shape, scale = params
        d = failures.size
        t_fail = log_ratio(failures, scale)
        t = np.concatenate([t_fail, log_ratio(survivors, scale)])
        with np.errstate(over="ignore", invalid="ignore"):
            w = np.exp(shape * t)
            w_sum, wt_sum, wt2_sum = w.sum(), (w * t).sum(), (w * t * t).sum()
        value = (
            d * (math.log(shape) - math.log(scale)) + (shape - 1) * t_fail.sum() - w_sum
        )
        gradient = np.array(
            [d / shape + t_fail.sum() - wt_sum, shape * (w_sum - d) / scale]
        )
        cross = (-d + w_sum + shape * wt_sum) / scale
        hessian = np.array(
            [
                [-d / shape**2 - wt2_sum, cross],
                [cross, shape * (d - (shape + 1) * w_sum) / scale**2],
            ]
        )
        return value, gradient, hessian

    def estimate(self, failures, survivors, x):
        d = failures.size
        largest = float(x.max())
        z = log_ratio(x, largest)  # <= 0: x^k / max^k never overflows
        z_fail_mean = float(log_ratio(failures, largest).mean())
        spread = float(z.std())
        start = math.pi / (math.sqrt(6) * spread) if spread > 0 else 1.0

        def score(k):
            with np.errstate(under="ignore"):
                w = np.exp(k * z)
            a, b, c = w.sum(), (w * z).sum(), (w * z * z).sum()
            mean_w = b / a
            return mean_w - 1 / k - z_fail_mean, c / a - mean_w**2 + 1 / k**2, a

        shape, steps, a, _ = solve(score, start)
        scale = largest * math.exp(math.log(a / d) / shape)
        return (float(shape), scale), steps


class GaussianKernel(Kernel):
    """Normal(mu, sigma2) with censoring (lognormal: of log x).

    :model: l = sum_F [-log(2 pi sigma2) / 2 - z^2 / 2] + sum_C log_ndtr(-z),
        z = (y - mu) / sigma, y = x (lognormal: log x, and - sum_F log x)
    :estimator: no closed form: Newton on (mu, log sigma2) from the mean and variance
        of all values (censored ones taken as failures), line search, to a step of
        1e-13 (the censored normal log-likelihood is concave in (mu / sigma,
        1 / sigma), so the maximum is unique)
    :observed: analytic, with the hazard h = phi(z) / (1 - Phi(z)):
        d/dz log S = -h, d^2/dz^2 log S = -h (h - z)
    """

    positive = (False, True)
    log = False

    def _y(self, x):
        return np.log(x) if self.log else x

    def log_survival_sum(self, survivors, mu, sigma2):
        z = (self._y(survivors) - mu) / math.sqrt(sigma2)
        return float(np.sum(log_ndtr(-z)))

    def terms(self, failures, survivors, params):
        mu, sigma2 = params
        sigma = math.sqrt(sigma2)
        d = failures.size
        z_fail = (self._y(failures) - mu) / sigma
        z_cens = (self._y(survivors) - mu) / sigma
        log_surv = log_ndtr(-z_cens)
        hazard = np.exp(-0.5 * z_cens**2 - 0.5 * LOG_2PI - log_surv)
        value = (
            -0.5 * d * (LOG_2PI + math.log(sigma2))
            - 0.5 * float(np.dot(z_fail, z_fail))
            + float(log_surv.sum())
        )
        if self.log:
            value -= float(np.log(failures).sum())
        z = np.concatenate([z_fail, z_cens])
        first = np.concatenate([-z_fail, -hazard])  # d/dz of each term
        second = np.concatenate([-np.ones(d), -hazard * (hazard - z_cens)])
        gradient = np.array(
            [
                -first.sum() / sigma,
                -(first * z).sum() / (2 * sigma2) - d / (2 * sigma2),
            ]
        )
        cross = (second * z + first).sum() / (2 * sigma * sigma2)
        hessian = np.array(
            [
                [second.sum() / sigma2, cross],
                [
                    cross,
                    ((second * z * z).sum() + 3 * (first * z).sum()) / (4 * sigma2**2)
                    + d / (2 * sigma2**2),
                ],
            ]
        )
        return value, gradient, hessian

    def estimate(self, failures, survivors, x):
        y = self._y(x)
        start = (float(y.mean()), float(y.var()))
        terms = functools.partial(self.terms, failures, survivors)
        params, steps = maximise(terms, start, self.positive)
        return tuple(float(v) for v in params), steps


class LognormalKernel(GaussianKernel):
    log = True


# the gamma's shape derivatives of log Q(a, y): central differences at a -+ h and
# a -+ h/2, Richardson-extrapolated (errors ~h^4 and ~1e-13 / h)
SHAPE_STEP = 2e-3
# gammaincc below this is taken from the continued fraction in log space
SMALL_Q = 1e-280


def log_upper_gamma(a, y):
    """log Q(a, y), Q the regularised upper incomplete gamma function, also where Q
    underflows (Legendre's continued fraction, y > a + 1 there)."""
    a, y = np.broadcast_arrays(
        np.atleast_1d(np.asarray(a, dtype=float)),
        np.atleast_1d(np.asarray(y, dtype=float)),
    )
    q = gammaincc(a, y)
    with np.errstate(divide="ignore"):
        out = np.log(q)
    small = q < SMALL_Q
    if small.any():
        out[small] = _log_upper_fraction(a[small], y[small])
    return out


def _log_upper_fraction(a, y):
    """log Q(a, y) = a log y - y - lgamma(a) + log CF (modified Lentz), y > a + 1."""
    tiny = 1e-300
    b = y + 1 - a
    c = np.full_like(y, 1 / tiny)
    dd = 1 / b
    h = dd.copy()
    for i in range(1, 500):
        an = -i * (i - a)
        b = b + 2
        dd = an * dd + b
        dd = np.where(np.abs(dd) < tiny, tiny, dd)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        dd = 1 / dd
        delta = dd * c
        h = h * delta
        if np.all(np.abs(delta - 1) < 1e-16):
            break
    return a * np.log(y) - y - gammaln(a) + np.log(h)


class GammaKernel(Kernel):
    """Gamma(shape a, scale theta) with censoring.

    :model: l = sum_F [(a - 1) log x - x / theta - lgamma(a) - a log theta]
        + sum_C log Q(a, x / theta), Q = gammaincc
    :estimator: no closed form: Newton on (log a, log theta) from the uncensored
        gamma fit of all values (censored ones taken as failures), line search, to a
        step of 1e-13
    :observed: analytic in the scale; the shape derivatives of log Q by
        Richardson-extrapolated central differences (scipy has no derivative of the
        incomplete gamma function in a), about 1e-10 relative
    """

    positive = (True, True)

    def log_survival_sum(self, survivors, shape, scale):
        return float(np.sum(log_upper_gamma(shape, survivors / scale)))

    def terms(self, failures, survivors, params):
        a, theta = params
        d = failures.size
        y_fail = failures / theta
        log_y_fail = np.log(y_fail)
        value = float(
            (a - 1) * np.log(failures).sum()
            - y_fail.sum()
            - d * (gammaln(a) + a * math.log(theta))
        )
        psi, trigamma = float(digamma(a)), float(polygamma(1, a))
        g_a = float(log_y_fail.sum()) - d * psi
        g_theta = float((y_fail - a).sum()) / theta
        h_aa, h_at = -d * trigamma, -d / theta
        h_tt = float((a - 2 * y_fail).sum()) / theta**2
        if survivors.size:
            y = survivors / theta
            log_y = np.log(y)
            h = SHAPE_STEP * a
            c = log_upper_gamma(a, y)
            far = [log_upper_gamma(a + s, y) for s in (-h, h, -h / 2, h / 2)]
            slope = (
                4 * (far[3] - far[2]) / h - (far[1] - far[0]) / (2 * h)
            ) / 3  # d/da log Q
            curve = (
                4 * (far[3] - 2 * c + far[2]) / (h / 2) ** 2
                - (far[1] - 2 * c + far[0]) / h**2
            ) / 3
            c_y = -np.exp((a - 1) * log_y - y - gammaln(a) - c)  # d/dy log Q
            c_yy = c_y * ((a - 1) / y - 1 - c_y)
            c_ay = c_y * (log_y - psi - slope)
            value += float(c.sum())
            g_a += float(slope.sum())
            g_theta -= float((c_y * y).sum()) / theta
            h_aa += float(curve.sum())
            h_at -= float((c_ay * y).sum()) / theta
            h_tt += float((c_yy * y * y + 2 * c_y * y).sum()) / theta**2
        return (
            value,
            np.array([g_a, g_theta]),
            np.array([[h_aa, h_at], [h_at, h_tt]]),
        )

    def estimate(self, failures, survivors, x):
        from .gamma import Gamma

        start, _, _ = Gamma().estimate(x)
        terms = functools.partial(self.terms, failures, survivors)
        params, steps = maximise(terms, (start["shape"], start["scale"]), self.positive)
        return tuple(float(v) for v in params), steps


KERNELS = {
    "exponential": ExponentialKernel(),
    "weibull": WeibullKernel(),
    "gamma": GammaKernel(),
    "lognormal": LognormalKernel(),
    "normal": GaussianKernel(),
}
