"""User definitions: removable singular points filled in by their limits, poles refused."""
import io
import sys

import mpmath
import pytest
import sympy as sp

import symact
from symact.cli import main
from symact.errors import SymactError
from symact.reference import mp_function
from symact.symbols import x


@pytest.mark.parametrize("text, point, value", [
    ("sin(x)/x", 0, 1), ("x/(exp(x) - 1)", 0, 1), ("(1 - cos(x))/x**2", 0, sp.Rational(1, 2)),
    ("(exp(x) - 1)/x", 0, 1), ("tanh(2*x)/x", 0, 2), ("sin(x - 1)/(x - 1)", 1, 1),
    ("(x**2 - 1)/(x - 1)", 1, 2), ("erf(x)/x", 0, 2 / sp.sqrt(sp.pi)),
    ("x/(sigmoid(x) - 1/2)", 0, 4), ("x*coth(x)", 0, 1),
])
def test_a_removable_singular_point_takes_the_limit_and_the_slope_there(text, point, value):
    """The definition holds 0/0 at the point; it is filled in by the limit, exactly, and
    the derivative there is the limit of the neighbouring one, which 50-digit central
    differences of the unfilled definition around the point confirm (they never
    evaluate it at the point itself). SymPy finds the zero of sigmoid(x) - 1/2 once
    sigmoid is written out, and gives -oo for the slope of x coth x at 0 from the right
    (coth x - x/sinh^2 x): values beside the point refute that, and the limit of the form
    in exponentials, 0, is taken."""
    act = symact.define("mine", text)
    assert act.expr.args[0] == (value, sp.Eq(x, point))
    assert act.at().subs(x, point) == value
    slope = act.derivative().subs(x, point)
    assert slope.is_number and slope.is_finite
    unfilled = mp_function(act.expr.args[1][0])
    with mpmath.workdps(80):
        h = mpmath.mpf(10) ** -25
        numeric = (unfilled(point + h) - unfilled(point - h)) / (2 * h)
        assert abs(numeric - mpmath.mpf(sp.N(slope, 60))) < mpmath.mpf(10) ** -40


def test_a_filled_limit_keeps_the_parameters():
    """sin(a x)/x tends to a at 0: the filled value is a, for every setting of a."""
    act = symact.define("mine", "sin(a*x)/x", {"a": 2})
    (a,) = act.params
    assert act.expr.args[0] == (a, sp.Eq(x, 0))
    assert act.at().subs(x, 0) == 2 and act.at(a=3).subs(x, 0) == 3


@pytest.mark.parametrize("text, message", [
    ("1/(x - 2)", "'1/(x - 2)' is not finite at x = 2"),
    ("x/(x**2 - 2)", "'x/(x**2 - 2)' is not finite at x = -sqrt(2) (about -1.41421)"),
    ("x/sin(x)", "'x/sin(x)' is not finite at x = -pi (about -3.14159)"),
    ("tan(x)", "'tan(x)' is not finite at x = -pi/2 (about -1.57080)"),
    ("1/(x**7 - x - 1)",
     "'1/(x**7 - x - 1)' is not finite at x = CRootOf(x**7 - x - 1, 0) (about 1.11278)"),
    ("sin(1/x)", "'sin(1/x)' is not finite at x = 0"),
    ("log(x**2)", "'log(x**2)' is not finite at x = 0"),
    ("x*log(Abs(x))", "'x*log(Abs(x))' has no finite slope at x = 0"),
    ("x/(sigmoid(x) - 1/3)", "'x/(sigmoid(x) - 1/3)' is not finite at x = -log(2) (about "
                             "-0.693147)"),
    ("1/(erf(x) - 1/2)", "'1/(erf(x) - 1/2)' is not finite at x = erfinv(1/2) (about "
                         "0.476936)"),
    ("1/(exp(x) - 2) + 1/(exp(2*x) - 4)",
     "'1/(exp(x) - 2) + 1/(exp(2*x) - 4)' is not finite at x = log(2) (about 0.693147)"),
    ("sin(x)/tan(x)", "'sin(x)/tan(x)' is 0/0 at x = pi*n for every integer n: removable, "
                      "but at infinitely many points"),
])
def test_a_singular_point_without_a_finite_limit_is_refused_in_one_line(text, message):
    """A pole between the probe points (2, sqrt 2, pi, pi/2 for tan x, a root with no
    radicals, -log 2 once sigmoid is written out, erfinv(1/2), which SymPy does not know is
    real; before, 1/(x - 2) and tan x were activations), a point with no limit
    (sin(1/x)) or with an infinite slope, and removable points in a periodic family, which
    would need infinitely many pieces: one line, exit status 2 from the command line.
    log 2 and log(4)/2 are one point, named the same way in every run."""
    with pytest.raises(SymactError) as caught:
        symact.define("mine", text)
    assert str(caught.value) == message
    err = io.StringIO()
    real_err, sys.stderr = sys.stderr, err
    try:
        status = main(["derive", text], out=io.StringIO())
    finally:
        sys.stderr = real_err
    assert status == 2 and err.getvalue().count("\n") == 1 and message in err.getvalue()


def test_a_piecewise_that_fills_its_point_is_kept_as_written():
    """Given its value at the point already, the definition is not filled twice."""
    written = sp.Piecewise((1, sp.Eq(x, 0)), (sp.sin(x) / x, True))
    assert symact.define("mine", written).expr == written


def test_a_definition_with_steps_is_filled_and_its_slope_taken_without_deltas():
    """sign(x + 1) sin(x)/x: the slope at 0 is taken as symact differentiates (no
    DiracDelta, which mpmath cannot evaluate: a NameError before)."""
    act = symact.define("mine", "sin(x)/x*sign(x + 1)")
    assert act.expr.args[0] == (1, sp.Eq(x, 0)) and act.derivative().subs(x, 0) == 0


def test_the_search_for_singular_points_has_one_budget(monkeypatch):
    """Each step has its budget, and the whole search one more: tanh nested twelve
    times over x takes SymPy's limit far past it."""
    from symact import singular
    monkeypatch.setattr(singular, "TOTAL_SECONDS", 2)
    nested = "x"
    for _ in range(12):
        nested = f"tanh({nested})"
    with pytest.raises(SymactError, match="not settled within 2 s of CPU time"):
        symact.define("mine", f"{nested}/x")


@pytest.mark.parametrize("text", ["Piecewise((x, x > 0), (exp(x) - 1, True))",
                                  "where(x > 0, x, exp(x) - 1)", "x if x > 0 else exp(x) - 1"])
def test_a_definition_by_cases_is_the_catalog_function_it_spells(text):
    """ELU written by cases, in each of the three spellings, is the catalog's elu: the same
    expression, the derivative at the kink its branch's (1 at x = 0, symact's convention,
    as PyTorch's autograd), and the same generated code, bit for bit on the grid."""
    import numpy as np
    from symact.accuracy import grid
    elu = symact.get("elu")
    act = symact.define("mine", text)
    assert act.expr == elu.expr.subs(elu.params_info[0].symbol, 1)
    assert act.derivative().subs(x, 0) == 1
    points = grid()
    assert np.array_equal(act.numpy()(points), elu.numpy()(points), equal_nan=True)
    assert np.array_equal(act.numpy_derivative()(points), elu.numpy_derivative()(points),
                          equal_nan=True)
    out = io.StringIO()
    assert main(["derive", text], out=out) == 0 and "exp(x)" in out.getvalue()


def test_a_definition_by_cases_must_cover_every_input():
    """A Piecewise without a last (value, True) case leaves inputs without a value: one
    line, exit status 2."""
    err = io.StringIO()
    real_err, sys.stderr = sys.stderr, err
    try:
        status = main(["derive", "Piecewise((x, x > 0))"], out=io.StringIO())
    finally:
        sys.stderr = real_err
    assert status == 2 and err.getvalue().count("\n") == 1
    assert "the last case of Piecewise must be (value, True)" in err.getvalue()
