"""Derivatives: a textbook table, no Heaviside/DiracDelta, and agreement with 50-digit
numeric differentiation; the derivative in terms of the output, checked by substitution."""
import mpmath
import pytest
import sympy as sp

import symact
from symact.heads import Phi, sigmoid as sig, softplus as sp_head
from symact.reference import mp_function
from conftest import ELEMENTWISE

x, y = symact.x, symact.y


def param(name, pname):
    return symact.get(name).param_named(pname).symbol


# One line per derivative: the form a textbook prints.
TEXTBOOK = {
    "identity": 1,
    "sigmoid": sig(x) * (1 - sig(x)),
    "tanh": 1 - sp.tanh(x) ** 2,
    "arctan": 1 / (1 + x**2),
    "softsign": 1 / (1 + sp.Abs(x)) ** 2,
    "relu": sp.Piecewise((1, x > 0), (0, True)),
    "leaky_relu": sp.Piecewise((1, x > 0), (param("leaky_relu", "negative_slope"), True)),
    "elu": sp.Piecewise((1, x > 0), (param("elu", "alpha") * sp.exp(x), True)),
    "softplus": sig(param("softplus", "beta") * x),
    "log_sigmoid": sig(-x),
    "silu": sig(x) * (1 + x * (1 - sig(x))),
    "gelu": Phi(x) + x * sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi),
    "mish": sp.tanh(sp_head(x)) + x * (1 - sp.tanh(sp_head(x)) ** 2) * sig(x),
    "tanhshrink": sp.tanh(x) ** 2,
    "exponential": sp.exp(x),
    "sinusoid": sp.cos(x),
    "gaussian": -2 * x * sp.exp(-x**2),
    "hard_swish": sp.Piecewise((0, x <= -3), (1, x >= 3), (x / 3 + sp.Rational(1, 2), True)),
}


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_textbook_form(name):
    assert symact.get(name).derivative() == TEXTBOOK[name]


def test_sigmoid_second_derivative_factors():
    assert symact.get("sigmoid").derivative(2) == sig(x) * (1 - sig(x)) * (1 - 2 * sig(x))


def test_sinc_removable_point_gets_the_limit():
    sinc = symact.get("sinc")
    assert sinc.derivative().subs(x, 0) == 0
    assert sinc.derivative(2).subs(x, 0) == sp.Rational(-1, 3)
    assert sinc.derivative(3).subs(x, 0) == 0


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("order", [1, 2])
def test_no_heaviside_or_dirac_delta(name, order):
    d = symact.get(name).derivative(order)
    assert not d.has(sp.Heaviside, sp.DiracDelta, sp.Max, sp.Min)


def _sample_points(act):
    """>= 20 points away from kinks, where the definition is real-valued."""
    kinks = set()
    for pw in act.expr.xreplace(act.params).atoms(sp.Piecewise):
        for _, cond in pw.args:
            for rel in cond.atoms(sp.Rel):
                kinks.update(float(r) for r in sp.solve(rel.lhs - rel.rhs, x) if r.is_real)
    points = [mpmath.mpf(k) / 7 + mpmath.mpf(1) / 97 for k in range(-35, 36, 3)]
    points += [mpmath.mpf(v) for v in ("-12.5", "-6.03", "4.71", "9.99", "1e-3", "-2e-4")]
    return [p for p in points if all(abs(p - k) > 1e-2 for k in kinks)]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_50_digit_numeric_differentiation(name):
    act = symact.get(name)
    f = mp_function(act.expr.xreplace(act.params))
    df = mp_function(act.derivative().xreplace(act.params))
    d2f = mp_function(act.derivative(2).xreplace(act.params))
    points = _sample_points(act)
    assert len(points) >= 20
    with mpmath.workdps(50):
        for p in points:
            numeric = mpmath.diff(f, p)
            assert abs(df(p) - numeric) <= mpmath.mpf(10) ** -30 * (1 + abs(numeric)), (name, p)
            numeric2 = mpmath.diff(f, p, 2)
            assert abs(d2f(p) - numeric2) <= mpmath.mpf(10) ** -25 * (1 + abs(numeric2)), (name, p)


@pytest.mark.parametrize("name, values", [("elu", {"alpha": "0.5"}), ("softplus", {"beta": 3}),
                                          ("swish", {"beta": "1.5"}), ("celu", {"alpha": 2}),
                                          ("soft_exponential", {"alpha": "-0.5"}),
                                          ("soft_exponential", {"alpha": 0})])
def test_derivative_with_other_parameters(name, values):
    act = symact.get(name)
    f = mp_function(act.at(**values))
    df = mp_function(act.derivative(1, **values).xreplace(act.params))
    with mpmath.workdps(50):
        for p in [mpmath.mpf(k) / 5 + mpmath.mpf(1) / 101 for k in range(-5, 8)]:
            assert abs(df(p) - mpmath.diff(f, p)) < mpmath.mpf(10) ** -30


# ---- derivative in terms of the output ------------------------------------------------

OUTPUT_FORMS = {
    "sigmoid": y * (1 - y),
    "tanh": 1 - y**2,
    "exponential": y,
    "log_sigmoid": 1 - sp.exp(y),
    "softplus": 1 - sp.exp(-param("softplus", "beta") * y),
    "elu": sp.Piecewise((1, y > 0), (y + param("elu", "alpha"), True)),
    "relu": sp.Piecewise((1, y > 0), (0, True)),
}

NO_OUTPUT_FORM = ["gelu", "gelu_tanh", "quick_gelu", "silu", "swish", "mish", "elish", "sinc",
                  "gaussian", "sinusoid", "hard_swish", "apl", "threshold"]


@pytest.mark.parametrize("name", sorted(OUTPUT_FORMS))
def test_derivative_in_output_known_forms(name):
    assert sp.simplify(symact.get(name).derivative_in_output() - OUTPUT_FORMS[name]) == 0


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_in_output_by_substitution(name):
    """h(f(x)) = f'(x) at 50 digits wherever h exists; a reason wherever it does not."""
    act = symact.get(name)
    h = act.derivative_in_output()
    if h is None:
        assert act.derivative_in_output_reason
        return
    composed = mp_function(h.xreplace(act.params).subs(y, act.expr.xreplace(act.params)))
    df = mp_function(act.derivative().xreplace(act.params))
    with mpmath.workdps(50):
        for p in _sample_points(act):
            try:
                expected = df(p)
            except (ValueError, ZeroDivisionError):
                continue
            assert abs(composed(p) - expected) <= mpmath.mpf(10) ** -30 * (1 + abs(expected)), p


@pytest.mark.parametrize("name", NO_OUTPUT_FORM)
def test_no_output_form_where_f_prime_is_not_a_function_of_f(name):
    act = symact.get(name)
    assert act.derivative_in_output() is None
    assert "not a function of the output" in act.derivative_in_output_reason


def test_non_function_witness_is_a_true_counterexample():
    """The silu witness: equal outputs, different slopes, re-checked independently."""
    import re
    act = symact.get("silu")
    x1, x2 = map(float, re.findall(r"f\((-?[\d.e-]+)\)", act.derivative_in_output_reason))
    f = mp_function(act.expr)
    df = mp_function(act.derivative())
    with mpmath.workdps(30):
        assert abs(f(x1) - f(x2)) < 1e-5  # the printed x2 is rounded to 6 digits
        assert abs(df(x1) - df(x2)) > 0.1
