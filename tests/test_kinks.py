"""Kinks found from the definition, against the kink table established independently."""
import pytest
import sympy as sp

import symact
from symact.kinks import kinks

from conftest import ELEMENTWISE

# Hand-checked: where f' has different one-sided limits (or f jumps), default parameters.
EXPECTED = {
    "binary_step": [0], "relu": [0], "relu6": [0, 6], "leaky_relu": [0], "prelu": [0],
    "rrelu": [0], "selu": [0], "srelu": [-1, 1], "apl": [0, 1], "threshold": [sp.Rational(1, 10)],
    "sparse_sigmoid": [-1, 1], "hard_sigmoid": [-3, 3], "hard_swish": [-3, 3],
    "hard_tanh": [-1, 1], "softshrink": [-sp.Rational(1, 2), sp.Rational(1, 2)],
    "hardshrink": [-sp.Rational(1, 2), sp.Rational(1, 2)],
}


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_kinks_at_default_parameters(name):
    assert kinks(symact.get(name).at()) == EXPECTED.get(name, [])


def test_elu_is_smooth_only_at_alpha_one():
    elu = symact.get("elu")
    assert kinks(elu.at(alpha=1)) == []
    assert kinks(elu.at(alpha=2)) == [0]
