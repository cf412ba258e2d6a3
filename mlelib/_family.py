"""What every family shares: argument checking, and turning an estimate into a Fit."""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from . import _censored, _chunks
from ._data import Support, as_floats, show
from ._errors import DataError
from ._fit import Fit
from ._likelihood import Domain, check_kind, inverse, profile_intervals

# Parameter spaces: test, description with {name} for the parameter, and edges.
REAL = Domain(lambda v: True, "{name} any finite real number")
POSITIVE = Domain(lambda v: v > 0, "{name} > 0", low=0.0)
NONNEGATIVE = Domain(lambda v: v >= 0, "{name} >= 0", low=0.0, low_included=True)
PROBABILITY = Domain(
    lambda v: 0 <= v <= 1,
    "0 <= {name} <= 1",
    0.0,
    1.0,
    low_included=True,
    high_included=True,
)
OPEN_LOW_PROBABILITY = Domain(
    lambda v: 0 < v <= 1, "0 < {name} <= 1", 0.0, 1.0, high_included=True
)


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
    - ``information(fit, kind) -> 2-D array``: the total Fisher information of the
      sample at the MLE, ``kind`` "expected" or "observed" (minus the Hessian of the
      log-likelihood), in parameter order
    - ``profile_drop(fit, name, value, index=None) -> float``: l(MLE) minus the
      log-likelihood maximised over the other parameters with ``name`` = ``value``
      (``index``: the entry of an array parameter); >= 0, inf where the likelihood is
      0

    and may override ``covariance`` (a closed form), ``free_parameters`` (constrained
    parameters), ``intervals`` and ``profile_intervals`` (non-regular families).
    ``keeps_data`` = True makes the Fit keep a read-only view of the data, for families
    whose profile or observed information needs more than the estimate (Weibull,
    Laplace: not exponential families, so the MLE is not a sufficient statistic).
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
    # data in chunks (mlelib.fit_chunks, Dask arrays; see _chunks): a family that can
    # be fitted so defines ``statistics(x, **known)`` (a small summary of one chunk, x
    # as ``sample`` returns it), ``merge(a, b)`` (associative; default: sums add) and
    # ``estimate_from(stats, passes, n, **known) -> (params, loglik, iterations,
    # known)``
    estimate_from = None
    chunked_why = "its estimate is not determined by statistics that merge"
    merge = staticmethod(_chunks.add)
    keeps_data = False
    se_kind = "expected"  # the information the standard errors come from

    def fit(self, data, censored=None, **known) -> Fit:
        """The maximum-likelihood fit of ``data`` (see the family's docstring);
        ``censored``: a boolean mask of right-censored values (see mlelib.fit)."""
        if censored is not None:
            return _censored.fit(self, data, censored, known)
        if isinstance(data, np.ma.MaskedArray):
            return unmasked(self.fit, data, known)
        if _chunks.is_dask_array(data):
            return _chunks.fit(self, _chunks.DaskChunks(self.name, data), known)
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
            self,
            _read_only_view(x) if self.keeps_data else None,
        )

    # -- inference at the MLE (Fit.aic, Fit.cov, Fit.ci, Fit.profile dispatch here)

    def free_parameters(self, fit: Fit) -> int:
        """k, the number of estimated parameters (known parameters do not count)."""
        return len(self.params)

    def covariance(self, fit: Fit, kind: str) -> np.ndarray:
        """The inverse of ``information(fit, kind)``, read-only (see Fit.cov)."""
        check_kind(self.name, kind)
        return inverse(self.information(fit, kind))

    def profiler(self, fit: Fit):
        """``drop(name, value, index=None)``: ``profile_drop`` for one fit. A family
        whose profile needs work on the data first (Weibull) overrides this to do it
        once per interval computation."""
        return functools.partial(self.profile_drop, fit)

    def profile_intervals(self, fit: Fit, alpha: float, z: float) -> dict:
        """Likelihood-ratio intervals at level 1 - alpha: chi-square(1) quantile z^2."""
        return profile_intervals(fit, z * z, self.profiler(fit), self.domains)

    def profile_loglik(self, fit: Fit, name, value, index=None) -> float:
        """The profile log-likelihood of ``name`` at ``value`` (see Fit.profile)."""
        if name not in self.params:
            raise ValueError(
                f"{self.name}: unknown parameter {name!r}; parameters: "
                f"{', '.join(self.params)}"
            )
        estimate = fit.params[name]
        if isinstance(estimate, np.ndarray):
            if not (
                isinstance(index, numbers.Integral)
                and not isinstance(index, (bool, np.bool_))
                and 0 <= index < estimate.size
            ):
                raise ValueError(
                    f"{self.name}: parameter {name} has {estimate.size} entries: "
                    f"pass index=0..{estimate.size - 1}, got {index!r}"
                )
            index = int(index)
        elif index is not None:
            raise ValueError(
                f"{self.name}: parameter {name} is a number; index must be None"
            )
        value = real_number(self.name, name, value)
        domain = self.domains.get(name)
        if domain is not None and not domain.test(value):
            raise ValueError(
                f"{self.name}: parameter {name}={show(value)} is outside the "
                f"parameter space; allowed: {domain.text.format(name=name)}"
            )
        return fit.loglik - self.profile_drop(fit, name, value, index)

    def loglik(self, data, censored=None, **values) -> float:
        """The log-likelihood of ``data`` at the given parameters (and known
        parameters); ``censored``: a boolean mask of right-censored values."""
        if censored is not None:
            return _censored.loglik(self, data, censored, values)
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
            domain = self.domains[name]
            if not domain.test(value):
                raise ValueError(
                    f"{self.name}: parameter {name}={show(value)} is outside the "
                    f"parameter space; allowed: {domain.text.format(name=name)}"
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


def kept_data(fit: Fit, what: str) -> np.ndarray:
    """The data a Fit keeps; ValueError for a fit from chunks, which keeps none."""
    if fit._data is None:
        raise ValueError(
            f"{fit.family}: {what} needs the data, and a fit from chunks (fit_chunks, "
            "a Dask array) keeps none; fit the data in memory with mlelib.fit for it"
        )
    return fit._data


def _read_only_view(x: np.ndarray) -> np.ndarray:
    """A read-only view of the validated data (no copy), kept by the Fit."""
    view = x.view()
    view.flags.writeable = False
    return view


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
