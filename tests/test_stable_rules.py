"""Stable rewrites on random piecewise definitions: never an exception, never a new value."""
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symact.heads import to_elementary
from symact.stable import rewrite_stable
from symact.symbols import x

RULES = settings(max_examples=60, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])

_BREAKS = [sp.Integer(-3), sp.Integer(-1), sp.Rational(-1, 2), sp.Integer(0), sp.Rational(1, 2),
           sp.Integer(1), sp.Integer(2)]
_SLOPES = [sp.Integer(0), sp.Integer(1), sp.Integer(-1), sp.Rational(1, 2), sp.Rational(1, 10),
           sp.Rational(-1, 6), sp.Integer(3)]
_SHAPES = st.one_of(
    st.builds(lambda a, b: a * x + b, st.sampled_from(_SLOPES), st.sampled_from(_BREAKS)),
    st.builds(lambda c: (x + c)**2 / 4, st.sampled_from(_BREAKS)),
    st.builds(lambda a: a * (sp.exp(x) - 1), st.sampled_from([1, sp.Rational(1, 2), 2])),
    st.sampled_from([sp.Integer(0), sp.Integer(1), sp.Rational(-1, 2)]),
)


@st.composite
def piecewise(draw):
    """Two or three pieces split at one or two breakpoints, made continuous (each piece
    shifted to meet the one before) unless the draw says otherwise; strict or not."""
    breaks = sorted(draw(st.lists(st.sampled_from(_BREAKS), min_size=1, max_size=2, unique=True)),
                    key=float)
    pieces = [draw(_SHAPES) for _ in range(len(breaks) + 1)]
    if draw(st.booleans()):
        for k, c in enumerate(breaks):
            pieces[k + 1] = pieces[k + 1] - pieces[k + 1].subs(x, c) + pieces[k].subs(x, c)
    strict = draw(st.booleans())
    left = (x < breaks[0]) if strict else (x <= breaks[0])
    cases = [(pieces[0], left)]
    if len(breaks) == 2:
        cases.append((pieces[2], (x > breaks[1]) if strict else (x >= breaks[1])))
    return sp.Piecewise(*cases, (pieces[1], True)), breaks


def _value(expr, point):
    return sp.N(to_elementary(expr.doit()).subs(x, point), 30)


def _points(breaks):
    offsets = [0, sp.Rational(1, 7), -sp.Rational(1, 7), sp.Rational(5, 3), -sp.Rational(5, 3)]
    return {c + d for c in breaks for d in offsets} | {sp.Integer(-12), sp.Integer(12)}


def _same_values(original, rewritten, breaks):
    for point in _points(breaks):
        a, b = _value(original, point), _value(rewritten, point)
        assert abs(a - b) <= sp.Float(10)**-25 * (1 + abs(a)), (point, a, b, rewritten)


@RULES
@given(piecewise())
def test_piecewise_rewrites_keep_every_value(case):
    """Max/Min folds, clipped pieces, sums over clipped inputs and the upper envelope each
    claim an identity; at the breakpoints, beside them and far out the rewritten form
    takes the definition's values (30 digits), and no rule raises."""
    pw, breaks = case
    _same_values(pw, rewrite_stable(pw), breaks)


@RULES
@given(piecewise(), piecewise(), st.sampled_from([1, sp.Rational(1, 2), -2]))
def test_sums_of_cases_keep_every_value(first, second, weight):
    """A sum of two Piecewise (apl's shape), folded into one Piecewise when that becomes
    an extremum, keeps its values too."""
    (f, f_breaks), (g, g_breaks) = first, second
    total = f + weight * g
    _same_values(total, rewrite_stable(total), f_breaks + g_breaks)


_COEFFICIENTS = [sp.Integer(0), sp.Integer(1), sp.Integer(-2), x, x + 1, sp.sin(x)]


@st.composite
def exp_fraction(draw):
    """p_j E^j + ... + p_(j+m) E^(j+m) over (c + E)^m E^j with E = e^(k x), c > 0,
    coefficients free of E: the shape _exp_fraction_as_sigmoids converts (derivatives of
    x σ(kx), tanh and its powers written with e^x, e^x/(e^x + 2))."""
    k = draw(st.sampled_from([1, 2, -1, sp.Rational(1, 2), -3]))
    m, j = draw(st.integers(1, 3)), draw(st.integers(0, 1))
    c = draw(st.sampled_from([sp.Integer(1), sp.Integer(1), sp.Integer(2), sp.Rational(1, 3)]))
    e_u = sp.exp(k * x)
    top = sum(draw(st.sampled_from(_COEFFICIENTS)) * e_u**i for i in range(j, j + m + 1))
    return top / ((e_u + c)**m * e_u**j)


@RULES
@given(exp_fraction())
def test_fractions_of_exponentials_become_sigmoids_with_the_same_values(fraction):
    """No e^u is left (so nothing overflows), and the values are the fraction's at 30
    digits, from where e^u is tiny to where it is huge."""
    rewritten = rewrite_stable(fraction)
    assert not rewritten.has(sp.exp), rewritten
    for point in (-40, -sp.Rational(7, 3), 0, sp.Rational(1, 3), 5, 40):
        a, b = _value(fraction, point), _value(rewritten, point)
        assert abs(a - b) <= sp.Float(10)**-25 * (1 + abs(a)), (point, a, b, rewritten)


_NUMERATOR_COEFFICIENTS = [sp.Integer(0), sp.Integer(1), sp.Integer(-2), x, x + 1, 4 * x - 3]


@st.composite
def positive_fraction(draw):
    """P(E)/Q(E), E = e^(k x), deg P <= deg Q, P's coefficients polynomials in x and Q's
    positive integers with a constant term: the shape fraction_forms evaluates as one
    fraction (silu' and mish' written in E)."""
    k = draw(st.sampled_from([1, 2, -1, sp.Rational(1, 2), -3]))
    degree = draw(st.integers(1, 4))
    e_u = sp.Dummy("E")
    bottom = sum(draw(st.integers(1, 9)) * e_u**i for i in range(degree + 1))
    top = sum(draw(st.sampled_from(_NUMERATOR_COEFFICIENTS)) * e_u**i for i in range(degree + 1))
    fraction = (top / bottom).subs(e_u, sp.exp(k * x))
    assume(sp.cancel(fraction).has(sp.exp))  # not P = c Q
    return fraction


@RULES
@given(positive_fraction())
def test_one_fraction_of_exponentials_keeps_its_values_and_splits_at_zero(fraction):
    """fraction_forms reads such a fraction; its fast form and its split form take the
    fraction's values at 30 digits from where e^u is tiny to where it is huge, and in the
    branch the split form takes at a point no exponential exceeds 1 there. The stable
    rewrite of the fraction (sigmoids, or the split form) keeps the values too."""
    from symact.exp_fraction import fraction_forms
    fast, split = fraction_forms(fraction)
    rewritten = rewrite_stable(fraction)
    assert rewritten.has(sp.Piecewise) or not rewritten.has(sp.exp), rewritten
    assert split.has(sp.Piecewise) and not fast.has(sp.Piecewise)
    for point in (-40, -sp.Rational(7, 3), 0, sp.Rational(1, 3), 5, 40):
        a = _value(fraction, point)
        for form in (fast, split, rewritten):
            b = _value(form, point)
            assert abs(a - b) <= sp.Float(10)**-25 * (1 + abs(a)), (point, a, b, form)
        (branch, _), = [(v, c) for v, c in split.args if c.subs(x, point) == sp.true][:1]
        assert all(e.args[0].subs(x, point) <= 0 for e in branch.atoms(sp.exp)), (point, branch)
