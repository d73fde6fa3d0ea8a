"""Where a compiled float64 formula needs help, found by probing the whole float64 line.

The formula is evaluated in float64 and in long double (64-bit significand, 15-bit
exponent) at a dense set of inputs; where they differ by more than 3.5 ULP (plus three quarters
of the conditioning allowance), float64 lost bits to an intermediate that overflowed,
underflowed or cancelled. The runs of such inputs become the tails outside a safe
interval and the holes (around a root, say) that the generated code recomputes in long
double. The probe decides where to look; the tests
decide whether the result is right (50-digit mpmath on the conventions' grid).
"""
import math

import numpy as np

from .accuracy import grid

MAX_HOLES = 4
FLOAT_MAX = float(np.finfo(np.float64).max)
# Beyond this magnitude a bad run joins the tail: inputs that large are rare, and the
# tail test costs two reductions where a hole costs a mask pass on every call.
FAR = 64.0
# Holes are merged by the share of typical inputs between them, weighed as N(0, 8^2)
# (pre-activations of a normalised network), which the merged hole would recompute.
TYPICAL_SCALE = 8.0
MERGE_BELOW = 0.01


def probe_points():
    """The test grid made denser, plus every power of 2^(1/8) from the subnormals to the
    overflow threshold, both signs: about 30,000 inputs."""
    powers = 2.0 ** (np.arange(-1074 * 8, 1024 * 8) / 8)
    powers = np.concatenate([powers[np.isfinite(powers)], [FLOAT_MAX]])
    dense = grid(per_decade=8, step=1 / 16, random_points=0)
    return np.unique(np.concatenate([dense, powers, -powers]))


STEP = 2.0**-24  # relative step of the finite difference that estimates x f'(x)


def bad_inputs(body, points, ulps=3.5, share=0.75):
    """Inputs where float64 misses the long-double value by more than `ulps` ULP plus
    `share` of the conditioning allowance of the accuracy bound (2 |x f'(x)| 2^-53, which
    no float formula avoids: exp(-x^2/2) inherits the rounding of x^2); the probe keeps a
    margin below the bound (4 ULP, all of it). Long double NaN means its formula has no
    long-double loop there: float64 is kept."""
    def evaluate(values, dtype):
        with np.errstate(all="ignore"):
            result = body(values.astype(dtype))
        return np.broadcast_to(result, values.shape)

    extended_points = points.astype(np.longdouble)
    with np.errstate(all="ignore"):
        single = evaluate(points, np.float64).astype(np.float64)
        precise = evaluate(points, np.longdouble)
        extended = precise.astype(np.float64)
        slope = (evaluate(extended_points * (1 + STEP), np.longdouble)
                 - evaluate(extended_points * (1 - STEP), np.longdouble)) / (2 * STEP)
        allowance = np.nan_to_num(np.abs(slope).astype(np.float64) * 2.0**-52,
                                  nan=0.0, posinf=0.0)
        tolerance = ulps * np.spacing(np.abs(extended)) + share * allowance
        agree = (single == extended) | (np.abs(single - extended) <= tolerance)
    return ~agree & ~np.isnan(extended)


REFINE = 256  # probe inputs added between neighbours where the value leaves the normal range
MAX_EDGES = 64  # more such neighbours are noise (a formula cancelling to 0 near a root)


def _refined(body, points, bad):
    """points and bad with REFINE inputs added between each pair of neighbours whose
    long-double values, rounded to float64, lie in different ranges (0, subnormal, normal,
    overflow): where a value leaves the normal range an intermediate often has already,
    and the stretch where float64 loses bits to it can fall between two probe inputs.
    (x e^-x + 1) e^-(e^-x), the derivative of x e^-(e^-x), was hundreds of ULP off on
    (-6.63, -6.56), between the probe's -6.625 and -6.5625."""
    with np.errstate(all="ignore"):
        values = np.broadcast_to(body(points.astype(np.longdouble)), points.shape)
        size = np.abs(values.astype(np.float64))
    kind = np.select([np.isnan(size), size == 0, size < np.finfo(np.float64).tiny,
                      np.isinf(size)], [4, 0, 1, 3], 2)
    left, right = kind[:-1], kind[1:]
    edges = np.flatnonzero((left != right) & (left != 4) & (right != 4))
    if edges.size == 0 or edges.size > MAX_EDGES:
        return points, bad
    fractions = np.arange(1, REFINE + 1) / (REFINE + 1)
    added = (points[edges, None] + (points[edges + 1] - points[edges])[:, None]
             * fractions).ravel()
    added = added[np.isfinite(added)]
    points = np.concatenate([points, added])
    bad = np.concatenate([bad, bad_inputs(body, added)])
    order = np.argsort(points, kind="stable")
    return points[order], bad[order]


def _runs(points, bad):
    """Maximal runs of bad points as open intervals between their good neighbours
    (-inf/+inf at the ends of the probe)."""
    intervals = []
    index, n = 0, len(points)
    while index < n:
        if not bad[index]:
            index += 1
            continue
        end = index
        while end + 1 < n and bad[end + 1]:
            end += 1
        low = points[index - 1] if index > 0 else -math.inf
        high = points[end + 1] if end + 1 < n else math.inf
        intervals.append((float(low), float(high)))
        index = end + 1
    return intervals


def _inside(points, intervals):
    """Mask of points inside any of the open intervals."""
    mask = np.zeros(np.shape(points), dtype=bool)
    for low, high in intervals:
        mask |= (points > low) & (points < high)
    return mask


def _widen(body, hole, covered=(), rounds=8, samples=2048):
    """A hole grown until 2048 random inputs on either side, each as wide as the hole,
    find no bad input outside the patches' intervals: near a root, rounding noise makes
    the bad inputs sporadic, and a fixed probe can step over them."""
    low, high = hole
    rng = np.random.default_rng(0)
    for _ in range(rounds):
        width = high - low
        left = rng.uniform(low - width, low, samples)
        right = rng.uniform(high, high + width, samples)
        bad_left = bad_inputs(body, left) & ~_inside(left, covered)
        bad_right = bad_inputs(body, right) & ~_inside(right, covered)
        if not bad_left.any() and not bad_right.any():
            break
        if bad_left.any():
            low = float(left[bad_left].min()) - width / 8
        if bad_right.any():
            high = float(right[bad_right].max()) + width / 8
    return low, high


def typical_share(low, high):
    """Share of typical inputs (N(0, TYPICAL_SCALE^2)) in (low, high)."""
    def cdf(t):
        return 0.5 * math.erfc(-t / (TYPICAL_SCALE * math.sqrt(2)))
    return max(cdf(high) - cdf(low), 0.0)


def _merge(holes):
    """Overlapping holes joined, and neighbours whose gap holds under 1 % of typical
    inputs (recomputing those costs less than one more mask pass); then the pair with the
    emptiest gap joined until MAX_HOLES remain."""
    merged = []
    for low, high in sorted(holes):
        if merged and typical_share(merged[-1][1], low) < MERGE_BELOW:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    while len(merged) > MAX_HOLES:
        gaps = [typical_share(a[1], b[0]) for a, b in zip(merged, merged[1:])]
        i = gaps.index(min(gaps))
        merged[i:i + 2] = [(merged[i][0], max(merged[i][1], merged[i + 1][1]))]
    return merged


def repair_regions(body, specials_ok, covered=(), spans=()):
    """(safe, holes) for a float64 body: safe = (low, high) outside which inputs are
    recomputed, holes = ((low, high), ...) open intervals inside it; None when nothing ever
    needs recomputing (specials_ok: NaN and +-inf already come out right). `covered` are
    (low, high) intervals handled by root patches and `spans` the stretches around them
    where the formula misses (symact.patches): both become holes as they are."""
    points = probe_points()
    try:
        bad = bad_inputs(body, points)
        points, bad = _refined(body, points, bad)
    except TypeError:  # a SciPy function without a long-double loop: nothing to gain
        bad = np.zeros(points.shape, dtype=bool)
    bad &= ~_inside(points, list(covered) + list(spans))
    low, high = -FLOAT_MAX, FLOAT_MAX  # NaN and +-inf always go to the repair
    holes = list(covered) + list(spans)
    for interval in _runs(points, bad):
        if interval[0] <= -FLOAT_MAX or interval[1] <= -FAR:  # a run reaching the ends, or far out, joins the tail
            low = max(low, interval[1])
        elif interval[1] >= FLOAT_MAX or interval[0] >= FAR:
            high = min(high, interval[0])
        elif interval[1] - interval[0] < 1e3:
            holes.append(_widen(body, interval, covered))
        else:
            holes.append(interval)
    if specials_ok and not holes and (low, high) == (-FLOAT_MAX, FLOAT_MAX):
        return None
    return (low, high), tuple(_merge(holes))


def scattered_misses(body, holes, count):
    """How many of `count` random inputs, uniform on +-TYPICAL_SCALE and outside the
    holes, bad_inputs finds: misses so sporadic that the probe's grid steps over them.
    mish' written as one fraction of e^u adds rounded terms of one size: it comes within
    the probe's margin of the bound at 5 of 2^20 such inputs, in (0.46, 0.53), at 2928 of
    4e6 random inputs in (0.55, 1.2), and misses the bound itself at 0.5496 (4.73 ULP
    against 4.48 allowed)."""
    points = np.random.default_rng(0).uniform(-TYPICAL_SCALE, TYPICAL_SCALE, count)
    points = points[~_inside(points, holes)]
    try:
        return int(np.count_nonzero(bad_inputs(body, points)))
    except TypeError:  # no long-double loop: nothing to compare with
        return 0
