"""The uniform family on [low, high]: the textbook non-regular case."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import reductions
from ._data import REALS
from ._family import Family, real_number
from .normal import no_spread


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
        width = high - low
        if not math.isfinite(width):  # NaN or inf in x (or a range beyond float64)
            self._support.reject(self.name, x)
        return low, high, width

    def estimate(self, x):
        low, high, width = self._range(x)
        if width == 0:
            raise no_spread(self.name, x, "high - low")
        return {"low": low, "high": high}, -x.size * math.log(width), 0

    def check_params(self, params, known):
        low, high = (real_number(self.name, name, params[name]) for name in self.params)
        if not low < high:
            raise ValueError(
                f"uniform: parameters low={low!r}, high={high!r} are outside the "
                "parameter space; allowed: low < high"
            )
        return {"low": low, "high": high}, known

    def log_density_sum(self, x, low, high):
        x_low, x_high, _ = self._range(x)
        return (
            -x.size * math.log(high - low)
            if low <= x_low and x_high <= high
            else -math.inf
        )

    def standard_errors(self, params, n):
        se = (params["high"] - params["low"]) * math.sqrt(n / ((n + 1) ** 2 * (n + 2)))
        return {"low": se, "high": se}

    def ci(self, fit, level):
        low, high = fit.params["low"], fit.params["high"]
        reach = (high - low) * ((1 - level) ** (-1 / (fit.n - 1)) - 1)
        return {"low": (low - reach, low), "high": (high, high + reach)}
