"""Singular points of a user's definition: removable ones filled in by their limits, the
others refused in one line.

sin(x)/x and x/(e^x - 1) are 0/0 at 0: the definition becomes Piecewise((L, Eq(x, 0)),
(definition, True)) with L the limit, and the derivative there is the limit of the
neighbouring one (symact.calculus). 1/(x - 2) and tan x are finite at every probe point of
symact.user, yet not activations. The points are the real zeros, found by SymPy's solveset,
of what the definition divides by or takes the log of. A limit is SymPy's, kept only where
60-digit values beside the point confirm it. Every step has a budget, and so has the whole
search.
"""
import mpmath
import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction

from . import calculus
from .budget import attempt, time_budget
from .errors import BudgetExceeded, SymactError
from .heads import to_elementary
from .reference import mp_function
from .symbols import x

STEP_SECONDS = 5  # per solve, one-sided limit, substitution or simplification
TOTAL_SECONDS = 30  # the whole search, however many points it finds
MAX_DIVISORS = 8  # distinct divisors searched for zeros
# a periodic family of points (x/sin(x)) is judged by its points with n in this range
PERIODS = range(-2, 3)
BESIDE = (sp.Rational(1, 10**30), sp.Rational(1, 10**60))  # offsets of the numeric check
TOLERANCE = mpmath.mpf(10) ** -10  # of the values beside a point, against a limit
SAME = mpmath.mpf(10) ** -50  # two spellings of one point (log 2, log(4)/2)
# functions that divide by another of their argument: tan u = sin u / cos u, ...
_QUOTIENTS = {sp.tan: sp.cos, sp.sec: sp.cos, sp.cot: sp.sin, sp.csc: sp.sin,
              sp.coth: sp.sinh, sp.csch: sp.sinh}
_UNDECIDED = object()


def fill_removable(expr, text, defaults):
    """expr with each removable singular point filled in by its limit; SymactError (one
    line) for a point without a finite limit or slope, one SymPy does not settle, or a
    periodic family of removable points (sin(x)/tan(x)), which would need infinitely many
    pieces. defaults are the parameters' values for the numeric checks."""
    token = None
    try:
        with time_budget(TOTAL_SECONDS, "the search for singular points") as token:
            return _filled(expr, text, defaults)
    except BudgetExceeded as error:
        if token is None or getattr(error, "token", None) is not token:
            raise
        raise SymactError(f"{text!r}: its singular points were not settled within "
                          f"{TOTAL_SECONDS} s of CPU time") from None


def _filled(expr, text, defaults):
    points, families = _singular_points(expr)
    elementary = to_elementary(expr)
    slope_expr = None
    pieces, slopes = [], []
    for point in points:
        if _finite_at(elementary, point):
            # a Piecewise that gives the point its value, or a cancelled factor; but a
            # branch may still run off to infinity beside it (x > 0: 1/x, else 0)
            _finite_beside(elementary, point, text)
            continue
        limit = _judged_limit(expr, point, text, defaults)
        if limit is None:
            continue  # irrational, undecided by SymPy, finite by the numbers: left as is
        if slope_expr is None:
            slope_expr = calculus.differentiate(expr, 1, tidied=False)
        slope = _judged_limit(slope_expr, point, text, defaults, of="slope")
        pieces.append((limit, sp.Eq(x, point)))
        slopes.append((point, slope))
    removable = []  # the families' points, nearest to 0 first: a pole there is named
    for family, point in sorted(((f, p) for f, ps in families for p in ps),
                                key=lambda fp: (abs(_value(fp[1])), _value(fp[1]))):
        if not _finite_at(elementary, point):
            _judged_limit(expr, point, text, defaults)  # refuses a pole
            removable.append(family)
    if removable:
        raise SymactError(f"{text!r} is 0/0 at x = {removable[0]} for every integer n: "
                          "removable, but at infinitely many points")
    if not pieces:
        return expr
    filled = sp.Piecewise(*pieces, (expr, True), evaluate=False)
    # the derivative takes its own limit at each point (symact.calculus): it must be the
    # one confirmed here
    derivative = calculus.differentiate(filled, 1, tidied=False)
    for point, slope in slopes:
        there = attempt(lambda p=point: derivative.subs(x, p), seconds=STEP_SECONDS)
        if there is None or attempt(sp.simplify, there - slope, seconds=STEP_SECONDS) != 0:
            raise SymactError(f"{text!r} is 0/0 at x = {_shown(point)}, but its derivative "
                              f"there did not come out as the limit {slope}")
    return filled


def _judged_limit(expr, point, text, defaults, of="value"):
    """The confirmed finite limit of expr at point. SymactError where there is none (named
    after `of`), or where SymPy gives none that the values beside the point confirm;
    but None for the value at an irrational point, which no float input is, when those
    values show a finite limit (sin(u)/u at a root of u = x^3 - x - 1, whose limit SymPy
    does not find in time): the point stays as it was."""
    beside = _beside(expr.xreplace(defaults), point)
    limit = _two_sided_limit(to_elementary(expr), point, beside, defaults)
    if limit is not _UNDECIDED and limit is not None:
        return limit
    if beside is not None and not _converges(beside) or limit is None:
        if of == "slope":
            raise SymactError(f"{text!r} has no finite slope at x = {_shown(point)}")
        raise SymactError(f"{text!r} is not finite at x = {_shown(point)}")
    if of == "value" and beside is not None and not point.is_Rational:
        return None
    raise SymactError(f"{text!r} divides by 0 at x = {_shown(point)}, and SymPy found no "
                      f"limit there that its values beside the point confirm")


def _two_sided_limit(elementary, point, beside, defaults):
    """SymPy's limit of expr at point, the same from both sides, as a finite value or None
    (none); _UNDECIDED where no form gives one that the values beside the point confirm.
    SymPy gives -oo from the right for coth x - x/sinh^2 x at 0, whose limit is 0: the
    values refute it, and the form with the hyperbolic functions in exponentials is next."""
    for form in _limit_forms(elementary):
        left, right = [attempt(sp.limit, form, x, point, side, seconds=STEP_SECONDS,
                               default=_UNDECIDED) for side in ("-", "+")]
        if left is _UNDECIDED or right is _UNDECIDED:
            continue
        same = _settled(left) and ((left - right).is_zero or attempt(
            sp.simplify, left - right, seconds=STEP_SECONDS) == 0)
        value = left if same else None
        if beside is None or _agrees(beside, value, defaults):
            return value
    return _UNDECIDED


def _limit_forms(elementary):
    """The definition, then (computed only when asked for) with its hyperbolic functions
    in exponentials: rewriting everything to exp would turn cos into complex exponentials."""
    yield elementary
    rewritten = attempt(lambda: elementary.replace(
        lambda e: isinstance(e, HyperbolicFunction), lambda e: e.rewrite(sp.exp)),
        seconds=STEP_SECONDS)
    if rewritten is not None and rewritten != elementary:
        yield rewritten


def _singular_points(expr):
    """(points, families): the real zeros of expr's divisors in increasing order, one per
    value, and each periodic family as (its formula in n, its points for n in PERIODS)."""
    found, families = [], []
    for divisor in sorted(_divisors(expr), key=sp.default_sort_key)[:MAX_DIVISORS]:
        zeros = attempt(sp.solveset, to_elementary(divisor), x, sp.S.Reals,
                        seconds=STEP_SECONDS)
        finite, periodic = _split(zeros)
        found += finite
        families += periodic
    points = []
    for point in sorted(set(found), key=lambda p: (_value(p), sp.default_sort_key(p))):
        if not points or abs(_value(point) - _value(points[-1])) > SAME * (1 + abs(
                _value(point))):
            points.append(point)  # log(2) and log(4)/2 are one point
    return points, families


def _split(zeros):
    """(real numbers, periodic families) in a solveset answer; nothing from an answer of
    another kind (a ConditionSet, an interval, or none within the budget)."""
    if isinstance(zeros, sp.FiniteSet):
        return [p for p in zeros if p.is_number and _is_real(p)], []
    if isinstance(zeros, sp.Union):
        parts = [_split(part) for part in zeros.args]
        return [p for f, _ in parts for p in f], [g for _, f in parts for g in f]
    if isinstance(zeros, sp.ImageSet) and zeros.base_sets == (sp.S.Integers,):
        formula = zeros.lamda(sp.Symbol("n", integer=True))
        points = [p for p in (zeros.lamda(n) for n in PERIODS) if _is_real(p)]
        return [], [(formula, points)]
    return [], []


def _is_real(point):
    """Whether a number is real: SymPy's assumptions, else its value at 30 digits
    (erfinv(1/2) does not know it is real)."""
    if point.is_real is not None:
        return bool(point.is_real)
    value = attempt(lambda: complex(sp.N(point, 30)), seconds=STEP_SECONDS)
    return value is not None and value.imag == 0


def _value(point):
    """A point as a 60-digit mpmath number."""
    with mpmath.workdps(60):
        return mpmath.mpf(str(sp.N(point, 60)))


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


def _finite_at(elementary, point):
    """Whether the definition (heads written out: sigmoid(-log 2) is 1/3) has a finite
    real value at the point; not within the budget counts as not."""
    value = attempt(lambda: elementary.subs(x, point), seconds=STEP_SECONDS)
    return value is not None and bool(value.is_number and value.is_finite and value.is_real)


def _finite_beside(elementary, point, text):
    """SymactError where SymPy's limit from one side of the point is infinite; an
    undecided side passes, as the value at the point was finite. The limit is taken of
    the branches that hold beside the point: SymPy's limit of Piecewise((1/x, x > 0),
    (0, True)) at 0 from the right is 0."""
    from .realanalysis import resolve
    step = sp.Rational(1, 10**40)
    for side, beside in (("-", point - step), ("+", point + step)):
        branch = attempt(resolve, elementary, beside, seconds=STEP_SECONDS)
        if branch is None or branch.has(sp.nan):
            continue
        limit = attempt(sp.limit, branch, x, point, side, seconds=STEP_SECONDS)
        if limit is not None and limit.has(sp.oo, -sp.oo, sp.zoo):
            raise SymactError(f"{text!r} is not finite beside x = {_shown(point)} "
                              f"(its limit from the {'left' if side == '-' else 'right'} "
                              f"is {limit})")


def _settled(limit):
    """Whether a limit is a finite real value: a number, or an expression in the
    parameters (a, for sin(a x)/x at 0), that is none of oo, zoo, nan, a range of values
    (sin(1/x) at 0) or something SymPy left unevaluated."""
    return not limit.has(sp.oo, -sp.oo, sp.zoo, sp.nan, sp.AccumBounds, sp.Limit,
                         sp.Derivative, sp.Subs) and limit.is_real is not False


def _beside(expr, point):
    """expr at point - h and point + h for each h in BESIDE, at 60 digits, or None where
    mpmath cannot give them (then SymPy's limit stands unchecked)."""
    try:
        return attempt(_values_beside, expr, point, seconds=STEP_SECONDS)
    except BudgetExceeded:
        raise
    except Exception:  # noqa: BLE001 (any failure of the check leaves SymPy's answer)
        return None


def _values_beside(expr, point):
    function = mp_function(expr, digits=60)
    size = _value(point)
    digits = 150 + (int(mpmath.log10(abs(size))) if abs(size) > 1 else 0)
    with mpmath.workdps(digits):
        centre = mpmath.mpf(str(sp.N(point, digits)))
        values = [function(centre + sign * mpmath.mpf(str(h)))
                  for h in BESIDE for sign in (-1, 1)]
    if any(mpmath.im(v) != 0 or not mpmath.isfinite(v) for v in values):
        return None
    return [mpmath.re(v) for v in values]


def _converges(beside):
    """Whether the values beside a point all lie within TOLERANCE of each other."""
    size = max(abs(v) for v in beside)
    return all(abs(v - w) <= TOLERANCE * (1 + size) for v in beside for w in beside)


def _agrees(beside, limit, defaults):
    """Whether the values beside the point show the finite limit `limit` (None: none)."""
    if limit is None:
        return not _converges(beside)
    number = attempt(lambda: complex(sp.N(limit.xreplace(defaults), 30)),
                     seconds=STEP_SECONDS)
    if number is None or number.imag != 0:
        return False
    target = mpmath.mpf(number.real)  # a double is enough against TOLERANCE
    return all(abs(v - target) <= TOLERANCE * (1 + abs(target)) for v in beside)


def _shown(point):
    """An exact point, with its value where that is not a rational number."""
    return str(point) if point.is_Rational else f"{point} (about {sp.N(point, 6)})"
