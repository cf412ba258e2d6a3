"""The lognormal family: log x is normal."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import blockwise, mean_and_m2
from ._data import POSITIVE_REALS
from ._family import POSITIVE, REAL, Family
from ._precise import log_ratio
from .normal import (
    LOG_2PI,
    checked_spread,
    gaussian_information,
    gaussian_profile_drop,
    gaussian_result,
    merge_moments,
    moments,
    no_spread,
    normal_se,
)

# a standard deviation of log x below TIGHT (1 + |mean log x|) is recomputed from
# log(x / c): the rounding of log x would otherwise cost more than 1e-12 of sigma2
TIGHT = 2.0**-10


class Lognormal(Family):
    """Lognormal(mu, sigma2): log x ~ Normal(mu, sigma2).

    :model: log f(x | mu, sigma2) = -log x - log(2 pi sigma2) / 2
        - (log x - mu)^2 / (2 sigma2),  x > 0
    :estimator: mu = mean(log x),  sigma2 = mean((log x - mu)^2)   (the normal MLE of
        log x)
    :se: expected information, as for the normal: se(mu) = sqrt(sigma2 / n),
        se(sigma2) = sigma2 sqrt(2 / n); the observed information equals it at the
        MLE
    :profile: as for the normal on log x (the Jacobian -sum(log x) cancels)
    :censored: ``fit(..., censored=mask)``: log S = log_ndtr(-(log x - mu) / sigma);
        Newton on (mu, log sigma2) with a line search; se from the observed
        information (analytic)
    :raises: DataError: a value <= 0, NaN, inf, empty or non-numeric data;
        NoMaximumError: all values equal (sigma2 = 0). Nearly equal data: log x is
        taken as log(x / c) without cancellation, so sigma2 keeps its digits
    """

    name = "lognormal"
    params = ("mu", "sigma2")
    support = POSITIVE_REALS.text
    domains = {"mu": REAL, "sigma2": POSITIVE}
    _support = POSITIVE_REALS

    def estimate(self, x):
        n = x.size
        mu, sum_sq = mean_and_m2(x, log=True)
        if not math.isfinite(sum_sq):  # x <= 0, NaN or inf: name the value
            self._support.reject(self.name, x)
        if sum_sq < n * (TIGHT * (1 + abs(mu))) ** 2:
            # log x is rounded to eps |log x|, a large share of a small spread:
            # take log(x / c) without cancellation instead
            if x.min() == x.max():
                raise no_spread(self.name, x, "sigma2", "log values")
            center = math.exp(mu)
            shift, sum_sq = mean_and_m2(log_ratio(x, center))
            mu = math.log(center) + shift
        return _result(n, mu, sum_sq)

    def statistics(self, x):
        return moments(self.name, self._support, x, log=True)

    merge = staticmethod(merge_moments)

    def estimate_from(self, stats, passes, n):
        _, mu, _, sum_sq = stats
        if sum_sq < n * (TIGHT * (1 + abs(mu))) ** 2:  # as in estimate: a second pass
            center = math.exp(mu)
            _, shift, _, sum_sq = passes(
                lambda x: moments(self.name, self._support, log_ratio(x, center)),
                merge_moments,
            )
            mu = math.log(center) + shift
        checked_spread(self.name, n, mu, sum_sq, "sigma2", "log values")
        return *_result(n, mu, sum_sq), {}

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

    def information(self, fit, kind):
        return gaussian_information(fit, kind)

    def profile_drop(self, fit, name, value, index=None):
        return gaussian_profile_drop(fit, name, value)


def _result(n: int, mu: float, sum_sq: float) -> tuple[dict, float, int]:
    """({mu, sigma2}, loglik, 0) from the mean and squared deviations of log x."""
    params, loglik, _ = gaussian_result(n, mu, sum_sq)
    return params, loglik - n * mu, 0  # the Jacobian: sum(log x) = n mu
