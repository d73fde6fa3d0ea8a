"""User-defined activations: an expression (string or SymPy) validated into an Activation
that has everything a catalog entry has."""
import re

import sympy as sp

from .activation import Activation, exact, param
from .budget import attempt
from .errors import SymactError
from .parse import parse_expression
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
    expr = _fill_removable(expr, text)
    _check_real(expr, {p.symbol: p.default for p in declared}, text)
    return Activation(name, expr, summary or f"user-defined: {text}", "user-defined",
                      params=declared)


def _default(key, value):
    try:
        return exact(value) if not isinstance(value, str) else exact(value.strip())
    except SymactError as error:
        raise SymactError(f"parameter {key}: {error}") from None


def _fill_removable(expr, text):
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
        found = attempt(sp.solveset, divisor, x, sp.S.Reals, seconds=SINGULAR_SECONDS)
        points |= _points(found)
    pieces = []
    slope = None
    for point in sorted(points, key=lambda p: (abs(float(p)), float(p))):
        if _finite(expr.subs(x, point)):
            continue  # a Piecewise that gives the point its value, or a cancelled factor
        limit = _two_sided_limit(expr, point, text)
        if limit is None:
            raise SymactError(f"{text!r} is not finite at x = {point}")
        slope = sp.diff(expr, x) if slope is None else slope
        if _two_sided_limit(slope, point, text) is None:
            raise SymactError(f"{text!r} has no finite slope at x = {point}, where it "
                              f"tends to {limit}")
        pieces.append((limit, sp.Eq(x, point)))
    return sp.Piecewise(*pieces, (expr, True)) if pieces else expr


def _divisors(expr):
    """What expr divides by (bases of negative powers) and takes the log of, where those
    depend on x and are not positive by SymPy's assumptions (e^x + 1 is)."""
    found = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_negative:
            found.add(node.base)
        elif isinstance(node, sp.log):
            found.add(node.args[0])
    return {d for d in found if d.has(x) and not d.is_positive}


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


def _two_sided_limit(expr, point, text):
    """The finite real limit of expr at point, the same from both sides, or None; a limit
    SymPy does not find within SINGULAR_SECONDS is refused as undecided."""
    left, right = [attempt(sp.limit, expr, x, point, side, seconds=SINGULAR_SECONDS,
                           default=_UNDECIDED) for side in ("-", "+")]
    if left is _UNDECIDED or right is _UNDECIDED:
        raise SymactError(f"{text!r} divides by 0 at x = {point}, and SymPy found no "
                          f"limit there within {SINGULAR_SECONDS} s")
    if not _settled(left):
        return None
    same = (left - right).is_zero or attempt(sp.simplify, left - right,
                                             seconds=SINGULAR_SECONDS) == 0
    return left if same else None


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
