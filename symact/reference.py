"""High-precision reference values: a definition evaluated with mpmath (the accuracy truth).

Cancellation (1 + erf(-21) at x = -30 for GELU) can eat any fixed precision, so a value
is accepted only when two working precisions agree to `DIGITS` digits; otherwise the
precision doubles, up to MAX_DIGITS.
"""
import mpmath
import sympy as sp
from sympy.codegen.cfunctions import log1p

from .heads import Phi, softplus, to_elementary
from .symbols import x


def _mp_form(expr):
    """Heads in forms that do not cancel at any precision (log(1 + e^-316) is 0 at 120
    digits, log1p is not), then the rest in elementary functions, with log(1 + u) as
    log1p(u) wherever a user wrote it (x log(1 + e^x))."""
    expr = expr.replace(softplus, lambda u: log1p(sp.exp(u)))
    # not erfc(-u/sqrt 2)/2: SymPy rewrites erfc(-z) as 2 - erfc(z), which cancels
    expr = expr.replace(Phi, _NCDF)
    return to_elementary(expr).replace(_is_log_one_plus, lambda e: log1p(e.args[0] - 1))


def _is_log_one_plus(expr):
    """Whether expr is log(1 + u) (sympy.codegen's log1p_opt factors, slowly)."""
    return isinstance(expr, sp.log) and isinstance(expr.args[0], sp.Add) \
        and sp.S.One in expr.args[0].args


_NCDF = sp.Function("ncdf")
_MODULES = [{"ncdf": mpmath.ncdf}, "mpmath"]

DIGITS = 50
MAX_DIGITS = 3200


def mp_function(expr, digits=DIGITS):
    """f(t) correct to `digits` significant digits, computed with mpmath."""
    expr = sp.sympify(expr)
    if expr.free_symbols - {x}:
        raise ValueError(f"unset symbols {sorted(map(str, expr.free_symbols - {x}))}")
    stable = sp.lambdify(x, _mp_form(expr), modules=_MODULES)
    plain = sp.lambdify(x, to_elementary(expr).replace(sp.erfc, lambda u: 1 - sp.erf(u)),
                        modules="mpmath")

    def raw(point):
        try:
            return stable(point)
        except OverflowError:  # mpmath's erfc fails for |u| ~ 1e300; erf saturates there
            return plain(point)

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

    evaluate.raw = raw  # one evaluation at the caller's precision, for smooth stretches
    return evaluate


def value(expr, point, digits=DIGITS):
    """expr at point (a float, string or mpf) to `digits` significant digits."""
    with mpmath.workdps(digits):
        return mp_function(expr, digits)(point)
