"""symact.analysis on vectors: the softmax laws (proved for every n and at concrete
lengths, wrong variants rejected), the derived Jacobian against a numeric one."""
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
