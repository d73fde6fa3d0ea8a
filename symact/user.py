"""User-defined activations: an expression (string or SymPy) validated into an Activation
that has everything a catalog entry has."""
import re

import sympy as sp

from .activation import Activation, exact, param
from .errors import SymactError
from .parse import parse_expression
from .singular import fill_removable
from .symbols import x

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
PROBES = (-30, -3, -1, sp.Rational(-1, 2), 0, sp.Rational(1, 2), 1, 3, 30)


def define(name, expr, params=None, summary=None):
    """An Activation named `name` for expr in x; params maps each parameter's name to its
    default value. Strings are parsed safely (symact.parse), never evaluated."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise SymactError(f"activation name {name!r} must be a letter followed by letters, "
                          "digits or _ (at most 40)")
    declared = []
    for key, default in dict(params or {}).items():
        if not isinstance(key, str) or not _NAME.match(key) or key in ("x", "y"):
            raise SymactError(f"parameter name {key!r} is not usable")
        declared.append(param(key, _default(key, default)))
    symbols = {p.name: p.symbol for p in declared}
    if isinstance(expr, str):
        text = expr
        expr = parse_expression(expr, symbols=symbols)
    elif isinstance(expr, sp.Expr):
        text = sp.sstr(expr)
        by_name = {s: symbols.get(s.name, x if s.name == "x" else s) for s in expr.free_symbols}
        expr = expr.xreplace(by_name)
        unknown = expr.free_symbols - {x} - set(symbols.values())
        if unknown:
            raise SymactError(f"undeclared symbols {sorted(map(str, unknown))}; "
                              "declare them in params")
    else:
        raise SymactError(f"an activation is an expression or a string, not {type(expr).__name__}")
    if not expr.has(x):
        raise SymactError(f"{text!r} does not depend on x")
    defaults = {p.symbol: p.default for p in declared}
    expr = fill_removable(expr, text, defaults)
    _check_real(expr, defaults, text)
    return Activation(name, expr, summary or f"user-defined: {text}", "user-defined",
                      params=declared)


def _default(key, value):
    try:
        return exact(value) if not isinstance(value, str) else exact(value.strip())
    except SymactError as error:
        raise SymactError(f"parameter {key}: {error}") from None


def _check_real(expr, defaults, text):
    """Refuse expressions that are not real and finite at a few probe points (with the
    parameters at their defaults): an activation maps every real input to a real number."""
    fixed = expr.xreplace(defaults)
    for point in PROBES:
        value = sp.N(fixed.subs(x, point), 20)
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not value.is_number:
            raise SymactError(f"{text!r} is not finite at x = {point}")
        if not value.is_real and abs(sp.im(value)) > 1e-15:
            raise SymactError(f"{text!r} is complex-valued at x = {point}; activations are real")
