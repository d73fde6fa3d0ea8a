"""The checker: the identity library is proved, plausible slips are refuted with a
counterexample that really violates the claim, and the CLI reports each verdict by status."""
import json
import time

import mpmath
import pytest
import sympy as sp

import symact
from symact.check import check
from symact.cli import main
from symact.identities import IDENTITIES
from symact.parse import parse_expression
from symact.reference import mp_function

from hostile import CODE_EXECUTION


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i.claim[:50])
def test_every_library_identity_is_proved(identity):
    verdict = identity.check(timeout=60)
    assert verdict.status == "proved", verdict.as_dict()


# Slips people make: wrong sign, missing factor, wrong bound, a dropped assumption.
SLIPS = [
    ("tanh(x) == 2*sigmoid(x) - 1", ()),
    ("tanh(x) == 2*sigmoid(2*x) + 1", ()),
    ("diff(sigmoid(x), x) == sigmoid(x)*(1 + sigmoid(x))", ()),
    ("diff(sigmoid(x), x) == sigmoid(x)**2", ()),
    ("diff(sigmoid(x), x) <= 1/5", ()),
    ("diff(tanh(x), x) == 1 - tanh(x)", ()),
    ("diff(softplus(x), x) == tanh(x)", ()),
    ("softplus(x) - softplus(-x) == -x", ()),
    ("log_sigmoid(x) == softplus(-x)", ()),
    ("relu(a*x) == a*relu(x)", ()),
    ("prelu(x, a) == Max(x, a*x)", ("a >= 0",)),
    ("Subs(diff(mish(x), x), x, 0) == 1/2", ()),
    ("Subs(diff(gelu(x), x), x, 0) == 1", ()),
    ("x*sigmoid(x) >= -0.2784", ()),
    ("diff(gelu(x), x) <= 1.128", ()),
    ("relu(x) > 0", ()),
    ("elu(x) >= -0.99", ()),
    ("hard_swish(x) == x*hard_sigmoid(2*x)", ()),
    ("swish(x, b) == silu(b*x)", ("b > 0",)),
    ("sigmoid(x) < 1", ("x > 40",)),  # true: must not be refuted by rounding
]


@pytest.mark.parametrize("claim, assume", SLIPS, ids=[c for c, _ in SLIPS])
def test_slips_are_refuted_with_a_real_counterexample(claim, assume):
    verdict = check(claim, assume, timeout=60)
    if claim == "sigmoid(x) < 1":
        assert verdict.status == "proved"
        return
    assert verdict.status == "refuted", verdict.as_dict()
    # independently: evaluate both sides at the counterexample with mpmath at 60 digits
    point = {sp.Symbol(k, real=True) if k != "x" else symact.x: sp.sympify(v, rational=True)
             for k, v in verdict.counterexample.items()}
    (lhs, rel, rhs), = parse_expression(claim, relation=True, allow_free=True)
    named = {s.name: s for s in lhs.free_symbols | rhs.free_symbols}
    point = {named.get(str(k), k): v for k, v in point.items()}
    with mpmath.workdps(60):
        left, right = (mp_function(side.subs(point), 60)(0) for side in (lhs, rhs))
    if rel is sp.Eq:
        assert abs(left - right) > 1e-30 * max(1, abs(left))
    else:
        holds = {sp.Lt: left < right, sp.Le: left <= right, sp.Gt: left > right,
                 sp.Ge: left >= right}[rel]
        assert not holds


def test_unknown_is_reported_with_evidence_not_guessed():
    # true (the minimum is -0.27846...), but the critical point needs LambertW, which
    # solveset does not give: honest answer is unknown, with the turning point as evidence
    verdict = check("x*sigmoid(x) >= -0.2785")
    assert verdict.status in ("unknown", "proved")
    if verdict.status == "unknown":
        assert verdict.evidence["turning_points"]


def test_time_budget_gives_up_cleanly():
    # without a budget this claim takes about 12 s and ends "unknown"
    started = time.perf_counter()
    verdict = check("gelu_tanh(x) >= -0.171", timeout=0.5)
    assert time.perf_counter() - started < 3
    assert verdict.status == "unknown"
    assert "time budget" in verdict.evidence["reason"]


def test_unknown_verdict_carries_its_evidence():
    # true (the minimum is -0.27846...), but the critical point needs LambertW
    verdict = check("x*sigmoid(x) >= -0.2785")
    assert verdict.status == "unknown"
    assert verdict.evidence["reason"].startswith("on (-oo, oo): could not show")
    (turning,) = verdict.evidence["turning_points"]
    assert abs(float(turning) + 1.2784645427610738) < 1e-12
    # each verdict starts afresh: a later check does not inherit this evidence
    assert check("relu(x) >= 0").evidence == {}


def test_assumptions_restrict_x():
    assert check("relu(x) == 0", ["x <= 0"]).status == "proved"
    assert check("relu(x) == x", ["x >= 0"]).status == "proved"
    assert check("relu(x) == x", ["x >= -1"]).status == "refuted"


def test_an_end_where_the_difference_grows_without_bound_bounds_nothing():
    """e^x - 1 - x has no interior critical point on (-oo, 0) and tends to +oo and 0 at
    the ends, so it is >= 0 there; SymPy's oo is not 'nonnegative', which once left the
    tangent-line inequality unknown. A bound that fails inside is still refuted."""
    assert check("exp(x) >= 1 + x").status == "proved"
    assert check("exp(x) - 1 >= x", ["x <= 0"]).status == "proved"
    assert check("exp(x) - 1 >= x/2", ["x <= 0"]).status == "refuted"
    assert check("exp(x) > 1 + x").status == "refuted"  # equal at 0


@pytest.mark.parametrize("argv, status", [
    (["check", "tanh(x) == 2*sigmoid(2*x) - 1"], 0),
    (["check", "tanh(x) == 2*sigmoid(x) - 1"], 1),
    (["check", "relu(a*x) == a*relu(x)", "--assume", "a >= 0"], 0),
    (["check", "x = 1"], 2),
    (["check", "sigmoid(x)"], 2),
    (["check", "relu(x) > 0", "--assume", "b > 0"], 2),
    (["check", "relu(x) > 0", "--assume", "x + 1 > 0"], 2),
    (["check", "relu(x) > 0", "--assume", "x > 1", "--assume", "x < 0"], 2),
    (["check", "sigmoid(x) > 0", "--timeout", "-1"], 2),
])
def test_cli_exit_status(argv, status, capsys):
    assert main(argv) == status
    err = capsys.readouterr().err
    if status == 2:
        assert err.count("\n") == 1 and err.startswith("symact: error:")


def test_cli_json_verdict(capsys):
    assert main(["check", "diff(sigmoid(x), x) <= 1/5", "--format", "json"]) == 1
    record = json.loads(capsys.readouterr().out)
    assert set(record) == {"status", "claim", "method", "counterexample", "lhs_value",
                           "rhs_value", "evidence"}
    assert record["status"] == "refuted" and float(record["lhs_value"]) > 0.2


@pytest.mark.parametrize("text", [t for t, _ in CODE_EXECUTION[:20]])
def test_cli_refuses_hostile_claims_and_expressions(text, capsys):
    for argv in (["check", text], ["analyze", text], ["derive", text], ["properties", text]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("symact: error:")


def test_identities_command_lists_every_identity(capsys):
    assert main(["identities", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(IDENTITIES) and all(r["status"] == "proved" for r in rows)


def test_a_parameter_sample_that_divides_by_zero_is_skipped():
    """b = 0 makes softplus(b x)/b undefined: that sample is passed over, not a traceback."""
    verdict = check("softplus(b*x)/b == softplus(x)")
    assert verdict.status == "refuted" and verdict.counterexample["b"] != "0"
    assert check("softplus(b*x)/b == softplus(x)", ["b >= 1", "b <= 1"]).status == "proved"
