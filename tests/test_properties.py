"""Activation.properties() against two references that do not share its derivation:
LITERATURE (hand-checked, exact where the value is exact) and estimate() (numerical,
mpmath at 30 digits); both live in tests/property_reference.py.

Every case x field is its own test, so a run lists each disagreement by name.
"""
import functools
import json

import mpmath
import pytest
import sympy as sp

import symact
from symact import heads

import property_reference as ref

if not hasattr(symact.get("relu"), "properties"):
    pytest.skip("Activation.properties() is not implemented yet", allow_module_level=True)

CASES = {ref.case_id(name, params): (name, params) for name, params in ref.CASES}
MONOTONIC = {"increasing", "non-decreasing", "decreasing", "non-increasing", "no"}
EXACT_FIELDS = ("value_at_zero", "derivative_at_zero")
LITERATURE_REL = 1e-12   # a decimal from the product against an exact or 25-digit value
ESTIMATE_REL = 1e-9      # against the 30-digit numerical estimate


@functools.lru_cache(maxsize=None)
def product(case):
    name, params = CASES[case]
    return symact.get(name).properties(**params)


def estimated(case):
    name, params = CASES[case]
    return ref.estimate(name, **params)


def _as_actual(field, norm):
    """Every location the product lists must be one the reference accepts."""
    if field in ("max_derivative", "minimum", "maximum") and norm is not None:
        return {"value": norm["value"], "at_list": norm["at_all"]}
    return norm


def _has_float(s):
    return ref.parse_value(s).has(sp.Float)


# ---- shape --------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_shape_and_json(case):
    props = product(case)
    json.dumps(props)
    for field in ref.FIELDS + ("derivative_in_output", "cost"):
        assert field in props, field
    for field in EXACT_FIELDS:
        ref.parse_value(props[field])
    rng = props["range"]
    ref.parse_value(rng["lower"]), ref.parse_value(rng["upper"])
    assert all(isinstance(rng[k], bool) for k in ("lower_closed", "upper_closed", "exact"))
    assert props["monotonic"] in MONOTONIC
    assert props["continuity"] == "inf" or isinstance(props["continuity"], int)
    for field in ("derivative_monotonic", "approximates_identity", "zero_centered",
                  "bounded_below", "bounded_above"):
        assert isinstance(props[field], bool), field
    assert set(props["saturates"]) == {"left", "right"}


@pytest.mark.parametrize("case", CASES)
def test_range_exact_flag_means_no_decimals(case):
    # "exact" read as: the bounds are closed forms, not decimals from a root finder
    rng = product(case)["range"]
    if rng["exact"]:
        assert not _has_float(rng["lower"]) and not _has_float(rng["upper"]), rng


# ---- against the literature table ---------------------------------------------------
@pytest.mark.parametrize("field", ref.FIELDS)
@pytest.mark.parametrize("case", CASES)
def test_matches_literature(case, field):
    lit = ref.LITERATURE[case]
    if field not in lit:
        pytest.skip(f"LITERATURE leaves {field} of {case} to the estimator")
    props = product(case)
    expected = ref.normalise({field: lit[field]})[field]
    actual = _as_actual(field, ref.normalise({field: props[field]})[field])
    bad = ref.compare(field, expected, actual, LITERATURE_REL)
    assert not bad, f"{case} {field}: literature vs product: {bad}; product says {props[field]!r}"


@pytest.mark.parametrize("case", CASES)
def test_exact_values_are_exact(case):
    """Where the literature value is exact and the product gives a closed form, the two
    must be the same number, not merely within 1e-12."""
    lit, props = ref.LITERATURE[case], product(case)
    pairs = [(f, lit[f], props[f]) for f in EXACT_FIELDS]
    pairs += [(f"range.{k}", lit["range"][k], props["range"][k]) for k in ("lower", "upper")]
    for f in ("max_derivative", "minimum", "maximum"):
        if lit.get(f) and props.get(f):
            pairs.append((f"{f}.value", lit[f]["value"], props[f]["value"]))
    if len(lit["kinks"]) == len(props["kinks"]):
        pairs += [("kinks", a, b) for a, b in zip(lit["kinks"], sorted(
            props["kinks"], key=lambda s: float(ref.parse_value(s))))]
    bad = [f"{f}: {b!r} != {a!r}" for f, a, b in pairs
           if not _has_float(a) and not _has_float(b) and not ref.same_number(a, b)]
    assert not bad, f"{case}: {bad}"


# ---- against the numerical estimate -------------------------------------------------
@pytest.mark.parametrize("field", ref.FIELDS)
@pytest.mark.parametrize("case", CASES)
def test_matches_estimate(case, field):
    props = product(case)
    est = estimated(case)
    expected = est[field]
    if field in ("max_derivative", "minimum", "maximum") and expected is not None:
        expected = {"value": expected["value"], "at_all": expected["at_all"]}
    actual = _as_actual(field, ref.normalise({field: props[field]})[field])
    bad = ref.compare(field, expected, actual, ESTIMATE_REL)
    assert not bad, f"{case} {field}: estimate vs product: {bad}; product says {props[field]!r}"


# ---- derivative in terms of the output ----------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_derivative_in_output(case):
    """A form h(y) must satisfy h(f(x)) = f'(x); a non-monotonic f has two inputs with
    the same output and different slopes, so there it must be None."""
    name, params = CASES[case]
    props, est = product(case), estimated(case)
    form = props["derivative_in_output"]
    if form is None:
        return
    assert est["monotonic"] != "no", f"{case}: f is not monotonic, yet h(y) = {form}"
    h = sp.lambdify(symact.y, heads.to_elementary(ref.parse_value(form)), "mpmath")
    f = ref.numeric_function(name, **params)
    with mpmath.workdps(30):
        for i in range(-40, 41):
            t = mpmath.mpf(i) * 3 / 20 + mpmath.mpf(1) / 97
            if any(abs(t - k) < 1e-3 for k in est["kinks"]):
                continue
            want = mpmath.diff(f, t)
            got = h(f(t))
            assert abs(got - want) <= 1e-9 * max(1, abs(want)), (case, float(t), got, want)


# ---- the range as a set ---------------------------------------------------------------
def _inside(value, part):
    low, high = float(ref.parse_value(part["lower"])), float(ref.parse_value(part["upper"]))
    above = value > low or (part["lower_closed"] and value == low)
    below = value < high or (part["upper_closed"] and value == high)
    return above and below


@pytest.mark.parametrize("case", CASES)
def test_range_parts_hold_every_value_and_leave_gaps_empty(case):
    """Every value f takes on a dense 30-digit sample lies in one part of the range, and
    every part is reached (a gap between parts, hardshrink's (-1/2, 0), holds none)."""
    name, params = CASES[case]
    parts = product(case)["range"]["parts"]
    f = ref.numeric_function(name, **params)
    with mpmath.workdps(30):
        values = [float(f(mpmath.mpf(i) / 64)) for i in range(-64 * 12, 64 * 12 + 1)]
    for value in values:
        near = [p for p in parts if _inside(value, p)
                or min(abs(value - float(ref.parse_value(p[k]))) for k in ("lower", "upper")
                       if ref.parse_value(p[k]).is_finite) < 1e-9]
        assert near, f"{case}: f takes {value}, outside {parts}"
    for part in parts:
        assert any(_inside(v, part) for v in values), f"{case}: no sampled value in {part}"


@pytest.mark.parametrize("name, parts", [
    ("hardshrink", [("-oo", "-1/2", False, False), ("0", "0", True, True), ("1/2", "oo", False, False)]),
    ("binary_step", [("0", "0", True, True), ("1", "1", True, True)]),
    ("relu", [("0", "oo", True, False)]),
])
def test_range_with_jumps_is_a_union(name, parts):
    got = symact.get(name).properties()["range"]["parts"]
    assert [(p["lower"], p["upper"], p["lower_closed"], p["upper_closed"]) for p in got] == parts


# ---- wording of suprema, cost ----------------------------------------------------------
def test_a_supremum_only_approached_is_not_called_attained():
    hard_swish = symact.get("hard_swish").properties()["max_derivative"]
    assert (hard_swish["value"], hard_swish["attained"], hard_swish["approached"]) == ("3/2", False, ["3"])
    tanhshrink = symact.get("tanhshrink").properties()["max_derivative"]
    assert (tanhshrink["attained"], tanhshrink["approached"]) == (False, ["-oo", "oo"])
    sigmoid = symact.get("sigmoid").properties()["max_derivative"]
    assert (sigmoid["value"], sigmoid["at"], sigmoid["attained"]) == ("1/4", "0", True)


@pytest.mark.parametrize("name, expected", [
    ("arctan", {"atan": 1}), ("leaky_relu", {}), ("isru", {"sqrt": 1, "division": 1}),
    ("sinusoid", {"sin": 1}), ("sinc", {"sin": 1, "division": 1}), ("gelu", {"erf": 1}),
    ("softplus", {"exp": 1, "log": 1}), ("mish", {"exp": 1, "division": 2}),
])
def test_cost_counts_what_the_code_evaluates(name, expected):
    # a constant factor (leaky_relu's 1/100) is a multiplication, not a division
    assert symact.get(name).properties()["cost"] == expected


def test_cost_leaves_out_constants_the_code_folds():
    """e^x/(e^x + 2) runs as sigma(x - log 2): log 2 is a float in the code, not a call."""
    assert symact.define("shifted", "exp(x)/(exp(x) + 2)").properties()["cost"] == \
        {"exp": 1, "division": 1}
