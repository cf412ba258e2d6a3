"""The Bernoulli family: one trial, success (1) or failure (0)."""

from __future__ import annotations

import numpy as np

from ._data import Support
from ._family import PROBABILITY, CountFamily
from .binomial import binary_loglik, binary_se


class Bernoulli(CountFamily):
    """Bernoulli(p).

    :model: log f(x | p) = x log p + (1 - x) log(1 - p),  x in {0, 1} (False/True
        accepted)
    :estimator: p = mean(x)   (0 when every x is 0, 1 when every x is 1: boundary
        maxima)
    :se: expected information n / (p (1 - p)): se(p) = sqrt(p (1 - p) / n);
        0 at p = 0 or 1
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
        p = int(np.count_nonzero(counts.values)) / counts.size
        return {"p": p}, self.log_density_sum(counts, p), 0

    def standard_errors(self, params, n):
        return {"p": binary_se(params["p"], n)}
