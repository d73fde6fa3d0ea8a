"""Step-by-step derivations: every step of every activation equals f', each rule named."""
import pytest
import sympy as sp

import symact
from symact.derivation import Step, derivation
from symact.errors import SymactError
from symact.heads import sigmoid
from symact.symbols import x, y

from conftest import ELEMENTWISE

RULE_WORDS = ("definition", "sum rule", "constant factor", "product rule", "quotient rule",
              "power rule", "square root", "chain rule", "derivative of", "cases",
              "simplify", "in terms of the output", "Max, Min", "exp(log)")


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_step_is_true_and_names_its_rule(name):
    steps = derivation(symact.get(name))
    checks = steps.verify()
    assert len(checks) == len(steps.steps)
    first = steps.steps[0].expr
    assert isinstance(first, sp.Derivative) and first.expr == symact.get(name).expr
    for step in steps.steps:
        assert step.rule and any(word in step.rule for word in RULE_WORDS), step.rule
    derivative_steps = [s for s in steps.steps if not s.in_output]
    assert derivative_steps[-1].expr == symact.get(name).derivative()
    assert not derivative_steps[-1].expr.has(sp.Derivative)


def test_sigmoid_reads_like_the_textbook():
    steps = derivation(symact.get("sigmoid")).steps
    assert [s.rule for s in steps] == [
        "definition", "definition of sigmoid", "power rule, chain rule", "sum rule",
        "derivative of exp, chain rule", "simplify", "in terms of the output y = f(x)"]
    assert steps[1].expr == sp.Derivative(1 / (1 + sp.exp(-x)), x)
    assert steps[4].expr == sp.exp(-x) / (1 + sp.exp(-x))**2
    assert steps[5].expr == sigmoid(x) * (1 - sigmoid(x))
    assert steps[6].expr == y * (1 - y) and steps[6].in_output


def test_tanh_ends_in_one_minus_y_squared():
    steps = derivation(symact.get("tanh")).steps
    assert steps[1].rule == "derivative of tanh" and steps[1].expr == 1 - sp.tanh(x)**2
    assert steps[-1].expr == 1 - y**2


def test_piecewise_branch_by_branch_states_the_convention():
    steps = derivation(symact.get("elu")).steps
    assert steps[1].rule.startswith("cases, branch by branch")
    assert isinstance(steps[1].expr, sp.Piecewise)
    assert steps[-1].expr == sp.Piecewise((1, y > 0), (symact.get("elu").params_info[0].symbol + y, True))


def test_parameters_can_be_fixed():
    steps = derivation(symact.get("elu"), alpha="1/2")
    assert steps.steps[-2].expr == sp.Piecewise((1, x > 0), (sp.exp(x) / 2, True))
    steps.verify()


def test_a_false_step_is_caught():
    steps = derivation(symact.get("silu"))
    steps.steps[2] = Step(steps.steps[2].expr + x / 10**6, steps.steps[2].rule)
    with pytest.raises(SymactError, match="step 2"):
        steps.verify()


def test_renderings_name_every_rule():
    steps = derivation(symact.get("softplus"))
    for text in (steps.latex(), steps.markdown(), steps.text()):
        for step in steps.steps:
            assert step.rule.split(" (")[0] in text.replace(r"\_", "_")
    assert steps.latex().count("\\[") == len(steps.steps)
    assert steps.markdown().count("$$") == 2 * len(steps.steps)


def test_vector_activations_are_refused():
    with pytest.raises(SymactError, match="vector"):
        derivation(symact.get("softmax"))


def test_an_isolated_point_is_differentiated_by_a_limit():
    """sinc(0) = 1 is a one-point branch: its derivative is the limit of sinc', not the
    derivative of the constant 1 (which would be right here only by luck)."""
    steps = derivation(symact.get("sinc")).steps
    branch_step = next(s for s in steps if "isolated point" in s.rule)
    assert branch_step.expr.has(sp.Limit)
    assert not any(value == 0 for value, _ in branch_step.expr.args)
    assert steps[-1].rule == "evaluate the limit; simplify"


def test_a_long_repeated_argument_is_written_as_one_letter():
    steps = derivation(symact.get("gelu_tanh"))
    u, inner = steps.abbreviation()
    assert sp.simplify(inner - sp.sqrt(2 / sp.pi) * (x + sp.Rational(44715, 10**6) * x**3)) == 0
    latex = steps.latex()
    assert latex.startswith("With $u = ")
    assert r"\tanh{\left(u \right)}" in latex and r"\tanh^{2}{\left(u \right)}" in latex
    assert derivation(symact.get("sigmoid")).abbreviation() is None
    assert "With" not in derivation(symact.get("mish")).markdown()
