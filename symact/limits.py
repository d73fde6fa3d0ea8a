"""Limits at +-oo that are cross-checked, since sympy.limit is sometimes wrong.

(SymPy 1.14 gives limit(silu'(x), x, oo) = 0 from one form and 1 from another.) A
symbolic limit is accepted only when it agrees with 50-digit evaluation far out.
"""
import mpmath
import sympy as sp

from .budget import attempt
from .heads import to_elementary
from .symbols import x


def branch_towards(pw, point):
    """The branch of a Piecewise that holds for all x far enough towards point (+-oo)."""
    for value, condition in pw.args:
        if condition.subs(x, point) == sp.true:
            return value
    return sp.nan


def _far_values(expr, point):
    f = sp.lambdify(x, expr, modules="mpmath")
    sign = 1 if point == sp.oo else -1
    with mpmath.workdps(60):
        try:
            return [f(mpmath.mpf(sign) * mpmath.mpf(10) ** k) for k in (4, 8)]
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None


def _consistent(candidate, far):
    if far is None:
        return False
    if any(abs(mpmath.im(v)) > 1e-30 for v in far):
        return False
    near, last = (mpmath.re(v) for v in far)
    if candidate == sp.oo:
        return last > near > 0
    if candidate == -sp.oo:
        return last < near < 0
    target = mpmath.mpf(float(candidate))
    return abs(last - target) <= 1e-3 * max(1, abs(target))


def limit_at(expr, point, seconds=10):
    """lim expr as x -> point (+-oo), as a SymPy number; None if unknown or nonexistent."""
    tail = expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda pw: branch_towards(pw, point))
    tail = to_elementary(tail)
    if tail.has(sp.nan):
        return None
    far = _far_values(tail, point)
    for form in (tail, sp.together(tail), attempt(sp.simplify, tail, seconds=seconds)):
        if form is None:
            continue
        value = attempt(sp.limit, form, x, point, seconds=seconds)
        if value is not None and value.is_number and (value.is_extended_real) \
                and _consistent(value, far):
            return value
    return None
