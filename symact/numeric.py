"""The one place where symbolic expressions become NumPy code.

Pipeline: stable rewrites (symact.stable), numeric constants folded to correctly rounded
floats, common subexpressions named once (sympy.cse), heads printed as stable SciPy calls,
Piecewise as numpy.where (or, when piecewise constant, comparisons times constants) on
exact float comparisons. Generated functions evaluate under numpy.errstate(all="ignore"):
an intermediate that overflows or an unused where-branch is expected, and the result is
what is checked (tests measure every function against 50-digit mpmath on the whole
float64 grid). Inputs where a compile-time probe (symact.probe) shows the float64 formula
losing bits are recomputed in long double, near roots where it cancels by a Taylor
polynomial (symact.patches); NaN gives NaN and +-inf the limits. Where the stable form
needs such help and the function is one fraction of polynomials in e^u, that fraction is
tried too (symact.exp_fraction) and kept when it costs no more passes and no more tiles,
and scattered inputs find no miss outside its holes.
The generated source is readable and returned by `source()`.
"""
import ast
import functools
import keyword
import math

import numpy as np
import scipy.special
import sympy as sp
from sympy.codegen.cfunctions import hypot
from sympy.printing.numpy import SciPyPrinter

from .budget import attempt
from .errors import SymactError
from .exp_fraction import FRACTION_PROBE, FRACTION_SECONDS, fraction_forms
from .heads import Phi, sigmoid, softplus  # noqa: F401  (printed by name)
from .patches import hole_tiles, loose_at_roots, root_patches, taylor_at_roots
from .probe import repair_regions, scattered_misses, typical_share
from .stable import float_exact, rewrite_stable
from .tails import reached_limits
from .symbols import x

_SQRT_HALF = 0.7071067811865476
_LARGEST = float(np.finfo(np.float64).max)


# ---- runtime helpers used by generated code -----------------------------------------------
def _ndtr(u):
    """The normal CDF. In long double (the repair pass), below -37 where float64 ndtr
    underflows, through erfcx, whose result does not; elsewhere ndtr itself (SciPy has no
    long-double ndtr, so long double adds range there, not digits)."""
    if np.asarray(u).dtype == np.longdouble:
        v = np.asarray(u, dtype=np.float64)
        far = u < -37
        scaled = scipy.special.erfcx(-np.where(far, v, -1.0) * _SQRT_HALF)
        return np.where(far, scaled * np.exp(-u * u / 2) / 2, scipy.special.ndtr(v))
    return scipy.special.ndtr(u)


def _erfc(u):
    """erfc; in long double, above 26 (where float64 erfc underflows) through erfcx."""
    if np.asarray(u).dtype == np.longdouble:
        v = np.asarray(u, dtype=np.float64)
        far = u > 26
        scaled = scipy.special.erfcx(np.where(far, v, 1.0))
        return np.where(far, scaled * np.exp(-u * u), scipy.special.erfc(v))
    return scipy.special.erfc(u)


def _lambertw(u):
    """The principal branch of Lambert W as a real function: NaN below -1/e, where it is
    complex (SciPy returns complex numbers everywhere). Long double (the repair pass)
    beyond the float64 range, where an argument such as x^2 lands: Newton's method on
    w + log w = log u from log u - log log u; elsewhere as for `special`."""
    if np.asarray(u).dtype != np.longdouble:
        w = scipy.special.lambertw(u)
        return np.where(w.imag == 0, w.real, np.nan)
    u = np.asarray(u)
    narrow = u.astype(np.float64)
    w = np.asarray(_lambertw(narrow)).astype(np.longdouble)
    huge = np.isinf(narrow) & np.isfinite(u)
    if huge.any():
        log_u = np.log(u[huge])
        guess = log_u - np.log(log_u)
        for _ in range(4):  # quadratic convergence from within 1e-5 (log u > 709)
            guess -= (guess + np.log(guess) - log_u) / (1 + 1 / guess)
        w[huge] = guess
    return w


class _Float64Special:
    """scipy.special as the generated code calls it (special.erf, special.psi, ...).
    SciPy has no long-double loops, so the repair pass's long-double inputs are computed
    in float64 and handed back in long double: that adds neither range nor digits there,
    but the formula around the call still gains both. Near 0, where a long-double
    argument would lose its bits as a float64 (erf(softplus(x)) at x = -745, an argument
    of 5e-324), a function that is its slope times u there (to far below an ULP for
    |u| < SLOPE_BELOW) is computed so, in long double."""

    SLOPE_AT_ZERO = {"erf": 2 / np.sqrt(np.longdouble(np.pi)),
                     "erfinv": np.sqrt(np.longdouble(np.pi)) / 2}
    SLOPE_BELOW = 1e-150

    def __getattr__(self, name):
        function = getattr(scipy.special, name)
        slope = self.SLOPE_AT_ZERO.get(name)

        def call(*args):
            if any(np.asarray(a).dtype == np.longdouble for a in args):
                wide = [np.asarray(a, dtype=np.float64) for a in args]
                result = np.asarray(function(*wide)).astype(np.longdouble)
                if slope is not None:
                    (u,) = args
                    result = np.where(np.abs(u) < self.SLOPE_BELOW, slope * u, result)
                return result
            return function(*args)
        call.__name__ = name
        return call


special = _Float64Special()


def _steps(x, base, steps, out=None):
    """base + jump_1 [x > point_1] + jump_2 [x > point_2] + ... (x >= point when inclusive),
    summed in that order, the order in which the printer checked that each partial sum is
    the exact value on its interval (into out when given). Each
    comparison is a boolean pass and a cast, faster than comparing straight into floats or
    mixing booleans into float arithmetic. NaN compares false everywhere, so it gets base;
    the repair pass gives it NaN. Always float64, also for long-double x: the constants
    are floats, and long-double sums of them round differently (1/3 + 2/3 - 1)."""
    if out is None:
        out = np.empty(np.shape(x), dtype=np.float64)
    scratch = None
    for index, (point, inclusive, jump) in enumerate(steps):
        mask = (np.greater_equal if inclusive else np.greater)(x, point)
        if index == 0:
            np.copyto(out, mask)
            if jump != 1.0:
                out *= jump
            if base != 0.0:
                out += base
            continue
        if scratch is None:
            scratch = np.empty_like(out)
        np.copyto(scratch, mask)
        if jump == -1.0:
            out -= scratch
        else:
            if jump != 1.0:
                scratch *= jump
            out += scratch
    return out


def _into(function, fresh, other=None, fresh_first=True, out=None):
    """function(fresh) or function(fresh, other) (function(other, fresh) when not
    fresh_first) written over `fresh`, a temporary that nothing else refers to (or into
    `out` when given): a new 8 MB array costs page faults that cost more than the
    arithmetic (e^min(x, 0): 3.4 ms into fresh memory, 1.3 ms in place). Scalars, and
    temporaries of another dtype or a smaller shape than the result, get a new array as
    before. The checks are kept cheap: blocked evaluation calls this on every block."""
    args = (fresh,) if other is None else (fresh, other) if fresh_first else (other, fresh)
    if out is not None:
        return function(*args, out=out)
    if type(fresh) is not np.ndarray or fresh.dtype.kind != "f":
        return function(*args)
    if other is None or type(other) is float or type(other) is int:
        return function(*args, out=fresh)  # Python numbers keep the array's type
    if type(other) is np.ndarray and (other.shape == fresh.shape or fresh.shape ==
                                      np.broadcast_shapes(fresh.shape, other.shape)) \
            and np.result_type(other, fresh) == fresh.dtype:
        return function(*args, out=fresh)
    return function(*args)


def _sigmoid(u, out=None):
    """sigma(u) as 1/s corrected by s's rounding, s = 1 + e^-u: lo = (max - s) + min of 1
    and e^-u is exact, s + lo = 1 + e^-u (Fast2Sum), and 1/(s + lo) = r - r^2 lo to second
    order, r = 1/s. What remains is e^-u's and r's own rounding: 1.6 ULP at worst on a
    dense grid (0.01 steps, 20 points a decade) against 2.4 for 1/(1 + e^-u) and
    scipy.special.expit, for 7 more passes over the block. (1 - s) + e^-u would save two
    passes, but is wrong from e^-u = 2^53 on, where the rounding of s is largest. +inf gives 1.
    Where e^-u overflows the result is NaN (lo is inf - inf): in float64 below -709.78,
    where the true value is subnormal and the repair recomputes in long double, which
    needs -u <= 11000 to keep e^-u finite."""
    e = np.negative(u)
    if e.dtype == np.longdouble:
        e = np.minimum(e, 11000.0)
    e = np.exp(e, out=e if isinstance(e, np.ndarray) else None)
    scalar = type(e) is not np.ndarray
    if scalar:  # a 0-d input: the same arithmetic on a one-element array
        e = np.array([e])
    total = e + 1.0
    lo = np.maximum(e, 1.0)
    lo -= total
    lo += np.minimum(e, 1.0, out=e)
    r = np.divide(1.0, total, out=total)
    lo *= r
    lo *= r
    if scalar:
        return (r - lo)[0]
    return np.subtract(r, lo, out=r if out is None else out)


def _sigmoid_nonpositive(u, out=None):
    """sigma(u) for u <= 0 as e^u/(1 + e^u): e^u <= 1 never overflows, and the three
    roundings stay within 2 ULP; scipy.special.expit takes twice as long."""
    e = np.exp(u)
    total = e + 1.0
    if out is None and not isinstance(total, np.ndarray):
        return e / total
    return np.divide(e, total, out=total if out is None else out)


def _softplus(u, out=None):
    """log(1 + e^u) as max(u, 0) + log1p(e^-|u|): numpy.logaddexp(0, u) computes the same
    formula element by element with branches, three times slower."""
    u = np.asarray(u)
    if out is None:
        out = np.empty(u.shape, dtype=np.result_type(u, 1.0))  # an array also for 0-d input
    result = np.absolute(u, out=out)
    np.negative(result, out=result)
    np.exp(result, out=result)
    np.log1p(result, out=result)
    result += np.maximum(u, 0)
    return result if result.ndim else result[()]


def _power(base, halves, out=None):
    """base^(halves/2) for an odd or negative integer halves, |halves| <= 9, as a new array
    (or into out) by multiplications, a square root and one division (the printer writes
    positive integer powers as products itself): numpy.power with an exponent other than
    2, 0.5 or -1 calls libm's pow, 14 ms per 1e6 values against 0.8 for (1/b)/b. Each form
    is the most accurate of those tried on 40000 values against mpmath: (1/b)/b^(m-1)
    for b^-m (1.2 ULP for m = 2, 1/b^2 1.4), 1/(b^m sqrt b) for b^-(m + 1/2) (isru' 2.45
    ULP on the grid, (1/b^m)/sqrt b 2.90), b^m sqrt b otherwise. pow rounds once (0.5
    ULP); these round up to m + 1 times, within the bound. Odd halves need base >= +0
    (hypot's u^2 + c^2): numpy.sqrt gives NaN below, where pow has conventions for -inf."""
    m, odd = divmod(abs(halves), 2)
    if not (odd or halves < 0):
        raise ValueError(f"_power takes odd or negative halves, not {halves}")
    if halves < 0 and not odd:
        result = np.divide(1.0, base, out=out)
        return result if m == 1 else _into(np.divide, result, _integer_power(base, m - 1))
    result = np.sqrt(base, out=out) if odd else None
    if m:
        whole = _integer_power(base, m)
        result = whole if result is None else _into(np.multiply, result, whole)
    return _into(np.divide, result, 1.0, fresh_first=False) if halves < 0 else result


def _integer_power(base, m):
    """base^m for 1 <= m <= 4 by squaring: one rounding for m = 2, two for m = 3, 4."""
    if m == 1:
        return base
    square = np.square(base)
    return square if m == 2 else square * base if m == 3 else np.square(square)


def _clip(fresh, low, high, out=None):
    """numpy.clip written over `fresh`, a temporary nothing else refers to (or into out)."""
    if out is None and type(fresh) is np.ndarray and fresh.dtype.kind == "f":
        out = fresh
    return np.clip(fresh, low, high, out=out)


def _float(mask, out=None):
    """A boolean mask as 0.0 and 1.0 (into out when given)."""
    if out is None:
        return mask.astype(np.float64)
    np.copyto(out, mask)
    return out


def _where(condition, a, b, out=None):
    """numpy.where(condition, a, b) for float64 values, branch-free: the chosen value's
    bits are b ^ ((a ^ b) * c) with c = 0 or 1 as an int64, exact like numpy.where, which
    on a condition that changes at random takes 2.3 ms per 1e6 values against 1.5 here
    (blocked; three integer passes and the widening copy of the condition, a pass fewer
    than masks of all set bits, whose making from booleans costs two). Other types (the
    long-double recompute) go to numpy.where."""
    if type(condition) is not np.ndarray or condition.dtype != bool or condition.ndim == 0 \
            or np.result_type(a, b, 1.0) != np.float64:
        result = np.where(condition, a, b)
        if out is None:
            return result
        np.copyto(out, result)
        return out
    shape = np.broadcast_shapes(condition.shape, np.shape(a), np.shape(b))
    chosen = np.empty(shape, dtype=np.int64)
    np.copyto(chosen, condition)
    result = out if out is not None else np.empty(shape)
    bits = result.view(np.int64)
    if _is_plus_zero(a):  # b * (1 - c) (sparse_plus): +0.0 has no bits set
        np.subtract(1, chosen, out=chosen)
        a, b = b, a
    a_bits = np.asarray(a, dtype=np.float64).view(np.int64)
    if _is_plus_zero(b):  # a * c (hardshrink)
        np.multiply(a_bits, chosen, out=bits)
        return result
    b_bits = np.asarray(b, dtype=np.float64).view(np.int64)
    np.bitwise_xor(a_bits, b_bits, out=bits)
    np.multiply(bits, chosen, out=bits)
    np.bitwise_xor(bits, b_bits, out=bits)
    return result


def _is_plus_zero(value):
    return type(value) in (int, float) and value == 0 and math.copysign(1.0, value) > 0


def _prepare(values):
    """(float64 or long double array, dtype to return, whether the input was a scalar)."""
    scalar = np.ndim(values) == 0 and not isinstance(values, np.ndarray)
    array = np.asarray(values)
    dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    if array.dtype != np.float64 and array.dtype != np.longdouble:
        array = array.astype(np.float64)
    return array, dtype, scalar


def _tiles(tiles):
    """The generated module's TILES as (start, step, columns, centres): columns[j] holds
    every tile's coefficient of d^j (a missing tile's as NaN, so its inputs fall through
    to long double), one contiguous array per power for the lookups, and centres[k] the
    k-th tile's centre as a float."""
    loaded = []
    for start, step, rows in tiles:
        width = max(len(row) for row in rows)
        table = np.full((width, len(rows)), np.nan)
        for k, row in enumerate(rows):
            if row:  # a lower degree than the widest row: zero coefficients above
                table[:, k] = 0.0
                table[:len(row), k] = row
        centres = start + (np.arange(len(rows)) + 0.5) * step
        loaded.append((start, step, table, centres))
    return tuple(loaded)


def _evaluate_tiles(chosen, pending, better, tiles, low, high):
    """better[i] = the tile polynomial at chosen[i] for inputs inside a tile with a
    polynomial; those are no longer pending. Every input is looked up in every table whose
    span meets [low, high], the inputs' range (the holes are disjoint, so one table at most
    holds it; root patches, applied after, overwrite their own inputs): no pass picks
    pending inputs out first, and when all inputs lie inside the table (the usual case)
    none is picked out at all. A tile without a polynomial has NaN coefficients: its
    inputs get NaN and stay pending."""
    for start, step, columns, centres in tiles:
        # the least and the largest position: rounding is monotonic
        first, last = (low - start) / step, (high - start) / step
        if last < 0 or first >= columns.shape[1]:  # NaN compares false: looked up
            continue
        position = np.subtract(chosen, start)
        position /= step  # exact: step is a power of 2
        if first >= 0 and last < columns.shape[1]:  # not NaN
            where, values = None, chosen
            tile = position.astype(np.intp)
        else:
            where = np.flatnonzero((position >= 0) & (position < columns.shape[1]))
            if where.size == 0:
                continue
            values = chosen.take(where)
            tile = position.take(where).astype(np.intp)
        offset = np.subtract(values, centres.take(tile))
        total = columns[-1].take(tile)
        for j in range(columns.shape[0] - 2, -1, -1):
            total *= offset
            total += columns[j].take(tile)
        if where is None:
            better[...] = total
            np.isnan(total, out=pending)
        else:
            better[where] = total
            pending[where] = np.isnan(total)


def _repair(result, values, body, safe, holes, patches, limits, tiles=(), reached=None):
    """Recompute the elements the float64 formula may get wrong; the rest is untouched.

    Which elements those are was decided at compile time by comparing the float64 and
    long-double formulas on a dense probe of the float64 line (see _to_repair).
    Repaired elements get the Taylor polynomial of the patch they lie in, else the
    polynomial of the tile they lie in (symact.patches), else the formula in long double;
    NaN gives NaN, +-inf and inputs beyond `reached` (symact.tails) the limits."""
    mask = _to_repair(values, safe, holes)
    if mask is None:
        return result
    return _repair_at(result, values, np.flatnonzero(mask), body, patches, limits, tiles,
                      reached)


def _to_repair(values, safe, holes):
    """The mask of the elements outside `safe` = (low, high) (tails where an intermediate
    overflows or underflows; NaN and +-inf always fall outside) or within a hole (low,
    high), around 0 or a root; None when no element can be affected. Two reductions (min,
    max) decide that, or one sum when SAFE is the whole float line and there are no holes,
    or one sum of squares when SAFE is symmetric, there are no holes and the block's
    inputs are small beside the bound (arctan', isru: 1.65 ms per 1e6 against 1.97), so
    typical inputs pay for no mask."""
    if values.dtype != np.float64 or values.size == 0:
        return None
    mask = None
    if not holes and safe[0] <= -_LARGEST and safe[1] >= _LARGEST:
        # only NaN and +-inf need repair: one reduction costs half the two below
        if np.isfinite(_sum_of_zeros(values)):
            return None
        return ~np.isfinite(values)
    if not holes and -safe[0] == safe[1] and _sum_of_squares(values) < safe[1] * safe[1] / 2:
        return None  # every x^2 <= sum x^2 < high^2 (NaN, inf and overflow compare false)
    low, high = values.min(), values.max()
    if not (low >= safe[0] and high <= safe[1]):  # NaN lands here too
        mask = ~((values >= safe[0]) & (values <= safe[1]))
    for hole_low, hole_high in holes:
        if low >= hole_high or high <= hole_low:
            continue
        inside = (values > hole_low) & (values < hole_high)
        mask = inside if mask is None else mask | inside
    return mask


def _repair_at(result, values, index, body, patches, limits, tiles, reached=None):
    """result with the elements at the flat `index` of values recomputed (see _repair)."""
    if index.size == 0:
        return result
    if (not isinstance(result, np.ndarray) or result.shape != values.shape
            or np.may_share_memory(result, values) or not result.flags.c_contiguous):
        # a scalar, a constant, x itself or a view: a new array to write into
        result = np.array(np.broadcast_to(result, values.shape), dtype=np.float64, order="C")
    chosen = values.reshape(-1).take(index)
    better = np.empty(chosen.shape, dtype=np.float64)
    pending = np.ones(chosen.shape, dtype=bool)
    low, high = chosen.min(), chosen.max()
    _evaluate_tiles(chosen, pending, better, tiles, low, high)
    for root_hi, root_lo, radius, coefficients in patches:  # over tiles, near their roots
        offset = (chosen - root_hi) - root_lo  # exact near the root (Sterbenz)
        near = np.flatnonzero(np.abs(offset) < radius)
        if near.size:
            better[near] = _horner(coefficients, offset.take(near))
            pending[near] = False
    rest = np.flatnonzero(pending)
    if rest.size:
        again = chosen.take(rest).astype(np.longdouble)
        better[rest] = np.broadcast_to(body(again), again.shape).astype(np.float64)
    reached = (-math.inf, math.inf) if reached is None else reached
    # inputs in holes are finite and short of `reached`: often no pass
    if reached[0] <= low and high <= reached[1] and np.isfinite(low) and np.isfinite(high):
        special = ()
    else:  # NaN, +-inf and inputs where the function has reached its limit
        special = np.flatnonzero(~(np.isfinite(chosen) & (chosen >= reached[0])
                                   & (chosen <= reached[1])))
    if len(special):
        value = chosen.take(special)
        better[special] = np.where(np.isnan(value), np.nan,
                                   np.where(value < 0, limits[0], limits[1]))
    result.reshape(-1)[index] = better
    return result


def _sum_of_zeros(values):
    """sum(values * 0): NaN exactly when some element is NaN or +-inf (it cannot overflow,
    as a plain sum can). A BLAS dot with zeros, twice as fast as numpy.add.reduce, on
    one block; other layouts take the plain sum (its overflow only costs a repair)."""
    if values.ndim == 1 and values.size <= BLOCK and values.flags.c_contiguous:
        return np.dot(values, _ZEROS[:values.size])
    return np.add.reduce(values, axis=None)


def _sum_of_squares(values):
    """sum(values^2) by one BLAS dot on one block (NaN when any element is NaN or +-inf,
    inf when it overflows); on other layouts inf, which sends the caller to min and max.
    Halving the bound it is compared with absorbs the dot's rounding (n eps < 1e-11)."""
    if values.ndim == 1 and values.size <= BLOCK and values.flags.c_contiguous:
        return np.dot(values, values)
    return math.inf


def _horner(coefficients, d):
    """sum coefficients[k] d^k, in place on one array."""
    total = np.full_like(d, coefficients[-1])
    for c in coefficients[-2::-1]:
        total *= d
        total += c
    return total


BLOCK = 1 << 16  # elements per block: a block's temporaries (512 KiB each) stay in L2
_ZEROS = np.zeros(BLOCK)
BLOCK_MIN_OPERATIONS = 2  # bodies with fewer array operations run on the whole array


def _blocks(values, body, repair=None):
    """body(values), then _repair(..., *repair) when given, block by block into one
    result array that each block's last operation writes into: a formula with several
    temporaries then works in cache instead of paying for fresh 8 MB arrays (page
    faults) per operation. Where the repair recomputes most of a block (sinc' on
    |x| < 4.87), the formula runs only on the other elements. Element-wise, so the values
    are those of one call on the whole array, bit for bit."""
    def run(part, out=None):
        if repair is None:
            return body(part, out)
        safe, holes, patches, limits, tiles, *reached = repair
        mask = _to_repair(part, safe, holes)
        if mask is None:
            return body(part, out)
        # index arrays, not boolean masks: x[mask] with a mask that changes at random
        # takes three times as long as flatnonzero and take together
        index = np.flatnonzero(mask)
        if 2 * index.size <= part.size:
            return _repair_at(body(part, out), part, index, body, patches, limits, tiles,
                              *reached)
        # most of the block is recomputed: the formula runs on the rest only
        result = np.empty(part.shape, dtype=np.float64) if out is None else out
        kept = np.flatnonzero(~mask)
        if kept.size:
            result.reshape(-1)[kept] = body(part.reshape(-1).take(kept))
        return _repair_at(result, part, index, body, patches, limits, tiles, *reached)

    if values.size <= BLOCK or values.dtype != np.float64:
        return run(values)
    flat = values.reshape(-1)
    out = np.empty(flat.shape, dtype=np.float64)
    for start in range(0, flat.size, BLOCK):
        target = out[start:start + BLOCK]
        result = run(flat[start:start + BLOCK], target)
        if result is not target:
            target[...] = result
    return out.reshape(values.shape)


def _finish(result, values, dtype, scalar):
    """Broadcast (a constant derivative is one number), cast back, unwrap scalars; never
    the caller's own array (the identity's formula is x itself)."""
    if np.shape(result) != values.shape or not isinstance(result, np.ndarray):
        result = np.full(values.shape, result, dtype=np.float64)
    elif result is values:
        result = result.copy()
    if result.dtype != dtype:
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


def _exact_variable(u):
    """Whether u's float value is x itself or a float constant: x, or x clipped by Max
    and Min at floats (hard_swish' evaluates its middle piece on clip(x, -3, 3))."""
    if u.is_Symbol:
        return True
    if not isinstance(u, (sp.Max, sp.Min)):
        return False
    variables = [a for a in u.args if not a.is_number]
    bounds = [a for a in u.args if a.is_number]
    return len(variables) == 1 and _exact_variable(variables[0]) and all(
        float_exact(b) for b in bounds)


class _Printer(SciPyPrinter):
    _in_sum = 0  # how many sums enclose the term being printed

    def _print_Add(self, expr, order=None):
        affine = self._affine(expr)
        if affine is not None:
            return affine
        self._in_sum += 1
        try:
            return super()._print_Add(expr, order)
        finally:
            self._in_sum -= 1

    def _affine(self, expr):
        """p/q x + b as ((x + b q/p) p)/q when b q/p is a float: SymPy spreads
        relu6(x + 3)/6 into x/6 + 1/2, which near x = -3 cancels the rounding of x/6;
        x + 3 is exact there (Sterbenz), and so hard_sigmoid is within an ULP. None for
        any other sum."""
        b, rest = expr.as_coeff_Add()
        a, u = rest.as_coeff_Mul()
        if not (b.is_Rational and b != 0 and a.is_Rational and _exact_variable(u)):
            return None
        p, q = a.p, a.q
        shift = b / a
        if q == 1 or not q & (q - 1) or max(abs(p), q) >= 2**53 or not float_exact(shift):
            return None
        sign = "-" if shift < 0 else "+"
        inner = f"({self._print(u)} {sign} {abs(float(shift))!r})"
        return f"{inner}/{float(q)!r}" if p == 1 else f"({inner}*{p})/{float(q)!r}"

    def _print_sigmoid(self, expr):
        if expr.args[0].is_nonpositive:  # sigma(-|x|) in sigma' and tanh'
            return f"_sigmoid_nonpositive({self._print(expr.args[0])})"
        return f"_sigmoid({self._print(expr.args[0])})"

    def _print_softplus(self, expr):
        return f"_softplus({self._print(expr.args[0])})"

    def _print_Phi(self, expr):
        return f"_ndtr({self._print(expr.args[0])})"

    def _print_erfc(self, expr):
        return f"_erfc({self._print(expr.args[0])})"

    _print_Erfc = _print_erfc

    def _print_LambertW(self, expr):
        return f"_lambertw({self._print(expr.args[0])})"

    def _module_format(self, fqn, register=True):
        if fqn.startswith("scipy.special."):  # long-double inputs in the repair pass
            return "special." + fqn[len("scipy.special."):]
        return super()._module_format(fqn, register)

    def _print_Abs(self, expr):
        # not the builtin abs: an activation may be named abs, and a ufunc can work in place
        return f"numpy.absolute({self._print(expr.args[0])})"

    def _print_log(self, expr):
        return f"{self._module_format('numpy.log')}({self._print(expr.args[0])})"

    def _print_log1p(self, expr):
        return f"{self._module_format('numpy.log1p')}({self._print(expr.args[0])})"

    def _print_Mul(self, expr):
        """c*u with c = p/q (q not a power of 2) as (p*u)/q: (x + 3)/6 at a kink is exact,
        (x + 3)*0.16666666666666666 need not be."""
        coefficient, rest = expr.as_coeff_Mul()
        q = coefficient.q if coefficient.is_Rational else 1
        exact = q < 2**53 and abs(coefficient.p) < 2**53 if q != 1 else False
        # outside a sum, c*x rounds once after c's own tiny rounding and (p*x)/q twice
        # (rrelu's 11x/48); in a sum (x/6 + 1/2 near x = -3) c*x's error would cancel out
        bare = (rest.is_Symbol or rest.is_Pow and rest.base.is_Symbol) and not self._in_sum
        if exact and not bare and q & (q - 1) and rest != 1:
            return f"({self._print(coefficient.p * rest)})/{float(q)!r}"
        # otherwise (SELU's 31-digit lambda) the coefficient is one correctly rounded float
        return super()._print_Mul(expr)

    def _print_Pow(self, expr):
        """Small integer powers by multiplication and division (numpy's x**3 and x**-2 go
        through pow, 14 ms per 1e6 values, x**2 * x 0.2): their two or three roundings stay
        within the bound, where pow rounds once (softsign' 2.76 ULP against 2.44; see
        _power). Parenthesised whole: a/b**3 must not print as a/b**2*b."""
        base, exponent = expr.args
        if isinstance(base, hypot) and base.args[0].is_number and exponent.is_Integer \
                and exponent % 2 and abs(exponent) <= 9:
            return self._print_hypot_power(base, exponent)
        if exponent.is_Integer and 1 < exponent <= 4:
            b = self._print(base)
            square = f"numpy.square({b})"
            powers = {2: square, 3: f"({square} * ({b}))", 4: f"numpy.square({square})"}
            return powers[int(exponent)]
        if exponent.is_Integer and -4 <= exponent <= -2:
            return f"_power({self._print(base)}, {2 * int(exponent)})"
        if exponent == -1:
            return f"1/({self._print(base)})"
        return super()._print_Pow(expr)

    def _print_hypot_power(self, base, exponent):
        """hypot(c, u)^n (n odd) as s^(n/2), s = u^2 + c^2, by a square root and products
        (isru' = (1 + x^2)^(-3/2) as 1/(s sqrt s); see _power)."""
        c, u = base.args
        square = self._print(u**2 + c**2)
        if exponent == 1:
            return f"{self._module_format('numpy.sqrt')}({square})"
        return f"_power({square}, {int(exponent)})"

    def _print_hypot(self, expr):
        """hypot(c, u) with a constant c as sqrt(u^2 + c^2), three times faster than
        numpy.hypot and within 1 ULP; where u^2 overflows, the probe sends the input to
        the long-double recompute, whose exponent range holds it."""
        c, u = expr.args
        if not c.is_number:
            return f"numpy.hypot({self._print(c)}, {self._print(u)})"
        return f"numpy.sqrt({self._print(u**2 + c**2)})"

    def _print_Rational(self, expr):
        return repr(float(expr))  # correctly rounded, unlike p/q with 15 printed digits

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Max(self, expr):
        return (self._clip(expr, sp.Min) or self._one_sided_clip(expr, "lower")
                or self._extremum("numpy.maximum", expr.args))

    def _print_Min(self, expr):
        return (self._clip(expr, sp.Max) or self._one_sided_clip(expr, "upper")
                or self._extremum("numpy.minimum", expr.args))

    def _one_sided_clip(self, expr, side):
        """Max(c, u) as numpy.clip(u, c, inf), Min(c, u) as numpy.clip(u, -inf, c): NumPy's
        clip loop takes 0.23 ms per 1e6 values, numpy.maximum(0, x) 0.63 (0.45 with the
        number second); like maximum(c, u) it keeps u where u equals c (relu(-0.0) is -0.0,
        as in PyTorch) and NaN."""
        numbers = [a for a in expr.args if a.is_number]
        rest = [a for a in expr.args if not a.is_number]
        if len(numbers) != 1 or len(rest) != 1 or not numbers[0].is_finite:
            return None
        bound, u = self._print(numbers[0]), self._print(rest[0])
        if side == "lower":
            return f"numpy.clip({u}, {bound}, numpy.inf)"
        return f"numpy.clip({u}, -numpy.inf, {bound})"

    def _clip(self, expr, inner_kind):
        """Min(b, Max(a, u)) or Max(a, Min(b, u)) with numbers a < b as numpy.clip: one
        pass instead of two (hard_tanh, relu6), NaN kept."""
        numbers = [a for a in expr.args if a.is_number]
        inner = [a for a in expr.args if isinstance(a, inner_kind)]
        if len(expr.args) != 2 or len(numbers) != 1 or len(inner) != 1 or len(inner[0].args) != 2:
            return None
        bounds = [a for a in inner[0].args if a.is_number]
        (u,) = [a for a in inner[0].args if not a.is_number] or [None]
        if len(bounds) != 1 or u is None:
            return None
        low, high = (bounds[0], numbers[0]) if inner_kind is sp.Max else (numbers[0], bounds[0])
        if not bool(low < high):
            return None
        return f"numpy.clip({self._print(u)}, {self._print(low)}, {self._print(high)})"

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
        if all(value.is_number and value.is_finite for value, _ in expr.args):
            return self._cumulative_steps(expr) or self._step(expr)
        *branches, (last_value, last_condition) = expr.args
        if last_condition != sp.true:
            branches.append((last_value, last_condition))
            last_value = sp.nan
        code = self._print(last_value)
        for value, condition in reversed(branches):
            code = f"_where({self._print(condition)}, {self._print(value)}, {code})"
        return code

    def _cumulative_steps(self, expr):
        """A step function of x as _steps(x, value on the left, ((point, inclusive, jump),
        ...)): a comparison pass per step, where the masks-times-constants form needs
        several. Only when each partial sum, in the order _steps adds, is exactly the value
        on its interval (leaky_relu' = 0.01 + 0.99 [x > 0]: 1.0); else None."""
        relations = set().union(*[c.atoms(sp.core.relational.Relational) for _, c in expr.args])
        if not relations or not all(r.lhs == x and r.rhs.is_number and r.rhs.is_real
                                    and not isinstance(r, (sp.Eq, sp.Ne)) for r in relations):
            return None
        points = sorted({r.rhs for r in relations})
        probes = ([points[0] - 1] + [(a + b) / 2 for a, b in zip(points, points[1:])]
                  + [points[-1] + 1])
        between = [expr.subs(x, t) for t in probes]
        at = [expr.subs(x, t) for t in points]
        if not all(v.is_number and v.is_finite for v in between + at):
            return None
        total, steps = float(between[0]), []
        for point, value, left, right in zip(points, at, between, between[1:]):
            if right == left:
                if value != left:
                    return None
                continue
            if value not in (left, right):
                return None  # a value of its own at the point
            threshold = float(point)
            inclusive = value == right
            if sp.Rational(threshold) != point:
                threshold, inclusive = _next_float(point, 1), True
            jump = float(right - left)
            total += jump
            if total != float(right):
                return None
            steps.append(f"({threshold!r}, {inclusive}, {jump!r})")
        nonzero = sum(1 for value, _ in expr.args if value != 0)
        if not steps or len(steps) > 1 and nonzero < 2:
            # one value on an interval (hard_tanh' = [|x| < 1]) is one mask for the masks form,
            # cheaper than a pass per step (measured)
            return None
        return f"_steps(x, {float(between[0])!r}, ({', '.join(steps)},))"

    def _step(self, expr):
        """A piecewise constant as a sum of comparisons times constants: exact (one term
        is the value, the others 0) and branch-free, unlike numpy.where on random signs.
        NaN gets 0 here; the repair pass gives it NaN."""
        terms, earlier = [], []
        for value, condition in expr.args:
            holds = sp.And(condition, *[sp.Not(c) for c in earlier])
            earlier.append(condition)
            if value == 0 or holds == sp.false:
                continue
            mask = "numpy.ones_like(x, dtype=bool)" if holds == sp.true else self._print(holds)
            terms.append(f"({mask}) * {float(value)!r}" if value != 1 else f"_float({mask})")
        return " + ".join(terms) if terms else "0.0"


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


def _body_source(expr, name, arguments=("x",), printer_class=None, output=False):
    """Straight-line Python for expr(arguments): common subexpressions named t0, t1, ...,
    temporaries reused in place (in_place); with output, an argument `out` that the last
    operation writes into when it is a ufunc (else the caller copies the result)."""
    printer = (printer_class or _Printer)({"fully_qualified_modules": True,
                                           "allow_unknown_functions": False})
    definitions, (result,) = sp.cse(expr, symbols=sp.numbered_symbols("t"), order="none")
    definitions, result = _inline_conditions(definitions, result)
    signature = ", ".join(arguments) + (", out=None" if output else "")
    lines = [f"def {name}({signature}):"]
    for symbol, value in definitions:
        lines.append(f"    {symbol} = {printer.doprint(_fold_constants(value))}")
    lines.append(f"    return {printer.doprint(_fold_constants(result))}")
    return in_place("\n".join(lines) + "\n", output)


def _inline_conditions(definitions, result):
    """cse's definitions with the conditions (comparisons and their combinations) put back
    where they are used: the Piecewise printer reads a condition on x, not a name."""
    inline, kept = {}, []
    for symbol, value in definitions:
        value = value.xreplace(inline)
        if isinstance(value, sp.logic.boolalg.Boolean):
            inline[symbol] = value
        else:
            kept.append((symbol, value))
    return kept, result.xreplace(inline)


_OPERATORS = {ast.Add: "numpy.add", ast.Sub: "numpy.subtract", ast.Mult: "numpy.multiply",
              ast.Div: "numpy.divide", ast.Pow: "numpy.power"}


class _InPlace(ast.NodeTransformer):
    """Calls of ufuncs with a temporary argument, and arithmetic with a temporary
    operand, rewritten as _into(...), which writes the result over the temporary. A
    temporary is the value of a call of a numpy or scipy.special function (through
    `special`) or of an arithmetic operation: a fresh array that no name refers to."""

    def visit_Call(self, node):
        self.generic_visit(node)
        if _is_clip(node.func) and len(node.args) == 3 \
                and not node.keywords and _fresh(node.args[0]):
            return ast.Call(ast.Name("_clip", ast.Load()), node.args, [])
        function = _ufunc(node.func)
        if function is None or function.nout != 1 or node.keywords \
                or len(node.args) != function.nin or function.nin > 2:
            return node
        if function.nin == 1 and _fresh(node.args[0]):
            return ast.Call(ast.Name("_into", ast.Load()), [node.func, node.args[0]], [])
        if function.nin == 2 and _fresh(node.args[0]):
            return ast.Call(ast.Name("_into", ast.Load()), [node.func, *node.args], [])
        if function.nin == 2 and _fresh(node.args[1]):
            return ast.Call(ast.Name("_into", ast.Load()), [node.func, node.args[1], node.args[0]],
                            [ast.keyword("fresh_first", ast.Constant(False))])
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.USub) and _fresh(node.operand):
            function = ast.parse("numpy.negative", mode="eval").body
            return ast.Call(ast.Name("_into", ast.Load()), [function, node.operand], [])
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if type(node.op) not in _OPERATORS:
            return node
        function = ast.parse(_OPERATORS[type(node.op)], mode="eval").body
        if _fresh(node.left):
            return ast.Call(ast.Name("_into", ast.Load()), [function, node.left, node.right], [])
        if _fresh(node.right):
            return ast.Call(ast.Name("_into", ast.Load()), [function, node.right, node.left],
                            [ast.keyword("fresh_first", ast.Constant(False))])
        return node


def _ufunc(node):
    """The numpy ufunc a call's function node names (numpy.NAME), else None. SciPy's
    functions are called through `special`, whose wrappers take no `out`."""
    if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "numpy"):
        return None
    target = getattr(np, node.attr, None)
    return target if isinstance(target, np.ufunc) else None


def _fresh(node):
    """Whether the node's value is a new array (or a number) that no name refers to."""
    if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare)):
        return True  # a comparison's boolean array too: _into gives a float result its own
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in _TAKE_OUT  # helpers that return a new float array
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "special":
        return True  # scipy.special through symact.numeric.special: a new array
    return isinstance(node, ast.Call) and (_ufunc(node.func) is not None or _is_clip(node.func))


def _is_clip(function):
    """Whether a call's function node is numpy.clip (not a ufunc, but it takes out=)."""
    return ast.unparse(function) == "numpy.clip"


_TAKE_OUT = {"_into", "_steps", "_softplus", "_sigmoid", "_sigmoid_nonpositive", "_where",
             "_float", "_clip", "_power"}


def in_place(source, output=False):
    """The body source with temporaries reused (same operations in the same order, so
    the same values bit for bit); with output, the returned value computed in the
    argument `out`, and so is the chain of temporaries it is written over."""
    tree = _InPlace().visit(ast.parse(source))
    if output:
        (function,) = tree.body
        value = _into_out(function.body[-1].value)
        if value is not None:
            function.body[-1].value = value
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _into_out(node):
    """node computing its value in `out`, and the temporary it is written over computed
    there first (x + 3 -> clip -> times x all in `out`): one block's working set is then
    the input and `out`, which stay in cache (hard_swish: 100 us a block against 125 with
    a third array). Only along that one chain: another operand is evaluated after it has
    been written, into memory of its own. None for a node that cannot take out=."""
    out = ast.keyword("out", ast.Name("out", ast.Load()))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        function = ast.parse(_OPERATORS[type(node.op)], mode="eval").body
        return ast.Call(function, [node.left, node.right], [out])
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return ast.Call(ast.parse("numpy.negative", mode="eval").body, [node.operand], [out])
    if not isinstance(node, ast.Call) or any(k.arg != "fresh_first" for k in node.keywords):
        return None
    helper = node.func.id if isinstance(node.func, ast.Name) else None
    ufunc = _ufunc(node.func)
    if helper in ("_into", "_clip"):
        index = 1 if helper == "_into" else 0
        written = _into_out(node.args[index])
        if written is not None:
            node.args[index] = written
    elif not (helper in _TAKE_OUT or _is_clip(node.func) or ufunc is not None
              and ufunc.nout == 1 and len(node.args) == ufunc.nin):
        return None
    node.keywords.append(out)
    return node


def limits_at_infinity(expr):
    """(f(-oo), f(+oo)) as floats; NaN where the limit does not exist or is unknown."""
    from .limits import float_limit
    return float_limit(expr, -sp.oo), float_limit(expr, sp.oo)


def _piecewise_linear(expr):
    """Whether expr is max, min or where over linear pieces: float64 code for it cannot
    overflow or cancel where the result does not, so it needs no root patches."""
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
    return all(p.is_polynomial(x) and sp.degree(p, x) <= 1 for p in pieces)


# the helpers a printed body may call, shared with the vector code (symact.vector_numeric)
BODY_HELPERS = {"_ndtr": _ndtr, "_erfc": _erfc, "_lambertw": _lambertw, "special": special,
                "_where": _where, "_sigmoid": _sigmoid,
                "_clip": _clip, "_float": _float, "_softplus": _softplus, "_steps": _steps,
                "_into": _into, "_sigmoid_nonpositive": _sigmoid_nonpositive, "_power": _power}
_NAMESPACE = {"numpy": np, **BODY_HELPERS, "_blocks": _blocks,
              "_tiles": _tiles, "_prepare": _prepare, "_repair": _repair, "_finish": _finish}


def import_line(names):
    """`from symact.numeric import (...)` for the sorted names, wrapped at 90 columns."""
    line, lines = "from symact.numeric import (", []
    for name in sorted(names):
        piece = f"{name}, "
        if len(line) + len(piece) > 90:
            lines.append(line.rstrip())
            line = " " * len("from symact.numeric import (")
        line += piece
    lines.append(line.rstrip(", ") + ")")
    return "\n".join(lines) + "\n"


def _specials_ok(body, limits):
    """Whether the body already gives NaN for NaN and the limits at +-inf. Every
    generated operation is element-wise, so a probe of the three decides it for all."""
    wanted = [math.nan, limits[1], limits[0]]
    with np.errstate(all="ignore"):
        got = np.broadcast_to(body(np.array([math.nan, math.inf, -math.inf])), (3,))
    return all((math.isnan(w) and math.isnan(g)) or g == w for w, g in zip(wanted, got))


def _operations(body):
    """How many array operations (calls, arithmetic, comparisons) a body source performs."""
    kinds = (ast.Call, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp)
    return sum(isinstance(node, kinds) and not (isinstance(node, ast.UnaryOp)
                                                and isinstance(node.operand, ast.Constant))
               for node in ast.walk(ast.parse(body)))


def _floats(value):
    """repr of nested tuples of floats that reads back without numpy (inf, nan spelled out)."""
    if isinstance(value, tuple):
        inner = ", ".join(_floats(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value) if math.isfinite(value) else f"float('{value}')"


def source(expr, name):
    """Python source of a NumPy function computing expr(x), with its module header."""
    return _build(expr, name)[0]


def _plan(expr, form, body_name, limits):
    """(body source, compiled body, root patches, their intervals, (safe, holes) or None)
    for evaluating expr by `form`: an expression, or (fast, split) from fraction_forms,
    whose body runs fast in float64 and split in long double (the repair), with a Taylor
    patch at every root."""
    if isinstance(form, tuple):
        fast, split = form
        split_name = body_name.removesuffix("_body") + "_split_body"
        head, rest = _body_source(fast, body_name, output=True).split("\n", 1)
        body = (_body_source(split, split_name) + "\n\n" + head + "\n"
                f"    if x.dtype == numpy.longdouble:  # the repair: no power of e^u above 1\n"
                f"        return {split_name}(x)\n" + rest)
    else:
        body = _body_source(form, body_name, output=True)
    namespace = dict(_NAMESPACE)
    exec(compile(body, f"<symact {body_name}>", "exec"), namespace)  # printed from SymPy
    compiled_body = namespace[body_name]
    linear = not isinstance(form, tuple) and _piecewise_linear(form)
    patches, spans = ((), ()) if linear else root_patches(expr, compiled_body)
    if isinstance(form, tuple) and not patches:
        patches = taylor_at_roots(expr, compiled_body)
    covered = [(hi - radius, hi + radius) for hi, _, radius, _ in patches]
    regions = repair_regions(compiled_body, _specials_ok(compiled_body, limits),
                             covered, spans)
    return body, compiled_body, patches, covered, regions


def _no_worse(candidate, plan, body_name):
    """Whether the plan `candidate` (a fraction of e^u) costs no more than `plan` (the
    stable form) on both counts: its body's passes, and the share of typical inputs its
    tiles take (inputs in a patch's interval get the patch, not tiles). mish''s fraction
    body counts 18 passes against its stable body's 25 (5.6 ms per 1e6 values against
    11.3), and its tiles take 8.4 % of typical inputs against 11 %."""
    def tiled(regions, covered):
        if regions is None:
            return 0.0
        share = 0.0
        for low, high in regions[1]:
            share += typical_share(low, high)
            for lo, hi in covered:  # patches of one plan do not overlap
                share -= typical_share(max(low, lo), min(high, hi))
        return share
    return (_passes(candidate[0], body_name) <= _passes(plan[0], body_name)
            and tiled(candidate[4], candidate[3]) <= tiled(plan[4], plan[3]))


# a helper's cost in passes of an add over one block (median of 301 calls on N(0, 25)
# inputs): counted as one operation, _sigmoid would look as cheap as an add
HELPER_PASSES = {"_sigmoid": 11, "_sigmoid_nonpositive": 4, "_softplus": 7, "_where": 5,
                 "_ndtr": 40, "_erfc": 40, "_lambertw": 500}


def _passes(body, name):
    """The array operations of the function `name` in the source `body` (not those of the
    long-double form a fraction's body defines beside it), a call of a helper in
    HELPER_PASSES counted as its passes."""
    (function,) = [node for node in ast.parse(body).body
                   if isinstance(node, ast.FunctionDef) and node.name == name]
    calls = [node.func.id for node in ast.walk(function)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]
    return (_operations(ast.unparse(function))
            + sum(HELPER_PASSES.get(call, 1) - 1 for call in calls))


def _build(expr, name):
    if not name.isidentifier() or keyword.iskeyword(name) or name in _NAMESPACE:
        raise SymactError(f"{name!r} is not usable as a function name")
    expr = sp.sympify(expr)
    extra = expr.free_symbols - {x}
    if extra:
        raise SymactError(
            f"cannot generate numeric code with unset symbols {sorted(map(str, extra))}")
    limits = limits_at_infinity(expr)
    body_name = f"_{name}_body"
    plan = _plan(expr, rewrite_stable(expr), body_name, limits)
    body, compiled_body, patches, covered, regions = plan
    forms = attempt(fraction_forms, expr, seconds=FRACTION_SECONDS)
    if forms is not None and (patches or regions is not None and regions[1]
                              or loose_at_roots(expr, compiled_body)):
        candidate = _plan(expr, forms, body_name, limits)
        if _no_worse(candidate, plan, body_name) and not scattered_misses(
                candidate[1], candidate[4][1] if candidate[4] else (), FRACTION_PROBE):
            body, compiled_body, patches, covered, regions = candidate
    header = (
        "import numpy\n"
        + import_line(set(_NAMESPACE) - {"numpy"}) + "\n"
        f"LIMITS = {_floats(limits)}  # f(-inf), f(+inf)\n")
    # a body with a repair pass is blocked from one operation on: the pass's reductions
    # then read the block from cache
    operations = _operations(body)
    blocked = operations >= BLOCK_MIN_OPERATIONS or operations and regions is not None
    repair = ""
    evaluate = f"        result = {body_name}(x)\n"
    reached = (-math.inf, math.inf)
    if regions is not None:
        safe, holes = regions
        reached = reached_limits(expr, compiled_body, limits, safe)
        # inputs beyond reached go to the repair pass, which gives them the limit
        safe = (max(safe[0], reached[0]), min(safe[1], reached[1]))
        header += (
            "# Inputs recomputed in long double (where the float64 formula loses bits):\n"
            "# outside SAFE and inside HOLES (open intervals)\n"
            f"SAFE = {_floats(safe)}\nHOLES = {_floats(tuple(holes))}\n"
            "# Taylor polynomials at roots where the formula cancels: (root hi, root lo, "
            "radius, coefficients)\n"
            f"PATCHES = {_floats(patches)}\n"
            "# Polynomials on the holes' tiles: (start, width, coefficients per tile)\n"
            f"TILES = _tiles({_floats(hole_tiles(expr, holes, covered))})\n")
        tail = ""
        if reached != (-math.inf, math.inf):
            header += ("# Beyond these the function is its limit (where the long-double "
                       "formula fails)\n"
                       f"REACHED = {_floats(reached)}\n")
            tail = ", REACHED"
        repair = (f"        result = _repair(result, x, {body_name}, SAFE, HOLES, PATCHES, "
                  f"LIMITS, TILES{tail})\n")
    if blocked:
        extra = f", (SAFE, HOLES, PATCHES, LIMITS, TILES{tail})" if repair else ""
        evaluate, repair = f"        result = _blocks(x, {body_name}{extra})\n", ""
    wrapper = (
        f"def {name}(x):\n"
        f'    """{name}(x), generated by symact from {sp.sstr(expr)[:200]!r}."""\n'
        f"    x, dtype, scalar = _prepare(x)\n"
        f"    with numpy.errstate(all=\"ignore\"):\n"
        f"{evaluate}"
        f"{repair}"
        f"    return _finish(result, x, dtype, scalar)\n"
    )
    code = header + "\n\n" + body + "\n\n" + wrapper
    return code, limits


@functools.lru_cache(maxsize=512)
def compile_function(expr, name):
    """A vectorised callable for expr(x); its source is kept as `.source`. Cached: the
    root search and limits cost seconds."""
    code, limits = _build(expr, name)
    namespace = dict(_NAMESPACE)
    exec(compile(code, f"<symact {name}>", "exec"), namespace)  # printed from a SymPy tree
    function = namespace[name]
    function.source = code
    function.limits = limits
    return function
