"""The categorical family: one draw from K labelled categories."""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from ._data import Support
from ._family import Family, positive_integer
from ._fit import read_only


class Categorical(Family):
    """Categorical(p), p = (p_0, ..., p_{K-1}) with sum(p) = 1, K = ``categories``
    known.

    :model: log f(x | p) = log p_x,  x in 0..K-1 (integer labels)
    :estimator: p_i = n_i / N, the share of label i (Lagrange multiplier for
        sum(p) = 1); p_i = 0 for a label never seen (a boundary maximum)
    :se: se(p_i) = sqrt(p_i (1 - p_i) / N): the inverse expected information of the
        multinomial under the constraint sum(p) = 1 (each count is binomial); 0 where
        p_i is 0 or 1
    :known: categories K, a positive integer; by default the largest label + 1 (in
        ``loglik``: len(p))
    :raises: DataError: a negative or non-integer label, a label >= categories, NaN,
        inf, empty or non-numeric data, categories not a positive integer
    """

    name = "categorical"
    params = ("p",)
    known = ("categories",)
    support = "integer labels 0..categories-1"
    _labels = Support("integer labels >= 0", integer=True, low=0)

    def sample(self, data, categories=None):
        labels = self._labels.counts(self.name, data)
        if categories is None:
            return labels, {"categories": labels.max + 1}
        categories = positive_integer(self.name, "categories", categories)
        if labels.max >= categories:
            text = f"integer labels 0..{categories - 1} (categories={categories})"
            Support(text, integer=True, low=0, high=categories - 1).reject(
                self.name, labels.values
            )
        return labels, {"categories": categories}

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
        return float(xlogy(np.bincount(labels.values, minlength=categories), p).sum())

    def estimate(self, labels, categories):
        tally = np.bincount(labels.values, minlength=categories)
        p = read_only(tally / labels.size)
        return {"p": p}, float(xlogy(tally, p).sum()), 0

    def standard_errors(self, params, n, categories):
        p = params["p"]
        return {"p": read_only(np.sqrt(p * (1 - p) / n))}
