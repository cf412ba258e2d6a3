"""The two-parameter Weibull family, fitted by Newton's method on the profile equation
of the shape."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import BLOCK, blockwise, sum_sq_dev
from ._data import POSITIVE_REALS
from ._family import POSITIVE, Family
from ._newton import solve
from ._precise import log_ratio
from .normal import no_spread

EULER_GAMMA = 0.5772156649015329
# A Newton step below this (relative) leaves an error ~ its square: take it without a
# further pass
LAST_STEP = 1e-8
ONES = np.ones(BLOCK)
# a standard deviation of log x below TIGHT (1 + |max log x|) is recomputed without the
# rounding of log x (see estimate)
TIGHT = 2.0**-10
# above this shape, log_density_sum works relative to log(scale)
LARGE_SHAPE = 64.0  # sum(w) as a dot product: faster than np.add.reduce


class Weibull(Family):
    """Weibull(shape, scale), shape k > 0, scale lam > 0.

    :model: log f(x | k, lam) = log k - k log lam + (k - 1) log x - (x / lam)^k,  x > 0
    :estimator: k solves the profile equation
        sum(x^k log x) / sum(x^k) - 1/k - mean(log x) = 0 (Newton, bracket-safeguarded,
        on z = log x - max log x so it is scale-free; z = log(x / max x) without
        cancellation for nearly equal data), then lam = mean(x^k)^(1/k)
    :se: expected information inverted: se(k) = k sqrt(6) / (pi sqrt(n)),
        se(lam) = (lam / k) sqrt((1 + 6 (1 - gamma_E)^2 / pi^2) / n)
    :raises: DataError: a value <= 0, NaN, inf, empty or non-numeric data;
        NoMaximumError: all values equal (the likelihood grows without bound as
        k -> inf)
    """

    name = "weibull"
    params = ("shape", "scale")
    support = POSITIVE_REALS.text
    domains = {"shape": POSITIVE, "scale": POSITIVE}
    _support = POSITIVE_REALS

    def estimate(self, x):
        n = x.size
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.log(x)  # log(0) = -inf, log(-1) = nan, log(inf) = inf: caught below
        top = float(z.max())

        def center(
            block, scratch
        ):  # z = log(x / max x) <= 0, in place: x^k / max^k never overflows
            np.subtract(block, top, out=block)
            return np.add.reduce(block), np.dot(block, block)

        z_sum, z_squares = blockwise(center, z)
        if not (math.isfinite(z_sum) and math.isfinite(top)):
            self._support.reject(self.name, x)
        if (
            z_sum == 0
        ):  # a sum of numbers <= 0 is 0 only if every one is 0: all values equal
            raise no_spread(self.name, x, "1/shape")
        z_mean = z_sum / n
        # only for the start value and the choice below: rounding is harmless
        variance = z_squares / n - z_mean * z_mean
        largest = None
        if not variance > (TIGHT * (1 + abs(top))) ** 2:
            # log x is rounded to eps |log x|, a large share of a small spread (a
            # huge shape): take z = log(x / max x) without cancellation instead
            largest = float(x.max())
            z = log_ratio(x, largest)
            z_sum = blockwise(lambda block, scratch: (np.add.reduce(block),), z)[0]
            z_mean = z_sum / n
            variance = sum_sq_dev(z, z_mean) / n
        start = math.pi / math.sqrt(6 * variance)  # log x has variance pi^2 / (6 k^2)

        def score(k):
            def part(block, scratch):
                np.multiply(block, k, out=scratch)
                np.exp(scratch, out=scratch)  # w = exp(k z)
                sums = np.dot(scratch, ONES[: block.size]), np.dot(scratch, block)
                return *sums, np.dot(np.multiply(scratch, block, out=scratch), block)

            a, b, c = blockwise(part, z)  # sum(w), sum(w z), sum(w z^2)
            mean_w = b / a  # mean of z weighted by x^k
            return (
                mean_w - 1 / k - z_mean,
                c / a - mean_w * mean_w + 1 / (k * k),
                (a, b, c),
            )

        shape, steps, (a, b, c), offset = solve(score, start, last_step=LAST_STEP)
        a += offset * (
            b + offset * c / 2
        )  # sum(w) at the root: Taylor in k (d/dk w = z w)
        if largest is None:
            scale = math.exp(top + math.log(a / n) / shape)
        else:
            scale = largest * math.exp(math.log(a / n) / shape)
        loglik = n * (
            math.log(shape) - math.log(a / n) + (shape - 1) * z_mean - top - 1
        )
        return {"shape": shape, "scale": scale}, loglik, steps

    def log_density_sum(self, x, shape, scale):
        n = x.size
        if shape > LARGE_SHAPE:
            # with t = log(x / scale) to a few ulps of itself:
            # n (log k - log scale) + (k - 1) sum(t) - sum(exp(k t)); the textbook form
            # below loses k eps |log x| per value to the rounding of log x
            def part(block, scratch):
                t = log_ratio(block, scale)
                return np.add.reduce(t), np.add.reduce(np.exp(shape * t))

            with np.errstate(over="ignore"):
                t_sum, power_sum = blockwise(part, x)
            if not math.isfinite(t_sum):
                self._support.reject(self.name, x)
            return (
                n * (math.log(shape) - math.log(scale))
                + (shape - 1) * t_sum
                - power_sum
            )
        log_scale = math.log(scale)

        def part(block, scratch):
            np.log(block, out=scratch)
            log_sum = np.add.reduce(scratch)
            np.subtract(scratch, log_scale, out=scratch)
            np.multiply(scratch, shape, out=scratch)
            # sum log x, sum (x / scale)^k
            return log_sum, np.add.reduce(np.exp(scratch, out=scratch))

        log_sum, power_sum = blockwise(part, x)
        if not math.isfinite(log_sum):
            self._support.reject(self.name, x)
        return (
            n * (math.log(shape) - shape * log_scale)
            + (shape - 1) * log_sum
            - power_sum
        )

    def standard_errors(self, params, n):
        shape, scale = params["shape"], params["scale"]
        return {
            "shape": shape * math.sqrt(6 / n) / math.pi,
            "scale": scale
            / shape
            * math.sqrt((1 + 6 * (1 - EULER_GAMMA) ** 2 / math.pi**2) / n),
        }
