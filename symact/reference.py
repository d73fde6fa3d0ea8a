"""High-precision reference values: a definition evaluated with mpmath (the accuracy truth).

Cancellation (1 + erf(-21) at x = -30 for GELU) can eat any fixed precision, so a value
is accepted only when two working precisions agree to `DIGITS` digits; otherwise the
precision doubles, up to MAX_DIGITS. Below |x| = 1 it starts -log10|x| digits higher.
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
    expr = to_elementary(expr).replace(_is_log_one_plus, lambda e: log1p(e.args[0] - 1))
    return expr.replace(lambda e: isinstance(e, sp.Add) and e.has(sp.erf, sp.erfc),
                        _erfc_as_written)


def _erfc_as_written(add):
    """c + c erf(u) and 2c - c erfc(u) as c erfc(-u), c - c erf(u) as c erfc(u), with
    erfc kept as written: SymPy turns erfc(-u) into 2 - erfc(u), whose cancellation at
    u = -27 takes 640 digits (the tiles of x erfc(-x)/2 took minutes)."""
    constant, rest = add.as_coeff_Add()
    if constant == 0:
        return add
    terms = list(sp.Add.make_args(rest))
    for term in terms:
        k, core = term.as_coeff_Mul()
        if isinstance(core, sp.erf) and abs(k) == abs(constant):
            replacement = constant * _ERFC(-sp.sign(k / constant) * core.args[0])
        elif isinstance(core, sp.erfc) and constant == -2 * k:
            replacement = -k * _ERFC(-core.args[0])
        else:
            continue
        others = list(terms)
        others.remove(term)
        return sp.Add(replacement, *others)
    return add


def _is_log_one_plus(expr):
    """Whether expr is log(1 + u) (sympy.codegen's log1p_opt factors, slowly)."""
    return isinstance(expr, sp.log) and isinstance(expr.args[0], sp.Add) \
        and sp.S.One in expr.args[0].args


_NCDF = sp.Function("ncdf")
_ERFC = sp.Function("erfc_as_written")
_MODULES = [{"ncdf": mpmath.ncdf, "erfc_as_written": mpmath.erfc}, "mpmath"]

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
        work = max(digits, mpmath.mp.dps) + 10 + _scale_digits(point)
        previous = _dividing(raw, point, work)
        while work < MAX_DIGITS:
            work *= 2
            current = _dividing(raw, point, work)
            if current is None or previous is None:
                previous = current
                continue  # a division by a difference that cancelled to 0: more digits
            if current == 0:
                break  # zero may be cancellation at every precision so far: confirm below
            if previous == current or abs(current - previous) <= abs(current) * mpmath.mpf(10) ** -(max(digits, mpmath.mp.dps) + 2):
                return +current
            previous = current
        with mpmath.workdps(MAX_DIGITS):
            return +raw(point)

    evaluate.raw = raw  # one evaluation at the caller's precision, for smooth stretches
    return evaluate


def _scale_digits(point):
    """Digits to add at |point| < 1: e^x - 1 and 1 - cos x at x = 1e-310 cancel to 0 at
    every precision below 310 and 620 digits, and a formula that divides them by x then
    gives the same wrong value at two precisions (1/x for (sin x - 2(1 - cos x)/x)/x^2,
    the derivative of (1 - cos x)/x^2): starting at -log10|x| more, the doubling reaches
    the precision where it settles."""
    if point == 0 or abs(point) >= 1:
        return 0
    return int(-mpmath.log10(abs(point))) + 1


def _dividing(raw, point, work):
    """raw(point) at `work` digits, or None where it divides by 0 there: x/(e^x - 1) at
    x = -3e-62 does at 60 digits, where e^x - 1 cancels to 0; only at MAX_DIGITS is a
    division by 0 a pole."""
    with mpmath.workdps(work):
        try:
            return raw(point)
        except ZeroDivisionError:
            return None


def value(expr, point, digits=DIGITS):
    """expr at point (a float, string or mpf) to `digits` significant digits."""
    with mpmath.workdps(digits):
        return mp_function(expr, digits)(point)
