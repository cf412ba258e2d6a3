"""The lognormal family: log x is normal."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import blockwise
from ._data import POSITIVE_REALS
from ._family import POSITIVE, REAL, Family
from .normal import LOG_2PI, gaussian_fit, normal_se


class Lognormal(Family):
    """Lognormal(mu, sigma2): log x ~ Normal(mu, sigma2).

    :model: log f(x | mu, sigma2) = -log x - log(2 pi sigma2) / 2
        - (log x - mu)^2 / (2 sigma2),  x > 0
    :estimator: mu = mean(log x),  sigma2 = mean((log x - mu)^2)   (the normal MLE of
        log x)
    :se: expected information, as for the normal: se(mu) = sqrt(sigma2 / n),
        se(sigma2) = sigma2 sqrt(2 / n)
    :raises: DataError: a value <= 0, NaN, inf, empty or non-numeric data;
        NoMaximumError: all values equal (sigma2 = 0)
    """

    name = "lognormal"
    params = ("mu", "sigma2")
    support = POSITIVE_REALS.text
    domains = {"mu": REAL, "sigma2": POSITIVE}
    _support = POSITIVE_REALS

    def estimate(self, x):
        # x <= 0, NaN or inf make the statistics of log x non-finite: gaussian_fit names
        # the value
        params, loglik, _ = gaussian_fit(self.name, self._support, x, log=True)
        return (
            params,
            loglik - x.size * params["mu"],
            0,
        )  # the Jacobian: sum(log x) = n mu

    def log_density_sum(self, x, mu, sigma2):
        def part(block, scratch):
            np.log(block, out=scratch)
            log_sum = np.add.reduce(scratch)
            np.subtract(scratch, mu, out=scratch)
            return log_sum, float(np.dot(scratch, scratch))

        log_sum, sum_sq = blockwise(part, x)
        if not math.isfinite(log_sum):
            self._support.reject(self.name, x)
        return (
            -log_sum
            - 0.5 * x.size * (LOG_2PI + math.log(sigma2))
            - sum_sq / (2 * sigma2)
        )

    def standard_errors(self, params, n):
        return normal_se(params, n)
