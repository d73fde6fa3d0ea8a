"""Where far out even the long-double formula fails and the function has reached its limit.

The repair pass recomputes the float64 tails in long double, whose exp overflows beyond
x = 11356.5. Further out a difference of two terms that overflow together is inf - inf:
(x e^x - e^x + 1)/(x^2 + 1) gave NaN from x = 11357 on, where it is inf. Where the probe
finds the long-double formula NaN at a finite input (or infinite, where the limit is
finite), the function's value, rounded to float64, is checked against its limit at +-inf
by mpmath, from the last probe input before the failure to the end of the float line;
where it is the limit at every such input, the generated code gives the limit from that
input on (REACHED), as it does at +-inf.
"""
import math

import mpmath
import numpy as np

from .budget import attempt
from .probe import FAR, probe_points
from .reference import mp_function

CHECK_STEP = 8  # the limit is checked at every 2^8-th power of 2 beyond the failure
CHECK_SECONDS = 1  # per value: mpmath takes milliseconds where it can


def reached_limits(expr, body, limits, safe):
    """(low, high): below low and above high the function is its limit at -inf and +inf
    in float64, and there the long-double formula fails (NaN, or +-inf towards a finite
    limit) at some input the repair pass gets (outside `safe`, or where float64 gives NaN
    too); -inf, inf where it does not or the function is not shown to have reached its
    limit."""
    points = probe_points()
    points = points[np.abs(points) >= FAR]
    try:
        with np.errstate(all="ignore"):
            wide = np.broadcast_to(body(points.astype(np.longdouble)), points.shape)
            narrow = np.broadcast_to(body(points), points.shape)
    except TypeError:  # no long-double loop: the repair pass adds nothing to lose
        return -math.inf, math.inf
    repaired = (points < safe[0]) | (points > safe[1]) | np.isnan(narrow)
    reached = [-math.inf, math.inf]
    value = None
    for side, limit in ((-1, limits[0]), (1, limits[1])):
        mine = np.sign(points) == side
        # towards a finite limit, an infinite long-double value fails too: the derivative
        # of sqrt(softplus(x)), sigma(x)/(2 sqrt(softplus(x))), was inf from x = -1e5 on,
        # where softplus underflows in long double before sigma does
        bad = ~np.isfinite(wide) if math.isfinite(limit) else np.isnan(wide)
        failed = bad & repaired & mine
        if math.isnan(limit) or not failed.any():
            continue
        first = np.abs(points[failed]).min()
        before = np.abs(points[mine & ~bad])
        before = before[before < first]
        if before.size == 0:
            continue
        start = side * float(before.max())
        value = value or mp_function(expr)
        if _limit_from(value, start, limit):
            reached[(side + 1) // 2] = start
    return tuple(reached)


def _limit_from(value, start, limit):
    """Whether value(t), rounded to float64, is `limit` at start and at every CHECK_STEP-th
    power of 2 beyond it (and at the largest float) on its side."""
    side = math.copysign(1.0, start)
    exponents = range(math.ceil(math.log2(abs(start))), 1024, CHECK_STEP)
    checks = [start] + [side * 2.0**k for k in exponents] + [side * float(np.finfo(float).max)]
    for point in checks:
        with mpmath.workdps(30):
            t = attempt(_value_or_none, value, mpmath.mpf(point), seconds=CHECK_SECONDS)
            if t is None or mpmath.im(t) != 0 or float(mpmath.re(t)) != limit:
                return False
    return True


def _value_or_none(value, point):
    """value(point), or None where mpmath cannot give it (a pole, outside the domain,
    an intermediate it cannot hold)."""
    try:
        return value(point)
    except (ZeroDivisionError, ValueError, OverflowError, MemoryError):
        return None
