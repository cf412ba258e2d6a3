"""Fits of data that arrive in chunks: ``mlelib.fit_chunks`` and Dask arrays.

A family that can be fitted this way summarises one validated chunk by its
``statistics`` (a few numbers) and combines two summaries with its associative
``merge``; ``estimate_from`` turns the merged summary of all chunks into the estimate.
That takes one pass over the data for most families. A family whose likelihood is not
determined by a fixed set of sums asks for more passes through the ``passes`` argument
of ``estimate_from``: the Weibull shape one per Newton step, the Laplace median
bracketing passes, the Poisson and binomial log-likelihoods above counts of 1000 one.

A pass maps a function over the chunks and merges the results. For a sequence, an
iterator or a callable of chunks this runs here, chunk by chunk; for a Dask array the
map and a balanced merge tree are Dask tasks, computed by Dask's current scheduler
(threads, or the cluster of an active ``dask.distributed`` client).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np

from ._data import as_floats
from ._errors import DataError
from ._fit import Fit


def add(a: tuple, b: tuple) -> tuple:
    """The merge of statistics that are sums: element by element."""
    return tuple(u + v for u, v in zip(a, b))


def fit(family, source, known: dict) -> Fit:
    """The maximum-likelihood fit of the data in ``source`` (Chunks or DaskChunks)."""
    if getattr(family, "estimate_from", None) is None:
        raise ValueError(
            f"{family.name}: no chunked fit: {family.chunked_why}; load the data "
            "into memory and use mlelib.fit"
        )
    if "censored" in known:
        raise ValueError(
            "censored data cannot be fitted in chunks yet; use "
            "mlelib.fit(family, times, censored=mask) in memory"
        )
    family._reject_unexpected(known, family.known, "fit")

    def first(x, resolved):
        return family.statistics(x, **resolved), resolved

    merged = source.map_merge(family, known, first, _merge_first(family.merge), True)
    if merged is None:
        raise DataError(
            f"{family.name}: data are empty (every chunk is); at least one "
            "observation is needed"
        )
    (stats, resolved), n = merged
    passes = Passes(source, family, known, n)
    params, loglik, iterations, resolved = family.estimate_from(
        stats, passes, n, **resolved
    )
    se = family.standard_errors(params, n, **resolved)
    return Fit(family.name, params, float(loglik), n, se, iterations, resolved, family)


def _merge_first(merge):
    def merged(a, b):
        return merge(a[0], b[0]), a[1]

    return merged


class Passes:
    """Further passes over the data for ``estimate_from``: ``passes(fn, merge)`` is
    merge(fn(chunk 0), fn(chunk 1), ...) over the non-empty chunks, fn given each chunk
    as float64 (``validated``: as the family's ``sample`` returns it)."""

    def __init__(self, source, family, known: dict, n: int):
        self.source, self.family, self.known, self.n = source, family, known, n
        self.count = 1  # passes made so far

    def __call__(self, fn: Callable, merge: Callable = add, validated: bool = False):
        self.count += 1
        merged = self.source.map_merge(
            self.family, self.known, lambda x, resolved: fn(x), merge, validated
        )
        value, n = merged if merged is not None else (None, 0)
        if n != self.n:
            raise DataError(
                f"{self.family.name}: the chunks changed between passes ({self.n} "
                f"values, then {n}); the callable must return the same data each time"
            )
        return value


def _prepare(family, known: dict, index: int, chunk, validated: bool):
    """(x, resolved known) for one chunk, or None for an empty chunk; a DataError
    names the chunk."""
    try:
        if np.ndim(chunk) == 1 and np.size(chunk) == 0:
            return None
    except ValueError:  # ragged: the checks below say so
        pass
    try:
        if validated:
            return family.sample(chunk, **known)
        return as_floats(family.name, chunk), known
    except DataError as error:
        raise in_chunk(error, index) from None


def _apply(family, known, fn, index, chunk, validated):
    """fn on one prepared chunk: (its value, its size), None when empty."""
    prepared = _prepare(family, known, index, chunk, validated)
    if prepared is None:
        return None
    x, resolved = prepared
    try:
        return fn(x, resolved), x.size
    except DataError as error:
        raise in_chunk(error, index) from None


def _merge_pair(merge, a, b):
    """Merge two (value, size) results, either of which may be None (empty)."""
    if a is None or b is None:
        return b if a is None else a
    return merge(a[0], b[0]), a[1] + b[1]


def in_chunk(error: DataError, index: int) -> DataError:
    """The same DataError, its message and attributes naming chunk ``index``."""
    message = str(error)
    if error.index is not None and f"at index {error.index} " in message:
        message = message.replace(
            f"at index {error.index} ",
            f"at index {error.index} of chunk {index} (chunks count from 0) ",
            1,
        )
    else:
        message += f" (in chunk {index}, counting from 0)"
    return DataError(message, index=error.index, chunk=index)


class Chunks:
    """Chunks from a sequence of arrays, a one-shot iterator, or a callable returning a
    fresh iterable of them (called once per pass)."""

    def __init__(self, chunks):
        if isinstance(chunks, np.ndarray) or is_dask_array(chunks):
            raise TypeError(
                "fit_chunks: chunks must be a sequence of 1-D arrays or a callable "
                "returning an iterable of them, got one array; pass [x], or fit it "
                "with mlelib.fit"
            )
        if callable(chunks):
            self.make, self.once = chunks, False
        elif isinstance(chunks, Iterator):
            self.make, self.once = (lambda: chunks), True
        elif isinstance(chunks, Iterable):
            self.make, self.once = (lambda: chunks), False
        else:
            raise TypeError(
                "fit_chunks: chunks must be a sequence of 1-D arrays or a callable "
                f"returning an iterable of them, got {type(chunks).__name__}"
            )
        self.used = False

    def _iterable(self, family):
        if self.once and self.used:
            raise ValueError(
                f"{family.name}: the fit needs another pass over the data, but the "
                "chunks came from an iterator, which can be read once; pass a list of "
                "chunks or a callable that returns a fresh iterable of them, e.g. "
                "lambda: (x[i:i + size] for i in range(0, len(x), size))"
            )
        self.used = True
        chunks = self.make()
        if not isinstance(chunks, Iterable) or isinstance(chunks, np.ndarray):
            raise TypeError(
                "fit_chunks: the chunks callable must return an iterable of 1-D "
                f"arrays, got {type(chunks).__name__}"
            )
        return chunks

    def map_merge(self, family, known, fn, merge, validated):
        """(merged value, total size) over the non-empty chunks, or None."""
        result = None
        for index, chunk in enumerate(self._iterable(family)):
            part = _apply(family, known, fn, index, chunk, validated)
            result = _merge_pair(merge, result, part)
        return result


def is_dask_array(data) -> bool:
    """A Dask array, recognised without importing Dask."""
    return type(data).__module__.split(".")[0] == "dask" and hasattr(data, "to_delayed")


class DaskChunks:
    """The blocks of a 1-D Dask array; each pass is one Dask computation."""

    def __init__(self, family_name: str, array):
        if array.ndim != 1:
            raise DataError(
                f"{family_name}: data must be one-dimensional, got a Dask array of "
                f"shape {array.shape}"
            )
        self.blocks = list(array.to_delayed().ravel())

    def map_merge(self, family, known, fn, merge, validated):
        import dask  # only when a Dask array arrives

        parts = [
            dask.delayed(_apply)(family, known, fn, index, block, validated)
            for index, block in enumerate(self.blocks)
        ]
        while len(parts) > 1:  # a balanced merge tree
            pairs = [
                dask.delayed(_merge_pair)(merge, a, b)
                for a, b in zip(parts[::2], parts[1::2])
            ]
            parts = pairs + parts[len(pairs) * 2 :]
        (result,) = dask.compute(parts[0])
        return result
