"""Derivatives step by step, as a textbook shows them, each rule named and each step checked.

The derivative is expanded one layer at a time: every unevaluated d/dx(u) in the current
expression gets the rule of u's head (a table keyed by SymPy class, looked up along the
class's MRO), until none is left; then the result is brought to the form
`act.derivative()` gives and, when one exists, written in the output y = f(x).
An activation that *is* a named head (sigma, softplus, Phi) starts from that head's
elementary definition, since its derivative rule would assume the result; inside other
definitions the heads' rules (sigma' = sigma(1 - sigma), softplus' = sigma, Phi' = phi)
are steps like any other.
"""
from dataclasses import dataclass

import mpmath
import sympy as sp

from .budget import attempt
from .calculus import normalize
from .errors import SymactError
from .heads import HEADS, to_elementary
from .kinks import candidates
from .latex import derivative_lhs, expr_latex, expr_text
from .reference import mp_function
from .symbols import x, y

KINK_RULE = "cases, branch by branch (a boundary point takes the branch whose condition holds there)"
# An argument of this many operations, repeated in the steps, is written as one letter
ABBREVIATE_FROM = 6


@dataclass(frozen=True)
class Step:
    """One line of a derivation: expr equals f'(x) (or, for the output step, f' with y = f(x))."""
    expr: sp.Expr
    rule: str
    in_output: bool = False


def _d(u):
    """d/dx u, evaluated at once when trivial (constants, x, c*x), else left unevaluated."""
    if not u.has(x):
        return sp.Integer(0)
    if u == x:
        return sp.Integer(1)
    coefficient, rest = u.as_independent(x, as_Add=False)
    if rest == x:
        return coefficient
    return sp.Derivative(u, x)


def _rule_add(u):
    return sp.Add(*[_d(term) for term in u.args]), "sum rule"


def _rule_mul(u):
    constant, rest = u.as_independent(x, as_Add=False)
    if constant != 1:
        return constant * _d(rest), "constant factor"
    numerator, denominator = sp.fraction(u)
    if denominator.has(x) and numerator != 1:
        return ((denominator * _d(numerator) - numerator * _d(denominator))
                / denominator**2, "quotient rule")
    factors = u.args
    terms = [sp.Mul(*factors[:i], *factors[i + 1:]) * _d(f) for i, f in enumerate(factors)]
    return sp.Add(*terms), "product rule"


def _rule_pow(u):
    base, exponent = u.args
    if exponent.has(x):
        return _d(sp.exp(exponent * sp.log(base))), "power with variable exponent as exp(log)"
    result = exponent * base**(exponent - 1) * _d(base)
    name = "square root" if exponent == sp.Rational(1, 2) else "power rule"
    return result, name if base == x else f"{name}, chain rule"


def _rule_function(u):
    """Any one-argument function whose derivative SymPy knows (exp, log, tanh, erf, the
    heads): f'(v) * dv/dx."""
    (v,) = u.args
    outer = u.fdiff(1)
    name = {"exp": "exp", "log": "log", "sigmoid": "the sigmoid (sigma' = sigma(1 - sigma))",
            "softplus": "softplus (softplus' = sigma)", "Phi": "Phi (Phi' = phi)",
            "Abs": "|u| (sign(u), away from 0)"}.get(type(u).__name__, type(u).__name__)
    rule = f"derivative of {name}"
    return outer * _d(v), rule if v == x else f"{rule}, chain rule"


ISOLATED_RULE = ("at the isolated point f' is the limit of f' there (f is continuous: mean "
                 "value theorem)")


def _rule_piecewise(u):
    branches, rules = [], [KINK_RULE]
    for index, (value, condition) in enumerate(u.args):
        point = _isolated_point(u, index)
        if point is None:
            branches.append((_d(value), condition))
            continue
        around = _branch_near(u, point)
        branches.append((sp.Limit(_d(around), x, point, dir="+-"), condition))
        rules.append(ISOLATED_RULE)
    return sp.Piecewise(*branches), "; ".join(rules)


def _isolated_point(pw, index):
    """c when branch `index` of pw applies at the single point x = c (sinc's value at 0)
    and f is continuous there, else None."""
    value, condition = pw.args[index]
    try:
        earlier = sp.Union(*[c.as_set() for _, c in pw.args[:index]])
        where = sp.S.Reals.intersect(condition.as_set()) - earlier
    except (NotImplementedError, TypeError, ValueError):
        return None  # conditions on parameters: not a set in x
    if not (isinstance(where, sp.FiniteSet) and len(where) == 1):
        return None
    (point,) = where
    around = _branch_near(pw, point)
    if around is None:
        return None
    limit = attempt(sp.limit, around, x, point, "+-", seconds=5)
    return point if limit is not None and limit == value.subs(x, point) else None


def _branch_near(pw, point):
    """The branch that applies just beside point (on both sides, for an isolated point),
    or None when no condition can be decided there."""
    beside = point + sp.Rational(1, 10**9)
    return next((value for value, condition in pw.args if condition.subs(x, beside) == sp.true),
                None)


RULES = {sp.Add: _rule_add, sp.Mul: _rule_mul, sp.Pow: _rule_pow,
         sp.Piecewise: _rule_piecewise, sp.Function: _rule_function}


def _rule_for(u):
    for cls in type(u).__mro__:
        if cls in RULES:
            return RULES[cls]
    raise SymactError(f"no derivative rule for {type(u).__name__}")


def _expand_layer(expr):
    """Every d/dx(u) in expr replaced by its rule's result; the rules used, in order."""
    used = []

    def apply(node):
        result, rule = _rule_for(node.expr)(node.expr)
        if rule not in used:
            used.append(rule)
        return result

    pending = sorted(expr.atoms(sp.Derivative), key=sp.default_sort_key)
    return expr.xreplace({node: apply(node) for node in pending}), used


class Derivation:
    """The steps from d/dx f(x) to f'(x) (and to f' in terms of y = f(x))."""

    MAX_LAYERS = 30

    def __init__(self, act, definition, truth, output_form, symbol_names):
        self.act, self.definition, self.truth = act, definition, truth
        self._names = symbol_names
        self.steps = [Step(sp.Derivative(definition, x), "definition")]
        current = definition
        head = type(definition)
        if head in HEADS and definition.args == (x,):
            current = definition._elementary(x)
            self.steps.append(Step(sp.Derivative(current, x), f"definition of {head.__name__}"))
        if current.has(sp.Max, sp.Min, sp.Heaviside):
            current = normalize(current)
            self.steps.append(Step(sp.Derivative(current, x), "Max, Min and steps written as cases"))
        linear = current.has(x)
        current = _d(current)
        if not current.has(sp.Derivative):  # c*x or a constant: one rule, no layers
            self.steps.append(Step(current, "derivative of c x is c" if linear
                                   else "derivative of a constant"))
        for _ in range(self.MAX_LAYERS):
            if not current.has(sp.Derivative):
                break
            current, used = _expand_layer(current)
            self.steps.append(Step(current, "; ".join(used)))
        else:
            raise SymactError(f"the derivation of {act.name} did not terminate")
        if current != truth:
            self.steps.append(Step(truth, "evaluate the limit; simplify" if current.has(sp.Limit)
                                   else "simplify"))
        if output_form is not None:
            self.steps.append(Step(output_form, "in terms of the output y = f(x)", True))

    # ---- checking ----------------------------------------------------------------------
    def verify(self, seconds=10):
        """[(rule, how)] for every step, how = 'symbolic' or 'numeric (50 digits)'; raises
        SymactError naming the first step that does not equal f'."""
        checks = []
        for index, step in enumerate(self.steps):
            claimed = step.expr.subs(y, self.definition) if step.in_output else step.expr
            claimed = claimed.doit()
            difference = attempt(lambda: sp.simplify(to_elementary(claimed - self.truth)),
                                 seconds=seconds)
            if difference == 0:
                checks.append((step.rule, "symbolic"))
            elif self._agrees_numerically(claimed):
                checks.append((step.rule, "numeric (50 digits)"))
            else:
                raise SymactError(f"{self.act.name}: step {index} ({step.rule}) is not f'")
        return checks

    def _agrees_numerically(self, claimed):
        """Equal at 50 digits at 24 points spread over the reals, none at a kink."""
        values = self.act.substitutions()
        kinks = {float(k.xreplace(values)) for k in candidates(self.definition.xreplace(values))}
        points = [sp.Rational(p) / 7 for p in range(-61, 62, 5)]
        points = [p for p in points if all(abs(float(p) - k) > 1e-6 for k in kinks)]
        left = mp_function(claimed.xreplace(values))
        right = mp_function(self.truth.xreplace(values))
        for point in points:
            a, b = left(point), right(point)
            if abs(a - b) > mpmath.mpf(10)**-40 * max(1, abs(b)):
                return False
        return True

    # ---- rendering ---------------------------------------------------------------------
    def _lhs(self):
        return derivative_lhs(self.act, 1)

    def abbreviation(self):
        """(u, inner): a long function argument the steps repeat (gelu_tanh's
        sqrt(2/pi)(x + 0.044715 x^3)), written u in the formulas as a textbook would;
        None when no argument is long and repeated."""
        counts = {}
        for step in self.steps:
            for node in sp.preorder_traversal(step.expr):
                if isinstance(node, sp.Function) and not isinstance(node, (sp.Derivative, sp.Piecewise)):
                    for argument in node.args:
                        if argument.has(x) and sp.count_ops(argument) >= ABBREVIATE_FROM:
                            counts[argument] = counts.get(argument, 0) + 1
        repeated = [a for a, n in counts.items() if n >= 2]
        if not repeated:
            return None
        taken = {str(s) for s in self.definition.free_symbols}
        name = next(n for n in ("u", "v", "w", "s") if n not in taken)
        return sp.Symbol(name), max(repeated, key=lambda a: (counts[a], sp.count_ops(a)))

    def _formulas(self):
        """(rule, LaTeX formula) per step; the first carries the left-hand side f'(x) =."""
        short = self.abbreviation()
        for index, step in enumerate(self.steps):
            expr = step.expr.xreplace({short[1]: short[0]}) if short else step.expr
            body = expr_latex(expr, self._names)
            if step.in_output:
                body += r", \qquad y = f(x)"
            yield step.rule, (f"{self._lhs()} = " if index == 0 else "= ") + body

    def _where(self):
        """'u = ...' for the abbreviation, or ''."""
        short = self.abbreviation()
        return "" if short is None else \
            f"{expr_latex(short[0])} = {expr_latex(short[1], self._names)}"

    def latex(self):
        """Display equations with the rule in words before each, for a LaTeX document."""
        where = self._where()
        return ((f"With ${where}$:\n\n" if where else "")
                + "".join(f"\\emph{{{_latex_words(rule)}:}}\n\\[ {formula} \\]\n"
                          for rule, formula in self._formulas()))

    def markdown(self):
        """Numbered steps, each rule in words and its formula as a $$ block (GitHub)."""
        where = self._where()
        return ((f"With ${where}$:\n\n" if where else "")
                + "\n".join(f"{index}. *{rule}*\n\n$$\n{formula}\n$$\n"
                             for index, (rule, formula) in enumerate(self._formulas(), 1)))

    def text(self):
        width = max(len(step.rule) for step in self.steps)
        return "\n".join(f"[{step.rule:<{width}}]  = {expr_text(step.expr)}"
                         + ("   (y = f(x))" if step.in_output else "") for step in self.steps)


def _latex_words(text):
    return text.replace("_", r"\_").replace("'", "'{}")


def derivation(act, **values):
    """The step-by-step derivation of act's first derivative (parameters symbolic unless
    given)."""
    if act.vector:
        raise SymactError(f"step-by-step derivations cover element-wise activations; "
                          f"{act.name} is vector-valued")
    substitutions = act.substitutions(values, defaults=False) if values else {}
    definition = act.expr.xreplace(substitutions)
    truth = act.derivative(1, **values)
    output_form = act.derivative_in_output()
    if output_form is not None and substitutions:
        output_form = output_form.xreplace(substitutions)
    return Derivation(act, definition, truth, output_form, act.symbol_latex_names())
