"""The catalog: names, aliases, exact defaults, sources, vector activations."""
import pytest
import sympy as sp

import symact
from symact.errors import SymactError, UnknownActivation

REQUIRED = """identity binary_step sigmoid tanh arctan softsign relu relu6 leaky_relu prelu rrelu
elu selu celu gelu gelu_tanh quick_gelu silu swish mish softplus log_sigmoid hard_sigmoid
hard_swish hard_tanh softshrink hardshrink tanhshrink threshold squareplus sparse_plus
sparse_sigmoid bent_identity soft_exponential sinusoid sinc gaussian srelu apl isru elish
exponential softmax log_softmax softmin logsumexp glu maxout""".split()


def test_every_required_name_resolves_and_nothing_else_is_listed():
    assert sorted(symact.names()) == sorted(REQUIRED)


@pytest.mark.parametrize("alias, name", [("linear", "identity"), ("logistic", "sigmoid"),
                                         ("expit", "sigmoid"), ("Leaky-ReLU", "leaky_relu"),
                                         (" GELU ", "gelu")])
def test_aliases_and_spellings_resolve(alias, name):
    assert symact.get(alias).name == name


def test_unknown_name_suggests_close_matches():
    with pytest.raises(UnknownActivation, match="did you mean relu"):
        symact.get("relux")
    with pytest.raises(UnknownActivation, match="symact list"):
        symact.get("qqqqqqq")
    with pytest.raises(SymactError):
        symact.get(42)


@pytest.mark.parametrize("name", REQUIRED)
def test_definition_records_source_summary_and_exact_defaults(name):
    act = symact.get(name)
    assert act.source and act.summary
    for p in act.params_info:
        assert isinstance(p.default, sp.Rational), (p.name, p.default)
        assert p.symbol.is_real


def test_selu_constants_are_the_exact_decimals():
    selu = symact.get("selu")
    defaults = {p.name: p.default for p in selu.params_info}
    assert defaults["alpha"] == sp.Rational("1.6732632423543772848170429916717")
    assert defaults["scale"] == sp.Rational("1.0507009873554804934193349852946")


def test_definitions_compose_from_each_other():
    x = symact.x
    sigma = symact.sigmoid_head
    assert symact.get("silu").expr == x * sigma(x)
    assert symact.get("log_sigmoid").expr == -symact.softplus_head(-x)
    selu, elu = symact.get("selu"), symact.get("elu")
    alpha, scale = (p.symbol for p in selu.params_info)
    assert sp.simplify(selu.expr - scale * elu(x, alpha=alpha)) == 0
    assert symact.get("swish")(x, beta=1) == symact.get("silu").expr
    assert symact.get("mish").expr == x * sp.tanh(symact.softplus_head(x))


def test_parameter_values_are_validated():
    elu = symact.get("elu")
    with pytest.raises(SymactError, match="no parameter 'beta'"):
        elu.at(beta=2)
    for bad in ("__import__('os')", "1e99999", "nan", "", "1/0"):
        with pytest.raises(SymactError):
            elu.at(alpha=bad)
    assert elu.at(alpha="0.5") == elu.at(alpha=0.5) == elu.at(alpha=sp.Rational(1, 2))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin", "logsumexp"])
def test_vector_shapes(name):
    act = symact.get(name)
    ins, outs = act.inputs(4), act.outputs(4)
    assert ins.shape == (4, 1)
    assert outs.shape == ((1, 1) if name == "logsumexp" else (4, 1))
    assert act.jacobian(4).shape == (outs.shape[0], 4)


def test_softmax_jacobian_is_diag_s_minus_s_st():
    act = symact.get("softmax")
    s = act.outputs(3)
    expected = sp.diag(*s) - s * s.T
    assert sp.simplify(act.jacobian(3) - expected) == sp.zeros(3, 3)


def test_logsumexp_gradient_is_softmax():
    grad = symact.get("logsumexp").jacobian(3).T
    assert sp.simplify(grad - symact.get("softmax").outputs(3)) == sp.zeros(3, 1)


def test_glu_halves_and_length_rule():
    glu = symact.get("glu")
    z1, z2, z3, z4 = glu.inputs(4)
    assert list(glu.outputs(4)) == [z1 * symact.sigmoid_head(z3), z2 * symact.sigmoid_head(z4)]
    with pytest.raises(SymactError, match="even"):
        glu.outputs(3)


def test_maxout_derivative_is_the_active_piece_slope():
    maxout = symact.get("maxout")
    (d,) = maxout.jacobian(2)
    w1, w2, b1, b2 = sp.symbols("w_1 w_2 b_1 b_2", real=True)
    x = symact.x
    values = {w1: 2, b1: 0, w2: -1, b2: 0}
    assert d.xreplace(values).subs(x, 1) == 2
    assert d.xreplace(values).subs(x, -1) == -1
    assert not d.has(sp.Heaviside, sp.DiracDelta)


@pytest.mark.parametrize("size", [0, -1, 65, 2.5, True])
def test_vector_sizes_are_validated(size):
    with pytest.raises(SymactError):
        symact.get("softmax").inputs(size)
