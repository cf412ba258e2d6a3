"""The normal (Gaussian) family."""

from __future__ import annotations

import math

import numpy as np

from ._blocks import mean_and_m2, reductions, sum_sq_dev
from ._data import REALS, Support
from ._errors import DataError, NoMaximumError
from ._family import POSITIVE, REAL, Family
from ._likelihood import ratio_drop
from ._precise import HUGE, TINY

LOG_2PI = math.log(2 * math.pi)


def no_spread(family: str, x, parameter: str, values: str = "values") -> NoMaximumError:
    """The error for a sample without spread: the likelihood grows without bound as
    ``parameter`` -> 0."""
    if x.min() == x.max():
        return all_equal(family, x.size, x[0], parameter, values)
    return NoMaximumError(
        f"{family}: the {values} differ too little for float64 to represent their "
        f"spread; the likelihood grows without bound as {parameter} -> 0, so it has "
        "no maximum"
    )


def all_equal(
    family: str, n: int, value: float, parameter: str, values: str = "values"
) -> NoMaximumError:
    """The error for a sample of n equal values."""
    return NoMaximumError(
        f"{family}: all {n} {values} are equal ({value:.17g}); the likelihood grows "
        f"without bound as {parameter} -> 0, so it has no maximum"
    )


def normal_loglik(n: int, sigma2: float, sum_sq: float) -> float:
    """sum of log N(x | mu, sigma2) given sum_sq = sum((x - mu)^2)."""
    return -0.5 * n * (LOG_2PI + math.log(sigma2)) - sum_sq / (2 * sigma2)


# sums of squares below this may hold squares that lost bits in the subnormal range
SMALL_M2 = 2.0**-900


def gaussian_fit(
    family: str, support: Support, x, log: bool = False
) -> tuple[dict, float, int]:
    """The normal MLE of x, or of log x when ``log`` (the lognormal): ({mu, sigma2},
    loglik of that, 0).

    Non-finite statistics mean a bad value in x, which ``support`` names; a sum that
    overflows or squares that underflow are taken again on data scaled by a power of 2.
    """
    n = x.size
    mu, sum_sq = mean_and_m2(x, log)
    if not SMALL_M2 <= sum_sq <= HUGE:
        if not math.isfinite(sum_sq):
            lo, hi = reductions(x, np.minimum, np.maximum)
            support.check_range(family, x, lo, hi)  # NaN, inf, outside the support
        if x.min() == x.max():
            raise no_spread(family, x, "sigma2", "log values" if log else "values")
        mu, sigma2 = _scaled_moments(family, np.log(x) if log else x)
        return (
            {"mu": mu, "sigma2": sigma2},
            -0.5 * n * (LOG_2PI + math.log(sigma2) + 1),
            0,
        )
    return gaussian_result(n, mu, sum_sq)


def gaussian_result(n: int, mu: float, sum_sq: float) -> tuple[dict, float, int]:
    """({mu, sigma2}, loglik, 0) from the mean and the sum of squared deviations."""
    sigma2 = sum_sq / n
    return {"mu": mu, "sigma2": sigma2}, normal_loglik(n, sigma2, sum_sq), 0


def moments(family: str, support: Support, y, log: bool = False) -> tuple:
    """(n, mean, its rounding error, sum of squared deviations) of y, or of log y: the
    statistics of a chunk, merged by merge_moments. DataError for a bad value (or a
    sum that overflows)."""
    mean, error, m2 = mean_and_m2(y, log, split=True)
    if not math.isfinite(m2):
        support.reject(family, y)  # names the value, or says the sums overflow
    return y.size, mean, error, m2


def merge_moments(a: tuple, b: tuple) -> tuple:
    """The moments of two samples together (Chan, Golub and LeVeque's update: no sum
    of squares that could cancel). Each mean carries its rounding error, so the
    difference of two means, and the merged mean, are exact to about eps times the
    standard deviation even for data such as 1e9 + N(0, 1)."""
    na, mean_a, error_a, m2_a = a
    nb, mean_b, error_b, m2_b = b
    n = na + nb
    delta = (mean_b - mean_a) + (error_b - error_a)
    step = error_a + delta * (nb / n)
    mean = mean_a + step
    error = (mean_a - mean) + step  # exact when |step| <= |mean_a| (Fast2Sum)
    return n, mean, error, m2_a + m2_b + delta * delta * (na * nb / n)


def checked_spread(
    family: str, n: int, mu: float, m2: float, parameter: str, values: str = "values"
) -> None:
    """A merged m2 that the fit can use, else the error gaussian_fit would give."""
    if m2 == 0:
        raise all_equal(family, n, mu, parameter, values)
    if not SMALL_M2 <= m2 <= HUGE:
        raise DataError(
            f"{family}: the sum of squared deviations {m2!r} is outside the range a "
            "fit from chunks handles; "
            + ("divide" if m2 > 1 else "multiply")
            + " the data by a constant"
        )


def _scaled_moments(family: str, y: np.ndarray) -> tuple[float, float]:
    """(mean, variance) of finite values at the ends of the float64 range.

    y is scaled by 2^-e so its largest magnitude is in [1/2, 1) (exact but for values
    below 2^-1022 of it); a variance outside the normal float64 range is a DataError.
    """
    exponent = math.frexp(float(np.max(np.abs(y))))[1]
    mean, m2 = mean_and_m2(np.ldexp(y, -exponent))
    try:
        sigma2 = math.ldexp(m2 / y.size, 2 * exponent)
    except OverflowError:
        sigma2 = math.inf
    if sigma2 > HUGE:
        raise DataError(
            f"{family}: the MLE sigma2 = {m2 / y.size!r} * 2**{2 * exponent} exceeds "
            "the float64 range; divide the data by a constant"
        )
    if sigma2 < TINY:
        raise DataError(
            f"{family}: the MLE sigma2 = {sigma2!r} is below the normal float64 range "
            f"(smallest {TINY!r}) and would lose precision; multiply the data by a "
            "constant"
        )
    return math.ldexp(mean, exponent), sigma2


def normal_se(params: dict, n: int) -> dict:
    """se(mu) = sqrt(sigma2 / n), se(sigma2) = sigma2 sqrt(2 / n): expected information
    inverted."""
    sigma2 = params["sigma2"]
    return {"mu": math.sqrt(sigma2 / n), "sigma2": sigma2 * math.sqrt(2 / n)}


def gaussian_information(fit, kind: str) -> np.ndarray:
    """The information about (mu, sigma2) of a normal sample (of log x: lognormal).

    expected: n diag(1 / sigma2, 1 / (2 sigma2^2)). observed: minus the Hessian,
    [[n / sigma2, sum(x - mu) / sigma2^2], [., SS / sigma2^3 - n / (2 sigma2^2)]]
    with SS = sum((x - mu)^2); at the MLE sum(x - mu) = 0 and SS = n sigma2, so it is
    the expected information.
    """
    n, sigma2 = fit.n, fit.params["sigma2"]
    if kind == "expected":
        return np.array([[n / sigma2, 0.0], [0.0, n / (2 * sigma2**2)]])
    deviation_sum, sum_sq = 0.0, n * sigma2  # the sufficient statistics at the MLE
    cross = deviation_sum / sigma2**2
    return np.array(
        [[n / sigma2, cross], [cross, sum_sq / sigma2**3 - n / (2 * sigma2**2)]]
    )


def gaussian_profile_drop(fit, name: str, value: float) -> float:
    """l(MLE) minus the profile log-likelihood of mu or sigma2 (normal, or lognormal
    on log x).

    mu = m: sigma2 is maximised at sigma2_hat + (m - mu_hat)^2, and the drop is
    n log(1 + (m - mu_hat)^2 / sigma2_hat) / 2. sigma2 = v: mu = mu_hat, and the drop
    is n (r - 1 - log r) / 2 with r = sigma2_hat / v.
    """
    mu, sigma2 = fit.params["mu"], fit.params["sigma2"]
    if name == "mu":
        return 0.5 * fit.n * math.log1p((value - mu) ** 2 / sigma2)
    return ratio_drop(0.5 * fit.n, sigma2 / value)


class Normal(Family):
    """Normal(mu, sigma2), sigma2 the variance.

    :model: log f(x | mu, sigma2) = -log(2 pi sigma2) / 2 - (x - mu)^2 / (2 sigma2),
        x real
    :estimator: mu = mean(x),  sigma2 = mean((x - mu)^2)   (divides by N, not N - 1)
    :se: expected information n diag(1/sigma2, 1/(2 sigma2^2)):
        se(mu) = sqrt(sigma2 / n),  se(sigma2) = sigma2 sqrt(2 / n)
    :accuracy: one pass of sums shifted by a first estimate of the mean, so an offset
        shared by the data (1e12 + N(0, 1)) costs no digits; data at the ends of the
        float64 range are taken again scaled by a power of 2
    :observed: equal to the expected information at the MLE (sum(x - mu) = 0,
        sum((x - mu)^2) = n sigma2 there)
    :profile: mu = m: sigma2 = sigma2_hat + (m - mu_hat)^2, drop
        n log(1 + (m - mu_hat)^2 / sigma2_hat) / 2; sigma2 = v: mu = mu_hat, drop
        n (r - 1 - log r) / 2, r = sigma2_hat / v
    :censored: ``fit(..., censored=mask)``: log S = log_ndtr(-(x - mu) / sigma);
        Newton on (mu, log sigma2) with a line search; se from the observed
        information (analytic)
    :chunks: statistics (n, mean, its rounding error, sum of squared deviations),
        merged by Chan, Golub and LeVeque's update (``merge_moments``): one pass
    :raises: DataError: NaN, inf, empty or non-numeric data, or a sigma2 outside the
        normal float64 range (say which way to rescale the data); NoMaximumError: all
        values equal
    """

    name = "normal"
    params = ("mu", "sigma2")
    support = REALS.text
    domains = {"mu": REAL, "sigma2": POSITIVE}
    _support = REALS

    def estimate(self, x):
        return gaussian_fit(self.name, self._support, x)

    def statistics(self, x):
        return moments(self.name, self._support, x)

    merge = staticmethod(merge_moments)

    def estimate_from(self, stats, passes, n):
        _, mu, _, m2 = stats
        checked_spread(self.name, n, mu, m2, "sigma2")
        return *gaussian_result(n, mu, m2), {}

    def log_density_sum(self, x, mu, sigma2):
        sum_sq = sum_sq_dev(x, mu)
        if not math.isfinite(sum_sq):
            lo, hi = reductions(x, np.minimum, np.maximum)
            self._support.check_range(self.name, x, lo, hi)  # names a NaN or inf
            return -math.inf  # finite data far from mu: the density underflows
        return normal_loglik(x.size, sigma2, sum_sq)

    def standard_errors(self, params, n):
        return normal_se(params, n)

    def information(self, fit, kind):
        return gaussian_information(fit, kind)

    def profile_drop(self, fit, name, value, index=None):
        return gaussian_profile_drop(fit, name, value)
