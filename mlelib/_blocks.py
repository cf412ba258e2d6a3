"""Sums over large arrays computed block by block.

A whole-array expression such as ``((x - mu) ** 2).sum()`` allocates data-sized temporaries and
streams them through memory; doing the same per block of ``BLOCK`` elements keeps the temporaries in
cache and the extra memory at one block. The loop is over blocks, never over elements.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

BLOCK = 1 << 15  # 32768 float64 = 256 KiB per scratch buffer

BlockFunction = Callable[[np.ndarray, np.ndarray], tuple]


def blockwise(fn: BlockFunction, x: np.ndarray) -> tuple:
    """Element-wise sum over blocks of ``fn(block, scratch)``, a tuple of floats.

    ``scratch`` is a float64 buffer of the block's length that ``fn`` may overwrite.
    """
    n = x.size
    with np.errstate(all="ignore"):  # NaN, inf and overflow show in the totals; callers check them
        if n <= BLOCK:
            return fn(x, np.empty(n))
        scratch = np.empty(BLOCK)
        totals = fn(x[:BLOCK], scratch)
        for start in range(BLOCK, n, BLOCK):
            block = x[start:start + BLOCK]
            totals = tuple(a + b for a, b in zip(totals, fn(block, scratch[:block.size])))
        return totals


def sum_sq_dev(x: np.ndarray, center: float) -> float:
    """sum((x - center)**2) in one pass without a data-sized temporary."""

    def part(block, scratch):
        np.subtract(block, center, out=scratch)
        return (float(np.dot(scratch, scratch)),)

    return blockwise(part, x)[0]


def sum_abs_dev(x: np.ndarray, center: float) -> float:
    """sum(|x - center|) in one pass without a data-sized temporary."""

    def part(block, scratch):
        np.subtract(block, center, out=scratch)
        return (float(np.abs(scratch, out=scratch).sum()),)

    return blockwise(part, x)[0]


def sum_and_log_sum(x: np.ndarray) -> tuple[float, float]:
    """(sum(x), sum(log x)) in one pass. The log sum is finite iff every x is in (0, inf)."""

    def part(block, scratch):
        np.log(block, out=scratch)
        return float(block.sum()), float(scratch.sum())

    return blockwise(part, x)  # log(0) = -inf and log(-1) = nan show in the log sum


def mean_and_m2(y: np.ndarray) -> tuple[float, float]:
    """(mean(y), sum((y - mean)**2)), two-pass for accuracy; NaN or inf anywhere makes m2 non-finite."""
    mean = float(y.sum()) / y.size
    return mean, sum_sq_dev(y, mean)
