"""NumPy code for the softmax family and glu: accuracy against 50-digit mpmath evaluation
of the definitions on concrete vectors, limits at +-inf, NaN, dtypes, axes, bad input."""
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp

from symact import registry
from symact.errors import SymactError
from symact.vector_numeric import exponent_sign, shift_coefficient

FAMILY = ("softmax", "log_softmax", "softmin", "logsumexp", "glu")
SCALES = (1e-300, 1e-8, 1, 30, 700, 1e5, 1e300)


def _ulp(value):
    return max(2.0 ** (np.floor(np.log2(abs(value))) - 52), 2.0 ** -1074) if value else 2.0 ** -1074


def _references(act, size):
    """(outputs, Jacobian) of act at size as mpmath functions of the entries."""
    inputs = list(act.inputs(size))
    outputs = sp.lambdify(inputs, list(act.outputs(size)), "mpmath", cse=True)
    # plain SymPy differentiation (not symact's): the allowance for conditioning
    slopes = [[sp.diff(out, v) for v in inputs] for out in act.outputs(size)]
    jacobian = sp.lambdify(inputs, slopes, "mpmath", cse=True)
    return outputs, jacobian


def _errors(act, size, rows):
    """Largest error in ULPs beyond the conditioning allowance, over rows of inputs; the
    truth is the definition in mpmath at 50 digits plus the digits the inputs carry."""
    function = act.numpy()
    outputs, jacobian = _references(act, size)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = np.atleast_2d(function(rows))
    if act.name == "logsumexp":
        got = got.reshape(-1, 1)
    worst = 0.0
    for row, values in zip(rows, got):
        # z_i - log(sum) cancels the digits z_i has before the point, and 1 - softmax_i
        # (in the Jacobian) those of e^(z_j - z_i); beyond e^-1200 all is below subnormal
        spread = np.max(row) - np.min(row)
        digits = 50 + int(np.log10(np.max(np.abs(row)) + 1)) + int(min(spread, 1200) / 2.3)
        with mpmath.workdps(digits):
            exact_in = [mpmath.mpf(float(v)) for v in row]
            truths = outputs(*exact_in)
            slopes = None
            for k, (value, truth) in enumerate(zip(values, truths)):
                ulps = float(abs(mpmath.mpf(float(value)) - truth)) / _ulp(float(truth))
                if ulps > 4:  # only then the allowance matters (e^(1e300) is slow in mpmath)
                    slopes = slopes or jacobian(*exact_in)
                    conditioning = 2 * float(sum(abs(e * d) for e, d in zip(exact_in, slopes[k])))
                    ulps -= conditioning * 2.0 ** -53 / _ulp(float(truth))
                worst = max(worst, ulps)
    return worst


@pytest.mark.parametrize("name", FAMILY)
@pytest.mark.parametrize("size", (1, 2, 3, 5, 8))
def test_accuracy_within_bound(name, size):
    act = registry.get(name)
    if name == "glu" and size % 2:
        pytest.skip("glu takes even lengths")
    rng = np.random.default_rng(size)
    rows = [rng.standard_normal(size) * scale for scale in SCALES for _ in range(8)]
    rows += [np.linspace(-745.2, 709.8, size), np.full(size, 3.0), np.arange(size) * 1e-3]
    assert _errors(act, size, np.array(rows)) <= 4


def test_shift_laws_are_derived():
    expected = {"softmax": 0, "log_softmax": 0, "softmin": 0, "logsumexp": 1}
    for name, coefficient in expected.items():
        assert shift_coefficient(registry.get(name)) == coefficient
    assert exponent_sign(sp.exp(-sp.Symbol("z", real=True))) == -1


def _quiet(function, *args, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return function(*args, **options)


def test_softmax_limits_and_nan():
    softmax = registry.get("softmax").numpy()
    inf = np.inf
    np.testing.assert_array_equal(_quiet(softmax, [inf, 0.0, -inf, 1e308]), [1, 0, 0, 0])
    np.testing.assert_array_equal(_quiet(softmax, [1e308, -1e308]), [1, 0])
    # two entries +inf, or every entry -inf: the limit depends on the path
    assert np.isnan(_quiet(softmax, [inf, inf, 0.0])).all()
    assert np.isnan(_quiet(softmax, [-inf, -inf])).all()
    assert np.isnan(_quiet(softmax, [np.nan, 1.0, 2.0])).all()
    np.testing.assert_array_equal(_quiet(softmax, [-inf]), [1.0])  # one entry: always 1
    assert _quiet(softmax, [800.0, 800.0]).tolist() == [0.5, 0.5]


def test_log_softmax_logsumexp_softmin_limits():
    inf = np.inf
    log_softmax = registry.get("log_softmax").numpy()
    logsumexp = registry.get("logsumexp").numpy()
    softmin = registry.get("softmin").numpy()
    assert _quiet(log_softmax, [inf, 0.0, 1.0]).tolist() == [0.0, -inf, -inf]
    assert _quiet(logsumexp, [inf, inf, 0.0]) == inf
    assert _quiet(logsumexp, [-inf, -inf]) == -inf
    assert _quiet(logsumexp, [-inf, 0.0]) == 0.0
    assert _quiet(logsumexp, [1e308, 1e308]) == 1e308  # + log 2 is below half an ULP
    assert _quiet(softmin, [inf, 0.0]).tolist() == [0.0, 1.0]
    assert _quiet(softmin, [-inf, 0.0]).tolist() == [1.0, 0.0]
    # log(1 + e^-30) is kept to full relative accuracy (log1p of the other terms)
    assert _quiet(logsumexp, [0.0, -30.0]) == float(mpmath.log1p(mpmath.exp(-30)))


def test_glu_halves_and_limits():
    glu = registry.get("glu").numpy()
    assert _quiet(glu, [2.0, 0.0]).tolist() == [1.0]
    assert _quiet(glu, [0.0, np.inf]).tolist() == [0.0]
    assert np.isnan(_quiet(glu, [np.inf, -np.inf])).all()  # inf * 0: path dependent
    with pytest.raises(SymactError, match="even"):
        glu([1.0, 2.0, 3.0])
    # sigmoid(v) underflows below v = -745, the product need not
    with mpmath.workdps(50):
        for u, v in ((454.90875681, -746.43772852), (1e308, -1410.0), (1e-5, -720.0)):
            truth = mpmath.mpf(u) / (1 + mpmath.exp(-mpmath.mpf(v)))
            got = _quiet(glu, [u, v])[0]
            assert abs(got - truth) <= 2 * _ulp(float(truth)), (u, v)


def test_shapes_axes_and_dtypes():
    softmax = registry.get("softmax").numpy()
    logsumexp = registry.get("logsumexp").numpy()
    rng = np.random.default_rng(0)
    batch = rng.standard_normal((4, 3, 5))
    along_middle = softmax(batch, axis=1)
    assert along_middle.shape == batch.shape
    np.testing.assert_allclose(along_middle.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(along_middle, np.moveaxis(softmax(np.moveaxis(batch, 1, -1)), -1, 1))
    assert logsumexp(batch).shape == (4, 3)
    single = batch.astype(np.float32)
    assert softmax(single).dtype == np.float32 and logsumexp(single).dtype == np.float32
    np.testing.assert_array_equal(softmax(single), softmax(single.astype(np.float64)).astype(np.float32))
    assert softmax([1, 2, 3]).dtype == np.float64
    assert isinstance(logsumexp([0.0, 0.0]), np.floating)


@pytest.mark.parametrize("bad, message", [(3.0, "at least one axis"), ([], "length at least 1"),
                                          (["a", "b"], "cannot evaluate")])
def test_bad_input_is_refused(bad, message):
    with pytest.raises(SymactError, match=message):
        registry.get("softmax").numpy()(bad)
    with pytest.raises(SymactError, match="axis 5"):
        registry.get("softmax").numpy()([1.0, 2.0], axis=5)


def test_maxout_has_no_vector_code():
    with pytest.raises(SymactError, match="weights"):
        registry.get("maxout").numpy()
