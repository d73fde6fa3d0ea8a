"""High-precision reference values: a definition evaluated with mpmath (the accuracy truth)."""
import mpmath
import sympy as sp

from .heads import to_elementary
from .symbols import x

DIGITS = 50


def mp_function(expr):
    """f(t) evaluated with mpmath at the working precision; heads rewritten to exp/erf."""
    expr = to_elementary(sp.sympify(expr))
    if expr.free_symbols - {x}:
        raise ValueError(f"unset symbols {sorted(map(str, expr.free_symbols - {x}))}")
    return sp.lambdify(x, expr, modules="mpmath")


def value(expr, point, digits=DIGITS):
    """expr at point (a float, string or mpf) with `digits` significant digits."""
    with mpmath.workdps(digits):
        return mp_function(expr)(mpmath.mpf(point))
