"""symact.analysis on vectors and networks: the softmax laws (proved for every n and at
concrete lengths, wrong variants rejected), the derived Jacobian against a numeric one,
maxout's special cases, and the backprop derivation (a wrong formula is caught)."""
import importlib

import mpmath
import numpy as np
import pytest
import sympy as sp

from symact import registry
from symact.analysis import softmax_family
from symact.analysis.softmax import _c, _family, _general, prove_general

from test_cli import run


@pytest.fixture(scope="module")
def family():
    return softmax_family(sizes=(2, 3))


def test_every_softmax_law_is_proved(family):
    assert [law.status for law in family.laws] == ["proved"] * len(family.laws)
    assert {law.name for law in family.laws if law.general} == set(_general(_family()))
    two_class = next(law for law in family.laws if law.name == "two_class")
    assert list(two_class.sizes) == [2]


@pytest.mark.parametrize("law, wrong", [
    ("sum", lambda lhs, rhs: (lhs, 2 * rhs)),
    ("shift", lambda lhs, rhs: (lhs, rhs * sp.exp(_c))),
    ("logsumexp_shift", lambda lhs, rhs: (lhs, rhs + _c)),
    ("jacobian", lambda lhs, rhs: (lhs, -rhs)),
    ("gradient", lambda lhs, rhs: (lhs, 1 - rhs)),
])
def test_the_general_prover_rejects_wrong_laws(law, wrong):
    lhs, rhs = _general(_family())[law]
    assert prove_general(lhs, rhs)
    assert not prove_general(*wrong(lhs, rhs))


def test_derived_jacobian_matches_central_differences():
    act = registry.get("softmax")
    inputs = list(act.inputs(3))
    jacobian = sp.lambdify(inputs, act.jacobian(3), "mpmath")
    outputs = sp.lambdify(inputs, list(act.outputs(3)), "mpmath")
    rng = np.random.default_rng(3)
    with mpmath.workdps(40):
        for point in rng.standard_normal((5, 3)) * 4:
            point = [mpmath.mpf(float(v)) for v in point]
            derived = jacobian(*point)
            for column in range(3):
                step = mpmath.mpf(10) ** -12
                ahead = [v + step * (k == column) for k, v in enumerate(point)]
                behind = [v - step * (k == column) for k, v in enumerate(point)]
                numeric = [(a - b) / (2 * step) for a, b in zip(outputs(*ahead), outputs(*behind))]
                for row in range(3):
                    assert abs(derived[row, column] - numeric[row]) < mpmath.mpf(10) ** -20


def test_generated_softmax_jacobian_identity_numerically():
    """J = diag(s) - s s^T with s from the generated NumPy code, against the derived J."""
    act = registry.get("softmax")
    point = np.array([0.5, -1.25, 2.0])
    s = act.numpy()(point)
    derived = np.array(sp.lambdify(list(act.inputs(3)), act.jacobian(3))(*point), dtype=float)
    np.testing.assert_allclose(np.diag(s) - np.outer(s, s), derived, rtol=1e-14, atol=1e-16)


def test_cli_softmax_laws():
    status, out, _ = run("softmax-laws", "--size", "2")
    assert status == 0 and out.count("proved") >= 8 and "unknown" not in out
    status, _, err = run("softmax-laws", "--size", "9")
    assert status == 2 and err.count("\n") == 1 and "2 to 6" in err


@pytest.fixture(scope="module")
def maxout_cases():
    from symact.analysis import maxout_special_cases
    return maxout_special_cases()


def test_maxout_special_cases_are_proved(maxout_cases):
    assert maxout_cases.proved
    by_name = {r.case.name: r for r in maxout_cases.results}
    assert set(by_name) == {"identity", "relu", "leaky_relu", "prelu", "abs"}
    for name in ("leaky_relu", "prelu"):  # the bound on the slope is needed
        outside = by_name[name].outside
        assert outside.status == "refuted" and sp.Rational(outside.counterexample["x"]) > 0
    for name in ("identity", "relu", "leaky_relu", "prelu"):
        assert by_name[name].slope.status == "proved"
    # |x|'(0) = 0 by the kink convention; the maxout unit's first piece has slope 1
    slope = by_name["abs"].slope
    assert slope.status == "refuted" and slope.counterexample == {"x": "0"}


def test_maxout_weights_agree_numerically(maxout_cases):
    """The stated weights, as a plain NumPy max of the pieces, against the catalog code."""
    grid = np.concatenate([np.linspace(-50, 50, 2001), [0.0, -1e-300, 1e300, -1e300]])
    for r in maxout_cases.results:
        value = 0.3 if r.case.parameter else None
        slopes = [value if isinstance(w, str) else w for w in r.case.weights]
        pieces = np.max([w * grid + b for w, b in zip(slopes, r.case.biases)], axis=0)
        expected = r.case.activation.numpy(**({r.case.parameter: "0.3"} if value else {}))(grid)
        np.testing.assert_allclose(pieces, expected, rtol=1e-15, atol=0)


def test_cli_maxout_cases():
    status, out, _ = run("maxout-cases")
    assert status == 0 and "prelu" in out and "refuted" in out


def test_backprop_is_verified_for_sigmoid_and_a_kinked_activation():
    from symact.analysis import backprop
    found = backprop("sigmoid")
    assert all(found.verified.values()) and set(found.verified) == \
        {"delta2", "delta1", "W1", "b1", "W2", "b2"}
    assert found.numeric_error < 1e-40
    assert "f' = y" not in found.latex() and r"a_{1} \left(1 - a_{1}\right)" in found.latex()
    assert backprop("elu", sizes=(1, 2, 3)).numeric_error < 1e-40


def test_backprop_verification_catches_a_wrong_formula(monkeypatch):
    module = importlib.import_module("symact.analysis.backprop")  # the package's name is the function
    right = module.gradients

    def wrong(network, f, slope):
        found = right(network, f, slope)
        found["delta2"] = network.y - found["delta2"] - network.y  # y - y_hat
        found["W1"] = 2 * found["W1"]
        return found
    monkeypatch.setattr(module, "gradients", wrong)
    verified = module.verify_symbolic((1, 2, 2))
    assert not verified["delta2"] and not verified["W1"] and verified["b1"]
    assert module.verify_numeric(registry.get("tanh"), (1, 2, 2)) > 0.1


def test_cli_backprop():
    status, out, _ = run("backprop", "relu", "--sizes", "1", "2", "2")
    assert status == 0 and "NOT" not in out and out.count("verified") == 7
    status, _, err = run("backprop", "softmax")
    assert status == 2 and "element-wise" in err


def test_backprop_with_a_wrong_derivative_is_not_verified(monkeypatch):
    """The activation-specific check decides the status: an f' that is off is caught."""
    from symact import define
    from symact.analysis import backprop
    act = define("cube", "x**3")
    right = act.derivative
    monkeypatch.setattr(act, "derivative", lambda n=1, **values: 2 * right(n, **values))
    found = backprop(act, sizes=(1, 2, 2))
    assert all(found.verified.values()) and not found.numeric_ok and not found.ok
    assert "do NOT agree" in found.latex()


def test_backprop_of_an_expression_renders_and_takes_parameters():
    status, out, _ = run("backprop", "x**3", "--sizes", "1", "2", "2", "--format", "latex")
    assert status == 0 and "x^{3}" in out
    status, out, _ = run("backprop", "prelu", "--param", "a=7", "--sizes", "1", "2", "2")
    assert status == 0 and "NOT" not in out
    status, _, err = run("backprop", "prelu", "--param", "b=7")
    assert status == 2 and "no parameter 'b'" in err
