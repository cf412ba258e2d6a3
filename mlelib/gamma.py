"""The gamma family, fitted by Newton's method on the profile equation of the shape."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import digamma, gammaln, zeta

from ._blocks import blockwise, sum_and_log_sum
from ._data import POSITIVE_REALS
from ._family import POSITIVE, Family
from ._newton import solve
from .normal import no_spread


def _log_spread(x: np.ndarray, total: float, log_total: float) -> float:
    """s = log(mean x) - mean(log x) >= 0 (Jensen), recomputed as -mean(log(x / mean x))
    when the direct difference rounds to 0 or below (nearly equal data)."""
    n = x.size
    s = math.log(total / n) - log_total / n
    if s <= 0:
        s = (
            -blockwise(
                lambda block, scratch: (
                    np.add.reduce(np.log(np.divide(block, total / n, out=scratch))),
                ),
                x,
            )[0]
            / n
        )
    return s


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
        approximation; bracket-safeguarded), then theta = mean(x) / a
    :se: expected information n [[trigamma(a), 1/theta], [1/theta, a/theta^2]] inverted:
        se(a) = sqrt(a / (n (a trigamma(a) - 1))),
        se(theta) = theta sqrt(trigamma(a) / (n (a trigamma(a) - 1)))
    :raises: DataError: a value <= 0, NaN, inf, empty or non-numeric data;
        NoMaximumError: all values equal (the likelihood grows without bound as
        a -> inf)
    """

    name = "gamma"
    params = ("shape", "scale")
    support = POSITIVE_REALS.text
    domains = {"shape": POSITIVE, "scale": POSITIVE}
    _support = POSITIVE_REALS

    def _sums(self, x):
        total, log_total = sum_and_log_sum(x)
        if not (math.isfinite(log_total) and math.isfinite(total)):
            self._support.reject(self.name, x)
        return total, log_total

    def estimate(self, x):
        n = x.size
        total, log_total = self._sums(x)
        s = _log_spread(x, total, log_total)
        if s <= 0:
            raise no_spread(self.name, x, "1/shape")
        start = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (
            12 * s
        )  # Minka (2002), within ~1.5%

        def score(a):
            gap, gap_slope = log_minus_digamma(a)  # decreasing from inf to 0
            return 1 / gap - 1 / s, -gap_slope / (gap * gap), None

        shape, steps, _, _ = solve(score, start)
        loglik = (
            n * (shape * math.log(shape) - shape - float(gammaln(shape)) - shape * s)
            - log_total
        )
        return {"shape": shape, "scale": total / n / shape}, loglik, steps

    def log_density_sum(self, x, shape, scale):
        total, log_total = self._sums(x)
        n = x.size
        return (
            (shape - 1) * log_total
            - total / scale
            - n * (float(gammaln(shape)) + shape * math.log(scale))
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
