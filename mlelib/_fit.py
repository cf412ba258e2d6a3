"""The result of a fit: an immutable value that prints as a small table."""

from __future__ import annotations

import html
import numbers
from collections.abc import Mapping

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
    """A read-only copy of an array estimate (categorical p), so a Fit stays
    immutable."""
    values = values.copy()
    values.flags.writeable = False
    return values


class Fit:
    """A maximum-likelihood fit, immutable (statsmodels' results objects in miniature).

    :family: the family's name, e.g. ``"weibull"``
    :params: ``{name: estimate}``, plain floats (categorical: ``p`` is a read-only numpy
        array)
    :loglik: the maximised log-likelihood
    :n: the number of observations
    :se: ``{name: standard error}`` from the Fisher information at the estimate (each
        family's docstring says whether expected or observed; uniform: the exact
        sampling distribution)
    :iterations: Newton steps taken (0 for closed forms)
    :known: the known (fixed) parameters used, e.g. ``{"trials": 10}``
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
    ):
        # the families pass plain floats (arrays made read_only); this runs on every
        # fit, so it writes the instance dict directly instead of converting or calling
        # object.__setattr__
        fields = self.__dict__
        fields["family"] = family
        fields["params"] = FrozenDict(params)
        fields["loglik"] = loglik
        fields["n"] = n
        fields["se"] = FrozenDict(se)
        fields["iterations"] = iterations
        fields["known"] = FrozenDict(known) if known else _NO_KNOWN

    def __setattr__(self, name, value):
        raise AttributeError(f"a Fit is immutable: cannot set {name}")

    __delattr__ = __setattr__

    def __reduce__(self):
        return Fit, (
            self.family,
            dict(self.params),
            self.loglik,
            self.n,
            dict(self.se),
            self.iterations,
            dict(self.known),
        )

    def ci(self, level: float = 0.95) -> dict:
        """Confidence intervals {name: (lo, hi)} at ``level``: Wald (estimate +- z se)
        unless the family says otherwise (uniform: exact)."""
        if not (isinstance(level, numbers.Real) and 0 < level < 1):
            raise ValueError(
                f"{self.family}: level must be a number strictly between 0 and 1, "
                f"got {level!r}"
            )
        from ._api import FAMILIES

        return FAMILIES[self.family].ci(self, float(level))

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


def wald(fit: Fit, level: float) -> dict:
    """Wald intervals estimate +- z se with z the standard normal (1 + level)/2
    quantile."""
    z = float(ndtri(0.5 + level / 2))
    return {
        name: (value - z * fit.se[name], value + z * fit.se[name])
        for name, value in fit.params.items()
    }
