"""Newton's method for a monotone profile score, safeguarded by a bracket.

The profile equations of the shape parameters (Weibull, gamma) have exactly one root on (0, inf),
and the score changes sign there. Newton steps converge quadratically from a good start; the
bracket [lo, hi] known to contain the root shrinks with every evaluation, and a step that would
leave it is replaced by bisection (geometric while the bracket spans orders of magnitude), so the
iteration converges for every valid sample.
"""

from __future__ import annotations

import math
from typing import Callable

EPS = 2.0**-52
RTOL = 8 * EPS  # a step this small (relative) is below the rounding of the score: stop
MAX_STEPS = 200  # bisection alone halves a bracket spanning 1e-300..1e300 to 1e-15 in ~60 steps

Score = Callable[[float], tuple[float, float, object]]


def solve(score: Score, start: float, increasing: bool = True) -> tuple[float, int, object]:
    """The root of ``score`` on (0, inf), starting from ``start`` > 0.

    ``score(x)`` returns (value, slope, extra); the value must be monotone in x (``increasing``
    says which way) with one sign change. Returns (root, steps, extra at the root), where steps
    counts the Newton (or bisection) updates taken.
    """
    lo, hi = 0.0, math.inf
    x, steps, previous = start, 0, math.inf
    while True:
        value, slope, extra = score(x)
        if value == 0 or steps == MAX_STEPS:
            return x, steps, extra
        if (value < 0) == increasing:
            lo = x
        else:
            hi = x
        step = -value / slope
        target = x + step
        if not lo < target < hi:  # also catches a NaN or infinite step
            target = _bisect(lo, hi)
        elif abs(step) <= RTOL * x or (abs(step) >= previous / 2 and previous <= 1e-10 * x):
            return x, steps, extra  # converged, or the steps no longer shrink: rounding noise
        if hi - lo <= RTOL * x:
            return x, steps, extra
        previous = abs(target - x)
        x = target
        steps += 1


def _bisect(lo: float, hi: float) -> float:
    """A point inside (lo, hi): grow or shrink by 4 while one side is open, else the (geometric) middle."""
    if hi == math.inf:
        return 4 * lo
    if lo == 0:
        return hi / 4
    return math.sqrt(lo * hi) if hi > 4 * lo else lo + (hi - lo) / 2
