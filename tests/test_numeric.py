"""Generated NumPy code: within 4 ULP plus the conditioning term of 50-digit mpmath on the
conventions' float64 grid (overflow edges, subnormals, huge values), NaN and +-inf
semantics, dtypes and shapes, and no RuntimeWarning anywhere."""
import functools
import warnings

import mpmath
import numpy as np
import pytest
import scipy.special
import sympy as sp

import symact
from symact.accuracy import grid, measure
from symact.symbols import x
from conftest import ELEMENTWISE

OTHER_PARAMS = {"elu": {"alpha": "0.5"}, "softplus": {"beta": 2}, "swish": {"beta": "0.7"},
                "leaky_relu": {"negative_slope": "0.2"}, "celu": {"alpha": 2},
                "hard_tanh": {"min_val": -2, "max_val": 3}, "softshrink": {"lambd": 1},
                "squareplus": {"b": 1}, "isru": {"alpha": "0.25"}, "prelu": {"a": "-0.5"},
                "soft_exponential": {"alpha": "-0.5"}, "threshold": {"threshold": "0.3"},
                "srelu": {"t_l": "-2", "a_l": "0.2", "t_r": "3", "a_r": "2"}}

# The conventions' grid (symact.accuracy.grid) at a point every two decades in the log
# range and a 0.5 step on [-60, 60] (edges, subnormals and huge values all kept), to keep
# the suite short; bench/ uses the denser default grid.
GRID = grid(per_decade=0.5, step=0.5, random_points=40)


@functools.lru_cache(maxsize=None)
def compiled(name, derivative, params=()):
    act = symact.get(name)
    values = dict(params)
    function = act.numpy_derivative(**values) if derivative else act.numpy(**values)
    expr = (act.derivative(1, **values) if derivative else act.at(**values)).xreplace(act.params)
    return function, expr


def _check_accuracy(name, derivative, params=()):
    function, expr = compiled(name, derivative, tuple(params))
    result = measure(function, expr, GRID)
    assert not result["warnings"], result["warnings"]
    assert result["excess"] <= 0, (
        f"{name} {'derivative' if derivative else 'function'}: {result['max_ulp']:.3g} ULP, "
        f"{result['excess']:.3g} ULP over the bound at x = {result['at']!r}")


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("derivative", [False, True], ids=["f", "df"])
def test_accuracy_against_mpmath(name, derivative):
    _check_accuracy(name, derivative)


@pytest.mark.parametrize("name", sorted(OTHER_PARAMS))
@pytest.mark.parametrize("derivative", [False, True], ids=["f", "df"])
def test_accuracy_other_parameters(name, derivative):
    _check_accuracy(name, derivative, tuple(OTHER_PARAMS[name].items()))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_special_values_without_warnings(name):
    function, expr = compiled(name, False)
    derivative, _ = compiled(name, True)
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, 1e308, -1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values, slopes = function(special), derivative(special)
    assert np.isnan(values[0]) and np.isnan(slopes[0])
    low, high = function.limits
    np.testing.assert_equal(values[1:3], [high, low])


@pytest.mark.parametrize("name, limits", [("sigmoid", (0, 1)), ("softplus", (0, np.inf)),
                                          ("elu", (-1, np.inf)), ("tanh", (-1, 1)),
                                          ("log_sigmoid", (-np.inf, 0)), ("silu", (0, np.inf)),
                                          ("gelu", (0, np.inf)), ("hard_sigmoid", (0, 1))])
def test_limits_at_infinity(name, limits):
    function, _ = compiled(name, False)
    assert tuple(function(np.array([-np.inf, np.inf]))) == limits


def test_derivative_limit_where_sympy_limit_is_wrong():
    """sympy.limit gives 0 for silu' at +oo from one form; the true limit is 1."""
    derivative, _ = compiled("silu", True)
    assert derivative(np.inf) == 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_shape_preserved(dtype):
    for name in ("sigmoid", "relu", "elu", "gelu", "sinc"):
        function, _ = compiled(name, False)
        values = np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
        result = function(values)
        assert result.dtype == dtype and result.shape == (3, 4)


def test_scalars_and_zero_d_arrays():
    function, _ = compiled("relu", False)
    assert isinstance(function(2.0), float | np.floating) and function(-1) == 0.0
    assert np.ndim(function(np.array(3.0))) == 0
    assert function(3) == 3.0


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_function_takes_scalars(name):
    """Python numbers, NumPy scalars and 0-d arrays give the same value as a 1-element
    array (softplus's helper once failed on 0-d input)."""
    for derivative in (False, True):
        function, _ = compiled(name, derivative)
        for value in (0.5, -3, np.float64(-0.75), np.float32(2.5), np.array(1.25), np.nan, np.inf):
            result = function(value)
            assert np.ndim(result) == 0
            expected = function(np.array([value]))[0]
            assert result == expected or (np.isnan(result) and np.isnan(expected))


def test_unused_piecewise_branch_is_never_evaluated():
    """elu at 1000: exp(1000) would overflow if the x <= 0 branch were computed there."""
    function, _ = compiled("elu", False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert function(np.array([1000.0, -1000.0])).tolist() == [1000.0, -1.0]


def test_generated_source_is_readable_python():
    source = symact.get("softplus").numpy().source
    assert "_softplus(x" in source
    assert "def softplus(x):" in source


def test_affine_pieces_keep_their_root_exact():
    """hard_sigmoid = (x + 3)/6 near its kink at -3, hard_swish' = (x + 3/2)/3 near its
    root: SymPy writes them x/6 + 1/2 and x/3 + 1/2, whose rounded x/6 cancels; the
    printed (x + 3.0)/6.0 is exact up to the one division."""
    near = np.array([-3 + 2.0**-40, -3 + 3 * 2.0**-45, -3 + 1e-9])
    function, _ = compiled("hard_sigmoid", False)
    with mpmath.workdps(50):
        truth = [float((mpmath.mpf(float(v)) + 3) / 6) for v in near]
    assert function(near).tolist() == truth
    slope, _ = compiled("hard_swish", True)
    near = np.array([-1.5 + 2.0**-40, -1.5 - 1e-12])
    with mpmath.workdps(50):
        truth = [float((mpmath.mpf(float(v)) * 2 + 3) / 6) for v in near]
    assert slope(near).tolist() == truth


def test_one_step_functions_are_one_comparison_pass():
    """leaky_relu' = 0.01 + 0.99 [x > 0] (0.01 + 0.99 is 1.0 exactly); a step whose jump
    does not add up exactly (1/10 to 3/10: 0.1 + 0.2 != 0.3) keeps the masks form."""
    from symact.numeric import compile_function, source
    function, _ = compiled("leaky_relu", True)
    assert "_steps(x, 0.01, ((0.0, False, 0.99),), out=out)" in function.source
    values = function(np.array([-1.0, 0.0, 5e-324, np.inf, -np.inf, np.nan]))
    assert values[:5].tolist() == [0.01, 0.01, 1.0, 1.0, 0.01] and np.isnan(values[5])
    inexact = sp.Piecewise((sp.Rational(1, 10), x <= 0), (sp.Rational(3, 10), True))
    assert "_steps(" not in source(inexact, "step").split("def _step_body")[1]
    assert compile_function(inexact, "step")(np.array([-1.0, 1.0])).tolist() == [0.1, 0.3]


def test_long_constants_are_one_correctly_rounded_float():
    """SELU's 31-digit lambda is printed as the float nearest it, not as an integer
    numerator times x over a float denominator (two roundings of inexact numbers)."""
    import re
    source = symact.get("selu").numpy().source.split("def selu(x)")[0]
    assert not [n for n in re.findall(r"\d+", source) if len(n) > 17]
    assert "1.0507009873554805" in source and "1.7580993408473768" in source


def test_float32_results_are_float64_results_rounded():
    """float32 in: computed in float64, so the result is the float64 one rounded once."""
    values = np.linspace(-20, 20, 101, dtype=np.float32)
    for name in ("gelu", "mish", "softplus", "selu"):
        function, _ = compiled(name, False)
        assert np.array_equal(function(values),
                              function(values.astype(np.float64)).astype(np.float32))


def test_comparison_with_a_non_float_threshold_is_exact():
    """threshold keeps x where x > 1/10; the float 0.1 is 1/10 + 5.6e-18, so it is kept."""
    function, _ = compiled("threshold", False)
    below = np.nextafter(0.1, 0)
    assert function(0.1) == 0.1 and function(below) == 20.0


def test_subnormal_results_keep_their_bits():
    """sigmoid(-740) ~ e^-740 (subnormal, where expit gives 0); silu(-740) = -740 e^-740,
    each rounded once."""
    sigmoid, _ = compiled("sigmoid", False)
    silu, _ = compiled("silu", False)
    with mpmath.workdps(50):
        assert sigmoid(-740.0) == float(1 / (1 + mpmath.exp(740))) > 0
        assert silu(-740.0) == float(-740 / (1 + mpmath.exp(740))) < 0


def test_result_never_aliases_the_input():
    identity, _ = compiled("identity", False)
    values = np.array([1.0, np.nan])
    result = identity(values)
    result[0] = 5.0
    assert values[0] == 1.0


def test_piecewise_constant_is_exact_and_nan_stays_nan():
    """leaky_relu' is printed as comparisons times constants (no numpy.where)."""
    derivative, _ = compiled("leaky_relu", True)
    assert "where(" not in derivative.source
    got = derivative(np.array([-np.inf, -1.0, 0.0, 5e-324, np.inf, np.nan]))
    np.testing.assert_array_equal(got, [0.01, 0.01, 0.01, 1.0, 1.0, np.nan])


def test_repair_regions_come_from_the_probe():
    """sigmoid: expit flushes to 0 below -709.78 while e^x is still subnormal, so that
    stretch is recomputed; relu's float64 code is exact: nothing to recompute."""
    from symact.probe import repair_regions
    sigmoid_body = lambda v: scipy.special.expit(v)  # noqa: E731
    (low, high), holes = repair_regions(sigmoid_body, specials_ok=True)
    assert any(a <= -740 and b >= -709.8 for a, b in holes) or low >= -709.8
    assert repair_regions(lambda v: np.maximum(v, 0.0), specials_ok=True) is None


def test_far_bad_runs_join_the_tails():
    """1/(x^2 + 1): x^2 overflows past 1.3e154 while the result is still subnormal. Those
    two far runs become tails, not one hole spanning every ordinary input."""
    from symact.probe import repair_regions
    (low, high), holes = repair_regions(lambda v: 1 / (v * v + 1), specials_ok=True)
    assert holes == ()
    assert -1e155 < low <= -1e154 and 1e154 <= high < 1e155


def test_holes_merge_only_across_gaps_without_typical_inputs():
    from symact.probe import _merge
    assert _merge([(-21.6, -21.1), (-22.0, -21.5)]) == [(-22.0, -21.1)]
    assert _merge([(-40.0, -37.0), (-1.5, -0.5)]) == [(-40.0, -37.0), (-1.5, -0.5)]
    five = [(-30.0, -29.0), (-2.0, -1.0), (1.0, 2.0), (29.0, 30.0), (40.0, 41.0)]
    assert _merge(five) == [(-30.0, -29.0), (-2.0, -1.0), (1.0, 2.0), (29.0, 41.0)]


def test_repair_leaves_other_elements_untouched():
    function, _ = compiled("sigmoid", False)
    values = np.array([-740.0, 0.5, 3.0])
    body = function.__globals__["_sigmoid_body"]
    np.testing.assert_array_equal(function(values)[1:], body(values[1:]))


class _WithoutMinMax(np.ndarray):
    """An array whose min and max fail: only the sum of squares can clear it."""

    def min(self, *args, **kwargs):
        raise AssertionError("min called")

    max = min


def test_a_block_cleared_by_its_sum_of_squares_still_repairs_every_outsider():
    """Within a symmetric SAFE one dot product (the sum of squares) clears a block in
    place of min and max; an element beyond the bound (isru's x^2 overflows there and
    the formula gives 0), NaN and inf must still reach the repair, in blocks whose
    other elements keep the formula's bits."""
    from symact.numeric import BLOCK, _to_repair
    isru = symact.get("isru").numpy()
    inside = np.linspace(-30.0, 30.0, 70_000)  # more than one block
    safe = isru.__globals__["SAFE"]
    assert -safe[0] == safe[1] and not isru.__globals__["HOLES"]
    # the shortcut itself: a typical block needs no mask; one outsider gets exactly its
    # own (its square overflows the dot, as generated functions allow)
    block = inside[:BLOCK].copy()
    block[7] = 1e200
    with np.errstate(all="ignore"):
        assert _to_repair(inside[:BLOCK].view(_WithoutMinMax), safe, ()) is None
        assert np.flatnonzero(_to_repair(block, safe, ())).tolist() == [7]
    for position, value, expected in [(5, 1e200, 1.0), (65_540, -2e154, -1.0),
                                      (69_999, np.inf, 1.0), (3, np.nan, np.nan)]:
        values = inside.copy()
        values[position] = value
        got = isru(values)
        assert np.array_equal(got[position], expected, equal_nan=True)
        assert np.array_equal(np.delete(got, position), np.delete(isru(inside), position))


def test_sigmoid_corrects_the_rounding_of_its_denominator():
    """1/(1 + e^-u) rounds 1 + e^-u; the kernel adds back what that rounding lost. On a
    0.01 grid over [-40, 40] the uncorrected form reaches 1.95 ULP (2.4 on a denser grid,
    where e^-u is near 2^53); the corrected one stays under 1.6."""
    from symact.accuracy import ulp_error
    from symact.numeric import _sigmoid
    values = np.arange(-40, 40, 0.01)
    with mpmath.workdps(40):
        truth = [1 / (1 + mpmath.exp(-mpmath.mpf(float(v)))) for v in values]
    with np.errstate(all="raise"):
        got = _sigmoid(values)
    assert max(ulp_error(g, t) for g, t in zip(got, truth)) < 1.6
    assert _sigmoid(values[3800]) == got[3800] and _sigmoid(np.inf) == 1.0  # 0-d: same bits


def test_root_patch_where_the_formula_cancels():
    """x - tanh(x) at 1e-6 is x^3/3 - 2x^5/15: the printed difference would give 0 or noise."""
    function, _ = compiled("tanhshrink", False)
    assert function(1e-6) == pytest.approx(1e-18 / 3, rel=1e-15)
    assert "PATCHES" in function.source


def test_piecewise_linear_becomes_max_min():
    for name, call in (("relu", "numpy.clip(x, 0, numpy.inf, out=out)"),
                       ("hard_tanh", "numpy.clip(x, -1, 1, out=out)"),
                       ("relu6", "numpy.clip(x, 0, 6, out=out)"), ("leaky_relu", "numpy.maximum")):
        function, _ = compiled(name, False)
        assert call in function.source and "where(" not in function.source


@pytest.mark.parametrize("text, reference", [
    ("Max(0, x)", lambda v: np.maximum(0, v)), ("Min(0, x)", lambda v: np.minimum(0, v)),
    ("Max(-1/3, 2*x)", lambda v: np.maximum(-1 / 3, 2 * v)),
    ("Min(5, x + 1)", lambda v: np.minimum(5, v + 1))])
def test_a_bound_on_one_side_is_a_clip_that_keeps_every_bit(text, reference):
    """Max(c, u) runs as numpy.clip(u, c, inf) (0.23 ms per 1e6 values against 0.63 for
    numpy.maximum(0, x)), and gives what numpy.maximum(c, u) gives, bit for bit: u where
    u equals c (relu(-0.0) = -0.0, as in PyTorch), NaN, +-inf."""
    function = symact.define("mine", text).numpy()
    assert "clip(" in function.source and "numpy.maximum" not in function.source \
        and "numpy.minimum" not in function.source
    points = np.array([-np.inf, -1e300, -2.0, -1 / 6, -0.0, 0.0, 5e-324, 4.0, 5.0, 1e300,
                       np.inf, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = function(points)
    expected = reference(points)
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(expected))


@pytest.mark.parametrize("halves", [h for h in range(-9, 10) if h % 2 or h < 0])
def test_small_powers_are_products_within_the_bound_and_pow_at_special_points(halves):
    """_power(b, k) = b^(k/2) by square roots, products and one division, not libm's pow
    (14 ms per 1e6 values): within 4 ULP of mpmath at 4000 values over 60 decades, and
    what numpy.power gives at 0, -0, +-inf, NaN, negative bases and past overflow, in
    float64, float32 and long double (the repair pass), for arrays and numbers. Half
    powers only come from hypot's u^2 + c^2 > 0, so for odd k the bases are >= +0 (pow
    gives (-inf)^(3/2) = inf and (-0.0)^(-1/2) = inf, numpy.sqrt NaN and -0.0)."""
    from symact.accuracy import ulp_error
    from symact.numeric import _power
    rng = np.random.default_rng(halves + 100)
    bases = np.concatenate([10.0**rng.uniform(-30, 30, 3000), rng.uniform(0.5, 4, 1000)])
    got = _power(bases.copy(), halves)
    with mpmath.workdps(30):
        truth = [mpmath.mpf(float(b))**(mpmath.mpf(halves) / 2) for b in bases]
        errors = [ulp_error(value, t) for value, t in zip(got, truth)]
    assert max(errors) <= 4, (max(errors), bases[int(np.argmax(errors))])
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -2.0, -1.0, 1.0, 1e-200, 1e200,
                        5e-324, 4.0])
    if halves % 2:
        special = special[~np.signbit(special)]
    for dtype in (np.float64, np.float32, np.longdouble):
        with np.errstate(all="ignore"):  # 1e200 is inf in float32
            values = special.astype(dtype)
            mine, numpy_power = _power(values.copy(), halves), np.power(values, halves / 2)
            number = _power(dtype(-2.0), halves)
        assert mine.dtype == dtype and np.array_equal(
            np.isnan(mine), np.isnan(numpy_power))
        exact = np.isinf(numpy_power) | (numpy_power == 0) | np.isnan(numpy_power)
        assert np.array_equal(mine[exact], numpy_power[exact], equal_nan=True), (dtype, mine)
        assert np.allclose(mine[~exact], numpy_power[~exact], rtol=8 * np.finfo(dtype).eps)
        assert np.isnan(number) == bool(halves % 2) and np.ndim(number) == 0


def test_one_piece_between_constants_is_clipped():
    """elu'(x) = e^min(x, 0): the constant side is the piece at the break, no numpy.where."""
    for name in ("elu", "celu"):
        function, _ = compiled(name, True)
        assert "_into(numpy.exp, numpy.clip(x, -numpy.inf, 0, out=out), out=out)" \
            in function.source
        assert "where(" not in function.source
    # alpha = 1/2: the sides no longer meet (1 against 1/2), so the cases stay
    source = symact.get("elu").numpy_derivative(alpha="1/2").source
    assert "_where(" in source


def test_symmetric_bounds_are_one_comparison_of_the_magnitude():
    """(x > c) | (x < -c) is |x| > c, also in NaN (both false), for each strictness; a pair
    that is not symmetric, or mixes strictness, is left alone."""
    from symact.stable import rewrite_stable
    u = sp.Symbol("u", real=True)
    cases = {(x > 2) | (x < -2): sp.Abs(x) > 2, (x >= 2) | (x <= -2): sp.Abs(x) >= 2,
             (x < 2) & (x > -2): sp.Abs(x) < 2, (x <= 2) & (x >= -2): sp.Abs(x) <= 2,
             (u + x > 3) | (u + x < -3): sp.Abs(u + x) > 3}
    for condition, expected in cases.items():
        assert rewrite_stable(sp.Piecewise((x, condition), (0, True))) == sp.Piecewise(
            (x, expected), (0, True))
        variables = sorted(condition.free_symbols, key=str)
        before = sp.lambdify(variables, condition, "numpy")
        after = sp.lambdify(variables, expected, "numpy")
        for point in (-3, -2, -1.5, 0, 2, 2.5, np.nan, np.inf, -np.inf):
            values = [point] * len(variables)
            assert bool(before(*values)) == bool(after(*values))
    for condition in ((x > 2) | (x < -3), (x > 2) | (x <= -2), (x > -2) | (x < 2)):
        assert not rewrite_stable(sp.Piecewise((x, condition), (0, True))).has(sp.Abs)


def test_piecewise_that_is_the_largest_of_its_pieces_becomes_max():
    """sparse_plus is max((clip(x, -1, 1) + 1)^2/4, x) (the 0 piece is left to the clipped
    square, which meets it at -1); proved on each interval, so a concave middle piece,
    where -x rises above it, keeps its cases. Values agree with the Piecewise to an ULP."""
    from symact.stable import rewrite_stable
    sparse_plus = symact.get("sparse_plus").at()
    square = (sp.Max(sp.Min(x, 1), -1) + 1)**2 / 4
    assert rewrite_stable(sparse_plus) == sp.Max(x, square)
    function, _ = compiled("sparse_plus", False)
    assert "where(" not in function.source
    points = np.concatenate([np.linspace(-3, 3, 6001), [-1.0, 1.0, np.inf, -np.inf, np.nan]])
    with np.errstate(all="ignore"):
        exact = np.select([points <= -1, points >= 1], [0.0, points], (points + 1)**2 / 4)
    exact[np.isnan(points)] = np.nan
    got = function(points)
    finite = np.isfinite(exact)
    assert np.array_equal(got[~finite], exact[~finite], equal_nan=True)
    assert np.all(np.abs(got[finite] - exact[finite]) <= np.spacing(np.abs(exact[finite])))
    concave = sp.Piecewise((0, x <= -1), (-x, x >= 1), (-(x + 1)**2 / 4, True))
    assert rewrite_stable(concave).has(sp.Piecewise)


def test_a_sum_of_cases_becomes_the_extremum_of_its_pieces():
    """apl = relu(x) + relu(1 - x)/2 is max(1/2 - x/2, x/2 + 1/2, x): one rounding per
    piece (0.5 ULP, where the sum of two rounded terms gave 0.75); its derivative, a step
    function, stays a sum of steps."""
    from symact.stable import rewrite_stable
    apl = symact.get("apl").at()
    assert rewrite_stable(apl) == sp.Max(x, x / 2 + sp.Rational(1, 2), sp.Rational(1, 2) - x / 2)
    function, expr = compiled("apl", False)
    assert "where(" not in function.source
    points = np.array([-3.0, -0.1, 0.0, 0.3, 1.0, 1.7, 1e300, -1e300])
    assert np.array_equal(function(points), np.maximum(np.maximum(0.5 - points / 2, points / 2 + 0.5), points))
    assert measure(function, expr, np.linspace(-5, 5, 2001))["max_ulp"] <= 0.5
    derivative, _ = compiled("apl", True)
    assert "_steps(" in derivative.source


def test_affine_piece_away_from_its_root_is_not_factored():
    """srelu's x/10 - 9/10 serves only x <= -1, where neither form cancels: printed as
    x/10 - 0.9 (within 1 ULP; (x - 9)/10 reaches 1.2 there). hard_sigmoid's x/6 + 1/2
    serves (-3, 3), around its root: it stays (x + 3)/6, exact at the kink."""
    function, expr = compiled("srelu", False)
    assert "numpy.divide(x, 10.0" in function.source and "0.9" in function.source
    rng = np.random.default_rng(3)
    points = np.concatenate([-rng.uniform(1, 20, 20000), -np.exp(rng.uniform(0, 40, 20000))])
    assert measure(function, expr, points)["max_ulp"] <= 1.0
    hard_sigmoid, _ = compiled("hard_sigmoid", False)
    assert "numpy.add(x, 3.0" in hard_sigmoid.source


def test_hypot_plus_u_is_the_larger_of_two_stable_forms():
    """u + sqrt(u^2 + s^2) is max(p [u >= 0], s^2/p), p = sqrt(u^2 + s^2) + |u|: equal to
    the definition on both sides and far out (where the sum cancels for u < 0), and
    squareplus's code picks by numpy.maximum, not by a select."""
    from symact.stable import rewrite_stable
    from symact.heads import to_elementary
    u = sp.Symbol("u", real=True)
    for expr in (x + sp.sqrt(x**2 + 4), x + sp.sqrt(x**2 + 1), (u + sp.sqrt(u**2 + 3)) / 2):
        rewritten = rewrite_stable(expr)
        assert isinstance(sp.Add.make_args(rewritten)[0].as_coeff_Mul()[1], sp.Max), rewritten
        variable = next(iter(expr.free_symbols))
        for point in (-10**12, -7, -sp.Rational(1, 3), 0, sp.Rational(1, 3), 5, 10**12):
            want = sp.N(expr.subs(variable, point), 40)
            got = sp.N(to_elementary(rewritten.doit()).subs(variable, point), 40)
            assert abs(got - want) <= sp.Float(10)**-30 * abs(want), (expr, point, got)
    function, _ = compiled("squareplus", False)
    assert "numpy.maximum" in function.source and "_where(" not in function.source
    points = np.array([-1e300, -1e10, -3.0, -0.0, 0.0, 2.0, 1e10, 1e300])
    with mpmath.workdps(700):  # the sum cancels 600 digits at -1e300
        wanted = [float((mpmath.mpf(p) + mpmath.sqrt(mpmath.mpf(p)**2 + 4)) / 2) for p in points]
    got = function(points)
    assert (np.abs(got - wanted) <= 2 * np.spacing(np.abs(wanted))).all(), (got, wanted)


def test_piece_between_jumps_is_masked_not_selected():
    """hard_swish' (0 below -3, 1 from 3, (x + 3/2)/3 between) is the middle piece on
    clip(x, -3, 3) times [|x| < 3] plus the step at 3: no select, the same bits as the
    nested numpy.where, and the piece printed as (clip + 1.5)/3, exact at its root -3/2.
    A piece that is not finite at a break is left to the select (inf times 0 is NaN)."""
    from symact.stable import rewrite_stable
    function, _ = compiled("hard_swish", True)
    assert "_where(" not in function.source and "numpy.clip(x, -3, 3" in function.source
    assert "1.5, out=out), 3.0" in function.source
    points = np.concatenate([np.random.default_rng(4).standard_normal(10000) * 4,
                             [-3.0, 3.0, -0.0, 0.0, -1.5, np.inf, -np.inf, np.nextafter(-3, 0),
                              np.nextafter(3, 0), np.nextafter(-1.5, 0)]])
    with np.errstate(all="ignore"):
        wanted = np.where(points <= -3, 0.0, np.where(points >= 3, 1.0, (points + 1.5) / 3))
    np.testing.assert_array_equal(function(points).view(np.int64), wanted.view(np.int64))
    pole = sp.Piecewise((0, x <= 0), (1, x >= 1), (1 / x, True))
    assert rewrite_stable(pole) == pole


def test_median_of_shifted_copies_is_one_clip():
    """softshrink = max(x - l, min(x + l, 0)) = x - clip(x, -l, l): equal to the Piecewise
    bit for bit, -0.0, NaN and +-inf included."""
    from symact.stable import rewrite_stable
    function, _ = compiled("softshrink", False)
    assert "numpy.clip(x, -0.5, 0.5, out=out)" in function.source
    points = np.array([-np.inf, -7.25, -3.0, -0.5, -0.25, -0.0, 0.0, 0.1, 0.5, 2.0, 1e300,
                       np.inf, np.nan])
    for shift in (sp.Rational(1, 2), 3):
        median = sp.Max(x - shift, sp.Min(x + shift, 0))
        clipped = rewrite_stable(median)
        assert clipped == x - sp.Max(sp.Min(x, shift), -shift)
        with np.errstate(all="raise"):
            expected = sp.lambdify(x, median, "numpy")(points)
            got = sp.lambdify(x, clipped, "numpy")(points)
        assert np.array_equal(got, expected, equal_nan=True)
        assert np.array_equal(np.signbit(got), np.signbit(expected))
    got = function(points)
    assert np.array_equal(got, np.maximum(points - 0.5, np.minimum(points + 0.5, 0)),
                          equal_nan=True)
    assert rewrite_stable(sp.Max(x - 1, sp.Min(x + 2, 1))).has(sp.Min)  # not a median at 0


@pytest.mark.parametrize("name", ["sigmoid", "mish", "gelu", "softsign", "elu", "squareplus"])
def test_in_place_body_is_the_same_arithmetic(name):
    """The body with temporaries reused gives the same bits as the plain body, and
    neither the input nor a named temporary is overwritten."""
    from symact.numeric import _NAMESPACE
    grid_values = np.concatenate([np.linspace(-40, 40, 4001), [0.0, -0.0, 1e-300, 1e300, -1e300]])
    for derivative in (False, True):
        function, _ = compiled(name, derivative)
        body = function.source.split("\n\n\n")[1]
        if "_into(" not in body:
            continue
        plain = body
        while "_into(" in plain:  # undo: _into(f, a[, b][, fresh_first=False]) -> f(...)
            plain = _undo_into(plain)
        results = []
        for code in (body, plain):
            namespace = dict(_NAMESPACE)
            exec(code, namespace)
            (body_function,) = [v for k, v in namespace.items() if k.endswith("_body")]
            copy = grid_values.copy()
            with np.errstate(all="ignore"):
                results.append(np.asarray(body_function(copy), dtype=np.float64))
            np.testing.assert_array_equal(copy, grid_values)  # the input is untouched
        np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("name", ["sigmoid", "mish", "gelu", "hard_swish", "sparse_plus",
                                  "squareplus", "selu", "tanhshrink"])
def test_body_computed_in_out_is_the_body(name):
    """The chain of temporaries that the result is written over is computed in `out`
    itself (one block's working set: input and out); the values are the same bits as
    without out, and the input is untouched."""
    grid_values = np.concatenate([np.linspace(-40, 40, 4001), [0.0, -0.0, 1e-300, 1e300, -1e300]])
    if name in ("hard_swish", "sparse_plus"):  # the first operation of the chain, in out
        source = compiled(name, False)[0].source
        assert {"hard_swish": "numpy.add(x, 3.0, out=out)",
                "sparse_plus": "numpy.clip(x, -1, 1, out=out)"}[name] in source
    for derivative in (False, True):
        function, _ = compiled(name, derivative)
        (body,) = [v for k, v in function.__globals__.items() if k.endswith("_body")]
        copy = grid_values.copy()
        out = np.full_like(grid_values, np.nan)
        with np.errstate(all="ignore"):
            alone = np.asarray(body(copy), dtype=np.float64)
            written = body(copy, out)
        np.testing.assert_array_equal(copy, grid_values)
        np.testing.assert_array_equal(np.broadcast_to(written, alone.shape), alone)


def test_only_one_chain_is_computed_in_out():
    """e^x + e^-x: the first exponential is written in out; the second, evaluated after
    it, must get memory of its own or it would overwrite the first."""
    from symact.numeric import _NAMESPACE, in_place
    code = in_place("def f(x, out=None):\n    return numpy.exp(x) + numpy.exp(-x)\n", output=True)
    assert "numpy.exp(x, out=out)" in code and "_into(numpy.exp, -x)," in code
    namespace = dict(_NAMESPACE)
    exec(code, namespace)
    values = np.array([-2.0, 0.0, 0.5, 3.0])
    out = np.empty_like(values)
    assert namespace["f"](values, out) is out
    np.testing.assert_array_equal(out, np.exp(values) + np.exp(-values))


def _undo_into(code):
    """The first _into(f, a, b, fresh_first=...) call written back as f(a, b) / f(b, a)."""
    import ast

    class Undo(ast.NodeTransformer):
        done = False

        def visit_Call(self, node):
            if not self.done and isinstance(node.func, ast.Name) and node.func.id == "_into":
                self.done = True
                function, *args = node.args
                if any(k.arg == "fresh_first" for k in node.keywords):
                    args = list(reversed(args))
                return ast.Call(function, [self.visit(a) for a in args], [])
            return self.generic_visit(node)
    return ast.unparse(Undo().visit(ast.parse(code)))


def test_an_activation_named_like_a_builtin_or_a_helper():
    """A user activation named abs once called itself (the body printed the builtin abs);
    a name that would shadow the generated module's own names is refused."""
    mine = symact.define("abs", "Abs(x)")
    assert mine.numpy()(np.array([-2.0, 0.0, 3.0])).tolist() == [2.0, 0.0, 3.0]
    assert mine.numpy_derivative()(np.array([-2.0, 0.0, 3.0])).tolist() == [-1.0, 0.0, 1.0]
    with pytest.raises(symact.SymactError, match="not usable"):
        symact.define("numpy", "x").numpy()


@pytest.mark.parametrize("expr, derivative", [("x*erf(x)", True), ("LambertW(x**2)", False),
                                              ("x*floor(x)", True), ("x*floor(x)", False),
                                              ("erfc(x)", False)])
def test_user_definitions_with_special_functions_and_steps(expr, derivative):
    """SciPy's special functions have no long-double loops: the repair pass (NaN, the
    tails) raised TypeError for x*erf(x)'. SciPy's lambertw returns complex numbers,
    which the result's cast warned about; floor's derivative, which SymPy leaves
    unevaluated, failed to print. (erfc's reference value at 1e300 overflowed in
    mpmath; it is 1 - erf there.)"""
    _check_definition(expr, derivative)


def test_lambert_w_over_its_argument_has_the_limit_where_the_argument_is_0():
    """SymPy writes the derivative of W(x^2) as 2W/(x(1 + W)): 0/0 at 0 (it gave NaN there),
    0 where x^2 underflows (|x| < 1.5e-162: not 2x), and NaN at +-inf (SymPy finds no
    limit through W). As 2x e^-W/(1 + W) for x^2 < 1 it is 0 at 0, which 50-digit numeric
    differentiation of W(x^2) confirms, 2x for tiny x, and +-0 at +-inf; elsewhere the
    grid is within the bound (e^-W everywhere was 85 ULP off at -1e100). W(x^2) itself is
    inf at +-inf (NaN before): its limit comes from W(u) ~ log u - log log u, checked
    against 50-digit values far out."""
    act = symact.define("mine", "LambertW(x**2)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(act.numpy()(np.array([-np.inf, np.inf])), [np.inf] * 2)
    function = act.numpy_derivative()
    with mpmath.workdps(50):
        assert abs(mpmath.diff(lambda t: mpmath.lambertw(t * t), 0)) < mpmath.mpf(10)**-40
    tiny = np.array([-1e-300, -1e-200, 1e-200, 1e-300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert function(np.array([0.0]))[0] == 0.0
        np.testing.assert_array_equal(function(tiny), 2 * tiny)
        np.testing.assert_array_equal(function(np.array([-np.inf, np.inf])), [0.0, 0.0])
    result = measure(function, act.derivative(1), GRID[GRID != 0])
    assert not result["warnings"] and result["excess"] <= 0, (result["max_ulp"], result["at"])


@pytest.mark.parametrize("expr, derivative", [
    ("x/(1 + exp(-2*x))", True), ("x*log(1 + exp(x))", False), ("x*log(1 + exp(x))", True),
    ("(exp(x) - exp(-x))/(exp(x) + exp(-x))", False),
    ("(exp(x) - exp(-x))/(exp(x) + exp(-x))", True), ("log(exp(x) + exp(-x))", False),
    ("log(cosh(x))", False), ("x*(cosh(x) - 1)", False),
    ("log(2 + exp(x))", False), ("log(3 + exp(-x))", False), ("log(1/2 + exp(x))", False),
    ("x*log(2 + exp(x))", True), ("exp(x)/(exp(x) + 2)", True),
    ("2/(exp(x) + exp(-x))", True), ("x*exp(x)/(exp(2*x) + exp(x) + 1)", True)])
def test_user_definitions_spelled_with_exp_hold_to_the_far_tails(expr, derivative):
    """Written with e^x instead of sigmoid, softplus or tanh, these gave inf or NaN
    (inf/inf) where long double's exp overflows too, beyond the repair pass's reach:
    from x = 2840 on (the derivative of x/(1 + e^-2x), with (e^2x + 1)^2), 5679 (tanh
    written out, log(e^x + e^-x) as -x + log1p(e^2x)) or about 11357 (x log(1 + e^x),
    log cosh x). They are now rewritten through sigmoids, softplus and sinh^2, which do not
    overflow before the result does; x (cosh x - 1), now 2x sinh^2(x/2), checks that
    form. With c != 1 in log(c + e^u) and c + e^u below a fraction, or a denominator such
    as e^x + e^-x, they gave inf or NaN from x = 11357 (log(2 + e^x), e^x/(e^x + 2), the
    derivative of 2/(e^x + e^-x)), 11586 (log(3 + e^-x), which SymPy rewrote as
    -x + log1p(3 e^x)) or 3783 (x e^x/(e^2x + e^x + 1)'), as measured on f22bb63: now
    through softplus(u - log c), sigma(u - log c) and the fraction split at u = 0."""
    _check_definition(expr, derivative)


def test_exponentials_over_expm1_and_one_minus_cos_take_their_stable_forms():
    """e^(k u)/expm1(u)^m, 1 <= k <= m, as expm1(u)^(k-m) (-1/expm1(-u))^k, finite where
    e^u overflows (x e^x/(e^x - 1)^2 was inf/inf from 709.78 on); a larger k keeps its
    e^(k u). 1 - cos u as 2 sin^2(u/2): (1 - cos x)/x^2 was 5e5 ULP off
    at 37.7, beside the double root 12 pi of 1 - cos x."""
    from sympy.codegen.cfunctions import expm1
    from symact.stable import rewrite_stable
    e = sp.exp(x)
    assert rewrite_stable(x * e / (e - 1)**2) == -x / (expm1(x) * expm1(-x))
    assert rewrite_stable(e**2 / (e - 1)**3) == 1 / (expm1(x) * expm1(-x)**2)
    assert rewrite_stable(e**2 / (e - 1)) == e**2 / expm1(x)
    assert rewrite_stable((1 - sp.cos(3 * x)) / x**2) == 2 * sp.sin(3 * x / 2)**2 / x**2


def test_double_roots_of_one_plus_a_sine_or_cosine_become_squared_sines():
    """1 + sin u cancels to (u + pi/2)^2/2 beside its double roots: the derivative of
    Snake, x + sin(x)^2, is 1 + sin 2x, which was 1e5 ULP off at x = -32.2 (against an
    allowance of 9e4). A squared sine keeps the digits its argument has."""
    from symact.stable import rewrite_stable
    assert rewrite_stable(1 + sp.sin(2 * x)) == 2 * sp.sin(x + sp.pi / 4)**2
    assert rewrite_stable(1 - sp.sin(x)) == 2 * sp.sin(x / 2 - sp.pi / 4)**2
    assert rewrite_stable(2 + 2 * sp.cos(x)) == 4 * sp.cos(x / 2)**2
    assert rewrite_stable(1 + sp.sin(x)**2) == 1 + sp.sin(x)**2  # no root: as it is


def test_erfc_of_a_negated_argument_is_kept_as_written():
    """SymPy turns erfc(-u) into 2 - erfc(u) as soon as it is built, so GELU spelled
    x erfc(-x)/2 (or x (1 + erf(x))/2, which the rule for 1 + erf turned into it) was -0
    instead of -3e-266 at x = -24.7: the numeric code keeps erfc(-u) whole (Erfc), and
    the reference evaluates it so (2 - erfc(27) took 640 digits)."""
    from symact.reference import mp_function
    from symact.stable import Erfc, rewrite_stable
    assert sp.erfc(-x) == 2 - sp.erfc(x)
    assert rewrite_stable(x * sp.erfc(-x) / 2) == x * Erfc(-x) / 2
    assert rewrite_stable(x * (1 + sp.erf(x))) == x * Erfc(-x)
    assert rewrite_stable(3 - 3 * sp.erf(x)) == 3 * sp.erfc(x)
    source = symact.define("mine", "x*erfc(-x)/2").numpy().source
    assert "_erfc(-x)" in source or "_erfc(numpy.negative(x" in source, source
    with mpmath.workdps(50):
        value = mp_function(x * sp.erfc(-x) / 2)
        truth = -27 * mpmath.erfc(27) / 2
        assert abs(value(mpmath.mpf(-27)) - truth) < abs(truth) * mpmath.mpf(10)**-45


@pytest.mark.parametrize("expr, derivative", [
    ("x + sin(x)**2", True), ("x*erfc(-x)/2", False), ("x*erfc(-x)/2", True),
    ("x*(1 + erf(x/sqrt(2)))/2", False),
    ("x*erf(log(1 + exp(x)))", False), ("x*erf(log(1 + exp(x)))", True),
    ("(x*exp(x) - exp(x) + 1)/(x**2 + 1)", False),
    ("log((1 + exp(x))/(1 + exp(x - 1)))", False),
    ("log((1 + exp(x))/(1 + exp(x - 1)))", True),
    ("exp(x) - exp(x - 1/10**8)", False), ("x - log(1 + exp(x - 2))", False),
    ("x*sigmoid(x)*(1 + x*(1 - sigmoid(x)))", True), ("x*sigmoid(2*x)*tanh(x)", True),
    ("x*(sigmoid(x) - sigmoid(x - 1))", False), ("x*(sigmoid(x) - sigmoid(x - 1))", True),
    ("tanh(x) + x/10", True), ("(x + Abs(x))/2 + (x - Abs(x))/200", False),
    ("(x + Abs(x))/2 + (x - Abs(x))/200", True), ("log(2*cosh(x))", False),
    ("log(1 + exp(x))**2 - x**2", False), ("sqrt(log(1 + exp(x)))", True)])
def test_user_definitions_from_the_literature_hold_on_the_grid(expr, derivative):
    """Activations a user might define, each of which missed the bound on the grid:
    Snake's derivative 1 + sin 2x beside its double roots (1e5 ULP at -32.2); GELU
    through erfc(-x) or 1 + erf (-0 from x = -24.7 on); x erf(softplus x) where
    softplus x is subnormal (420 ULP at -745.13: erf's argument lost its bits in float64)
    and its derivative, whose e^x and 1/(1 + e^x) overflowed apart (inf at 1e10); a
    difference of e^x terms that overflows in long double too (NaN from 11357 on); soft
    clipping, log((1 + e^x)/(1 + e^(x - 1))), whose log sigma(1 - x) + softplus(x) was
    1.6 times the truth below -36 and 0 instead of 1 from 1e17 on; e^x - e^(x - 1e-8),
    which lost 8 digits (4e6 ULP); x - log(1 + e^(x - 2)), 0 instead of 2 from 1e17 on; and
    the derivative of x sigma(x)(1 + x(1 - sigma(x))), a polynomial in sigma whose x^2
    terms cancel as x -> oo (1.2e291 at 1e155 where it is 1), while the x (1 - tanh(x)^2)
    of the derivative of x sigma(2x) tanh(x) stays whole (0 at 1e20 when expanded); and
    x (sigma(x) - sigma(x - 1)), whose sigmoids both round to 1 (9e15 ULP at 59.4); and the
    derivative of tanh(x) + x/10, 11/10 - tanh(x)^2, 6.4 ULP off where tanh(x) = 1; and
    leaky ReLU through |x|, 101x/200 + 99|x|/200 to SymPy, whose hole was tiled across
    its kink (8.6e17 ULP at -1e-14); log(2 cosh x), inf far out (cosh overflowed in long
    double); softplus(x)^2 - x^2, whose squares cancel as x -> oo (9e15 ULP at 54.6); and
    the derivative of sqrt(softplus(x)), inf from -1e5 on, where softplus underflows in
    long double before sigma does (REACHED)."""
    _check_definition(expr, derivative)


def test_no_tile_where_the_function_has_a_root_or_ends_at_one():
    """A tile's polynomial, summed in float64, keeps an absolute error of about an ulp of
    the tile's largest value, so where the function vanishes in the tile or at its end
    it loses every relative digit: max(x, x/100) tiled on [-32, 0] gave -1.07e-14 at
    -1e-14 (the truth is -1e-16). Such a tile is refused; one away from the root is not."""
    from symact.patches import _tile
    from symact.reference import mp_function
    value = mp_function(101 * x / 200 + 99 * sp.Abs(x) / 200)
    assert _tile(value, -32.0, 0.0, 5) == ()
    assert _tile(value, -40.0, 24.0, 5) == ()
    row = _tile(value, -64.0, -32.0, 5)
    assert row and abs(row[0] + 0.48) < 1e-15 and abs(row[1] - 0.01) < 1e-15


def test_refined_probe_finds_a_stretch_between_its_inputs():
    """Where the value leaves the normal range between two probe inputs, the probe adds
    inputs between them: x e^-(e^-x)' loses bits on (-6.63, -6.56), between -6.625 and
    -6.5625, where e^-(e^-x) is subnormal and the result is not yet."""
    act = symact.define("mine", "x*exp(-exp(-x))")
    function = act.numpy_derivative()
    namespace = {}
    exec(function.source, namespace)
    holes = namespace["HOLES"]
    assert any(low < -6.6 < high and high - low < 0.2 for low, high in holes), holes
    stretch = np.linspace(-6.7, -6.5, 401)  # 633 ULP off at -6.6 before
    result = measure(function, act.derivative(1), stretch)
    assert not result["warnings"] and result["excess"] <= 0, (result["max_ulp"], result["at"])


def test_far_tails_where_long_double_fails_take_the_limit_once_reached():
    """(x e^x - e^x + 1)/(x^2 + 1) is inf - inf in long double from x = 11357 on (NaN);
    from the last probe input before that, mpmath shows the function's float64 value is
    its limit, inf, up to the largest float; a limit the values do not reach (1) is
    refused. silu's long-double formula never fails: it has no such point."""
    from symact.tails import reached_limits
    text = "(x*exp(x) - exp(x) + 1)/(x**2 + 1)"
    function = symact.define("mine", text).numpy()
    assert "REACHED = (float('-inf'), 10623.709631701071)" in function.source
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = function(np.array([11400.0, 1e5, 1e300, np.inf, -1e300, np.nan]))
    assert values[:4].tolist() == [np.inf] * 4 and values[4] == 0.0 and np.isnan(values[5])
    namespace = {}
    exec(function.source, namespace)
    expr, body, safe = symact.define("mine", text).expr, namespace["_mine_body"], namespace["SAFE"]
    assert reached_limits(expr, body, (0.0, np.inf), safe) == (-np.inf, 10623.709631701071)
    assert reached_limits(expr, body, (0.0, 1.0), safe) == (-np.inf, np.inf)
    assert "REACHED" not in compiled("silu", False)[0].source


def test_long_double_erf_keeps_arguments_below_the_float64_range():
    """The repair pass hands SciPy's functions float64 arguments: erf(1e-320 in long
    double) lost the argument's bits (erf(softplus(-745.13))); below 1e-150 it is
    2u/sqrt(pi) in long double."""
    from symact.numeric import special
    tiny = np.array([1e-320, -1e-400, 1e-4000, 0.0], dtype=np.longdouble)
    tiny[1], tiny[2] = -np.longdouble(10) ** -400, np.longdouble(10) ** -4000
    slope = 2 / np.sqrt(np.longdouble(np.pi))
    np.testing.assert_array_equal(special.erf(tiny), slope * tiny)
    assert special.erf(np.array([0.5])).dtype == np.float64


@pytest.mark.parametrize("expr, derivative, near_zero", [
    ("sin(x)/x", False, lambda t: 1.0), ("sin(x)/x", True, lambda t: -t / 3),
    ("x/(exp(x) - 1)", False, lambda t: 1.0), ("x/(exp(x) - 1)", True, lambda t: -0.5),
    ("(1 - cos(x))/x**2", False, lambda t: 0.5), ("(1 - cos(x))/x**2", True, lambda t: -t / 12)])
def test_user_definitions_with_a_removable_singularity_hold_on_the_grid(expr, derivative,
                                                                        near_zero):
    """Filled in at 0 by its limit (symact.user), each is within the bound on the grid;
    below 1e-20 it is its Taylor polynomial within an ULP. sin(x)/x' = (cos x - sin x/x)/x
    cancels to 0 for tiny x (it was 0 at 3e-19, not -1e-19): its root at the filled point
    gets a Taylor patch like any root. x/(e^x - 1)' was inf/inf from x = 709.78 on, and
    (1 - cos x)/x^2 5e5 ULP off beside 12 pi."""
    function = _check_definition(expr, derivative)
    tiny = np.array([-1e-20, -1e-200, -5e-324, 0.0, 5e-324, 1e-300, 1e-20])
    wanted = np.array([near_zero(t) for t in tiny])
    assert np.all(np.abs(function(tiny) - wanted) <= np.spacing(np.abs(wanted))), \
        function(tiny)


def test_log_of_a_sum_of_exponentials_and_log_cosh_take_their_stable_forms():
    """The forms themselves (the accuracy test above checks their values): softplus
    for the log1p(e^u) that SymPy's log1p_opt leaves, 2 sinh^2(u/2) for cosh u - 1, and
    for log cosh u the same plus |u| - 512 from 512 on (not an identity there: it drops
    log1p(e^-2|u|) < e^-1024), also under a positive factor."""
    from sympy.codegen.cfunctions import log1p
    from symact.heads import softplus
    from symact.stable import rewrite_stable
    assert rewrite_stable(sp.log(sp.exp(x) + sp.exp(-x))) == softplus(2 * x) - x
    assert rewrite_stable(sp.cosh(3 * x) - 1) == 2 * sp.sinh(3 * x / 2)**2
    clipped = sp.Min(sp.Abs(x), 512)
    assert rewrite_stable(sp.log(sp.cosh(x))) == \
        sp.Abs(x) - clipped + log1p(2 * sp.sinh(clipped / 2)**2)
    assert rewrite_stable(sp.log(2 * sp.cosh(x))) == \
        sp.log(2) + rewrite_stable(sp.log(sp.cosh(x)))
    from symact.heads import sigmoid
    assert rewrite_stable(sp.log(3 + sp.exp(-x))) == sp.log(3) + softplus(-x - sp.log(3))
    assert rewrite_stable(sp.log(1 + 2 * sp.exp(x))) == softplus(x + sp.log(2))
    assert rewrite_stable(sp.exp(x) / (sp.exp(x) + 2)) == sigmoid(x - sp.log(2))
    e = sp.exp(-x)
    assert rewrite_stable(sp.exp(x) / (sp.exp(2 * x) + 1)) == sp.Piecewise(
        (sp.exp(x) / (sp.exp(2 * x) + 1), x <= 0), (e / (e**2 + 1), True))


@pytest.mark.parametrize("derivative", [False, True], ids=["f", "df"])
def test_a_doubly_exponential_tail_compiles_and_takes_its_limits(derivative):
    """Gompertz's e^-(e^-x): the limits at +-oo were read off 60-digit values at
    -10^8, where mpmath reduces e^(10^8) to 10^8 bits: `symact codegen` had not
    finished after 120 s. Far-out values now have a budget; where mpmath cannot hold the
    truth or give it in seconds (x <= -10^10) the accuracy check leaves the point
    unjudged, and the values at +-10^300 are the limits."""
    function = _check_definition("exp(-exp(-x))", derivative)
    assert function(np.array([-1e300, 1e300])).tolist() == ([0.0, 0.0] if derivative
                                                            else [0.0, 1.0])


def _check_definition(expr, derivative):
    act = symact.define("mine", expr)
    function = act.numpy_derivative() if derivative else act.numpy()
    result = measure(function, act.derivative(1) if derivative else act.expr, GRID)
    assert all(abs(point) >= 1e10 for point in result["unjudged"]), result["unjudged"]
    assert not result["warnings"], result["warnings"]
    assert result["excess"] <= 0, (result["max_ulp"], result["at"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(function(np.array([np.nan, 1.0]))).tolist() == [True, False]
    return function


@pytest.mark.parametrize("name", ["sigmoid", "mish", "squareplus", "threshold", "relu6",
                                  "sparse_plus", "gelu", "leaky_relu"])
def test_blocked_evaluation_is_the_whole_array_evaluation(name):
    """Inputs longer than a block are evaluated block by block, each block's last operation
    writing into the result: the same bits as evaluating pieces of at most a block, with
    NaN, +-inf and repaired inputs (tails, holes) spread over several blocks, for a 2-D
    non-contiguous view too."""
    from symact.numeric import BLOCK
    rng = np.random.default_rng(7)
    size = 3 * BLOCK + 17
    values = rng.standard_normal(size) * 5
    special = rng.integers(0, size, 200)
    values[special] = rng.choice([np.nan, np.inf, -np.inf, -800.0, 1e300, -1e-310, 0.0, -1.0], 200)
    for derivative in (False, True):
        function, _ = compiled(name, derivative)
        whole = function(values)
        pieces = np.concatenate([function(values[i:i + BLOCK // 3]) for i in range(0, size, BLOCK // 3)])
        np.testing.assert_array_equal(whole.view(np.int64), pieces.view(np.int64))
        grid2 = np.stack([values, values[::-1]], axis=1)  # (size, 2): a column is a strided view
        column = function(grid2[:, 1])
        np.testing.assert_array_equal(column.view(np.int64), whole[::-1].view(np.int64))
        assert function(grid2).shape == grid2.shape


def test_where_keeps_the_chosen_bits():
    """_where, the branch-free select, is numpy.where bit for bit: NaN, -0.0, +-inf, the
    largest and smallest floats, scalars on either side, broadcasting, a given out."""
    from symact.numeric import _where
    rng = np.random.default_rng(3)
    specials = np.array([np.nan, -0.0, 0.0, np.inf, -np.inf, 5e-324, -1.7976931348623157e308])
    a = np.concatenate([rng.standard_normal(993), specials])
    b = np.concatenate([specials, rng.standard_normal(993) * 1e300])
    condition = rng.random(1000) < 0.5
    for first, second in [(a, b), (a, 20), (0, b), (-0.0, np.nan), (a[:1], b), (a, 0),
                          (a, 0.0), (a, -0.0), (b, np.inf), (0, a), (-0.0, b), (0.0, a[:1])]:
        wanted = np.where(condition, first, second)
        got = _where(condition, first, second)
        np.testing.assert_array_equal(got.view(np.int64), wanted.view(np.int64))
        out = np.empty(1000)
        assert _where(condition, first, second, out=out) is out
        np.testing.assert_array_equal(out.view(np.int64), wanted.view(np.int64))
    long_double = _where(condition, a.astype(np.longdouble), 1)  # other types: numpy.where
    assert long_double.dtype == np.longdouble
    assert _where(np.array(True), 1.0, 2.0) == 1.0  # 0-d: numpy.where


def _repaired_intervals(function):
    """The finite holes and patch intervals of a compiled function (tiles lie in holes)."""
    namespace = function.__globals__
    intervals = [h for h in namespace.get("HOLES", ()) if np.isfinite(h).all()]
    intervals += [(hi - radius, hi + radius) for hi, _, radius, _ in namespace.get("PATCHES", ())]
    return intervals


@pytest.mark.parametrize("name, derivative", [("tanhshrink", False), ("mish", True),
                                              ("gelu", True), ("sinc", True),
                                              ("squareplus", True), ("quick_gelu", True)])
def test_patches_and_tiles_meet_the_bound_densely(name, derivative):
    """Inside holes, where Taylor patches and tile polynomials replace the formula, 400
    random points per interval (the grid puts only a few there) are within the bound."""
    function, expr = compiled(name, derivative)
    intervals = _repaired_intervals(function)
    assert intervals
    rng = np.random.default_rng(11)
    points = np.concatenate([rng.uniform(low, high, 400) for low, high in intervals])
    result = measure(function, expr, points)
    assert result["excess"] <= 0, (result["max_ulp"], result["at"])


def test_tiles_replace_long_double_in_holes():
    """tanhshrink's hole around its root at 0 is covered by a Taylor patch at the root and
    by tile polynomials beyond it; each tile's polynomial matches at its own centre."""
    from symact.accuracy import Reference
    function, expr = compiled("tanhshrink", False)
    (start, step, columns, centres), = function.__globals__["TILES"]
    assert float(np.log2(step)).is_integer()  # tile centres are floats
    np.testing.assert_array_equal(centres, start + (np.arange(columns.shape[1]) + 0.5) * step)
    reference = Reference(expr)
    found = 0
    for k in range(columns.shape[1]):
        if np.isnan(columns[0, k]):
            continue  # inside the root patch
        found += 1
        truth, _ = reference.at(centres[k])
        assert abs(columns[0, k] - float(truth)) <= np.spacing(abs(float(truth)))
    assert found >= 10


def test_tile_lookup_is_the_same_for_inputs_inside_and_mixed():
    """Inputs that all lie inside the tile table skip the picking out; mixed with inputs
    outside it (NaN, a far value, a tile without a polynomial) they get the same bits,
    and only those outside stay pending."""
    from symact.numeric import _evaluate_tiles
    function, _ = compiled("mish", True)
    tiles = function.__globals__["TILES"]
    (start, step, columns, centres), = tiles
    inside = start + step * np.random.default_rng(5).random(500) * columns.shape[1]
    has_polynomial = ~np.isnan(columns[0, ((inside - start) / step).astype(np.intp)])
    inside = inside[has_polynomial]
    alone, pending = np.empty(inside.size), np.ones(inside.size, dtype=bool)
    _evaluate_tiles(inside, pending, alone, tiles, inside.min(), inside.max())
    assert not pending.any()
    without = centres[np.isnan(columns[0])][0]
    mixed = np.concatenate([inside, [np.nan, 1e300, without, -np.inf]])
    together, pending = np.empty(mixed.size), np.ones(mixed.size, dtype=bool)
    _evaluate_tiles(mixed, pending, together, tiles, np.nan, np.nan)
    np.testing.assert_array_equal(pending, np.arange(mixed.size) >= inside.size)
    np.testing.assert_array_equal(together[:inside.size].view(np.int64), alone.view(np.int64))
    end = start + columns.shape[1] * step  # just below it, x - start can round up to the end
    for outside in ([start - 1.0, end + 1.0], [np.nextafter(end, -np.inf), end]):
        values = np.concatenate([inside, outside])
        found, pending = np.empty(values.size), np.ones(values.size, dtype=bool)
        _evaluate_tiles(values, pending, found, tiles, values.min(), values.max())
        np.testing.assert_array_equal(found[:inside.size].view(np.int64), alone.view(np.int64))
        assert pending[-1]
    far = np.array([start - 1.0, end + 1.0])
    pending = np.ones(2, dtype=bool)
    _evaluate_tiles(far, pending, np.empty(2), tiles, far.min(), far.max())
    assert pending.all()


def test_formula_runs_only_outside_a_repair_covering_most_of_a_block():
    """sinc' takes |x| < 4.87 (its hole) from tiles and patches. Where most of a block lies
    there, the float formula is evaluated only on the other elements: the same bits as
    evaluating it on all of them and repairing, NaN and +-inf included."""
    from symact.numeric import BLOCK, _blocks, _repair
    function, _ = compiled("sinc", True)
    namespace = function.__globals__
    body = next(v for k, v in namespace.items() if k.endswith("_body"))
    repair = tuple(namespace[k] for k in ("SAFE", "HOLES", "PATCHES", "LIMITS", "TILES"))
    rng = np.random.default_rng(13)
    (low, high), = namespace["HOLES"]
    values = rng.uniform(1.15 * low, 1.15 * high, 3 * BLOCK + 17)
    values[rng.integers(0, values.size, 60)] = rng.choice([np.nan, np.inf, -np.inf, 0.0], 60)
    seen = []

    def counting(part, out=None):
        seen.append(part.size)
        return body(part, out)

    with np.errstate(all="ignore"):
        got = _blocks(values, counting, repair)
        wanted = _repair(body(values), values, body, *repair)
    np.testing.assert_array_equal(got.view(np.int64), wanted.view(np.int64))
    assert sum(seen) < values.size / 2  # long-double recomputes pass through body too
    np.testing.assert_array_equal(function(values).view(np.int64), wanted.view(np.int64))


def test_tiles_are_finest_where_typical_inputs_land_at_the_lowest_degree_that_fits():
    """The hole of mish' holds 14 % of typical inputs: up to MAX_TILES tiles from degree
    5; gelu_tanh's near -21 almost none: a quarter as many from degree 8. In tanhshrink's
    table, a tile of each degree used has the lowest listed degree whose interpolant
    passes the check."""
    from symact.accuracy import Reference
    from symact.patches import MAX_TILES, TILE_DEGREES, _tile, _tiling
    start, step, count, degrees = _tiling(-2.6527, 0.2678)
    assert MAX_TILES // 2 < count <= MAX_TILES and degrees == TILE_DEGREES
    assert start <= -2.6527 and start + count * step >= 0.2678
    start, step, count, degrees = _tiling(-21.5625, -21.125)
    assert count <= MAX_TILES // 4 and degrees == TILE_DEGREES[2:]
    function, expr = compiled("tanhshrink", False)
    (start, step, columns, centres), = function.__globals__["TILES"]
    value = Reference(expr).value
    fitted = {}
    for k in range(columns.shape[1]):
        if not np.isnan(columns[0, k]):
            degree = max(int(np.flatnonzero(columns[:, k]).max()), TILE_DEGREES[0])
            fitted.setdefault(degree, k)
    assert len(fitted) >= 2  # tiles of two degrees: the test below checks both
    for degree, k in fitted.items():
        a, b = start + k * step, start + (k + 1) * step
        assert _tile(value, a, b, degree) == tuple(columns[:degree + 1, k])
        lower = [d for d in TILE_DEGREES if d < degree]
        assert not lower or _tile(value, a, b, lower[-1]) == ()


def test_patch_is_as_narrow_as_the_misses():
    """The root patch is the lowest degree that reaches the farthest miss, no wider: every
    input inside it pays for the polynomial."""
    from symact.patches import RADII, _patch
    from symact.accuracy import Reference
    act = symact.get("gelu")
    value = Reference(act.derivative(1).xreplace(act.params)).value
    root = mpmath.findroot(lambda t: value(t), -0.75)
    hi, lo, radius, coefficients = _patch(value, root, 0.01)
    assert radius == min(r for r in RADII if r >= 0.01) and len(coefficients) == 9
    assert _patch(value, root, 0.9)[2] >= 0.9


@pytest.mark.parametrize("expr", [
    "sigmoid(x)*sigmoid(-x)", "4*sigmoid(2*x)*sigmoid(-2*x)", "x*sigmoid(3*x)*sigmoid(-3*x)",
    "tanh(softplus(x))", "x*tanh(softplus(x))", "1 - tanh(softplus(x))**2",
    "x*sigmoid(x)*(1 - tanh(softplus(x))**2) + tanh(softplus(x))",
    "x*log(1 + exp(x))", "(2*x + exp(2*x) + 1)*exp(2*x)/(exp(2*x) + 1)**2",
    "(exp(x) - exp(-x))/(exp(x) + exp(-x))", "1 - (exp(x) - exp(-x))**2/(exp(x) + exp(-x))**2",
    "sigmoid(3*x) - sigmoid(-3*x)", "2*sigmoid(x) - 1", "(1 - exp(x))*exp(x)/(exp(x) + 1)**3",
    "x*(cosh(x) - 1)", "log(2 + exp(x))", "log(3 + 5*exp(-2*x))", "exp(x)/(exp(x) + 2)",
    "exp(x)*(exp(x) - 1)/(exp(x) + 1/3)**2",
    "x*exp(x)/(exp(x) - 1)**2", "exp(2*x)/(exp(x) - 1)**3 + 1/(exp(-x) - 1)",
    "(1 - cos(3*x))/x**2", "1 + sin(2*x)", "1 - sin(x/3)", "3 - 3*sin(x)", "1 + cos(x)",
    "x*(1 + erf(x))", "x*erfc(-x)/2", "1 - erfc(x)/2",
    "log((1 + exp(x))/(1 + exp(x - 1)))", "log(3*sigmoid(2*x))",
    "softplus(x/2) - softplus(x/2 - 3)", "3*exp(x/2) - 3*exp(x/2 - 1/1000)",
    "x - log(1 + exp(x - 2))",
    "(2*x**2*sigmoid(x)**2 - 3*x**2*sigmoid(x) + x**2 - 3*x*sigmoid(x) + 3*x + 1)*sigmoid(x)",
    "x*(sigmoid(x) - sigmoid(x - 1))", "2*sigmoid(x/2 - 1) - 2*sigmoid(x/2 + 3)",
    "11/10 - tanh(x)**2", "erf(x) + 3/2",
    "(x + Abs(x))/2 + (x - Abs(x))/200", "99*sign(x)/200 + 101/200",
    "softplus(x)**2 - x**2",
])
def test_stable_rewrites_are_identities(expr):
    """Each rewrite (sigma(u) sigma(-u) = 1/(2 + 2 cosh u), tanh(softplus v) = 1/(1 + 2/n),
    sech^2(softplus v) = 4/(n + 2) (1 - 1/(n + 2)) with n = e^v (e^v + 2), softplus(u) -
    softplus(u - c) = clip(u, 0, c) + softplus(-|u|) - softplus(-|u - c|), u - softplus(u -
    c) = min(u, c) - softplus(-|u - c|), e^u - e^(u - c) = -e^u expm1(-c), sigma(u) -
    sigma(u - c) = -sigma(u) sigma(c - u) expm1(-c), c + k F(u) = (c - k) + k (1 + F(u)) for
    k < c < 2k, a piecewise-linear sum with |u| as its cases, a^2 - b^2 = (a - b)(a + b), a
    polynomial in sigma factored per power of x) gives the same function: proved by SymPy
    on the exponential forms, on each interval between the kinks of |.|, max and min
    (where e^d = 1 is what it proves of a difference d of logs), and then at 50 digits."""
    from symact.heads import to_elementary
    from symact.realanalysis import split
    from symact.stable import rewrite_stable
    original = sp.sympify(expr, locals={"sigmoid": symact.heads.sigmoid,
                                        "softplus": symact.heads.softplus, "x": x})
    rewritten = rewrite_stable(original)
    assert rewritten != original
    difference = to_elementary(rewritten - original).doit().rewrite(sp.erf).rewrite(sp.exp)
    pieces, _ = split(difference)
    for piece in pieces:
        assert sp.simplify(piece.expr) == 0 or sp.simplify(sp.exp(piece.expr)) == 1, piece
    for point in ("-3.7", "0.25", "12"):
        with mpmath.workdps(50):
            value = complex(difference.subs(x, sp.Rational(point)).evalf(50))
        assert abs(value) < 1e-45


def test_piecewise_constants_with_several_values_are_steps():
    """srelu' (1/10, 1, 1/2) and apl' (-1/2, 1/2, 1) are running sums of steps whose
    partial sums are the values exactly, also after cse (which names the comparisons);
    a box (hard_tanh' = [|x| < 1]) stays one mask."""
    srelu, _ = compiled("srelu", True)
    assert "_steps(x, 0.1, ((-1.0, False, 0.9), (1.0, True, -0.5))" in srelu.source
    points = np.array([-np.inf, -2.0, -1.0, np.nextafter(-1.0, 0), 0.0, 1.0, 3.0, np.inf, np.nan])
    values = srelu(points)
    assert values[:8].tolist() == [0.1, 0.1, 0.1, 1.0, 1.0, 0.5, 0.5, 0.5] and np.isnan(values[8])
    apl, _ = compiled("apl", True)
    assert apl(np.array([-1.0, 0.0, 0.5, 1.0, 2.0])).tolist() == [-0.5, -0.5, 0.5, 1.0, 1.0]
    box, _ = compiled("hard_tanh", True)
    assert "_steps(" not in box.source


def test_powers_in_denominators_keep_their_parentheses():
    """1/(1 + x^2)^3 once printed as 1/numpy.square(u) * (u), that is 1/u: cubes are
    parenthesised whole, in a denominator too (arctan''' = (6x^2 - 2)/(1 + x^2)^3)."""
    from symact.numeric import compile_function
    assert compile_function(1 / (1 + x**2)**3, "cube")(np.array([0.5, 2.0])).tolist() == [
        0.512, 0.008]
    third = symact.get("arctan").numpy_derivative(3)(np.array([-2.5, 0.3]))
    with mpmath.workdps(30):
        truth = [float(mpmath.diff(mpmath.atan, t, 3)) for t in (-2.5, 0.3)]
    np.testing.assert_allclose(third, truth, rtol=1e-14)


def test_repair_writes_into_fortran_and_transposed_results():
    """Small inputs in Fortran order or transposed keep their repaired elements (NaN,
    +-inf, the tails, the hole around tanhshrink's root): the repair wrote into a copy."""
    values = np.array([[-np.inf, 1e-3], [np.inf, -720.0]])
    for name in ("silu", "mish", "gelu_tanh", "tanhshrink"):
        function, _ = compiled(name, False)
        wanted = function(np.ascontiguousarray(values))
        np.testing.assert_array_equal(function(values.T).T, wanted)
        np.testing.assert_array_equal(function(np.asfortranarray(values)), wanted)


@pytest.mark.parametrize("name, width", [("gelu", 0.4), ("gelu_tanh", 0.4), ("quick_gelu", 0.4),
                                         ("mish", 2.0)])
def test_derivatives_meet_the_bound_all_around_their_roots(name, width):
    """Near a root of f' the float formula misses sporadically well beyond the inputs a
    sparse probe sees: 3000 random inputs within `width` of the root, and the ends of the
    root's hole, are within the bound (a patch no wider than the misses once left
    gelu'(-0.7507851023878) at 1945 ULP against 1333 allowed)."""
    function, expr = compiled(name, True)
    (root, *_), = function.__globals__["PATCHES"]
    rng = np.random.default_rng(5)
    ends = [v for hole in function.__globals__["HOLES"] for v in hole if abs(v - root) < width]
    points = np.concatenate([root + rng.uniform(-width, width, 3000), ends, [-0.7507851023878]])
    result = measure(function, expr, points)
    assert result["excess"] <= 0, (result["max_ulp"], result["at"])


@pytest.mark.parametrize("name, params", [("silu", ()), ("swish", (("beta", 1.5),))])
def test_a_fraction_of_exponentials_runs_as_that_fraction_with_a_patch_at_its_root(name, params):
    """silu' = sigma (1 + x sigma(-x)) cancels between its terms on about (-2.8, -0.9); as
    ((1 + x) E + 1)/(E^2 + 2E + 1), E = e^-(beta x), it needs only the Taylor patch at its
    root (one exp, no sigmoid pair, no tiles). With NumPy's AVX-512 exp the stable form
    misses the bound near the root; without it (X86-64-v3) the stable form stays within
    it, but up to 1180 ULP off near the root, where the conditioning allows that: either way
    the fraction runs. Within 3 of the root, 20,000 random inputs, and the tails beyond
    the float64 fraction's overflow, where the repair takes the split form in long
    double, are within the bound; within 1.5 of the root silu' stays under 4 ULP (346
    without the patch, 4.7 with one that reaches only 1/16)."""
    from symact.patches import loose_at_roots
    function, expr = compiled(name, True, params)
    namespace = function.__globals__
    assert "_split_body" in function.source and not namespace["TILES"]
    (root, _, radius, _), = namespace["PATCHES"]
    assert namespace["HOLES"] == ((root - radius, root + radius),)
    beta = dict(params).get("beta", 1)
    assert abs(root + 1.2784645427610737 / beta) < 1e-15
    assert loose_at_roots(expr, _stable_body(expr))
    rng = np.random.default_rng(3)
    far = [-331.99, -332.0, -400.0, -6000.0, -1e4, -1e300, 400.0, 750.0, 1e300, -745.0]
    points = np.concatenate([root + rng.uniform(-3, 3, 20000), far])
    result = measure(function, expr, points)
    assert not result["warnings"] and not result["unjudged"]
    assert result["excess"] <= 0, (result["max_ulp"], result["at"])
    if beta == 1:
        near = measure(function, expr, root + rng.uniform(-1.5, 1.5, 4000))
        assert near["max_ulp"] < 4, near


def _stable_body(expr):
    """The compiled float64 body of expr's stable form, as _build plans it first."""
    from symact import numeric
    limits = numeric.limits_at_infinity(expr)
    return numeric._plan(expr, numeric.rewrite_stable(expr), "_f_body", limits)[1]


@pytest.mark.parametrize("name", ["tanh", "silu"])
def test_a_formula_that_does_not_cancel_at_its_root_is_not_loose_there(name):
    """tanh and silu = x sigma(x) vanish at 0 without cancelling: their stable forms stay
    within 4 ULP all around the root, so their fractions of e^x are not tried."""
    from symact.patches import loose_at_roots
    function, expr = compiled(name, False)
    assert not loose_at_roots(expr, _stable_body(expr))
    assert "_split_body" not in function.source


def test_a_fraction_whose_sums_of_rounded_terms_come_near_the_bound_keeps_its_stable_form():
    """mish' is one fraction of e^x of degree 4. Its coefficients 4x + 6 and 4x + 4 round as
    one term each (exact near the root, by Sterbenz), and its fraction then needs tiles on
    less of the typical inputs than its stable form, for a body of fewer passes; but the
    fraction adds rounded terms of one size, and 2^20 scattered inputs find it within the
    probe's margin of the bound outside its holes (at 0.5496 it misses the bound itself,
    4.73 ULP against 4.48 allowed), so mish' keeps its stable form. silu''s fraction has
    no such input."""
    from symact import numeric
    from symact.exp_fraction import FRACTION_PROBE, fraction_forms
    from symact.probe import scattered_misses
    plans = {}
    for name in ("mish", "silu"):
        expr = symact.get(name).derivative()
        limits = numeric.limits_at_infinity(expr)
        forms = fraction_forms(expr)
        plans[name] = [numeric._plan(expr, form, "_f_body", limits)
                       for form in (numeric.rewrite_stable(expr), forms)]
        if name == "mish":
            held = forms[0].atoms(sp.UnevaluatedExpr)
            assert held == {sp.UnevaluatedExpr(4 * x + 6), sp.UnevaluatedExpr(4 * x + 4)}
    stable, fraction = plans["mish"]
    assert numeric._no_worse(fraction, stable, "_f_body")
    assert max(high for _, high in fraction[4][1]) < 0.25  # around the root only
    assert scattered_misses(fraction[1], fraction[4][1], FRACTION_PROBE) > 0
    fraction = plans["silu"][1]
    assert scattered_misses(fraction[1], fraction[4][1], FRACTION_PROBE) == 0
    mish_code = symact.get("mish").numpy_derivative().source
    assert "_split_body" not in mish_code and "_sigmoid(x)" in mish_code


def test_plans_are_compared_by_passes_and_by_the_share_their_tiles_take():
    """A helper call counts as the passes it takes (_sigmoid: 11 adds), not as one; a plan
    is no worse than another when neither count is larger, and inputs in a patch's
    interval count as the patch's, not as tiled."""
    from symact.numeric import HELPER_PASSES, _no_worse, _passes
    from symact.probe import typical_share
    body = "def f(x, out=None):\n    return _sigmoid(x) + numpy.exp(x)\n"
    assert _passes(body, "f") == HELPER_PASSES["_sigmoid"] + 2
    cheap = "def f(x, out=None):\n    return numpy.exp(x) + 1\n"

    def plan(source, holes, covered=()):
        return source, None, (), list(covered), ((-1e308, 1e308), tuple(holes))

    assert _no_worse(plan(cheap, [(-1, 0)]), plan(body, [(-2, 0)]), "f")
    assert not _no_worse(plan(cheap, [(-2, 0)]), plan(body, [(-1, 0)]), "f")
    assert not _no_worse(plan(body, [(-1, 0)]), plan(cheap, [(-2, 0)]), "f")
    # a wider hole that is mostly a patch's interval tiles less
    assert _no_worse(plan(cheap, [(-2, 0)], [(-2, -0.5)]), plan(body, [(-1, 0)]), "f")
    assert typical_share(-2, 0) - typical_share(-2, -0.5) < typical_share(-1, 0)


def test_misses_far_below_a_root_are_found_and_covered_on_that_side():
    """gelu' misses the float formula's bound down to -1.56, below its root at -0.75
    (gelu_tanh' down to -1.63), where 1500 random inputs around the root found no miss; the
    dense search finds them, and the root's hole reaches past them below the root and
    less far above it, where nothing is missed beyond the root's neighbourhood."""
    for name, point in (("gelu", -1.5617741658553457), ("gelu_tanh", -1.6253082623265296)):
        function, expr = compiled(name, True)
        assert measure(function, expr, np.array([point]))["excess"] <= 0
        (root, *_), = function.__globals__["PATCHES"]
        low, high = next(h for h in function.__globals__["HOLES"] if h[0] < root < h[1])
        assert low < point and high - root < root - point


def test_a_near_miss_by_long_double_between_the_dense_inputs_is_covered():
    """The float formula of quick_gelu' is 7 % past the bound at -0.8106, where long double,
    which keeps the rounding of 1.702, puts it at 97 %, and no dense input of the root's
    search was a miss: inputs within NEAR_MISS of the bound by long double count as misses,
    and the root's hole reaches past this one."""
    function, expr = compiled("quick_gelu", True)
    point = -0.810612665055841
    assert measure(function, expr, np.array([point]))["excess"] <= 0
    assert any(low < point < high for low, high in function.__globals__["HOLES"])


def test_steps_add_in_the_order_they_were_checked():
    """A step function whose partial sums were checked as ((1/3 + 2/3) - 1) must add them
    in that order (2/3 - 1 + 1/3 is -5.6e-17), and in float64 also when the repair pass
    evaluates it in long double."""
    from symact.numeric import compile_function
    f = compile_function(sp.Piecewise((sp.Rational(1, 3), x < 0), (1, x < 1), (0, True)), "s1")
    assert f(np.array([-1.0, 0.5, 2.0, np.inf])).tolist() == [1 / 3, 1.0, 0.0, 0.0]
    g = compile_function(sp.Piecewise((-1, x < 0), (0, x < 1), (sp.Rational(1, 3), True)), "s2")
    assert g(np.array([-1.0, 0.5, 2.0])).tolist() == [-1.0, 0.0, 1 / 3]
