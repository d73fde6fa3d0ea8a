"""parse_expression against hostile input: refuse with one short line, never run Python,
never raise anything but SymactError, never compute for long; and parse the real language
exactly (decimals stay exact, ^ is a power, activations take their parameters)."""
import contextlib
import string
import sys
import time
import warnings

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symact
from hostile import CODE_EXECUTION, HOSTILE, HOSTILE_CLAIMS, VALID, VALID_CLAIMS
from symact.errors import SymactError
from symact.parse import _FUNCTIONS, parse_expression

MAX_MESSAGE = 200
SECONDS = 2.0  # CPU per refusal; a parse that needs longer is a denial-of-service door

# Load the catalog now: its first use runs SymPy's own string parser on the definitions,
# which the execution watcher below would (rightly) report if it happened mid-test.
symact.names()
parse_expression("elu(x) + diff(sigmoid(x), x)")

# Inputs these tests once found slipping through (escaping exceptions, unbounded messages,
# ^ with XOR precedence, hangs) now live in hostile.py as ordinary cases. Any new finding
# goes here, strict, until parse.py is fixed.
KNOWN_WEAKNESSES = {}
HANGS = {}


def _cases(pairs):
    """pytest params for (text, extra) pairs, with the known weaknesses marked."""
    params = []
    for text, extra in pairs:
        marks = []
        if text in HANGS:
            marks = [pytest.mark.xfail(run=False, reason=HANGS[text])]
        elif text in KNOWN_WEAKNESSES:
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_WEAKNESSES[text])]
        params.append(pytest.param(text, extra, marks=marks, id=ascii(text[:40])))
    return params


def test_every_known_weakness_is_a_listed_input():
    # a typo in a key above would silently mark nothing
    listed = {text for pairs in (HOSTILE, HOSTILE_CLAIMS, VALID, VALID_CLAIMS)
              for text, _ in pairs}
    assert set(KNOWN_WEAKNESSES) | set(HANGS) <= listed


def assert_one_line_refusal(text, **options):
    # CPU time, which the budgets count (symact.budget): on a busy two-core runner the
    # wall clock of a refusal that takes 1.5 s alone reached 2.3 s, the load's doing
    start = time.process_time()
    with pytest.raises(SymactError) as caught:
        parse_expression(text, **options)
    elapsed = time.process_time() - start
    message = str(caught.value)
    assert message.strip(), "empty message"
    assert "\n" not in message and "\r" not in message, message
    assert len(message) <= MAX_MESSAGE, f"{len(message)} characters: {message[:80]}..."
    assert "Traceback" not in message
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    return message


# ---- refusals --------------------------------------------------------------------------

@pytest.mark.parametrize("text, reason", _cases(HOSTILE))
def test_hostile_input_is_refused_with_one_short_line(text, reason):
    assert_one_line_refusal(text)


@pytest.mark.parametrize("text, reason", _cases(HOSTILE_CLAIMS))
def test_hostile_claim_is_refused_with_one_short_line(text, reason):
    assert_one_line_refusal(text, relation=True)


@pytest.mark.parametrize("value", [None, 42, b"x", ["x"], sp.Symbol("x")])
def test_non_strings_are_refused(value):
    assert_one_line_refusal(value)


def test_free_names_that_are_never_symbols_stay_refused():
    # allow_free turns plain unknown names into symbols, but not dunders, function names,
    # reserved names or overlong names
    for text in ["__class__", "_y", "exp", "elu", "I", "e", "oo", "y" * 25, "y.real"]:
        assert_one_line_refusal(text, allow_free=True)


def test_parsing_emits_no_warnings():
    # "1if" is a number glued to a keyword; Python warns "invalid decimal literal"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(SymactError):
            parse_expression("1if x else 2")
    assert [str(w.message) for w in caught] == []


def test_single_equals_suggests_double_equals():
    assert "==" in assert_one_line_refusal("sigmoid(0) = 0.5", relation=True)


# ---- nothing is executed -----------------------------------------------------------------

# C functions through which Python source gets run, a module gets imported by name, a file
# gets opened, or a classic sandbox escape reaches os.system.
_WATCHED = {"eval", "exec", "compile", "__import__", "open", "globals", "locals", "vars",
            "breakpoint", "input", "print", "__subclasses__", "system", "popen", "fork",
            "execv", "execve", "spawnv", "posix_spawn", "import_module"}
# Callers allowed to use them: the import machinery (SymPy imports lazily), ast.parse
# (which only builds a tree) and SymPy's generator of monomial helpers (its code is built
# from integers, never from the input). SymPy's own string parser is NOT allowed: sympify
# of a string is eval.
_ALLOWED_CALLERS = ("<frozen importlib", "/ast.py", "/sympy/polys/monomials.py")


@contextlib.contextmanager
def watched_calls():
    """The watched C functions called inside the block, as 'name from file' strings.

    A profile hook rather than monkeypatched builtins: it sees a call however the
    function was reached - through a reference taken before any patch, an attribute chain
    like ().__class__.__bases__[0].__subclasses__(), or SymPy's own eval - and needs no
    guess about which module names are dangerous to import."""
    calls = []

    def profile(frame, event, function):
        if event == "c_call" and getattr(function, "__name__", None) in _WATCHED:
            caller = frame.f_code.co_filename.replace("\\", "/")
            if not any(allowed in caller for allowed in _ALLOWED_CALLERS):
                calls.append(f"{function.__name__} from {caller.rsplit('/', 1)[-1]}")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield calls
    finally:
        sys.setprofile(previous)


@pytest.mark.parametrize("run", [
    lambda: eval("1 + 1"),
    lambda: exec("pass"),
    lambda: __import__("os"),
    lambda: ().__class__.__bases__[0].__subclasses__(),
    lambda: open(__file__).close(),
    lambda: sp.sympify("x + 1"),  # SymPy's string parser evals
], ids=["eval", "exec", "__import__", "__subclasses__", "open", "sympify"])
def test_the_watcher_sees_execution(run):
    # a watcher that never fires proves nothing: show it catches each way in
    with watched_calls() as calls:
        run()
    assert calls


@pytest.mark.parametrize("text, reason", _cases(CODE_EXECUTION))
def test_code_is_refused_without_running_anything(text, reason):
    with watched_calls() as calls:
        with pytest.raises(SymactError):
            parse_expression(text, allow_free=True)
    assert calls == [], f"ran {calls} while refusing {text!r}"


# ---- the language ------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", _cases(VALID))
def test_valid_input_gives_exactly_the_expected_expression(text, expected):
    with watched_calls() as calls:
        result = parse_expression(text)
    assert result == expected, f"{text!r} gave {result}, expected {expected}"
    assert calls == []


def test_decimals_stay_exact():
    result = parse_expression("0.1 + 0.2")
    assert result == sp.Rational(3, 10) and result.is_Rational


@pytest.mark.parametrize("text, expected", _cases(VALID_CLAIMS))
def test_claims_give_one_triple_per_comparison(text, expected):
    assert parse_expression(text, relation=True) == expected


def test_free_names_become_real_symbols_when_allowed():
    y = sp.Symbol("y", real=True)
    assert parse_expression("y*y + x", allow_free=True) == y**2 + symact.x
    assert parse_expression("y*y", allow_free=True).free_symbols == {y}
    assert parse_expression("x < y", relation=True, allow_free=True) == [(symact.x, sp.Lt, y)]


def test_declared_symbols_are_used_as_given():
    alpha = sp.Symbol("alpha", positive=True)
    result = parse_expression("alpha*x", symbols={"alpha": alpha})
    assert result == alpha * symact.x
    assert alpha in result.free_symbols  # the caller's symbol, not a fresh real one
    # declaring a name does not open the door to other names
    assert_one_line_refusal("alpha*y", symbols={"alpha": alpha})


# ---- fuzzing -----------------------------------------------------------------------------

def assert_parsed_or_refused(text, relation=False, allow_free=False):
    """The contract: a SymPy result (a list of triples for claims) or one short line."""
    start = time.perf_counter()
    try:
        result = parse_expression(text, relation=relation, allow_free=allow_free)
    except SymactError as error:
        message = str(error)
        assert "\n" not in message and message, message
        assert len(message) <= MAX_MESSAGE, message
    else:
        if relation:
            assert isinstance(result, list) and result
            assert all(isinstance(side, sp.Basic) for lhs, _, rhs in result
                       for side in (lhs, rhs))
        else:
            assert isinstance(result, sp.Basic)
    assert time.perf_counter() - start < SECONDS


# derandomize: the same examples every run, so the suite is stable; the weaknesses
# exploratory runs found are listed above instead
FUZZ = settings(max_examples=300, deadline=SECONDS * 1000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

# ast.parse's SyntaxWarnings are the known weakness tested above; keep them out of the log
QUIET = pytest.mark.filterwarnings("ignore::SyntaxWarning")

_TEXT = st.text(st.one_of(st.sampled_from(string.printable), st.characters()), max_size=60)

_TOKENS = [
    "0", "1", "2", "10", "0.5", "1e3", "1e999", "0x1f", "1_0", "9" * 70, "1j",
    "x", "y", "pi", "E", "e", "I", "oo", "nan", "zoo", "True", "None", "alpha",
    "+", "-", "*", "/", "**", "^", "//", "%", "&", "|", "~", "<<", "@",
    "<", "<=", "==", ">", ">=", "!=", "=", ":=", "(", ")", "[", "]", "{", "}",
    ",", ".", ":", "'", '"', "__", "__class__", "__import__", " ",
    "lambda", "if", "else", "and", "not", "for", "in", "is", "*", "**",
    "diff", "Subs", "factorial", "sympify", "eval", "open", "Piecewise", "where", "True",
    *_FUNCTIONS, *symact.names(),
]
_SOUP = st.lists(st.sampled_from(_TOKENS), max_size=24).map("".join)

# well-formed-looking calls, so that examples get past the syntax check into the translator
_ATOMS = st.sampled_from(["x", "y", "0", "1", "2", "-1", "0.5", "10**3", "pi", "E", "I"])
_NAMES = st.sampled_from([*_FUNCTIONS, *symact.names(), "diff", "Subs", "factorial", "where",
                          "foo", "x.real", "exp.__class__"])


def _call(children):
    # mostly one or two arguments and no keyword, so that most calls are well formed
    args = st.one_of(st.lists(children, min_size=1, max_size=2),
                     st.lists(children, max_size=3))
    keywords = st.one_of(st.just([]), st.lists(
        st.tuples(st.sampled_from(["alpha", "beta", "b", "x"]), children), max_size=1))
    return st.builds(
        lambda name, a, k: f"{name}({', '.join([*a, *(f'{n}={v}' for n, v in k)])})",
        _NAMES, args, keywords)


def _operation(children):
    # + and * twice: the common case; < and % are refused inside expressions
    operators = st.sampled_from(["+", "-", "*", "/", "**", "^", "+", "*", "<", "%"])
    return st.builds(lambda a, op, b: f"({a}{op}{b})", children, operators, children)


_GRAMMAR = st.recursive(_ATOMS, lambda c: st.one_of(_call(c), _operation(c)), max_leaves=12)


@QUIET
@FUZZ
@given(text=_TEXT, relation=st.booleans())
def test_fuzz_arbitrary_text(text, relation):
    assert_parsed_or_refused(text, relation=relation)


@QUIET
@FUZZ
@given(text=_SOUP, relation=st.booleans(), allow_free=st.booleans())
def test_fuzz_token_soup(text, relation, allow_free):
    assert_parsed_or_refused(text, relation=relation, allow_free=allow_free)


@QUIET
@FUZZ
@given(text=_GRAMMAR, relation=st.booleans(), allow_free=st.booleans())
def test_fuzz_grammar(text, relation, allow_free):
    assert_parsed_or_refused(text, relation=relation, allow_free=allow_free)
