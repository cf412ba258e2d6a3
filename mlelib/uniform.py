"""The uniform family on [low, high]: the textbook non-regular case."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import reductions
from ._data import REALS
from ._family import Family, real_number
from .normal import all_equal, no_spread


class Uniform(Family):
    """Uniform(low, high).

    :model: log f(x | low, high) = -log(high - low) for low <= x <= high (else -inf)
    :estimator: low = min(x), high = max(x): the likelihood (high - low)^-n grows as the
        interval shrinks onto the data, so the maximum sits on the boundary of the
        allowed region (the score is never zero)
    :se: not from Fisher information (the support depends on the parameters, the model
        is not regular): the standard deviation of the exact sampling distribution of
        the sample min / max at the estimate, (high - low) sqrt(n / ((n + 1)^2 (n + 2)))
    :ci: exact, not Wald: with range R = max - min, (high - max) / R is a pivot with
        P((high - max) / R > t) = (1 + t)^-(n - 1), so [max, max + t R] with
        t = alpha^(-1 / (n - 1)) - 1 covers high with probability exactly 1 - alpha
        (and [min - t R, min] covers low)
    :inference: no Fisher information (Fit.cov raises ValueError); Fit.ci with
        method="profile" returns the exact intervals above (Wilks' theorem does not
        hold); the profile log-likelihood (Fit.profile) is -n log(high - min(x)) for
        high >= max(x) (-inf below), -n log(max(x) - low) for low <= min(x)
    :range: a range high - low beyond float64 is handled through its half; an interval
        bound beyond float64 is +-inf
    :raises: DataError: NaN, inf, empty or non-numeric data; NoMaximumError: all values
        equal (high - low -> 0 sends the likelihood to infinity)
    """

    name = "uniform"
    params = ("low", "high")
    support = REALS.text
    domains = {}
    _support = REALS

    def _range(self, x):
        low, high = map(float, reductions(x, np.minimum, np.maximum))
        if not (math.isfinite(low) and math.isfinite(high)):  # NaN or inf in x
            self._support.reject(self.name, x)
        return low, high

    def estimate(self, x):
        low, high = self._range(x)
        if low == high:
            raise no_spread(self.name, x, "high - low")
        return {"low": low, "high": high}, -x.size * log_width(low, high), 0

    statistics = _range  # (min, max)

    @staticmethod
    def merge(a, b):
        return min(a[0], b[0]), max(a[1], b[1])

    def estimate_from(self, stats, passes, n):
        low, high = stats
        if low == high:
            raise all_equal(self.name, n, low, "high - low")
        return {"low": low, "high": high}, -n * log_width(low, high), 0, {}

    def check_params(self, params, known):
        low, high = (real_number(self.name, name, params[name]) for name in self.params)
        if not low < high:
            raise ValueError(
                f"uniform: parameters low={low!r}, high={high!r} are outside the "
                "parameter space; allowed: low < high"
            )
        return {"low": low, "high": high}, known

    def log_density_sum(self, x, low, high):
        x_low, x_high = self._range(x)
        return (
            -x.size * log_width(low, high)
            if low <= x_low and x_high <= high
            else -math.inf
        )

    def standard_errors(self, params, n):
        # (high - low) may exceed float64 when half of it does not
        half = params["high"] / 2 - params["low"] / 2
        se = half * (2 * math.sqrt(n / ((n + 1) ** 2 * (n + 2))))
        return {"low": se, "high": se}

    def covariance(self, fit, kind):
        raise ValueError(
            "uniform: no Fisher information: the support [low, high] depends on the "
            "parameters, so the model is not regular (the log-likelihood is not "
            "differentiable at the MLE and the MLE is not asymptotically normal); se "
            "is the standard deviation of the exact sampling distribution of min / max"
        )

    def profile_intervals(self, fit, alpha, z):
        """The exact intervals (as ``intervals``): Wilks' theorem does not hold."""
        return self.intervals(fit, alpha, z)

    def profile_drop(self, fit, name, value, index=None):
        low, high = fit.params["low"], fit.params["high"]
        if name == "high":
            if value < high:
                return math.inf
            return fit.n * (log_width(low, value) - log_width(low, high))
        if value > low:
            return math.inf
        return fit.n * (log_width(value, high) - log_width(low, high))

    def intervals(self, fit, alpha, z):
        """Exact intervals (class docstring); a bound beyond float64 is +-inf."""
        low, high = fit.params["low"], fit.params["high"]
        reach = (high / 2 - low / 2) * (2 * math.expm1(-math.log(alpha) / (fit.n - 1)))
        return {"low": (low - reach, low), "high": (high, high + reach)}


def log_width(low: float, high: float) -> float:
    """log(high - low), also when high - low exceeds float64 (halves first)."""
    width = high - low
    if math.isfinite(width):
        return math.log(width)
    return math.log(high / 2 - low / 2) + math.log(2)
