"""Kinks: the points where an element-wise definition is not differentiable."""
import sympy as sp

from .budget import attempt
from .calculus import differentiate, normalize
from .symbols import x


def candidates(expr):
    """Real points where a branch of expr may switch: the boundaries of Piecewise
    conditions linear in x and the zeros of linear arguments of Abs and sign."""
    expr = normalize(expr)
    points = set()
    for relation in expr.atoms(sp.core.relational.Relational):
        points |= _linear_root(relation.lhs - relation.rhs)
    for function in expr.atoms(sp.Abs, sp.sign):
        points |= _linear_root(function.args[0])
    return sorted(points, key=lambda p: (float(p), sp.srepr(p)))


def _linear_root(difference):
    difference = sp.expand(difference)
    if not difference.has(x):
        return set()
    slope = difference.diff(x)
    if slope.has(x) or slope == 0:
        return set()
    root = -(difference - slope * x) / slope
    return {root} if root.is_real else set()


def kinks(expr):
    """The candidate points where f is not differentiable: where the one-sided limits of
    f' differ (a jump of the slope) or f itself jumps. Exact, for numeric expressions."""
    expr = normalize(expr)
    derivative = differentiate(expr, tidied=False)
    found = []
    for point in candidates(expr):
        if _jumps(expr, point) or _jumps(derivative, point):
            found.append(point)
    return found


def _jumps(expr, point):
    """Whether the one-sided limits of expr at point differ (decided symbolically, each
    limit under a time budget; an unknown limit counts as a jump only if the two
    50-digit values just beside the point differ)."""
    # x = point -+ h with h > 0 decides every Piecewise condition near the point
    h = sp.Symbol("h", positive=True)
    limits = [attempt(sp.limit, sp.piecewise_fold(expr.subs(x, point + side * h)), h, 0, "+",
                      seconds=10) for side in (-1, 1)]
    if all(limit is not None and limit.is_finite for limit in limits):
        return sp.simplify(limits[0] - limits[1]) != 0
    offset = sp.Rational(1, 10**30)
    left, right = (sp.N(expr.subs(x, point + side * offset), 50) for side in (-1, 1))
    return abs(left - right) > sp.Rational(1, 10**20)
