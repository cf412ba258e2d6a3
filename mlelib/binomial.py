"""The binomial family: successes in a known number of trials."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import betaln, xlog1py, xlogy

from ._counts import sum_and_sum_of, sum_of
from ._data import Support
from ._errors import DataError
from ._family import PROBABILITY, Family, positive_integer
from ._likelihood import binary_drop
from ._precise import binomial_log_pmf

# up to this many trials the direct sum is exact to ~1e-13
EXACT_UP_TO = 1000


def binary_loglik(successes: float, failures: float, p: float) -> float:
    """successes log p + failures log(1 - p), with 0 log 0 = 0 so boundary estimates
    have a finite value."""
    return float(xlogy(successes, p) + xlog1py(failures, -p))


def binary_se(p: float, trials: float) -> float:
    """sqrt(p (1 - p) / trials): the inverse expected information of ``trials``
    Bernoulli(p) trials."""
    return math.sqrt(p * (1 - p) / trials)


def binary_information(
    successes: float, failures: float, p: float, kind: str
) -> np.ndarray:
    """The information about p in successes log p + failures log(1 - p).

    expected: trials / (p (1 - p)); observed: successes / p^2 + failures / (1 - p)^2,
    equal to it at p = successes / trials. Infinite at p = 0 or 1 (a boundary
    estimate: variance 0, as se).
    """
    if not 0 < p < 1:
        return np.array([[math.inf]])
    if kind == "expected":
        return np.array([[(successes + failures) / (p * (1 - p))]])
    return np.array([[successes / p**2 + failures / (1 - p) ** 2]])


class Binomial(Family):
    """Binomial(trials, p), ``trials`` known.

    :model: log f(x | p) = log C(trials, x) + x log p + (trials - x) log(1 - p),
        x in 0..trials
    :estimator: p = sum(x) / (n trials)   (0 or 1 when every x is 0 or every x is
        trials: boundary maxima)
    :se: expected information n trials / (p (1 - p)):
        se(p) = sqrt(p (1 - p) / (n trials)); 0 at p = 0 or 1
    :observed: S / p^2 + (n trials - S) / (1 - p)^2, S = sum(x): equal to the
        expected information at the MLE
    :profile: l(p_hat) - l(p) = bd0(S, n trials p) + bd0(n trials - S,
        n trials (1 - p)) (Loader's deviance terms, no cancellation at huge trials);
        S = n trials p_hat is recovered from the estimate
    :loglik: above 1000 trials, Loader's saddle-point form (as R's dbinom): the
        textbook sum cancels at huge trials
    :raises: DataError: ``trials`` missing or not a positive integer; a value that is
        not an integer in 0..trials, NaN, inf, empty or non-numeric data
    """

    name = "binomial"
    params = ("p",)
    known = ("trials",)
    support = "integers 0..trials"
    domains = {"p": PROBABILITY}

    def sample(self, data, trials=None):
        if trials is None:
            raise DataError(
                "binomial: the number of trials is needed: pass trials=..., "
                "e.g. mlelib.fit('binomial', data, trials=10)"
            )
        trials = positive_integer(self.name, "trials", trials)
        support = Support(
            f"integers 0..{trials} (trials={trials})", integer=True, low=0, high=trials
        )
        return support.counts(self.name, data), {"trials": trials}

    def _stats(self, counts, trials):
        # log C(trials, v) = -log(trials + 1) - log B(trials - v + 1, v + 1), accurate
        # for huge trials
        def log_choose(v):
            return -math.log1p(trials) - betaln(trials - v + 1, v + 1)

        successes, log_coefficients = sum_and_sum_of(counts, log_choose)
        return counts.size, successes, log_coefficients

    def estimate(self, counts, trials):
        n = counts.size
        if trials > EXACT_UP_TO:
            successes = float(counts.values.sum(dtype=np.float64))
            p = successes / (n * trials)
            return {"p": p}, self.log_density_sum(counts, p, trials), 0
        n, successes, log_coefficients = self._stats(counts, trials)
        p = successes / (n * trials)
        return (
            {"p": p},
            log_coefficients + binary_loglik(successes, n * trials - successes, p),
            0,
        )

    def statistics(self, counts, trials):
        """(sum(x), sum(log C(trials, x))); the second is not needed above
        EXACT_UP_TO trials (the log-likelihood then takes another pass)."""
        if trials > EXACT_UP_TO:
            return float(counts.values.sum(dtype=np.float64)), 0.0
        return self._stats(counts, trials)[1:]

    def estimate_from(self, stats, passes, n, trials):
        successes, log_coefficients = stats
        p = successes / (n * trials)
        if trials > EXACT_UP_TO:  # Loader's form, value by value: another pass
            (loglik,) = passes(
                lambda counts: (self.log_density_sum(counts, p, trials),),
                validated=True,
            )
        else:
            loglik = log_coefficients + binary_loglik(
                successes, n * trials - successes, p
            )
        return {"p": p}, loglik, 0, {"trials": trials}

    def log_density_sum(self, counts, p, trials):
        if trials > EXACT_UP_TO:
            # log C(N, x) + x log p + (N - x) log(1 - p) cancels at huge N: Loader's
            # form; at p = 0 or 1 every x must be 0 or N (probability 1 each)
            if 0 < p < 1:
                return sum_of(counts, lambda v: binomial_log_pmf(v, trials, p))
            edge = 0 if p == 0 else trials
            return 0.0 if (counts.values == edge).all() else -math.inf
        n, successes, log_coefficients = self._stats(counts, trials)
        return log_coefficients + binary_loglik(successes, n * trials - successes, p)

    def standard_errors(self, params, n, trials):
        return {"p": binary_se(params["p"], n * trials)}

    @staticmethod
    def _successes(fit):
        total = fit.n * fit.known["trials"]
        successes = fit.params["p"] * total
        return successes, total - successes

    def information(self, fit, kind):
        return binary_information(*self._successes(fit), fit.params["p"], kind)

    def profile_drop(self, fit, name, value, index=None):
        return binary_drop(*self._successes(fit), value)
