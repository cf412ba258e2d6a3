"""The Laplace (double exponential) family: location mu, scale b."""

from __future__ import annotations

import functools
import math

import numpy as np

from ._blocks import reductions, sum_abs_dev
from ._data import REALS
from ._errors import unrepresentable
from ._family import POSITIVE, REAL, Family, kept_data
from ._likelihood import ratio_drop
from ._precise import HUGE, TINY
from .normal import all_equal, no_spread

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
    return midpoint([float(values[rank]) for rank in ranks])


def midpoint(middle: list[float]) -> float:
    """The median from its one or two middle values, as np.median computes it."""
    if len(middle) == 1:
        return middle[0]
    low, high = middle
    mid = (low + high) / 2
    return mid if math.isfinite(mid) else low + (high - low) / 2


# chunked median: each chunk gives at most CHUNK_SAMPLE values of a strided sample,
# merged samples are thinned to at most MERGED_SAMPLE; a bracket's values are collected
# when there are at most COLLECT of them (32 MB)
CHUNK_SAMPLE = 1 << 10
MERGED_SAMPLE = 1 << 16
COLLECT = 1 << 22


def sample_of(x: np.ndarray) -> np.ndarray:
    """A strided sample of at most CHUNK_SAMPLE values of x (a copy)."""
    return x[:: max(1, x.size // CHUNK_SAMPLE)].copy()


def merge_samples(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    both = np.concatenate([a, b])
    return both[:: max(1, -(-both.size // MERGED_SAMPLE))]


def chunked_median(n: int, low: float, high: float, sample, passes) -> float:
    """The exact median of data seen through ``passes`` (see _chunks), all in
    [low, high], from a sample of them.

    Each pass counts the values below a bracket [lo', hi'] chosen from the sample
    around the median's rank (4 standard errors either side, as in ``median``) and
    collects the values inside it when there are at most COLLECT; a bracket that
    misses the rank still narrows the interval that holds it. With a 2^16 sample
    the bracket holds about 1.6 % of the values: one pass for data up to ~2.5e8.
    """
    ranks = [n // 2] if n % 2 else [n // 2 - 1, n // 2]
    return midpoint(_select(ranks, low, high, 0, n, np.sort(sample), passes))


def _select(ranks, lo, hi, below, count, sample, passes) -> list[float]:
    """The values of ``ranks`` (in the whole data), which lie in [lo, hi]: ``count``
    values, ``below`` of the data below lo. ``sample``: sorted sample of [lo, hi] or
    None."""
    while True:
        lo2, hi2 = _bracket(ranks, lo, hi, below, count, sample)
        lower, inside, values, sample = passes(
            functools.partial(_bracket_counts, lo, lo2, hi2), _merge_brackets
        )
        above = count - lower - inside
        parts = [  # (lo, hi, below, count) of [lo, lo2), [lo2, hi2], (hi2, hi]
            (lo, np.nextafter(lo2, -np.inf), below, lower),
            (lo2, hi2, below + lower, inside),
            (np.nextafter(hi2, np.inf), hi, below + lower + inside, above),
        ]
        groups = [
            [r for r in ranks if start <= r < start + size]
            for _, _, start, size in parts
        ]
        if groups[1] == ranks and values is not None:
            values.partition([rank - parts[1][2] for rank in ranks])
            return [float(values[rank - parts[1][2]]) for rank in ranks]
        where = [i for i, group in enumerate(groups) if group]
        if len(where) > 1:  # the two middle ranks on either side of a bound
            return [
                value
                for i in where
                for value in _select(groups[i], *parts[i], None, passes)
            ]
        (i,) = where
        lo, hi, below, count = parts[i]
        sample = np.sort(sample) if i == 1 else None


def _bracket(ranks, lo, hi, below, count, sample) -> tuple[float, float]:
    """A sub-interval of [lo, hi] likely to hold the ranks: order statistics of the
    sample 4 standard errors either side; the whole interval without a sample."""
    if sample is None or sample.size == 0:
        return lo, hi
    m = sample.size
    reach = 2 * math.isqrt(m) + 1  # 4 sd of a sample rank: 4 * 0.5 sqrt(m)
    first = (ranks[0] - below) * m // count - reach
    last = (ranks[-1] - below) * m // count + reach
    return float(sample[max(first, 0)]), float(sample[min(last, m - 1)])


def _bracket_counts(lo, lo2, hi2, x):
    """(count in [lo, lo2), count in [lo2, hi2], those values, a sample of them)."""
    lower = np.count_nonzero((x >= lo) & (x < lo2))
    inside = x[(x >= lo2) & (x <= hi2)]
    return lower, inside.size, inside, sample_of(inside)


def _merge_brackets(a, b):
    lower, inside = a[0] + b[0], a[1] + b[1]
    values = (
        np.concatenate([a[2], b[2]])
        if a[2] is not None and b[2] is not None and inside <= COLLECT
        else None
    )
    return lower, inside, values, merge_samples(a[3], b[3])


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
    :chunks: min, max and a sample of each chunk; bracketing passes (count the values
        below a bracket taken from the sample, collect those inside) give the exact
        median, one more pass mean(abs(x - mu))
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
        mu = median(x)
        b = self._mean_abs_dev(x, mu)
        if b == 0:
            raise no_spread(self.name, x, "b")
        return self._estimate(x.size, mu, b)

    def statistics(self, x):
        """(min, max, a strided sample): where the median's search starts."""
        lo, hi = reductions(x, np.minimum, np.maximum)
        self._support.check_range(self.name, x, lo, hi)  # names a NaN or inf
        return float(lo), float(hi), sample_of(x)

    @staticmethod
    def merge(a, b):
        return min(a[0], b[0]), max(a[1], b[1]), merge_samples(a[2], b[2])

    def estimate_from(self, stats, passes, n):
        """The exact median by bracketing passes, then a pass for mean(abs(x - mu))."""
        low, high, sample = stats
        if low == high:
            raise all_equal(self.name, n, low, "b")
        mu = chunked_median(n, low, high, sample, passes)
        (total,) = passes(lambda x: (self._mean_abs_dev(x, mu) * x.size,))
        return *self._estimate(n, mu, total / n), {}

    def _estimate(self, n, mu, b):
        """(params, loglik, 0) from the median and mean(abs(x - mu))."""
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
        spread = self._mean_abs_dev(kept_data(fit, "the profile of mu"), value)
        return fit.n * math.log(spread / b)


def _log_two(b: float) -> float:
    """log(2 b), also when 2 b overflows."""
    return math.log(2 * b) if b <= HUGE / 2 else math.log(2) + math.log(b)
