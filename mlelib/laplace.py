"""The Laplace (double exponential) family: location mu, scale b."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import sum_abs_dev
from ._data import REALS
from ._family import POSITIVE, REAL, Family
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
    :raises: DataError: NaN, inf, empty or non-numeric data; NoMaximumError: all values
        equal (b = 0: the likelihood grows without bound as b -> 0)
    """

    name = "laplace"
    params = ("mu", "b")
    support = REALS.text
    domains = {"mu": REAL, "b": POSITIVE}
    _support = REALS

    def _sum_abs_dev(self, x, mu):
        total = sum_abs_dev(x, mu)
        if not math.isfinite(total):
            self._support.reject(self.name, x)
        return total

    def estimate(self, x):
        n = x.size
        mu = median(x)
        total = self._sum_abs_dev(x, mu)
        if total == 0:
            raise no_spread(self.name, x, "b")
        b = total / n
        return {"mu": mu, "b": b}, -n * (math.log(2 * b) + 1), 0

    def log_density_sum(self, x, mu, b):
        return -x.size * math.log(2 * b) - self._sum_abs_dev(x, mu) / b

    def standard_errors(self, params, n):
        se = params["b"] / math.sqrt(n)
        return {"mu": se, "b": se}
