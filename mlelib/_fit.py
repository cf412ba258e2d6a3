"""The result of a fit: an immutable value that prints as a small table."""

from __future__ import annotations

import decimal
import html
import math
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


def _rebuild(
    family, params, loglik, n, se, iterations, known, model, data, failures=None
) -> Fit:
    """A Fit from its pickled fields, arrays made read-only again."""
    params = {name: _frozen(value) for name, value in params.items()}
    se = {name: _frozen(value) for name, value in se.items()}
    data = None if data is None else _frozen(data)
    return Fit(family, params, loglik, n, se, iterations, known, model, data, failures)


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
        sampling distribution; a censored fit: observed)
    :iterations: Newton steps taken (0 for closed forms)
    :known: the known (fixed) parameters used, e.g. ``{"trials": 10}``
    :aic, bic: ``2 k - 2 loglik`` and ``k log n - 2 loglik``, k the number of estimated
        parameters
    :failures: for a right-censored fit (``fit(..., censored=mask)``) the number d of
        failures (uncensored values; ``n - failures`` were censored), else None

    and the methods :meth:`ci` (Wald or profile-likelihood intervals), :meth:`cov`
    (inverse expected or observed information) and :meth:`profile` (the profile
    log-likelihood of one parameter).

    Two fits are equal (``==``) when every field above is equal; a Fit is hashable.
    Pickled and copied fits are equal to the original and just as read-only.

    What the inference methods need travels with the fit: the family object (no
    import of the dispatcher) and, for the Weibull and Laplace families only, a
    read-only view of the fitted data (their MLE is not a sufficient statistic; every
    other family profiles from its estimates). The view is not a copy: changing the
    data array after fitting changes those families' profile intervals and observed
    information. It takes no part in ``==`` and is pickled with the fit.
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
        model=None,
        data: np.ndarray | None = None,
        failures: int | None = None,
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
        # the family object travels with the fit (no import of the dispatcher): its
        # ``intervals(fit, alpha, z)`` (None: Wald), ``profile_intervals``,
        # ``covariance``, ``profile_loglik`` and ``free_parameters``; None for a Fit
        # made by hand, which has Wald intervals, and aic / bic with k = len(params)
        fields["_model"] = model
        fields["_data"] = data  # read-only view of the data, or None (see above)
        fields["failures"] = failures  # None: not censored

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
            self._model,
            self._data,
            self.failures,
        )

    def _fields(self) -> tuple:
        return (
            self.family,
            self.loglik,
            self.n,
            self.iterations,
            tuple(self.params),
            tuple(sorted(self.known.items())),
            self.failures,
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

    @property
    def aic(self) -> float:
        """Akaike's information criterion ``2 k - 2 loglik``.

        k is the number of estimated parameters: known parameters (binomial trials,
        categorical categories) do not count, and categorical p has K - 1 free
        entries (they sum to 1).
        """
        return 2 * self._free_parameters() - 2 * self.loglik

    @property
    def bic(self) -> float:
        """The Bayesian (Schwarz) information criterion ``k log n - 2 loglik``, k as
        for :attr:`aic` and n the number of observations."""
        return self._free_parameters() * math.log(self.n) - 2 * self.loglik

    def _free_parameters(self) -> int:
        if self._model is None:
            return len(self.params)
        return self._model.free_parameters(self)

    def _family_object(self, what: str):
        if self._model is None:
            raise ValueError(
                f"{self.family}: {what} needs a Fit made by mlelib.fit (this one was "
                "made by hand and has no family attached)"
            )
        return self._model

    def ci(self, level: float = 0.95, method: str = "wald") -> dict:
        """Confidence intervals ``{name: (lo, hi)}`` at ``level``.

        :level: any real number strictly between 0 and 1 (``Fraction``, ``Decimal``
            and numpy scalars included); z = -ndtri((1 - level) / 2)
        :method: ``"wald"`` (the default) or ``"profile"``
        :returns: ``"wald"``: estimate -+ z se unless the family says otherwise
            (uniform: exact). A Wald interval is the textbook one: it is not clipped to
            the parameter space, so near a boundary it can leave it (bernoulli 9 of 10
            gives an upper bound above 1, exponential a negative lower bound) or be
            degenerate (se = 0 at p = 0 or 1). A bound beyond the float64 range is
            +-inf.

            ``"profile"``: the likelihood-ratio interval of each parameter theta_j,
            {theta_j : 2 (loglik - max over the other parameters of l) <= q} with q the
            chi-square(1) quantile z^2 at ``level`` (Wilks). Each bound is bracketed
            by steps of se, 2 se, 4 se, ... from the MLE and found by brentq to
            rounding (the deviance there equals q to ~1e-13 at n = 1000, ~1e-10 at
            n = 1e6, where the log-likelihood is ~1e6). The interval stays in the
            parameter space: a bound that does not exist inside it is reported as the
            edge of the space (bernoulli with every x = 0 gives lower bound 0.0;
            poisson with every x = 0 lower bound 0.0; a positive parameter whose
            profile never drops by q / 2 would get 0.0 or inf). Categorical p gets
            one interval per entry (the other entries profiled out), as two arrays.
            Uniform (not regular, Wilks' theorem does not hold) returns its exact
            intervals, the same as ``"wald"`` gives it.
        :raises: ValueError: a level outside (0, 1); an unknown method (the message
            lists the methods)
        """
        alpha = non_coverage(self.family, level)
        z = float(-ndtri(alpha / 2))  # not ndtri(0.5 + level / 2): it rounds to 1
        if method == "wald":
            intervals = None if self._model is None else self._model.intervals
            return wald(self, z) if intervals is None else intervals(self, alpha, z)
        if method == "profile":
            return self._family_object("a profile interval").profile_intervals(
                self, alpha, z
            )
        raise ValueError(
            f"{self.family}: unknown interval method {method!r}; methods: "
            "'wald', 'profile'"
        )

    def cov(self, kind: str | None = None) -> np.ndarray:
        """The inverse of the Fisher information of the whole sample at the MLE, a
        read-only 2-D array with rows and columns in parameter order.

        :kind: None (the default): the kind ``se`` comes from: ``"observed"`` for a
            censored fit and for normal_mixture, else ``"expected"``.
            ``"expected"``: the expected information n I(theta) at the estimate;
            the square roots of the diagonal are ``se`` (uniform excepted).
            ``"observed"``: minus the Hessian of the log-likelihood at the estimate,
            analytic per family. They coincide at the MLE for the exponential
            families (bernoulli, binomial, categorical, poisson, geometric,
            exponential, normal, lognormal, gamma: the score equations make the
            sufficient statistics equal their expectations) and differ for the
            Weibull (ball bearings: se(shape) 0.342 expected, 0.329 observed).
        :categorical: the K x K covariance (diag(p) - p p^T) / n of all K entries of
            p; its top-left (K - 1) x (K - 1) block is the inverse information in the
            free coordinates p_0..p_{K-2} (p_{K-1} = 1 - their sum), and the matrix
            is singular (rows sum to 0) because the entries sum to 1
        :boundary: where the estimate is on the edge of the parameter space (p = 0
            or 1, lam = 0) the information is infinite and the covariance 0, as se is;
            an information that is 0 in some direction gives inf there
        :raises: ValueError: an unknown kind (the message lists the kinds); uniform
            (no Fisher information: its support depends on the parameters); laplace
            with ``"observed"`` (the log-likelihood is piecewise linear in mu, so
            its Hessian does not exist at the median)
        """
        if kind is None:
            kind = (
                "observed"
                if self.failures is not None
                else getattr(self._model, "se_kind", "expected")
            )
        return self._family_object("cov").covariance(self, kind)

    def profile(self, name: str, value: float, index: int | None = None) -> float:
        """The profile log-likelihood of parameter ``name`` at ``value``: the
        log-likelihood maximised over the other parameters with ``name`` fixed.

        Equal to ``loglik`` at the estimate and below it elsewhere; the profile
        interval of :meth:`ci` is where 2 (loglik - profile) <= the chi-square(1)
        quantile. ``index`` picks the entry of an array parameter (categorical p,
        the others kept proportional to their counts). Returns -inf where the
        likelihood is 0 (a probability of 0 for an observed outcome).

        :raises: ValueError: an unknown parameter, a value outside the parameter
            space, a missing or invalid index
        """
        return self._family_object("profile").profile_loglik(self, name, value, index)

    def _title(self) -> str:
        known = "".join(f", {name}={value}" for name, value in self.known.items())
        return (
            f"mlelib.Fit: {self.family}{known}, n={self.n}{self._censoring()}, "
            f"loglik={self.loglik:.6g}, "
            f"iterations={self.iterations}"
        )

    def _censoring(self) -> str:
        if self.failures is None:
            return ""
        return f" ({self.failures} failures, {self.n - self.failures} censored)"

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
