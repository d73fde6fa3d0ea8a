"""High-precision reference values: a definition evaluated with mpmath (the accuracy truth).

Cancellation (1 + erf(-21) at x = -30 for GELU) can eat any fixed precision, so a value
is accepted only when two working precisions agree to `DIGITS` digits; otherwise the
precision doubles, up to MAX_DIGITS.
"""
import mpmath
import sympy as sp

from .heads import to_elementary
from .symbols import x

DIGITS = 50
MAX_DIGITS = 3200


def mp_function(expr, digits=DIGITS):
    """f(t) correct to `digits` significant digits, computed with mpmath."""
    expr = to_elementary(sp.sympify(expr))
    if expr.free_symbols - {x}:
        raise ValueError(f"unset symbols {sorted(map(str, expr.free_symbols - {x}))}")
    raw = sp.lambdify(x, expr, modules="mpmath")

    def evaluate(point):
        point = mpmath.mpf(point) if not isinstance(point, mpmath.mpf) else point
        work = max(digits, mpmath.mp.dps) + 10  # callers such as mpmath.diff raise mp.dps
        with mpmath.workdps(work):
            previous = raw(point)
        while work < MAX_DIGITS:
            work *= 2
            with mpmath.workdps(work):
                current = raw(point)
            if current == 0:
                break  # zero may be cancellation at every precision so far: confirm below
            if previous == current or abs(current - previous) <= abs(current) * mpmath.mpf(10) ** -(max(digits, mpmath.mp.dps) + 2):
                return +current
            previous = current
        with mpmath.workdps(MAX_DIGITS):
            return +raw(point)

    return evaluate


def value(expr, point, digits=DIGITS):
    """expr at point (a float, string or mpf) to `digits` significant digits."""
    with mpmath.workdps(digits):
        return mp_function(expr, digits)(point)
