"""LaTeX and plain-text printing in textbook notation (sigma, cases, decimal constants)."""
import re

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from .activation import format_number
from .symbols import x, y


def _variable_first(rel):
    """x > theta rather than theta < x, x < -lambda rather than -x > lambda: a linear
    condition is solved for the input (or output), which stands on the left."""
    for var in (x, y):
        difference = rel.lhs - rel.rhs
        if not difference.has(var) or isinstance(rel, (sp.Eq, sp.Ne)):
            continue
        slope = difference.diff(var)
        if slope.is_number and slope != 0 and not (difference - slope * var).has(var):
            bound = -(difference - slope * var) / slope
            flipped = rel.func(var, bound) if slope > 0 else rel.reversed.func(var, bound)
            return sp.Rel(var, bound, flipped.rel_op, evaluate=False)
    return rel.reversed if rel.rhs.has(x, y) and not rel.lhs.has(x, y) else rel


def _is_decimal_constant(r):
    """Decimal constants (0.044715, 1.702, 0.01) print as decimals, 1/2 or 1/8 as fractions."""
    q = r.q
    while q % 2 == 0:
        q //= 2
    while q % 5 == 0:
        q //= 5
    return q == 1 and r.q > 10


class _Latex(LatexPrinter):
    def _print_Relational(self, expr):
        return super()._print_Relational(_variable_first(expr))

    def _print_Rational(self, expr):
        if _is_decimal_constant(expr):
            return format_number(expr)
        return super()._print_Rational(expr)

    def _print_Derivative(self, expr):
        """d/dx, not the partial sign SymPy uses once a parameter appears: f has one input."""
        printed = super()._print_Derivative(expr)
        return printed.replace(r"\partial", "d") if len(expr.variables) == 1 else printed

    def _print_Piecewise(self, expr):
        rows = []
        for e, c in expr.args:
            cond = r"\text{otherwise}" if c is sp.true else self._print(c)
            rows.append(f"{self._print(e)} & {cond}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


class _Text(StrPrinter):
    def _print_Relational(self, expr):
        return super()._print_Relational(_variable_first(expr))

    def _print_Rational(self, expr):
        if _is_decimal_constant(expr):
            return format_number(expr)
        return super()._print_Rational(expr)


def _decimals_shown(expr):
    """Display only: decimal constants become symbols named by their digits, so a product
    prints 0.044715 x^3 rather than 8943 x^3 / 200000."""
    return sp.sympify(expr).replace(
        lambda e: isinstance(e, sp.Rational) and _is_decimal_constant(e),
        lambda r: sp.sign(r) * sp.Symbol(format_number(abs(r)), positive=True))


def expr_latex(expr, symbol_names=None):
    return _Latex({"symbol_names": symbol_names or {}}).doprint(_decimals_shown(expr))


def expr_text(expr):
    return _Text().doprint(_decimals_shown(expr))


def equation(activation, lhs, expr):
    return f"{lhs} = {expr_latex(expr, activation.symbol_latex_names())}"


_ONE_TOKEN = re.compile(r"\\[A-Za-z]+|\\operatorname\{[^{}]*\}(_\{[^{}]*\})?")


def derivative_lhs(activation, n):
    name = activation.display_name
    if not _ONE_TOKEN.fullmatch(name):
        name = rf"\left({name}\right)"  # (\log\sigma)' rather than the ambiguous \log\sigma'

    if n == 1:
        return rf"{name}'\left(x\right)"
    if n == 2:
        return rf"{name}''\left(x\right)"
    return rf"{name}^{{({n})}}\left(x\right)"
