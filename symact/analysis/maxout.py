"""Maxout of k affine pieces, max_r (w_r x + b_r): its derivative is the slope of the
active piece, and relu, leaky_relu, prelu (slope a <= 1), identity and |x| are maxout
units with stated weights, each proved by the checker on the catalog's definitions. The
bound a <= 1 is shown to be needed (the checker refutes the claim for a > 1), and each
case's derivative is compared with the catalog's under symact's kink convention (at a
tie, maxout takes the first active piece)."""
from dataclasses import dataclass

import sympy as sp

from .. import registry
from ..check import check_relations
from ..latex import expr_latex
from ..symbols import x
from .page import Page, Table

SECONDS = 60


@dataclass(frozen=True)
class Case:
    """f = maxout with these weights and biases, where f's parameter (if any) lies in `domain`."""
    name: str
    weights: tuple
    biases: tuple
    parameter: str | None = None
    domain: sp.Set = sp.S.Reals

    @property
    def activation(self):
        """The catalog activation, or |x| defined here (it is no activation of its own)."""
        if self.name in OUTSIDE_CATALOG:
            from ..user import define
            return define(self.name, OUTSIDE_CATALOG[self.name])
        return registry.get(self.name)

    def target(self):
        act = self.activation
        return act.expr, act.param_named(self.parameter).symbol if self.parameter else None


OUTSIDE_CATALOG = {"abs": "Abs(x)"}


CASES = (
    Case("identity", (1,), (0,)),
    Case("relu", (0, 1), (0, 0)),
    Case("leaky_relu", ("negative_slope", 1), (0, 0), "negative_slope", sp.Interval(-sp.oo, 1)),
    Case("prelu", ("a", 1), (0, 0), "a", sp.Interval(-sp.oo, 1)),
    Case("abs", (1, -1), (0, 0)),
)


@dataclass
class Result:
    """The checker's verdicts on one case: f = maxout, the same with the parameter outside
    its domain (None without one), and f' = maxout' (the active piece's slope)."""
    case: Case
    expression: sp.Expr
    equal: object
    outside: object
    slope: object


def _maxout(case, symbol):
    maxout = registry.get("maxout")
    k = len(case.weights)
    values = {}
    for r, (w, b) in enumerate(zip(case.weights, case.biases), 1):
        values[sp.Symbol(f"w_{r}", real=True)] = symbol if isinstance(w, str) else sp.Integer(w)
        values[sp.Symbol(f"b_{r}", real=True)] = sp.Integer(b)
    value = maxout.outputs(k)[0].xreplace(values)
    slope = maxout.jacobian(k)[0, 0].xreplace(values)
    return value, slope


def maxout_special_cases(seconds=SECONDS):
    """MaxoutCases: each case proved (or not) by the checker."""
    results = []
    for case in CASES:
        target, symbol = case.target()
        value, slope = _maxout(case, symbol)
        shown = f"{case.name}(x) == {sp.sstr(value)}"
        domains = {symbol: case.domain} if symbol is not None else {}
        equal = check_relations(shown, [(target, sp.Eq, value)], domains, seconds)
        outside = None
        if symbol is not None:
            outside = check_relations(shown, [(target, sp.Eq, value)],
                                      {symbol: sp.S.Reals - case.domain}, seconds)
        slope_verdict = check_relations(f"{case.name}'(x) == {sp.sstr(slope)}",
                                        [(case.activation.derivative(1), sp.Eq, slope)], domains, seconds)
        results.append(Result(case, value, equal, outside, slope_verdict))
    return MaxoutCases(results)


class MaxoutCases(Page):
    """The cases with their verdicts; `entries()` shows them for the collection."""

    def __init__(self, results):
        self.results = results

    @property
    def proved(self):
        return all(r.equal.status == "proved" for r in self.results)

    def as_dict(self):
        return [{"activation": r.case.name, "maxout": sp.sstr(r.expression),
                 "weights": [str(w) for w in r.case.weights],
                 "biases": [str(b) for b in r.case.biases],
                 "assuming": None if r.case.parameter is None else
                 f"{r.case.parameter} in {sp.sstr(r.case.domain)}",
                 "equal": r.equal.status,
                 "outside_the_assumption": None if r.outside is None else r.outside.as_dict(),
                 "derivative_equal": r.slope.as_dict()} for r in self.results]

    def text(self):
        lines = []
        for r in self.results:
            assume = f" for {r.case.parameter} <= 1" if r.case.parameter else ""
            lines.append(f"{r.equal.status:<8} {r.case.name}(x) = {sp.sstr(r.expression)}{assume}")
            if r.outside is not None:
                lines.append(f"         {r.case.parameter} > 1: {r.outside.status}"
                             + _at(r.outside))
            lines.append(f"         derivative: {r.slope.status}" + _at(r.slope))
        return "\n".join(lines) + "\n"

    def entries(self):
        maxout = registry.get("maxout")
        rows = []
        for r in self.results:
            act = r.case.activation
            name = act.display_name
            parameter = act.param_named(r.case.parameter) if r.case.parameter else None
            symbol = (parameter.latex or sp.latex(parameter.symbol)) if parameter else None
            weights = ", ".join(symbol if isinstance(w, str) else str(w) for w in r.case.weights)
            biases = ", ".join(map(str, r.case.biases))
            condition = f"${symbol} \\le 1$ ({_word(r.outside)} for ${symbol} > 1$)" if parameter else "none"
            slope = "agrees" if r.slope.status == "proved" else \
                (f"differs at $x = {r.slope.counterexample['x']}$: {r.slope.lhs_value} against "
                 f"{r.slope.rhs_value}") if r.slope.counterexample else r.slope.status
            rows.append((f"${name}$", f"$({weights})$", f"$({biases})$", condition,
                         r.equal.status, slope))
        return [
            ("A maxout unit takes the largest of $k$ affine pieces of its input:", None),
            ("", expr_latex(maxout.expr).join((f"{maxout.display_name} = ", ""))),
            ("Its derivative is the slope of the active piece; symact differentiates the "
             "maximum into a case split, and at a tie takes the first piece. For $k = 3$:", None),
            ("", f"\\frac{{d}}{{dx}} {maxout.display_name} = {expr_latex(maxout.jacobian(3)[0, 0])}"),
            ("Catalog activations that are maxout units with $k \\le 2$ pieces, each equation "
             "proved by the checker on the catalog's definition (the parameter's range as an "
             "assumption); a parameter outside its range is refuted with a counterexample. "
             "The last column compares the catalog's derivative with the active piece's slope, "
             "kinks included: at $x = 0$, $|x|$ has slope 0 by symact's kink convention "
             "(PyTorch's), while the maxout unit takes its first piece.", None),
            Table(("activation", "$w$", "$b$", "condition", "equation", "derivative"),
                  tuple(rows), "llllll"),
        ]


def _at(verdict):
    if verdict.counterexample:
        at = ", ".join(f"{k} = {v}" for k, v in verdict.counterexample.items())
        return f" (counterexample {at}: {verdict.lhs_value} against {verdict.rhs_value})"
    return ""


def _word(verdict):
    return {"refuted": "refuted", "proved": "also holds", "unknown": "unknown"}[verdict.status]
