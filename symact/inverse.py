"""The derivative written in the output y = f(x), found by inversion and verified.

For each Piecewise branch: solve y = f(x) for x, put the solution into f', and keep it
only if h(f(x)) - f'(x) simplifies to 0 on the branch. Branch domains become
intervals of y; where two branches reach the same y their h must agree. When no form
is found, a pair x1, x2 with f(x1) = f(x2) but f'(x1) != f'(x2), checked at 50
digits, shows that no function of y exists.
"""
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from .budget import attempt
from .calculus import tidy
from .heads import sigmoid, softplus, to_elementary
from .limits import limit_at
from .symbols import x, y


@dataclass
class _Image:
    h: sp.Expr          # f' as a function of y on this piece
    lo: sp.Expr
    hi: sp.Expr
    lo_closed: bool
    hi_closed: bool
    lo_n: float
    hi_n: float


def _pieces(expr):
    split = expr.replace(sp.Abs, lambda u: sp.Piecewise((u, u >= 0), (-u, True)))
    folded = sp.piecewise_fold(split)
    if isinstance(folded, sp.Piecewise):
        return list(folded.args)
    return [(folded, sp.true)]


def _intervals(pieces, defaults):
    """Per piece, the list of Intervals (numeric, under default parameters) it governs."""
    taken = sp.S.EmptySet
    result = []
    for _, cond in pieces:
        numeric = cond.xreplace(defaults)
        s = sp.S.Reals if numeric == sp.true else numeric.as_set()
        s = sp.Complement(s, taken, evaluate=True)
        taken = sp.Union(taken, s)
        parts = s.args if isinstance(s, sp.Union) else (s,)
        result.append([p for p in parts if p is not sp.S.EmptySet])
    return result


def _symbolic_boundaries(pieces, defaults):
    """Map each numeric boundary (under defaults) to its symbolic expression."""
    table = {}
    for _, cond in pieces:
        for rel in cond.atoms(sp.Rel):
            for root in attempt(sp.solve, rel.lhs - rel.rhs, x, seconds=5, default=[]) or []:
                value = root.xreplace(defaults)
                if value.is_number and value.is_real:
                    table.setdefault(float(value), root)
    return table


def _symbolic(point, table):
    if point in (sp.oo, -sp.oo):
        return point
    return table.get(float(point), point)


def _is_zero(expr, seconds=10):
    expr = to_elementary(expr)
    if expr == 0:
        return True
    simplified = attempt(sp.simplify, expr, seconds=seconds)
    return simplified is not None and simplified == 0


_HEAD_INVERSES = {
    sigmoid: lambda t: sp.log(t / (1 - t)),
    softplus: lambda t: sp.log(sp.exp(t) - 1),
}


def _isolate(expr, target):
    """x from target = expr by peeling invertible layers, or None (the textbook route)."""
    if expr == x:
        return target
    if isinstance(expr, sp.Add) or isinstance(expr, sp.Mul):
        inner = [a for a in expr.args if a.has(x)]
        if len(inner) != 1:
            return None
        rest = expr.func(*[a for a in expr.args if not a.has(x)])
        return _isolate(inner[0], target - rest if isinstance(expr, sp.Add) else target / rest)
    if isinstance(expr, tuple(_HEAD_INVERSES)):
        return _isolate(expr.args[0], _HEAD_INVERSES[type(expr)](target))
    if isinstance(expr, (sp.tanh, sp.atan, sp.exp, sp.log, sp.atanh)):
        return _isolate(expr.args[0], expr.inverse()(target))
    return None


def _inverse_candidates(expr):
    peeled = _isolate(expr, y)
    solutions = attempt(sp.solve, sp.Eq(y, to_elementary(expr)), x, seconds=10, default=[])
    found = ([peeled] if peeled is not None else []) + list(solutions or [])
    return [s for s in found if not s.has(sp.I, sp.LambertW)]


def _holds_numerically(h, expr, deriv, interval, defaults):
    """h(f(x)) = f'(x) at 50 digits on points inside the interval (default parameters)."""
    lo = interval.start if interval.start != -sp.oo else min(interval.end, 0) - 20
    hi = interval.end if interval.end != sp.oo else max(lo, 0) + 20
    points = [lo + (hi - lo) * sp.Rational(k, 13) for k in range(1, 13)]
    lhs = to_elementary(h.subs(y, expr).xreplace(defaults))
    rhs = to_elementary(deriv.xreplace(defaults))
    for point in points:
        a, b = lhs.subs(x, point).evalf(50), rhs.subs(x, point).evalf(50)
        if not (a.is_real and b.is_real) or abs(a - b) > sp.Float(10) ** -30 * (1 + abs(b)):
            return False
    return True


def _end_value(expr, point, defaults):
    if point in (sp.oo, -sp.oo):
        value = attempt(sp.limit, to_elementary(expr), x, point, seconds=10)
        numeric = limit_at(expr.xreplace(defaults), point)
        if value is None or numeric is None or value.xreplace(defaults) != numeric:
            value = numeric
        return value
    return expr.subs(x, point)


def _image_of(expr, deriv, interval, table, defaults):
    """The _Image of one monotone piece, or None if no verified inverse exists."""
    if not expr.has(x):
        value = expr
        n = float(value.xreplace(defaults))
        return _Image(deriv, value, value, True, True, n, n)
    lo, hi = _symbolic(interval.start, table), _symbolic(interval.end, table)
    f_lo, f_hi = _end_value(expr, lo, defaults), _end_value(expr, hi, defaults)
    if f_lo is None or f_hi is None:
        return None
    lo_n, hi_n = float(f_lo.xreplace(defaults)), float(f_hi.xreplace(defaults))
    lo_closed = not interval.left_open and lo not in (sp.oo, -sp.oo)
    hi_closed = not interval.right_open and hi not in (sp.oo, -sp.oo)
    if lo_n > hi_n:
        f_lo, f_hi, lo_n, hi_n, lo_closed, hi_closed = f_hi, f_lo, hi_n, lo_n, hi_closed, lo_closed
    assumptions = {"positive": True} if lo_n >= 0 else {"negative": True} if hi_n <= 0 else {}
    y_on_piece = sp.Dummy("y", real=True, **assumptions)
    for candidate in _inverse_candidates(expr):
        h = to_elementary(deriv.subs(x, candidate)).subs(y, y_on_piece)
        for form in sorted(_tidy_forms(h), key=sp.count_ops):
            form = form.subs(y_on_piece, y)
            if _is_zero(form.subs(y, expr) - deriv) or \
                    _holds_numerically(form, expr, deriv, interval, defaults):
                return _Image(form, f_lo, f_hi, lo_closed, hi_closed, lo_n, hi_n)
    return None


def _radicals(expr, rewrite):
    return expr.replace(lambda t: t.is_Pow and t.exp.is_Rational and not t.exp.is_integer,
                        rewrite)


def _reciprocal_base(power):
    """(c/d)^e as (d/c)^-e: (-1/(a y^2 - 1))^(-3/2) reads as (1 - a y^2)^(3/2)."""
    numerator, denominator = sp.fraction(sp.together(power.base))
    return (denominator / numerator) ** -power.exp if numerator.is_number else power


def _tidy_forms(h):
    """Candidate shapes of f'(y): simplified as it is, with the radicands factored (a
    perfect square under a root comes out: squareplus' = 4y^2/(4y^2 + b)) and with
    reciprocal radicands turned over. Each is only a candidate: the caller keeps the
    shortest one that it verifies."""
    simplify = lambda e: tidy(attempt(sp.simplify, e, seconds=10, default=e))  # noqa: E731
    factored = _radicals(h, lambda t: sp.factor(t.base) ** t.exp)
    return {simplify(h), simplify(factored),
            simplify(_radicals(simplify(h), _reciprocal_base))}


def _overlap(a, b):
    lo, hi = max(a.lo_n, b.lo_n), min(a.hi_n, b.hi_n)
    if lo > hi:
        return None
    if lo == hi:
        touching_a = (lo > a.lo_n or a.lo_closed) and (hi < a.hi_n or a.hi_closed)
        touching_b = (lo > b.lo_n or b.lo_closed) and (hi < b.hi_n or b.hi_closed)
        return ("point", lo) if touching_a and touching_b else None
    return ("interval", lo)


def _condition(img):
    if img.lo_n == img.hi_n:
        return sp.Eq(y, img.lo)
    parts = []
    if img.lo_n != -np.inf:
        parts.append(y >= img.lo if img.lo_closed else y > img.lo)
    if img.hi_n != np.inf:
        parts.append(y <= img.hi if img.hi_closed else y < img.hi)
    return sp.And(*parts)


# An output form is worth giving when it is about as short as f' in x (sigma' = y(1 - y)),
# not when it carries the whole inverse of f (bent_identity's takes 36 operations for 7)
WORDIER, SLACK = 2, 6


def derivative_in_output(activation):
    """(expression in y, None) or (None, reason)."""
    defaults = activation.params
    expr, deriv = activation.expr, activation.derivative()
    pieces = _pieces(expr)
    try:
        intervals = _intervals(pieces, defaults)
    except (NotImplementedError, TypeError, ValueError):
        return None, "its branch conditions could not be turned into intervals"
    table = _symbolic_boundaries(pieces, defaults)
    images = []
    for (piece, cond), parts in zip(pieces, intervals):
        piece_derivative = sp.diff(piece, x)
        for interval in parts:
            if isinstance(interval, sp.FiniteSet):
                continue  # an isolated point (a removable singularity) adds no y of its own
            img = _image_of(piece, tidy(piece_derivative), interval, table, defaults)
            if img is None:
                return None, _no_form_reason(activation)
            images.append(img)
    for k, a in enumerate(images):
        for b in images[k + 1:]:
            clash = _overlap(a, b)
            if clash is None:
                continue
            kind, at = clash
            same = _is_zero(a.h - b.h) if kind == "interval" else \
                _is_zero((a.h - b.h).subs(y, a.lo if a.lo_n == at else a.hi))
            if not same:
                if kind == "interval":  # a point inside the shared stretch of outputs
                    hi = min(a.hi_n, b.hi_n)
                    at = (at + hi) / 2 if np.isfinite(at) and np.isfinite(hi) else \
                        at + 1 if np.isfinite(at) else hi - 1 if np.isfinite(hi) else 0.0
                return None, _non_function_witness(activation) or (
                    f"not a function of the output: y = {at:.6g} is reached on two branches "
                    f"with different slopes")
    if len(images) == 1:
        form = images[0].h
    else:
        branches = [(img.h, _condition(img)) for img in images]
        branches[-1] = (branches[-1][0], sp.true)
        form = sp.Piecewise(*branches)
    size, plain = sp.count_ops(form), sp.count_ops(deriv)
    if size > WORDIER * plain + SLACK:
        return None, (f"f' in terms of y exists but takes {size} operations against {plain} "
                      f"in x (it carries the inverse of f), so it is not given")
    return form, None


def next_in_output(form, first):
    """The next derivative in the output from this one (form = g(y) = f^(n)): the chain
    rule gives g'(y) f'(x) with f'(x) = first(y). Polynomials stay expanded (the
    coefficients are what the Stirling-number formulas predict); anything else is tidied
    under a time budget."""
    step = sp.diff(form, y) * first
    if step.is_polynomial(y):
        return sp.expand(step)
    step = sp.piecewise_fold(step)
    return tidy(attempt(sp.simplify, step, seconds=10, default=step))


def _no_form_reason(activation):
    witness = _non_function_witness(activation)
    if witness:
        return witness
    return "no closed-form inverse of y = f(x) was found, so f' has no closed form in y"


def _non_function_witness(activation):
    """A 50-digit check that two inputs share an output but not a slope, as a sentence."""
    defaults = activation.params
    f = sp.lambdify(x, to_elementary(activation.expr.xreplace(defaults)), "mpmath")
    df = sp.lambdify(x, to_elementary(activation.derivative().xreplace(defaults)), "mpmath")
    grid = [mpmath.mpf(k) / 8 for k in range(-80, 81)]
    with mpmath.workdps(50):
        try:
            values = [f(t) for t in grid]
        except (ZeroDivisionError, ValueError, TypeError):
            return None
        for k in range(1, len(grid) - 1):
            turning = (values[k] - values[k - 1]) * (values[k + 1] - values[k]) < 0
            if not turning or k < 4:
                continue
            x1, target = grid[k - 4], values[k - 4]
            for j in range(k + 1, len(grid)):
                if (values[j] - target) * (values[j - 1] - target) <= 0:
                    try:
                        x2 = mpmath.findroot(lambda t: f(t) - target, (grid[j - 1], grid[j]),
                                             solver="anderson")
                    except (ValueError, ZeroDivisionError):
                        break
                    d1, d2 = df(x1), df(x2)
                    if abs(d1 - d2) > mpmath.mpf(10) ** -20:
                        return (f"not a function of the output: f({mpmath.nstr(x1, 6)}) = "
                                f"f({mpmath.nstr(x2, 6)}) = {mpmath.nstr(target, 6)} but f' is "
                                f"{mpmath.nstr(d1, 6)} and {mpmath.nstr(d2, 6)} there")
                    break
    return None
