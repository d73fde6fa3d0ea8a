"""Accuracy in ULPs against 50-digit mpmath, on the float64 grid of the conventions.

Error of a float y against the true value t: |y - t| / ulp(t), ulp(t) = 2^(floor(log2|t|) - 52),
never below 2^-1074. Allowed: 4 ULP plus the conditioning term 2 |x g'(x)| 2^-53 (in ULPs
of t), which no float formula can avoid near a root of g'. Used by the tests and bench/.
"""
import math
import warnings

import mpmath
import numpy as np
import sympy as sp

from . import calculus
from .budget import attempt
from .reference import mp_function

TINY = mpmath.mpf(2) ** -1074
POLE = "pole"  # the truth divides by zero there: +-inf or NaN are both acceptable
# mpmath cannot hold the truth's intermediate values there (e^-(e^(10^300)) has an
# exponent of 10^300 digits): measure leaves the point unjudged and lists it
UNREACHABLE = "unreachable"
BOUND_ULPS = 4.0
# Round to nearest sends everything from max + ulp/2 = 2^1024 (1 - 2^-54) up to infinity.
OVERFLOW = mpmath.mpf(2) ** 1024 * (1 - mpmath.mpf(2) ** -54)


def grid(per_decade=2, step=0.1, random_points=200, seed=0):
    """The float64 test grid: +-logspace over [1e-300, 1e3], dense [-60, 60], the float64
    and float32 overflow edges with neighbours, huge values, subnormals, 0 and random
    normal points, sorted and unique. per_decade and step set the density (the tests use
    a sparser grid than the benchmark)."""
    logs = np.logspace(-300, 3, int(303 * per_decade) + 1)
    dense = np.arange(-60, 60 + step / 2, step)
    edges = [709.782712893384, 709.78, 710.0, 745.1332191019411, 745.13, 746.0,
             88.72283935546875, 88.7, 103.97208, 103.9, 36.7, 37.0, 20.0]
    near_edges = [np.nextafter(e, d) for e in edges for d in (-np.inf, np.inf)]
    huge = [1e10, 1e15, 1e20, 1e100, 1e200, 1e300, np.finfo(np.float64).max]
    subnormal = [5e-324, 1e-320, 1e-310, np.finfo(np.float64).tiny,
                 np.nextafter(np.finfo(np.float64).tiny, 0)]
    positive = np.concatenate([logs, edges, near_edges, huge, subnormal])
    rng = np.random.default_rng(seed)
    points = np.concatenate([positive, -positive, dense, rng.standard_normal(random_points),
                             3 * rng.standard_normal(random_points // 2)])
    return np.unique(np.concatenate([points, [0.0]]))


def ulp(t):
    """ulp of an mpmath value, as an mpf (never below the smallest subnormal)."""
    if t == 0:
        return TINY
    return max(mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(t), 2)) - 52), TINY)


REFERENCE_SECONDS = 5  # of CPU time per value: mpmath takes milliseconds where it can


def _truth(function, point):
    """function(point), or the marker for why there is none (see Reference.at)."""
    try:
        return function(point)
    except ZeroDivisionError:
        return POLE
    except ValueError:
        return None
    except (OverflowError, MemoryError):
        return UNREACHABLE


class Reference:
    """The truth t(x) and the conditioning allowance of one expression."""

    def __init__(self, expr):
        self.expr = sp.sympify(expr)
        self.value = mp_function(self.expr)
        slope = calculus.differentiate(self.expr, 1, tidied=False)
        self.slope = mp_function(slope) if not slope.has(sp.DiracDelta) else None

    def at(self, point):
        """(t, allowed error in ULPs) at a float point; t is None outside the domain,
        POLE where the definition divides by zero and UNREACHABLE where mpmath cannot
        hold the intermediate values or takes over REFERENCE_SECONDS (Gompertz's
        e^-(e^-x) at x = -10^10 reduces e^(10^10) to as many bits)."""
        with mpmath.workdps(50):
            p = mpmath.mpf(float(point))
            t = attempt(_truth, self.value, p, seconds=REFERENCE_SECONDS, default=UNREACHABLE)
            if t is POLE or t is None or t is UNREACHABLE:
                return t, 0.0
            if abs(mpmath.im(t)) > 0:
                return None, 0.0
            t = mpmath.re(t)
            condition = 0.0
            if self.slope is not None and mpmath.isfinite(t):
                g = attempt(_truth, self.slope, p, seconds=REFERENCE_SECONDS)
                if g is None or g is POLE or g is UNREACHABLE:
                    condition = math.inf
                else:
                    condition = float(2 * abs(p * mpmath.re(g)) * mpmath.mpf(2) ** -53 / ulp(t))
            return t, BOUND_ULPS + condition


def ulp_error(value, t):
    """Error of a float against an mpmath truth in ULPs of the truth (inf for wrong inf/NaN)."""
    value = float(value)
    if t is UNREACHABLE:
        return 0.0  # not judged: measure lists such points
    if t is POLE:
        return 0.0 if math.isnan(value) or math.isinf(value) else math.inf
    if t is None:
        return 0.0 if math.isnan(value) else math.inf
    if mpmath.isinf(t):
        return 0.0 if value == float(t) else math.inf
    if abs(t) >= OVERFLOW:
        return 0.0 if value == math.copysign(math.inf, t) else math.inf  # rounds to +-inf
    if math.isnan(value) or math.isinf(value):
        return math.inf
    if abs(t) < TINY / 2 and value == 0.0:
        return 0.0  # below the subnormal range: 0 is the correctly rounded answer
    with mpmath.workdps(50):
        return float(abs(mpmath.mpf(value) - t) / ulp(t))


def measure(function, expr, points=None):
    """Worst ULP error and its point, worst excess over the allowed bound and its point and
    the warnings raised, for function against expr on points (the grid by default),
    and the points mpmath could not evaluate the truth at ('unjudged')."""
    points = grid() if points is None else np.asarray(points, dtype=np.float64)
    reference = Reference(expr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = np.asarray(function(points), dtype=np.float64)
    worst, worst_at, worst_excess, where, unjudged = 0.0, None, -math.inf, None, []
    for point, value in zip(points, values):
        t, allowed = reference.at(point)
        if t is UNREACHABLE:
            unjudged.append(float(point))
            continue
        error = ulp_error(value, t)
        if error > worst or worst_at is None:
            worst, worst_at = error, float(point)
        if error - allowed > worst_excess:
            worst_excess, where = error - allowed, float(point)
    return {"max_ulp": worst, "max_at": worst_at, "excess": worst_excess, "at": where,
            "warnings": sorted({str(w.message) for w in caught}), "unjudged": unjudged}
