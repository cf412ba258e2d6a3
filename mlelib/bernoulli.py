"""The Bernoulli family: one trial, success (1) or failure (0)."""

from __future__ import annotations

import numpy as np

from ._data import Support
from ._family import PROBABILITY, CountFamily
from ._likelihood import binary_drop
from .binomial import binary_information, binary_loglik, binary_se


class Bernoulli(CountFamily):
    """Bernoulli(p).

    :model: log f(x | p) = x log p + (1 - x) log(1 - p),  x in {0, 1} (False/True
        accepted)
    :estimator: p = mean(x)   (0 when every x is 0, 1 when every x is 1: boundary
        maxima)
    :se: expected information n / (p (1 - p)): se(p) = sqrt(p (1 - p) / n);
        0 at p = 0 or 1
    :observed: S / p^2 + (n - S) / (1 - p)^2, S = sum(x): equal to the expected
        information at the MLE (infinite at p = 0 or 1: Fit.cov gives 0 there)
    :profile: l(p_hat) - l(p) = S log(p_hat / p) + (n - S) log((1 - p_hat) / (1 - p)),
        from S = n p_hat; with every x = 0 the profile interval is [0, hi] (the lower
        bound is the edge of the parameter space), with every x = 1 [lo, 1]
    :raises: DataError: a value other than 0 or 1, NaN, inf, empty or non-numeric data
    """

    name = "bernoulli"
    params = ("p",)
    support = "0 or 1 (bools accepted)"
    domains = {"p": PROBABILITY}
    _support = Support(support, integer=True, low=0, high=1)

    def log_density_sum(self, counts, p):
        successes = float(np.count_nonzero(counts.values))
        return binary_loglik(successes, counts.size - successes, p)

    def estimate(self, counts):
        return self._estimate(counts.size, self.statistics(counts)[0])

    def statistics(self, counts):
        return (int(np.count_nonzero(counts.values)),)  # successes, exact

    def estimate_from(self, stats, passes, n):
        return *self._estimate(n, stats[0]), {}

    def _estimate(self, n, successes):
        p = successes / n
        return {"p": p}, binary_loglik(float(successes), n - successes, p), 0

    def standard_errors(self, params, n):
        return {"p": binary_se(params["p"], n)}

    @staticmethod
    def _successes(fit):
        successes = fit.params["p"] * fit.n
        return successes, fit.n - successes

    def information(self, fit, kind):
        return binary_information(*self._successes(fit), fit.params["p"], kind)

    def profile_drop(self, fit, name, value, index=None):
        return binary_drop(*self._successes(fit), value)
