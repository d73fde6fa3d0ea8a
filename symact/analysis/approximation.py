"""How far an approximation is from the activation it stands in for, and limits in a
parameter. `approximation_error(approx, exact)` is sup over the reals of |approx - exact|
and where it is reached: the critical points of the difference on each piece between
kinks (solveset where it can, else roots located at 50 digits), the values at the
kinks and the limits at the ends, compared at 50 digits (symact.realanalysis).

`parameter_limit(name, parameter, target)` proves f(x; b) -> target(x) as b -> oo by
SymPy limits on x > 0, x < 0 and at 0, and, when f(x; b) = f(bx; 1)/b (proved by the
checker) and the target is positively homogeneous, the uniform rate
sup |f(.; b) - target| = sup |f(.; 1) - target| / b.
"""
from dataclasses import dataclass

import mpmath
import sympy as sp

from .. import registry
from ..budget import attempt
from ..check import check_relations
from ..errors import SymactError
from ..latex import expr_latex
from ..heads import to_elementary
from ..realanalysis import _same, extreme, function_candidates, numeric
from ..symbols import x
from .page import Page, Table

PAIRS = (("gelu_tanh", "gelu"), ("quick_gelu", "gelu"), ("hard_sigmoid", "sigmoid"),
         ("hard_swish", "silu"), ("hard_tanh", "tanh"), ("softplus", "relu"))
LIMITS = (("swish", "beta", "relu"), ("softplus", "beta", "relu"))
DIGITS = 12
LIMIT_SECONDS = 30
_t = sp.Symbol("t", positive=True)
_b = sp.Symbol("b", positive=True)


def _resolve(activation, what):
    act = registry.get(activation) if isinstance(activation, str) else activation
    if act.vector:
        raise SymactError(f"{what} cover element-wise activations; {act.name} is vector-valued")
    return act


@dataclass(frozen=True)
class ApproximationError:
    """sup |approx - exact| over the reals, the set where it is attained (points or
    intervals; empty when it is only approached), the ends where it is approached, and
    the sign of approx - exact there."""
    approx: str
    exact: str
    value: sp.Expr
    attained: sp.Set   # EmptySet when the sup is only approached
    approached: tuple  # ends (possibly +-oo) where it is approached
    above: bool | None  # approx > exact there; None: above at some places, below at others
    closed_form: bool
    complete: bool = True  # every candidate in closed form (else located numerically)

    @property
    def where(self):
        """The points where the sup is attained, when they are finitely many, else ()."""
        if isinstance(self.attained, sp.FiniteSet):
            return tuple(sorted(self.attained, key=numeric))
        return ()

    @property
    def identical(self):
        return self.value == 0

    def as_dict(self, digits=DIGITS):
        return {"approx": self.approx, "exact": self.exact,
                "max_abs_error": mpmath.nstr(numeric(self.value), digits),
                "max_abs_error_exact": sp.sstr(self.value) if self.closed_form else None,
                "at": _set_text(self.attained, digits),
                "approached_at": [_point(p, digits) for p in self.approached],
                "approx_above_exact": self.above}

    def text(self, digits=DIGITS):
        if self.identical:
            return f"{self.approx} and {self.exact} are identical: max |difference| = 0\n"
        record = self.as_dict(digits)
        exact = f" = {record['max_abs_error_exact']}" if record["max_abs_error_exact"] else ""
        where = [f"at x in {record['at']}"] if record["at"] else []
        if record["approached_at"]:
            where.append("approached as x -> " + " and ".join(record["approached_at"]))
        caveat = "" if self.complete else (
            "  (critical points located numerically, to 20 digits, where SymPy does not solve "
            "for them; a limit that does not exist leaves the search open)\n")
        return (f"max |{self.approx} - {self.exact}| = {record['max_abs_error']}{exact}\n"
                f"  {', '.join(where)} ({self.approx} {_side(self.above)})\n{caveat}")


def _side(above):
    return {True: "above", False: "below", None: "above at some places, below at others"}[above]


def _point(p, digits):
    if p in (sp.oo, -sp.oo) or p.is_Rational:
        return sp.sstr(p)
    return mpmath.nstr(numeric(p), digits)


def _set_text(s, digits, point=None):
    """A set of reals as text: {points} and intervals, numbers to `digits` digits."""
    point = point or (lambda p: _point(p, digits))
    if s is sp.S.EmptySet:
        return ""
    if isinstance(s, sp.FiniteSet):
        return "{" + ", ".join(point(p) for p in sorted(s, key=numeric)) + "}"
    if isinstance(s, sp.Interval):
        return (f"{'(' if s.left_open else '['}{point(s.start)}, {point(s.end)}"
                f"{')' if s.right_open else ']'}")
    if isinstance(s, sp.Union):
        return " U ".join(_set_text(part, digits, point) for part in s.args)
    return sp.sstr(s)


def approximation_error(approx, exact, **values):
    """ApproximationError of `approx` against `exact` (names or Activations, parameters at
    their defaults or as given for approx)."""
    approx, exact = _resolve(approx, "approximation errors"), _resolve(exact, "approximation errors")
    difference = approx.at(**values) - exact.at()
    found, complete = function_candidates(difference)
    high, low = extreme(found, lowest=False), extreme(found, lowest=True)
    with mpmath.workdps(50):  # -x rounds to the working precision
        top, bottom = numeric(high[0]), -numeric(low[0])
        # both sides when the largest excess above equals the largest below (odd differences)
        sides = [side for side, size in ((high, top), (low, bottom))
                 if _same(size, max(top, bottom))]
    attained = []
    for value, where, ends, exact_value in sides:
        # points located numerically (20 digits) that tie with a limit at an end do not
        # show that the sup is attained: sin - tanh comes within 5e-48 of 2 near x = 55
        numeric_only = where is not None and isinstance(where, sp.FiniteSet) and all(
            p.is_Float for p in where)
        if where is not None and not (ends and numeric_only and not exact_value):
            attained.append(where)
    value = high[0] if sides[0] is high else -low[0]
    # an end where the sup is also attained (softplus - relu at 0) is not worth a mention
    approached = tuple(sorted({p for side in sides for p in side[2]
                               if not attained or p in (sp.oo, -sp.oo)}, key=numeric))
    above = None if len(sides) == 2 or value == 0 else sides[0] is high
    # the value is compared with the other candidates at 50 digits, exact or not
    return ApproximationError(approx.name, exact.name, value, sp.Union(*attained),
                              approached, above, all(side[3] for side in sides), bool(complete))


@dataclass(frozen=True)
class ParameterLimit:
    """f(x; parameter) -> target(x) as the parameter -> oo: the limit on each side of 0
    and at 0, and the uniform rate sup |f - target| = error/b where the scaling law holds."""
    name: str
    parameter: str
    target: str
    sides: tuple      # (limit for x = t > 0, for x = -t < 0, at x = 0), t a positive symbol
    status: str       # proved, refuted (a limit differs from the target) or unknown
    scaling: bool     # f(x; b) = f(bx; 1)/b and target(bx) = b target(x), proved
    rate: ApproximationError | None

    def text(self):
        lines = [f"{self.status}: {self.name}(x; {self.parameter}) -> "
                 f"{self.target}(x) as {self.parameter} -> oo"]
        if self.status == "refuted":
            lines.append("  the limit is " + ", ".join(
                f"{sp.sstr(v)} for {where}" for v, where in zip(self.sides, ("x = t > 0", "x = -t < 0", "x = 0"))))
        if self.rate is not None and self.status == "proved":
            lines.append(f"  uniformly: sup |{self.name} - {self.target}| = "
                         f"{mpmath.nstr(numeric(self.rate.value), DIGITS)}/{self.parameter}")
        return "\n".join(lines) + "\n"


def parameter_limit(name, parameter, target):
    """ParameterLimit: the pointwise limit proved side by side, and the rate when f scales."""
    act, goal = _resolve(name, "parameter limits"), _resolve(target, "parameter limits")
    symbol = act.param_named(parameter).symbol
    family = act.expr.xreplace({s: d for s, d in act.params.items() if s != symbol}).xreplace({symbol: _b})
    family = to_elementary(family)  # SymPy's limit knows exp and log, not symact's heads
    sides, verdicts = [], []
    for point in (_t, -_t, sp.S.Zero):
        value = attempt(lambda: sp.limit(family.xreplace({x: point}), _b, sp.oo), seconds=LIMIT_SECONDS)
        sides.append(value)
        verdicts.append(_compare(value, goal.expr.xreplace({x: point})))
    status = "refuted" if "refuted" in verdicts else "proved" if set(verdicts) == {"proved"} \
        else "unknown"
    scaled = check_relations("scaling", [(family, sp.Eq, family.xreplace({x: _b * x, _b: 1}) / _b),
                                         (goal.expr.xreplace({x: _b * x}), sp.Eq, _b * goal.expr)],
                             {_b: sp.Interval.open(0, sp.oo)}, LIMIT_SECONDS)
    scaling = scaled.status == "proved"
    rate = approximation_error(act, goal, **{parameter: 1}) if scaling else None
    return ParameterLimit(act.name, parameter, goal.name, tuple(sides), status, scaling, rate)


def _compare(value, wanted):
    """proved when the limit simplifies to the target, refuted when they differ at t = 1
    (one x is enough to show that the limit is not the target), else unknown."""
    if value is None or value.has(sp.Limit):
        return "unknown"
    if attempt(lambda: sp.simplify(value - wanted) == 0, seconds=10):
        return "proved"
    at_one = (value - wanted).xreplace({_t: 1})
    if at_one.has(sp.oo, -sp.oo, sp.zoo) or at_one.is_number and abs(sp.N(at_one, 30)) > 1e-20:
        return "refuted"
    return "unknown"


class Approximations(Page):
    """The catalog's approximation pairs and parameter limits, for the collection."""

    def __init__(self, errors, limits):
        self.errors, self.limits = errors, limits

    def text(self):
        return "".join(e.text() for e in self.errors) + "".join(lim.text() for lim in self.limits)

    def entries(self):
        rows = []
        for e in self.errors:
            record = e.as_dict()
            value = (f"${expr_latex(e.value)} \\approx {record['max_abs_error']}$" if e.closed_form
                     and not e.value.is_Float else f"${record['max_abs_error']}$")
            at = f"${_set_text(e.attained, DIGITS)}$" if record["at"] else \
                "approached as $x \\to " + ", ".join(record["approached_at"]) + "$"
            at = at.replace("oo", r"\infty").replace("{", r"\{").replace("}", r"\}") \
                .replace(" U ", r" \cup ")
            rows.append((f"{_name(e.approx)} vs {_name(e.exact)}", value, at,
                         {True: "above", False: "below", None: "both"}[e.above]))
        entries = [
            ("The largest distance over the real line between an approximation and the "
             "activation it replaces, and where it is reached. The difference is split at "
             "its kinks; on each piece its critical points (closed forms where SymPy solves "
             "for them, else roots located to 50 digits) and its limits at the ends are "
             f"the candidates, compared at 50 digits and shown to {DIGITS} digits.", None),
            Table(("approximation", r"$\max_x |\tilde f - f|$", "at $x =$", r"$\tilde f$ is"),
                  tuple(rows), "llll"),
        ]
        for lim in self.limits:
            act = registry.get(lim.name)
            parameter = act.param_named(lim.parameter)
            symbol = parameter.latex or sp.latex(parameter.symbol)
            goal = registry.get(lim.target).display_name
            words = (f"{_name(lim.name)} tends to {_name(lim.target)} as ${symbol} \\to \\infty$: "
                     f"{'proved' if lim.status == 'proved' else lim.status} by SymPy's limits for "
                     f"$x > 0$, $x < 0$ and at $x = 0$.")
            if lim.rate is not None:
                words += (f" The checker proves $f(x; {symbol}) = f({symbol} x; 1)/{symbol}$, "
                          f"and {_name(lim.target)} is positively homogeneous, so the "
                          "convergence is uniform with the rate")
                decimal = mpmath.nstr(numeric(lim.rate.value), DIGITS)
                value = f"\\frac{{{expr_latex(lim.rate.value)}}}{{{symbol}}} \\approx " \
                    if lim.rate.closed_form and not lim.rate.value.is_Float else ""
                entries.append((words, f"\\sup_x \\left|f(x; {symbol}) - {goal}(x)\\right| = "
                                f"{value}\\frac{{{decimal}}}{{{symbol}}}"))
            else:
                entries.append((words, None))
        return entries


def _name(name):
    return registry.get(name).display_name.join("$$")


def approximations():
    """Every pair in PAIRS and every limit in LIMITS (the collection's page)."""
    return Approximations([approximation_error(a, e) for a, e in PAIRS],
                          [parameter_limit(*spec) for spec in LIMITS])
