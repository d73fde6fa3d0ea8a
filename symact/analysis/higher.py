"""Closed forms of the n-th derivative of sigmoid and tanh as polynomials in the output,
with their coefficients from Stirling numbers of the second kind, S(n, k):

    sigma^(n) = sum_{k=0}^{n} (-1)^k k! S(n+1, k+1) y^(k+1),           y = sigma(x)
    tanh^(n)  = 2^(n+1) sum_{k=0}^{n} (-1)^k k! S(n+1, k+1) ((1 + y)/2)^(k+1),  y = tanh(x)

(the second from the first through tanh(x) = 2 sigma(2x) - 1). `prove` compares each
formula with the polynomial symact derives by the chain rule (Activation.
derivative_in_output), exactly, coefficient by coefficient, for every n up to a bound.
"""
import sympy as sp
from sympy.functions.combinatorial.numbers import stirling

from .. import registry
from ..errors import SymactError
from ..symbols import y
from .page import Page


def _sigmoid_term(n, k, u):
    return (-1) ** k * sp.factorial(k) * stirling(n + 1, k + 1) * u ** (k + 1)


FORMULAS = {
    "sigmoid": lambda n: sp.expand(sum(_sigmoid_term(n, k, y) for k in range(n + 1))),
    "tanh": lambda n: sp.expand(2 ** (n + 1) * sum(_sigmoid_term(n, k, (1 + y) / 2)
                                                   for k in range(n + 1))),
}
FORMULA_LATEX = {
    "sigmoid": r"\sigma^{(n)} = \sum_{k=0}^{n} (-1)^{k}\, k!\, S(n+1, k+1)\, y^{k+1}, "
               r"\qquad y = \sigma(x)",
    "tanh": r"\tanh^{(n)} = 2^{n+1} \sum_{k=0}^{n} (-1)^{k}\, k!\, S(n+1, k+1) "
            r"\left(\frac{1 + y}{2}\right)^{k+1}, \qquad y = \tanh(x)",
}


def output_polynomial(name, n):
    """The n-th derivative of `name` as a polynomial in its output y, from the Stirling
    formula (names in FORMULAS)."""
    if name not in FORMULAS:
        raise SymactError(f"closed-form output polynomials are known for "
                          f"{', '.join(FORMULAS)}, not {name!r}")
    if not isinstance(n, int) or n < 1:
        raise SymactError(f"derivative order must be a positive integer, not {n!r}")
    return FORMULAS[name](n)


def prove(name, up_to=20):
    """[n for n = 1..up_to where the formula equals the derived polynomial exactly];
    raises SymactError at the first n where it does not."""
    act = registry.get(name)
    proved = []
    for n in range(1, up_to + 1):
        derived = act.derivative_in_output(n)
        if derived is None or sp.expand(derived - output_polynomial(name, n)) != 0:
            raise SymactError(f"the Stirling formula for {name}^({n}) differs from the "
                              f"derivative symact derives")
        proved.append(n)
    return proved


class OutputPolynomials(Page):
    """The Stirling formulas, each proved up to `up_to`, with the first `shown`
    polynomials: what the collection's page shows."""

    def __init__(self, up_to=20, shown=6):
        self.up_to, self.shown = up_to, shown
        self.proved = {name: prove(name, up_to) for name in FORMULAS}

    def entries(self):
        """[(words, LaTeX display or None)] for both renderings."""
        from ..latex import expr_latex
        entries = [("The $n$-th derivative of sigmoid and of tanh is a polynomial in the output "
                    "$y$: each derivative is the previous one differentiated in $y$ times "
                    "$f'(y)$ (the chain rule), starting from $\\sigma' = y(1 - y)$ and "
                    "$\\tanh' = 1 - y^{2}$. Its coefficients are Stirling numbers of the second "
                    "kind $S(n, k)$:", None)]
        for name in FORMULAS:
            entries.append(("", FORMULA_LATEX[name]))
        entries.append((f"Proved for every $n \\le {self.up_to}$ by comparing, coefficient by "
                        "coefficient, each formula with the polynomial symact derives "
                        "(exact rational arithmetic); the tests also check the polynomials "
                        "against numeric differentiation of the definitions at 80 digits. "
                        "The first ones:", None))
        for name, symbol in (("sigmoid", r"\sigma"), ("tanh", r"\tanh")):
            for n in range(1, self.shown + 1):
                polynomial = expr_latex(sp.factor(output_polynomial(name, n)))
                entries.append(("", f"{symbol}^{{({n})}} = {polynomial}"))
        return entries


def higher_derivatives(up_to=20):
    """The Stirling formulas of sigma^(n) and tanh^(n) in the output, proved for n <= up_to."""
    return OutputPolynomials(up_to)
