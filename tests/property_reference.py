"""Independent reference values for ``Activation.properties()``.

Two sources that do not go through symact's own analysis (derivative, kinks, limits,
properties and inverse modules):

* ``estimate(name, **params)``: a numerical estimator. It reads only the definition
  (``act.at()`` with heads rewritten to elementary functions) and works in mpmath at
  30 digits: derivatives by finite differences, a dense grid on [-60, 60], far points,
  one-sided limits at the points where a Piecewise branch or an Abs changes or where
  f, f' or f'' jump on the grid, and findroot to polish extrema.
* ``LITERATURE``: a table written by hand from the papers, the PyTorch/JAX docs and
  short pencil derivations (stated next to the entries), for every element-wise
  activation at default parameters and for the non-default settings the properties
  issue names. Values that have no closed form are given by the equation that fixes
  them (e.g. GELU's minimum solves Phi(x) + x phi(x) = 0), solved here with mpmath.

Both return the shapes ``properties()`` returns, so one set of comparison helpers
(``normalise``, ``compare``) serves the tests and the stand-alone check
``python3 tests/property_reference.py``, which prints every disagreement between the
estimator and the table.

Conventions shared with the product (see CONVENTIONS.md and the issue):
* f'(k) at a kink is the derivative of the Piecewise branch whose condition includes k;
  a branch that owns a single point (sinc's removable point) gets the two-sided limit.
* Several places where an extremum is attained: ``at`` is the one nearest 0, the smaller
  on a tie (sinc's minimum: -4.4934...); ``at_all`` lists all in [-60, 60] and the
  tests accept any of them.
* A supremum that is not attained (tanh's 1, hard_swish's f' -> 3/2 at 3 from the
  left) has ``attained`` False in the estimate; ``minimum``/``maximum`` are then None.
"""
import fractions
import functools
import math
import re
import time
from collections import namedtuple

import mpmath
import sympy as sp

import symact
from symact import heads
from symact.heads import to_elementary

DPS = 30              # working precision of the estimator
STENCIL_DPS = 80      # grid differences lose up to 18 digits (f''') and tanh'(60) ~ 1e-52
H = mpmath.mpf(2) ** -20          # grid stencil step: O(H^4) error in f', f''
DELTA = mpmath.mpf(10) ** -15     # one-sided limits from k +- DELTA, k +- 2 DELTA
FAR = (1e3, 1e6, 1e16)            # limits at +-oo; 1e16 so arctan is within 1e-16
MAX_ORDER = 4                     # one-sided derivatives compared up to this order
UNBOUNDED = 1e8                   # |f(+-1e16)| beyond this: unbounded (log growth would be missed)
SATURATED = 1e-5                  # |f'(+-1e6)|, |f'(+-1e16)| below this: saturates (sinc' ~ 1/x)

Interval = namedtuple("Interval", "lo hi lo_closed hi_closed")
INF = float("inf")
x = symact.x


# ---- the grid --------------------------------------------------------------------------
def _grid():
    """Step 1/16 on [-12, 12], 1/4 out to +-60, shifted by sqrt(2)/100 so that no grid
    point (or its +-2H stencil) sits on a kink at a rational point."""
    off = mpmath.sqrt(2) / 100
    pts = [mpmath.mpf(-60) + off + mpmath.mpf(i) / 4 for i in range(192)]
    pts += [mpmath.mpf(-12) + off + mpmath.mpf(i) / 16 for i in range(384)]
    pts += [mpmath.mpf(12) + off + mpmath.mpf(i) / 4 for i in range(192)]
    return pts


def _close(a, b, rel):
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    return abs(a - b) <= rel * max(1, abs(a), abs(b))


def _to_mp(k):
    """A SymPy number as an mpf at the current precision (Rationals divided exactly)."""
    if isinstance(k, sp.Rational):
        return mpmath.mpf(k.p) / k.q
    return mpmath.mpf(str(sp.N(k, 40)))


def _snap(t):
    """An exact Rational when t is within 1e-24 of one with denominator <= 10^4
    (every kink of the catalog is), else a 30-digit Float."""
    fr = fractions.Fraction(mpmath.nstr(t, 40, min_fixed=-100, max_fixed=100)).limit_denominator(10**4)
    if abs(t - mpmath.mpf(fr.numerator) / fr.denominator) < mpmath.mpf(10) ** -24:
        return sp.Rational(fr.numerator, fr.denominator)
    return sp.Float(mpmath.nstr(t, 30), 30)


def _choose(locs):
    """The reported location: nearest 0, the smaller on a tie (intervals by their
    nearest point)."""
    def key(loc):
        if isinstance(loc, Interval):
            if loc.lo <= 0 <= loc.hi:
                return (0, loc.lo)
            near = loc.lo if loc.lo > 0 else loc.hi
            return (abs(near), near)
        return (abs(loc), loc)
    return min(locs, key=key) if locs else None


# ---- the function ----------------------------------------------------------------------
class _Fn:
    """f with parameters fixed, lambdified for mpmath, and its Piecewise/Abs structure."""

    def __init__(self, name, params):
        self.expr = to_elementary(symact.get(name).at(**params))
        self.f = sp.lambdify(x, self.expr, "mpmath")
        pws = sorted(self.expr.atoms(sp.Piecewise), key=sp.default_sort_key)
        self.conds = [[sp.lambdify(x, c, "mpmath") for _, c in pw.args] for pw in pws]
        self.abs_args = [sp.lambdify(x, a.args[0], "mpmath")
                         for a in sorted(self.expr.atoms(sp.Abs), key=sp.default_sort_key)]

    def signature(self, t):
        """Which branch of each Piecewise is active at t, and the sign of each Abs argument."""
        branches = tuple(next(i for i, c in enumerate(cs) if c(t)) for cs in self.conds)
        return branches + tuple(int(mpmath.sign(a(t))) for a in self.abs_args)

    def active(self, k):
        """The definition with every Piecewise replaced by its branch owning the exact point k."""
        def pick(pw):
            for e, c in pw.args:
                if bool(c.subs(x, k)):
                    return e
            raise ValueError(f"no branch of {pw} owns {k}")
        return self.expr.replace(lambda e: isinstance(e, sp.Piecewise), pick)

    def d(self, t, n=1, h=None):
        if n == 0:
            return self.f(t)
        return mpmath.diff(self.f, t, n) if h is None else mpmath.diff(self.f, t, n, h=h)

    def far_d(self, t):
        """f' at a far point: step relative to |t| (an absolute 2^-113 vanishes next to 1e16)."""
        return mpmath.diff(self.f, t, 1, h=abs(t) * mpmath.mpf(2) ** -40)

    def one_sided(self, k, n, side):
        """lim f^(n)(t) as t -> k from side (+1 right, -1 left); linear extrapolation from
        k + side*DELTA and k + side*2*DELTA removes the O(DELTA) error."""
        a = self.d(k + side * DELTA, n)
        b = self.d(k + side * 2 * DELTA, n)
        return 2 * a - b

    def stencil(self, t):
        """f, f', f'', f''' at t from five points t + i H (orders 4, 4, 4, 2 in H)."""
        with mpmath.workdps(STENCIL_DPS):
            t = mpmath.mpf(t)
            m2, m1, c0, p1, p2 = (self.f(t + i * H) for i in (-2, -1, 0, 1, 2))
            d1 = (8 * (p1 - m1) - (p2 - m2)) / (12 * H)
            d2 = (-p2 + 16 * p1 - 30 * c0 + 16 * m1 - m2) / (12 * H * H)
            d3 = (p2 - 2 * p1 + 2 * m1 - m2) / (2 * H**3)
        return +c0, +d1, +d2, +d3


# ---- non-smooth points -----------------------------------------------------------------
def _bisect_switch(fn, a, b):
    sa = fn.signature(a)
    for _ in range(120):
        m = (a + b) / 2
        if m == a or m == b:
            break
        if fn.signature(m) == sa:
            a = m
        else:
            b = m
    return (a + b) / 2


def _bisect_jump(fn, n, a, b):
    """Localise a jump of f^(n) in (a, b): keep the half where f^(n) changes more. A jump
    keeps its size to the end; a smooth change shrinks with the interval."""
    ga, gb = fn.d(a, n), fn.d(b, n)
    for _ in range(100):
        m = (a + b) / 2
        if m == a or m == b:
            break
        gm = fn.d(m, n)
        if abs(gm - ga) >= abs(gb - gm):
            b, gb = m, gm
        else:
            a, ga = m, gm
    if abs(gb - ga) > mpmath.mpf(10) ** -9 * max(1, abs(ga), abs(gb)):
        return (a + b) / 2
    return None


def _candidates(fn, ts, samples):
    """Points where f may fail to be smooth: 0, branch/Abs switches (bisected), and grid
    intervals where f, f' or f'' change by more than their derivatives allow (a
    Hermite-corrected trapezoid rule; flagged intervals are confirmed by bisection)."""
    found = [mpmath.mpf(0)]
    sigs = [fn.signature(t) for t in ts]
    for i in range(len(ts) - 1):
        if sigs[i] != sigs[i + 1]:
            found.append(_bisect_switch(fn, ts[i], ts[i + 1]))
    for i in range(len(ts) - 1):
        a, b = ts[i], ts[i + 1]
        if any(a < k < b for k in found):
            continue
        w = b - a
        (f0, d10, d20, d30), (f1, d11, d21, d31) = samples[i], samples[i + 1]
        tests = (  # (order, observed change, predicted change, tolerance)
            (0, f1 - f0, w * (d10 + d11) / 2 + w * w * (d20 - d21) / 12, 1e-4),
            (1, d11 - d10, w * (d20 + d21) / 2 + w * w * (d30 - d31) / 12, 1e-4),
            (2, d21 - d20, w * (d30 + d31) / 2, 1e-2),
        )
        for n, seen, predicted, tol in tests:
            scale = max(1, abs(samples[i][n]), abs(samples[i + 1][n]))
            if abs(seen - predicted) > tol * scale:
                # a jump in f' also spoils the order-0 test: try the next order when
                # bisection finds no jump in this one
                k = _bisect_jump(fn, n, a, b)
                if k is not None:
                    found.append(k)
                    break
    found.sort()
    unique = []
    for k in found:
        if not unique or abs(k - unique[-1]) > mpmath.mpf(10) ** -20:
            unique.append(k)
    return unique


def _classify(fn, t):
    """Everything about the point t: exact location, value and f' by the branch
    convention, one-sided limits of f and f', and the lowest order whose one-sided
    limits differ (0 also when f(k) differs from them; None when smooth to MAX_ORDER)."""
    k = _snap(t)
    kf = _to_mp(k)
    active = sp.lambdify(x, fn.active(k), "mpmath")
    value = active(kf)
    L = [fn.one_sided(kf, n, -1) for n in (0, 1)]
    R = [fn.one_sided(kf, n, +1) for n in (0, 1)]
    differ = lambda a, b: not _close(a, b, 1e-10)  # noqa: E731
    # A branch owning only k (sinc at 0): its own derivative is meaningless, use the limit.
    try:
        isolated = (fn.signature(kf - DELTA) == fn.signature(kf + DELTA)
                    and fn.signature(kf - DELTA) != _exact_signature(fn, k))
    except ValueError:
        isolated = False
    deriv = (L[1] + R[1]) / 2 if isolated else mpmath.diff(active, kf)
    order = None
    if differ(L[0], R[0]) or differ(value, L[0]) or differ(value, R[0]):
        order = 0
    elif differ(L[1], R[1]):
        order = 1
    else:
        for n in range(2, MAX_ORDER + 1):
            if differ(fn.one_sided(kf, n, -1), fn.one_sided(kf, n, +1)):
                order = n
                break
    return dict(k=k, kf=kf, value=value, deriv=deriv, L=L, R=R, order=order,
                kink=order in (0, 1), isolated=isolated)


def _exact_signature(fn, k):
    """Branch indices at the exact point k, from the SymPy conditions."""
    out = []
    for pw in sorted(fn.expr.atoms(sp.Piecewise), key=sp.default_sort_key):
        out.append(next(i for i, (_, c) in enumerate(pw.args) if bool(c.subs(x, k))))
    for a in sorted(fn.expr.atoms(sp.Abs), key=sp.default_sort_key):
        out.append(int(sp.sign(a.args[0].subs(x, k))))
    return tuple(out)


# ---- extrema ---------------------------------------------------------------------------
def _root(g, a, b):
    """A zero of g in [a, b] (g(a), g(b) of opposite signs): Anderson, bisection fallback."""
    try:
        c = mpmath.findroot(g, (a, b), solver="anderson", verify=False)
        if a <= c <= b and abs(g(c)) < mpmath.mpf(10) ** -20 * max(1, abs(g(a)), abs(g(b))):
            return c
    except (ZeroDivisionError, ValueError):
        pass
    ga = g(a)
    for _ in range(110):
        m = (a + b) / 2
        gm = g(m)
        if (gm > 0) == (ga > 0):
            a, ga = m, gm
        else:
            b = m
    return (a + b) / 2


def _extremum(sign, order, fn, ts, samples, pieces, points, far):
    """sup (sign=+1) or inf (sign=-1) of g = f^(order) over the reals.

    Candidates that attain: g by the convention at the non-smooth points, interior
    critical points (sign changes of g' inside a non-constant piece, polished), constant
    pieces. Candidates that are only approached: one-sided limits at the non-smooth
    points, the limits at +-oo (g at +-1e16), and grid values (they never exceed the
    others by more than rounding)."""
    s = sign
    for side in (-1, 1):
        if s * far[side][order][-1] > UNBOUNDED:
            return dict(value=s * INF, at=side * INF, at_all=[side * INF], attained=False)
    attained, approached = [], []
    for p in points:
        conv = p["value"] if order == 0 else p["deriv"]
        attained.append((conv, p["kf"]))
        approached += [(p["L"][order], p["kf"]), (p["R"][order], p["kf"])]
    for side in (-1, 1):
        approached.append((far[side][order][-1], side * INF))
    approached += [(samples[i][order], None) for i in range(len(ts))]
    gprime = (lambda t: fn.d(t, order + 1))
    for piece in pieces:
        if piece["const"][order]:
            attained.append((piece["value"][order], Interval(piece["lo"], piece["hi"], False, False)))
            continue
        idx = piece["idx"]
        floor = mpmath.mpf(10) ** -40
        for i, j in zip(idx, idx[1:]):
            gi, gj = samples[i][order + 1], samples[j][order + 1]
            if abs(gi) > floor and abs(gj) > floor and (gi > 0) != (gj > 0):
                c = _root(gprime, ts[i], ts[j])
                snapped = _snap(c)  # sinc's maximum: 1e-45 -> exactly 0
                if isinstance(snapped, sp.Rational):
                    c = _to_mp(snapped)
                attained.append((fn.d(c, order), c))
    best = max(s * v for v, _ in attained + approached)
    S = s * best
    hits = [(v, loc) for v, loc in attained if _close(v, S, 1e-20)]
    if hits:
        # report an attained value, not a rounding-level larger approached one
        S = s * max(s * v for v, _ in hits)
        locs = _merge([loc for _, loc in hits])
        return dict(value=S, at=_choose(locs), at_all=locs, attained=True)
    near = sorted({loc for v, loc in approached if loc is not None and _close(v, S, 1e-9)})
    return dict(value=S, at=_choose(near), at_all=near, attained=False)


def _merge(hits):
    """Points and open intervals where the extremum is attained -> closed/merged intervals."""
    pts = [h for h in hits if not isinstance(h, Interval)]
    ivs = sorted((h for h in hits if isinstance(h, Interval)), key=lambda iv: iv.lo)
    used = set()
    out = []
    for iv in ivs:
        lo_c = any(abs(p - iv.lo) < 1e-20 for p in pts if math.isfinite(iv.lo))
        hi_c = any(abs(p - iv.hi) < 1e-20 for p in pts if math.isfinite(iv.hi))
        for i, p in enumerate(pts):
            if abs(p - iv.lo) < 1e-20 or abs(p - iv.hi) < 1e-20:
                used.add(i)
        cur = Interval(iv.lo, iv.hi, lo_c, hi_c)
        if out and out[-1].hi == cur.lo and out[-1].hi_closed and cur.lo_closed:
            cur = Interval(out[-1].lo, cur.hi, out[-1].lo_closed, cur.hi_closed)
            out.pop()
        out.append(cur)
    rest = [float(p) for i, p in enumerate(pts) if i not in used]
    out = [Interval(float(iv.lo), float(iv.hi), iv.lo_closed, iv.hi_closed) for iv in out]
    return sorted(set(rest), key=float) + out


# ---- the estimator ---------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _estimate(name, items):
    params = dict(items)
    with mpmath.workdps(DPS):
        fn = _Fn(name, params)
        ts = _grid()
        samples = [fn.stencil(t) for t in ts]
        far = {side: ([fn.f(side * mpmath.mpf(r)) for r in FAR],
                      [fn.far_d(side * mpmath.mpf(r)) for r in FAR]) for side in (-1, 1)}
        infos = [_classify(fn, t) for t in _candidates(fn, ts, samples)]
        zero = next(p for p in infos if p["kf"] == 0)
        points = [p for p in infos if p["order"] is not None]

        # pieces between consecutive non-smooth points; constant pieces (plateaus) matter
        # for extrema, strictness and the location sets; a piece can only be constant as a
        # whole (its branch is analytic), so a run of equal values at the grid's end of an
        # analytic function (gelu' = 1 to 30 digits at x = 60) is not a plateau
        cuts = [-INF] + [p["kf"] for p in points] + [INF]
        pieces = []
        for lo, hi in zip(cuts, cuts[1:]):
            idx = [i for i, t in enumerate(ts) if lo < t < hi]
            vals = [[samples[i][n] for i in idx] for n in (0, 1)]
            if lo == -INF:
                for n in (0, 1):
                    vals[n] += far[-1][n]
            if hi == INF:
                for n in (0, 1):
                    vals[n] += far[1][n]
            if not idx and math.isfinite(lo) and math.isfinite(hi):
                mid = fn.stencil((lo + hi) / 2)
                vals = [[mid[0]], [mid[1]]]
            const = [bool(v) and all(_close(u, v[0], 1e-20) for u in v) for v in vals]
            pieces.append(dict(lo=lo, hi=hi, idx=idx, const=const,  # mpf: compared with points
                               value=[v[0] if v else None for v in vals]))

        far_d = {side: far[side][1] for side in (-1, 1)}
        lower = _extremum(-1, 0, fn, ts, samples, pieces, points, far)
        upper = _extremum(+1, 0, fn, ts, samples, pieces, points, far)
        maxd = _extremum(+1, 1, fn, ts, samples, pieces, points, far)

        # monotonicity: signs of f' everywhere sampled, one-sided f' at the points, and the
        # direction of every jump of f; strict unless some piece is constant
        floor = mpmath.mpf(10) ** -40
        slopes = [smp[1] for smp in samples] + far_d[-1] + far_d[1]
        slopes += [v for p in points for v in (p["L"][1], p["R"][1])]
        jumps = [(p["L"][0], p["value"], p["R"][0]) for p in points if p["order"] == 0]
        up = all(v >= -floor for v in slopes) and all(
            a <= b + 1e-20 and b <= c + 1e-20 for a, b, c in jumps)
        down = all(v <= floor for v in slopes) and all(
            a >= b - 1e-20 and b >= c - 1e-20 for a, b, c in jumps)
        flat = any(pc["const"][0] for pc in pieces)
        if up and not down:
            monotonic = "non-decreasing" if flat else "increasing"
        elif down and not up:
            monotonic = "non-increasing" if flat else "decreasing"
        elif up and down:
            monotonic = "non-decreasing"  # constant function
        else:
            monotonic = "no"

        # f' in x order, jumps included (L, convention value, R at each point)
        seq = [(-mpmath.mpf(r), v) for r, v in zip(FAR, far_d[-1])]
        seq += [(ts[i], samples[i][1]) for i in range(len(ts))]
        for p in points:
            seq += [(p["kf"] - DELTA, p["L"][1]), (p["kf"], p["deriv"]), (p["kf"] + DELTA, p["R"][1])]
        seq += [(mpmath.mpf(r), v) for r, v in zip(FAR, far_d[1])]
        seq.sort(key=lambda pair: pair[0])
        vals = [v for _, v in seq]
        steps = list(zip(vals, vals[1:]))
        tol = lambda a, b: mpmath.mpf(10) ** -20 * max(1, abs(a), abs(b))  # noqa: E731
        dmono = (all(b >= a - tol(a, b) for a, b in steps)
                 or all(b <= a + tol(a, b) for a, b in steps))

        if any(p["order"] == 0 for p in points):
            continuity = -1
        elif points:
            continuity = min(p["order"] for p in points) - 1
        else:
            continuity = "inf"

        f0, d0 = zero["value"], zero["deriv"]
        bounded_below = not math.isinf(lower["value"])
        bounded_above = not math.isinf(upper["value"])
        tiny = mpmath.mpf(10) ** -25
        result = {
            "value_at_zero": float(f0),
            "derivative_at_zero": float(d0),
            "range": {
                "lower": float(lower["value"]), "upper": float(upper["value"]),
                "lower_closed": lower["attained"], "upper_closed": upper["attained"],
            },
            "monotonic": monotonic,
            "derivative_monotonic": dmono,
            "continuity": continuity,
            "approximates_identity": bool(abs(f0) < tiny and abs(d0 - 1) < tiny
                                          and _close(zero["L"][1], d0, 1e-12)
                                          and _close(zero["R"][1], d0, 1e-12)),
            "zero_centered": bool(abs(f0) < tiny and all(
                abs(fn.f(t) + fn.f(-t)) < tiny for t in ts)),
            "bounded_below": bounded_below,
            "bounded_above": bounded_above,
            "saturates": {
                "left": bool(max(abs(v) for v in far_d[-1][1:]) < SATURATED),
                "right": bool(max(abs(v) for v in far_d[1][1:]) < SATURATED),
            },
            "max_derivative": _public(maxd),
            "minimum": _public(lower) if lower["attained"] else None,
            "maximum": _public(upper) if upper["attained"] else None,
            "kinks": [float(p["kf"]) for p in points if p["kink"]],
        }
        return result


def _public(ext):
    out = dict(value=float(ext["value"]), at=_loc(ext["at"]),
               at_all=[_loc(v) for v in ext["at_all"]], attained=ext["attained"])
    return out


def _loc(v):
    if v is None or isinstance(v, Interval):
        return v
    return float(v)


def estimate(name, **params):
    """Numerical property table of symact.get(name) with params (defaults otherwise).

    Same fields as properties(), as numbers: floats (+-inf for infinite bounds), bools,
    the monotonic string, continuity int or "inf". max_derivative/minimum/maximum carry
    ``value``, ``at`` (float, +-inf for "approached at infinity", or an Interval),
    ``at_all`` (every place in [-60, 60]) and ``attained``. No derivative_in_output/cost.
    """
    items = tuple(sorted((k, sp.nsimplify(v)) for k, v in params.items()))
    return _estimate(name, items)


def numeric_function(name, **params):
    """f as an mpmath callable (for checking derivative_in_output by substitution)."""
    return _Fn(name, params).f


# ---- comparison helpers (shared with tests/test_properties.py) -------------------------
_NUM = ("value_at_zero", "derivative_at_zero")
_BOOL = ("derivative_monotonic", "approximates_identity", "zero_centered",
         "bounded_below", "bounded_above")


_LOCALS = {"oo": sp.oo, "pi": sp.pi, "E": sp.E, "y": symact.y, "sigmoid": heads.sigmoid,
           "softplus": heads.softplus, "Phi": heads.Phi}


def parse_value(s):
    """A product/literature value string -> SymPy expression (symact's heads known, so
    'Phi(sqrt(2))' or 'sigmoid(-1 - LambertW(exp(-1)))' parse)."""
    return sp.sympify(s, locals=_LOCALS)


def same_number(a, b, digits=60):
    """Two value strings name the same number: SymPy equality, else equal to `digits`
    digits after rewriting heads (e.g. -LambertW(exp(-1)) and (-1 - W)*sigmoid(-1 - W),
    which are equal because sigmoid(-1 - W) = 1 + 1/(-1 - W) there)."""
    ea, eb = parse_value(a), parse_value(b)
    if ea == eb:
        return True
    if ea.is_infinite or eb.is_infinite:
        return False
    diff = sp.N(to_elementary(ea) - to_elementary(eb), digits)
    return bool(abs(diff) < sp.Float(10) ** (10 - digits))


def _num(v):
    if isinstance(v, (int, float)):
        return float(v)
    e = parse_value(v) if isinstance(v, str) else v
    if e == sp.oo:
        return INF
    if e == -sp.oo:
        return -INF
    return float(sp.N(to_elementary(e), 30))


def _top_level_commas(t):
    """Positions of commas outside brackets, or None if the brackets do not nest."""
    depth, cuts = 0, []
    for i, ch in enumerate(t):
        depth += ch in "(["
        depth -= ch in ")]"
        if depth < 0:
            return None
        if ch == "," and depth == 0:
            cuts.append(i)
    return cuts if depth == 0 else None


def parse_at(s):
    """A location string -> list of locations (float, +-inf or Interval):
    '0', 'oo', '-sqrt(2)/2', '(0, oo)', '[0, oo)', unions '(-oo, -1/2) U (1/2, oo)' and
    point lists '-4.49, 4.49'."""
    if s is None:
        return []
    if not isinstance(s, str):
        return [s]
    periodic = re.fullmatch(r"(.+) for every integer k", s)
    if periodic:  # a periodic family: its members nearest 0 (k = -1, 0, 1) stand for it
        k = sp.Symbol("k", integer=True)
        family = sp.sympify(periodic.group(1), locals={"k": k})
        return [float(family.subs(k, n)) for n in (-1, 0, 1)]
    out = []
    for part in s.split(" U "):
        t = part.strip()
        inner = _top_level_commas(t[1:-1]) if t[:1] in "([" and t[-1:] in ")]" else None
        if inner and len(inner) == 1:
            cut = inner[0] + 1
            out.append(Interval(_num(t[1:cut]), _num(t[cut + 1:-1]), t[0] == "[", t[-1] == "]"))
            continue
        cuts = _top_level_commas(t) or []
        bounds = [-1] + cuts + [len(t)]
        out += [_num(t[a + 1:b]) for a, b in zip(bounds, bounds[1:])]
    return out


def same_loc(a, b, rel):
    if a is None or b is None:
        return a is b
    if isinstance(a, Interval) != isinstance(b, Interval):
        return False
    if isinstance(a, Interval):
        return (_same_num(a.lo, b.lo, rel) and _same_num(a.hi, b.hi, rel)
                and a.lo_closed == b.lo_closed and a.hi_closed == b.hi_closed)
    return _same_num(a, b, rel)


def _same_num(a, b, rel):
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def normalise(props):
    """A properties() dict (strings) or a LITERATURE entry -> the estimate() shapes.
    Extremum ``at`` becomes a list of accepted locations (``at_all``)."""
    out = {}
    for key, val in props.items():
        if key in _NUM:
            out[key] = _num(val)
        elif key == "range":
            out[key] = {"lower": _num(val["lower"]), "upper": _num(val["upper"]),
                        "lower_closed": val["lower_closed"], "upper_closed": val["upper_closed"]}
        elif key in ("max_derivative", "minimum", "maximum"):
            if val is None:
                out[key] = None
            else:
                at = val.get("at")
                ats = at if isinstance(at, list) else ([] if at is None else [at])
                out[key] = {"value": _num(val["value"]),
                            "at_all": [loc for a in ats for loc in parse_at(a)]}
        elif key == "kinks":
            out[key] = sorted(_num(k) for k in val)
        else:
            out[key] = val
    return out


FIELDS = ("value_at_zero", "derivative_at_zero", "range", "monotonic", "derivative_monotonic",
          "continuity", "approximates_identity", "zero_centered", "bounded_below",
          "bounded_above", "saturates", "max_derivative", "minimum", "maximum", "kinks")


def compare(field, expected, actual, rel):
    """Mismatches (list of strings) between two normalised values of one field.

    For extrema, ``actual`` carries ``at`` (the estimate's one location) or ``at_list``
    (what the product lists: one location, a union, several points); each must match
    one of expected's ``at_all`` (no location listed in expected: not checked)."""
    if field in _NUM:
        return [] if _same_num(expected, actual, rel) else [f"{expected!r} != {actual!r}"]
    if field == "range":
        bad = []
        for k in ("lower", "upper"):
            if not _same_num(expected[k], actual[k], rel):
                bad.append(f"{k} {expected[k]!r} != {actual[k]!r}")
        for k in ("lower_closed", "upper_closed"):
            if expected[k] != actual[k]:
                bad.append(f"{k} {expected[k]} != {actual[k]}")
        return bad
    if field in ("max_derivative", "minimum", "maximum"):
        if expected is None or actual is None:
            return [] if expected is actual else [f"{_show(expected)} != {_show(actual)}"]
        bad = []
        if not _same_num(expected["value"], actual["value"], rel):
            bad.append(f"value {expected['value']!r} != {actual['value']!r}")
        mine = actual["at_list"] if "at_list" in actual else [actual["at"]]
        if expected["at_all"]:
            if not mine:
                bad.append("no location given")
            for loc in mine:
                if not any(same_loc(e, loc, rel) for e in expected["at_all"]):
                    bad.append(f"at {loc!r} not in {expected['at_all']!r}")
        return bad
    if field == "kinks":
        if len(expected) != len(actual) or not all(
                _same_num(a, b, rel) for a, b in zip(expected, actual)):
            return [f"{expected!r} != {actual!r}"]
        return []
    return [] if expected == actual else [f"{expected!r} != {actual!r}"]


def _show(ext):
    if ext is None:
        return "None"
    return "{value=%r, at=%r}" % (ext["value"], ext.get("at", ext.get("at_all")))


# ---- the literature table --------------------------------------------------------------
# SELU's constants as CONVENTIONS.md gives them (exact decimals, Klambauer et al. 2017).
SELU_ALPHA = sp.Rational("1.6732632423543772848170429916717")
SELU_SCALE = sp.Rational("1.0507009873554804934193349852946")
SELU_SLOPE0 = str(SELU_ALPHA * SELU_SCALE)          # selu'(0) = lambda*alpha (left branch)
SELU_FLOOR = str(-SELU_ALPHA * SELU_SCALE)          # selu -> -lambda*alpha as x -> -oo


def _solve(g, x0):
    with mpmath.workdps(40):
        return mpmath.findroot(g, mpmath.mpf(x0))


def _s(v):
    return mpmath.nstr(v, 25)


def _numeric_constants():
    """Extrema without a closed form, each from the equation a pencil derivation gives."""
    with mpmath.workdps(40):
        phi = lambda t: mpmath.exp(-t * t / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
        Phi = lambda t: mpmath.erfc(-t / mpmath.sqrt(2)) / 2  # noqa: E731
        sig = lambda t: 1 / (1 + mpmath.exp(-t))  # noqa: E731
        c = {}
        # GELU = x Phi(x): f' = Phi + x phi = 0 (Hendrycks & Gimpel: minimum ~ -0.17 near -0.75)
        xg = _solve(lambda t: Phi(t) + t * phi(t), -0.75)
        c["gelu_min"] = (_s(xg * Phi(xg)), _s(xg))
        # GELU tanh form: f = x (1 + tanh u)/2, u = sqrt(2/pi)(x + 0.044715 x^3);
        # f' = (1 + tanh u)/2 + x sech(u)^2 u'/2, u' = sqrt(2/pi)(1 + 3*0.044715 x^2)
        k3 = mpmath.mpf("0.044715")
        cc = mpmath.sqrt(2 / mpmath.pi)
        u = lambda t: cc * (t + k3 * t**3)  # noqa: E731
        gt = lambda t: (1 + mpmath.tanh(u(t))) / 2 + t * mpmath.sech(u(t))**2 * cc * (1 + 3 * k3 * t * t) / 2  # noqa: E731
        xt = _solve(gt, -0.75)
        c["gelu_tanh_min"] = (_s(xt * (1 + mpmath.tanh(u(xt))) / 2), _s(xt))
        # silu' = sigma (1 + x (1 - sigma)); silu'' = 0 <=> x tanh(x/2) = 2 (positive root
        # is the maximum of silu', ~1.0998 at ~2.3994)
        xs = _solve(lambda t: t * mpmath.tanh(t / 2) - 2, 2.4)
        c["silu_maxd"] = (_s(sig(xs) * (1 + xs * (1 - sig(xs)))), _s(xs))
        c["quick_gelu_maxd"] = (c["silu_maxd"][0], _s(xs / mpmath.mpf("1.702")))
        # mish = x tanh(softplus x): f' = tanh(sp) + x sech(sp)^2 sigma (Misra 2019: min ~ -0.31)
        spl = lambda t: mpmath.log1p(mpmath.exp(t))  # noqa: E731
        xm = _solve(lambda t: mpmath.tanh(spl(t)) + t * mpmath.sech(spl(t))**2 * sig(t), -1.2)
        c["mish_min"] = (_s(xm * mpmath.tanh(spl(xm))), _s(xm))
        # sinc: f' = (x cos x - sin x)/x^2 = 0 <=> tan x = x; first root ~4.4934, value cos x0
        x0 = _solve(lambda t: t * mpmath.cos(t) - mpmath.sin(t), 4.49)
        c["sinc_min"] = (_s(mpmath.cos(x0)), _s(x0))
        # sinc'' = -sin/x - 2 cos/x^2 + 2 sin/x^3; sinc' is odd, its largest value is at
        # -x1 for the first positive root x1 ~ 2.08 (|sinc'| decays like 1/x)
        x1 = _solve(lambda t: -mpmath.sin(t) / t - 2 * mpmath.cos(t) / t**2 + 2 * mpmath.sin(t) / t**3, 2.08)
        c["sinc_maxd"] = (_s((mpmath.sin(x1) - x1 * mpmath.cos(x1)) / x1**2), _s(-x1))
        return c


_C = _numeric_constants()
_W = "LambertW(exp(-1))"
_SKIP = object()


def E(v0, d0, rng, mono, cont, zc, bounds, sat, kinks, dmono, ai,
      maxd=_SKIP, minimum=_SKIP, maximum=_SKIP):
    """One literature entry. rng = (lower, upper, lower_closed, upper_closed);
    bounds = (below, above); sat = (left, right); extrema = (value, [accepted at...]) or
    None (not attained); _SKIP leaves a field to the estimator."""
    e = {
        "value_at_zero": v0, "derivative_at_zero": d0,
        "range": dict(lower=rng[0], upper=rng[1], lower_closed=rng[2], upper_closed=rng[3]),
        "monotonic": mono, "continuity": cont, "zero_centered": zc,
        "bounded_below": bounds[0], "bounded_above": bounds[1],
        "saturates": dict(left=sat[0], right=sat[1]), "kinks": kinks,
        "derivative_monotonic": dmono, "approximates_identity": ai,
    }
    for key, val in (("max_derivative", maxd), ("minimum", minimum), ("maximum", maximum)):
        if val is not _SKIP:
            e[key] = None if val is None else {"value": val[0], "at": val[1]}
    return e


INC, NDEC, NO = "increasing", "non-decreasing", "no"
R, L_, B_, N_ = (False, True), (True, False), (True, True), (False, False)  # sat/bounds shorthands
ALL = "(-oo, oo)"

# (name, params) for every case; ids are "name" or "name(p=v)".
NON_DEFAULT = [
    ("elu", {"alpha": sp.Integer(2)}),                 # C^1 only at alpha = 1: f' jumps 2 -> 1
    ("celu", {"alpha": sp.Integer(2)}),                # C^1 for every alpha (f'(0) = 1 both sides)
    ("celu", {"alpha": sp.Rational(1, 2)}),
    ("prelu", {"a": sp.Rational(-1, 2)}),              # monotonic only for a >= 0
    ("leaky_relu", {"negative_slope": sp.Integer(2)}),  # still increasing, f' steps down
]


def case_id(name, params):
    if not params:
        return name
    return name + "(" + ", ".join(f"{k}={v}" for k, v in sorted(params.items())) + ")"


LITERATURE = {
    # linear and step
    "identity": E("0", "1", ("-oo", "oo", False, False), INC, "inf", True, N_, N_, [], True, True,
                  maxd=("1", [ALL]), minimum=None, maximum=None),
    # Heaviside with f(0) = 1; f' = 0 wherever it exists, reported 0 at the jump
    "binary_step": E("1", "0", ("0", "1", True, True), NDEC, -1, False, B_, B_, ["0"], True, False,
                     maxd=("0", [ALL]), minimum=("0", ["(-oo, 0)"]), maximum=("1", ["[0, oo)"])),
    # sigmoid-shaped: sigma' = sigma(1 - sigma) <= 1/4 at 0; tanh' = 1 - tanh^2
    "sigmoid": E("1/2", "1/4", ("0", "1", False, False), INC, "inf", False, B_, B_, [], False, False,
                 maxd=("1/4", ["0"]), minimum=None, maximum=None),
    "tanh": E("0", "1", ("-1", "1", False, False), INC, "inf", True, B_, B_, [], False, True,
              maxd=("1", ["0"]), minimum=None, maximum=None),
    "arctan": E("0", "1", ("-pi/2", "pi/2", False, False), INC, "inf", True, B_, B_, [], False, True,
                maxd=("1", ["0"]), minimum=None, maximum=None),
    # softsign' = 1/(1 + |x|)^2: continuous, f'' = -+2 at 0+- (C^1, differentiable at 0)
    "softsign": E("0", "1", ("-1", "1", False, False), INC, 1, True, B_, B_, [], False, True,
                  maxd=("1", ["0"]), minimum=None, maximum=None),
    # ISRU (alpha = 1): x/sqrt(1 + x^2), f' = (1 + x^2)^(-3/2), range +-1/sqrt(alpha)
    "isru": E("0", "1", ("-1", "1", False, False), INC, "inf", True, B_, B_, [], False, True,
              maxd=("1", ["0"]), minimum=None, maximum=None),
    # rectifiers (PyTorch kink values, CONVENTIONS section 2)
    "relu": E("0", "0", ("0", "oo", True, False), NDEC, 0, False, L_, L_, ["0"], True, False,
              maxd=("1", ["(0, oo)"]), minimum=("0", ["(-oo, 0]"]), maximum=None),
    "relu6": E("0", "0", ("0", "6", True, True), NDEC, 0, False, B_, B_, ["0", "6"], False, False,
               maxd=("1", ["(0, 6)"]), minimum=("0", ["(-oo, 0]"]), maximum=("6", ["[6, oo)"])),
    "leaky_relu": E("0", "1/100", ("-oo", "oo", False, False), INC, 0, False, N_, N_, ["0"], True, False,
                    maxd=("1", ["(0, oo)"]), minimum=None, maximum=None),
    "prelu": E("0", "1/4", ("-oo", "oo", False, False), INC, 0, False, N_, N_, ["0"], True, False,
               maxd=("1", ["(0, oo)"]), minimum=None, maximum=None),
    # RReLU in evaluation mode: slope (1/8 + 1/3)/2 = 11/48
    "rrelu": E("0", "11/48", ("-oo", "oo", False, False), INC, 0, False, N_, N_, ["0"], True, False,
               maxd=("1", ["(0, oo)"]), minimum=None, maximum=None),
    # ELU (alpha = 1): f' = e^x on x <= 0 (owns 0), 1 after; f'' jumps 1 -> 0, so C^1
    "elu": E("0", "1", ("-1", "oo", False, False), INC, 1, False, L_, L_, [], True, True,
             maxd=("1", ["[0, oo)"]), minimum=None, maximum=None),
    # SELU: f'(0) = lambda alpha ~ 1.758 from the left, lambda ~ 1.051 on the right: a kink
    "selu": E("0", SELU_SLOPE0, (SELU_FLOOR, "oo", False, False), INC, 0, False, L_, L_, ["0"], False, False,
              maxd=(SELU_SLOPE0, ["0"]), minimum=None, maximum=None),
    # CELU (Barron 2017): f' = e^(x/alpha) -> 1 at 0 for every alpha; f'' = 1/alpha vs 0
    "celu": E("0", "1", ("-1", "oo", False, False), INC, 1, False, L_, L_, [], True, True,
              maxd=("1", ["[0, oo)"]), minimum=None, maximum=None),
    # SReLU defaults t_l=-1, a_l=1/10, t_r=1, a_r=1/2; outer pieces own -1 and 1
    "srelu": E("0", "1", ("-oo", "oo", False, False), INC, 0, False, N_, N_, ["-1", "1"], False, True,
               maxd=("1", ["(-1, 1)"]), minimum=None, maximum=None),
    # APL (a=1/2, b=1): slope -1/2 on x <= 0, 1/2 on (0, 1), 1 on x >= 1; min f(0) = 1/2
    "apl": E("1/2", "-1/2", ("1/2", "oo", True, False), NO, 0, False, L_, N_, ["0", "1"], True, False,
             maxd=("1", ["[1, oo)"]), minimum=("1/2", ["0"]), maximum=None),
    # Threshold(0.1, 20) from the PyTorch docs: 20 for x <= 0.1, then x; the value 20 makes
    # it jump down, so not monotonic; inf 0.1 is approached from the right, never attained
    "threshold": E("20", "0", ("1/10", "oo", False, False), NO, -1, False, L_, L_, ["1/10"], True, False,
                   maxd=("1", ["(1/10, oo)"]), minimum=None, maximum=None),
    # smooth rectifiers: softplus' = sigma (increasing), log_sigmoid' = sigma(-x)
    "softplus": E("log(2)", "1/2", ("0", "oo", False, False), INC, "inf", False, L_, L_, [], True, False,
                  maxd=("1", ["oo"]), minimum=None, maximum=None),
    "log_sigmoid": E("-log(2)", "1/2", ("-oo", "0", False, False), INC, "inf", False, (False, True), R,
                     [], True, False, maxd=("1", ["-oo"]), minimum=None, maximum=None),
    # squareplus (b = 4): (x + sqrt(x^2 + 4))/2, f' = (1 + x/sqrt(x^2 + 4))/2 in (0, 1)
    "squareplus": E("1", "1/2", ("0", "oo", False, False), INC, "inf", False, L_, L_, [], True, False,
                    maxd=("1", ["oo"]), minimum=None, maximum=None),
    # sparse_plus: f' = 0, (x+1)/2, 1 is continuous; f'' = 0, 1/2, 0 jumps (C^1)
    "sparse_plus": E("1/4", "1/2", ("0", "oo", True, False), NDEC, 1, False, L_, L_, [], True, False,
                     maxd=("1", ["[1, oo)"]), minimum=("0", ["(-oo, -1]"]), maximum=None),
    "sparse_sigmoid": E("1/2", "1/2", ("0", "1", True, True), NDEC, 0, False, B_, B_, ["-1", "1"], False,
                        False, maxd=("1/2", ["(-1, 1)"]), minimum=("0", ["(-oo, -1]"]),
                        maximum=("1", ["[1, oo)"])),
    # bent identity: f' = 1 + x/(2 sqrt(x^2 + 1)) increases from 1/2 to 3/2
    "bent_identity": E("0", "1", ("-oo", "oo", False, False), INC, "inf", False, N_, N_, [], True, True,
                       maxd=("3/2", ["oo"]), minimum=None, maximum=None),
    "exponential": E("1", "1", ("0", "oo", False, False), INC, "inf", False, L_, L_, [], True, False,
                     maxd=("oo", ["oo"]), minimum=None, maximum=None),
    # gated units: f'(0) = gate(0) = 1/2; one global minimum on x < 0; f' overshoots 1
    "gelu": E("0", "1/2", (_C["gelu_min"][0], "oo", True, False), NO, "inf", False, L_, L_, [], False, False,
              # gelu'' = phi(x)(2 - x^2): max of f' at sqrt(2), Phi(sqrt 2) + e^-1/sqrt(pi)
              maxd=("(1 + erf(1))/2 + exp(-1)/sqrt(pi)", ["sqrt(2)"]),
              minimum=(_C["gelu_min"][0], [_C["gelu_min"][1]]), maximum=None),
    "gelu_tanh": E("0", "1/2", (_C["gelu_tanh_min"][0], "oo", True, False), NO, "inf", False, L_, L_, [],
                   False, False, minimum=(_C["gelu_tanh_min"][0], [_C["gelu_tanh_min"][1]]),
                   maximum=None),
    # x sigma(b x) = silu(b x)/b: min -W(1/e)/b at -(1 + W(1/e))/b (silu'(x) = 0 <=>
    # e^-x = -(1 + x), so x = -1 - W(1/e) and f = x + 1)
    "quick_gelu": E("0", "1/2", (f"-500*{_W}/851", "oo", True, False), NO, "inf", False, L_, L_, [], False,
                    False, maxd=(_C["quick_gelu_maxd"][0], [_C["quick_gelu_maxd"][1]]),
                    minimum=(f"-500*{_W}/851", [f"-500*(1 + {_W})/851"]), maximum=None),
    "silu": E("0", "1/2", (f"-{_W}", "oo", True, False), NO, "inf", False, L_, L_, [], False, False,
              maxd=(_C["silu_maxd"][0], [_C["silu_maxd"][1]]),
              minimum=(f"-{_W}", [f"-1 - {_W}"]), maximum=None),
    "swish": E("0", "1/2", (f"-{_W}", "oo", True, False), NO, "inf", False, L_, L_, [], False, False,
               maxd=(_C["silu_maxd"][0], [_C["silu_maxd"][1]]),
               minimum=(f"-{_W}", [f"-1 - {_W}"]), maximum=None),
    # mish'(0) = tanh(log 2) = 3/5
    "mish": E("0", "3/5", (_C["mish_min"][0], "oo", True, False), NO, "inf", False, L_, L_, [], False, False,
              minimum=(_C["mish_min"][0], [_C["mish_min"][1]]), maximum=None),
    # ELiSH: f'(0) = 1/2 from both pieces, f''(0) = 1/2 (right) vs 1 (left): C^1.
    # Left piece (t - 1) t/(1 + t), t = e^x: minimum at t = sqrt(2) - 1, value 2 sqrt(2) - 3.
    # Right piece is silu, whose f' maximum (x ~ 2.3994) is the global one.
    "elish": E("0", "1/2", ("2*sqrt(2) - 3", "oo", True, False), NO, 1, False, L_, L_, [], False, False,
               maxd=(_C["silu_maxd"][0], [_C["silu_maxd"][1]]),
               minimum=("2*sqrt(2) - 3", ["log(sqrt(2) - 1)"]), maximum=None),
    # hard approximations (PyTorch: f' = 0 at the clips)
    "hard_sigmoid": E("1/2", "1/6", ("0", "1", True, True), NDEC, 0, False, B_, B_, ["-3", "3"], False, False,
                      maxd=("1/6", ["(-3, 3)"]), minimum=("0", ["(-oo, -3]"]), maximum=("1", ["[3, oo)"])),
    # hard_swish: x(x+3)/6 on (-3, 3): min -3/8 at -3/2; f' = (2x+3)/6 -> 3/2 as x -> 3-,
    # but f'(3) = 1 (the x >= 3 branch), so the supremum 3/2 is not attained
    "hard_swish": E("0", "1/2", ("-3/8", "oo", True, False), NO, 0, False, L_, L_, ["-3", "3"], False, False,
                    maxd=("3/2", ["3"]), minimum=("-3/8", ["-3/2"]), maximum=None),
    "hard_tanh": E("0", "1", ("-1", "1", True, True), NDEC, 0, True, B_, B_, ["-1", "1"], False, True,
                   maxd=("1", ["(-1, 1)"]), minimum=("-1", ["(-oo, -1]"]), maximum=("1", ["[1, oo)"])),
    # shrinkage (lambda = 1/2): softshrink is continuous with a dead zone; hardshrink jumps
    # at +-1/2 and its range (-oo, -1/2) U {0} U (1/2, oo) is reported as (-oo, oo).
    # f' = 1 on two intervals; either (or both, as a union) is accepted.
    "softshrink": E("0", "0", ("-oo", "oo", False, False), NDEC, 0, True, N_, N_, ["-1/2", "1/2"], False,
                    False, maxd=("1", ["(-oo, -1/2)", "(1/2, oo)"]), minimum=None, maximum=None),
    "hardshrink": E("0", "0", ("-oo", "oo", False, False), NDEC, -1, True, N_, N_, ["-1/2", "1/2"], False,
                    False, maxd=("1", ["(-oo, -1/2)", "(1/2, oo)"]), minimum=None, maximum=None),
    # tanhshrink' = tanh^2 >= 0, zero only at 0: strictly increasing; f' -> 1 at both ends
    "tanhshrink": E("0", "0", ("-oo", "oo", False, False), INC, "inf", True, N_, N_, [], False, False,
                    maxd=("1", ["oo", "-oo"]), minimum=None, maximum=None),
    # soft exponential (alpha = 1/2 > 0): (e^(x/2) - 1)/(1/2) + 1/2 = 2 e^(x/2) - 3/2
    "soft_exponential": E("1/2", "1", ("-3/2", "oo", False, False), INC, "inf", False, L_, L_, [], True,
                          False, maxd=("oo", ["oo"]), minimum=None, maximum=None),
    # periodic: extrema attained infinitely often; any of them is accepted
    "sinusoid": E("0", "1", ("-1", "1", True, True), NO, "inf", True, B_, N_, [], False, True,
                  maxd=("1", ["0", "2*pi", "-2*pi"]), minimum=("-1", ["-pi/2", "3*pi/2", "-5*pi/2"]),
                  maximum=("1", ["pi/2", "-3*pi/2", "5*pi/2"])),
    # sinc = sin(x)/x, 1 at 0 (removable, analytic): global min cos(x0) at +-x0, tan x0 = x0;
    # sinc' = (x cos x - sin x)/x^2 -> 0 at both ends (like 1/x)
    "sinc": E("1", "0", (_C["sinc_min"][0], "1", True, True), NO, "inf", False, B_, B_, [], False, False,
              maxd=(_C["sinc_maxd"][0], [_C["sinc_maxd"][1]]),
              minimum=(_C["sinc_min"][0], ["-" + _C["sinc_min"][1], _C["sinc_min"][1]]),
              maximum=("1", ["0"])),
    # gaussian e^(-x^2): f' = -2x e^(-x^2), largest sqrt(2) e^(-1/2) at -1/sqrt(2)
    "gaussian": E("1", "0", ("0", "1", False, True), NO, "inf", False, B_, B_, [], False, False,
                  maxd=("sqrt(2)*exp(-1/2)", ["-sqrt(2)/2"]), minimum=None, maximum=("1", ["0"])),
    # ---- non-default settings named in the properties issue ----
    "elu(alpha=2)": E("0", "2", ("-2", "oo", False, False), INC, 0, False, L_, L_, ["0"], False, False,
                      maxd=("2", ["0"]), minimum=None, maximum=None),
    "celu(alpha=2)": E("0", "1", ("-2", "oo", False, False), INC, 1, False, L_, L_, [], True, True,
                       maxd=("1", ["[0, oo)"]), minimum=None, maximum=None),
    "celu(alpha=1/2)": E("0", "1", ("-1/2", "oo", False, False), INC, 1, False, L_, L_, [], True, True,
                         maxd=("1", ["[0, oo)"]), minimum=None, maximum=None),
    # a < 0: f = -x/2 >= 0 on the left, x on the right: V-shaped, min 0 at 0, never negative
    "prelu(a=-1/2)": E("0", "-1/2", ("0", "oo", True, False), NO, 0, False, L_, N_, ["0"], True, False,
                       maxd=("1", ["(0, oo)"]), minimum=("0", ["0"]), maximum=None),
    # slope 2 on x <= 0, 1 after: increasing; f' steps down, still monotone (non-increasing)
    "leaky_relu(negative_slope=2)": E("0", "2", ("-oo", "oo", False, False), INC, 0, False, N_, N_, ["0"],
                                      True, False, maxd=("2", ["(-oo, 0]"]), minimum=None, maximum=None),
}

CASES = [(name, {}) for name in symact.names("elementwise")] + NON_DEFAULT


def literature(name, **params):
    return LITERATURE[case_id(name, params)]


def check_against_literature(name, params, rel=1e-9):
    """{field: [mismatch, ...]} between estimate() and LITERATURE for one case."""
    est = estimate(name, **params)
    lit = normalise(LITERATURE[case_id(name, params)])
    out = {}
    for field in FIELDS:
        if field not in lit:
            continue
        bad = compare(field, lit[field], est[field], rel)
        if bad:
            out[field] = bad
    return out


def main():
    start = time.perf_counter()
    worst = 0.0
    n_bad = 0
    for name, params in CASES:
        t0 = time.perf_counter()
        bad = check_against_literature(name, params)
        dt = time.perf_counter() - t0
        worst = max(worst, dt)
        for field, msgs in bad.items():
            n_bad += 1
            print(f"{case_id(name, params)}: {field}: " + "; ".join(msgs))
    total = time.perf_counter() - start
    print(f"{len(CASES)} cases, {n_bad} disagreements, {total:.1f} s (slowest case {worst:.1f} s)")


if __name__ == "__main__":
    main()
