"""Functions of one real variable, piece by piece: split at breakpoints, one-sided limits,
and the infimum, supremum and sign of each analytic piece, decided symbolically where
SymPy can (critical points from solveset) and numerically, flagged as such, where not."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import mpmath
import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction

from .budget import attempt
from .calculus import normalize
from .errors import SymactError
from .heads import to_elementary
from .limits import limit_at
from .reference import mp_function
from .symbols import x

WINDOW = 60          # numeric scans of an infinite piece look at |x| <= WINDOW
SCAN_POINTS = 1200
DIGITS = 30
SECONDS = 4  # per symbolic attempt (solveset, solve, limit, simplify); then numeric


class NotSplittable(SymactError):
    """The expression switches branches where SymPy cannot order or decide the conditions."""


@dataclass(frozen=True)
class Piece:
    """expr is f on the open interval (lo, hi); it contains no Piecewise, Abs or sign of
    a linear argument, so it is analytic there unless it has a pole."""

    lo: sp.Expr
    hi: sp.Expr
    expr: sp.Expr

    def representative(self):
        return representative(self.lo, self.hi)


def representative(lo, hi):
    if lo == -sp.oo and hi == sp.oo:
        return sp.Integer(0)
    if lo == -sp.oo:
        return hi - 1
    if hi == sp.oo:
        return lo + 1
    return (lo + hi) / 2


@dataclass(frozen=True)
class Candidate:
    """A value f takes or approaches: at a point, on a whole interval, or at an open end."""

    value: sp.Expr
    where: sp.Set | None   # where it is attained (None: only approached)
    approached_at: sp.Expr | None = None
    exact: bool = True

    @property
    def attained(self):
        return self.where is not None


# ---- splitting ----------------------------------------------------------------------------
def linearize(expr):
    """Max/Min/Heaviside and Abs/sign as Piecewise, with every condition in x written as
    comparisons of x with numbers (x^2 > 1 as x < -1 or x > 1): Abs and sign of an
    argument whose sign changes at finitely many points; NotSplittable for a condition
    that holds on infinitely many intervals (sin x > 0) or that SymPy cannot solve in
    time."""
    expr = normalize(expr)
    expr = expr.replace(lambda e: isinstance(e, sp.Abs) and _splits(e.args[0]),
                        lambda e: sp.Piecewise((e.args[0], e.args[0] >= 0), (-e.args[0], True)))
    expr = expr.replace(lambda e: isinstance(e, sp.sign) and _splits(e.args[0]),
                        lambda e: sp.Piecewise((1, e.args[0] > 0), (-1, e.args[0] < 0), (0, True)))
    return expr.replace(lambda e: isinstance(e, sp.core.relational.Relational)
                        and not _is_linear(e.lhs - e.rhs), _as_intervals)


def _is_linear(u):
    d = sp.diff(u, x)
    return not d.has(x)


def _splits(u):
    """Whether u depends on x; NotSplittable where its sign changes at infinitely many
    points or at points SymPy does not find (|sin x|: its derivative would hold delta
    functions, which no piece-by-piece analysis evaluates)."""
    if not u.has(x):
        return False
    if not _is_linear(u):
        try:
            _as_intervals(u >= 0)
        except NotSplittable:
            raise NotSplittable(f"{u} changes sign at infinitely many points or at points "
                                "SymPy does not find; the analysis goes piece by piece") from None
    return True


def _as_intervals(relation):
    """A condition in x as comparisons of x with numbers (x^2 > 1: x < -1 or x > 1)."""
    if relation.free_symbols - {x}:
        raise NotSplittable(f"condition {relation} depends on a parameter")
    found = attempt(lambda: relation.as_set(), seconds=SECONDS)
    pieces = [] if found is None else \
        list(found.args) if isinstance(found, sp.Union) else [found]
    if found is None or not all(isinstance(p, (sp.Interval, sp.FiniteSet)) for p in pieces):
        raise NotSplittable(f"condition {relation} does not hold on finitely many intervals "
                            "that SymPy finds")
    return found.as_relational(x)


def breakpoints(expr):
    """Sorted exact points where a condition of expr (already linearized) changes truth."""
    points = set()
    for relation in expr.atoms(sp.core.relational.Relational):
        difference = sp.expand(relation.lhs - relation.rhs)
        if not difference.has(x):
            continue
        slope = sp.diff(difference, x)
        if slope.has(x) or slope == 0:
            raise NotSplittable(f"condition {relation} is not linear in x")
        root = sp.nsimplify(-(difference - slope * x) / slope) if difference.has(sp.Float) \
            else -(difference - slope * x) / slope
        if not root.is_number:
            raise NotSplittable(f"breakpoint {root} depends on a parameter")
        if root.is_real:
            points.add(sp.simplify(root))
    return sorted(points, key=lambda p: (float(p), sp.srepr(p)))


def resolve(expr, point):
    """expr with every Piecewise replaced by the branch whose condition holds at point."""
    if not expr.has(sp.Piecewise):
        return expr
    if isinstance(expr, sp.Piecewise):
        for value, condition in expr.args:
            truth = condition.subs(x, point)
            if truth == sp.true:
                return resolve(value, point)
            if truth != sp.false:
                raise NotSplittable(f"cannot decide {condition} at x = {point}")
        return sp.nan
    return expr.func(*[resolve(a, point) for a in expr.args])


@functools.lru_cache(maxsize=1024)
def split(expr):
    """(pieces, points): f on each open interval between breakpoints, and f at each
    breakpoint as (point, value)."""
    expr = linearize(expr)
    points = breakpoints(expr)
    ends = [-sp.oo, *points, sp.oo]
    pieces = [Piece(lo, hi, resolve(expr, representative(lo, hi)))
              for lo, hi in zip(ends, ends[1:])]
    values = [(p, resolve(expr, p).subs(x, p)) for p in points]
    return pieces, values


def restricted(lo, hi, name="t"):
    """(substitution for x, parameter symbol) mapping t > 0 onto the open interval."""
    t = sp.Symbol(name, positive=True)
    if lo == -sp.oo and hi == sp.oo:
        return sp.Symbol(name, real=True), None
    if lo == -sp.oo:
        return hi - t, t
    if hi == sp.oo:
        return lo + t, t
    return (lo + hi * t) / (1 + t), t


# ---- limits ---------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def side_limit(expr, point, direction):
    """lim expr as x -> point from direction '+' or '-' (point may be +-oo)."""
    if point in (sp.oo, -sp.oo):
        return limit_at(expr, point, seconds=SECONDS)
    direct = attempt(lambda: sp.simplify(expr.subs(x, point)), seconds=5)
    if direct is not None and direct.is_finite and not direct.has(sp.nan, sp.zoo):
        return direct
    value = attempt(sp.limit, to_elementary(expr), x, point, direction, seconds=SECONDS)
    if value is None or value.has(sp.nan, sp.zoo, sp.AccumBounds):
        return None
    return value


# ---- critical points -----------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def critical_points(expr, lo, hi, seconds=SECONDS):
    """(points, complete, exact) where expr' = 0 on the open interval (lo, hi).

    complete: SymPy's solveset found them all (a finite set, or families whose values
    are what the caller evaluates). Otherwise a numeric scan of a window supplies them,
    exact=False."""
    derivative = sp.diff(expr, x)
    interval = sp.Interval.open(lo, hi)
    # hyperbolic functions as exponentials (solveset handles those); trigonometric ones stay
    numerator = attempt(lambda: sp.numer(sp.together(to_elementary(derivative).replace(
        lambda e: isinstance(e, HyperbolicFunction), lambda e: e.rewrite(sp.exp)))),
        seconds=seconds)
    solutions = None
    if numerator is not None:
        solutions = attempt(sp.solveset, numerator, x, interval, seconds=seconds)
    scanned = scan_roots(derivative, lo, hi)
    if solutions is sp.S.EmptySet and not scanned:
        return [], True, True
    if isinstance(solutions, sp.FiniteSet) and all(s.is_real for s in solutions) \
            and _covers(solutions, scanned):
        return sorted(solutions, key=float), True, True
    if solutions is not None and isinstance(solutions, (sp.ImageSet, sp.Union)) \
            and not solutions.has(sp.ConditionSet):
        window = solutions.intersect(sp.Interval(max(lo, -WINDOW), min(hi, WINDOW)))
        if isinstance(window, sp.FiniteSet) and _covers(window, scanned):
            return sorted(window, key=float), False, True
    found = attempt(sp.solve, numerator, x, seconds=seconds) if numerator is not None else None
    if found:
        real = [s for s in found if s.is_real and bool(lo < s) and bool(s < hi)]
        if len(real) == len(scanned) and all(
                abs(float(a) - float(b)) < 1e-9 * (1 + abs(float(b))) for a, b in
                zip(sorted(real, key=float), scanned)):
            return sorted(real, key=float), False, True
    return [sp.Float(mpmath.nstr(r, 20), 20) for r in scanned], False, False


def sample_values(expr, lo, hi, count=200):
    """expr at 30 digits on a grid over the window of (lo, hi) (None where undefined)."""
    if expr.free_symbols - {x}:
        return []
    f = mp_function(expr, DIGITS).raw
    a = max(float(lo), -WINDOW) if lo != -sp.oo else -WINDOW
    b = min(float(hi), WINDOW) if hi != sp.oo else WINDOW
    with mpmath.workdps(DIGITS):
        values = [_real(f, mpmath.mpf(a) + (mpmath.mpf(b) - a) * (k + 0.5) / count)
                  for k in range(count)] if a < b else []
    return [v for v in values if v is not None and abs(v) > mpmath.mpf(10) ** -25]


def _covers(solutions, scanned):
    """Every sign change the numeric scan saw is one of SymPy's solutions: a safety net
    against a solver that silently drops roots."""
    values = [float(s) for s in solutions]
    return all(any(abs(float(r) - v) < 1e-6 * (1 + abs(v)) for v in values) for r in scanned)


def scan_roots(expr, lo, hi):
    """Sign changes of expr on a grid over the window of (lo, hi), polished with mpmath."""
    if expr.free_symbols - {x}:
        return []
    f = mp_function(expr, DIGITS).raw  # fixed precision: only signs matter here
    a = max(float(lo), -WINDOW) if lo != -sp.oo else -WINDOW
    b = min(float(hi), WINDOW) if hi != sp.oo else WINDOW
    if not a < b:
        return []
    roots = []
    with mpmath.workdps(DIGITS):
        grid = [mpmath.mpf(a) + (mpmath.mpf(b) - a) * (k + 0.5) / SCAN_POINTS
                for k in range(SCAN_POINTS)]
        values = [_real(f, t) for t in grid]
        for k in range(len(grid) - 1):
            (t0, v0), (t1, v1) = (grid[k], values[k]), (grid[k + 1], values[k + 1])
            if v0 is None or v1 is None:
                continue
            if v0 == 0:
                # an isolated exact zero is a root; a run of zeros is underflow or
                # cancellation at this precision, not information
                before = values[k - 1] if k else None
                if before and v1 and before * v1 < 0:
                    roots.append(t0)
            elif v0 * v1 < 0:
                try:
                    root = mpmath.findroot(lambda t: _real(f, t), (t0, t1), solver="anderson")
                except (ValueError, ZeroDivisionError, TypeError):
                    root = (t0 + t1) / 2
                if t0 <= root <= t1:
                    roots.append(root)
    return roots


def _real(f, t):
    try:
        v = f(t)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > mpmath.mpf(10) ** (-DIGITS + 5):
            return None
        v = v.real
    return v


# ---- extrema -------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def is_zero(expr, seconds=SECONDS):
    """expr is identically 0 (for all x): simplification decides, after a cheap numeric
    look that refutes most non-zero expressions at once."""
    if expr == 0:
        return True
    if not expr.free_symbols - {x} and _clearly_nonzero(expr):
        return False
    simplified = attempt(sp.simplify, to_elementary(expr), seconds=seconds)
    return simplified is not None and simplified == 0


def _clearly_nonzero(expr):
    f = mp_function(expr, DIGITS).raw
    with mpmath.workdps(DIGITS):
        for t in ("0.3183098861837907", "-1.6180339887498949", "2.718281828459045"):
            v = _real(f, mpmath.mpf(t))
            if v is not None and abs(v) > mpmath.mpf(10) ** -20:
                return True
    return False


@functools.lru_cache(maxsize=4096)
def candidates(piece):
    """(candidates, exact, complete): every value that can be the infimum or supremum of
    f on the piece; exact when all are closed forms, complete when SymPy's solveset found
    every critical point (only then do they prove a bound)."""
    e, lo, hi = piece.expr, piece.lo, piece.hi
    if e.has(sp.floor, sp.ceiling):  # their derivative 0 would make them look constant
        raise SymactError("bounds are derived piece by piece, and floor and ceiling jump at "
                          "every integer: no finite set of pieces covers them")
    interval = sp.Interval.open(lo, hi)
    if is_zero(sp.diff(e, x)):
        value = simplify_value(e.subs(x, piece.representative()))
        return (Candidate(value, interval),), True, True
    found = []
    points, complete, exact = critical_points(e, lo, hi)
    for p in points:
        value = simplify_value(e.subs(x, p)) if exact else sp.Float(
            mpmath.nstr(mp_function(e, DIGITS)(mpmath.mpf(str(p))), 20), 20)
        found.append(Candidate(value, sp.FiniteSet(p), exact=exact))
    for end, direction in ((lo, "+"), (hi, "-")):
        value = side_limit(e, end, direction)
        if value is None:
            return tuple(found), False, False
        found.append(Candidate(value, None, approached_at=end))
    return tuple(found), exact, complete and exact


@functools.lru_cache(maxsize=4096)
def simplify_value(value):
    """The shortest of value, its simplification and that of its elementary form."""
    if not value.is_number or value.is_Rational:
        return value
    forms = [value] + [attempt(sp.simplify, form, seconds=5) for form in
                       (value, to_elementary(value), to_elementary(value).rewrite(sp.exp))]
    return min((f for f in forms if f is not None), key=sp.count_ops)


def numeric(value):
    with mpmath.workdps(DIGITS):
        if value in (sp.oo, -sp.oo):
            return mpmath.inf if value == sp.oo else -mpmath.inf
        return mpmath.mpf(sp.N(value, DIGITS))


def extreme(found, lowest=True):
    """(value, where attained or None, approached_at, exact) of the least (or greatest)
    candidate; ties between candidates are merged (the attained set is the union,
    approached_at every end where the value is only approached, in order)."""
    keyed = [(numeric(c.value), c) for c in found]
    best = min(k for k, _ in keyed) if lowest else max(k for k, _ in keyed)
    tied = [c for k, c in keyed if _same(k, best)]
    where = [c.where for c in tied if c.attained]
    exact = all(c.exact for c in tied)
    value = next((c.value for c in tied if c.exact), tied[0].value)
    attained = sp.Union(*where) if where else None
    approached = tuple(sorted({c.approached_at for c in tied if not c.attained}, key=numeric))
    return value, attained, approached, exact


def _same(a, b):
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return abs(a - b) <= mpmath.mpf(10) ** (-DIGITS + 8) * (1 + abs(b))


@functools.lru_cache(maxsize=256)
def function_candidates(expr):
    """Candidates for inf/sup of f over the reals, and whether all were found exactly.
    Cached: the property table and the gradient gain both ask for those of f'."""
    pieces, points = split(expr)
    found, exact = [], True
    for piece in pieces:
        more, ok, _ = candidates(piece)
        found += more
        exact &= ok
    for p, value in points:
        found.append(Candidate(simplify_value(value), sp.FiniteSet(p)))
    return tuple(found), exact


def image(expr):
    """The set of values f takes, as sorted disjoint parts (low, low closed, high, high
    closed): one per piece and one per breakpoint value, merged where they touch, so a
    jump leaves a gap (hardshrink) and a step leaves points ({0, 1})."""
    pieces, points = split(expr)
    parts = []
    for piece in pieces:
        found, _, _ = candidates(piece)
        low, high = extreme(found, lowest=True), extreme(found, lowest=False)
        parts.append((low[0], low[1] is not None, high[0], high[1] is not None))
    parts += [(simplify_value(v), True, simplify_value(v), True) for _, v in points]
    parts.sort(key=lambda part: (numeric(part[0]), not part[1]))
    merged = [parts[0]]
    for low, low_closed, high, high_closed in parts[1:]:
        m_low, m_low_closed, m_high, m_high_closed = merged[-1]
        gap = numeric(low) - numeric(m_high)
        touching = _same(numeric(low), numeric(m_high)) and (low_closed or m_high_closed)
        if gap < 0 and not _same(numeric(low), numeric(m_high)) or touching:
            if _same(numeric(high), numeric(m_high)):
                m_high_closed |= high_closed
            elif numeric(high) > numeric(m_high):
                m_high, m_high_closed = high, high_closed
            merged[-1] = (m_low, m_low_closed, m_high, m_high_closed)
        else:
            merged.append((low, low_closed, high, high_closed))
    return merged


def image_parts(parts):
    """image() as JSON-able records (values as text)."""
    return [{"lower": value_text(low), "upper": value_text(high), "lower_closed": low_closed,
             "upper_closed": high_closed} for low, low_closed, high, high_closed in parts]


def set_text(s):
    """An attained set as text: '0', '(-oo, 0]', '-4.49, 4.49'."""
    if s is None:
        return None
    if isinstance(s, sp.FiniteSet):
        points = sorted(s, key=float)
        steps = {sp.simplify(b - a) for a, b in zip(points, points[1:])}
        if len(points) > 3 and len(steps) == 1 and all(p.is_real and not p.is_Float for p in points):
            # the window's share of a periodic family, e.g. the critical points of sin
            base = min(points, key=lambda p: (abs(float(p)), float(p)))
            k = sp.Symbol("k", integer=True)
            return f"{value_text(base + steps.pop() * k)} for every integer k"
        return ", ".join(value_text(p) for p in points)
    if isinstance(s, sp.Interval):
        return (f"{'(' if s.left_open else '['}{value_text(s.start)}, "
                f"{value_text(s.end)}{')' if s.right_open else ']'}")
    if isinstance(s, sp.Union):
        return " U ".join(set_text(part) for part in s.args)
    return str(s)


def value_text(value):
    """Exact values in SymPy syntax; numeric ones as 17 significant digits."""
    if isinstance(value, sp.Float):
        return mpmath.nstr(mpmath.mpf(value), 17, strip_zeros=False)
    if isinstance(value, sp.Rational) or value in (sp.oo, -sp.oo):
        return sp.sstr(value)  # p/q: a long decimal would parse as an inexact Float
    return sp.sstr(to_elementary(value))  # sympify-able without symact's heads
