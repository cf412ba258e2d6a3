"""Turning user data into validated numpy arrays.

The success path is vectorised and cheap (a min/max or a sum whose finiteness proves the
data finite); only when it fails does :meth:`Support.reject` look at every element to
name the first offending value and its index.
"""

from __future__ import annotations

import datetime
import decimal
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, NoReturn

import numpy as np

from ._errors import DataError

EXACT_INTEGER_LIMIT = 2.0**53  # float64 holds every integer below this exactly


def show(value) -> str:
    """A value as a message shows it: ``-1`` (not ``-1.0``), ``2.5``, ``nan``, ``'a'``,
    ``(1+2j)``."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (np.timedelta64, np.datetime64)):  # numpy integers, too
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return (
            str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
        )
    if isinstance(value, (complex, np.complexfloating)):
        return repr(complex(value))
    if isinstance(value, (str, bytes)):
        return repr(str(value) if isinstance(value, str) else bytes(value))
    return repr(value)


def as_array(family: str, data) -> np.ndarray:
    """``data`` as a non-empty 1-D numpy array of bools, integers or floats (no copy
    when it already is one).

    Generators, iterators, sets and dict views are materialised (indices in messages
    count in iteration order); a mapping is refused. Masked arrays are handled by the
    families (their unmasked values are fitted). Raises DataError for ragged,
    multi-dimensional, empty or non-numeric data (strings, objects that are not real
    numbers, complex numbers, dates and durations with how to convert them), naming the
    first offending value and its index.
    """
    if (
        type(data) is np.ndarray
        and data.ndim == 1
        and data.size
        and data.dtype.kind in "biuf"
    ):  # the common case, fast
        return data
    if isinstance(data, Mapping):
        raise DataError(
            f"{family}: data must be a sequence of numbers, got a mapping "
            f"({type(data).__name__}); pass its values, e.g. list(d.values())"
        )
    x = _asarray(family, data)
    if x.ndim == 0 and x.dtype == object and isinstance(data, Iterable):
        # a generator, iterator, set or dict view: numpy does not iterate these, so
        # they are materialised (indices in messages count in iteration order)
        data = list(data)
        x = _asarray(family, data)
    if x.ndim != 1:
        hint = ""
        if x.ndim == 0:
            hint = (
                " (a string, not a sequence of numbers)"
                if x.dtype.kind in "US"
                else " (a single number: wrap it in a list)"
            )
        raise DataError(
            f"{family}: data must be one-dimensional, got an array of shape "
            f"{x.shape}{hint}"
        )
    if x.size == 0:
        raise DataError(f"{family}: data are empty; at least one observation is needed")
    if x.dtype.kind not in "biuf":
        x = _numeric(family, data, x)
    return x


def _asarray(family: str, data) -> np.ndarray:
    try:
        return np.asarray(data)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise DataError(
            f"{family}: data must be a one-dimensional sequence of numbers ({exc})"
        ) from None


def as_floats(family: str, data) -> np.ndarray:
    """``data`` as a non-empty 1-D float64 array; a float64 array is returned as it is,
    not copied."""
    x = as_array(family, data)
    return x if x.dtype == np.float64 else x.astype(np.float64)


def _numeric(family: str, data, x: np.ndarray) -> np.ndarray:
    """Object arrays of real numbers as float64; anything else (strings, None, complex)
    raises."""
    kind = x.dtype.kind
    if kind == "O":
        bad = [i for i, v in enumerate(x) if not _is_real(v)]
        if not bad:
            try:
                return x.astype(np.float64)
            except (OverflowError, ValueError, TypeError) as exc:
                bad, problem = _unconvertible(x)
                if not bad:  # pragma: no cover - numpy refused what float() accepts
                    raise DataError(
                        f"{family}: data cannot be converted ({exc})"
                    ) from None
                i, value = bad[0], x[bad[0]]
        else:
            i, value = bad[0], x[bad[0]]
            problem = "is not a number" + (
                DURATION_HINT if isinstance(value, DURATIONS) else ""
            )
    elif kind in "mM":
        bad = range(x.size)
        i, value = 0, x[0]
        what = "a duration" if kind == "m" else "a date"
        problem = f"is {what} (data of dtype {x.dtype}), not a number" + (
            DURATION_HINT if kind == "m" else DATE_HINT
        )
    elif kind == "c":
        nonreal = np.flatnonzero(x.imag != 0)
        bad = nonreal if nonreal.size else np.arange(x.size)
        i, problem, value = int(bad[0]), "is complex", x[bad[0]]
    elif kind in "US" and isinstance(data, (list, tuple)):
        # numpy turned a mixed list such as [1, "a"] into all strings: find the element
        # that was one
        bad = [i for i, v in enumerate(data) if isinstance(v, (str, bytes))]
        i, problem, value = (
            bad[0],
            "is not a number (strings are not converted)",
            data[bad[0]],
        )
    else:
        bad = range(x.size)
        i, problem, value = 0, f"is not a number (data of dtype {x.dtype})", x[0]
    raise DataError(
        f"{family}: value {show(value)} at index {i} {problem}; allowed: real numbers"
        + _how_many(len(bad)),
        index=i,
    )


DURATIONS = (datetime.timedelta, np.timedelta64)
DURATION_HINT = (
    "; convert durations to numbers first, e.g. x / np.timedelta64(1, 's') (numpy) "
    "or series.dt.total_seconds() (pandas)"
)
DATE_HINT = (
    "; convert dates to numbers first, e.g. durations since the first one: "
    "(t - t.min()) / np.timedelta64(1, 's')"
)


def _is_real(v) -> bool:
    """A real number numpy can convert (not a bool-like string, date or duration)."""
    return isinstance(v, (numbers.Real, decimal.Decimal, np.bool_)) and not isinstance(
        v, (np.timedelta64, np.datetime64)
    )


def _unconvertible(x: np.ndarray) -> tuple[list[int], str]:
    """Indices of the real numbers in ``x`` that float64 cannot hold, and why."""
    bad, why = [], ""
    for i, v in enumerate(x):  # only after a vectorised conversion has failed
        try:
            float(v)
        except (OverflowError, ValueError, TypeError) as exc:
            if not bad:
                why = (
                    "is too large for float64"
                    if isinstance(exc, OverflowError)
                    else f"cannot be converted to float64 ({exc})"
                )
            bad.append(i)
    return bad, why


def _how_many(count: int) -> str:
    return f" ({count} invalid values in total)" if count > 1 else ""


class Counts(NamedTuple):
    """Validated integer data and their maximum."""

    values: np.ndarray
    max: int

    @property
    def size(self) -> int:
        return self.values.size


@dataclass(frozen=True)
class Support:
    """The set of values a family's data may take, and the checks that enforce it.

    ``text`` is what error messages say is allowed. Values must be finite, lie in
    [low, high] (or (low, high] when ``open_low``), and be integers when ``integer``.
    """

    text: str
    integer: bool = False
    low: float = -math.inf
    high: float = math.inf
    open_low: bool = False

    def floats(self, family: str, data) -> np.ndarray:
        """Validated float64 data: one min and one max pass (NaN propagates into
        both)."""
        x = as_floats(family, data)
        self.check_range(family, x, x.min(), x.max())
        return x

    def counts(self, family: str, data) -> Counts:
        """Validated integer data as an integer array (floats holding integers are
        converted), and its maximum."""
        x = as_array(family, data)
        if x.dtype.kind == "b":
            x = x.view(np.int8)
        lo, hi = x.min(), x.max()
        self.check_range(family, x, lo, hi)
        if hi >= EXACT_INTEGER_LIMIT or lo <= -EXACT_INTEGER_LIMIT:
            self.reject(family, x)
        if x.dtype.kind == "f":
            k = x.astype(np.int64)
            if (k != x).any():
                self.reject(family, x)
            return Counts(k, int(hi))
        return Counts(
            x.astype(np.int64) if x.dtype == np.uint64 else x, int(hi)
        )  # exact: hi < 2**53

    def check_range(self, family: str, x: np.ndarray, lo, hi) -> None:
        """Raise (via :meth:`reject`) unless min ``lo`` and max ``hi`` of ``x`` are
        finite and in range."""
        low_ok = lo > self.low if self.open_low else lo >= self.low
        if not (low_ok and hi <= self.high and math.isfinite(lo) and math.isfinite(hi)):
            self.reject(family, x)

    def reject(self, family: str, x: np.ndarray) -> NoReturn:
        """Raise DataError naming the first invalid value of ``x``, its index and what
        is allowed.

        Called only once a cheap check has failed. If no single value is invalid, the
        failed check was a sum that overflowed, and the message says so.
        """
        checks = []
        if x.dtype.kind == "f":
            checks += [("is NaN", np.isnan), ("is infinite", np.isinf)]
            if self.integer:
                checks.append(
                    ("is not an integer", lambda v: np.isfinite(v) & (np.floor(v) != v))
                )
        if self.integer:
            checks.append(
                (
                    "is too large to be an exact count (limit 2**53)",
                    lambda v: (
                        np.isfinite(v)
                        & ((v >= EXACT_INTEGER_LIMIT) | (v <= -EXACT_INTEGER_LIMIT))
                    ),
                )
            )
        below = np.less_equal if self.open_low else np.less
        checks.append(
            ("is outside the support", lambda v: below(v, self.low) | (v > self.high))
        )
        masks = [(problem, test(x)) for problem, test in checks]
        bad = np.flatnonzero(np.logical_or.reduce([mask for _, mask in masks]))
        if bad.size == 0:
            raise DataError(
                f"{family}: the values are too large for float64 arithmetic (a sum "
                "overflows); divide the data by a constant"
            )
        i = int(bad[0])
        problem = next(problem for problem, mask in masks if mask[i])
        raise DataError(
            f"{family}: value {show(x[i])} at index {i} {problem}; allowed: {self.text}"
            + _how_many(bad.size),
            index=i,
        )


POSITIVE_REALS = Support("x > 0", low=0.0, open_low=True)
REALS = Support("finite real numbers")
