"""Polynomials that replace a float formula where it loses digits.

Taylor patches around roots where the formula cancels (x - tanh x at 0, gelu' at its
minimum): near such a root, every float evaluation of the formula loses the digits the
root cancels, so the generated code switches to the Taylor polynomial at the root,
computed at 60 digits, within a radius where the polynomial is correct to 2^-56. Found
automatically for any expression: roots are located from sign changes at 60 digits, and a
patch is made only where the compiled formula measurably misses the accuracy bound.

A patch reaches at most PATCH_REACH (or two tiles); the stretch around a root where a
dense check against mpmath finds the formula missing is made a hole (symact.probe). A
hole is cut into at most MAX_TILES intervals of one power-of-two width, each with the
polynomial interpolating the function at Chebyshev nodes at 60 digits, of the lowest
degree in TILE_DEGREES that matches the function to 2^-55 (beyond its constant term's
rounding) on a check grid over its interval outside the patches. A table lookup and a few
multiply-adds in float64 cost a fraction of a higher-degree patch or of recomputing the
formula in long double.
"""
import math

import mpmath
import numpy as np
import sympy as sp

from .accuracy import BOUND_ULPS, Reference, ulp_error
from .probe import bad_inputs, typical_share
from .symbols import x

SEARCH = (-20, 20)
DEGREES = (8, 12, 16, 24, 32)
RADII = [2.0**(-k / 2) for k in range(0, 32)]


def _roots(value):
    """Real roots of the function in SEARCH, to 40 digits."""
    with mpmath.workdps(60):
        points = [mpmath.mpf(k) / 8 for k in range(SEARCH[0] * 8, SEARCH[1] * 8 + 1)]
        values = []
        for p in points:
            try:
                values.append(mpmath.re(value(p)))
            except (ValueError, ZeroDivisionError):
                values.append(None)
        roots = []
        for (a, fa), (b, fb) in zip(zip(points, values), zip(points[1:], values[1:])):
            if fa is None or fb is None:
                continue
            if fa == 0:
                roots.append(a)
            elif fa * fb < 0:
                try:
                    root = mpmath.findroot(lambda t: mpmath.re(value(t)), (a, b),
                                           solver="anderson")
                except (ValueError, ZeroDivisionError):
                    continue
                if a <= root <= b:
                    roots.append(root)
        return roots


def _missed_offsets(body, reference, root, dtype=np.float64, conditioned=True):
    """Offsets d from root (|d| = scale 2^-k, k in quarter steps, then down to the
    subnormals) where the formula evaluated in dtype exceeds the accuracy bound (without
    conditioned, BOUND_ULPS alone)."""
    scale = max(1.0, abs(float(root)))
    exponents = [k / 4 for k in range(-4, 240)] + list(range(64, 1074, 16))
    offsets = np.array([sign * scale * 2.0**-k for k in exponents for sign in (1, -1)])
    points = float(root) + offsets
    with np.errstate(all="ignore"):
        got = np.broadcast_to(body(points.astype(dtype)), points.shape).astype(np.float64)
    missed = []
    for offset, point, value in zip(offsets, points, got):
        t, allowed = reference.at(point)
        if t is not None and ulp_error(value, t) > (allowed if conditioned else BOUND_ULPS):
            missed.append(float(offset))
    return missed


def _patch(value, root, needed):
    """(hi, lo, radius, coefficients) of the Taylor polynomial at root of the lowest degree
    whose radius reaches `needed` (the farthest input the formula misses), else the one
    with the largest radius, or None. No wider than needed: every input within the radius
    pays for the polynomial and the mask, including those the formula gets right."""
    found = []
    for degree in DEGREES:
        patch = _taylor(value, root, degree)
        if patch is not None:
            if patch[2] >= needed:
                return patch[:2] + (_radius_reaching(needed, patch[2]),) + patch[3:]
            found.append(patch)
    return max(found, key=lambda p: p[2]) if found else None


def _radius_reaching(needed, largest):
    """The smallest of RADII that is at least `needed` (at most `largest`)."""
    return min((r for r in RADII if needed <= r <= largest), default=largest)


def _taylor(value, root, degree):
    """(hi, lo, radius, coefficients) of the degree-n Taylor polynomial at root, or None."""
    with mpmath.workdps(120):  # away from cancellation, one evaluation at 120 digits is exact
        try:
            coefficients = mpmath.taylor(value.raw, root, degree)
        except (ValueError, ZeroDivisionError):
            return None
    with mpmath.workdps(60):
        coefficients = [mpmath.re(c) for c in coefficients]
        coefficients[0] = mpmath.mpf(0)  # root is a root: the constant term is 0 exactly

        def polynomial(d):
            return mpmath.polyval(coefficients[::-1], d)

        for radius in RADII:
            ok = True
            for d in (radius, -radius, radius / 2, -radius / 2):
                t = mpmath.re(value(root + d))
                if abs(polynomial(d) - t) > abs(t) * mpmath.mpf(2) ** -56:
                    ok = False
                    break
            if ok:
                hi = float(root)
                lo = float(root - mpmath.mpf(hi))
                largest = max(abs(c) for c in coefficients)
                # coefficients that should be 0 come out of numeric differentiation as
                # noise 1e-120 below the others: printed as 0
                return hi, lo, radius, tuple(
                    float(c) if abs(c) > largest * mpmath.mpf(2) ** -200 else 0.0
                    for c in coefficients)
    return None


def _split_by_conditions(expr):
    """Whether expr has cases split by conditions in x other than Eq and Ne: roots at
    branch boundaries are kinks, not cancellations."""
    return any(rel.has(x) and not isinstance(rel, (sp.Eq, sp.Ne))
               for pw in expr.atoms(sp.Piecewise) for _, c in pw.args
               for rel in c.atoms(sp.core.relational.Relational))


def loose_at_roots(expr, body):
    """Whether body is off by more than BOUND_ULPS somewhere near a root of expr in SEARCH,
    where the bound's conditioning allowance, which grows without limit towards the root,
    still covers it: silu''s stable form is up to 1180 ULP off near its root with NumPy's
    float64 exp without AVX-512, within the bound, and gets no patch; a form with a Taylor
    patch at the root (symact.exp_fraction) does better there."""
    if _split_by_conditions(expr):
        return False
    reference = Reference(expr)
    return any(_missed_offsets(body, reference, root, conditioned=False)
               for root in _roots(reference.value))


def root_patches(expr, body):
    """(patches, spans) for expr around every root in SEARCH where body (its float code)
    misses the accuracy bound. A patch is (root hi, root lo, Taylor radius, Taylor
    coefficients), at most PATCH_REACH (or two tiles) wide; its span (low, high) reaches
    on each side half as far again as the farthest input on that side where a dense check
    against mpmath finds the formula missing (gelu' misses down to -1.64, and above its
    root only close to it), and becomes a hole (symact.probe), where tiles take over from
    the patch."""
    if _split_by_conditions(expr):
        # a branch that holds at isolated points fills removable singularities (sinc's
        # x = 0), where the other branch cancels as it would at any root: (cos x - sin x
        # / x)/x is 0 at 3e-19
        return (), ()
    reference = Reference(expr)
    patches, spans = [], []
    for root in _roots(reference.value):
        missed = _missed_offsets(body, reference, root)
        left, right = _farthest_miss(body, reference, float(root))
        left = max([left] + [-d for d in missed if d < 0])
        right = max([right] + [d for d in missed if d > 0])
        if not (left or right):
            continue
        # close to the root misses are sporadic on both sides (gelu' misses 0.018 above
        # its root, and 0.88 below it but nowhere farther above): each side reaches at
        # least as far as the other within NEAR_ROOT
        near = min(max(left, right), NEAR_ROOT)
        low, high = float(root) - 1.5 * max(left, near), float(root) + 1.5 * max(right, near)
        # beyond PATCH_REACH the misses are left to the span's tiles, cheaper per input;
        # but the patch covers two tiles each way: a tile fitted next to the root would
        # have to be accurate relative to values near 0
        tile = _tiling(low, high)[1]
        nearest_reach = max(map(abs, missed)) if missed else max(left, right)
        patch = _patch(reference.value, root, max(min(nearest_reach, PATCH_REACH), 2 * tile))
        if patch is not None:
            patches.append(patch)
            spans.append((min(low, float(root) - patch[2]), max(high, float(root) + patch[2])))
    return tuple(patches), tuple(spans)


def taylor_at_roots(expr, body, window=1.0, dense=1 << 14):
    """A Taylor patch at every root in SEARCH, whether or not `body` misses the bound
    there: one fraction of e^u (symact.exp_fraction) meets it, but its numerator cancels
    at the roots, so its relative error grows like 1/|x - root| (silu': 346 ULP at worst
    within 1.5 of its root without a patch). Each patch reaches at least PATCH_REACH, and
    as far as `dense` inputs within `window` find body off its long-double value by NEAR_MISS
    of BOUND_ULPS, the conditioning allowance left out (silu': 4.7 ULP at 0.065 from the
    root with a patch of 1/16, 3.5 beyond 1/8)."""
    reference = Reference(expr)
    patches = []
    for root in _roots(reference.value):
        evenly = float(root) + window * np.linspace(-1, 1, dense)
        (off,) = _off_long_double(body, evenly, (BOUND_ULPS * NEAR_MISS, 0.0))
        needed = max([PATCH_REACH] + list(np.abs(off - float(root))))
        patch = _patch(reference.value, root, needed)
        if patch is not None:
            patches.append(patch)
    return tuple(patches)


def _off_long_double(body, points, *tolerances):
    """For each (ulps, share), the points where body in float64 is off its long-double
    value by more than that (symact.probe.bad_inputs); none where body has no long-double
    loop at all."""
    try:
        return [points[bad_inputs(body, points, ulps=u, share=s)] for u, s in tolerances]
    except TypeError:
        return [points[:0] for _ in tolerances]


def _farthest_miss(body, reference, root, window=1.0, samples=1500, dense=1 << 14,
                   suspects=600):
    """The farthest offsets (below the root, above it) within `window` where the float
    formula misses the accuracy bound against 50-digit mpmath. Rounding noise near a root
    makes misses sporadic (quick_gelu' once missed by 3 % at one input in 1500), so a few
    offsets per octave can step over them. Two searches: `dense` evenly spaced inputs
    compared with the formula in long double, and `samples` random inputs checked with
    mpmath (long double sees nothing where a function has no long-double loop: SciPy's
    ndtr, so gelu' there cancels the same way). Where the float formula is off the
    long-double one by more than half the bound, the input is a suspect, checked with
    mpmath from the farthest in; by more than NEAR_MISS of it, a miss: long double keeps
    the rounding of constants such as 1.702, which took quick_gelu' 7 % past the bound at
    -0.8106, where long double put it at 97 %, and sporadic misses lie between the dense
    inputs."""
    evenly = root + window * np.linspace(-1, 1, dense)
    suspect, near = _off_long_double(body, evenly, (BOUND_ULPS / 2, 0.5),
                                     (BOUND_ULPS * NEAR_MISS, NEAR_MISS))
    rng = np.random.default_rng(0)
    offsets = window * np.concatenate([rng.uniform(-1, 1, samples), np.geomspace(1e-9, 1, 60),
                                       -np.geomspace(1e-9, 1, 60)])
    farthest_first = np.argsort(np.abs(suspect - root))[::-1]
    points = np.concatenate([suspect[farthest_first[:suspects]], root + offsets])
    with np.errstate(all="ignore"):
        got = np.broadcast_to(body(points), points.shape)
    farthest = [float((root - near[near < root]).max(initial=0.0)),  # below the root
                float((near[near > root] - root).max(initial=0.0))]  # above it
    for point, value in zip(points, got):
        side, offset = int(point > root), abs(float(point - root))
        if offset <= farthest[side]:
            continue
        t, allowed = reference.at(point)
        if t is not None and ulp_error(value, t) > allowed:
            farthest[side] = offset
    return tuple(farthest)


PATCH_REACH = 1 / 16
NEAR_ROOT = 1 / 4
NEAR_MISS = 0.8
# Each tile takes the lowest of these degrees that fits; the table runs at its highest.
# Evaluation costs a coefficient lookup and a multiply-add per degree and input, so
# narrow tiles at a low degree beat wide ones at a high degree (mish' fits at degree 5 on
# tiles of 1/128) where inputs land. A hole that holds under TILED_FINELY of typical
# inputs (gelu_tanh's near -21) gets a quarter as many tiles from degree 8 on: its fits
# cost build time (60-digit evaluations), its lookups almost no run time.
TILE_DEGREES = (5, 6, 8, 14)
MAX_TILES = 512
TILED_FINELY = 1e-3
TILE_TOLERANCE = 2.0**-55


def hole_tiles(expr, holes, covered=()):
    """(start, step, rows) for each finite hole (low, high): rows[k] are the coefficients,
    in powers of x - (start + (k + 1/2) step), of a polynomial matching expr to
    TILE_TOLERANCE (relative) on [start + k step, start + (k + 1) step]; () where no
    such polynomial was found or the interval lies inside a root patch's `covered` one
    (those inputs keep the other repairs)."""
    value = Reference(expr).value
    tiles = []
    for low, high in holes:
        if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
            continue
        if any(lo <= low and high <= hi for lo, hi in covered):
            continue  # a patch's own interval: every input in it is the patch's
        start, step, count, degrees = _tiling(low, high)
        rows = []
        for k in range(count):
            a, b = start + k * step, start + (k + 1) * step
            inside = any(lo <= a and b <= hi for lo, hi in covered) or _too_small(value, a, b)
            rows.append(() if inside else next(
                (row for degree in degrees if (row := _tile(value, a, b, degree, covered))),
                ()))
        if any(rows):
            tiles.append((start, step, tuple(rows)))
    return tuple(tiles)


SMALLEST_TILED = 1e-290  # below, a tile's polynomial would lose bits to subnormals


def _too_small(value, a, b):
    """Whether the function is so small at the middle of [a, b] that float64 arithmetic
    there reaches the subnormals: those inputs keep the long-double formula (the tiles of
    x e^-(e^-x)' on (-6.63, -6.57), where it is below 1e-300, all failed, after 24 s)."""
    with mpmath.workdps(30):
        try:
            return abs(mpmath.re(value((mpmath.mpf(a) + b) / 2))) < SMALLEST_TILED
        except (ValueError, ZeroDivisionError):
            return False


def _tiling(low, high):
    """(start, step, count, degrees) of the tiles over the hole (low, high): the
    power-of-two width giving at most MAX_TILES tiles from a multiple of it, or a quarter
    as many where typical inputs rarely land, and the degrees to try on each."""
    fine = typical_share(low, high) >= TILED_FINELY
    most, degrees = (MAX_TILES, TILE_DEGREES) if fine else (MAX_TILES // 4, TILE_DEGREES[2:])
    step = 2.0 ** math.ceil(math.log2((high - low) / most))
    start = math.floor(low / step) * step
    count = math.ceil((high - start) / step)
    if count > most:  # the floored start can add one
        step *= 2
        start = math.floor(low / step) * step
        count = math.ceil((high - start) / step)
    return start, step, count, degrees


def _tile(value, a, b, n, covered=()):
    """Coefficients (powers of x - center, as floats) of the degree-n interpolant of value
    at Chebyshev nodes of [a, b], or () if, rounded to floats, it misses value by more
    than TILE_TOLERANCE (relative) plus the rounding of the constant term anywhere on a
    check grid three times as dense, outside the `covered` intervals of root patches."""
    with mpmath.workdps(60):
        center, half = (mpmath.mpf(a) + b) / 2, (mpmath.mpf(b) - a) / 2
        nodes = [mpmath.cos(mpmath.pi * (2 * j + 1) / (2 * n + 2)) for j in range(n + 1)]
        try:
            values = [mpmath.re(value(center + half * s)) for s in nodes]
            scaled = mpmath.lu_solve(mpmath.matrix([[s**k for k in range(n + 1)] for s in nodes]),
                                     mpmath.matrix(values))
        except (ValueError, ZeroDivisionError):
            return ()
        coefficients = [float(scaled[k] / half**k) for k in range(n + 1)]
        exact = [mpmath.mpf(c) for c in coefficients[::-1]]
        rounding = abs(exact[-1] - scaled[0])  # the constant term's, which no float avoids
        previous = None  # the truth at the last check point, None after a patch's interval
        for i in range(3 * n + 1):
            offset = half * (2 * mpmath.mpf(i) / (3 * n) - 1)
            if any(lo < center + offset < hi for lo, hi in covered):
                previous = None
                continue  # a root patch answers there (the relative error grows at a root)
            try:
                truth = mpmath.re(value(center + offset))
            except (ValueError, ZeroDivisionError):
                return ()
            if abs(mpmath.polyval(exact, offset) - truth) > abs(truth) * TILE_TOLERANCE + rounding:
                return ()
            # a root in the tile or at its end: float64's Horner sum keeps its absolute
            # error there, about an ulp of the tile's largest value, and loses every relative
            # digit (max(x, x/100) tiled on [-32, 0] gave -1.07e-14 at -1e-14, 8.6e17 ULP)
            if truth == 0 or previous is not None and (truth > 0) != (previous > 0):
                return ()
            previous = truth
    return tuple(coefficients)
