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
    if x.size <= REDUCE_BLOCK:
        return tuple(ufunc.reduce(x) for ufunc in ufuncs)
    with np.errstate(
        all="ignore"
    ):  # inf - inf in a sum is NaN: callers check finiteness
        parts = [
            [ufunc.reduce(x[start : start + REDUCE_BLOCK]) for ufunc in ufuncs]
            for start in range(0, x.size, REDUCE_BLOCK)
        ]
        return tuple(
            ufunc.reduce(np.array(column)) for ufunc, column in zip(ufuncs, zip(*parts))
        )


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


def mean_and_m2(y: np.ndarray, log: bool = False) -> tuple[float, float]:
    """(mean, sum of squared deviations from the mean) of y, or of log(y) when ``log``.

    One pass: each block's own mean and squared deviations, merged exactly as in Chan,
    Golub and LeVeque (1983): m2 = sum(m2_b) + sum(n_b (mean_b - mean)^2). NaN or inf
    make m2 non-finite.
    """

    def part(block, scratch):
        values = np.log(block, out=scratch) if log else block
        total = np.add.reduce(values)
        np.subtract(values, total / block.size, out=scratch)
        return total, np.dot(scratch, scratch)

    n = y.size
    if (
        n <= BLOCK and not log
    ):  # one block, for small-n speed: no block machinery, no errstate
        mean = (
            float(np.add.reduce(y)) / n
        )  # NaN or inf give a non-finite mean (+inf with -inf warns)
        if not math.isfinite(mean):
            return mean, math.nan
        deviations = y - mean
        return mean, float(
            np.dot(deviations, deviations)
        )  # overflows (and warns) only beyond 1e154
    with np.errstate(
        all="ignore"
    ):  # NaN, inf and overflow give a non-finite m2: callers check it
        parts = block_parts(part, y)
        if len(parts) == 1:
            return float(parts[0][0]) / n, float(parts[0][1])
        totals, m2s = np.array(parts).T
        sizes = np.full(len(parts), BLOCK, dtype=np.float64)
        sizes[-1] = n - BLOCK * (len(parts) - 1)
        mean = _total(totals) / n
        spread = totals / sizes - mean
        return mean, _total(m2s) + float(np.dot(sizes * spread, spread))
