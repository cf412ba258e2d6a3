"""The K-component normal mixture, fitted by the EM algorithm from several starts."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import NamedTuple

import numpy as np

from ._data import REALS, show
from ._errors import DataError, NoMaximumError
from ._family import (
    POSITIVE,
    PROBABILITY,
    REAL,
    Family,
    _read_only_view,
    positive_integer,
    unmasked,
)
from ._fit import Fit, read_only
from ._likelihood import check_kind
from .normal import gaussian_fit

LOG_2PI = math.log(2 * math.pi)
# EM stops when a step gains less than this share of |log-likelihood| (or loses)
TOLERANCE = 1e-10
MAX_STEPS = 5000  # EM steps per start; the best run stopped here gives a warning
# a run is degenerate (discarded) when a component's variance falls below this share
# of the sample variance (it is collapsing onto a point: the likelihood is unbounded
# there) or its expected count n * weight below EMPTY (it has left the data)
COLLAPSE = 1e-12
EMPTY = 1e-6
RANDOM_STARTS = 8  # k-means++ starts, after the two deterministic ones
SEED = 20261130  # of the generator behind the k-means++ starts: fits are deterministic
START_VARIANCE = 1e-4  # smallest starting variance (standardised units)
POLISH_STEPS = 10  # Newton steps after EM (see _polish)
# the expected information integrates over +-GRID_EDGE sd of each component
GRID_EDGE, GRID_POINTS = 12.0, 4001


class Run(NamedTuple):
    """One EM run (see :meth:`NormalMixture.em`): the parameters it ended at (not sorted
    by mu), the log-likelihood before the first and after every step, the number of
    steps, and how it ended."""

    weight: np.ndarray
    mu: np.ndarray
    sigma2: np.ndarray
    trace: np.ndarray
    iterations: int
    converged: bool
    degenerate: bool

    @property
    def loglik(self) -> float:
        return float(self.trace[-1])


def _log_joint(x, weight, mu, sigma2):
    """(n, K) log(weight_k N(x_i | mu_k, sigma2_k)) and its (n,) log-sum-exp over k."""
    with np.errstate(divide="ignore"):  # a weight of 0 gives log 0 = -inf
        log_weight = np.log(weight)
    d = x[:, None] - mu
    log_joint = log_weight - 0.5 * (LOG_2PI + np.log(sigma2)) - d * d / (2 * sigma2)
    top = log_joint.max(axis=1)
    finite_top = np.where(np.isfinite(top), top, 0.0)
    total = finite_top + np.log(np.exp(log_joint - finite_top[:, None]).sum(axis=1))
    return log_joint, total


def _em(z, weight, mu, sigma2, max_steps=MAX_STEPS) -> Run:
    """EM on standardised data z from (weight, mu, sigma2); see NormalMixture.em."""
    n = z.size
    trace = []
    converged = degenerate = False
    steps = 0
    while True:
        log_joint, log_f = _log_joint(z, weight, mu, sigma2)
        loglik = float(log_f.sum())
        trace.append(loglik)
        if not math.isfinite(loglik):
            degenerate = True
            break
        if steps and loglik - trace[-2] <= TOLERANCE * abs(loglik):
            converged = True
            break
        if steps == max_steps:
            break
        # E-step: responsibilities; M-step: weighted normal MLEs
        r = np.exp(log_joint - log_f[:, None])
        counts = r.sum(axis=0)
        if np.any(counts < EMPTY):
            degenerate = True
            break
        new_mu = (r * z[:, None]).sum(axis=0) / counts
        d = z[:, None] - new_mu
        new_sigma2 = (r * d * d).sum(axis=0) / counts
        steps += 1
        weight, mu, sigma2 = counts / n, new_mu, new_sigma2
        if np.any(sigma2 < COLLAPSE) or not np.all(np.isfinite(sigma2)):
            degenerate = True
            break
    return Run(weight, mu, sigma2, np.array(trace), steps, converged, degenerate)


def _polish(z, run: Run) -> Run:
    """Newton steps on the full log-likelihood from where EM stopped, in the free
    coordinates with the analytic observed information: EM converges linearly, so its
    stopping rule leaves the estimate short of the maximum by about the last gains;
    a few Newton steps reach it to rounding. A step is kept only if the parameters stay
    in the space and the log-likelihood rises; at most POLISH_STEPS."""
    weight, mu, sigma2 = run.weight, run.mu, run.sigma2
    loglik = run.loglik
    k = weight.size
    for _ in range(POLISH_STEPS):
        scores, m = _derivatives(z, weight, mu, sigma2)
        try:
            factor = np.linalg.cholesky(scores.T @ scores - m)  # information = L L^T
            step = np.linalg.solve(factor.T, np.linalg.solve(factor, scores.sum(0)))
        except np.linalg.LinAlgError:  # not at a maximum: leave EM's estimate
            break
        free = np.r_[weight[:-1], mu, sigma2] + step
        new_weight = np.r_[free[: k - 1], 1 - free[: k - 1].sum()]
        new_mu, new_sigma2 = free[k - 1 : 2 * k - 1], free[2 * k - 1 :]
        if np.any(new_weight * z.size < EMPTY) or np.any(new_sigma2 < COLLAPSE):
            break
        new_loglik = float(_log_joint(z, new_weight, new_mu, new_sigma2)[1].sum())
        if not new_loglik > loglik:
            break
        weight, mu, sigma2, loglik = new_weight, new_mu, new_sigma2, new_loglik
    return run._replace(weight=weight, mu=mu, sigma2=sigma2)


def _group_start(z, groups):
    """A start from a partition of z: each group's share, mean and variance."""
    n = z.size
    weight = np.array([g.size / n for g in groups])
    mu = np.array([g.mean() for g in groups])
    sigma2 = np.array([max(g.var(), START_VARIANCE) for g in groups])
    return weight, mu, sigma2


def _starts(z, sorted_z, components):
    """The starting points, in order: (1) the sorted data cut into K groups of equal
    count; (2) equal weights, means at the (k + 1/2)/K quantiles, variances 1/K^2 of
    the sample variance; (3) RANDOM_STARTS k-means++ starts from a generator seeded
    with SEED: centres drawn with probability proportional to the squared distance to
    the nearest centre so far, each point assigned to its nearest centre."""
    k = components
    yield _group_start(z, np.array_split(sorted_z, k))
    quantiles = np.quantile(sorted_z, (np.arange(k) + 0.5) / k)
    yield np.full(k, 1 / k), quantiles, np.full(k, 1 / k**2)
    rng = np.random.default_rng(SEED)
    for _ in range(RANDOM_STARTS):
        centres = [z[rng.integers(z.size)]]
        nearest = (z - centres[0]) ** 2
        for _ in range(1, k):
            total = nearest.sum()
            if total <= 0:
                break
            i = min(int(np.searchsorted(np.cumsum(nearest), rng.random() * total)),
                    z.size - 1)  # fmt: skip
            centres.append(z[i])
            nearest = np.minimum(nearest, (z - z[i]) ** 2)
        if len(centres) < k:
            continue
        labels = np.argmin(np.abs(z[:, None] - np.array(centres)), axis=1)
        groups = [z[labels == j] for j in range(k)]
        if all(g.size for g in groups):
            yield _group_start(z, groups)


def _derivatives(x, weight, mu, sigma2):
    """Per-observation scores S (n, 3K - 1) of log f in the free coordinates
    (weight_0..weight_{K-2}, mu, sigma2), weight_{K-1} = 1 - the others, and the sum
    over observations M of (Hessian of f) / f. The observed information is S^T S - M."""
    k = weight.size
    log_joint, log_f = _log_joint(x, weight, mu, sigma2)
    r = np.exp(log_joint - log_f[:, None])
    d = x[:, None] - mu
    a = d / sigma2  # d log N / d mu
    b = d * d / (2 * sigma2**2) - 1 / (2 * sigma2)  # d log N / d sigma2
    free_w = np.arange(k - 1)
    cols_mu = np.arange(k) + k - 1
    cols_s2 = np.arange(k) + 2 * k - 1
    scores = np.empty((x.size, 3 * k - 1))
    scores[:, free_w] = r[:, :-1] / weight[:-1] - (r[:, -1] / weight[-1])[:, None]
    scores[:, cols_mu] = r * a
    scores[:, cols_s2] = r * b
    m = np.zeros((3 * k - 1, 3 * k - 1))
    ra, rb = (r * a).sum(axis=0), (r * b).sum(axis=0)
    for j in free_w:  # f is linear in the weights; weight_{K-1} moves against each
        for cols, sums in ((cols_mu, ra), (cols_s2, rb)):
            m[j, cols[j]] = m[cols[j], j] = sums[j] / weight[j]
            m[j, cols[-1]] = m[cols[-1], j] = -sums[-1] / weight[-1]
    m[cols_mu, cols_mu] = (r * (a * a - 1 / sigma2)).sum(axis=0)
    cross = (r * (a * b - a / sigma2)).sum(axis=0)
    m[cols_mu, cols_s2] = m[cols_s2, cols_mu] = cross
    m[cols_s2, cols_s2] = (r * (b * b - d * d / sigma2**3 + 1 / (2 * sigma2**2))).sum(
        axis=0
    )
    return scores, m


def _free_to_full(k: int) -> np.ndarray:
    """The Jacobian (3K, 3K - 1) of (weight, mu, sigma2) in the free coordinates."""
    jacobian = np.zeros((3 * k, 3 * k - 1))
    jacobian[: k - 1, : k - 1] = np.eye(k - 1)
    jacobian[k - 1, : k - 1] = -1.0
    jacobian[k:, k - 1 :] = np.eye(2 * k)
    return jacobian


def _full_covariance(information: np.ndarray, k: int) -> np.ndarray:
    """J inv(information) J^T, all entries inf when the information is not positive
    definite (a flat or rising direction: no standard error)."""
    try:
        factor = np.linalg.cholesky(information)
    except np.linalg.LinAlgError:
        return np.full((3 * k, 3 * k), math.inf)
    inverse = np.linalg.inv(factor)
    jacobian = _free_to_full(k) @ inverse.T
    return jacobian @ jacobian.T


class NormalMixture(Family):
    """Mixture of K normals, K = ``components`` known (default 2):
    f(x) = sum_k weight_k N(x | mu_k, sigma2_k), sum(weight) = 1, x real.

    :model: log f(x) = log sum_k exp(log weight_k - log(2 pi sigma2_k) / 2
        - (x - mu_k)^2 / (2 sigma2_k))  (log-sum-exp: no underflow far in the tails)
    :estimator: EM. E-step r_ik = weight_k N(x_i | mu_k, sigma2_k) / f(x_i); M-step the
        r-weighted normal MLEs weight_k = mean_i r_ik, mu_k = sum_i r_ik x_i / sum_i
        r_ik, sigma2_k = sum_i r_ik (x_i - mu_k)^2 / sum_i r_ik. The likelihood has no
        global maximum (it is unbounded: one component on one value, sigma2_k -> 0),
        so the fit is **the best finite local maximum found** from 2 + 8 starts: the
        sorted data cut into K equal-count groups; means at the (k + 1/2)/K quantiles
        with variances var(x) / K^2; 8 k-means++ starts from
        ``np.random.default_rng(20261130)`` (the fit is deterministic). EM runs on
        (x - mean) / sd, so the fit does not depend on units
    :stopping: a run stops when a step raises the log-likelihood by less than 1e-10
        of its magnitude, or after 5000 steps. EM converges linearly, so the best run
        is then polished by at most 10 Newton steps on the full log-likelihood (the
        analytic observed information; a step is kept only if it raises the
        likelihood), which reach the local maximum to rounding. If the best run
        stopped at 5000 steps a RuntimeWarning says so (its estimate is still
        returned: every EM step raises the likelihood). ``iterations`` counts the EM
        steps of the returned run (not the Newton steps)
    :collapse: a run is discarded when a component's variance falls below 1e-12 of
        the sample variance (it is collapsing onto a point) or its expected count
        n weight_k below 1e-6; if every run is discarded, NoMaximumError. Spurious
        local maxima with a small but finite variance are not excluded: EM's best is
        returned, as found
    :order: components are sorted by mu (then sigma2): the labels are otherwise
        arbitrary (label switching)
    :se: from the **observed** information (minus the analytic Hessian of the
        log-likelihood at the estimate) in the free coordinates (weight_0..
        weight_{K-2}, mu, sigma2), inverted and mapped to all 3K entries
        (weight_{K-1} = 1 - the others): ``cov(kind="observed")`` is 3K x 3K in the
        order weight, mu, sigma2, and singular (the weights sum to 1). The expected
        information (``cov()``'s default kind) is the integral n E[s s^T] of the
        score, by the trapezoidal rule over +-12 sd of each component (4001 nodes);
        its diagonal is not se^2. se are inf when the observed information is not
        positive definite. Wald intervals only: ``ci(method="profile")`` and ``profile``
        raise (a profile needs a constrained EM per value). k = 3K - 1 in aic / bic
    :K = 1: the normal fit (closed form, iterations 0), weight = [1.0]
    :trace: the family object's ``trace(x)`` (``mlelib.FAMILIES`` holds it) is the
        log-likelihood after each step of the returned run, and its
        ``em(x, weight, mu, sigma2)`` runs EM from a start
    :raises: DataError: NaN, inf, empty or non-numeric data, components not a
        positive integer; NoMaximumError: fewer than 2K distinct values (too few or
        too tied: no component may rest on a single value), or every run degenerate
    """

    name = "normal_mixture"
    se_kind = "observed"
    params = ("weight", "mu", "sigma2")
    known = ("components",)
    support = REALS.text
    domains = {"weight": PROBABILITY, "mu": REAL, "sigma2": POSITIVE}  # each entry
    _support = REALS
    chunked_why = (
        "EM from several starts needs the data at every iteration, and no fixed set "
        "of sums determines the estimate"
    )
    keeps_data = True

    def sample(self, data, components=2):
        components = positive_integer(self.name, "components", components)
        return self._support.floats(self.name, data), {"components": components}

    # -- fitting ---------------------------------------------------------------------

    def fit(self, data, **known) -> Fit:
        """The EM fit of ``data`` (see the class docstring)."""
        if isinstance(data, np.ma.MaskedArray):
            return unmasked(self.fit, data, known)
        self._reject_unexpected(known, self.known, "fit")
        x, known = self.sample(data, **known)
        params, loglik, iterations = self.estimate(x, **known)
        se = self._standard_errors(x, params)
        return Fit(
            self.name,
            params,
            loglik,
            x.size,
            se,
            iterations,
            known,
            self,
            _read_only_view(x),
        )

    def estimate(self, x, components):
        if components == 1:
            _distinct(x, 1)
            params, loglik, _ = gaussian_fit(self.name, self._support, x)
            return (
                {name: read_only([params.get(name, 1.0)]) for name in self.params},
                loglik,
                0,
            )
        run = self._best_run(x, components)
        order = np.lexsort((run.sigma2, run.mu))
        params = {
            "weight": read_only(run.weight[order]),
            "mu": read_only(run.mu[order]),
            "sigma2": read_only(run.sigma2[order]),
        }
        return params, self.log_density_sum(x, **params), run.iterations

    def _best_run(self, x, components) -> Run:
        sorted_x = _distinct(x, components)
        centre, spread = _standardisation(self.name, x)
        z, sorted_z = (x - centre) / spread, (sorted_x - centre) / spread
        best = None
        for start in _starts(z, sorted_z, components):
            run = _em(z, *start, MAX_STEPS)
            if not run.degenerate and (best is None or run.loglik > best.loglik):
                best = run
        if best is None:
            raise NoMaximumError(
                f"{self.name}: every EM run collapsed a component onto a point "
                "(sigma2 -> 0, where the likelihood grows without bound) or emptied "
                f"one; the data do not support {components} components"
            )
        best = _polish(z, best)
        if not best.converged:
            gain = (best.trace[-1] - best.trace[-2]) / abs(best.trace[-1])
            warnings.warn(
                f"{self.name}: EM stopped after {MAX_STEPS} steps without converging "
                f"(last relative gain {gain:.2g} > {TOLERANCE:g}); the estimate is "
                "the last step's",
                RuntimeWarning,
                stacklevel=4,
            )
        return _unstandardised(best, centre, spread, x.size)

    def em(self, data, weight, mu, sigma2, max_steps=MAX_STEPS) -> Run:
        """EM from one start: a ``Run`` (named tuple) with the parameters it ended at
        (in the start's label order), ``trace`` (the log-likelihood at the start and
        after each step: it never decreases), ``iterations``, ``converged`` (stopped
        by the 1e-10 relative gain rule) and ``degenerate`` (a component collapsed or
        emptied: the run stopped there). Pure EM: no Newton polish."""
        params, _ = self.check_params(
            {"weight": weight, "mu": mu, "sigma2": sigma2}, {}
        )
        x = self._support.floats(self.name, data)
        centre, spread = _standardisation(self.name, x)
        run = _em(
            (x - centre) / spread,
            params["weight"],
            (params["mu"] - centre) / spread,
            params["sigma2"] / spread**2,
            max_steps,
        )
        return _unstandardised(run, centre, spread, x.size)

    def trace(self, data, components=2) -> np.ndarray:
        """The log-likelihood at the start and after each EM step of the run that
        ``fit`` returns. ``fit(...).loglik`` is at least its last entry (within about
        1e-9 relative): the Newton polish after EM is not part of the trace."""
        x, known = self.sample(data, components)
        if known["components"] == 1:
            return np.array([self.estimate(x, 1)[1]])
        return self._best_run(x, known["components"]).trace

    # -- the log-likelihood ----------------------------------------------------------

    def check_params(self, params, known):
        arrays = {}
        for name in self.params:
            value = params[name]
            array = np.asarray(value)
            if (
                array.ndim != 1
                or array.size == 0
                or array.dtype.kind not in "iuf"
                or not np.all(np.isfinite(array))
            ):
                raise ValueError(
                    f"{self.name}: parameter {name} must be a non-empty 1-D array of "
                    f"finite real numbers, got {value!r}"
                )
            arrays[name] = array.astype(np.float64)
        sizes = {array.size for array in arrays.values()}
        if len(sizes) != 1:
            raise ValueError(
                f"{self.name}: weight, mu and sigma2 must have one entry per "
                "component, got "
                + ", ".join(f"{k} {v.size}" for k, v in arrays.items())
            )
        weight, sigma2 = arrays["weight"], arrays["sigma2"]
        if not (
            np.all(weight >= 0)
            and np.all(weight <= 1)
            and abs(weight.sum() - 1) <= 1e-9
        ):
            raise ValueError(
                f"{self.name}: parameter weight={weight!r} is outside the parameter "
                "space; allowed: 0 <= weight_k <= 1 with sum(weight) = 1 (to within "
                "1e-9)"
            )
        if not np.all(sigma2 > 0):
            raise ValueError(
                f"{self.name}: parameter sigma2={sigma2!r} is outside the parameter "
                "space; allowed: sigma2_k > 0"
            )
        components = known.get("components", weight.size)
        if (
            isinstance(components, (bool, np.bool_))
            or not isinstance(components, numbers.Integral)
            or components != weight.size
        ):
            raise ValueError(
                f"{self.name}: components={show(components)} but the parameters have "
                f"{weight.size} entries"
            )
        return arrays, {"components": weight.size}

    def log_density_sum(self, x, weight, mu, sigma2, components=None):
        return float(_log_joint(x, weight, mu, sigma2)[1].sum())

    # -- inference -------------------------------------------------------------------

    def _standard_errors(self, x, params) -> dict:
        k = params["weight"].size
        information = _observed_information(x, params)
        se = np.sqrt(np.maximum(np.diag(_full_covariance(information, k)), 0.0))
        return {
            "weight": read_only(se[:k]),
            "mu": read_only(se[k : 2 * k]),
            "sigma2": read_only(se[2 * k :]),
        }

    def standard_errors(self, params, n, components):  # pragma: no cover - see fit
        raise NotImplementedError("normal_mixture: se need the data; see fit")

    def free_parameters(self, fit):
        return 3 * fit.known["components"] - 1

    def information(self, fit, kind):
        """The information in the free coordinates (weight_0..weight_{K-2}, mu,
        sigma2): observed (analytic Hessian) or expected (quadrature)."""
        check_kind(self.name, kind)
        params = dict(fit.params)
        if kind == "observed":
            return _observed_information(fit._data, params)
        return _expected_information(params, fit.n)

    def covariance(self, fit, kind):
        """3K x 3K, order weight, mu, sigma2 (see the class docstring)."""
        return read_only(
            _full_covariance(self.information(fit, kind), fit.known["components"])
        )

    def profile_intervals(self, fit, alpha, z):
        raise ValueError(self._no_profile)

    def profile_loglik(self, fit, name, value, index=None):
        raise ValueError(self._no_profile)

    _no_profile = (
        "normal_mixture: profile likelihoods are not provided (each value would need "
        "a constrained EM); use Wald intervals, ci(level), from the observed "
        "information"
    )


def _distinct(x, components) -> np.ndarray:
    """x sorted; NoMaximumError when it has fewer than 2K distinct values."""
    sorted_x = np.sort(x)
    distinct = 1 + int(np.count_nonzero(np.diff(sorted_x)))
    if distinct < 2 * components:
        raise NoMaximumError(
            f"normal_mixture: {components} components need at least "
            f"{2 * components} distinct values (two per component), got {distinct} "
            f"among {x.size} observations; with fewer, a component must rest on a "
            "single value, where the likelihood grows without bound as its sigma2 "
            "-> 0, so there is no maximum"
        )
    return sorted_x


def _standardisation(family, x) -> tuple[float, float]:
    centre = float(x.mean())
    spread = float(np.sqrt(np.mean((x - centre) ** 2)))
    if not (math.isfinite(spread) and spread > 0):
        raise DataError(
            f"{family}: the spread of the data is outside the float64 range; rescale "
            "the data by a constant"
        )
    return centre, spread


def _unstandardised(run: Run, centre: float, spread: float, n: int) -> Run:
    """A run on (x - centre) / spread expressed on x: the density of x is that of z
    divided by spread, so each log-likelihood drops by n log(spread)."""
    return run._replace(
        mu=centre + spread * run.mu,
        sigma2=run.sigma2 * spread**2,
        trace=run.trace - n * math.log(spread),
    )


def _observed_information(x, params) -> np.ndarray:
    scores, m = _derivatives(x, params["weight"], params["mu"], params["sigma2"])
    return scores.T @ scores - m


def _expected_information(params, n) -> np.ndarray:
    """n E[s s^T] (E[Hessian of f / f] = 0): in each component, the trapezoidal rule
    on t = (x - mu_k) / sd_k over [-GRID_EDGE, GRID_EDGE] (GRID_POINTS nodes). For a
    smooth integrand with Gaussian tails it converges geometrically in the number of
    nodes (faster than Gauss-Hermite here: the responsibilities are logistic in x)."""
    weight, mu, sigma2 = params["weight"], params["mu"], params["sigma2"]
    t = np.linspace(-GRID_EDGE, GRID_EDGE, GRID_POINTS)
    node_weights = (t[1] - t[0]) * np.exp(-0.5 * t * t) / math.sqrt(2 * math.pi)
    total = np.zeros((3 * weight.size - 1,) * 2)
    for w, m, s2 in zip(weight, mu, sigma2):
        scores, _ = _derivatives(m + math.sqrt(s2) * t, weight, mu, sigma2)
        total += w * (scores.T * node_weights) @ scores
    return n * total
