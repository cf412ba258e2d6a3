"""What every family shares: argument checking, and turning an estimate into a Fit."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._data import Support, as_floats, show
from ._errors import DataError
from ._fit import Fit

# Parameter spaces: name -> (test, description with {name} for the parameter).
REAL = (lambda v: True, "{name} any finite real number")
POSITIVE = (lambda v: v > 0, "{name} > 0")
NONNEGATIVE = (lambda v: v >= 0, "{name} >= 0")
PROBABILITY = (lambda v: 0 <= v <= 1, "0 <= {name} <= 1")
OPEN_LOW_PROBABILITY = (lambda v: 0 < v <= 1, "0 < {name} <= 1")


class Family:
    """One distribution family: parameter names, support, log-likelihood, estimator and
    Fisher information kept together. ``mlelib.fit`` and ``mlelib.loglik`` only dispatch
    to these methods.

    A family sets ``name``, ``params`` (names of the estimated parameters), ``known``
    (names of fixed parameters passed as keywords), ``support`` (short text) and
    ``domains`` (parameter spaces), and implements:

    - ``sample(data, **known) -> (x, known)``: validated data, resolved known parameters
    - ``estimate(x, **known) -> (params, loglik, iterations)``
    - ``log_density_sum(x, **params, **known) -> float``: the log-likelihood at any
      valid parameters
    - ``standard_errors(params, n, **known) -> dict``
    """

    name: str
    params: tuple[str, ...]
    known: tuple[str, ...] = ()
    support: str
    domains: dict
    _support: Support  # the checks behind ``support``

    def sample(self, data):
        """Real-valued data as float64 (families check the support along with their
        statistics)."""
        return as_floats(self.name, data), {}

    def __repr__(self) -> str:
        known = f", known ({', '.join(self.known)})" if self.known else ""
        params = ", ".join(self.params)
        return (
            f"<mlelib family {self.name}: params ({params}){known}; "
            f"support {self.support}>"
        )

    intervals = None  # Wald; a family with other intervals sets its own function

    def fit(self, data, **known) -> Fit:
        """The maximum-likelihood fit of ``data`` (see the family's docstring)."""
        if isinstance(data, np.ma.MaskedArray):
            return unmasked(self.fit, data, known)
        if known:
            self._reject_unexpected(known, self.known, "fit")
        x, known = self.sample(data, **known)
        params, loglik, iterations = self.estimate(x, **known)
        se = self.standard_errors(params, x.size, **known)
        return Fit(
            self.name,
            params,
            float(loglik),
            x.size,
            se,
            iterations,
            known,
            self.intervals,
        )

    def loglik(self, data, **values) -> float:
        """The log-likelihood of ``data`` at the given parameters (and known
        parameters)."""
        if isinstance(data, np.ma.MaskedArray):
            return unmasked(self.loglik, data, values)
        self._reject_unexpected(values, self.params + self.known, "loglik")
        missing = [name for name in self.params if name not in values]
        if missing:
            raise ValueError(
                f"{self.name}: loglik needs the parameters {', '.join(self.params)}; "
                f"missing: {', '.join(missing)}"
            )
        params = {name: values.pop(name) for name in self.params}
        params, known = self.check_params(params, values)
        x, known = self.sample(data, **known)
        return float(self.log_density_sum(x, **params, **known))

    def check_params(self, params: dict, known: dict) -> tuple[dict, dict]:
        """Parameters as floats inside the parameter space, else ValueError saying what
        is allowed."""
        checked = {
            name: real_number(self.name, name, value) for name, value in params.items()
        }
        for name, value in checked.items():
            test, allowed = self.domains[name]
            if not test(value):
                raise ValueError(
                    f"{self.name}: parameter {name}={show(value)} is outside the "
                    f"parameter space; allowed: {allowed.format(name=name)}"
                )
        return checked, known

    def _reject_unexpected(
        self, given: dict, allowed: tuple[str, ...], what: str
    ) -> None:
        for name in given:
            if name not in allowed:
                hint = (
                    f" ({name} is estimated by fit; pass it to loglik instead)"
                    if name in self.params and what == "fit"
                    else ""
                )
                raise ValueError(
                    f"{self.name}: {what} got an unexpected keyword {name!r}; allowed: "
                    f"{', '.join(allowed) or 'none'}{hint}"
                )


class CountFamily(Family):
    """A family of integer data without known parameters (bernoulli, poisson,
    geometric)."""

    def sample(self, data):
        return self._support.counts(self.name, data), {}


def unmasked(call, data: np.ma.MaskedArray, keywords: dict):
    """``call`` on the unmasked values of a 1-D masked array (the mask is honoured).

    A DataError about one value names its index in the masked array, not among the
    unmasked values.
    """
    if data.ndim != 1:  # let the usual check explain the shape
        return call(np.ma.getdata(data), **keywords)
    kept = np.flatnonzero(~np.ma.getmaskarray(data))
    try:
        return call(data.compressed(), **keywords)
    except DataError as error:
        if error.index is None:
            raise
        i, original = error.index, int(kept[error.index])
        message = str(error).replace(f"at index {i} ", f"at index {original} ", 1)
        raise DataError(message, index=original) from None


def real_number(family: str, name: str, value) -> float:
    """``value`` as a finite float, else ValueError."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
    ):
        raise ValueError(
            f"{family}: parameter {name} must be a finite real number, "
            f"got {show(value)}"
        )
    return float(value)


def positive_integer(family: str, name: str, value) -> int:
    """A known count (trials, categories) as an int, else DataError."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or not float(value).is_integer()
        or value < 1
    ):
        raise DataError(
            f"{family}: {name} must be a positive integer, got {show(value)}"
        )
    return int(value)
