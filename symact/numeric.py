"""The one place where symbolic expressions become NumPy code.

A small rewrite stage turns cancellation-prone forms into stable ones (expm1, log1p,
1 - sigma(u) -> sigma(-u), 1 + tanh(u) -> 2 sigma(2u), 1 - tanh(u)^2 -> 4 sigma(2u) sigma(-2u),
1 + erf(z) -> erfc(-z)); heads print as stable SciPy/NumPy calls (expit, logaddexp,
ndtr); Piecewise is evaluated branch by branch on masks so an unused branch never
overflows. The generated source is readable and returned by `source()`.
"""
import keyword

import numpy as np
import scipy.constants
import scipy.special
import sympy as sp
from sympy.codegen.rewriting import expm1_opt, log1p_opt, optimize
from sympy.printing.numpy import SciPyPrinter

from .errors import SymactError
from .heads import Phi, sigmoid, softplus
from .symbols import x

_A = sp.Wild("A", exclude=[])
_U = sp.Wild("U")


def _rewrite_stable(expr):
    """Replace cancellation-prone sub-expressions by equivalent stable ones."""
    expr = expr.replace(lambda e: isinstance(e, sp.Add), _stable_sum)
    return optimize(expr, [expm1_opt, log1p_opt])


def _stable_sum(add):
    """In a sum, c + c*F(u) and c - c*F(u) pairs that cancel become stable forms:
    1 + tanh u = 2 sigma(2u), 1 - tanh u = 2 sigma(-2u), 1 - sigma(u) = sigma(-u),
    1 + erf z = erfc(-z), 1 - erf z = erfc(z), 1 - tanh(u)^2 = 4 sigma(2u) sigma(-2u)."""
    constant, rest = add.as_coeff_Add()
    if constant == 0:
        return add
    terms = list(sp.Add.make_args(rest))
    for k, term in enumerate(terms):
        coeff, core = term.as_coeff_Mul()
        if abs(coeff) != abs(constant):
            continue
        sign = 1 if coeff == constant else -1
        replacement = _one_plus(core, sign)
        if replacement is not None:
            others = terms[:k] + terms[k + 1:]
            return sp.Add(constant * replacement, *others)
    return add


def _one_plus(core, sign):
    """1 + sign*core in a stable form, or None."""
    if isinstance(core, sp.tanh):
        return 2 * sigmoid(sign * 2 * core.args[0])
    if isinstance(core, sigmoid) and sign == -1:
        return sigmoid(-core.args[0])
    if isinstance(core, sp.erf):
        return sp.erfc(-sign * core.args[0])
    if (sign == -1 and isinstance(core, sp.Pow) and core.exp == 2
            and isinstance(core.base, sp.tanh)):
        u = core.base.args[0]
        return 4 * sigmoid(2 * u) * sigmoid(-2 * u)
    return None


class _Printer(SciPyPrinter):
    def _print_sigmoid(self, expr):
        return f"{self._module_format('scipy.special.expit')}({self._print(expr.args[0])})"

    def _print_softplus(self, expr):
        return f"{self._module_format('numpy.logaddexp')}(0, {self._print(expr.args[0])})"

    def _print_Phi(self, expr):
        return f"{self._module_format('scipy.special.ndtr')}({self._print(expr.args[0])})"

    def _print_log(self, expr):
        return f"_real_log({self._print(expr.args[0])}, 0)"

    def _print_log1p(self, expr):
        return f"_real_log({self._print(expr.args[0])}, -1)"

    def _print_Rational(self, expr):
        return repr(float(expr))  # correctly rounded, unlike p/q with 15 printed digits

    def _print_Piecewise(self, expr):
        branches = ", ".join(
            f"(lambda x: {self._print(c)}, lambda x: {self._print(e)})" for e, c in expr.args
        )
        return f"_piecewise(x, [{branches}])"


def _real_log(u, lowest):
    """log(u) (lowest 0) or log1p(u) (lowest -1): NaN below the domain, without a warning."""
    u = np.asarray(u)
    out = np.full(u.shape, np.nan, dtype=u.dtype if u.dtype.kind == "f" else np.float64)
    inside = u >= lowest
    function = np.log if lowest == 0 else np.log1p
    with np.errstate(divide="ignore"):  # log(0) = -inf is the right value, not an error
        function(u, out=out, where=inside)
    return out[()] if out.ndim == 0 else out


def _piecewise(x, branches):
    """Each branch evaluated only where it is the first whose condition holds; NaN stays NaN."""
    out = np.full(x.shape, np.nan, dtype=x.dtype)
    remaining = ~np.isnan(x)
    for condition, value in branches:
        mask = remaining & np.broadcast_to(np.asarray(condition(x), dtype=bool), x.shape)
        if mask.any():
            out[mask] = value(x[mask])
        remaining &= ~mask
    return out


def _as_array(values):
    """(work, original): floating input with NaN and +-inf replaced by 0, so no ufunc
    sees them; _finish puts NaN and the limits at +-inf back."""
    array = np.asarray(values)
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    return np.where(np.isfinite(array), array, array.dtype.type(0)), array


def _finish(result, original, limits, scalar):
    result = np.array(np.broadcast_to(np.asarray(result, dtype=original.dtype), original.shape))
    result[np.isnan(original)] = np.nan
    result[original == np.inf] = limits[1]
    result[original == -np.inf] = limits[0]
    return result[()] if scalar else result


def limits_at_infinity(expr):
    """(f(-oo), f(+oo)) as floats; NaN where the limit does not exist or is unknown."""
    from .limits import limit_at

    def one(point):
        value = limit_at(expr, point)
        return float("nan") if value is None else float(value)

    return one(-sp.oo), one(sp.oo)


def source(expr, name):
    """Python source of a NumPy function computing expr(x)."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise SymactError(f"{name!r} is not usable as a function name")
    expr = sp.sympify(expr)
    extra = expr.free_symbols - {x}
    if extra:
        raise SymactError(
            f"cannot generate numeric code with unset symbols {sorted(map(str, extra))}")
    body = _Printer({"fully_qualified_modules": True, "allow_unknown_functions": False}).doprint(
        _rewrite_stable(expr))
    return (
        f"def {name}(x):\n"
        f'    """{name}(x), generated by symact from {sp.sstr(expr)[:200]!r}."""\n'
        f"    scalar = numpy.ndim(x) == 0 and not isinstance(x, numpy.ndarray)\n"
        f"    x, original = _as_array(x)\n"
        f"    return _finish({body}, original, LIMITS, scalar)\n"
    )


def compile_function(expr, name):
    """A vectorised callable for expr(x); its source is kept as `.source`."""
    code = source(expr, name)
    namespace = {"numpy": np, "scipy": scipy, "_piecewise": _piecewise,
                 "_as_array": _as_array, "_finish": _finish, "_real_log": _real_log,
                 "LIMITS": limits_at_infinity(expr)}
    exec(compile(code, f"<symact {name}>", "exec"), namespace)  # code printed from a SymPy tree, not user text
    function = namespace[name]
    function.source = code
    function.limits = namespace["LIMITS"]
    return function
