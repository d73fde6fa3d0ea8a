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
