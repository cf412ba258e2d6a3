"""The exponential family (rate parametrisation)."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import reductions, scaled_mean
from ._data import Support
from ._errors import DataError, NoMaximumError
from ._family import POSITIVE, Family
from ._likelihood import ratio_drop
from ._precise import TINY


class Exponential(Family):
    """Exponential(rate), mean 1 / rate.

    :model: log f(x | rate) = log rate - rate x,  x >= 0
    :estimator: rate = 1 / mean(x)
    :se: expected information n / rate^2: se(rate) = rate / sqrt(n)
    :observed: n / rate^2 (the same: the second derivative does not involve x)
    :profile: l(rate_hat) - l(rate) = n (r - 1 - log r), r = rate / rate_hat
    :censored: ``fit(..., censored=mask)``: rate = d / T (d failures, T the total
        time on test, sum of all values), closed form; se from the observed
        information d / rate^2, se(rate) = rate / sqrt(d)
    :raises: DataError: a negative value, NaN, inf, empty or non-numeric data;
        NoMaximumError: every value is 0 (the likelihood grows without bound as
        rate -> inf); DataError also when the values are so small (subnormal) that the
        rate overflows, or so large that it is below the normal float64 range
    """

    name = "exponential"
    params = ("rate",)
    support = "x >= 0"
    domains = {"rate": POSITIVE}
    _support = Support(support, low=0.0)

    def _total(self, x):
        """sum(x), or inf for finite data whose sum overflows float64."""
        total, smallest = reductions(x, np.add, np.minimum)
        if total == math.inf and smallest >= 0:  # an inf value, or an overflow
            self._support.check_range(self.name, x, smallest, float(np.max(x)))
            return math.inf
        # a finite sum proves every x finite
        self._support.check_range(self.name, x, smallest, total)
        return float(total)

    def estimate(self, x):
        n, total = x.size, self._total(x)
        return self._estimate(n, total, lambda: scaled_mean(x))

    def statistics(self, x):
        """(sum(x) 2^-64,): finite also where sum(x) overflows."""
        total = self._total(x)
        if total == math.inf:
            total = scaled_mean(x) * x.size  # itself inf beyond float64: caught later
        return (math.ldexp(total, -64),)

    def estimate_from(self, stats, passes, n):
        try:
            total = math.ldexp(stats[0], 64)
        except OverflowError:
            total = math.inf
        return *self._estimate(n, total, lambda: math.ldexp(stats[0] / n, 64)), {}

    def _estimate(self, n, total, mean):
        """(params, loglik, 0) from sum(x); ``mean()`` gives mean(x) where it
        overflows."""
        if total == 0:
            raise NoMaximumError(
                f"exponential: all {n} values are 0; the likelihood grows without "
                "bound as rate -> inf, so it has no maximum"
            )
        rate = n / total if total < math.inf else 1 / mean()
        if rate == math.inf:
            raise DataError(
                "exponential: the values are too small for float64 (rate = n / sum(x) "
                f"= {n} / {total!r} overflows); multiply the data by a constant"
            )
        if rate < TINY:
            raise DataError(
                f"exponential: the values are too large for float64 (the MLE rate = "
                f"{rate!r} is below the normal float64 range); divide the data by a "
                "constant"
            )
        return {"rate": rate}, n * (math.log(rate) - 1), 0

    def log_density_sum(self, x, rate):
        total = self._total(x)
        if total == math.inf:
            return x.size * (math.log(rate) - rate * scaled_mean(x))
        return x.size * math.log(rate) - rate * total

    def standard_errors(self, params, n):
        return {"rate": params["rate"] / math.sqrt(n)}

    def information(self, fit, kind):
        return np.array([[fit.n / fit.params["rate"] ** 2]])  # both kinds

    def profile_drop(self, fit, name, value, index=None):
        return ratio_drop(fit.n, value / fit.params["rate"])
