"""symact.analysis: SELU's constants from the fixed-point conditions, checked against the
SNN paper's digits, the catalog's defaults and independent mpmath quadrature."""
import mpmath
import pytest
import sympy as sp

import symact
from symact.analysis import selu_parameters
from symact.analysis.selu import moments_by_quadrature
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
