"""The SymPy heads sigmoid, softplus and Phi: derivatives, values, rewrites, printing."""
import mpmath
import sympy as sp

from symact import x
from symact.heads import Phi, sigmoid, softplus, to_elementary


def test_derivatives_in_own_terms():
    assert sp.diff(sigmoid(x), x) == sigmoid(x) * (1 - sigmoid(x))
    assert sp.diff(softplus(x), x) == sigmoid(x)
    assert sp.diff(Phi(x), x) == sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)
    assert sp.diff(sigmoid(3 * x), x) == 3 * sigmoid(3 * x) * (1 - sigmoid(3 * x))


def test_special_values():
    assert (sigmoid(0), sigmoid(sp.oo), sigmoid(-sp.oo)) == (sp.S.Half, 1, 0)
    assert (softplus(0), softplus(sp.oo), softplus(-sp.oo)) == (sp.log(2), sp.oo, 0)
    assert (Phi(0), Phi(sp.oo), Phi(-sp.oo)) == (sp.S.Half, 1, 0)
    assert isinstance(sigmoid(sp.Rational(1, 3)), sigmoid)  # stays unevaluated


def test_rewrites_agree_with_definitions():
    assert sp.simplify(sigmoid(x).rewrite(sp.exp) - 1 / (1 + sp.exp(-x))) == 0
    assert sp.simplify((sigmoid(x).rewrite(sp.tanh) - sigmoid(x)).rewrite(sp.exp)) == 0
    assert softplus(x).rewrite(sp.log) == sp.log(1 + sp.exp(x))
    assert sp.simplify((Phi(x).rewrite(sp.erf) - Phi(x).rewrite(sp.erfc)).rewrite(sp.erf)) == 0
    assert to_elementary(x * sigmoid(softplus(x))).has(sigmoid, softplus) is False


def test_identities_hold_after_rewriting():
    # tanh(x) = 2 sigma(2x) - 1 and softplus(x) - softplus(-x) = x
    assert sp.simplify((2 * sigmoid(2 * x) - 1 - sp.tanh(x)).rewrite(sp.exp)) == 0
    assert sp.simplify(to_elementary(softplus(x) - softplus(-x)) - x) == 0


def test_assumptions_and_series():
    assert sigmoid(x).is_positive and softplus(x).is_real and Phi(x).is_positive
    assert sp.series(sigmoid(x), x, 0, 4).removeO() == sp.S.Half + x / 4 - x**3 / 48


def test_latex():
    assert sp.latex(sigmoid(x)) == r"\sigma\left(x\right)"
    assert sp.latex(sigmoid(x) ** 2) == r"\sigma^{2}\left(x\right)"
    assert sp.latex(Phi(x)) == r"\Phi\left(x\right)"


def test_evalf_matches_mpmath():
    with mpmath.workdps(40):
        assert abs(sigmoid(sp.Rational(7, 3)).evalf(40) - 1 / (1 + mpmath.exp(-mpmath.mpf(7) / 3))) < 1e-38
        assert abs(Phi(-2).evalf(40) - mpmath.ncdf(-2)) < 1e-38
