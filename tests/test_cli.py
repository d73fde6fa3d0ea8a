"""The command line: outputs, JSON keys, and one-line errors with exit status 2."""
import io
import json
import subprocess
import sys

import pytest

from symact.cli import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    real_err, sys.stderr = sys.stderr, err
    try:
        status = main(list(argv), out=out)
    finally:
        sys.stderr = real_err
    return status, out.getvalue(), err.getvalue()


def test_list_shows_every_activation_with_a_description():
    status, out, _ = run("list")
    assert status == 0
    import symact
    lines = out.strip().splitlines()
    assert [line.split()[0] for line in lines] == symact.names()
    assert all(len(line.split(None, 1)) == 2 for line in lines)


def test_list_json():
    status, out, _ = run("list", "--format", "json")
    rows = json.loads(out)
    assert {"name", "aliases", "vector", "summary"} <= set(rows[0])


def test_show_sigmoid_text():
    status, out, _ = run("show", "sigmoid")
    assert status == 0
    assert "f' in terms of y = f(x): y*(1 - y)" in out
    assert "(1 - sigmoid(x))*sigmoid(x)" in out


def test_show_json_keys_and_parameter_override():
    status, out, _ = run("show", "elu", "--param", "alpha=0.5", "--format", "json")
    record = json.loads(out)
    assert status == 0
    assert {"name", "aliases", "params", "expr", "latex", "derivative", "derivative_latex",
            "derivative_in_output", "source"} <= set(record)
    assert record["params"] == {"alpha": "0.5"}
    assert record["derivative_in_output"] == "Piecewise((1, y > 0), (y + 1/2, True))"


def test_show_json_null_output_form_with_reason():
    record = json.loads(run("show", "silu", "--format", "json")[1])
    assert record["derivative_in_output"] is None
    assert "not a function of the output" in record["derivative_in_output_reason"]


def test_show_latex():
    status, out, _ = run("show", "relu", "--format", "latex")
    assert out.startswith(r"\operatorname{ReLU}\left(x\right) = \begin{cases}")


def test_show_vector_activation():
    status, out, _ = run("show", "softmax", "--format", "json")
    assert status == 0 and json.loads(out)["derivative_in_output"] is None


def test_derive_orders_and_formats():
    assert run("derive", "tanh")[1].strip() == "1 - tanh(x)**2"
    assert run("derive", "sigmoid", "--order", "0")[1].strip() == "sigmoid(x)"
    status, out, _ = run("derive", "gelu_tanh", "--format", "latex")
    assert "0.044715" in out and "200000" not in out
    record = json.loads(run("derive", "elu", "--order", "2", "--format", "json")[1])
    assert record["order"] == 2


def test_codegen_prints_runnable_source():
    status, out, _ = run("codegen", "elu", "--derivative")
    assert status == 0
    namespace = {}
    exec(out, namespace)  # noqa: S102  (our own generated code)
    assert namespace["elu_derivative"](-0.0) == 1.0  # alpha * e^0 at the kink
    assert namespace["elu_derivative"](float("-inf")) == 0.0


def test_accuracy_reports_the_worst_error_and_exit_0_within_the_bound():
    status, out, _ = run("accuracy", "elu", "--param", "alpha=2", "--derivative",
                         "--format", "json")
    record = json.loads(out)
    assert status == 0 and record["within_bound"] is True
    assert record["function"] == "Piecewise((1, x > 0), (2*exp(x), True))"
    assert 0 <= record["max_ulp"] <= record["bound_there"] and record["excess"] <= 0
    assert record["at_nan_and_infinities"] == ["nan", "0", "1"] and not record["warnings"]


def test_accuracy_exits_1_where_the_code_misses_the_bound():
    """log(x^2 + 1) - 2 log(|x| + 1) is log((x^2 + 1)/(|x| + 1)^2) -> -2/|x| far out, where
    the two logs cancel in long double as in float64, so the probe cannot see it: the
    command reports the point, and the code's value there is far from mpmath's."""
    import mpmath
    import symact
    text = "log(x**2 + 1) - 2*log(Abs(x) + 1)"
    status, out, _ = run("accuracy", text)
    assert status == 1 and out.rstrip().endswith("MISSES the bound"), out
    status, out, _ = run("accuracy", text, "--format", "json")
    record = json.loads(out)
    assert status == 1 and record["excess"] > 0 and not record["within_bound"]
    point = record["max_at"]
    value = float(symact.define("f", text).numpy()(point))
    with mpmath.workdps(800):  # the logs cancel to the last of 2 log10|x| + 17 digits
        p = mpmath.mpf(point)
        truth = mpmath.log(p**2 + 1) - 2 * mpmath.log(abs(p) + 1)
        assert abs(value - truth) > 1e6 * abs(truth) * 2.0**-52


@pytest.mark.parametrize("argv, message", [
    (["accuracy", "softmax"], "vector activation"),
    (["accuracy", "sigmoid", "--timeout", "0"], "--timeout takes seconds"),
    (["accuracy", "sigmoid", "--timeout", "0.01"], "gave up after 0.01 s"),
    (["show", "relux"], "did you mean relu"),
    (["show", "elu", "--param", "beta=2"], "no parameter 'beta'"),
    (["show", "elu", "--param", "alpha=__import__('os').system('echo hi')"], "not a number"),
    (["show", "elu", "--param", "alpha"], "NAME=VALUE"),
    (["show", "elu", "--param", "alpha=1e999999"], "not a number"),
    (["derive", "sigmoid", "--order", "99"], "between 0 and"),
    (["derive", "sigmoid", "--order", "two"], "invalid int"),
    (["derive", "glu", "--size", "3"], "even"),
    (["derive", "softmax", "--size", "100000"], "too large"),
    (["codegen", "maxout"], "weights"),
    (["codegen", "softmax", "--derivative"], "vector-valued"),
    (["frobnicate"], "invalid choice"),
    (["show"], "required"),
    (["show", "x" * 10000], "unknown activation"),
    (["show", "sigmoid", "--format", "yaml"], "invalid choice"),
    ([], "required"),
    # the properties and gradient gain work piece by piece; floor jumps at every integer
    (["analyze", "x*floor(x)"], "floor and ceiling jump"),
    (["gradient-gain", "x*floor(x)"], "floor and ceiling jump"),
    # mpmath's tanh(e^t) for the large t of an integral over the reals: MemoryError
    (["gradient-gain", "x*tanh(exp(x))"], "ran out of memory"),
    # sign changes at every multiple of pi (tracebacks before: NotSplittable, DiracDelta)
    (["analyze", "Abs(sin(x))"], "sin(x) changes sign at infinitely many points"),
    (["analyze", "x*Heaviside(sin(x))"], "does not hold on finitely many intervals"),
    (["analyze", "where(sin(x) > 0, x, 0)"], "does not hold on finitely many intervals"),
    # a branch that runs off to infinity beside the point where the cases meet
    (["derive", "where(x > 0, 1/x, 0)"], "is not finite beside x = 0 (its limit from the "
                                         "right is oo)"),
    (["analyze", "where(x > 0, log(x), 0)"], "its limit from the right is -oo"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message):
    status, out, err = run(*argv)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("symact: error: "), err
    assert message in err
    assert "Traceback" not in err


def test_console_entry_point_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "symact", "show", "nonexistent"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_the_installed_package_has_every_subpackage(tmp_path):
    """Run from outside the source tree, `python -m symact` imports the installed copy
    (pip install . in CI): a subpackage missing from the distribution fails here."""
    result = subprocess.run([sys.executable, "-m", "symact", "selu-parameters", "--digits", "5"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "1.6733" in result.stdout


@pytest.mark.parametrize("text, row", [
    ("Max(0, x**2 - 1)", "minimum                     0 at [-1, 1]"),
    ("Abs(x**2 - 1)", "minimum                     0 at -1, 1"),
    ("x*Heaviside(x**2 - 1)", "smoothness                  discontinuous"),
    ("where(x**2 < 1, x, sign(x))", "range                       [-1, 1]"),
    ("where(x > 0, sqrt(x), 0)", "max f'                      unbounded as x -> 0"),
])
def test_conditions_that_are_not_linear_are_analysed_on_their_intervals(text, row):
    """x^2 > 1 is x < -1 or x > 1: the property table splits the line there (a traceback
    before, for Max(0, x^2 - 1) too); sqrt(x)'s output form 1/(2y) is infinite where
    y = 0 and is checked without evaluating it there."""
    status, out, err = run("analyze", text)
    assert status == 0, err
    assert row in out, out
