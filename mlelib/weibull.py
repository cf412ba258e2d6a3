"""The two-parameter Weibull family, fitted by Newton's method on the profile equation
of the shape."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import BLOCK, blockwise, sum_sq_dev
from ._data import POSITIVE_REALS
from ._family import POSITIVE, Family, kept_data
from ._likelihood import check_kind, inverse
from ._newton import solve
from ._precise import log_ratio
from .normal import all_equal, merge_moments, moments, no_spread

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
# the profile score of the shape at a fixed scale counts as 0 below this share of its
# terms (their rounding)
SCORE_NOISE = 1e-13


class Weibull(Family):
    """Weibull(shape, scale), shape k > 0, scale lam > 0.

    :model: log f(x | k, lam) = log k - k log lam + (k - 1) log x - (x / lam)^k,  x > 0
    :estimator: k solves the profile equation
        sum(x^k log x) / sum(x^k) - 1/k - mean(log x) = 0 (Newton, bracket-safeguarded,
        on z = log x - max log x so it is scale-free; z = log(x / max x) without
        cancellation for nearly equal data), then lam = mean(x^k)^(1/k)
    :se: expected information inverted: se(k) = k sqrt(6) / (pi sqrt(n)),
        se(lam) = (lam / k) sqrt((1 + 6 (1 - gamma_E)^2 / pi^2) / n), from
        n [[((1 - gamma_E)^2 + pi^2 / 6) / k^2, -(1 - gamma_E) / lam],
        [., k^2 / lam^2]]
    :observed: minus the Hessian at the MLE, from the data (the Weibull is not an
        exponential family, so it differs from the expected information): with
        t = log(x / lam), w = exp(k t),
        [[n / k^2 + sum(w t^2), (n - sum(w) - k sum(w t)) / lam],
        [., k ((k + 1) sum(w) - n) / lam^2]]
    :profile: shape k fixed: lam = mean(x^k)^(1/k) in closed form,
        l = n (log k - log mean(x^k) - 1) + (k - 1) sum(log x); scale lam fixed: k
        maximises the concave n log k + k sum(t) - sum(exp(k t)) (Newton on its
        derivative). Both need the data: the Fit keeps a read-only view of it
    :censored: ``fit(..., censored=mask)``: the shape solves the censored profile
        equation sum_all x^k log x / sum_all x^k - 1/k - mean_F(log x) = 0 (Newton,
        bracket-safeguarded), scale^k = sum_all x^k / d; se from the observed
        information (the formula above with n -> d, sums over all values)
    :chunks: statistics max x and the moments of log x; then one pass over the
        chunks per Newton step (the sums of x^k, x^k z and x^k z^2 at the trial k)
    :raises: DataError: a value <= 0, NaN, inf, empty or non-numeric data;
        NoMaximumError: all values equal (the likelihood grows without bound as
        k -> inf)
    """

    name = "weibull"
    params = ("shape", "scale")
    support = POSITIVE_REALS.text
    domains = {"shape": POSITIVE, "scale": POSITIVE}
    _support = POSITIVE_REALS
    keeps_data = True  # the profile likelihood and the observed information need x

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
        return _solve(n, z_mean, variance, top, largest, lambda k: power_sums(z, k))

    def statistics(self, x):
        """(max x, max log x, moments of log x): see normal.moments."""
        with np.errstate(divide="ignore", invalid="ignore"):
            moments_log = moments(self.name, self._support, x, log=True)
        return float(x.max()), float(np.log(x.max())), moments_log

    @staticmethod
    def merge(a, b):
        return max(a[0], b[0]), max(a[1], b[1]), merge_moments(a[2], b[2])

    def estimate_from(self, stats, passes, n):
        """Pass 1 gave the statistics; each Newton step of the shape takes one more
        pass for sum(x^k), sum(x^k z), sum(x^k z^2) at the trial k."""
        largest, top, (_, mean_log, error, m2) = stats
        if m2 == 0:
            raise all_equal(self.name, n, largest, "1/shape")
        z_mean, variance = (mean_log - top) + error, m2 / n

        def z_of(x):
            return np.log(x) - top

        if not variance > (TIGHT * (1 + abs(top))) ** 2:  # as in estimate
            _, z_mean, error, m2 = passes(
                lambda x: moments(self.name, self._support, log_ratio(x, largest)),
                merge_moments,
            )
            z_mean, variance = z_mean + error, m2 / n

            def z_of(x):
                return log_ratio(x, largest)

        else:
            largest = None

        def sums(k):
            return passes(lambda x: power_sums(z_of(x), k))

        return *_solve(n, z_mean, variance, top, largest, sums), {}

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

    def information(self, fit, kind):
        n, shape, scale = fit.n, fit.params["shape"], fit.params["scale"]
        if kind == "expected":
            gap = 1 - EULER_GAMMA
            return n * np.array(
                [
                    [(gap * gap + math.pi**2 / 6) / shape**2, -gap / scale],
                    [-gap / scale, shape**2 / scale**2],
                ]
            )
        t = log_ratio(kept_data(fit, "the observed information"), scale)

        def part(block, scratch):
            w = np.exp(np.multiply(block, shape, out=scratch), out=scratch)
            wt = np.multiply(w, block)
            return np.add.reduce(w), np.add.reduce(wt), np.dot(wt, block)

        w_sum, wt_sum, wt2_sum = blockwise(part, t)
        cross = (n - w_sum - shape * wt_sum) / scale
        return np.array(
            [
                [n / shape**2 + wt2_sum, cross],
                [cross, shape * ((shape + 1) * w_sum - n) / scale**2],
            ]
        )

    def covariance(self, fit, kind):
        check_kind(self.name, kind)
        info = self.information(fit, kind)
        if kind == "observed":
            return inverse(info)
        # the determinant n^2 pi^2 / (6 lam^2) in closed form, not as a difference
        n, scale = fit.n, fit.params["scale"]
        return inverse(info, det=n * n * math.pi**2 / (6 * scale * scale))

    def profiler(self, fit):
        return _Profile(fit)

    def profile_drop(self, fit, name, value, index=None):
        return _Profile(fit)(name, value)

    def standard_errors(self, params, n):
        shape, scale = params["shape"], params["scale"]
        return {
            "shape": shape * math.sqrt(6 / n) / math.pi,
            "scale": scale
            / shape
            * math.sqrt((1 + 6 * (1 - EULER_GAMMA) ** 2 / math.pi**2) / n),
        }


def power_sums(z: np.ndarray, k: float) -> tuple[float, float, float]:
    """(sum(w), sum(w z), sum(w z^2)), w = exp(k z)."""

    def part(block, scratch):
        np.multiply(block, k, out=scratch)
        np.exp(scratch, out=scratch)  # w = exp(k z)
        sums = np.dot(scratch, ONES[: block.size]), np.dot(scratch, block)
        return *sums, np.dot(np.multiply(scratch, block, out=scratch), block)

    return blockwise(part, z)


def _solve(n, z_mean, variance, top, largest, sums) -> tuple[dict, float, int]:
    """Newton on the profile score of the shape; ``sums(k)`` gives power_sums of
    z = log(x) - top (or log(x / largest) when ``largest`` is not None)."""
    start = math.pi / math.sqrt(6 * variance)  # log x has variance pi^2 / (6 k^2)

    def score(k):
        a, b, c = sums(k)
        mean_w = b / a  # mean of z weighted by x^k
        return mean_w - 1 / k - z_mean, c / a - mean_w * mean_w + 1 / (k * k), (a, b, c)

    shape, steps, (a, b, c), offset = solve(score, start, last_step=LAST_STEP)
    a += offset * (b + offset * c / 2)  # sum(w) at the root: Taylor in k (d/dk w = z w)
    if largest is None:
        scale = math.exp(top + math.log(a / n) / shape)
    else:
        scale = largest * math.exp(math.log(a / n) / shape)
    loglik = n * (math.log(shape) - math.log(a / n) + (shape - 1) * z_mean - top - 1)
    return {"shape": shape, "scale": scale}, loglik, steps


class _Profile:
    """The profile log-likelihoods of one Weibull fit.

    z = log(x / max x) <= 0 is computed once (to a few ulps, also for nearly equal
    data); each value then costs one pass over z for the shape, a few Newton passes
    for the scale, warm-started from the last solution.
    """

    def __init__(self, fit):
        x = kept_data(fit, "the profile likelihood")
        self.n, self.loglik = x.size, fit.loglik
        self.largest = float(x.max())
        self.z = log_ratio(x, self.largest)
        self.z_sum = blockwise(lambda block, scratch: (np.add.reduce(block),), self.z)[
            0
        ]
        self.shape = fit.params["shape"]  # start of the next Newton solve

    def __call__(self, name, value, index=None):
        profile = self.shape_fixed if name == "shape" else self.scale_fixed
        return self.loglik - profile(value)

    def shape_fixed(self, shape):
        """max over the scale: lam^k = mean(x^k), so
        l = n (log k - log mean(exp(k z)) - log max x - 1) + (k - 1) sum(z)."""
        n = self.n
        (power_sum,) = blockwise(
            lambda block, scratch: (
                np.add.reduce(np.exp(np.multiply(block, shape, out=scratch))),
            ),
            self.z,
        )
        return (
            n * (math.log(shape) - math.log(power_sum / n) - math.log(self.largest) - 1)
            + (shape - 1) * self.z_sum
        )

    def scale_fixed(self, scale):
        """max over the shape: k is the root of the decreasing
        n / k + sum(t) - sum(t exp(k t)), t = log(x / scale) = z - c, and
        l = n log k + k sum(t) - sum(exp(k t)) - sum(log x)."""
        n = self.n
        c = float(log_ratio(np.array([scale]), self.largest)[0])  # log(scale / max x)
        t_sum = self.z_sum - n * c

        def score(k):
            def part(block, scratch):
                t = np.subtract(block, c, out=scratch)
                w = np.exp(k * t)  # inf where k t overflows: the score is -inf there
                power_sum = np.add.reduce(w)
                wt = np.multiply(w, t, out=w)
                return power_sum, np.add.reduce(wt), np.dot(wt, t)

            with np.errstate(over="ignore", invalid="ignore"):
                power_sum, wt_sum, wt2_sum = blockwise(part, self.z)
            value = n / k + t_sum - wt_sum
            # zero to the rounding of its terms: stop here (a smaller Newton step
            # would round away, and the solver would bisect toward it instead)
            if abs(value) <= SCORE_NOISE * (n / k + abs(t_sum) + abs(wt_sum)):
                value = 0.0
            return value, -n / (k * k) - wt2_sum, power_sum

        shape, _, power_sum, _ = solve(score, self.shape, increasing=False)
        self.shape = shape
        log_sum = self.z_sum + n * math.log(self.largest)
        return n * math.log(shape) + shape * t_sum - power_sum - log_sum
