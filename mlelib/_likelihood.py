"""Likelihood-based inference shared by the families: the covariance as the inverse of
the information, and profile-likelihood (likelihood-ratio) intervals found by
bracketing and root finding.

What is particular to a family (its information matrix, its profile log-likelihood)
lives in the family's module; this module only inverts and solves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq

from ._fit import read_only
from ._precise import bd0, d_minus_log1p

KINDS = ("expected", "observed")

# a bracket grows by doubling from the MLE; doubling from 1e-300 to 1e308 or halving to
# the smallest subnormal takes about 2100 steps, so this many always reach an edge
MAX_STEPS = 2200
# brentq needs finite values: a drop beyond this (the likelihood underflowed) counts
# as this
HUGE_DROP = 1e300
RTOL = 4 * np.finfo(float).eps  # brentq's smallest relative tolerance


class Domain(NamedTuple):
    """A parameter space on the real line: the test of membership, its description
    (with ``{name}`` for the parameter), and its edges (profile intervals stop at an
    edge; an included edge is a possible value, e.g. p = 0)."""

    test: Callable[[float], bool]
    text: str
    low: float = -math.inf
    high: float = math.inf
    low_included: bool = False
    high_included: bool = False


def check_kind(family: str, kind) -> None:
    """ValueError unless ``kind`` is a kind of information ('expected' or
    'observed')."""
    if not (isinstance(kind, str) and kind in KINDS):
        raise ValueError(
            f"{family}: unknown kind of information {kind!r}; kinds: "
            + ", ".join(repr(k) for k in KINDS)
        )


def inverse(information: np.ndarray, det: float | None = None) -> np.ndarray:
    """The inverse of a symmetric information matrix (1x1 or 2x2), read-only.

    An infinite information (an estimate on the edge of the parameter space, such as
    bernoulli p = 0, where se = 0) gives variance 0; a zero information gives inf. A
    family whose determinant cancels when formed from the entries passes ``det``
    computed without cancellation.
    """
    info = np.asarray(information, dtype=np.float64)
    if info.shape == (1, 1):
        return read_only(np.array([[_reciprocal(info[0, 0])]]))
    (a, b), (_, d) = info
    if b == 0:
        cov = np.array([[_reciprocal(a), 0.0], [0.0, _reciprocal(d)]])
    else:
        if det is None:
            det = a * d - b * b
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = np.array([[d, -b], [-b, a]]) / det
    return read_only(cov)


def _reciprocal(value: float) -> float:
    return math.inf if value == 0 else 1 / value


# -- profile intervals ------------------------------------------------------------

Drop = Callable[..., float]


def profile_intervals(fit, q: float, drop: Drop, domains: dict) -> dict:
    """Likelihood-ratio intervals ``{name: (lo, hi)}`` for every parameter of ``fit``.

    For each parameter theta_j the interval is {theta_j : 2 drop(theta_j) <= q},
    ``drop(name, value, index)`` being l(MLE) minus the log-likelihood maximised
    over the other parameters with theta_j = value (half the profile deviance), and
    ``q`` the chi-square(1) quantile. Each bound is bracketed by stepping away from
    the MLE (se, 2 se, 4 se, ...; halving the distance to an edge of the parameter
    space once a step would reach it) and then found by brentq to rounding. A bound
    that does not exist inside the parameter space (the drop stays below q / 2 up to
    the edge) is the edge itself. Array parameters (categorical p) get an interval
    per entry, as two arrays.
    """
    out = {}
    for name, estimate in fit.params.items():
        domain, se = domains[name], fit.se[name]
        if isinstance(estimate, np.ndarray):
            bounds = [
                interval(
                    lambda v, i=i, name=name: drop(name, v, i),
                    float(estimate[i]),
                    float(se[i]),
                    q,
                    domain,
                    fit.n,
                )
                for i in range(estimate.size)
            ]
            lows, highs = zip(*bounds)
            out[name] = (np.array(lows), np.array(highs))
        else:
            out[name] = interval(
                lambda v, name=name: drop(name, v), estimate, se, q, domain, fit.n
            )
    return out


def interval(
    drop: Callable[[float], float],
    estimate: float,
    se: float,
    q: float,
    domain: Domain,
    n: int,
) -> tuple[float, float]:
    """(lo, hi) of {v : 2 drop(v) <= q} around ``estimate`` (see profile_intervals).

    The first step is the standard error; where that is 0 (an estimate on an edge)
    it is max(|estimate|, 1) / n, the scale of the likelihood there.
    """
    step = se if 0 < se < math.inf else max(abs(estimate), 1.0) / n
    target = q / 2
    return (
        crossing(drop, estimate, target, step, -1, domain.low, domain.low_included),
        crossing(drop, estimate, target, step, 1, domain.high, domain.high_included),
    )


def crossing(
    drop: Callable[[float], float],
    estimate: float,
    target: float,
    step: float,
    side: int,
    edge: float,
    edge_included: bool,
) -> float:
    """The point on ``side`` (-1 or +1) of ``estimate`` where ``drop`` reaches
    ``target``, or ``edge`` when it stays below it up to there."""
    inside, h = estimate, step
    for _ in range(MAX_STEPS):
        v = estimate + side * h
        if side * (v - edge) >= 0:  # the step reaches the edge: halve the distance
            v = inside + (edge - inside) / 2
            if v == inside or v == edge:
                break
        elif not math.isfinite(v):
            break
        else:
            h *= 2
        if _checked(drop, v) > target:
            return _root(drop, target, inside, v, step)
        inside = v
    if edge_included and math.isfinite(edge) and _checked(drop, edge) > target:
        return _root(drop, target, inside, edge, step)
    return float(edge)


def _checked(drop: Callable[[float], float], v: float) -> float:
    value = float(drop(v))
    if math.isnan(value):  # pragma: no cover - a bug in a family's profile
        raise FloatingPointError(f"the profile log-likelihood is NaN at {v!r}")
    return min(value, HUGE_DROP)


def _root(drop, target: float, inside: float, outside: float, step: float) -> float:
    """brentq on drop - target between ``inside`` (below) and ``outside`` (above)."""
    return float(
        brentq(
            lambda v: _checked(drop, v) - target,
            inside,
            outside,
            xtol=max(step * 1e-15, 1e-300),
            rtol=RTOL,
            maxiter=500,
        )
    )


# -- drops shared by several families ---------------------------------------------


def half_deviance(count: float, mean: float) -> float:
    """count log(count / mean) + mean - count >= 0 without cancellation (Loader's
    bd0), with 0 log 0 = 0: the log-likelihood ratio of a Poisson count at its MLE
    against ``mean``."""
    if count == 0:
        return float(mean)
    if mean == 0 or mean == math.inf:
        return math.inf
    return float(bd0(count, mean))


def binary_drop(successes: float, failures: float, p: float) -> float:
    """l(p_hat) - l(p) for successes log p + failures log(1 - p), p_hat = successes /
    (successes + failures): bd0 terms, exact also where both log-likelihoods are
    huge."""
    trials = successes + failures
    return half_deviance(successes, trials * p) + half_deviance(
        failures, trials * (1 - p)
    )


def ratio_drop(n: float, ratio: float) -> float:
    """n (ratio - 1 - log ratio) >= 0 without cancellation near ratio = 1: the drop of
    n log(theta) - n theta_hat / theta type log-likelihoods, ratio = theta_hat / theta
    (or theta / theta_hat)."""
    if ratio == math.inf:
        return math.inf
    if ratio == 0:
        return math.inf
    return n * float(d_minus_log1p(np.array([ratio - 1.0]))[0])
