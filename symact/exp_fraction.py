"""Functions that are one fraction of polynomials in E = e^u, evaluated as that fraction.

silu' = sigma(1 + x sigma(-x)) cancels between its terms for x in about (-2.8, -0.9): its
stable form needs long-double tiles there. Written in E = e^-x it is
((1 + x)E + 1)/((E + 2)E + 1): a denominator with positive coefficients adds without
cancelling, and a numerator whose coefficients are polynomials in x cancels only at the
function's roots, where the accuracy bound allows for it and a Taylor patch (symact.patches)
takes over; one exp and two Horner schemes take 3.8 ms per 1e6 values against 9.6 for
the stable form's sigmoid pair.
E^deg Q overflows for large u; beyond, where the float64 fraction is inf/inf, the repair
recomputes in long double the fraction split at u = 0: E there and F = e^-u = 1/E for
u > 0, each at most 1. mish' is such a fraction of degree 4; with its coefficients rounded
as one term each, the probe's hole for it narrows to (-1.57, 0.25), around its root, but
its sums of rounded terms come near the bound at scattered inputs above 0.46
(symact.probe.scattered_misses), so it keeps its stable form and tiles. The split form
is also the stable rewrite (symact.stable) of a user's fraction of e^u that sigmoids
cannot express: sech x written as 2/(e^x + e^-x) has a derivative that is inf/inf from
|x| = 355 on.
"""
import functools

import sympy as sp

from .symbols import x

FRACTION_SECONDS = 5  # per attempt to read an expression as a fraction of e^u (Poly, div)
# Horner costs two passes per degree of each polynomial: at degree 4 (mish') the fraction
# takes 5.6 ms per 1e6 values, about what the tiles it would save cost (6 ms)
MAX_DEGREE = 4
# scattered inputs a fraction must get right outside its holes before it replaces the
# stable form (symact.probe.scattered_misses): about 1 s for mish'
FRACTION_PROBE = 1 << 20


def as_exp_fraction(expr):
    """(numerator, denominator, u, E): expr as numerator(E)/denominator(E), two Polys in
    the positive Dummy E = e^u, where every exp in expr is e^(k u) with an integer k;
    or None when expr is not a rational function of one e^u. The exponents are scaled by
    their greatest common divisor: (e^x - e^-x)/(e^x + e^-x) is (E^2 - 1)/(E^2 + 1)."""
    exps = expr.atoms(sp.exp)
    if not exps:
        return None
    split = [e.args[0].as_coeff_Mul() for e in exps]
    core = split[0][1]
    if any(c != core or not k.is_Rational for k, c in split):
        return None
    step = functools.reduce(sp.gcd, [k for k, _ in split])
    e_u = sp.Dummy("E", positive=True)
    in_e = expr.replace(lambda e: isinstance(e, sp.exp),
                        lambda e: e_u ** (e.args[0].as_coeff_Mul()[0] / step))
    numerator, denominator = sp.fraction(sp.together(in_e))
    try:
        top, bottom = sp.Poly(numerator, e_u), sp.Poly(denominator, e_u)
    except sp.PolynomialError:
        return None
    d = functools.reduce(sp.gcd, [k for poly in (top, bottom) for (k,), _ in poly.terms()])
    if d > 1:
        top, bottom = (sp.Poly({(k // d,): p for (k,), p in poly.terms()}, e_u)
                       for poly in (top, bottom))
        step *= d
    return top, bottom, step * core, e_u


def as_cancelled_exp_fraction(expr):
    """as_exp_fraction with the common factors of numerator and denominator cancelled
    (SymPy's together leaves (E + 1) above and below in mish'), or None."""
    found = as_exp_fraction(expr)
    if found is None:
        return None
    top, bottom, u, e_u = found
    numerator, denominator = sp.fraction(sp.cancel(top.as_expr() / bottom.as_expr()))
    return sp.Poly(numerator, e_u), sp.Poly(denominator, e_u), u, e_u


def fraction_forms(expr):
    """(fast, split) for a function of x that is a fraction P(E)/Q(E), E = e^u, whose
    denominator has positive number coefficients, with a non-zero constant term, and whose
    numerator's coefficients are polynomials in x; else None. fast is P/Q in Horner form
    in e^u (one exp); split is Piecewise((P(E)/Q(E), u <= 0),
    (F^(deg Q - deg P) P~(F)/Q~(F), True)), F = e^-u, with P~, Q~ the reversed
    polynomials: every power of E or F there is at most 1."""
    elementary = expr.rewrite(sp.exp)
    if elementary.atoms(sp.Function) - elementary.atoms(sp.exp):
        return None  # erf, Heaviside, ... or a head without an elementary form
    found = as_cancelled_exp_fraction(elementary)
    if found is None:
        return None
    top, bottom, u, e_u = found
    if top.degree() <= 0 and bottom.degree() == 0:
        return None  # free of e^u once cancelled
    if not positive_denominator(bottom):
        return None
    if max(top.degree(), bottom.degree()) > MAX_DEGREE:
        return None
    if not all(c.is_polynomial(x) for c in top.coeffs()):
        return None
    return split_fraction(top, bottom, u, e_u, grouped=True)


def positive_denominator(bottom):
    """Whether the Poly `bottom` in E has positive number coefficients and a constant term:
    for E = e^u > 0 its terms add without cancelling, and it has no root at E = 0."""
    return all(c.is_Rational and c > 0 for c in bottom.coeffs()) and bottom.eval(0) != 0


def split_fraction(top, bottom, u, e_u, grouped=False):
    """(fast, split) for top(E)/bottom(E), E = e^u: fast in Horner form in e^u, split as
    Piecewise((top(E)/bottom(E), u <= 0), (F^(deg bottom - deg top) top~(F)/bottom~(F),
    True)), F = e^-u, with top~, bottom~ the reversed polynomials: every power of E or F
    there is at most 1. grouped holds each coefficient that is a sum as one term
    (UnevaluatedExpr), for code that rounds it before adding E's terms (see _horner)."""
    fast = _horner(top, e_u, grouped) / _horner(bottom, e_u, grouped)
    f_u = sp.Dummy("F", positive=True)
    reversed_top = sp.Poly(top.as_expr().subs(e_u, 1 / f_u) * f_u**top.degree(), f_u)
    reversed_bottom = sp.Poly(bottom.as_expr().subs(e_u, 1 / f_u) * f_u**bottom.degree(), f_u)
    far = _horner(reversed_top, f_u, grouped) / _horner(reversed_bottom, f_u, grouped)
    excess = bottom.degree() - top.degree()
    positive = sp.exp(-excess * u) * far.subs(f_u, sp.exp(-u), simultaneous=True)
    fast = fast.subs(e_u, sp.exp(u), simultaneous=True)
    return fast, sp.Piecewise((fast, u <= 0), (positive, True))


def _horner(poly, variable, grouped):
    """poly in Horner form in `variable`. Grouped, a coefficient that is a sum stays one
    term: mish' has 4x + 6 beside E^2, and SymPy's horner merges it into one sum with
    (E + 4)E that the code adds from the left, rounding (E + 4)E + 4x before the 6 that
    nearly cancels 4x; rounded alone 4x + 6 is exact there (Sterbenz), which narrows the
    probe's hole for the fraction from (-2.45, 0.25) to (-1.57, 0.25)."""
    if not grouped:
        return sp.horner(poly.as_expr(), wrt=variable)
    total = sp.Integer(0)
    for coefficient in poly.all_coeffs():
        held = sp.UnevaluatedExpr(coefficient) if coefficient.is_Add else coefficient
        total = total * variable + held
    return total
