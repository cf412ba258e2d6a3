"""Sums over large arrays computed block by block.

A whole-array expression such as ``((x - mu) ** 2).sum()`` allocates data-sized
temporaries and streams them through memory; doing the same per block of ``BLOCK``
elements keeps the temporaries in cache and the extra memory at one block. The loop is
over blocks, never over elements.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

# 8192 float64 = 64 KiB per scratch buffer, and below the length (10000) from which
# OpenBLAS runs a dot product on several threads: on a busy machine those calls stall
# for milliseconds.
BLOCK = 1 << 13

BlockFunction = Callable[[np.ndarray, np.ndarray], tuple]

REDUCE_BLOCK = (
    1 << 16
)  # plain reductions call no BLAS: larger blocks (512 KiB, in L2), fewer steps


def reductions(x: np.ndarray, *ufuncs: np.ufunc) -> tuple:
    """``ufunc.reduce(x)`` for each ufunc (np.add, np.minimum, ...), in one pass over
    memory: each block is reduced by every ufunc while it is in cache. NaN propagates as
    in numpy."""
    # inf - inf in a sum is NaN, a sum may overflow: callers check finiteness
    with np.errstate(all="ignore"):
        if x.size <= REDUCE_BLOCK:
            return tuple(ufunc.reduce(x) for ufunc in ufuncs)
        parts = [
            [ufunc.reduce(x[start : start + REDUCE_BLOCK]) for ufunc in ufuncs]
            for start in range(0, x.size, REDUCE_BLOCK)
        ]
        return tuple(
            ufunc.reduce(np.array(column)) for ufunc, column in zip(ufuncs, zip(*parts))
        )


def scaled_mean(x: np.ndarray) -> float:
    """mean(x) of finite values whose sum overflows float64: summed scaled by 2^-64.

    The scaling is exact except for values below 2^-958, whose share of such a sum is
    far below rounding.
    """
    return float(reductions(x * 2.0**-64, np.add)[0]) / x.size * 2.0**64


def block_parts(fn: BlockFunction, x: np.ndarray) -> list[tuple]:
    """``fn(block, scratch)`` for each consecutive block of ``x``, in order.

    ``scratch`` is a float64 buffer of the block's length that ``fn`` may overwrite.
    """
    n = x.size
    with np.errstate(
        all="ignore"
    ):  # NaN, inf and overflow show in the results; callers check them
        if n <= BLOCK:
            return [fn(x, np.empty(n))]
        scratch = np.empty(BLOCK)
        parts = [
            fn(x[start : start + BLOCK], scratch)
            for start in range(0, n - BLOCK + 1, BLOCK)
        ]
        tail = n % BLOCK
        if tail:
            parts.append(fn(x[n - tail :], scratch[:tail]))
    return parts


def blockwise(fn: BlockFunction, x: np.ndarray) -> tuple:
    """Element-wise sum over blocks of ``fn(block, scratch)`` (a tuple of numbers): see
    block_parts.

    The blocks' partial sums are added exactly (math.fsum), so blocking costs no
    accuracy.
    """
    return tuple(_total(column) for column in zip(*block_parts(fn, x)))


def _total(values) -> float:
    """Exact sum of finite partial sums; NaN or inf (bad data, overflow) pass through as
    such."""
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):  # fsum refuses inf - inf and overflows
        return math.nan


def sum_sq_dev(x: np.ndarray, center: float) -> float:
    """sum((x - center)**2) in one pass without a data-sized temporary."""

    def part(block, scratch):
        np.subtract(block, center, out=scratch)
        return (np.dot(scratch, scratch),)

    return blockwise(part, x)[0]


def sum_abs_dev(x: np.ndarray, center: float) -> float:
    """sum(abs(x - center)) in one pass without a data-sized temporary."""

    def part(block, scratch):
        np.subtract(block, center, out=scratch)
        return (np.add.reduce(np.abs(scratch, out=scratch)),)

    return blockwise(part, x)[0]


def sum_and_log_sum(x: np.ndarray) -> tuple[float, float]:
    """(sum(x), sum(log x)) in one pass.

    The log sum is finite iff every x is in (0, inf).
    """

    def part(block, scratch):
        np.log(block, out=scratch)
        return np.add.reduce(block), np.add.reduce(scratch)

    return blockwise(part, x)  # log(0) = -inf and log(-1) = nan show in the log sum


def mean_and_m2(y: np.ndarray, log: bool = False, split: bool = False) -> tuple:
    """(mean, sum of squared deviations from the mean) of y, or of log(y) when ``log``;
    with ``split``, (mean, the mean's rounding error, m2): mean + error is the mean to
    about eps times the standard deviation (for merging chunks, see normal.moments).

    n <= BLOCK: two passes over the values (mean, then squared deviations). Larger n:
    one pass of sums shifted by the first block's mean c, (sum(v - c), sum((v - c)^2)),
    added exactly across blocks: v - c loses nothing to an offset shared by the data
    (1e12 + N(0, 1)), and m2 = S2 - S1^2 / n cancels little because the first block's
    mean is within sqrt(n / BLOCK) standard deviations of the mean. When it does cancel
    (sorted data), a second pass shifts by the mean. NaN or inf make m2 non-finite.
    """
    n = y.size
    if n <= BLOCK:
        # NaN, inf and overflow show in the results, which callers check
        with np.errstate(all="ignore"):
            values = np.log(y) if log else y
            mean = float(np.add.reduce(values)) / n
            if not math.isfinite(mean):
                return (mean, 0.0, math.nan) if split else (mean, math.nan)
            deviations = values - mean
            # the corrected two-pass formula: minus (sum of deviations)^2 / n, the
            # part due to the rounding of the mean
            s1 = float(np.add.reduce(deviations))
            m2 = float(np.dot(deviations, deviations)) - s1 * s1 / n
            return (mean, s1 / n, m2) if split else (mean, m2)

    shift = None

    def part(block, scratch):
        nonlocal shift
        values = np.log(block, out=scratch) if log else block
        if shift is None:
            shift = float(np.add.reduce(values)) / block.size
        deviations = np.subtract(values, shift, out=scratch)
        return np.add.reduce(deviations), np.dot(deviations, deviations)

    with np.errstate(all="ignore"):  # NaN, inf, overflow: callers check m2
        s1, s2 = blockwise(part, y)
        if not math.isfinite(shift):
            return (shift, 0.0, math.nan) if split else (shift, math.nan)
        mean = shift + s1 / n
        if s1 * s1 / n > s2 / 2:  # the shift was far off: shift by the mean
            shift = mean
            s1, s2 = blockwise(
                lambda block, scratch: _shifted_sums(block, scratch, shift, log), y
            )
            mean = shift + s1 / n
    if split:  # mean = shift + s1 / n rounded: its error, as in Knuth's two-sum
        return mean, (shift - mean) + s1 / n, s2 - s1 * s1 / n
    return mean, s2 - s1 * s1 / n


def _shifted_sums(block, scratch, shift, log):
    values = np.log(block, out=scratch) if log else block
    deviations = np.subtract(values, shift, out=scratch)
    return np.add.reduce(deviations), np.dot(deviations, deviations)
