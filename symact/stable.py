"""Symbolic rewrites that make an expression numerically stable before it becomes code.

Each rule replaces a form that loses digits in float64 by an equal one that does not;
rules match expression heads, never activation names, so user definitions get them too.
Definitions written with e^x first get the heads: log(c + a e^u) -> log c + softplus(u +
log(a/c)), a rational function of e^u over a power of c + e^u -> a polynomial in
sigma(u - log c), sigma(log c - u), and one over another denominator with positive
coefficients -> that fraction split at u = 0, in e^u below and e^-u above.
A piecewise-linear sum with |u| or sign(u) terms becomes cases (then Max/Min or steps).
Then: W(u)/u = e^-W(u) for |u| < 1 (Lambert W: its derivative is finite at u = 0),
sigma(u) - sigma(-u) = tanh(u/2) = 2 sigma(u) - 1, cosh u - 1 = 2 sinh^2(u/2),
1 - cos u = 2 sin^2(u/2), 1 + cos u = 2 cos^2(u/2), 1 +- sin u = 2 sin^2(u/2 +- pi/4),
log cosh u through log1p of that and past cosh's overflow, log(a sigma(w)) -> log a -
softplus(-w), softplus(u) - softplus(u - c) -> clip(u, 0, c) + softplus(-|u|) -
softplus(-|u - c|), u - softplus(u - c) -> min(u, c) - softplus(-|u - c|) (log sigma
written u - log(1 + e^u)), e^u - e^(u - c) -> -e^u expm1(-c), sigma(u) - sigma(u - c) ->
-sigma(u) sigma(c - u) expm1(-c), a^2 - b^2 -> (a - b)(a + b) where a - b has a stable form,
c + c*F(u) pairs (1 + tanh u = 2 sigma(2u), 1 - sigma(u) = sigma(-u), 1 + erf z and
2 - erfc(z) = erfc(-z) with erfc(-z) kept unevaluated (Erfc),
1 - tanh(u)^2 = 4 sigma(2u) sigma(-2u)), sigma(u) sigma(-u) = 1/(2 + 2 cosh u),
tanh(softplus v) and its 1 - tanh^2 through n = e^v (e^v + 2) (one exp),
sqrt(a + b u^2) -> hypot (no overflow of u^2),
u + hypot(s, u) as max(p [u >= 0], s^2/p), p = hypot(s, u) + |u| (no cancellation as
u -> -oo, no select), hypot(s, u) - s as
u^2 / (hypot(s, u) + s), exp(u) - 1 -> expm1,
log(1 + u) -> log1p, continuous piecewise-linear Piecewise -> Max/Min (one ufunc), the
median max(u + a, min(u + b, 0)) -> u - clip(u, -b, -a), (u > c) | (u < -c) -> |u| > c,
pieces that meet at 0 -> a sum over clipped inputs (no numpy.where), one piece between
constants it meets -> that piece on a clipped input (elu' = e^min(x, 0)), one between
constants it jumps to -> that piece on a clipped input times its interval's indicator plus
the constants' steps (hard_swish', no select), and a constant
factor of a Piecewise moved into its branches (one rounding).
"""
import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import expm1, hypot, log1p
from sympy.codegen.rewriting import expm1_opt, log1p_opt, optimize

from .budget import attempt
from .exp_fraction import (FRACTION_SECONDS, as_cancelled_exp_fraction, as_exp_fraction,
                           positive_denominator, split_fraction)
from .heads import sigmoid, softplus, to_elementary
from .symbols import x

PROOF_SECONDS = 5  # per inequality that licenses a rewrite; out of time, the form stays


class Erfc(sp.Function):
    """erfc(u) kept as written, for the numeric code only: SymPy turns erfc(-u) into
    2 - erfc(u), which cancels where erfc(u) is near 2 (u -> -oo): x erfc(-x)/2, GELU
    through erfc, was -0 instead of -3e-266 at x = -24.7."""

    nargs = 1

    def _eval_evalf(self, prec):
        return sp.erfc(self.args[0], evaluate=False)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_extended_real

    def doit(self, **hints):
        return sp.erfc(self.args[0].doit(**hints))


def rewrite_stable(expr):
    """expr with every cancellation-prone or overflow-prone sub-expression replaced."""
    expr = _guarded(_linear_cases_of_abs)(expr)
    expr = expr.replace(lambda e: isinstance(e, sp.log), _guarded(_log_one_plus_exp))
    # split fractions wait under symbols of their own until the end: optimize would fold
    # a branch back, e^-x/(1 + e^-2x) into 1/(e^x + e^-x), which overflows
    held = {}
    expr = _exp_fractions(expr, held)
    for matches, rule in _RULES:
        expr = expr.replace(matches, _guarded(rule))
    expr = optimize(expr, [expm1_opt, log1p_opt])
    # log1p_opt takes the largest term out of a log: log(e^x + e^-x) = -x + log1p(e^2x)
    expr = expr.replace(lambda e: isinstance(e, log1p) and isinstance(e.args[0], sp.exp),
                        lambda e: softplus(e.args[0].args[0]))
    expr = expr.replace(lambda e: isinstance(e, sp.Mul) and e.has(expm1),
                        _guarded(_exp_over_expm1))
    return expr.xreplace(held)


def _linear_cases_of_abs(expr):
    """A piecewise-linear sum of |u| or sign(u) terms and others written as its cases,
    which the case rules turn into Max/Min or steps: (x + |x|)/2 + (x - |x|)/200, leaky
    ReLU, is 101x/200 + 99|x|/200 to SymPy, whose terms cancel for x < 0 (a hole tiled
    across the kink before), and max(x/100, x) as cases; its derivative 99 sign(x)/200 +
    101/200 is 1/100 for x < 0 without rounding 99/200 and 101/200 first. A sum of
    |u| terms alone cancels nowhere and keeps numpy.absolute."""
    if not (isinstance(expr, sp.Add) and expr.has(sp.Abs, sp.sign)
            and any(not term.has(sp.Abs, sp.sign) for term in expr.args)):
        return expr
    cases = sp.piecewise_fold(expr.rewrite(sp.Piecewise))
    if not isinstance(cases, sp.Piecewise) or cases.has(sp.Abs, sp.sign):
        return expr
    for value, condition in cases.args:
        if not (value.is_polynomial(x) and sp.degree(value, x) <= 1):
            return expr
    return cases


def _exp_over_expm1(product):
    """e^(k u) expm1(u)^-m, 1 <= k <= m, as expm1(u)^(k-m) (-1/expm1(-u))^k: e^u/(e^u - 1)
    = 1/(1 - e^-u). e^u and expm1(u) overflow together from u = 709.78 on, where the
    quotient is 1: the derivative of x/(e^x - 1), -x e^x/expm1(x)^2 + 1/expm1(x) after
    expm1_opt, was inf/inf there. Below -709.78 expm1(-u) overflows instead, and the
    repair pass recomputes what are subnormal results there."""
    factors = list(product.args)
    for power in factors:
        if not (isinstance(power, sp.Pow) and isinstance(power.base, expm1)
                and power.exp.is_Integer and power.exp.is_negative):
            continue
        u = power.base.args[0]
        for exponential in factors:
            if not isinstance(exponential, sp.exp):
                continue
            k = sp.cancel(exponential.args[0] / u)
            if k.is_Integer and 1 <= k <= -power.exp:
                rest = list(factors)
                rest.remove(power)
                rest.remove(exponential)
                return (sp.Mul(*rest) * power.base**(power.exp + k)
                        * (-1 / expm1(-u))**k)
    return product


def _guarded(rule):
    """rule, or the expression unchanged where SymPy fails inside it: a rule only ever
    offers a better form, and a user's definition may reach corners no rule foresaw."""
    def apply(expr):
        try:
            return rule(expr)
        except (TypeError, ValueError, AttributeError, NotImplementedError, RecursionError,
                ZeroDivisionError):
            return expr
    return apply


# ---- functions of e^u ---------------------------------------------------------------------
def _log_one_plus_exp(log):
    """log(c + a e^u) with numbers a, c > 0 as log(c) + softplus(u + log(a/c)) (softplus(u)
    for log(1 + e^u)): e^u overflows from u = 709.78 on, and long double's from 11357
    (log(2 + e^x) was inf from there on, log(3 + e^-x) too, below -11357), softplus never."""
    inner = log.args[0]
    if not (isinstance(inner, sp.Add) and len(inner.args) == 2):
        return log
    c, term = inner.as_coeff_Add()
    a, power = term.as_coeff_Mul()
    if not (isinstance(power, sp.exp) and c.is_positive and a.is_positive):
        return log
    return sp.log(c) + softplus(power.args[0] + sp.log(a / c))


def _log_cosh(log):
    """log(cosh u) (the log-cosh loss) as log1p(2 sinh^2(m/2)) + (|u| - m), m =
    min(|u|, 512): near 0, cosh u rounds away the u^2/2 that log cosh u is (log1p of
    2 sinh^2(u/2) keeps it); cosh overflows from |u| = 710.5 on, and long double's
    from 11357, while log cosh u = |u| - log 2 + log1p(e^-2|u|) grows like |u|, and from
    512 on e^-1024 is far below its last bit. Up to 512 the sum adds an exact 0."""
    c, cosh = log.args[0].as_coeff_Mul()  # log(2 cosh u) too (softplus(2u) - u + log 2)
    if not (isinstance(cosh, sp.cosh) and c.is_positive):
        return log
    size = sp.Abs(cosh.args[0])
    clipped = sp.Min(size, 512)
    stable = log1p(2 * sp.sinh(clipped / 2)**2) + (size - clipped)
    return stable if c == 1 else sp.log(c) + stable


def _log_sigmoid(log):
    """log(a sigma(w)) with a > 0 as log a - softplus(-w): sigma(w) rounds to 1 from
    w = 37 on, and its log to 0, where log sigma(w) = -e^-w still has every digit
    (log((1 + e^x)/(1 + e^(x - 1))), which SymPy's fractions of e^x make
    log((1 + e^x) sigma(1 - x)), was e^x, 1.6 times the truth, below x = -36)."""
    factors = sp.Mul.make_args(log.args[0])
    sigmoids = [f for f in factors if isinstance(f, sigmoid)]
    rest = sp.Mul(*[f for f in factors if not isinstance(f, sigmoid)])
    if not sigmoids or not rest.is_positive:
        return log
    logged = sp.log(rest) if rest != 1 else sp.S.Zero
    if isinstance(logged, sp.log):
        logged = _log_one_plus_exp(logged)
    return logged - sum(softplus(-s.args[0]) for s in sigmoids)


def _softplus_difference(u, v, gap):
    """softplus(u) - softplus(v), v = u - gap, gap > 0, as clip(u, 0, gap) +
    softplus(-|u|) - softplus(-|v|) (softplus(u) = max(u, 0) + softplus(-|u|)): the
    difference of two values near u cancels to gap as u -> oo (it was 0 at u = 1e17 for
    gap 1, and 400 at u = 11400 in long double), while the tails subtracted here are
    below 2 log 2 and reach 0 without cancelling against anything."""
    return (sp.Min(sp.Max(u, 0), gap) + softplus(-sp.Abs(u)) - softplus(-sp.Abs(v)))


def _exp_fractions(expr, held):
    """expr with its rational functions of e^u written through sigmoids where
    _exp_fraction_as_sigmoids can, else split at u = 0 where _exp_fraction_split can (each
    split is a new symbol, its value in `held`): the largest sub-expressions first, since
    a part of such a fraction converted alone leaves e^u factors that overflow. A sum is
    converted whole only where that takes fewer operations than its terms converted one
    by one: 1 - (e^x - e^-x)^2/(e^x + e^-x)^2 (tanh') is 4 s t whole, and
    1 - s^2 - t^2 + 2 s t, which cancels for large |x|, term by term."""
    if not expr.args or not expr.has(sp.exp):
        return expr
    grouped = _grouped_by_exponent(expr)
    if grouped is not None:
        return sp.Mul(*[_exp_fractions(part, held) for part in grouped])
    whole = None
    if isinstance(expr, sp.Expr):
        whole = attempt(_exp_fraction_as_sigmoids, expr, seconds=FRACTION_SECONDS)
        if whole is None:
            split = attempt(_exp_fraction_split, expr, seconds=FRACTION_SECONDS)
            if split is not None:
                whole = sp.Dummy("split", real=True)
                held[whole] = split
    if whole is not None and not isinstance(expr, sp.Add):
        return whole
    parts = expr.func(*[_exp_fractions(a, held) for a in expr.args])
    if whole is not None and sp.count_ops(held.get(whole, whole)) < sp.count_ops(parts):
        return whole
    return parts


def _grouped_by_exponent(product):
    """A product's factors as the products of those whose exponentials are all
    e^(k u) for one u, each u's group one part, and the other factors: or None when that
    changes nothing. 2x e^x e^(-softplus(x)^2)/(sqrt(pi) (e^x + 1)), the derivative of
    x erf(softplus(x)), is no fraction of e^x as a whole, and its parts e^x and
    1/(e^x + 1) alone overflow together (inf at x = 1e10); grouped, they are sigma(x)."""
    if not isinstance(product, sp.Mul):
        return None
    groups, others = {}, []
    for factor in product.args:
        cores = {e.args[0].as_coeff_Mul()[1] for e in factor.atoms(sp.exp)}
        if len(cores) == 1:
            groups.setdefault(cores.pop(), []).append(factor)
        else:
            others.append(factor)
    if not any(len(group) > 1 for group in groups.values()) or \
            len(groups) + sum(f.has(sp.exp) for f in others) < 2:
        return None
    return [sp.Mul(*group) for group in groups.values()] + others


def _exp_fraction_as_sigmoids(expr):
    """A rational function of E = e^u with denominator C E^j (1 + E)^m as
    the sum of p_k/C s^(k-j) t^(m+j-k) over the terms p_k E^k of its numerator, where
    s = sigma(u), t = sigma(-u): E = s/t and 1/(1 + E) = t. When j <= k <= m + j for
    every k, no factor exceeds 1 and nothing overflows; otherwise, or for any other
    shape, None. SymPy writes the derivative of x/(1 + e^-2x) as
    (2x + e^2x + 1) e^2x/(e^2x + 1)^2, which is inf/inf from x = 355 on; as
    s ((2x + 1) t + s) with u = 2x it is 1 there. Factors free of e^u stay as they are
    (a Poly would expand them, and 1 - tanh^2 must stay whole for its own rule)."""
    if isinstance(expr, sp.Mul) and not all(f.has(sp.exp) for f in expr.args):
        inner = _exp_fraction_as_sigmoids(sp.Mul(*[f for f in expr.args if f.has(sp.exp)]))
        return None if inner is None else \
            sp.Mul(*[f for f in expr.args if not f.has(sp.exp)]) * inner
    found = as_exp_fraction(expr)
    if found is None:
        return None
    top, bottom, u, e_u = found
    c = _shift(bottom)
    if c is not None:  # C E^j (E + c)^m: with E = c e^(u - log c), C c^m E'^j (1 + E')^m
        top, bottom = (sp.Poly(p.as_expr().subs(e_u, c * e_u), e_u) for p in (top, bottom))
        u = u - sp.log(c)
    m = j = 0
    for factor in (e_u + 1, e_u):
        while True:
            quotient, remainder = sp.div(bottom, sp.Poly(factor, e_u))
            if not remainder.is_zero:
                break
            bottom = quotient
            if factor == e_u:
                j += 1
            else:
                m += 1
    # m = 0 passes only a fraction that SymPy cancelled to one free of e^u
    if bottom.degree() != 0 or not all(j <= k <= m + j for (k,), _ in top.terms()):
        return None
    s, t = sigmoid(u), sigmoid(-u)
    powers = [(k - j, m + j - k) for (k,), _ in top.terms()]
    # the powers of s and t common to every term, factored out: e^u/(1 + e^u)^2 has the
    # derivative s t (t - s), and t - s = -tanh(u/2) keeps its digits near u = 0
    least_s, least_t = min(a for a, _ in powers), min(b for _, b in powers)
    inner = sp.Add(*[p * s**(a - least_s) * t**(b - least_t)
                     for ((k,), p), (a, b) in zip(top.terms(), powers)])
    return s**least_s * t**least_t * inner / bottom.as_expr()


def _exp_fraction_split(expr):
    """A rational function of E = e^u that _exp_fraction_as_sigmoids cannot write through
    sigmoids, with a denominator of positive coefficients and a constant term, of at least
    the numerator's degree, as that fraction split at u = 0 (symact.exp_fraction): each
    power of e^u or e^-u at most 1 where it is evaluated. sech x written as
    2/(e^x + e^-x) has the derivative 2(e^-x - e^x)/(e^x + e^-x)^2, inf/inf from |x| = 355
    on (NaN from 11357 on in long double); split, it is -0 there. Else None."""
    found = as_cancelled_exp_fraction(expr)
    if found is None:
        return None
    top, bottom, u, e_u = found
    if bottom.degree() < 1 or top.degree() > bottom.degree() or not positive_denominator(bottom):
        return None
    return split_fraction(top, bottom, u, e_u)[1]


def _shift(bottom):
    """c when the polynomial `bottom` in E is C E^j (E + c)^m with a number c > 0, c != 1
    (e^x/(e^x + 2) = sigma(x - log 2)), else None."""
    roots = sp.roots(bottom)
    nonzero = [(r, k) for r, k in roots.items() if r != 0]
    if sum(roots.values()) != bottom.degree() or len(nonzero) != 1:
        return None
    (root, _), = nonzero
    return -root if root.is_number and root.is_negative and root != -1 else None


def _lambert_over_argument(product):
    """W(u)/u in a product (W = LambertW) as e^-W(u) where |u| < 1, from W e^W = u:
    SymPy's derivative W(u)' = W(u) u'/(u (1 + W(u))) is 0/0 where u = 0 (the derivative
    of W(x^2) was NaN at 0) and 0 where u underflows (|x| < 1.5e-162 for x^2: 0 instead of
    2x). Only there: e^-W takes W's rounding times W, 85 ULP at x = -1e100 (W = 460).
    Only where the denominator loses a factor; else the product as it is."""
    for factor in product.args:
        if isinstance(factor, sp.LambertW) and len(factor.args) == 1:
            u = factor.args[0]
            candidate = sp.Mul(*[u * sp.exp(-factor) if f == factor else f
                                 for f in product.args])
            if len(_divisors(candidate)) < len(_divisors(product)):
                return sp.Piecewise((candidate, sp.Abs(u) < 1), (product, True))
    return product


def _divisors(product):
    """The factors a product divides by (negative powers; e^-W is no division)."""
    return [f for f in sp.Mul.make_args(product) if f.is_Pow and f.exp.is_negative]


def _sigmoid_polynomial(add):
    """A sum of terms m_j(x) sigma(u)^k as sum_j m_j(x) q_j(sigma(u)), each q_j factored,
    where some q_j of an m_j other than 1 vanishes at sigma = 1: there the expanded terms
    cancel as u -> oo, and
    the factor 1 - sigma(u) becomes sigma(-u) (the sums rule). The derivative of
    x sigma(x) (1 + x (1 - sigma(x))), (2x^2 sigma^2 - 3x^2 sigma + x^2 - 3x sigma + 3x +
    1) sigma, lost every digit of its x^2 terms from x = 1e8 on and overflowed from 1e154
    (1.2e291 and -inf where it is 1); as x^2 sigma(-x)(1 - 2 sigma) + 3x sigma(-x) + 1
    nothing cancels."""
    arguments = {s.args[0] for s in add.atoms(sigmoid)}
    if len(arguments) != 1:
        return add
    (u,) = arguments
    s = sp.Dummy("s")
    replaced = add.xreplace({sigmoid(u): s})
    if replaced.has(sigmoid) or not replaced.has(s):
        return add
    groups = {}
    for term in sp.Add.make_args(replaced):
        # only the factors with s are expanded: x (1 - tanh(x)^2) stays whole for the
        # sums rule (it is 4 x sigma(2x) sigma(-2x), not x - x tanh(x)^2)
        factors = sp.Mul.make_args(term)
        free = sp.Mul(*[f for f in factors if not f.has(s)])
        for part in sp.Add.make_args(sp.expand(sp.Mul(*[f for f in factors if f.has(s)]))):
            coefficient, power = part.as_independent(s, as_Add=False)
            if power != 1 and not (power == s or isinstance(power, sp.Pow)
                                   and power.base == s and power.exp.is_Integer):
                return add  # s inside another function, or a negative power
            number, monomial = (free * coefficient).as_coeff_Mul()
            groups[monomial] = groups.get(monomial, 0) + number * power
    # a constant's q(sigma) = 1 - sigma the sums rule handles; a growing m_j multiplies
    # the cancellation
    if not any(monomial != 1 and q.has(s) and q.subs(s, 1) == 0
               for monomial, q in groups.items()):
        return add
    return sp.Add(*[monomial * sp.factor(q).xreplace({s: sigmoid(u)})
                    for monomial, q in groups.items()])


# ---- products -----------------------------------------------------------------------------
def _sigmoid_pair(product):
    """sigma(u) sigma(-u) (sigma', tanh' = 4 sigma(2u) sigma(-2u)) as 1/(2 + 2 cosh u):
    one cosh instead of two sigmoids, nothing cancels (cosh u >= 1) and the roundings
    stay within 2 ULP; where cosh overflows (|u| > 710) the repair pass recomputes."""
    factors = list(sp.Mul.make_args(product))
    for i, first in enumerate(factors):
        if not isinstance(first, sigmoid):
            continue
        u = first.args[0]
        for j, second in enumerate(factors):
            if j != i and isinstance(second, sigmoid) and sp.expand(second.args[0] + u) == 0:
                rest = [f for k, f in enumerate(factors) if k not in (i, j)]
                return sp.Mul(sp.Rational(1, 2), 1 / (sp.cosh(u) + 1), *rest)
    return product


def _constant_into_cases(product):
    """c * Piecewise((a, p), (b, q)) as Piecewise((c a, p), (c b, q)): SELU's
    lambda * alpha (e^x - 1) multiplies by one constant lambda*alpha, one rounding
    instead of two."""
    coefficient, rest = product.as_coeff_Mul()
    if coefficient == 1 or not isinstance(rest, sp.Piecewise):
        return product
    return sp.Piecewise(*[(coefficient * value, condition) for value, condition in rest.args])


# ---- sums ---------------------------------------------------------------------------------
def _stable_sum(add):
    """The first cancelling pair of terms in a sum, replaced by a stable equivalent."""
    terms = list(sp.Add.make_args(add))
    for i, first in enumerate(terms):
        for j, second in enumerate(terms):
            if i == j:
                continue
            replacement = _pair(first, second)
            if replacement is not None:
                others = [t for k, t in enumerate(terms) if k not in (i, j)]
                return sp.Add(replacement, *others)
    return add


def _pair(first, second):
    """first + second in a stable form, or None; first is the constant or hypot term."""
    if first.is_number and first != 0:
        coeff, core = second.as_coeff_Mul()
        if abs(coeff) == abs(first):
            replacement = _one_plus(core, 1 if coeff == first else -1)
            if replacement is not None:
                return first * replacement
        elif coeff.is_Rational and first.is_Rational and 1 < abs(first / coeff) < 2:
            # c + k F(u), |k| < |c| < 2|k|: the part |k| of the constant pairs with k F(u)
            # (11/10 - tanh(u)^2 = 1/10 + 4 sigma(2u) sigma(-2u): 1.1 - 1 was 6.4 ULP off
            # where tanh(u) = 1; below |k| the sum has a root, which no split removes)
            part = abs(coeff) if first > 0 else -abs(coeff)
            replacement = _one_plus(core, 1 if coeff == part else -1)
            if replacement is not None:
                return (first - part) + part * replacement
        quotient = _one_plus_ratio(second / first)
        if quotient is not None:
            return first * quotient
        if isinstance(core, sp.erfc) and first == -2 * coeff:  # 2c - c erfc(u) = c erfc(-u)
            return -coeff * _erfc(-core.args[0])
        if isinstance(core, sigmoid) and first == -coeff / 2:  # c sigma(u) - c/2
            return coeff / 2 * sp.tanh(core.args[0] / 2)
        k, core = second.as_coeff_Mul()
        if isinstance(core, hypot) and first == -k * core.args[0]:  # k*(hypot(s, u) - s)
            s, u = core.args
            return k * u**2 / (core + s)
    coeff, core = first.as_coeff_Mul()
    other_coeff, other_core = second.as_coeff_Mul()
    if other_coeff == -coeff and all(isinstance(p, sp.Pow) and p.exp == 2
                                     for p in (core, other_core)):
        a, b = core.base, other_core.base  # c (a^2 - b^2) = c (a - b)(a + b)
        difference = _stable_sum(a - b)
        if difference != a - b:  # where a - b itself has a stable form
            return coeff * difference * (a + b)
    if isinstance(other_core, softplus) and other_coeff == -coeff and not core.is_number:
        gap = sp.expand(core - other_core.args[0])  # c (u - softplus(u - gap))
        if gap.is_number and gap.is_real:
            return coeff * (sp.Min(core, gap) - softplus(-sp.Abs(other_core.args[0])))
    if isinstance(core, (softplus, sp.exp, sigmoid)) and type(other_core) is type(core) \
            and other_coeff == -coeff:  # c (F(u) - F(u - gap))
        gap = sp.expand(core.args[0] - other_core.args[0])
        if gap.is_number and gap.is_positive:
            if isinstance(core, sp.exp):  # e^u (1 - e^-gap): e^x - e^(x - 1e-8) lost 8 digits
                return -coeff * core * expm1(-gap)
            if isinstance(core, sigmoid):  # both round to 1 as u -> oo
                return -coeff * core * sigmoid(-other_core.args[0]) * expm1(-gap)
            return coeff * _softplus_difference(core.args[0], other_core.args[0], gap)
    if isinstance(core, sigmoid) and isinstance(other_core, sigmoid) and other_coeff == -coeff \
            and sp.expand(core.args[0] + other_core.args[0]) == 0:  # c (sigma(u) - sigma(-u))
        return coeff * sp.tanh(core.args[0] / 2)
    if isinstance(core, hypot):
        s, u = core.args
        if sp.simplify(second - coeff * u) == 0:  # c*(hypot(s, u) + u)
            return coeff * _hypot_plus(s, u)
        if sp.simplify(second + coeff * u) == 0:  # c*(hypot(s, u) - u)
            return coeff * _hypot_plus(s, -u)
    return None


def _erfc(u):
    """erfc(u), as written where SymPy would reflect it (Erfc)."""
    return Erfc(u) if u.could_extract_minus_sign() else sp.erfc(u)


def _one_plus(core, sign):
    """1 + sign*core in a stable form, or None."""
    if isinstance(core, sp.tanh):
        return 2 * sigmoid(sign * 2 * core.args[0])
    if isinstance(core, sigmoid) and sign == -1:
        return sigmoid(-core.args[0])
    if isinstance(core, sp.erf):
        return _erfc(-sign * core.args[0])
    if isinstance(core, sp.cosh) and sign == -1:  # 1 - cosh u = -2 sinh^2(u/2)
        return -2 * sp.sinh(core.args[0] / 2)**2
    # double roots: 1 - cos u at u = 2 pi k, 1 + cos u at pi + 2 pi k, 1 + sign sin u at
    # -sign pi/2 + 2 pi k, where the sum cancels to (u - root)^2 and a squared sine keeps
    # its relative digits (sine's argument reduction is exact)
    if isinstance(core, sp.cos):  # 1 - cos u = 2 sin^2(u/2), 1 + cos u = 2 cos^2(u/2)
        half = core.args[0] / 2
        return 2 * (sp.sin(half) if sign == -1 else sp.cos(half))**2
    if isinstance(core, sp.sin):  # 1 + sign sin u = 2 sin^2(u/2 + sign pi/4)
        return 2 * sp.sin(core.args[0] / 2 + sign * sp.pi / 4)**2
    if (sign == -1 and isinstance(core, sp.Pow) and core.exp == 2
            and isinstance(core.base, sp.tanh)):
        u = core.base.args[0]
        if isinstance(u, softplus):  # mish': sech^2(softplus v) = 4 w^2/(w^2 + 1)^2
            n = _softplus_gap(u.args[0])
            return 4 / (n + 2) * (1 - 1 / (n + 2))
        return 4 * sigmoid(2 * u) * sigmoid(-2 * u)
    return None


def _softplus_gap(v):
    """n = w^2 - 1 = e^v (e^v + 2) for w = 1 + e^v = e^softplus(v), without the
    cancellation of w^2 - 1."""
    e = sp.exp(v)
    return _Whole(e * (e + 2))


class _Whole(sp.UnevaluatedExpr):
    """A product kept whole (SymPy would split 2/n into 2 e^-v/(e^v + 2), two exps) that
    commutes, so that printers put its reciprocal in a denominator."""
    is_commutative = True


def _tanh_softplus(tanh):
    """tanh(softplus v) = (w^2 - 1)/(w^2 + 1) = 1/(1 + 2/n) (mish): one exp and three
    cheap operations instead of exp, log1p and tanh; n = inf gives 1 and n = 0 gives 0."""
    (u,) = tanh.args
    if not isinstance(u, softplus):
        return tanh
    return 1 / (1 + 2 / _softplus_gap(u.args[0]))


def _one_plus_ratio(ratio):
    """1 + u/hypot(s, u) (which cancels as u -> -oo) as (hypot + u)/hypot, stable; or None."""
    for factor in sp.Mul.make_args(ratio):
        if isinstance(factor, sp.Pow) and factor.exp == -1 and isinstance(factor.base, hypot):
            h = factor.base
            s, u = h.args
            if sp.simplify(ratio * h - u) == 0:
                return _hypot_plus(s, u) / h
    return None


def _hypot_plus(s, u):
    """u + hypot(s, u) without cancellation: p = hypot(s, u) + |u| where u >= 0, s^2/p
    where u < 0. As p >= s >= s^2/p, that is the larger of p [u >= 0] and s^2/p: one
    maximum instead of a select between two branches (squareplus)."""
    p = hypot(s, u) + sp.Abs(u)
    return sp.Max(p * sp.Piecewise((1, u >= 0), (0, True)), s**2 / p, evaluate=False)


# ---- powers -------------------------------------------------------------------------------
def _hypot_power(power):
    """(a + b u^2)^(k/2) with a, b > 0 as hypot(sqrt a, sqrt(b) u)^k: u^2 never overflows."""
    base, exponent = power.args
    if not (exponent.is_Rational and exponent.q == 2 and isinstance(base, sp.Add)):
        return power
    constant, rest = base.as_coeff_Add()
    b, square = rest.as_coeff_Mul()
    if not (constant.is_positive and b.is_positive and isinstance(square, sp.Pow)
            and square.exp == 2):
        return power
    return hypot(sp.sqrt(constant), sp.sqrt(b) * square.base) ** exponent.p


# ---- conditions ---------------------------------------------------------------------------
_OUTSIDE = {(sp.StrictGreaterThan, sp.StrictLessThan): sp.StrictGreaterThan,
            (sp.GreaterThan, sp.LessThan): sp.GreaterThan}
_INSIDE = {(sp.StrictLessThan, sp.StrictGreaterThan): sp.StrictLessThan,
           (sp.LessThan, sp.GreaterThan): sp.LessThan}


def _symmetric_bounds(condition):
    """(u > c) | (u < -c) as |u| > c and (u < c) & (u > -c) as |u| < c, c >= 0 (also
    with <=, >=): one comparison of |u| instead of two comparisons and a logical
    operation; NaN fails both forms alike."""
    table = _OUTSIDE if isinstance(condition, sp.Or) else _INSIDE
    if len(condition.args) != 2 or not all(
            isinstance(a, sp.core.relational.Relational) for a in condition.args):
        return condition
    for first, second in (condition.args, reversed(condition.args)):
        head = table.get((type(first), type(second)))
        if head is not None and first.lhs == second.lhs and first.rhs.is_number \
                and first.rhs.is_nonnegative and second.rhs == -first.rhs:
            return head(sp.Abs(first.lhs), first.rhs)
    return condition


# ---- piecewise-linear as max/min ----------------------------------------------------------
def _summed_cases(add):
    """A sum of Piecewise terms in x with at most three pieces in all, as the one
    Piecewise it equals, when that becomes Max/Min or clipped pieces: apl = relu(x) +
    relu(1 - x)/2 = max(1/2 - x/2, x/2 + 1/2, x), one rounding per piece instead of a
    rounded sum of two."""
    from .realanalysis import NotSplittable, split
    try:
        pieces, at_breaks = split(add)
    except NotSplittable:
        return add
    values = [piece.expr for piece in pieces]
    if not 2 <= len(values) <= 3 or any(v.has(sp.Piecewise, sp.nan) for v in values):
        return add
    for k, (point, value) in enumerate(at_breaks):  # jumps that cancel leave a point apart
        if any(sp.simplify(side.subs(x, point) - value) != 0 for side in values[k:k + 2]):
            return add
    ends = [piece.hi for piece in pieces[:-1]]
    cases = [(values[0], x <= ends[0])] + ([(values[2], x >= ends[1])] if len(ends) > 1 else [])
    pw = sp.Piecewise(*cases, (values[1], True))
    if not isinstance(pw, sp.Piecewise):
        return add  # the same piece on every side: nothing to fold
    single = _piecewise_as_extremum(pw)
    return add if single is pw else single


def _interval_pieces(pw):
    """[(value, lower, upper)] for a Piecewise in x whose conditions are single comparisons
    of x with numbers, in order of the real line; None for anything else."""
    pieces, taken = [], []
    for value, condition in pw.args:
        if condition == sp.true:
            bound = (None, None)
        elif isinstance(condition, sp.core.relational.Relational) and condition.lhs == x \
                and condition.rhs.is_number:
            c = condition.rhs
            bound = (None, c) if isinstance(condition, (sp.LessThan, sp.StrictLessThan)) else (c, None)
        else:
            return None
        pieces.append((value, bound))
        taken.append(bound)
    lows = [b[0] for _, b in pieces if b[0] is not None]
    highs = [b[1] for _, b in pieces if b[1] is not None]
    if len(lows) > 1 or len(highs) > 1 or pieces[-1][1] != (None, None):
        return None
    left = highs[0] if highs else None
    right = lows[0] if lows else None
    if left is not None and right is not None and not left < right:
        return None
    ordered = []
    for value, (low, high) in pieces:
        if high is not None:
            ordered.append((0, value))
        elif low is not None:
            ordered.append((2, value))
        else:
            ordered.append((1, value))
    ordered.sort(key=lambda item: item[0])
    return [value for _, value in ordered], [b for b in (left, right) if b is not None]


def _piecewise_as_extremum(pw):
    """A continuous Piecewise of linear pieces in x as nested Max/Min (checked exactly),
    also when every piece is x times a linear one (hard_swish = x hard_sigmoid(x)); else,
    when every piece is 0 at its ends, as a sum of pieces on clipped inputs."""
    extremum = _linear_as_extremum(pw)
    if extremum is not pw:
        return extremum
    quotients = [sp.cancel(value / x) for value, _ in pw.args]
    if all(q.is_polynomial(x) and sp.degree(q, x) <= 1 for q in quotients):
        inner = sp.Piecewise(*[(q, c) for q, (_, c) in zip(quotients, pw.args)])
        extremum = _linear_as_extremum(inner)
        if extremum is not inner:
            return x * extremum
    upper = _as_upper_envelope(pw)
    if upper is not pw:
        return upper
    joined = _zero_joined_as_sum(pw)
    return joined if joined is not pw else _one_piece_clipped(pw)


def _in_float(value, point):
    """value at a float point, evaluated by NumPy (None where that fails)."""
    try:
        with np.errstate(all="ignore"):
            return float(sp.lambdify(x, to_elementary(value), "numpy")(np.float64(float(point))))
    except (TypeError, ValueError, NameError, ZeroDivisionError):
        return None


def float_exact(value):
    """Whether value is a rational that one float64 holds exactly: x clipped at it lands
    on it, and x shifted by it is exact near -value (Sterbenz)."""
    return value.is_Rational and sp.Rational(float(value)) == value


def _exact_intervals(values, breaks):
    """One piece per interval, and breaks that are floats exactly (x clipped at a break
    then lands on the break itself)."""
    return len(values) == len(breaks) + 1 and all(float_exact(c) for c in breaks)


def _continuous(values, breaks):
    """Adjacent pieces meet at every break (exactly)."""
    return all(sp.simplify(values[k].subs(x, c) - values[k + 1].subs(x, c)) == 0
               for k, c in enumerate(breaks))


def _clipped(k, breaks):
    """x clipped into the k-th interval between the breaks (the outer ones are open)."""
    clipped = x if k == len(breaks) else sp.Min(x, breaks[k])
    return clipped if k == 0 else sp.Max(clipped, breaks[k - 1])


def _zero_joined_as_sum(pw):
    """Pieces that meet at 0 as the sum of each piece on x clipped into its interval:
    elu = max(x, 0) + alpha expm1(min(x, 0)). Outside its interval a piece sees its end,
    where it is exactly 0 in float64 too (checked), so the sum is the active piece with
    exact zeros added: no numpy.where, which costs as much as four arithmetic passes on
    inputs of mixed sign, and no unused branch evaluated where it overflows."""
    parsed = _interval_pieces(pw)
    if parsed is None:
        return pw
    values, breaks = parsed
    if not _exact_intervals(values, breaks):
        return pw
    if sum(not value.is_polynomial(x) for value in values) > 1:
        return pw  # numpy.where shares e^x between elish's pieces; clipped inputs would not
    for k, c in enumerate(breaks):
        for value in (values[k], values[k + 1]):
            if value.subs(x, c) != 0 or _in_float(value, c) != 0.0:
                return pw
    return sp.Add(*[value.subs(x, _clipped(k, breaks)) for k, value in enumerate(values)])


def _as_upper_envelope(pw):
    """A continuous Piecewise that is the largest of its pieces, each linear piece taken on
    all of x and each other piece on x clipped into its interval, as that Max: sparse_plus
    = max((clip(x, -1, 1) + 1)^2/4, x), two passes fewer than two numpy.where. A constant
    piece that a clipped neighbour meets (exactly, and in float64 at the break) is left to
    that neighbour. Used only when check.prove shows, symbolically on every interval, that
    no term exceeds the active piece; so where another term wins the max in float64, it
    exceeds the true value by no more than its own rounding error. NaN stays NaN."""
    from .check import prove  # check parses claims through the registry, which needs us
    parsed = _interval_pieces(pw)
    if parsed is None:
        return pw
    values, breaks = parsed
    if not breaks or all(_linear(v) for v in values) or not _exact_intervals(values, breaks) \
            or not _continuous(values, breaks):
        return pw
    intervals = list(zip([-sp.oo, *breaks], [*breaks, sp.oo]))
    terms = {}  # piece index -> (term, its value on each interval)
    for k, value in enumerate(values):
        low, high = intervals[k]
        if _linear(value) and value.has(x):
            terms[k] = (value, [value] * len(values))
        elif value.has(x):
            for end in (low, high):
                if end.is_finite and _in_float(value, end) != float(value.subs(x, end)):
                    return pw  # the clipped piece must give its end value exactly
            ends = [value.subs(x, low if i < k else high) for i in range(len(values))]
            terms[k] = (value.subs(x, _clipped(k, breaks)),
                        [value if i == k else e for i, e in enumerate(ends)])
    for k, value in enumerate(values):
        if not value.has(x) and not any(
                j in terms and not _linear(values[j]) for j in (k - 1, k + 1)):
            terms[k] = (value, [value] * len(values))
    for i, (low, high) in enumerate(intervals):
        domain = {x: sp.Interval(low, high)}
        for j, (_, on) in terms.items():
            if j != i and on[i] != values[i] and attempt(
                    prove, values[i], sp.Ge, on[i], domain, seconds=PROOF_SECONDS,
                    default=(None, "out of time"))[0] is None:
                return pw
    return sp.Max(*[term for term, _ in terms.values()])


def _linear(value):
    return value.is_polynomial(x) and sp.degree(value, x) <= 1


def _one_piece_clipped(pw):
    """One non-constant piece g between constant pieces that g meets (exactly, and in
    float64 at the break) as g on x clipped into g's interval: elu' = e^min(x, 0). One
    ufunc instead of numpy.where, and g never sees the inputs where it would overflow."""
    parsed = _interval_pieces(pw)
    if parsed is None:
        return pw
    values, breaks = parsed
    moving = [k for k, value in enumerate(values) if value.has(x)]
    if len(moving) != 1 or not _exact_intervals(values, breaks):
        return pw
    (k,) = moving
    piece = values[k]
    neighbours = [(k - 1, breaks[k - 1])] if k > 0 else []
    neighbours += [(k + 1, breaks[k])] if k < len(breaks) else []
    if len(neighbours) != len(values) - 1:
        return pw  # two constants side by side: a jump
    for j, c in neighbours:
        if piece.subs(x, c) != values[j] or _in_float(piece, c) != float(values[j]):
            return _masked_piece(pw, piece, k, breaks)
    return piece.subs(x, _clipped(k, breaks))


def _masked_piece(pw, piece, k, breaks):
    """One non-constant piece g between two constants that it does not meet (jumps at
    both ends: hard_swish') as g(x clipped into its interval) [x in it] plus the constants
    as steps: one product and one sum instead of a select per constant, exact (g times 1
    plus 0, or g times 0 plus a constant; a -0.0 of g comes out +0.0). Where the mask is
    0 the clipped input is a break, where g is checked finite, so no inf times 0 makes a
    NaN."""
    at_breaks = [_in_float(piece, c) for c in breaks]
    if len(breaks) != 2 or k != 1 or not all(v is not None and np.isfinite(v) for v in at_breaks):
        return pw
    mask = sp.Piecewise(*[(sp.Integer(value.has(x)), c) for value, c in pw.args])
    constants = sp.Piecewise(*[(0 if value.has(x) else value, c) for value, c in pw.args])
    return piece.subs(x, _clipped(k, breaks)) * mask + constants


def _linear_as_extremum(pw):
    parsed = _interval_pieces(pw)
    if parsed is None:
        return pw
    values, breaks = parsed
    if len(values) != len(breaks) + 1:
        return pw
    if not all(v.is_polynomial(x) and sp.degree(v, x) <= 1 for v in values):
        return pw
    if not _continuous(values, breaks):
        return pw  # discontinuous: keep the Piecewise
    for candidate in (_fold_left(values), _fold_right(values)):
        if _same_piecewise_linear(candidate, values, breaks):
            ends = list(zip([-sp.oo, *breaks], [*breaks, sp.oo]))
            return candidate.xreplace({value: _spread(value, low, high)
                                       for value, (low, high) in zip(values, ends)})
    return pw


def _spread(value, low, high):
    """a x + b kept as a x + b (not a (x + b/a), the printer's form near a root) where it
    is used only on one side of 0 that b/a shares: neither form cancels there, and
    x/10 - 9/10 rounds less than (x - 9)/10 (srelu for x <= -1: 0.85 ULP against 1.2)."""
    b, rest = value.as_coeff_Add()
    a, u = rest.as_coeff_Mul()
    if not (u == x and a.is_Rational and b.is_Rational and a != 0 and b != 0
            and a.q & (a.q - 1)):  # x/2^k is exact: no form to choose
        return value
    shift = b / a
    if shift > 0 and low >= 0 or shift < 0 and high <= 0:
        return sp.Add(_Scaled(a * x), b, evaluate=False)
    return value


class _Scaled(sp.UnevaluatedExpr):
    """a x kept whole, so that the printer does not factor a x + b as a (x + b/a); real,
    so that Max and Min can order it."""
    is_commutative = True
    is_extended_real = True
    is_real = True


def _median_as_clip(extremum):
    """max(u + a, min(u + b, 0)) with a <= b (softshrink: the median of u + a, 0, u + b) as
    u - clip(u, -b, -a): two passes instead of four. Each branch still rounds once, the
    middle one gives u - u = 0 exactly, and NaN stays NaN."""
    if len(extremum.args) != 2:
        return extremum
    for low, high in (extremum.args, reversed(extremum.args)):
        if not (isinstance(high, sp.Min) and len(high.args) == 2 and sp.S.Zero in high.args):
            continue
        (upper,) = [arg for arg in high.args if arg != 0]
        a, u = low.as_coeff_Add()
        b, v = upper.as_coeff_Add()
        if u == v and u.has(x) and a <= b:
            return u - sp.Max(sp.Min(u, -a), -b)
    return extremum


def _fold_left(values):
    result = values[0]
    for k in range(1, len(values)):
        change = sp.diff(values[k] - values[k - 1], x)
        result = result if change == 0 else (
            sp.Max(result, values[k]) if change > 0 else sp.Min(result, values[k]))
    return result


def _fold_right(values):
    result = values[-1]
    for k in range(len(values) - 2, -1, -1):
        change = sp.diff(values[k + 1] - values[k], x)
        result = result if change == 0 else (
            sp.Max(values[k], result) if change > 0 else sp.Min(values[k], result))
    return result


def _same_piecewise_linear(candidate, values, breaks):
    """candidate equals the piecewise-linear function: both are piecewise linear, so it is
    enough that they agree at every breakpoint of either, between them and beyond them."""
    points = set(breaks)
    for i, first in enumerate(values):  # the candidate's own corners are crossings of pieces
        for second in values[i + 1:]:
            if (first - second).has(x):
                points.update(r for r in sp.solve(sp.Eq(first, second), x) if r.is_real)
    points = sorted(points) or [sp.S.Zero]
    probes = [points[0] - 2, points[0] - 1, points[-1] + 1, points[-1] + 2] + points + [
        (a + b) / 2 for a, b in zip(points, points[1:])]

    def reference(t):
        for k, c in enumerate(breaks):
            if t <= c:
                return values[k].subs(x, t)
        return values[-1].subs(x, t)

    return all(sp.simplify(candidate.subs(x, t) - reference(t)) == 0 for t in probes)


_RULES = (  # in this order: cases first, so that later rules see Max/Min and clipped pieces
    (lambda e: isinstance(e, sp.Mul), _constant_into_cases),
    (lambda e: isinstance(e, sp.Add) and e.has(sp.Piecewise), _summed_cases),
    (lambda e: isinstance(e, sp.Piecewise), _piecewise_as_extremum),
    (lambda e: isinstance(e, (sp.Or, sp.And)), _symmetric_bounds),
    (lambda e: isinstance(e, sp.Max), _median_as_clip),
    (lambda e: isinstance(e, sp.Pow), _hypot_power),
    (lambda e: isinstance(e, sp.log), _log_sigmoid),
    (lambda e: isinstance(e, sp.Add) and e.has(sigmoid), _sigmoid_polynomial),
    (lambda e: isinstance(e, sp.Add), _stable_sum),
    (lambda e: isinstance(e, sp.tanh), _tanh_softplus),
    (lambda e: isinstance(e, sp.log), _log_cosh),
    (lambda e: isinstance(e, sp.Mul), _sigmoid_pair),
    (lambda e: isinstance(e, sp.Mul) and e.has(sp.LambertW), _lambert_over_argument),
)
