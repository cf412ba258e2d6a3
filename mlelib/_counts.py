"""Sums over integer data through a table of values: f is evaluated once per distinct
value."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._data import Counts


def tally(k: np.ndarray, length: int) -> np.ndarray:
    """``np.bincount(k, minlength=length)`` for validated integers 0 <= k < length.

    bincount only takes arrays it can cast safely to ``np.intp``; on a 32-bit platform
    (Pyodide in the browser) that rejects int64 data, so the values, already checked to
    lie below ``length``, are cast first (free where intp is 64 bits).
    """
    return np.bincount(k.astype(np.intp, copy=False), minlength=length)


def sum_and_sum_of(
    counts: Counts, f: Callable[[np.ndarray], np.ndarray]
) -> tuple[float, float]:
    """(sum(k), sum(f(k))) for validated integers 0 <= k <= hi.

    When the range 0..hi is not much larger than the data, ``np.bincount`` tallies the
    values and f (say gammaln, slow per element) runs on the 0..hi table only; otherwise
    f runs on the data.
    """
    k, hi = counts
    if hi <= 4 * k.size + 1024 and hi < np.iinfo(np.intp).max:
        table = tally(k, hi + 1)
        values = np.arange(hi + 1, dtype=np.float64)
        return float(table @ values), float(table @ f(values))
    x = k.astype(np.float64)
    return float(x.sum()), float(f(x).sum())


def sum_of(counts: Counts, f: Callable[[np.ndarray], np.ndarray]) -> float:
    """sum(f(k)) for validated integers 0 <= k <= hi, through a tally as above."""
    return sum_and_sum_of(counts, f)[1]
