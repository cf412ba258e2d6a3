"""Formulas that avoid cancellation where the textbook expression loses digits.

Used on data with a small relative spread (log x nearly constant), at huge shapes (a
log a - a - lgamma(a) cancels), and at huge counts (x log lam - lam - log x! cancels).
"""

from __future__ import annotations

import math
import sys

import numpy as np
from scipy.special import gammaln

LOG_2PI = math.log(2 * math.pi)
TINY = sys.float_info.min  # the smallest normal float64
HUGE = sys.float_info.max

# lgamma(a) = (a - 1/2) log a - a + log(2 pi) / 2 + R(a) with Stirling's series
# R(a) = sum_k B_2k / (2k (2k - 1) a^(2k - 1)): from a = 10 on, these eight terms give R
# to float64 accuracy.
_STIRLING = (
    1 / 12,
    -1 / 360,
    1 / 1260,
    -1 / 1680,
    1 / 1188,
    -691 / 360360,
    1 / 156,
    -3617 / 122400,
)
STIRLING_FROM = 10.0


def stirling_remainder(a):
    """R(a) = lgamma(a) - (a - 1/2) log a + a - log(2 pi) / 2, accurate for a >= 10.

    Equal to Loader's stirlerr(a) = lgamma(a + 1) - (a + 1/2) log a + a - log(2 pi) / 2.
    Works on floats and on numpy arrays.
    """
    u = 1 / (a * a)
    total = _STIRLING[-1]
    for coefficient in reversed(_STIRLING[:-1]):
        total = total * u + coefficient
    return total / a


def a_log_a_minus_a_minus_lgamma(a: float) -> float:
    """a log a - a - lgamma(a) without cancellation at large a.

    Below STIRLING_FROM the terms are small and the direct difference is exact to a few
    ulps; above it the difference is log(a) / 2 - log(2 pi) / 2 - R(a).
    """
    if a < STIRLING_FROM:
        return a * math.log(a) - a - float(gammaln(a))
    return 0.5 * (math.log(a) - LOG_2PI) - stirling_remainder(a)


def log_ratio(x: np.ndarray, c: float) -> np.ndarray:
    """log(x / c) for positive x and c, to a few ulps of the result itself.

    log(x) - log(c) loses the digits that x and c share; here x - c is exact for
    c / 2 <= x <= 2 c (Sterbenz), so log1p((x - c) / c) keeps them. Values far from c
    use log(x / c), or log(x) - log(c) where x / c leaves the normal float64 range.
    """
    with np.errstate(all="ignore"):
        d = np.subtract(x, c)
        d /= c
        t = np.log1p(d)
        far = ~((d >= -0.5) & (d <= HUGE))
        if far.any():
            t[far] = _log_ratio_far(x[far], c)
    return t


def _log_ratio_far(x: np.ndarray, c: float) -> np.ndarray:
    with np.errstate(all="ignore"):
        r = x / c
        t = np.log(r)
        outside = ~((r >= TINY) & (r <= HUGE))
        if outside.any():
            t[outside] = np.log(x[outside]) - math.log(c)
    return t


def d_minus_log1p(d: np.ndarray) -> np.ndarray:
    """d - log1p(d) >= 0 for d > -1, to a few ulps also where it is ~d^2 / 2.

    With u = d / (2 + d), log1p(d) = 2 atanh(u) and d = 2u / (1 - u), so
    d - log1p(d) = 2 u^2 / (1 - u) - 2 (u^3 / 3 + u^5 / 5 + ...): no cancellation for
    abs(d) < 0.1 (abs(u) < 0.053, eight terms). Elsewhere the difference is exact.
    """
    with np.errstate(all="ignore"):
        out = d - np.log1p(d)
        near = np.abs(d) < 0.1
        if near.any():
            dn = d[near]
            u = dn / (2 + dn)
            u2 = u * u
            odd = 1 / 17
            for k in (15, 13, 11, 9, 7, 5, 3):
                odd = odd * u2 + 1 / k
            out[near] = 2 * u2 / (1 - u) - 2 * u * u2 * odd
    return out


def bd0(x, mean):
    """x log(x / mean) + mean - x >= 0 (Loader's deviance term), without cancellation.

    For x near mean the series in v = (x - mean) / (x + mean):
    (x - mean) v + 2 x (v^3 / 3 + v^5 / 5 + ...). Arrays of x > 0, mean > 0.
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        out = x * np.log(x / mean) + mean - x
        near = np.abs(x - mean) < 0.1 * (x + mean)
        if np.any(near):
            xn = x[near] if out.ndim else x
            v = (xn - mean) / (xn + mean)
            v2 = v * v
            odd = 1 / 21
            for k in (19, 17, 15, 13, 11, 9, 7, 5, 3):
                odd = odd * v2 + 1 / k
            value = (xn - mean) * v + 2 * xn * v * v2 * odd
            if out.ndim:
                out[near] = value
            else:
                out = value
    return out


def stirlerr(v: np.ndarray) -> np.ndarray:
    """log(v!) - (v + 1/2) log v + v - log(2 pi) / 2 for v >= 1 (Loader's stirlerr)."""
    v = np.asarray(v, dtype=np.float64)
    small = v < STIRLING_FROM
    out = stirling_remainder(np.where(small, STIRLING_FROM, v))
    if np.any(small):
        w = v[small]
        out[small] = gammaln(w + 1) - (w + 0.5) * np.log(w) + w - 0.5 * LOG_2PI
    return out


def poisson_log_pmf(v: np.ndarray, lam: float) -> np.ndarray:
    """log P(v | lam) for integers v >= 0 and lam > 0, without cancellation at huge v.

    Loader (2000): -stirlerr(v) - bd0(v, lam) - log(2 pi v) / 2, and -lam at v = 0.
    """
    v = np.asarray(v, dtype=np.float64)
    positive = np.maximum(v, 1.0)
    out = -stirlerr(positive) - bd0(positive, lam) - 0.5 * (LOG_2PI + np.log(positive))
    return np.where(v == 0, -lam, out)


def binomial_log_pmf(v: np.ndarray, trials: int, p: float) -> np.ndarray:
    """log P(v | trials, p) for integers 0 <= v <= trials and 0 < p < 1.

    Loader (2000): stirlerr(N) - stirlerr(v) - stirlerr(N - v) - bd0(v, N p)
    - bd0(N - v, N (1 - p)) - log(2 pi v (N - v) / N) / 2; N log1p(-p) at v = 0 and
    N log p at v = N. No cancellation between log C(N, v) and v log p at huge N.
    """
    v = np.asarray(v, dtype=np.float64)
    edge = np.where(v == 0, trials * math.log1p(-p), trials * math.log(p))
    if trials == 1:
        return edge
    inner = np.clip(v, 1.0, trials - 1.0)
    rest = trials - inner
    successes = trials * p
    failures = trials * (1 - p) if p >= 0.5 else trials - successes
    out = (
        stirlerr(np.array([float(trials)]))[0]
        - stirlerr(inner)
        - stirlerr(rest)
        - bd0(inner, successes)
        - bd0(rest, failures)
        - 0.5 * (LOG_2PI + np.log(inner) + np.log(rest / trials))
    )
    return np.where((v == 0) | (v == trials), edge, out)
