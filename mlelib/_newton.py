"""Newton's method for a monotone profile score, safeguarded by a bracket.

The profile equations of the shape parameters (Weibull, gamma) have exactly one root on
(0, inf), and the score changes sign there. Newton steps converge quadratically from a
good start; the bracket [lo, hi] known to contain the root shrinks with every
evaluation, and a step that would leave it is replaced by bisection (geometric while the
bracket spans orders of magnitude), so the iteration converges for every valid sample.
"""

from __future__ import annotations

import math
from collections.abc import Callable

EPS = 2.0**-52
RTOL = 8 * EPS  # a step this small (relative) is below the rounding of the score: stop
MAX_STEPS = (
    200  # bisection alone halves a bracket spanning 1e-300..1e300 to 1e-15 in ~60 steps
)

Score = Callable[[float], tuple[float, float, object]]


def solve(
    score: Score, start: float, increasing: bool = True, last_step: float = 0.0
) -> tuple[float, int, object, float]:
    """The root of ``score`` on (0, inf), starting from ``start`` > 0.

    ``score(x)`` returns (value, slope, extra); the value must be monotone in x
    (``increasing`` says which way) with one sign change. Returns (root, steps, extra,
    offset): ``extra`` is from the last evaluation, at root - offset. ``steps`` counts
    the updates taken (Newton or bisection).

    Newton's error squares with every step, so once a step is below ``last_step``
    (relative) the point it lands on is exact to rounding: it is returned without
    evaluating the score there (offset = that step), for callers whose evaluation is
    expensive and who can correct their extra by a Taylor step. With ``last_step`` = 0
    the search stops at an evaluated point (offset 0).
    """
    lo, hi = 0.0, math.inf
    x, steps, previous = start, 0, math.inf
    while True:
        value, slope, extra = score(x)
        if value == 0 or steps == MAX_STEPS:
            return x, steps, extra, 0.0
        if (value < 0) == increasing:
            lo = x
        else:
            hi = x
        step = -value / slope
        target = x + step
        if not lo < target < hi:  # also catches a NaN or infinite step
            target = _bisect(lo, hi)
        elif abs(step) <= RTOL * x or (
            abs(step) >= previous / 2 and previous <= 1e-10 * x
        ):
            return (
                x,
                steps,
                extra,
                0.0,
            )  # converged, or the steps no longer shrink: rounding noise
        elif abs(step) <= last_step * x and previous < math.inf:
            return (
                target,
                steps + 1,
                extra,
                step,
            )  # the next error is ~step^2: below rounding
        if hi - lo <= RTOL * x:
            return x, steps, extra, 0.0
        previous = abs(target - x)
        x = target
        steps += 1


def _bisect(lo: float, hi: float) -> float:
    """A point inside (lo, hi): grow or shrink by 4 while one side is open, else the
    (geometric) middle."""
    if hi == math.inf:
        return 4 * lo
    if lo == 0:
        return hi / 4
    return math.sqrt(lo * hi) if hi > 4 * lo else lo + (hi - lo) / 2
