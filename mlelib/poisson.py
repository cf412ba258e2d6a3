"""The Poisson family: counts of events."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln, xlogy

from ._counts import sum_and_sum_of, sum_of
from ._data import Support
from ._family import NONNEGATIVE, CountFamily
from ._likelihood import half_deviance
from ._precise import poisson_log_pmf

# up to this count the direct sum x log lam - lam - log x! is exact to ~1e-13
EXACT_UP_TO = 1000


def log_factorial(v):
    return gammaln(v + 1)


class Poisson(CountFamily):
    """Poisson(lam).

    :model: log f(x | lam) = x log lam - lam - log x!,  x in 0, 1, 2, ...
    :estimator: lam = mean(x)   (0 when every x is 0: a boundary maximum)
    :se: expected information n / lam: se(lam) = sqrt(lam / n); 0 at lam = 0
    :observed: S / lam^2, S = sum(x): equal to the expected information at the MLE
        (infinite at lam = 0: Fit.cov gives 0 there)
    :profile: l(lam_hat) - l(lam) = bd0(S, n lam) = S log(S / (n lam)) + n lam - S;
        with every x = 0 the profile interval is [0, q / (2 n)]
    :loglik: above counts of 1000, Loader's saddle-point form (as R's dpois): the
        textbook sum cancels at huge counts
    :raises: DataError: a negative or non-integer value, NaN, inf, empty or non-numeric
        data
    """

    name = "poisson"
    params = ("lam",)
    support = "integers >= 0"
    domains = {"lam": NONNEGATIVE}
    _support = Support(support, integer=True, low=0)

    def log_density_sum(self, counts, lam, stats=None):
        if counts.max > EXACT_UP_TO and lam > 0:
            # x log lam - lam - log x! cancels at huge counts: Loader's form
            return sum_of(counts, lambda v: poisson_log_pmf(v, lam))
        total, log_factorials = stats or sum_and_sum_of(counts, log_factorial)
        return float(xlogy(total, lam)) - counts.size * lam - log_factorials

    def estimate(self, counts):
        if counts.max > EXACT_UP_TO:
            lam = float(counts.values.sum(dtype=np.float64)) / counts.size
            return {"lam": lam}, self.log_density_sum(counts, lam), 0
        stats = sum_and_sum_of(counts, log_factorial)
        lam = stats[0] / counts.size
        return {"lam": lam}, self.log_density_sum(counts, lam, stats), 0

    def statistics(self, counts):
        """(sum(x), sum(log x!) while every x <= EXACT_UP_TO, max(x))."""
        if counts.max > EXACT_UP_TO:
            return float(counts.values.sum(dtype=np.float64)), math.nan, counts.max
        return *sum_and_sum_of(counts, log_factorial), counts.max

    @staticmethod
    def merge(a, b):
        return a[0] + b[0], a[1] + b[1], max(a[2], b[2])

    def estimate_from(self, stats, passes, n):
        total, log_factorials, top = stats
        lam = total / n
        if top <= EXACT_UP_TO:
            loglik = float(xlogy(total, lam)) - n * lam - log_factorials
        else:  # Loader's form, value by value: another pass
            (loglik,) = passes(
                lambda counts: (self.log_density_sum(counts, lam),), validated=True
            )
        return {"lam": lam}, loglik, 0, {}

    def standard_errors(self, params, n):
        return {"lam": math.sqrt(params["lam"] / n)}

    def information(self, fit, kind):
        lam = fit.params["lam"]
        if lam == 0:
            return np.array([[math.inf]])
        total = fit.n * lam  # S = sum(x)
        return np.array([[fit.n / lam if kind == "expected" else total / lam**2]])

    def profile_drop(self, fit, name, value, index=None):
        return half_deviance(fit.n * fit.params["lam"], fit.n * value)
