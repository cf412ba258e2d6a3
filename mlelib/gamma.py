"""The gamma family, fitted by Newton's method on the profile equation of the shape."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import digamma, gammaln, zeta

from ._blocks import blockwise, scaled_mean, sum_and_log_sum
from ._data import POSITIVE_REALS
from ._errors import NoMaximumError, unrepresentable
from ._family import POSITIVE, Family
from ._likelihood import check_kind, inverse
from ._newton import solve
from ._precise import (
    HUGE,
    STIRLING_FROM,
    TINY,
    a_log_a_minus_a_minus_lgamma,
    d_minus_log1p,
    log_ratio,
)
from .normal import all_equal, no_spread

# s = log(mean x) - mean(log x) from the two sums is exact to about
# 16 eps (1 + |log mean x|); below SPREAD_CHECK times that scale it is recomputed
# without cancellation (a shape above ~100 for data near 1, data nearly equal)
SPREAD_CHECK = 2.0**-8
DIGAMMA_1 = -0.5772156649015329  # digamma(1) = -Euler's gamma


def log_spread(x: np.ndarray, mean: float) -> tuple[float, float]:
    """(s, c e): s = log(mean x) - mean(log x) without cancellation, for nearly equal
    data, and the rounding error c e of the mean c.

    With c = mean (as rounded) and d = x / c - 1: s = mean(d - log1p(d)) - (e -
    log1p(e)), e = mean(d) (zero but for the rounding of c). Every term d - log1p(d)
    is >= 0 and is computed to a few ulps (see _precise), so s is exact to a few ulps
    even when it is 1e-33.
    """

    def part(block, scratch):
        d = np.subtract(block, mean, out=scratch)
        return np.add.reduce(d), np.add.reduce(spread_terms(block, mean))

    deviation_sum, spread_sum = blockwise(part, x)
    n = x.size
    e = deviation_sum / mean / n
    tail = float(d_minus_log1p(np.array([e]))[0])
    return spread_sum / n - tail, deviation_sum / n


def spread_terms(x: np.ndarray, c: float) -> np.ndarray:
    """x / c - 1 - log(x / c) >= 0 elementwise, to a few ulps (no cancellation)."""
    with np.errstate(all="ignore"):
        d = (x - c) / c
        terms = d - log_ratio(x, c)
        near = np.abs(d) < 0.1
        if near.any():
            terms[near] = d_minus_log1p(d[near])
    return terms


# log a - digamma(a) = 1/(2a) + sum_k B_2k / (2k a^2k) (Bernoulli numbers B_2k): for
# a >= 20 the terms to a^-12 give full float64 accuracy, where the direct difference
# would cancel.
_GAP_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760)
SERIES_FROM = 20.0


def log_minus_digamma(a: float) -> tuple[float, float]:
    """(log a - digamma(a), its derivative 1/a - trigamma(a)), exact at every a > 0."""
    if a < SERIES_FROM:
        return math.log(a) - float(digamma(a)), 1 / a - float(
            zeta(2.0, a)
        )  # trigamma(a) = zeta(2, a)
    u = 1 / (a * a)
    gap = slope = 0.0
    for k, coefficient in reversed(list(enumerate(_GAP_SERIES, start=1))):
        gap = (gap + coefficient) * u
        slope = (slope - 2 * k * coefficient) * u
    return 0.5 / a + gap, -0.5 * u + slope / a


class Gamma(Family):
    """Gamma(shape, scale), shape a > 0, scale theta > 0 (mean a theta).

    :model: log f(x | a, theta) = (a - 1) log x - x / theta - log Gamma(a)
        - a log theta,  x > 0
    :estimator: a solves the profile equation
        log a - digamma(a) = log(mean x) - mean(log x) (Newton on
        1 / (log a - digamma(a)), which is nearly linear in a, from Minka's
        approximation; bracket-safeguarded), then theta = mean(x) / a. For nearly
        equal data the right side is taken as mean(d - log1p(d)), d = x / mean(x) - 1
        (no cancellation), and the log-likelihood uses Stirling's series at large a
    :se: expected information n [[trigamma(a), 1/theta], [1/theta, a/theta^2]] inverted:
        se(a) = sqrt(a / (n (a trigamma(a) - 1))),
        se(theta) = theta sqrt(trigamma(a) / (n (a trigamma(a) - 1)))
    :observed: minus the Hessian, [[n trigamma(a), n / theta],
        [., 2 sum(x) / theta^3 - n a / theta^2]]: equal to the expected information at
        the MLE, where sum(x) = n a theta (the gamma is an exponential family in
        (log x, x))
    :profile: from the estimate alone (it is sufficient: mean(x) = a_hat theta_hat and
        s = log a_hat - digamma(a_hat)). Shape a fixed: theta = mean(x) / a, drop
        n (A(a_hat) - a_hat s - A(a) + a s) with A(a) = a log a - a - lgamma(a).
        Scale theta fixed: a solves digamma(a) = log(r) - s, r = mean(x) / theta
        (Newton), drop n (A(a_hat) - a_hat s - A(a) + a s + a (u - log1p(u))),
        u = r / a - 1
    :censored: ``fit(..., censored=mask)``: log S = log gammaincc(a, x / theta);
        Newton on (log a, log theta) with a line search, from the uncensored fit; se
        from the observed information (shape derivatives of log S by Richardson-
        extrapolated differences)
    :chunks: statistics (n, mean x, s, sum log x), merged without cancellation (see
        ``merge``): one pass
    :raises: DataError: a value <= 0, NaN, inf, empty or non-numeric data, or a scale
        outside the normal float64 range; NoMaximumError: all values equal (the
        likelihood grows without bound as a -> inf)
    """

    name = "gamma"
    params = ("shape", "scale")
    support = POSITIVE_REALS.text
    domains = {"shape": POSITIVE, "scale": POSITIVE}
    _support = POSITIVE_REALS

    def _sums(self, x):
        """(sum x, mean x, sum log x); an overflowing sum (inf) has its mean scaled."""
        total, log_total = sum_and_log_sum(x)
        if not math.isfinite(log_total):  # a value <= 0, NaN or inf
            self._support.reject(self.name, x)
        if not math.isfinite(total):  # finite values whose sum overflows
            return total, scaled_mean(x), log_total
        return total, total / x.size, log_total

    def statistics(self, x):
        """(n, mean(x), its rounding error, s = log(mean x) - mean(log x),
        sum(log x)), merged by ``merge``; s = 0 for equal values."""
        n = x.size
        _, mean, log_total = self._sums(x)
        log_mean = math.log(mean)
        s, error = log_mean - log_total / n, 0.0
        if s < SPREAD_CHECK * (1 + abs(log_mean)):
            s, error = (0.0, 0.0) if x.min() == x.max() else log_spread(x, mean)
        return n, mean, error, s, log_total

    @staticmethod
    def merge(a, b):
        """The statistics of two samples together: with weights w = n_c / n and
        d_c = mean_c / mean - 1, s = sum w s_c + sum w (d_c - log1p(d_c)), every term
        >= 0 (no cancellation). The means carry their rounding errors (as in
        normal.merge_moments): the d_c of nearly equal data are differences of
        nearly equal means."""
        na, mean_a, error_a, s_a, log_a = a
        nb, mean_b, error_b, s_b, log_b = b
        n = na + nb
        wa, wb = na / n, nb / n
        step = error_a + ((mean_b - mean_a) + (error_b - error_a)) * wb
        mean = mean_a + step
        error = (mean_a - mean) + step
        d = np.array(
            [
                ((mean_a - mean) + (error_a - error)) / mean,
                ((mean_b - mean) + (error_b - error)) / mean,
            ]
        )
        terms = d_minus_log1p(d)
        s = wa * s_a + wb * s_b + float(wa * terms[0] + wb * terms[1])
        return n, mean, error, s, log_a + log_b

    def estimate(self, x):
        n, mean, _, s, log_total = self.statistics(x)
        if s == 0:
            raise no_spread(self.name, x, "1/shape")
        return self._estimate(n, mean, s, log_total)

    def estimate_from(self, stats, passes, n):
        _, mean, error, s, log_total = stats
        mean += error
        if s == 0:
            raise all_equal(self.name, n, mean, "1/shape")
        return *self._estimate(n, mean, s, log_total), {}

    def _estimate(self, n, mean, s, log_total):
        """(params, loglik, steps) from n, mean(x), s and sum(log x)."""
        if not s > 0:  # pragma: no cover - log_spread is > 0 for unequal values
            raise NoMaximumError(f"gamma: no spread in the data (s = {s!r})")
        # Minka (2002), within ~1.5%
        start = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)

        def score(a):
            gap, gap_slope = log_minus_digamma(a)  # decreasing from inf to 0
            return 1 / gap - 1 / s, -gap_slope / (gap * gap), None

        shape, steps, _, _ = solve(score, start)
        scale = mean / shape
        if not TINY <= scale <= HUGE:
            raise unrepresentable(
                "gamma", f"scale = mean(x) / shape = {mean!r} / {shape!r}", scale
            )
        # a log a - a - lgamma(a) by Stirling's series at large a (it cancels there)
        loglik = n * (a_log_a_minus_a_minus_lgamma(shape) - shape * s) - log_total
        return {"shape": shape, "scale": scale}, loglik, steps

    def log_density_sum(self, x, shape, scale):
        total, mean, log_total = self._sums(x)
        n = x.size
        if shape < STIRLING_FROM:
            return (
                (shape - 1) * log_total
                - (total if math.isfinite(total) else mean * n) / scale
                - n * (float(gammaln(shape)) + shape * math.log(scale))
            )
        # (a - 1) log x - x / theta - lgamma a - a log theta
        #   = a log a - a - lgamma(a) - a (d - log1p(d)) - log x
        # with d = x / (a theta) - 1: the large terms a log(x / theta) and x / theta
        # cancel in closed form
        center = shape * scale
        if not center <= HUGE:
            return -math.inf
        spread = blockwise(
            lambda block, scratch: (np.add.reduce(spread_terms(block, center)),), x
        )[0]
        return n * a_log_a_minus_a_minus_lgamma(shape) - shape * spread - log_total

    def information(self, fit, kind):
        n, shape, scale = fit.n, fit.params["shape"], fit.params["scale"]
        trigamma = 1 / shape - log_minus_digamma(shape)[1]
        if kind == "expected":
            scale_scale = n * shape / scale**2
        else:
            total = n * shape * scale  # sum(x) at the MLE
            scale_scale = 2 * total / scale**3 - n * shape / scale**2
        return np.array([[n * trigamma, n / scale], [n / scale, scale_scale]])

    def covariance(self, fit, kind):
        check_kind(self.name, kind)
        n, shape, scale = fit.n, fit.params["shape"], fit.params["scale"]
        info = self.information(fit, kind)
        # det = n^2 (trigamma(a) e - 1) / theta^2 with e = theta J_thth / (n theta),
        # e = a at the MLE; trigamma(a) e - 1 = (e - a) / a - e gap' (gap' = 1/a -
        # trigamma(a)) does not cancel at large a as a trigamma(a) - 1 would
        e = info[1, 1] * scale**2 / n
        gap_slope = log_minus_digamma(shape)[1]
        det = n * n * ((e - shape) / shape - e * gap_slope) / scale**2
        return inverse(info, det=det)

    def profile_drop(self, fit, name, value, index=None):
        shape, scale = fit.params["shape"], fit.params["scale"]
        s = log_minus_digamma(shape)[0]  # log mean(x) - mean(log x)
        top = a_log_a_minus_a_minus_lgamma(shape) - shape * s
        if name == "shape":
            return fit.n * (top - a_log_a_minus_a_minus_lgamma(value) + value * s)
        ratio = shape * (scale / value)  # mean(x) / theta
        target = math.log(ratio) - s  # digamma(a) at the maximising shape
        # start: digamma(a) ~ log(a - 1/2) for large a, ~ -1/a - gamma_E for small
        start = math.exp(target) + 0.5 if target >= -2.22 else -1 / (target - DIGAMMA_1)

        def score(a):
            gap, gap_slope = log_minus_digamma(a)
            return math.log(a) - gap - target, 1 / a - gap_slope, None

        a = solve(score, start)[0]
        u = ratio / a - 1
        return fit.n * (
            top
            - a_log_a_minus_a_minus_lgamma(a)
            + a * s
            + a * float(d_minus_log1p(np.array([u]))[0])
        )

    def standard_errors(self, params, n):
        shape, scale = params["shape"], params["scale"]
        _, gap_slope = log_minus_digamma(
            shape
        )  # 1/a - trigamma(a), accurate for large a
        trigamma = 1 / shape - gap_slope
        det = -shape * gap_slope  # a trigamma(a) - 1 > 0 for every shape
        return {
            "shape": math.sqrt(shape / (n * det)),
            "scale": scale * math.sqrt(trigamma / (n * det)),
        }
