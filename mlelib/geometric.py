"""The geometric family: the number of trials up to and including the first success."""

from __future__ import annotations

import math

from ._data import Support
from ._family import OPEN_LOW_PROBABILITY, CountFamily
from .binomial import binary_loglik


class Geometric(CountFamily):
    """Geometric(p) on 1, 2, 3, ...: trials up to and including the first success.

    :model: log f(x | p) = log p + (x - 1) log(1 - p),  x in 1, 2, 3, ...
    :estimator: p = 1 / mean(x)   (1 when every x is 1: a boundary maximum)
    :se: expected information n / (p^2 (1 - p)): se(p) = p sqrt((1 - p) / n); 0 at p = 1
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
        p = counts.size / float(counts.values.sum(dtype=float))
        return {"p": p}, self.log_density_sum(counts, p), 0

    def standard_errors(self, params, n):
        p = params["p"]
        return {"p": p * math.sqrt((1 - p) / n)}
