"""The categorical family: one draw from K labelled categories."""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from ._counts import tally
from ._data import Support
from ._errors import DataError
from ._family import PROBABILITY, Family, positive_integer
from ._fit import read_only
from ._likelihood import binary_drop, check_kind

# categories beyond 4 n + this are refused (see Categorical._check_size)
MAX_EXTRA_CATEGORIES = 1 << 16


class Categorical(Family):
    """Categorical(p), p = (p_0, ..., p_{K-1}) with sum(p) = 1, K = ``categories``
    known.

    :model: log f(x | p) = log p_x,  x in 0..K-1 (integer labels)
    :estimator: p_i = n_i / N, the share of label i (Lagrange multiplier for
        sum(p) = 1); p_i = 0 for a label never seen (a boundary maximum)
    :se: se(p_i) = sqrt(p_i (1 - p_i) / N): the inverse expected information of the
        multinomial under the constraint sum(p) = 1 (each count is binomial); 0 where
        p_i is 0 or 1
    :cov: the K x K covariance (diag(p) - p p^T) / N of p (expected and observed
        information agree at the MLE); its top-left (K - 1) x (K - 1) block is the
        inverse information N (diag(1 / p_i) + 1 / p_{K-1}) in the free coordinates
        p_0..p_{K-2}. It is singular (rows sum to 0): the entries sum to 1
    :profile: p_i fixed at v, the others maximise the likelihood in proportion to
        their counts, (1 - v) n_j / (N - n_i); l(p_hat) - l_profile(v) is then the
        binomial one for n_i successes in N trials. k = K - 1 in aic / bic
    :known: categories K, a positive integer; by default the largest label + 1 (in
        ``loglik``: len(p))
    :raises: DataError: a negative or non-integer label, a label >= categories, NaN,
        inf, empty or non-numeric data, categories not a positive integer, or more than
        4 n + 65536 categories (p would be mostly zeros: relabel the data)
    """

    name = "categorical"
    params = ("p",)
    known = ("categories",)
    support = "integer labels 0..categories-1"
    domains = {"p": PROBABILITY}  # of each entry
    _labels = Support("integer labels >= 0", integer=True, low=0)

    def sample(self, data, categories=None):
        labels = self._labels.counts(self.name, data)
        if categories is None:
            self._check_size(labels, labels.max + 1)
            return labels, {"categories": labels.max + 1}
        categories = positive_integer(self.name, "categories", categories)
        if labels.max >= categories:
            text = f"integer labels 0..{categories - 1} (categories={categories})"
            Support(text, integer=True, low=0, high=categories - 1).reject(
                self.name, labels.values
            )
        self._check_size(labels, categories, given=True)
        return labels, {"categories": categories}

    def _check_size(self, labels, categories: int, given: bool = False) -> None:
        """DataError when p would need far more entries than there are observations.

        p, its standard errors and the tally each hold ``categories`` numbers: beyond
        4 n + MAX_EXTRA_CATEGORIES they would be mostly zeros, and memory in proportion
        to the largest label (a label of 10**12 asks for 8 TB).
        """
        n = labels.size
        limit = 4 * n + MAX_EXTRA_CATEGORIES
        if categories <= limit:
            return
        if given:
            raise DataError(
                f"categorical: categories={categories} is far more than the {n} "
                f"observations (at most 4 n + {MAX_EXTRA_CATEGORIES} = {limit}): p "
                f"would need {categories} entries; pass fewer categories"
            )
        i = int(np.argmax(labels.values))
        raise DataError(
            f"categorical: label {labels.max} at index {i} would need {categories} "
            f"categories for {n} observations (at most 4 n + {MAX_EXTRA_CATEGORIES} = "
            f"{limit}); relabel the data 0..K-1 first, e.g. "
            "np.unique(labels, return_inverse=True)",
            index=i,
        )

    def check_params(self, params, known):
        p = np.asarray(params["p"])
        if p.ndim != 1 or p.size == 0 or p.dtype.kind not in "iuf":
            raise ValueError(
                "categorical: parameter p must be a non-empty 1-D array of "
                f"probabilities, got {params['p']!r}"
            )
        p = p.astype(np.float64)
        if not (np.all(p >= 0) and np.all(p <= 1) and abs(p.sum() - 1) <= 1e-9):
            raise ValueError(
                f"categorical: parameter p={p!r} is outside the parameter space; "
                "allowed: 0 <= p_i <= 1 with sum(p) = 1 (to within 1e-9)"
            )
        categories = known.get("categories", p.size)
        if categories != p.size:
            raise ValueError(
                f"categorical: categories={categories} but p has {p.size} entries"
            )
        return {"p": p}, {"categories": p.size}

    def log_density_sum(self, labels, p, categories):
        return float(xlogy(tally(labels.values, categories), p).sum())

    def estimate(self, labels, categories):
        counts = tally(labels.values, categories)
        p = read_only(counts / labels.size)
        return {"p": p}, float(xlogy(counts, p).sum()), 0

    def statistics(self, labels, categories):
        return np.bincount(labels.values, minlength=categories)  # the tally

    @staticmethod
    def merge(a, b):
        if a.size < b.size:
            a, b = b, a
        total = a.copy()
        total[: b.size] += b
        return total

    def estimate_from(self, tally, passes, n, categories):
        categories = tally.size  # the largest of the chunks' (all equal if given)
        if categories > 4 * n + MAX_EXTRA_CATEGORIES:
            raise DataError(
                f"categorical: {categories} categories for {n} observations is more "
                f"than 4 n + {MAX_EXTRA_CATEGORIES}; relabel the data 0..K-1 first"
            )
        p = read_only(tally / n)
        return {"p": p}, float(xlogy(tally, p).sum()), 0, {"categories": categories}

    def standard_errors(self, params, n, categories):
        p = params["p"]
        return {"p": read_only(np.sqrt(p * (1 - p) / n))}

    def free_parameters(self, fit):
        return fit.known["categories"] - 1

    def covariance(self, fit, kind):
        check_kind(self.name, kind)
        p = fit.params["p"]
        return read_only((np.diag(p) - np.outer(p, p)) / fit.n)

    def profile_drop(self, fit, name, value, index=None):
        p = fit.params["p"]
        if p.size == 1:  # one category: p = (1,) is the only point of the space
            return 0.0 if value == 1 else np.inf
        count = float(p[index]) * fit.n
        return binary_drop(count, fit.n - count, value)
