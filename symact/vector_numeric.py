"""NumPy code for vector activations, printed from their index notation: sums over j
become reductions along the last axis, and a shift law proved symbolically lets the code
move the largest exponent to 0 (the max-subtraction trick, derived rather than assumed).

For f written with exp(s z_j) (s = +-1), symact first proves f(z + c) = f(z) + a c for a
constant a (softmax, softmin, log_softmax: a = 0; logsumexp: a = 1). The generated code
then evaluates f(z') + a s m with m = max(s z) and s z' = s z - m <= 0, so no exponential
overflows and the largest term of every sum is exactly 1; log(sum) becomes
log1p(sum of the other terms), which keeps relative accuracy when the sum is close to 1.
Limits: an entry +inf (in the direction s) makes the others' exponentials 0, all entries
-inf make logsumexp -inf; where the limit depends on how the entries grow (two entries
+inf in softmax, every entry -inf) the result is NaN, as it is for NaN anywhere in the
vector. Like the element-wise code, the generated functions run under
numpy.errstate(all="ignore") and are measured against 50-digit mpmath in the tests.
"""
import functools

import mpmath
import numpy as np
import scipy.special
import sympy as sp
from sympy.codegen.cfunctions import log1p

from .budget import attempt
from .errors import SymactError
from .heads import sigmoid
from .numeric import BODY_HELPERS, _Printer, _body_source, import_line

SHIFT = sp.Symbol("c", real=True)


class ReduceSum(sp.Function):
    """The sum of an array expression over the vector axis (printed as numpy.sum)."""

    nargs = 1


class SumButPeak(sp.Function):
    """The sum over the vector axis leaving out one entry at the peak, whose term is 1."""

    nargs = 1


class _VectorPrinter(_Printer):
    def _print_Mul(self, expr):
        """u*sigmoid(v) for independent u and v (glu): e^v underflows below v = -745
        while the product may not (u = 455, v = -746.4 gives 3e-322)."""
        gates = [a for a in expr.args if isinstance(a, sigmoid)]
        if len(gates) == 1:
            rest = expr / gates[0]
            return f"_times_sigmoid({self._print(rest)}, {self._print(gates[0].args[0])})"
        return super()._print_Mul(expr)

    def _print_ReduceSum(self, expr):
        return f"numpy.sum({self._print(expr.args[0])}, axis=-1, keepdims=True)"

    def _print_SumButPeak(self, expr):
        return f"_sum_but_peak({self._print(expr.args[0])}, at_peak)"


# ---- from index notation to array expressions ---------------------------------------------
def _arrays(act):
    """act.expr with z_i (and z_j under a sum) as the array z, or, for a gated split,
    z_i as `first` and z_(i + n/2) as `second`; sums as ReduceSum."""
    from .vector import i, n, z

    def indexed(e):
        return isinstance(e, sp.Indexed) and e.base == z

    def as_array(e):
        offset = sp.simplify(e.indices[0] - i)
        if offset == 0:
            return sp.Symbol("first") if halves else sp.Symbol("z", real=True)
        if offset == n / 2:
            return sp.Symbol("second")
        return sp.Symbol("z", real=True)  # the summation index

    halves = any(indexed(e) and sp.simplify(e.indices[0] - i) == n / 2
                 for e in sp.preorder_traversal(act.expr))
    expr = act.expr.replace(lambda e: isinstance(e, sp.Sum), lambda e: ReduceSum(e.function))
    return expr.replace(indexed, as_array), halves


def exponent_sign(expr):
    """s when every exponential in expr is exp(s z) for one s in {1, -1}, else None."""
    z = sp.Symbol("z", real=True)
    signs = set()
    for e in sp.preorder_traversal(expr):
        if isinstance(e, sp.exp):
            signs.add(sp.simplify(e.args[0] / z))
    return int(signs.pop()) if len(signs) == 1 and signs <= {sp.S.One, -sp.S.One} else None


def shift_coefficient(act):
    """a with f(z + c 1) = f(z) + a c proved by simplification, or None (not shown)."""
    from .vector import z
    moved = act.expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == z,
                             lambda e: e + SHIFT)

    def law():
        return sp.simplify(sp.expand_log(sp.powsimp(sp.expand((moved - act.expr) / SHIFT))))
    a = attempt(law, seconds=10)
    return a if a is not None and a.is_number and a.is_rational else None


# ---- runtime helpers used by generated code -----------------------------------------------
def _prepare_vector(values, axis, even=False):
    """(float64 array with the vector axis last, dtype to return)."""
    array = np.asarray(values)
    if array.ndim == 0:
        raise SymactError("a vector activation needs an array with at least one axis")
    dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    if array.dtype.kind not in "fiub":
        raise SymactError(f"cannot evaluate on an array of {array.dtype}")
    try:
        array = np.moveaxis(array.astype(np.float64, copy=False), axis, -1)
    except (np.exceptions.AxisError, TypeError):
        raise SymactError(f"axis {axis!r} does not exist for an array of {array.ndim} "
                          "dimensions") from None
    if array.shape[-1] == 0:
        raise SymactError("a vector activation needs vectors of length at least 1")
    if even and array.shape[-1] % 2:
        raise SymactError(f"this activation needs an even vector length, not {array.shape[-1]}")
    return array, dtype


def _shift(z, sign):
    """(z' with sign*z' = sign*z - m <= 0, m = max(sign*z), the first entry at m, whether
    the value depends on the path to the limit: m infinite and attained more than once)."""
    u = sign * z
    peak = np.max(u, axis=-1, keepdims=True)
    level = u == peak
    shifted = sign * np.where(level, 0.0, u - peak)  # 0 at the peak even when it is inf
    first = np.argmax(u, axis=-1)[..., None]
    at_peak = np.arange(z.shape[-1]) == first
    ambiguous = np.isinf(peak) & (np.count_nonzero(level, axis=-1)[..., None] > 1)
    return shifted, peak, at_peak, ambiguous


def _times_sigmoid(u, v):
    """u*sigmoid(v), also where sigmoid(v) underflows: there sigmoid(v) = e^v to double
    precision, and e^v = e^(v + 700k) (e^-700)^k with v + 700k exact (Sterbenz), so the
    product never passes through an underflowed factor (about 1 ULP per factor)."""
    result = u * scipy.special.expit(v)
    low = v < -700.0
    if np.any(low):
        u_low = np.broadcast_to(u, np.shape(low))[low]
        v_low = np.broadcast_to(v, np.shape(low))[low]
        factors = np.minimum(np.floor(-v_low / 700.0), 3.0)  # u*e^v = 0 below v = -2100
        scaled = u_low * np.exp(v_low + 700.0 * factors)
        for step in (1.0, 2.0, 3.0):
            scaled = scaled * np.where(factors >= step, _EXP_MINUS_700, 1.0)
        result = np.array(result, dtype=np.float64)
        result[low] = scaled
    return result


with mpmath.workdps(40):
    _EXP_MINUS_700 = float(mpmath.exp(-700))  # correctly rounded


def _sum_but_peak(terms, at_peak):
    return np.sum(np.where(at_peak, 0.0, terms), axis=-1, keepdims=True)


def _finish_vector(result, dtype, axis, reduced):
    if reduced:
        result = result[..., 0]
    else:
        result = np.moveaxis(result, -1, axis)
    result = np.asarray(result)
    if result.dtype != dtype:
        result = result.astype(dtype)
    return result[()] if result.ndim == 0 else result


_NAMESPACE = {"numpy": np, **BODY_HELPERS, "_shift": _shift,
              "_times_sigmoid": _times_sigmoid, "_sum_but_peak": _sum_but_peak,
              "_prepare_vector": _prepare_vector, "_finish_vector": _finish_vector}


# ---- the generated module -----------------------------------------------------------------
def _stable_logs(expr, sign):
    """log(sum of exp(s z)) as log1p(sum but the peak term): after the shift that term is 1."""
    z = sp.Symbol("z", real=True)
    target = ReduceSum(sp.exp(sign * z))
    return expr.replace(lambda e: isinstance(e, sp.log) and e.args[0] == target,
                        lambda e: log1p(SumButPeak(sp.exp(sign * z))))


def _body(expr, name, arguments):
    return _body_source(expr, name, arguments, _VectorPrinter)


def source(act):
    """Python source of a NumPy function computing the vector activation act along an axis."""
    from .vector import z
    if not act.expr.has(z):
        raise SymactError(f"{act.name} is not a function of one vector z: its pieces' weights "
                          "are parameters (see symact.analysis.maxout_special_cases)")
    expr, halves = _arrays(act)
    name = act.name
    reduced = not _has_free_index(act)  # one output per vector (logsumexp)
    sign = exponent_sign(expr) if not halves else None
    a = shift_coefficient(act) if sign is not None else None
    body_name = f"_{name}_body"
    header = ("import numpy\n"
              + import_line(BODY_HELPERS) +
              "from symact.vector_numeric import (_finish_vector, _prepare_vector, _shift,\n"
              "                                   _sum_but_peak, _times_sigmoid)\n\n")
    doc = f'    """{name}(z) along `axis`, generated by symact from {sp.sstr(act.expr)!r}."""\n'
    if halves:
        body = _body(expr, body_name, ("first", "second"))
        call = (f"        half = z.shape[-1] // 2\n"
                f"        result = {body_name}(z[..., :half], z[..., half:])\n")
        prepare = "    z, dtype = _prepare_vector(z, axis, even=True)\n"
    elif a is None:
        body = _body(expr, body_name, ("z",))
        call = f"        result = {body_name}(z)\n"
        prepare = "    z, dtype = _prepare_vector(z, axis)\n"
    else:
        body = _body(_stable_logs(expr, sign), body_name, ("z", "at_peak"))
        header += (f"# the exponents are SIGN*z_j; {name}(z + c) = {name}(z) + SHIFT_LAW*c, "
                   "proved symbolically\n"
                   f"SIGN = {sign}\nSHIFT_LAW = {sp.sstr(a)}\n")
        call = "        shifted, peak, at_peak, ambiguous = _shift(z, SIGN)\n" \
               f"        result = {body_name}(shifted, at_peak)\n"
        if a != 0:
            call += "        result = result + SHIFT_LAW*SIGN*peak\n"
        else:
            call += "        result = numpy.where(ambiguous, numpy.nan, result)\n"
        prepare = "    z, dtype = _prepare_vector(z, axis)\n"
    wrapper = (f"def {name}(z, axis=-1):\n{doc}{prepare}"
               f"    with numpy.errstate(all=\"ignore\"):\n{call}"
               f"    return _finish_vector(result, dtype, axis, reduced={reduced})\n")
    return header + "\n\n" + body + "\n\n" + wrapper


def _has_free_index(act):
    from .vector import i
    return i in act.expr.free_symbols


@functools.lru_cache(maxsize=None)
def compile_vector(act):
    """A NumPy callable f(z, axis=-1) for the vector activation act; `.source` holds its code."""
    code = source(act)
    namespace = dict(_NAMESPACE)
    exec(compile(code, f"<symact {act.name}>", "exec"), namespace)  # printed from a SymPy tree
    function = namespace[act.name]
    function.source = code
    return function
