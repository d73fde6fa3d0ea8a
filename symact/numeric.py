"""The one place where symbolic expressions become NumPy code.

Pipeline: stable rewrites (symact.stable), numeric constants folded to correctly rounded
floats, common subexpressions named once (sympy.cse), heads printed as stable SciPy calls,
Piecewise as numpy.where on exact float comparisons. Generated functions evaluate under
numpy.errstate(all="ignore"): an intermediate that overflows or an unused where-branch
is expected, and the result is what is checked (tests measure every function against
50-digit mpmath on the whole float64 grid). Results that are tiny, where float64
intermediates underflow, are recomputed in extended precision (numpy.longdouble), and
the NaN/+-inf behaviour is fixed only where a probe at compile time shows it is needed.
The generated source is readable and returned by `source()`.
"""
import functools
import keyword
import math

import numpy as np
import scipy.special
import sympy as sp
from sympy.printing.numpy import SciPyPrinter

from .errors import SymactError
from .heads import Phi, sigmoid, softplus  # noqa: F401  (printed by name)
from .patches import root_patches
from .stable import rewrite_stable
from .symbols import x

# Results below this magnitude may have lost bits to an underflowing intermediate.
TINY_RESULT = 2.0**-960
_SQRT_HALF = 0.7071067811865476


# ---- runtime helpers used by generated code -----------------------------------------------
def _sigmoid(u):
    """expit, except that below -708 (where expit flushes to 0 early) it is exp(u)."""
    result = scipy.special.expit(u)
    if result.dtype == np.float64:
        low = u < -708.0
        if low.any():
            result = np.where(low, np.exp(np.minimum(u, 0.0)), result)
    return result


def _ndtr(u):
    """The normal CDF; in long double through erfcx, which does not underflow early."""
    if np.asarray(u).dtype == np.longdouble:
        v = np.asarray(u, dtype=np.float64)
        scaled = scipy.special.erfcx(-v * _SQRT_HALF)
        return np.where(u < 0, scaled * np.exp(-u * u / 2) / 2, scipy.special.ndtr(v))
    return scipy.special.ndtr(u)


def _erfc(u):
    if np.asarray(u).dtype == np.longdouble:
        v = np.asarray(u, dtype=np.float64)
        return np.where(u > 0, scipy.special.erfcx(v) * np.exp(-u * u), scipy.special.erfc(v))
    return scipy.special.erfc(u)


def _real_log(u, lowest):
    """log(u) (lowest 0) or log1p(u) (lowest -1), NaN below the domain."""
    u = np.asarray(u)
    function = np.log if lowest == 0 else np.log1p
    return np.where(u >= lowest, function(np.maximum(u, lowest)), np.nan)


def _prepare(values):
    """(float64 or long double array, dtype to return, whether the input was a scalar)."""
    scalar = np.ndim(values) == 0 and not isinstance(values, np.ndarray)
    array = np.asarray(values)
    dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    if array.dtype != np.float64 and array.dtype != np.longdouble:
        array = array.astype(np.float64)
    return array, dtype, scalar


def _refine(result, values, body, zeros_suspect):
    """Recompute in long double where the float64 result is tiny (an underflowed
    intermediate may have cost it bits; exact zeros count only if zeros_suspect) or not
    finite for a finite input (an intermediate such as 2x or x**2 overflowed)."""
    if values.dtype != np.float64 or values.ndim == 0 and not np.isfinite(values):
        return result
    magnitude = np.abs(result)
    tiny = magnitude < TINY_RESULT
    if not zeros_suspect:
        tiny &= magnitude > 0
    tiny |= ~np.isfinite(magnitude)
    tiny &= np.isfinite(values)
    if not tiny.any():
        return result
    result = np.array(result, dtype=np.float64)
    better = body(values[tiny].astype(np.longdouble))
    result[tiny] = np.broadcast_to(better, values[tiny].shape).astype(np.float64)
    return result


def _patch(result, values, patches, body):
    """Inside each patch's Taylor radius around its root, the Taylor polynomial at the
    root; out to its long-double radius, the formula in long double."""
    if values.dtype != np.float64:
        return result
    result = np.array(np.broadcast_to(result, values.shape), dtype=np.float64)
    for hi, lo, radius, ring, coefficients in patches:  # rings first: Taylor wins overlaps
        if ring > radius:
            offset = np.abs((values - hi) - lo)  # values - hi is exact near hi (Sterbenz)
            between = (offset >= radius) & (offset < ring)
            if between.any():
                result[between] = body(values[between].astype(np.longdouble))
    for hi, lo, radius, ring, coefficients in patches:
        near = np.abs((values - hi) - lo) < radius
        if near.any():
            d = (values[near] - hi) - lo
            total = np.zeros_like(d)
            for c in reversed(coefficients):
                total = total * d + c
            result[near] = total
    return result


def _finish(result, values, dtype, scalar, fixes):
    """Broadcast, apply the NaN/+-inf fixes the compile-time probe asked for, cast back."""
    result = np.asarray(result)
    if result.shape != values.shape or result.dtype != np.float64:
        result = np.array(np.broadcast_to(result, values.shape), dtype=np.float64)
    if fixes:
        result = np.array(result, copy=True) if result is values else result
        for point, value in fixes:
            mask = np.isnan(values) if math.isnan(point) else values == point
            if mask.any():
                result[mask] = value
    if dtype != np.float64:
        result = result.astype(dtype)
    return result[()] if scalar else result


# ---- printing -----------------------------------------------------------------------------
def _next_float(value, direction):
    """The float nearest to the exact number value on the given side (exclusive)."""
    f = float(value)
    if sp.Rational(f) == value:
        return f
    if (sp.Rational(f) > value) == (direction > 0):
        return f
    return float(np.nextafter(f, direction * np.inf))


class _Printer(SciPyPrinter):
    def _print_sigmoid(self, expr):
        return f"_sigmoid({self._print(expr.args[0])})"

    def _print_softplus(self, expr):
        return f"{self._module_format('numpy.logaddexp')}(0.0, {self._print(expr.args[0])})"

    def _print_Phi(self, expr):
        return f"_ndtr({self._print(expr.args[0])})"

    def _print_erfc(self, expr):
        return f"_erfc({self._print(expr.args[0])})"

    def _print_log(self, expr):
        return f"_real_log({self._print(expr.args[0])}, 0)"

    def _print_log1p(self, expr):
        return f"_real_log({self._print(expr.args[0])}, -1)"

    def _print_Rational(self, expr):
        return repr(float(expr))  # correctly rounded, unlike p/q with 15 printed digits

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Max(self, expr):
        return self._extremum("numpy.maximum", expr.args)

    def _print_Min(self, expr):
        return self._extremum("numpy.minimum", expr.args)

    def _extremum(self, function, args):
        *rest, last = args
        inner = self._print(last) if not rest else None
        if rest:
            inner = f"{self._module_format(function)}({self._extremum(function, rest)}, {self._print(last)})"
        return inner

    def _print_Relational(self, expr):
        """Comparisons with an exact number compare exactly: x > 1/10 is x >= 0.1 + ulp
        when 0.1 (the float) lies below 1/10."""
        lhs, rhs, op = expr.lhs, expr.rhs, expr.rel_op
        if rhs.is_number and not lhs.is_number and rhs.is_real and not rhs.is_Float:
            f = float(rhs)
            if sp.Rational(f) != rhs:
                if op in (">", ">="):
                    op, f = ">=", _next_float(rhs, 1)
                elif op in ("<", "<="):
                    op, f = "<=", _next_float(rhs, -1)
            return f"({self._print(lhs)} {op} {f!r})"
        return f"({self._print(lhs)} {op} {self._print(rhs)})"

    def _print_And(self, expr):
        return " & ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Or(self, expr):
        return " | ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Piecewise(self, expr):
        *branches, (last_value, last_condition) = expr.args
        if last_condition != sp.true:
            branches.append((last_value, last_condition))
            last_value = sp.nan
        code = self._print(last_value)
        for value, condition in reversed(branches):
            code = f"numpy.where({self._print(condition)}, {self._print(value)}, {code})"
        return code


def _fold_constants(expr):
    """Numeric factors and terms as one correctly rounded float (2*sqrt(2/pi) is one
    constant, not three operations), integers and simple rationals kept."""

    def fold(e):
        if isinstance(e, (sp.Mul, sp.Add)):
            numeric = [a for a in e.args if a.is_number]
            other = [a for a in e.args if not a.is_number]
            if numeric and other and not all(a.is_Rational for a in numeric):
                constant = e.func(*numeric)
                folded = sp.Float(float(constant.evalf(60)), 17)
                return e.func(folded, *other, evaluate=False)
        if e.is_number and not e.is_Atom and e.is_real:
            return sp.Float(float(e.evalf(60)), 17)
        return e

    return _bottom_up(expr, fold)


def _bottom_up(expr, function):
    if expr.is_Atom or isinstance(expr, sp.core.relational.Relational) and expr.rhs.is_number \
            and expr.lhs == x:
        return function(expr) if not expr.is_Atom else expr
    args = [_bottom_up(a, function) for a in expr.args]
    rebuilt = expr.func(*args, evaluate=False) if isinstance(expr, (sp.Mul, sp.Add, sp.Pow)) \
        else expr.func(*args)
    return function(rebuilt)


def _body_source(expr, name):
    """Straight-line Python for expr(x): common subexpressions named t0, t1, ..."""
    printer = _Printer({"fully_qualified_modules": True, "allow_unknown_functions": False})
    definitions, (result,) = sp.cse(expr, symbols=sp.numbered_symbols("t"), order="none")
    lines = [f"def {name}(x):"]
    for symbol, value in definitions:
        lines.append(f"    {symbol} = {printer.doprint(_fold_constants(value))}")
    lines.append(f"    return {printer.doprint(_fold_constants(result))}")
    return "\n".join(lines) + "\n"


def limits_at_infinity(expr):
    """(f(-oo), f(+oo)) as floats; NaN where the limit does not exist or is unknown."""
    from .limits import limit_at

    def one(point):
        value = limit_at(expr, point)
        return float("nan") if value is None else float(value)

    return one(-sp.oo), one(sp.oo)


def _needs_refining(expr):
    """Whether float64 intermediates can underflow or overflow where the result does not:
    anything but piecewise-linear code (max, min, where over linear pieces) can."""
    pieces = [expr]
    while any(isinstance(p, (sp.Max, sp.Min, sp.Piecewise)) for p in pieces):
        expanded = []
        for p in pieces:
            if isinstance(p, (sp.Max, sp.Min)):
                expanded.extend(p.args)
            elif isinstance(p, sp.Piecewise):
                expanded.extend(value for value, _ in p.args)
            else:
                expanded.append(p)
        pieces = expanded
    return not all(p.is_polynomial(x) and sp.degree(p, x) <= 1 for p in pieces)


def _has_zero_branch(expr):
    return any(value == 0 for pw in expr.atoms(sp.Piecewise) for value, _ in pw.args)


_NAMESPACE = {"numpy": np, "scipy": scipy, "_sigmoid": _sigmoid, "_ndtr": _ndtr,
              "_erfc": _erfc, "_real_log": _real_log, "_prepare": _prepare,
              "_refine": _refine, "_finish": _finish, "_patch": _patch}


def _probe_fixes(body, limits):
    """[(point, value)] for the special inputs the body gets wrong: NaN must give NaN,
    +-inf the limit. Every generated operation is element-wise, so the body's value at a
    special input does not depend on the other elements: this probe decides it for all."""
    specials = [(math.nan, math.nan), (math.inf, limits[1]), (-math.inf, limits[0])]
    with np.errstate(all="ignore"):
        got = np.broadcast_to(body(np.array([p for p, _ in specials])), (3,))
    fixes = []
    for (point, wanted), value in zip(specials, got):
        same = (math.isnan(wanted) and math.isnan(value)) or value == wanted
        if not same:
            fixes.append((point, wanted))
    return tuple(fixes)


def _floats(value):
    """repr of nested tuples of floats that reads back without numpy (inf, nan spelled out)."""
    if isinstance(value, tuple):
        inner = ", ".join(_floats(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value) if math.isfinite(value) else f"float('{value}')"


def source(expr, name):
    """Python source of a NumPy function computing expr(x), with its module header."""
    return _build(expr, name)[0]


def _build(expr, name):
    if not name.isidentifier() or keyword.iskeyword(name):
        raise SymactError(f"{name!r} is not usable as a function name")
    expr = sp.sympify(expr)
    extra = expr.free_symbols - {x}
    if extra:
        raise SymactError(
            f"cannot generate numeric code with unset symbols {sorted(map(str, extra))}")
    stable = rewrite_stable(expr)
    body_name = f"_{name}_body"
    body = _body_source(stable, body_name)
    namespace = dict(_NAMESPACE)
    exec(compile(body, f"<symact {name}>", "exec"), namespace)  # printed from a SymPy tree
    limits = limits_at_infinity(expr)
    fixes = _probe_fixes(namespace[body_name], limits)
    refine = _needs_refining(stable)
    refine_line = (f"        result = _refine(result, x, {body_name}, "
                   f"zeros_suspect={not _has_zero_branch(stable)})\n") if refine else ""
    patches = root_patches(expr, namespace[body_name]) if refine else ()
    if patches:
        refine_line += f"        result = _patch(result, x, PATCHES, {body_name})\n"
    header = (
        "import numpy\nimport scipy.special\n"
        "from symact.numeric import _erfc, _finish, _ndtr, _patch, _prepare, _real_log, "
        "_refine, _sigmoid\n\n"
        f"LIMITS = {_floats(limits)}  # f(-inf), f(+inf), derived symbolically\n"
        f"FIXES = {_floats(fixes)}  # special inputs the formula gets wrong: (input, value)\n"
        + (f"# Taylor polynomials where the formula cancels: (root hi, root lo, Taylor "
           f"radius, long-double radius, coefficients)\nPATCHES = {_floats(patches)}\n" if patches else "")
        + "\n\n"
    )
    wrapper = (
        f"def {name}(x):\n"
        f'    """{name}(x), generated by symact from {sp.sstr(expr)[:200]!r}."""\n'
        f"    x, dtype, scalar = _prepare(x)\n"
        f"    with numpy.errstate(all=\"ignore\"):\n"
        f"        result = {body_name}(x)\n"
        f"{refine_line}"
        f"    return _finish(result, x, dtype, scalar, FIXES)\n"
    )
    code = header + body + "\n\n" + wrapper
    return code, limits, fixes, patches


@functools.lru_cache(maxsize=512)
def compile_function(expr, name):
    """A vectorised callable for expr(x); its source is kept as `.source`. Cached: the
    root search and limits cost seconds."""
    code, limits, fixes, patches = _build(expr, name)
    namespace = dict(_NAMESPACE)
    exec(compile(code, f"<symact {name}>", "exec"), namespace)  # printed from a SymPy tree
    function = namespace[name]
    function.source = code
    function.limits = limits
    return function
