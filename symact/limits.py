"""Limits at +-oo that are cross-checked, since sympy.limit is sometimes wrong.

(SymPy 1.14 gives limit(silu'(x), x, oo) = 0 from one form and 1 from another.) A
symbolic limit is accepted only when it agrees with 50-digit evaluation far out. Numeric
code only needs the limit as a float: `float_limit` reads it off far-out values and asks
sympy.limit (seconds per call) only when those do not settle.
"""
import functools
import math

import mpmath
import sympy as sp

from .budget import attempt
from .heads import to_elementary
from .reference import mp_function
from .symbols import x


def branch_towards(pw, point):
    """The branch of a Piecewise that holds for all x far enough towards point (+-oo)."""
    for value, condition in pw.args:
        if condition.subs(x, point) == sp.true:
            return value
    return sp.nan


FAR = (20, 40, 300)  # float_limit looks at x = +-10^k


def float_limit(expr, point):
    """lim expr as x -> point (+-oo) as a float: the common float value of expr at
    +-10^20, 10^40, 10^300 when those agree (0.0 and 1.0 for sigmoid), +-inf when they
    grow past 10^200 (x, x*Phi(x)), else sympy.limit's value, else +-0.0 when they shrink
    below 10^-200; NaN when there is none."""
    tail = expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda pw: branch_towards(pw, point))
    if tail.has(sp.nan):
        return math.nan
    sign = 1 if point == sp.oo else -1
    far = _far_out(mp_function(tail), sign, FAR)
    shrinking = False
    if far is not None and all(mpmath.im(v) == 0 for v in far):
        floats = [float(mpmath.re(v)) for v in far]
        if len(set(floats)) == 1:
            return floats[0]
        growing = all(abs(b) > abs(a) and a * b > 0 for a, b in zip(floats, floats[1:]))
        if growing and abs(floats[-1]) > 1e200:
            return math.copysign(math.inf, floats[-1])
        shrinking = all(0 < abs(b) < abs(a) and (a > 0) == (b > 0)  # a b underflows
                        for a, b in zip(floats, floats[1:]))
        shrinking = shrinking and abs(floats[-1]) < 1e-200
    value = limit_at(expr, point)
    if value is None and shrinking:
        # SymPy has no limits through LambertW: 2 W(x^2)/(x (1 + W(x^2))) ~ 4 log(x)/x is
        # 1e-297 at 10^300, far below any float it could settle at
        return math.copysign(0.0, floats[-1])
    return math.nan if value is None else float(value)


FAR_SECONDS = 2  # per set of far-out values: mpmath's e^-(e^(10^6)) alone takes over 3 s


def _far_out(evaluate, sign, exponents):
    """evaluate(sign * 10^k) for each k, or None where mpmath fails (a division by 0,
    an exponent too large to hold) or does not finish within FAR_SECONDS: a doubly
    exponential tail such as Gompertz's e^-(e^-x) makes it reduce e^(10^8) at 10^8 bits."""
    def run():
        try:
            return [evaluate(mpmath.mpf(sign) * mpmath.mpf(10) ** k) for k in exponents]
        except (ZeroDivisionError, ValueError, OverflowError, TypeError, MemoryError):
            return None
    return attempt(run, seconds=FAR_SECONDS)


def _far_values(expr, point):
    """expr at +-10^4 and +-10^8 at 60 digits; at 10^3 and 10^4 when the first pair
    cannot be had (a doubly exponential tail); None when neither can."""
    f = sp.lambdify(x, expr, modules="mpmath")
    sign = 1 if point == sp.oo else -1
    with mpmath.workdps(60):
        for exponents in ((4, 8), (3, 4)):
            values = _far_out(f, sign, exponents)
            if values is not None:
                return values
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


@functools.lru_cache(maxsize=4096)
def limit_at(expr, point, seconds=10):
    """lim expr as x -> point (+-oo), as a SymPy number; None if unknown or nonexistent."""
    tail = expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda pw: branch_towards(pw, point))
    tail = to_elementary(tail)
    if tail.has(sp.nan):
        return None
    far = _far_values(tail, point)
    # lazily: simplify can use the whole budget, which a limit found at once never needs
    forms = (lambda: tail, lambda: sp.together(tail),
             lambda: attempt(sp.simplify, tail, seconds=seconds),
             lambda: _lambert_asymptotic(tail))
    for make in forms:
        form = make()
        if form is None:
            continue
        value = attempt(sp.limit, form, x, point, seconds=seconds)
        if value is not None and value.is_number and (value.is_extended_real) \
                and _consistent(value, far):
            return value
    return None


def _lambert_asymptotic(expr):
    """expr with each W(u) (LambertW) as log(u) - log(log(u)), its asymptotic form as
    u -> oo, where SymPy's limit knows nothing of W (W(x^2) at +-oo stayed unevaluated); a
    limit of this form counts only where 50-digit values far out agree with it. None when
    expr has no W."""
    if not expr.has(sp.LambertW):
        return None
    return expr.replace(lambda e: isinstance(e, sp.LambertW) and len(e.args) == 1,
                        lambda e: sp.log(e.args[0]) - sp.log(sp.log(e.args[0])))
