"""The Laplace (double exponential) family: location mu, scale b."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import sum_abs_dev
from ._data import Support
from ._family import POSITIVE, REAL, Family
from .normal import no_spread


class Laplace(Family):
    """Laplace(mu, b).

    model      log f(x | mu, b) = -log(2 b) - |x - mu| / b,  x real
    estimator  mu = median(x) (the midpoint of the two middle values for even n: every point between
               them maximises the likelihood equally), b = mean(|x - mu|)
    se         expected information n diag(1/b^2, 1/b^2): se(mu) = se(b) = b / sqrt(n). The density
               is not differentiable at mu, but the score |x - mu| is, almost surely, and the
               Fisher information exists (E[score^2] = 1/b^2); the median is asymptotically normal
               with exactly this variance b^2 / n.
    raises     DataError: NaN, inf, empty or non-numeric data;
               NoMaximumError: all values equal (b = 0: the likelihood grows without bound as b -> 0)
    """

    name = "laplace"
    params = ("mu", "b")
    support = "finite real numbers"
    domains = {"mu": REAL, "b": POSITIVE}
    _support = Support(support)

    def _sum_abs_dev(self, x, mu):
        total = sum_abs_dev(x, mu)
        if not math.isfinite(total):
            self._support.reject(self.name, x)
        return total

    def estimate(self, x):
        n = x.size
        middle = np.array(x)  # a copy: partition reorders it
        half = n // 2
        if n % 2:
            middle.partition(half)
            mu = float(middle[half])
        else:
            middle.partition([half - 1, half])
            mu = float(middle[half - 1] + (middle[half] - middle[half - 1]) / 2)
        total = self._sum_abs_dev(middle, mu)
        if total == 0:
            raise no_spread(self.name, x, "b")
        b = total / n
        return {"mu": mu, "b": b}, -n * (math.log(2 * b) + 1), 0

    def log_density_sum(self, x, mu, b):
        return -x.size * math.log(2 * b) - self._sum_abs_dev(x, mu) / b

    def standard_errors(self, params, n):
        se = params["b"] / math.sqrt(n)
        return {"mu": se, "b": se}
