"""symact.analysis: SELU's constants from the fixed-point conditions, checked against the
SNN paper's digits, the catalog's defaults and independent mpmath quadrature."""
import mpmath
import pytest
import sympy as sp

import symact
from symact.analysis import selu_parameters
from symact.errors import SymactError

from test_cli import run

# Klambauer et al. 2017, "Self-Normalizing Neural Networks", alpha_01 and lambda_01
PAPER_ALPHA = "1.6732632423543772848170429916717"
PAPER_LAMBDA = "1.0507009873554804934193349852946"


def test_the_papers_constants_to_their_32_digits():
    alpha, scale = selu_parameters().values(32)
    assert (alpha, scale) == (PAPER_ALPHA, PAPER_LAMBDA)


def test_the_catalogs_defaults_are_the_derived_constants():
    found = selu_parameters()
    defaults = symact.get("selu").params
    by_name = {str(k): v for k, v in defaults.items()}
    assert abs(sp.N(found.alpha - by_name["alpha"], 50)) < sp.Float("1e-31")
    assert abs(sp.N(found.scale - by_name["scale"], 50)) < sp.Float("1e-31")


def test_the_closed_form_is_the_papers():
    """alpha = sqrt(2/pi) / (1 - e^(1/2) erfc(1/sqrt 2)), exactly."""
    expected = sp.sqrt(2 / sp.pi) / (1 - sp.exp(sp.Rational(1, 2)) * sp.erfc(1 / sp.sqrt(2)))
    assert sp.simplify(selu_parameters().alpha - expected) == 0


def moments_by_quadrature(alpha, scale, input_mean=0, input_variance=1, digits=40):
    """(E[selu(z)], E[selu(z)^2]) by mpmath quadrature at `digits` digits: an independent
    check of the closed forms."""
    with mpmath.workdps(digits + 10):
        a, s = mpmath.mpf(str(alpha)), mpmath.mpf(str(scale))
        mu, sd = mpmath.mpf(str(input_mean)), mpmath.sqrt(mpmath.mpf(str(input_variance)))

        def density(t):
            return mpmath.npdf(t, mu, sd)

        def selu(t):
            return s * t if t > 0 else s * a * mpmath.expm1(t)

        first = mpmath.quad(lambda t: selu(t) * density(t), [-mpmath.inf, 0, mpmath.inf])
        second = mpmath.quad(lambda t: selu(t) ** 2 * density(t), [-mpmath.inf, 0, mpmath.inf])
        return first, second


@pytest.mark.parametrize("setting", [
    {}, {"second_moment": 2}, {"mean": "1/10"}, {"mean": "-1/20", "second_moment": "1/2"},
    {"input_mean": "1/4", "input_variance": 2}])
def test_the_moments_hold_by_quadrature(setting):
    found = selu_parameters(**setting)
    alpha, scale = found.values(45)
    first, second = moments_by_quadrature(alpha, scale, found.input_mean, found.input_variance)
    with mpmath.workdps(50):
        tolerance = mpmath.mpf(10) ** -30
        assert abs(first - mpmath.mpf(str(sp.N(found.mean, 50)))) < tolerance
        assert abs(second - mpmath.mpf(str(sp.N(found.second_moment, 50)))) < tolerance


@pytest.mark.parametrize("setting, message", [
    ({"second_moment": 0}, "exceed the squared mean"),
    ({"mean": 2, "second_moment": 1}, "exceed the squared mean"),
    ({"input_variance": 0}, "variance must be positive"),
    ({"mean": "__import__('os')"}, "not a number"),
])
def test_impossible_or_hostile_settings_are_refused(setting, message):
    with pytest.raises(SymactError, match=message):
        selu_parameters(**setting)


def test_cli_prints_the_constants_and_refuses_bad_input_in_one_line():
    status, out, _ = run("selu-parameters")
    assert status == 0 and PAPER_ALPHA in out and PAPER_LAMBDA in out
    status, out, err = run("selu-parameters", "--second-moment", "-1")
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1
    status, _, err = run("selu-parameters", "--digits", "1000")
    assert status == 2 and "digits" in err


# ---- higher derivatives in the output ------------------------------------------------------
from symact.analysis import output_polynomial, prove_output_polynomials  # noqa: E402
from symact.heads import to_elementary  # noqa: E402
from symact.symbols import x, y  # noqa: E402


def _agrees_with_direct_differentiation(act, n, points):
    """f^(n)(x) by mpmath's numeric differentiation of the elementary definition equals
    the output form at y = f(x) to 40 digits (worked at 80: sigma^(20)'s alternating
    coefficients cancel 20 digits near y = 1): an independent route."""
    values = act.substitutions()
    definition = sp.lambdify(x, to_elementary(act.expr.xreplace(values)), "mpmath")
    form = sp.lambdify(y, to_elementary(act.derivative_in_output(n).xreplace(values)), "mpmath")
    with mpmath.workdps(80):
        for point in points:
            at = mpmath.mpf(point.p) / point.q
            expected = mpmath.diff(definition, at, n)
            got = form(definition(at))
            assert abs(got - expected) <= mpmath.mpf(10) ** -40 * (1 + abs(expected)), \
                (act.name, n, point)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_stirling_formulas_are_proved_up_to_20(name):
    assert prove_output_polynomials(name, 20) == list(range(1, 21))


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_output_polynomials_match_direct_differentiation_up_to_20(name):
    act = symact.get(name)
    for n in (2, 5, 11, 20):
        _agrees_with_direct_differentiation(act, n, [sp.Rational(-5, 2), sp.Rational(3, 10), sp.Integer(4)])


def test_textbook_second_derivatives():
    assert sp.factor(symact.get("sigmoid").derivative_in_output(2)) == sp.factor(
        y * (1 - y) * (1 - 2 * y))
    assert sp.factor(symact.get("tanh").derivative_in_output(2)) == sp.factor(-2 * y * (1 - y**2))
    assert output_polynomial("tanh", 1) == sp.expand(1 - y**2)


@pytest.mark.parametrize("name", ["elu", "softsign", "arctan", "softplus", "squareplus",
                                  "isru", "celu", "selu", "log_sigmoid"])
def test_higher_output_forms_match_direct_differentiation(name):
    act = symact.get(name)
    for n in (2, 3):
        _agrees_with_direct_differentiation(act, n, [sp.Rational(-7, 3), sp.Rational(-1, 5),
                                                     sp.Rational(2, 7), sp.Rational(9, 4)])


def test_higher_output_forms_refuse_bad_orders():
    with pytest.raises(SymactError, match="positive integer"):
        symact.get("sigmoid").derivative_in_output(0)
    with pytest.raises(SymactError, match="known for"):
        output_polynomial("relu", 2)
    assert symact.get("gelu").derivative_in_output(3) is None


def test_cli_derives_in_the_output_or_says_why_not():
    status, out, _ = run("derive", "sigmoid", "--order", "3", "--in-output")
    assert status == 0 and out.strip() == str(output_polynomial("sigmoid", 3))
    status, out, err = run("derive", "gelu", "--order", "2", "--in-output")
    assert status == 2 and out == "" and "not a function of the output" in err


# ---- gradient gains ------------------------------------------------------------------------
from symact.analysis import gradient_gain  # noqa: E402


def _gaussian_mean(function, breaks=()):
    with mpmath.workdps(45):
        return mpmath.quad(lambda t: function(t) * mpmath.npdf(t),
                           [-mpmath.inf, *breaks, mpmath.inf])


def _close(value, truth, digits=28):
    with mpmath.workdps(45):
        return abs(mpmath.mpf(str(sp.N(value, 40))) - truth) < mpmath.mpf(10) ** -digits


def test_sigmoid_gradients_vanish_after_14_layers():
    gain = gradient_gain("sigmoid")
    assert gain.max == sp.Rational(1, 4) and gain.exact["max"] and gain.depth() == 14
    with mpmath.workdps(45):
        slope = lambda t: mpmath.exp(-t) / (1 + mpmath.exp(-t)) ** 2  # noqa: E731
        assert _close(gain.mean, _gaussian_mean(slope))
        assert _close(gain.mean_square, _gaussian_mean(lambda t: slope(t) ** 2))


def test_exact_gains_where_sympy_integrates():
    relu = gradient_gain("relu")
    assert (relu.max, relu.mean, relu.mean_square) == (1, sp.Rational(1, 2), sp.Rational(1, 2))
    assert relu.depth() is None and all(relu.exact.values())
    exponential = gradient_gain("exponential")
    assert exponential.max == sp.oo and exponential.depth() is None
    assert sp.simplify(exponential.mean - sp.exp(sp.Rational(1, 2))) == 0
    assert sp.simplify(exponential.mean_square - sp.exp(2)) == 0


def test_sup_of_the_absolute_slope_and_a_piecewise_mean():
    """apl' is 1/2, -1/2 or 1 (a = 1/2, b = 1): sup|f'| = 1; the mean by quadrature."""
    gain = gradient_gain("apl")
    assert gain.max == 1
    slope = lambda t: (1 if t > 0 else 0) - (mpmath.mpf(1) / 2 if t < 1 else 0)  # noqa: E731
    assert _close(gain.mean, _gaussian_mean(slope, (0, 1)))
    assert _close(gain.mean_square, _gaussian_mean(lambda t: slope(t) ** 2, (0, 1)))


def test_cli_gradient_gain():
    status, out, _ = run("gradient-gain", "relu")
    assert status == 0 and "1/2" in out and "never" in out
    status, out, err = run("gradient-gain", "softmax")
    assert status == 2 and out == "" and "vector-valued" in err


def test_gradient_table_rows_and_plot(tmp_path):
    from symact.analysis import gradient_gains
    table = gradient_gains(["sigmoid", "relu"])
    sigmoid, relu = table.rows["sigmoid"], table.rows["relu"]
    assert sigmoid["cells"][0] == r"$\frac{1}{4}$" and sigmoid["cells"][3] == "14"
    assert sigmoid["cells"][1] == r"$\approx 0.20662096$$^*$"  # quadrature, rounded
    assert relu["cells"] == [r"$1$", r"$\frac{1}{2}$", r"$\frac{1}{2}$", "never"]
    assert abs(sigmoid["mean_square"] - 0.0448362413501943718) < 1e-15
    markdown = table.markdown()
    header = next(line for line in markdown.splitlines() if line.startswith("| activation"))
    assert header.count(" | ") == 4  # the | of sup |f'| is escaped
    table.figure(tmp_path / "gains.png")
    assert (tmp_path / "gains.png").stat().st_size > 10_000
