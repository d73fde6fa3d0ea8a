"""Approximation errors and parameter limits: each sup checked against a dense mpmath scan
(no sample may exceed it, and it is attained where claimed), closed forms and W(1/e)."""
import mpmath
import pytest
import sympy as sp

from symact import registry
from symact.analysis import approximation_error, parameter_limit
from symact.analysis.approximation import PAIRS
from symact.reference import mp_function

from test_cli import run


def _difference(approx, exact):
    f, g = mp_function(registry.get(approx).at()), mp_function(registry.get(exact).at())
    return lambda t: f(t) - g(t)


@pytest.mark.parametrize("approx, exact", PAIRS)
def test_sup_bounds_every_sample_and_is_attained(approx, exact):
    found = approximation_error(approx, exact)
    d = _difference(approx, exact)
    with mpmath.workdps(40):
        claimed = mpmath.mpf(sp.N(found.value, 40))
        samples = [abs(d(mpmath.mpf(k) / 200)) for k in range(-2400, 2401)]
        assert max(samples) <= claimed * (1 + mpmath.mpf(10) ** -15)  # given to 20 digits
        assert max(samples) >= claimed * (1 - mpmath.mpf(10) ** -4)  # the scan comes close
        assert found.where, "the sup of these pairs is attained"
        for point in found.where:
            at = mpmath.mpf(sp.N(point, 40))
            assert abs(abs(d(at)) - claimed) <= mpmath.mpf(10) ** -15 * claimed
            if point.is_Float:  # located numerically: a critical point to 12 digits
                slope = mpmath.diff(d, at)
                assert abs(slope) <= mpmath.mpf(10) ** -12


def test_closed_forms():
    assert approximation_error("softplus", "relu").value == sp.log(2)
    found = approximation_error("hard_tanh", "tanh")
    assert sp.simplify(found.value - (1 - sp.tanh(1))) == 0
    assert found.where == (-1, 1) and found.above is None
    found = approximation_error("hard_sigmoid", "sigmoid")
    assert found.closed_form and {sp.simplify(sp.exp(p)) for p in found.where} == \
        {2 - sp.sqrt(3), 2 + sp.sqrt(3)}
    found = approximation_error("gelu_tanh", "gelu")
    assert mpmath.nstr(mpmath.mpf(sp.N(found.value, 30)), 12) == "0.000473235520687"


def test_limits_with_uniform_rates():
    swish = parameter_limit("swish", "beta", "relu")
    assert swish.status == "proved" and swish.scaling
    # sup |x sigma(x) - relu(x)| = W(1/e), at x = -1 - W(1/e)
    with mpmath.workdps(30):
        omega = mpmath.lambertw(1 / mpmath.e).real
        assert abs(mpmath.mpf(sp.N(swish.rate.value, 30)) - omega) < mpmath.mpf(10) ** -18
        assert abs(mpmath.mpf(sp.N(swish.rate.where[0], 30)) + 1 + omega) < mpmath.mpf(10) ** -15
    softplus = parameter_limit("softplus", "beta", "relu")
    assert softplus.status == "proved" and softplus.rate.value == sp.log(2)
    assert parameter_limit("elu", "alpha", "relu").status == "refuted"


def test_cli():
    status, out, _ = run("approximation-error", "hard_tanh", "tanh", "--format", "json")
    assert status == 0 and '"max_abs_error": "0.238405844044"' in out
    status, out, _ = run("parameter-limit", "softplus", "beta", "relu")
    assert status == 0 and "0.69314718056/beta" in out
    for argv in (["approximation-error", "softmax", "relu"], ["parameter-limit", "relu", "a", "relu"],
                 ["approximation-error", "x**(", "relu"]):
        status, _, err = run(*argv)
        assert status == 2 and err.count("\n") == 1


def test_sup_on_intervals_and_identical_functions():
    found = approximation_error("threshold", "relu")  # 20 - 0 on the whole of x <= 0
    assert found.value == 20 and found.attained == sp.Interval(-sp.oo, 0) and found.above
    found = approximation_error("hardshrink", "softshrink")
    assert found.value == sp.Rational(1, 2) and found.above is None
    assert found.attained == sp.Union(sp.Interval.open(-sp.oo, -sp.Rational(1, 2)),
                                      sp.Interval.open(sp.Rational(1, 2), sp.oo))
    assert "identical" in approximation_error("relu", "relu").text()
    assert approximation_error("softplus", "relu").approached == ()  # attained at 0


def test_a_numeric_search_says_so():
    text = approximation_error("sinusoid", "tanh").text()
    assert "located numerically" in text
