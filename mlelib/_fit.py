"""The result of a fit: an immutable value that prints as a small table."""

from __future__ import annotations

import decimal
import html
import numbers
from collections.abc import Callable, Mapping

import numpy as np
from scipy.special import ndtri

# a fit with more parameter rows (categorical) prints the first MAX_ROWS - 1 and a count
MAX_ROWS = 12


class FrozenDict(dict):
    """A dict that cannot be changed after it is made (it still compares, prints and
    pickles as a dict)."""

    __slots__ = ()

    def _read_only(self, *args, **kwargs):
        raise TypeError("a Fit is immutable: copy it with dict(...) to change it")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = (
        __ior__
    ) = _read_only

    def __reduce__(self):
        return FrozenDict, (dict(self),)


_NO_KNOWN = FrozenDict()


def read_only(values: np.ndarray) -> np.ndarray:
    """A read-only view of a private copy of an array estimate (categorical p).

    The view does not own its data and its base is read-only too, so setting
    ``flags.writeable = True`` on it is refused: a Fit stays immutable.
    """
    base = np.array(values, dtype=np.float64)  # a copy the caller cannot reach
    base.flags.writeable = False
    view = base.view()
    view.flags.writeable = False
    return view


def _frozen(value):
    """``value``, or a read-only view of it if it is an array one could write to."""
    if not isinstance(value, np.ndarray):
        return value
    base = value.base
    if (
        value.flags.writeable
        or not isinstance(base, np.ndarray)
        or base.flags.writeable
    ):
        return read_only(value)
    return value


def _key(value):
    """A hashable stand-in for a parameter value (arrays by their entries)."""
    return tuple(value.tolist()) if isinstance(value, np.ndarray) else value


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and bool(np.all(np.equal(a, b)))
    return a == b


def _rebuild(family, params, loglik, n, se, iterations, known, intervals) -> Fit:
    """A Fit from its pickled fields, arrays made read-only again."""
    params = {name: _frozen(value) for name, value in params.items()}
    se = {name: _frozen(value) for name, value in se.items()}
    return Fit(family, params, loglik, n, se, iterations, known, intervals)


def wald(fit: Fit, z: float) -> dict:
    """Wald intervals estimate -+ z se (``z`` the standard normal quantile)."""
    return {
        name: (value - z * fit.se[name], value + z * fit.se[name])
        for name, value in fit.params.items()
    }


def non_coverage(family: str, level) -> float:
    """alpha = 1 - level as a float, for any real ``level`` strictly between 0 and 1.

    ``level`` may be a float, ``Fraction``, ``Decimal``, numpy scalar or 0-d array.
    1 - level is formed in the level's own arithmetic before rounding, so a level such
    as ``Decimal("0.999999999999999999")`` keeps its tail (rounding the level to float
    first would make it 1).
    """
    value = level
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    real = isinstance(value, (numbers.Real, decimal.Decimal)) and not isinstance(
        value, (bool, np.bool_)
    )
    if not real or not 0 < value < 1:
        raise ValueError(
            f"{family}: level must be a number strictly between 0 and 1 (a real "
            f"number, Fraction or Decimal), got {level!r}"
        )
    if isinstance(value, np.floating):
        value = float(value)  # 1 - level is exact in float64 for level >= 0.5
    return float(1 - value)


class Fit:
    """A maximum-likelihood fit, immutable (statsmodels' results objects in miniature).

    :family: the family's name, e.g. ``"weibull"``
    :params: ``{name: estimate}``, plain floats (categorical: ``p`` is a read-only
        numpy array)
    :loglik: the maximised log-likelihood
    :n: the number of observations
    :se: ``{name: standard error}`` from the Fisher information at the estimate (each
        family's docstring says whether expected or observed; uniform: the exact
        sampling distribution)
    :iterations: Newton steps taken (0 for closed forms)
    :known: the known (fixed) parameters used, e.g. ``{"trials": 10}``

    Two fits are equal (``==``) when every field is equal; a Fit is hashable. Pickled
    and copied fits are equal to the original and just as read-only.
    """

    def __init__(
        self,
        family: str,
        params: Mapping,
        loglik: float,
        n: int,
        se: Mapping,
        iterations: int = 0,
        known: Mapping | None = None,
        intervals: Callable | None = None,
    ):
        # the families pass plain floats; this runs on every fit, so it writes the
        # instance dict directly instead of calling object.__setattr__
        fields = self.__dict__
        fields["family"] = family
        fields["params"] = FrozenDict(params)  # arrays come frozen (read_only)
        fields["loglik"] = loglik
        fields["n"] = n
        fields["se"] = FrozenDict(se)
        fields["iterations"] = iterations
        fields["known"] = FrozenDict(known) if known else _NO_KNOWN
        # the family's interval function travels with the fit (no import of the
        # dispatcher): ``intervals(fit, alpha, z)`` with alpha = 1 - level and z the
        # normal quantile of 1 - alpha / 2; None means Wald
        fields["_intervals"] = intervals

    def __setattr__(self, name, value):
        raise AttributeError(f"a Fit is immutable: cannot set {name}")

    __delattr__ = __setattr__

    def __reduce__(self):
        return _rebuild, (
            self.family,
            dict(self.params),
            self.loglik,
            self.n,
            dict(self.se),
            self.iterations,
            dict(self.known),
            self._intervals,
        )

    def _fields(self) -> tuple:
        return (
            self.family,
            self.loglik,
            self.n,
            self.iterations,
            tuple(self.params),
            tuple(sorted(self.known.items())),
        )

    def __eq__(self, other):
        if not isinstance(other, Fit):
            return NotImplemented
        return (
            self._fields() == other._fields()
            and self.params.keys() == other.params.keys()
            and all(_same(v, other.params[k]) for k, v in self.params.items())
            and self.se.keys() == other.se.keys()
            and all(_same(v, other.se[k]) for k, v in self.se.items())
        )

    def __hash__(self):
        return hash(
            (
                self._fields(),
                tuple(_key(v) for v in self.params.values()),
                tuple(_key(v) for v in self.se.values()),
            )
        )

    def ci(self, level: float = 0.95) -> dict:
        """Confidence intervals ``{name: (lo, hi)}`` at ``level``.

        :level: any real number strictly between 0 and 1 (``Fraction``, ``Decimal``
            and numpy scalars included); z = -ndtri((1 - level) / 2)
        :returns: Wald intervals estimate -+ z se unless the family says otherwise
            (uniform: exact). A Wald interval is the textbook one: it is not clipped to
            the parameter space, so near a boundary it can leave it (bernoulli 9 of 10
            gives an upper bound above 1, exponential a negative lower bound) or be
            degenerate (se = 0 at p = 0 or 1). A bound beyond the float64 range is
            +-inf.
        """
        alpha = non_coverage(self.family, level)
        z = float(-ndtri(alpha / 2))  # not ndtri(0.5 + level / 2): it rounds to 1
        if self._intervals is None:
            return wald(self, z)
        return self._intervals(self, alpha, z)

    def _title(self) -> str:
        known = "".join(f", {name}={value}" for name, value in self.known.items())
        return (
            f"mlelib.Fit: {self.family}{known}, n={self.n}, loglik={self.loglik:.6g}, "
            f"iterations={self.iterations}"
        )

    def _rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for name, value in self.params.items():
            if isinstance(value, np.ndarray):
                rows += [
                    (f"{name}[{i}]", f"{v:.6g}", f"{s:.6g}")
                    for i, (v, s) in enumerate(zip(value, self.se[name]))
                ]
            else:
                rows.append((name, f"{value:.6g}", f"{self.se[name]:.6g}"))
        if len(rows) > MAX_ROWS:
            rows = rows[: MAX_ROWS - 1] + [
                ("...", f"({len(rows) - MAX_ROWS + 1} more)", "")
            ]
        return rows

    def __repr__(self) -> str:
        rows = [("param", "estimate", "se")] + self._rows()
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [
            f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:>{widths[2]}}".rstrip()
            for a, b, c in rows
        ]
        return "\n".join([self._title()] + lines)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{html.escape(a)}</td><td>{b}</td><td>{c}</td></tr>"
            for a, b, c in self._rows()
        )
        return (
            f'<table class="mlelib-fit"><caption>{html.escape(self._title())}</caption>'
            "<thead><tr><th>param</th><th>estimate</th><th>se</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
