"""User-defined activations: an expression (string or SymPy) validated into an Activation
that has everything a catalog entry has."""
import re

import mpmath
import sympy as sp

from . import calculus
from .activation import Activation, exact, param
from .budget import attempt
from .errors import SymactError
from .heads import to_elementary
from .parse import parse_expression
from .reference import mp_function
from .symbols import x

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
PROBES = (-30, -3, -1, sp.Rational(-1, 2), 0, sp.Rational(1, 2), 1, 3, 30)
SINGULAR_SECONDS = 5  # per solve of what the definition divides by, and per limit
MAX_DIVISORS = 8  # distinct divisors searched for zeros (each solve has its budget)
# a periodic set of singular points (x/sin(x)) is judged by its points with n in this range
PERIODS = range(-2, 3)


def define(name, expr, params=None, summary=None):
    """An Activation named `name` for expr in x; params maps each parameter's name to its
    default value. Strings are parsed safely (symact.parse), never evaluated."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise SymactError(f"activation name {name!r} must be a letter followed by letters, "
                          "digits or _ (at most 40)")
    declared = []
    for key, default in dict(params or {}).items():
        if not isinstance(key, str) or not _NAME.match(key) or key in ("x", "y"):
            raise SymactError(f"parameter name {key!r} is not usable")
        declared.append(param(key, _default(key, default)))
    symbols = {p.name: p.symbol for p in declared}
    if isinstance(expr, str):
        text = expr
        expr = parse_expression(expr, symbols=symbols)
    elif isinstance(expr, sp.Expr):
        text = sp.sstr(expr)
        by_name = {s: symbols.get(s.name, x if s.name == "x" else s) for s in expr.free_symbols}
        expr = expr.xreplace(by_name)
        unknown = expr.free_symbols - {x} - set(symbols.values())
        if unknown:
            raise SymactError(f"undeclared symbols {sorted(map(str, unknown))}; "
                              "declare them in params")
    else:
        raise SymactError(f"an activation is an expression or a string, not {type(expr).__name__}")
    if not expr.has(x):
        raise SymactError(f"{text!r} does not depend on x")
    defaults = {p.symbol: p.default for p in declared}
    expr = _fill_removable(expr, text, defaults)
    _check_real(expr, defaults, text)
    return Activation(name, expr, summary or f"user-defined: {text}", "user-defined",
                      params=declared)


def _default(key, value):
    try:
        return exact(value) if not isinstance(value, str) else exact(value.strip())
    except SymactError as error:
        raise SymactError(f"parameter {key}: {error}") from None


def _fill_removable(expr, text, defaults):
    """expr with each removable singular point p filled in by its limit L there,
    Piecewise((L, Eq(x, p)), (expr, True)): sin(x)/x and x/(e^x - 1) are 0/0 at 0, and the
    derivative there is then the limit of the neighbouring one (symact.calculus). A point
    where expr has no finite limit, the same from both sides, is refused (1/(x - 2) is
    finite at every probe point), and so is one where its slope has none (x log|x| at 0).
    The points are the real zeros, found by SymPy's solveset within SINGULAR_SECONDS, of
    what expr divides by or takes the log of; where they are not found, only the probe
    points check (_check_real)."""
    points = set()
    for divisor in sorted(_divisors(expr), key=sp.default_sort_key)[:MAX_DIVISORS]:
        found = attempt(sp.solveset, to_elementary(divisor), x, sp.S.Reals,
                        seconds=SINGULAR_SECONDS)
        points |= _points(found)
    pieces, slopes = [], []
    for point in sorted(points, key=lambda p: (abs(float(p)), float(p))):
        if _finite(expr.subs(x, point)):
            continue  # a Piecewise that gives the point its value, or a cancelled factor
        limit = _two_sided_limit(expr, point, text, defaults)
        if limit is None:
            raise SymactError(f"{text!r} is not finite at x = {_shown(point)}")
        slope = _two_sided_limit(sp.diff(expr, x), point, text, defaults)
        if slope is None:
            raise SymactError(f"{text!r} has no finite slope at x = {_shown(point)}, where "
                              f"it tends to {limit}")
        pieces.append((limit, sp.Eq(x, point)))
        slopes.append((point, slope))
    if not pieces:
        return expr
    filled = sp.Piecewise(*pieces, (expr, True))
    # the derivative takes its own limit at each point (symact.calculus): it must be the
    # one confirmed here
    derivative = calculus.differentiate(filled, 1, tidied=False)
    for point, slope in slopes:
        if attempt(sp.simplify, derivative.subs(x, point) - slope,
                   seconds=SINGULAR_SECONDS) != 0:
            raise SymactError(f"{text!r} divides by 0 at x = {_shown(point)}, and the "
                              f"derivative there was not found as the limit {slope}")
    return filled


# functions that divide by another of their argument: tan u = sin u / cos u, ...
_QUOTIENTS = {sp.tan: sp.cos, sp.sec: sp.cos, sp.cot: sp.sin, sp.csc: sp.sin,
              sp.coth: sp.sinh, sp.csch: sp.sinh}


def _divisors(expr):
    """What expr divides by (bases of negative powers, the cosine in tan, ...) and takes
    the log of, where those depend on x and are not positive by SymPy's assumptions
    (e^x + 1 is)."""
    found = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_negative:
            found.add(node.base)
        elif isinstance(node, sp.log):
            found.add(node.args[0])
        elif type(node) in _QUOTIENTS:
            found.add(_QUOTIENTS[type(node)](node.args[0]))
    return {d for d in found if d.has(x) and not d.is_positive}


def _shown(point):
    """An exact point, with its value where that is not a rational number."""
    return str(point) if point.is_Rational else f"{point} (about {float(point):.6g})"


def _points(found):
    """The real numbers in a solveset answer, a periodic family by its points for n in
    PERIODS; none for an answer that is not one of those (a ConditionSet, or no answer
    within the budget)."""
    if isinstance(found, sp.FiniteSet):
        return {p for p in found if p.is_real and p.is_number}
    if isinstance(found, sp.Union):
        return set().union(*(_points(part) for part in found.args))
    if isinstance(found, sp.ImageSet) and found.base_sets == (sp.S.Integers,):
        return _points(sp.FiniteSet(*(found.lamda(n) for n in PERIODS)))
    return set()


def _finite(value):
    """Whether a SymPy value is a finite real number (not nan, zoo or oo)."""
    return bool(value.is_number and value.is_finite and value.is_real)


def _settled(limit):
    """Whether a limit is a finite real value: a number, or an expression in the
    parameters (a, for sin(a x)/x at 0), that is none of oo, zoo, nan, a range of values
    (sin(1/x) at 0) or a limit SymPy left unevaluated."""
    return not limit.has(sp.oo, -sp.oo, sp.zoo, sp.nan, sp.AccumBounds, sp.Limit) \
        and limit.is_real is not False


_UNDECIDED = object()
BESIDE = (sp.Rational(1, 10**30), sp.Rational(1, 10**60))  # offsets of the numeric check


def _two_sided_limit(expr, point, text, defaults):
    """The finite real limit of expr at point, the same from both sides, or None. SymPy's
    answer is kept only where 60-digit values at point +- BESIDE agree with it: all of
    them within 1e-10 of a finite limit, or not all within 1e-10 of each other where it
    has none. SymPy gives -oo from the right for coth x - x/sinh^2 x at 0, whose limit
    is 0; the same limit taken in exponentials is next, then the definition is refused
    as undecided."""
    beside = attempt(_values_beside, expr.xreplace(defaults), point,
                     seconds=SINGULAR_SECONDS)
    elementary = to_elementary(expr)
    for form in (elementary, elementary.rewrite(sp.exp)):
        left, right = [attempt(sp.limit, form, x, point, side, seconds=SINGULAR_SECONDS,
                               default=_UNDECIDED) for side in ("-", "+")]
        if left is _UNDECIDED or right is _UNDECIDED:
            continue
        finite = _settled(left) and ((left - right).is_zero or attempt(
            sp.simplify, left - right, seconds=SINGULAR_SECONDS) == 0)
        value = left if finite else None
        if beside is None or _agrees(beside, value, defaults):
            return value
    raise SymactError(f"{text!r} divides by 0 at x = {_shown(point)}, and SymPy found no "
                      f"limit there that its values beside the point confirm within "
                      f"{SINGULAR_SECONDS} s")


def _values_beside(expr, point):
    """expr at point - h and point + h for each h in BESIDE, at 60 digits, or None where
    mpmath cannot evaluate it (then SymPy's limit stands unchecked)."""
    try:
        function = mp_function(expr, digits=60)
        with mpmath.workdps(150):
            centre = mpmath.mpf(str(sp.N(point, 150)))
            values = [function(centre + sign * mpmath.mpf(str(h)))
                      for h in BESIDE for sign in (-1, 1)]
        if any(mpmath.im(v) != 0 for v in values):
            return None
        return [mpmath.re(v) for v in values]
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError):
        return None


def _agrees(beside, limit, defaults):
    """Whether the values beside the point show the finite limit `limit` (None: none)."""
    tolerance = mpmath.mpf(10) ** -10
    if limit is not None:
        target = mpmath.mpf(str(sp.N(limit.xreplace(defaults), 60)))
        return all(abs(v - target) <= tolerance * (1 + abs(target)) for v in beside)
    size = max(abs(v) for v in beside)
    return any(abs(v - w) > tolerance * (1 + size) for v in beside for w in beside)


def _check_real(expr, defaults, text):
    """Refuse expressions that are not real and finite at a few probe points (with the
    parameters at their defaults): an activation maps every real input to a real number."""
    fixed = expr.xreplace(defaults)
    for point in PROBES:
        value = sp.N(fixed.subs(x, point), 20)
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not value.is_number:
            raise SymactError(f"{text!r} is not finite at x = {point}")
        if not value.is_real and abs(sp.im(value)) > 1e-15:
            raise SymactError(f"{text!r} is complex-valued at x = {point}; activations are real")
