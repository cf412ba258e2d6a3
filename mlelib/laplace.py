"""The Laplace (double exponential) family: location mu, scale b."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import reductions, sum_abs_dev
from ._data import REALS
from ._errors import unrepresentable
from ._family import POSITIVE, REAL, Family
from ._likelihood import ratio_drop
from ._precise import HUGE, TINY
from .normal import no_spread

SELECT_FROM = (
    1 << 16
)  # below this size a full partition of a copy is as fast as anything
SAMPLE = 1 << 14  # strided sample that brackets the median for larger data


def median(x: np.ndarray) -> float:
    """The sample median (the midpoint of the two middle values for even n), as
    np.median gives it.

    Large data: the median is bracketed by order statistics of a strided sample of
    SAMPLE values, 4 standard errors either side; only the values inside the bracket
    (about 4 n / sqrt(SAMPLE), 3% of them) are copied and partitioned. If the bracket
    misses (bad luck, or NaN, whose comparisons are all false), a full partition of a
    copy gives the answer: the result is exact either way, only the time differs.
    """
    n = x.size
    ranks = [n // 2] if n % 2 else [n // 2 - 1, n // 2]
    if n >= SELECT_FROM:
        sample = np.sort(x[:: n // SAMPLE])
        middle, reach = (
            sample.size // 2,
            2 * math.isqrt(sample.size) + 1,
        )  # 4 sd of a median rank: 4 * 0.5 sqrt(m)
        low, high = (
            sample[max(middle - reach, 0)],
            sample[min(middle + reach, sample.size - 1)],
        )
        inside = np.greater_equal(x, low)
        below = n - np.count_nonzero(inside)
        np.logical_and(inside, np.less_equal(x, high), out=inside)
        bracket = np.compress(inside, x)  # faster than x[inside]
        if below <= ranks[0] and ranks[-1] < below + bracket.size:
            return _middle_value(bracket, [rank - below for rank in ranks])
    return _middle_value(np.array(x), ranks)


def _middle_value(values: np.ndarray, ranks: list[int]) -> float:
    """The mean of the values at ``ranks`` in sorted order; partitions ``values`` in
    place."""
    values.partition(ranks)
    if len(ranks) == 1:
        return float(values[ranks[0]])
    low, high = float(values[ranks[0]]), float(values[ranks[1]])
    mid = (low + high) / 2  # as np.median computes it
    return mid if math.isfinite(mid) else low + (high - low) / 2


class Laplace(Family):
    """Laplace(mu, b).

    :model: log f(x | mu, b) = -log(2 b) - abs(x - mu) / b,  x real
    :estimator: mu = median(x) (the midpoint of the two middle values for even n: every
        point between them maximises the likelihood equally), b = mean(abs(x - mu))
    :se: expected information n diag(1/b^2, 1/b^2): se(mu) = se(b) = b / sqrt(n). The
        density is not differentiable at mu, but the score abs(x - mu) is, almost
        surely, and the Fisher information exists (E[score^2] = 1/b^2); the median is
        asymptotically normal with exactly this variance b^2 / n.
    :observed: not available for mu (Fit.cov("observed") raises): the log-likelihood
        is piecewise linear in mu, so its second derivative is 0 between data points
        and does not exist at the median
    :profile: mu = m: b = mean(abs(x - m)), drop n log(b / b_hat) (from the data,
        which the Fit keeps as a read-only view); b = v: mu = the median, drop
        n (r - 1 - log r), r = b_hat / v
    :raises: DataError: NaN, inf, empty or non-numeric data, or a b outside the normal
        float64 range; NoMaximumError: all values equal (b = 0: the likelihood grows
        without bound as b -> 0)
    """

    name = "laplace"
    params = ("mu", "b")
    support = REALS.text
    domains = {"mu": REAL, "b": POSITIVE}
    _support = REALS
    keeps_data = True  # the profile of mu needs mean(abs(x - mu)) at every mu

    def _mean_abs_dev(self, x, mu):
        """mean(abs(x - mu)); data far apart for float64 are taken again scaled."""
        total = sum_abs_dev(x, mu)
        if math.isfinite(total):
            return total / x.size
        lo, hi = reductions(x, np.minimum, np.maximum)
        self._support.check_range(self.name, x, lo, hi)  # names a NaN or inf
        # finite values whose deviations overflow: scale by 2^-e (exact)
        exponent = math.frexp(max(abs(lo), abs(hi), abs(mu)))[1]
        scaled = sum_abs_dev(np.ldexp(x, -exponent), math.ldexp(mu, -exponent))
        return math.ldexp(scaled / x.size, exponent)  # inf when beyond float64

    def estimate(self, x):
        n = x.size
        mu = median(x)
        b = self._mean_abs_dev(x, mu)
        if b == 0:
            raise no_spread(self.name, x, "b")
        if not TINY <= b <= HUGE:
            raise unrepresentable("laplace", f"b = mean(abs(x - median)) = {b!r}", b)
        return {"mu": mu, "b": b}, -n * (_log_two(b) + 1), 0

    def log_density_sum(self, x, mu, b):
        n = x.size
        total = sum_abs_dev(x, mu)
        if math.isfinite(total):
            return -n * _log_two(b) - total / b
        return -n * _log_two(b) - n * (self._mean_abs_dev(x, mu) / b)  # -inf beyond

    def standard_errors(self, params, n):
        se = params["b"] / math.sqrt(n)
        return {"mu": se, "b": se}

    def information(self, fit, kind):
        if kind == "observed":
            raise ValueError(
                "laplace: no observed information: the log-likelihood is piecewise "
                "linear in mu (its second derivative is 0 between the data points and "
                "does not exist at the median); use kind='expected', "
                "n diag(1/b^2, 1/b^2)"
            )
        b = fit.params["b"]
        return np.array([[fit.n / b**2, 0.0], [0.0, fit.n / b**2]])

    def profile_drop(self, fit, name, value, index=None):
        b = fit.params["b"]
        if name == "b":
            return ratio_drop(fit.n, b / value)
        spread = self._mean_abs_dev(fit._data, value)
        return fit.n * math.log(spread / b)


def _log_two(b: float) -> float:
    """log(2 b), also when 2 b overflows."""
    return math.log(2 * b) if b <= HUGE / 2 else math.log(2) + math.log(b)
