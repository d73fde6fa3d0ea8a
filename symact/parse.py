"""Untrusted expression strings to SymPy, without evaluating Python.

The text is parsed by Python's `ast` (which only builds a tree, never runs it) and the tree
is translated node by node from a whitelist: numbers, names of symbols and functions,
+ - * / ** ^, calls of whitelisted functions and catalog activations, cases
(Piecewise((value, condition), ...), where(condition, a, b), a if condition else b, with
conditions built from comparisons, and/or/not, & | ~) and (for claims) comparisons.
Anything else - attributes, subscripts, lambdas, strings, comprehensions, starred or
keyword tricks - is refused with one line. Size, nesting depth, exponents and
factorials are bounded so that no input can make SymPy compute for long.
"""
import ast
import math
import re
import warnings

import sympy as sp
from sympy.core.evalf import PrecisionExhausted

from . import registry
from .calculus import differentiate
from .budget import time_budget
from .errors import BudgetExceeded, SymactError
from .heads import Phi
from .symbols import x

MAX_LENGTH = 2000
MAX_DEPTH = 50
MAX_NODES = 600
MAX_DIGITS = 60          # of an integer or decimal literal
MAX_EXPONENT = 1000      # |n| in u**n for a numeric n
MAX_RESULT_DIGITS = 2000  # of a number built from numbers (2**1000 is fine, 9**9**9 is not)
MAX_FACTORIAL = 200
MAX_DIFF_ORDER = 10
MAX_NAME = 24
MAX_NUMERIC_ARGUMENT = 10**6  # of gamma, floor, ceiling of a number (their values get huge)
PARSE_SECONDS = 1.5  # no valid activation needs longer; hostile numbers do

_FUNCTIONS = {
    "exp": (sp.exp, 1, 1), "log": (sp.log, 1, 2), "ln": (sp.log, 1, 1),
    "sqrt": (sp.sqrt, 1, 1), "cbrt": (sp.cbrt, 1, 1),
    "sin": (sp.sin, 1, 1), "cos": (sp.cos, 1, 1), "tan": (sp.tan, 1, 1),
    "sec": (sp.sec, 1, 1), "csc": (sp.csc, 1, 1), "cot": (sp.cot, 1, 1),
    "asin": (sp.asin, 1, 1), "acos": (sp.acos, 1, 1), "atan": (sp.atan, 1, 1),
    "atan2": (sp.atan2, 2, 2),
    "sinh": (sp.sinh, 1, 1), "cosh": (sp.cosh, 1, 1),
    "sech": (sp.sech, 1, 1), "csch": (sp.csch, 1, 1), "coth": (sp.coth, 1, 1),
    "asinh": (sp.asinh, 1, 1), "acosh": (sp.acosh, 1, 1), "atanh": (sp.atanh, 1, 1),
    "erf": (sp.erf, 1, 1), "erfc": (sp.erfc, 1, 1), "Phi": (Phi, 1, 1),
    "Abs": (sp.Abs, 1, 1), "abs": (sp.Abs, 1, 1), "sign": (sp.sign, 1, 1),
    "Max": (sp.Max, 1, 8), "max": (sp.Max, 1, 8), "Min": (sp.Min, 1, 8), "min": (sp.Min, 1, 8),
    "Heaviside": (lambda u: sp.Heaviside(u), 1, 1),
    "floor": (sp.floor, 1, 1), "ceiling": (sp.ceiling, 1, 1),
    "gamma": (sp.gamma, 1, 1), "LambertW": (sp.LambertW, 1, 1),
}
_HUGE_VALUES = {"floor": MAX_NUMERIC_ARGUMENT, "ceiling": MAX_NUMERIC_ARGUMENT,
                "gamma": MAX_FACTORIAL}  # bound on |argument| where it is a number
_CONSTANTS = {"pi": sp.pi, "E": sp.E}
_REFUSED_NAMES = {
    "I": "complex numbers are not supported (activations are real)",
    "j": "complex numbers are not supported (activations are real)",
    "i": "complex numbers are not supported (activations are real)",
    "oo": "infinity is not a value an activation can take; write the limit as a claim instead",
    "inf": "infinity is not a value an activation can take",
    "nan": "nan is not a number",
    "zoo": "zoo is not a real number",
    "e": "write E or exp(1) for Euler's number",
}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
              ast.BitXor: "^"}
_RELATIONS = {ast.Eq: sp.Eq, ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge}
_CONDITIONS = {**_RELATIONS, ast.NotEq: sp.Ne}
_CASES = ("Piecewise", "where")  # cases: Piecewise((value, condition), ...), where(c, a, b)


def parse_expression(text, *, symbols=None, relation=False, allow_free=False):
    """The SymPy expression written in `text` (or, with relation=True, a list of
    (lhs, operator, rhs) triples, one per comparison of a possibly chained claim).

    `symbols` maps extra names (declared parameters) to SymPy symbols; x is always known.
    With allow_free, other plain names become real symbols (claims quantify over them).
    Raises SymactError with a one-line message for anything outside the language.
    """
    if not isinstance(text, str):
        raise SymactError(f"an expression must be a string, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise SymactError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise SymactError("empty expression")
    if any(ord(c) < 32 and c not in "\t\n" or ord(c) > 126 for c in text):
        raise SymactError("expression contains characters outside printable ASCII")
    # ^ means power here (SymPy's convention), never XOR: make it ** before Python's
    # grammar gives it XOR's low precedence (x**2 - 2^3 must not become (x**2 - 2)**3)
    source = text.strip().replace("^", "**")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings would print a second line
            tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        hint = "; write == for equality" if re.search(r"(?<![<>=!])=(?!=)", text) else ""
        raise SymactError(f"cannot parse {_shown(text)}: {error.msg}{hint}") from None
    except (ValueError, MemoryError, RecursionError):
        raise SymactError(f"cannot parse {_shown(text)}") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise SymactError(f"expression has {nodes} parts; the limit is {MAX_NODES}")
    translator = _Translator(source, dict(symbols or {}), allow_free)
    try:
        with time_budget(PARSE_SECONDS, "parsing"):
            body = tree.body
            if isinstance(body, ast.Compare):
                if not relation:
                    raise SymactError("a comparison is not an expression here")
                return translator.relation(body)
            if relation:
                raise SymactError("a claim must compare two sides with ==, <, <=, > or >=")
            return _real(translator.expr(body, 0), text)
    except BudgetExceeded:
        raise SymactError(f"evaluating {_shown(text)} gave up after {PARSE_SECONDS:g} s of CPU time") from None
    except RecursionError:
        raise SymactError("expression is nested too deeply") from None
    except (ArithmeticError, ValueError, TypeError, PrecisionExhausted) as error:
        # SymPy raising on a number it cannot represent or compare (complex, too large)
        raise SymactError(f"cannot evaluate {_shown(text)}: "
                          f"{_shown(str(error) or type(error).__name__)}") from None


def _real(expr, text):
    if not isinstance(expr, sp.Expr):
        raise SymactError(f"{_shown(text)} is not an expression")
    if expr.has(sp.I):
        raise SymactError(f"{_shown(text)} is complex-valued; activations are real")
    return expr


def _shown(text):
    text = " ".join(text.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _digits(number):
    """Decimal digits of an exact number's numerator and denominator (for size bounds)."""
    if isinstance(number, sp.Rational):
        return max(len(str(abs(number.p))), len(str(number.q)))
    return 0


class _Translator:
    def __init__(self, text, symbols, allow_free):
        self.text = text
        self.symbols = {"x": x, **symbols}
        self.allow_free = allow_free
        self.diff_order = 0

    def fail(self, node, message):
        raise SymactError(message)

    # ---- claims --------------------------------------------------------------------
    def relation(self, node):
        sides = [node.left, *node.comparators]
        values = [self.expr(side, 1) for side in sides]
        triples = []
        for op, lhs, rhs in zip(node.ops, values, values[1:]):
            if type(op) not in _RELATIONS:
                raise SymactError(f"unsupported comparison {type(op).__name__}; "
                                  "use ==, <, <=, > or >=")
            triples.append((_real(lhs, self.text), _RELATIONS[type(op)], _real(rhs, self.text)))
        return triples

    # ---- expressions ---------------------------------------------------------------
    def expr(self, node, depth):
        if depth > MAX_DEPTH:
            raise SymactError(f"expression is nested more than {MAX_DEPTH} levels deep")
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise SymactError(f"{_describe(node)} is not allowed in an expression")
        result = method(node, depth + 1)
        if isinstance(result, sp.Basic) and result.is_number:
            if result.has(sp.zoo, sp.nan):
                raise SymactError(f"{_shown(self.segment(node))} is undefined (division by zero?)")
            if result.has(sp.oo, -sp.oo):
                raise SymactError(f"{_shown(self.segment(node))} is infinite")
            if result.has(sp.I) or result.is_extended_real is False:
                raise SymactError(f"{_shown(self.segment(node))} is not a real number")
        return result

    def segment(self, node):
        return ast.get_source_segment(self.text.strip(), node) or "expression"

    def _Constant(self, node, depth):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SymactError(f"{_describe(node)} is not allowed in an expression")
        text = self.segment(node).replace("_", "")
        if len(re.sub(r"[^0-9]", "", text.split("e")[0].split("E")[0])) > MAX_DIGITS:
            raise SymactError(f"number literal longer than {MAX_DIGITS} digits")
        if isinstance(value, int):
            if value.bit_length() > MAX_DIGITS * 3.33:
                raise SymactError(f"number literal longer than {MAX_DIGITS} digits")
            return sp.Integer(value)
        if not math.isfinite(value):
            raise SymactError(f"number {text} is out of range")
        mantissa, _, exponent = text.lower().partition("e")
        if exponent and abs(int(exponent)) > 400:
            raise SymactError(f"number {text} is out of range")
        return sp.Rational(text)  # exact decimal: 0.044715 stays 44715/10**6

    def _Name(self, node, depth):
        name = node.id
        if name in self.symbols:
            return self.symbols[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in _REFUSED_NAMES:
            raise SymactError(f"'{name}': {_REFUSED_NAMES[name]}")
        if name in _FUNCTIONS or _is_activation(name) or name in ("diff", "Subs", *_CASES):
            raise SymactError(f"'{name}' is a function; call it, e.g. {name}(x)")
        if name.startswith("_") or not _NAME.match(name) or len(name) > MAX_NAME:
            raise SymactError(f"name {_shown(name)} is not allowed")
        if not self.allow_free:
            raise SymactError(f"unknown symbol {_shown(name)} (only x and declared parameters may "
                              "appear; declare a parameter with --param NAME=VALUE)")
        symbol = sp.Symbol(name, real=True)
        self.symbols[name] = symbol
        return symbol

    def _UnaryOp(self, node, depth):
        operand = self.expr(node.operand, depth)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise SymactError(f"operator {type(node.op).__name__} is not allowed")

    def _BinOp(self, node, depth):
        op = type(node.op)
        if op not in _OPERATORS:
            raise SymactError(f"operator {type(node.op).__name__} is not allowed "
                              "(use + - * / ** ^)")
        left = self.expr(node.left, depth)
        right = self.expr(node.right, depth)
        if op in (ast.Pow, ast.BitXor):
            return self.power(left, right)
        if op is ast.Div and right == 0:
            raise SymactError(f"division by zero in {_shown(self.segment(node))}")
        result = {ast.Add: sp.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sp.Mul,
                  ast.Div: lambda a, b: a / b}[op](left, right)
        if _digits(result) > MAX_RESULT_DIGITS:
            raise SymactError("a number in the expression grows too large")
        return result

    def power(self, base, exponent):
        if exponent.is_number:
            if not exponent.is_real:
                raise SymactError("complex exponents are not supported")
            if abs(float(exponent)) > MAX_EXPONENT:
                raise SymactError(f"exponent {_shown(str(exponent))} is larger than {MAX_EXPONENT} in size")
            if base.is_number and exponent.is_Rational:
                size = abs(float(exponent)) * max(_digits(base), 1)
                if size > MAX_RESULT_DIGITS:
                    raise SymactError("a number in the expression grows too large")
        if base == 0 and exponent.is_number and exponent.is_negative:
            raise SymactError("division by zero (0 to a negative power)")
        if exponent.has(x) and base.has(x) and _tower(exponent) > 2:
            raise SymactError("exponent tower is too high")
        return sp.Pow(base, exponent)

    def _Call(self, node, depth):
        if not isinstance(node.func, ast.Name):
            raise SymactError(f"{_describe(node.func)} cannot be called; only named functions")
        name = node.func.id
        if any(isinstance(a, ast.Starred) for a in node.args) or \
                any(k.arg is None for k in node.keywords):
            raise SymactError("* and ** arguments are not allowed")
        if name == "diff":
            return self.diff(node, depth)
        if name == "Subs":
            return self.subs(node, depth)
        if name == "factorial":
            return self.factorial(node, depth)
        if name in _CASES:
            return self.cases(name, node, depth)
        if name in _FUNCTIONS and not _is_activation(name):
            function, least, most = _FUNCTIONS[name]
            if node.keywords:
                raise SymactError(f"{name} takes no keyword arguments")
            if not least <= len(node.args) <= most:
                raise SymactError(f"{name} takes {_count(least, most)} argument"
                                  f"{'s' if most > 1 else ''}, not {len(node.args)}")
            args = [self.expr(a, depth) for a in node.args]
            limit = _HUGE_VALUES.get(name)
            if limit and args[0].is_number and not abs(sp.N(args[0], 15)) <= limit:
                raise SymactError(f"{name} of {_shown(str(args[0]))} is too large (limit {limit})")
            return function(*args)
        if _is_activation(name):
            return self.activation(name, node, depth)
        raise SymactError(f"unknown function {_shown(name)}" + _suggest(name))

    def activation(self, name, node, depth):
        act = registry.get(name)
        if act.vector:
            raise SymactError(f"{act.name} takes a vector; claims are about one input x")
        params = act.params_info
        if not node.args or len(node.args) > 1 + len(params):
            raise SymactError(
                f"{act.name} takes the input and at most {len(params)} parameter"
                f"{'s' if len(params) != 1 else ''} ({', '.join(p.name for p in params) or 'none'})"
                f", not {len(node.args)} argument{'s' if len(node.args) != 1 else ''}")
        values = {p.name: self.expr(a, depth) for p, a in zip(params, node.args[1:])}
        for keyword in node.keywords:
            act.param_named(keyword.arg)  # one-line error for unknown names
            if keyword.arg in values:
                raise SymactError(f"{act.name}: parameter {keyword.arg} given twice")
            values[keyword.arg] = self.expr(keyword.value, depth)
        argument = self.expr(node.args[0], depth)
        subs = {act.param_named(k).symbol: v for k, v in values.items()}
        for p in params:
            subs.setdefault(p.symbol, p.default)
        return act.expr.xreplace({**subs, x: argument})  # at once: a parameter may mention x

    def diff(self, node, depth):
        if node.keywords or not 2 <= len(node.args) <= 3:
            raise SymactError("diff takes (expression, x) or (expression, x, n)")
        expr = self.expr(node.args[0], depth)
        variable = self.expr(node.args[1], depth)
        if variable != x:
            raise SymactError("diff differentiates with respect to x only")
        order = 1
        if len(node.args) == 3:
            order = self.expr(node.args[2], depth)
            if not (order.is_Integer and 0 <= order <= MAX_DIFF_ORDER):
                raise SymactError(f"derivative order must be an integer from 0 to {MAX_DIFF_ORDER}")
        self.diff_order += int(order)
        if self.diff_order > MAX_DIFF_ORDER:
            raise SymactError(f"derivatives of total order above {MAX_DIFF_ORDER} are not supported")
        # symact's kink convention, not SymPy's (Heaviside(0) = 1/2, DiracDelta terms)
        return differentiate(expr, int(order), tidied=False)

    def subs(self, node, depth):
        if node.keywords or len(node.args) != 3:
            raise SymactError("Subs takes (expression, x, value)")
        expr, variable, value = (self.expr(a, depth) for a in node.args)
        if variable != x:
            raise SymactError("Subs substitutes x only")
        return sp.piecewise_fold(expr).subs(x, value)

    # ---- cases ---------------------------------------------------------------------
    def cases(self, name, node, depth):
        """Piecewise((value, condition), ..., (value, True)) or where(condition, a, b)."""
        if node.keywords:
            raise SymactError(f"{name} takes no keyword arguments")
        if name == "where":
            if len(node.args) != 3:
                raise SymactError("where takes (condition, value if true, value if false)")
            condition = self.condition(node.args[0], depth)
            return self.piecewise([(self.expr(node.args[1], depth), condition),
                                   (self.expr(node.args[2], depth), sp.true)])
        pairs = []
        for arg in node.args:
            if not (isinstance(arg, ast.Tuple) and len(arg.elts) == 2):
                raise SymactError("Piecewise takes (value, condition) pairs, e.g. "
                                  "Piecewise((x, x > 0), (0, True))")
            pairs.append((self.expr(arg.elts[0], depth), self.condition(arg.elts[1], depth)))
        return self.piecewise(pairs)

    def _IfExp(self, node, depth):  # a if condition else b
        return self.piecewise([(self.expr(node.body, depth), self.condition(node.test, depth)),
                               (self.expr(node.orelse, depth), sp.true)])

    def piecewise(self, pairs):
        if not pairs or pairs[-1][1] is not sp.true:
            raise SymactError("the last case of Piecewise must be (value, True), so that "
                              "every x has a value")
        for _, condition in pairs:
            if condition.free_symbols - {x} - set(self.symbols.values()):
                raise SymactError("a condition may only mention x and parameters")
        return sp.Piecewise(*pairs)

    def condition(self, node, depth):
        """A condition on x: comparisons (chained too), and/or/not, & | ~, True, False."""
        if depth > MAX_DEPTH:
            raise SymactError(f"expression is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return sp.true if node.value else sp.false
        if isinstance(node, ast.Compare):
            sides = [self.expr(side, depth + 1) for side in [node.left, *node.comparators]]
            parts = []
            for op, lhs, rhs in zip(node.ops, sides, sides[1:]):
                if type(op) not in _CONDITIONS:
                    raise SymactError(f"unsupported comparison {type(op).__name__}; "
                                      "use ==, !=, <, <=, > or >=")
                parts.append(_CONDITIONS[type(op)](_real(lhs, self.text), _real(rhs, self.text)))
            return sp.And(*parts)
        if isinstance(node, ast.BoolOp):
            join = sp.And if isinstance(node.op, ast.And) else sp.Or
            return join(*[self.condition(v, depth + 1) for v in node.values])
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
            join = sp.And if isinstance(node.op, ast.BitAnd) else sp.Or
            return join(self.condition(node.left, depth + 1), self.condition(node.right, depth + 1))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
            return sp.Not(self.condition(node.operand, depth + 1))
        raise SymactError(f"{_shown(self.segment(node))} is not a condition; compare with "
                          "==, !=, <, <=, > or >=")

    def factorial(self, node, depth):
        if node.keywords or len(node.args) != 1:
            raise SymactError("factorial takes one argument")
        arg = self.expr(node.args[0], depth)
        if arg.is_number and (not arg.is_real or not abs(sp.N(arg, 15)) <= MAX_FACTORIAL):
            raise SymactError(f"factorial of {_shown(str(arg))} is too large (limit {MAX_FACTORIAL})")
        return sp.factorial(arg)

    # every other node type (Attribute, Subscript, Lambda, ListComp, JoinedStr, ...) has
    # no handler and is refused in expr()


def _tower(expr):
    """Height of the tower of powers whose exponents involve x."""
    if isinstance(expr, sp.Pow) and expr.exp.has(x):
        return 1 + _tower(expr.exp)
    if isinstance(expr, sp.exp):
        return 1 + _tower(expr.args[0])
    return max((_tower(a) for a in expr.args), default=0)


def _is_activation(name):
    try:
        registry.get(name)
    except SymactError:
        return False
    return _NAME.match(name) is not None


def _count(least, most):
    return str(least) if least == most else f"{least} to {most}"


def _suggest(name):
    import difflib
    known = [*_FUNCTIONS, *_CASES, "diff", "Subs", "factorial",
             *registry.names("elementwise")]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.7)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _describe(node):
    kinds = {ast.Attribute: "attribute access", ast.Subscript: "indexing",
             ast.Lambda: "lambda", ast.Constant: "a string or bytes literal",
             ast.JoinedStr: "an f-string", ast.ListComp: "a comprehension",
             ast.GeneratorExp: "a generator", ast.SetComp: "a comprehension",
             ast.DictComp: "a comprehension", ast.List: "a list", ast.Tuple: "a tuple",
             ast.Dict: "a dict", ast.Set: "a set", ast.BoolOp: "and/or",
             ast.NamedExpr: ":=", ast.Starred: "*",
             ast.Await: "await", ast.Yield: "yield", ast.Compare: "a comparison"}
    return kinds.get(type(node), type(node).__name__)
