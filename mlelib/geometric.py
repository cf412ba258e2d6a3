"""The geometric family: the number of trials up to and including the first success."""

from __future__ import annotations

import math

import numpy as np

from ._data import Support
from ._family import OPEN_LOW_PROBABILITY, CountFamily
from ._likelihood import binary_drop
from .binomial import binary_information, binary_loglik


class Geometric(CountFamily):
    """Geometric(p) on 1, 2, 3, ...: trials up to and including the first success.

    :model: log f(x | p) = log p + (x - 1) log(1 - p),  x in 1, 2, 3, ...
    :estimator: p = 1 / mean(x)   (1 when every x is 1: a boundary maximum)
    :se: expected information n / (p^2 (1 - p)): se(p) = p sqrt((1 - p) / n); 0 at p = 1
    :observed: n / p^2 + (S - n) / (1 - p)^2, S = sum(x): equal to the expected
        information at the MLE (infinite at p = 1: Fit.cov gives 0 there)
    :profile: l(p_hat) - l(p) as for n successes in S Bernoulli trials, S = n / p_hat
    :raises: DataError: a value < 1 or not an integer, NaN, inf, empty or non-numeric
        data
    """

    name = "geometric"
    params = ("p",)
    support = "integers >= 1"
    domains = {"p": OPEN_LOW_PROBABILITY}
    _support = Support(support, integer=True, low=1)

    def log_density_sum(self, counts, p):
        trials = float(counts.values.sum(dtype=float))
        return binary_loglik(counts.size, trials - counts.size, p)

    def estimate(self, counts):
        return self._estimate(counts.size, self.statistics(counts)[0])

    def statistics(self, counts):
        return (float(counts.values.sum(dtype=float)),)  # the total number of trials

    def estimate_from(self, stats, passes, n):
        return *self._estimate(n, stats[0]), {}

    def _estimate(self, n, trials):
        p = n / trials
        return {"p": p}, binary_loglik(n, trials - n, p), 0

    def standard_errors(self, params, n):
        p = params["p"]
        return {"p": p * math.sqrt((1 - p) / n)}

    @staticmethod
    def _successes(fit):
        """(successes, failures) = (n, S - n) with S = sum(x) = n / p."""
        return fit.n, fit.n / fit.params["p"] - fit.n

    def information(self, fit, kind):
        p = fit.params["p"]
        successes, failures = self._successes(fit)
        if p == 1:
            return np.array([[math.inf]])
        if kind == "expected":
            return np.array([[successes / (p * p * (1 - p))]])
        return binary_information(successes, failures, p, kind)

    def profile_drop(self, fit, name, value, index=None):
        return binary_drop(*self._successes(fit), value)
