"""The two-parameter Weibull family, fitted by Newton's method on the profile equation of the shape."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import blockwise, sum_sq_dev
from ._data import Support
from ._family import POSITIVE, Family
from ._newton import solve
from .normal import no_spread

EULER_GAMMA = 0.5772156649015329


def _log_data(family: str, support: Support, x: np.ndarray) -> np.ndarray:
    """log(x) as a new array, after checking every x is in (0, inf) with one sum over the logs."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_x = np.log(x)
    if not math.isfinite(float(log_x.sum())):  # log(0) = -inf, log(-1) = nan, log(inf) = inf
        support.reject(family, x)
    return log_x


class Weibull(Family):
    """Weibull(shape, scale), shape k > 0, scale lam > 0.

    model      log f(x | k, lam) = log k - k log lam + (k - 1) log x - (x / lam)^k,  x > 0
    estimator  k solves the profile equation  sum(x^k log x) / sum(x^k) - 1/k - mean(log x) = 0
               (Newton, bracket-safeguarded, on z = log x - max log x so it is scale-free),
               then lam = mean(x^k)^(1/k)
    se         expected information inverted: se(k) = k sqrt(6) / (pi sqrt(n)),
               se(lam) = (lam / k) sqrt((1 + 6 (1 - gamma_E)^2 / pi^2) / n)
    raises     DataError: a value <= 0, NaN, inf, empty or non-numeric data;
               NoMaximumError: all values equal (the likelihood grows without bound as k -> inf)
    """

    name = "weibull"
    params = ("shape", "scale")
    support = "x > 0"
    domains = {"shape": POSITIVE, "scale": POSITIVE}
    _support = Support(support, low=0.0, open_low=True)

    def estimate(self, x):
        n = x.size
        z = _log_data(self.name, self._support, x)
        top = float(z.max())
        np.subtract(z, top, out=z)  # z = log(x / max x) <= 0: x^k / max^k never overflows
        z_mean = float(z.sum()) / n
        if z_mean == 0:  # a sum of numbers <= 0 is 0 only if every one is 0: all values equal
            raise no_spread(self.name, x, "1/shape")
        start = math.pi / math.sqrt(6 * sum_sq_dev(z, z_mean) / n)  # log x has variance pi^2 / (6 k^2)

        def score(k):
            def part(block, scratch):
                np.multiply(block, k, out=scratch)
                np.exp(scratch, out=scratch)  # w = exp(k z)
                sums = np.add.reduce(scratch), np.dot(scratch, block)
                return *sums, np.dot(np.multiply(scratch, block, out=scratch), block)

            a, b, c = blockwise(part, z)  # sum(w), sum(w z), sum(w z^2)
            mean_w = b / a  # mean of z weighted by x^k
            return mean_w - 1 / k - z_mean, c / a - mean_w * mean_w + 1 / (k * k), a

        shape, steps, a = solve(score, start)
        scale = math.exp(top + math.log(a / n) / shape)
        loglik = n * (math.log(shape) - math.log(a / n) + (shape - 1) * z_mean - top - 1)
        return {"shape": shape, "scale": scale}, loglik, steps

    def log_density_sum(self, x, shape, scale):
        log_scale = math.log(scale)

        def part(block, scratch):
            np.log(block, out=scratch)
            log_sum = np.add.reduce(scratch)
            np.subtract(scratch, log_scale, out=scratch)
            np.multiply(scratch, shape, out=scratch)
            return log_sum, np.add.reduce(np.exp(scratch, out=scratch))  # sum log x, sum (x / scale)^k

        log_sum, power_sum = blockwise(part, x)
        if not math.isfinite(log_sum):
            self._support.reject(self.name, x)
        n = x.size
        return n * (math.log(shape) - shape * log_scale) + (shape - 1) * log_sum - power_sum

    def standard_errors(self, params, n):
        shape, scale = params["shape"], params["scale"]
        return {"shape": shape * math.sqrt(6 / n) / math.pi,
                "scale": scale / shape * math.sqrt((1 + 6 * (1 - EULER_GAMMA) ** 2 / math.pi**2) / n)}
