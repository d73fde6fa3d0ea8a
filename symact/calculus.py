"""Differentiation with symact's conventions, and tidying results into textbook form.

Kinks follow one rule: a Piecewise branch owns the boundary points its condition
includes, and the derivative there is that branch's derivative. Definitions choose
strict or non-strict inequalities so that this reproduces PyTorch autograd
(CONVENTIONS §2). Max, Min and Heaviside are turned into Piecewise first, so SymPy's
Heaviside(0) = 1/2 never appears; DiracDelta terms (zero away from kinks) are dropped,
and floor and ceiling, constant between their jumps, have derivative 0.
"""
import sympy as sp

from .budget import attempt
from .heads import HEADS
from .symbols import x


def max_min_to_piecewise(expr):
    """Max/Min/Heaviside as Piecewise; at a tie the earlier canonical argument wins.

    SymPy orders Max(x, 0) as Max(0, x), so relu written either way gets relu'(0) = 0.
    """

    def max_pw(*args):
        return _extremum_pw(args, sp.StrictGreaterThan)

    def min_pw(*args):
        return _extremum_pw(args, sp.StrictLessThan)

    def heaviside_pw(arg, *_):
        return sp.Piecewise((1, arg > 0), (0, True))

    return expr.replace(sp.Max, max_pw).replace(sp.Min, min_pw).replace(
        sp.Heaviside, heaviside_pw
    )


def _extremum_pw(args, beats):
    *earlier, last = args
    if not earlier:
        return last
    rest = _extremum_pw(earlier, beats)
    return sp.Piecewise((last, sp.And(*[beats(last, a) for a in earlier])), (rest, True))


class floor(sp.floor):
    """floor with derivative 0, which SymPy leaves unevaluated: the Dirac deltas at its
    jumps are dropped, as Heaviside's are."""

    def fdiff(self, argindex=1):
        return sp.S.Zero


class ceiling(sp.ceiling):
    """ceiling with derivative 0 (see floor)."""

    def fdiff(self, argindex=1):
        return sp.S.Zero


def normalize(expr):
    """The form every consumer differentiates and evaluates."""
    return max_min_to_piecewise(sp.sympify(expr)).replace(sp.floor, floor).replace(
        sp.ceiling, ceiling)


def differentiate(expr, n=1, var=x, tidied=True):
    """The n-th derivative under symact's kink convention, tidied unless told not to
    (tidying costs seconds; numeric consumers do not need the textbook form)."""
    result = normalize(expr)
    for _ in range(n):
        result = _derivative_once(result, var)
    return tidy(result) if tidied else result


def _derivative_once(expr, var):
    folded = sp.piecewise_fold(expr)
    if isinstance(folded, sp.Piecewise) and folded.has(var):
        return _piecewise_derivative(folded, var)
    return _drop_deltas(sp.diff(folded, var))


def _drop_deltas(expr):
    return expr.replace(sp.DiracDelta, lambda *a: sp.S.Zero)


def _piecewise_derivative(pw, var):
    """Branch by branch; a branch that holds at an isolated point (a removable
    singularity such as sinc's x = 0) gets the limit of its neighbour's derivative."""
    derivatives = [_drop_deltas(sp.diff(e, var)) for e, _ in pw.args]
    sets = _effective_sets(pw, var)
    branches = []
    for i, (deriv, cond) in enumerate(zip(derivatives, (c for _, c in pw.args))):
        if sets is not None and isinstance(sets[i], sp.FiniteSet) and len(sets[i]) == 1:
            point = next(iter(sets[i]))
            neighbour = next(
                (d for d, s in zip(derivatives, sets) if s is not sets[i] and s.measure != 0),
                None,
            )
            if neighbour is not None:
                limit = attempt(sp.limit, neighbour, var, point, seconds=10)
                if limit is not None and limit.is_finite:
                    deriv = limit
        branches.append((deriv, cond))
    return sp.Piecewise(*branches)


def _effective_sets(pw, var):
    """The set of reals where each branch is the one evaluated, or None if undecidable."""
    try:
        taken = sp.S.EmptySet
        sets = []
        for _, cond in pw.args:
            s = cond.as_set() if cond is not sp.true else sp.S.Reals
            if s.free_symbols:
                return None
            s = sp.Complement(s, taken, evaluate=True)
            sets.append(s)
            taken = sp.Union(taken, s)
        return sets
    except (NotImplementedError, TypeError, ValueError):
        return None


# ---- textbook form ---------------------------------------------------------------

def _head_kinds(expr):
    return {type(node) for node in sp.preorder_traversal(expr) if isinstance(node, HEADS + (sp.tanh,))}


def _score(expr):
    """Smaller is more textbook-like: few operations, no hyperbolic rewrites."""
    penalty = 0
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.cosh, sp.sinh, sp.Heaviside, sp.DiracDelta, sp.sech)):
            penalty += 8
    return sp.count_ops(expr) + penalty


def _absorb_sign(expr):
    """Differences written as people write them: 1 - t^2 rather than t^2 - 1, with the
    sign moved to the coefficient; a lone -1 goes into a difference without a constant."""
    if not isinstance(expr, sp.Mul):
        return expr
    coeff, factors = expr.as_coeff_mul()
    flipped = []
    for f in factors:
        if isinstance(f, sp.Add) and f.as_coeff_Add()[0] < 0:
            f, coeff = -f, -coeff
        flipped.append(f)
    if coeff == -1:
        for k, f in enumerate(flipped):
            if isinstance(f, sp.Add) and f.as_coeff_Add()[0] == 0:
                flipped[k], coeff = -f, 1
                break
    return sp.Mul(coeff, *flipped)


def _sign_products(expr):
    """u*sign(u) -> |u| and u*sign(u)^2 -> u (true for real u, including u = 0)."""
    def fix(mul):
        factors = list(mul.args)
        for s2 in [f for f in factors if isinstance(f, sp.Pow) and f.exp == 2
                   and isinstance(f.base, sp.sign)]:
            if s2.base.args[0] in factors:
                factors.remove(s2)
        for s in [f for f in factors if isinstance(f, sp.sign)]:
            if s.args[0] in factors:
                factors.remove(s)
                factors.remove(s.args[0])
                factors.append(sp.Abs(s.args[0]))
        return sp.Mul(*factors)
    return expr.replace(lambda e: isinstance(e, sp.Mul) and e.has(sp.sign), fix)


def tidy(expr, seconds=8):
    """Choose, among equivalent forms, the one a textbook prints.

    Never runs a rewrite that would lose the named heads (sigma, softplus, tanh).
    """
    if isinstance(expr, sp.Piecewise):
        branches = [(tidy(e, seconds), c) for e, c in expr.args]
        if all(b[0] == branches[0][0] for b in branches):
            return branches[0][0]
        return sp.Piecewise(*branches)
    expr = _sign_products(expr)
    heads = _head_kinds(expr)
    candidates = [expr]
    for transform in (sp.factor_terms, sp.together, sp.cancel, sp.factor, sp.simplify):
        candidate = attempt(transform, expr, seconds=seconds)
        if (candidate is not None and _head_kinds(candidate) >= heads
                and (expr.has(sp.Piecewise) or not candidate.has(sp.Piecewise))):
            candidates.append(candidate)
    candidates += [_absorb_sign(sp.factor_terms(c)) for c in candidates]
    candidates = [_absorb_sign(c) for c in candidates]
    # on equal cost, the factored form (fewest top-level terms) is the textbook one
    return min(candidates, key=lambda c: (_score(c), len(sp.Add.make_args(c))))
