"""Claims about activations: proved by symbolic argument, refuted by a counterexample
confirmed at 50 and 80 digits, or unknown with the numeric evidence gathered.

A claim is an equation or inequality in x (and parameters, universally quantified under
the assumptions). Proofs split the real line at the claim's breakpoints, map each open
interval and each parameter range onto t > 0 so that SymPy's assumptions decide every
branch, and then show the difference is 0 (simplification) or of one sign (SymPy's sign
rules, else calculus: all critical points from solveset plus the limits at the ends).
Sampling only ever refutes; it never proves.
"""
from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass, field

import mpmath
import sympy as sp

from .budget import DEFAULT_SECONDS, attempt, time_budget
from .errors import BudgetExceeded, SymactError
from .heads import to_elementary
from .parse import parse_expression
from .reference import mp_function
from .realanalysis import (NotSplittable, Piece, breakpoints, candidates, linearize,
                           representative, resolve, restricted, scan_roots, split,
                           value_text)
from .symbols import x

EXIT_CODES = {"proved": 0, "refuted": 1, "unknown": 3}
# readable points first: the first violation found is the counterexample shown
X_SAMPLES = (0, 1, 2, 0.5, 3, 0.25, 1.5, 4, 0.75, 5, 1.25, 2.5, 6, 8, 10, 13, 20, 30, 50,
             100, 1000, 2**-6, 2**-20)
PARAMETER_SAMPLES = (0, 0.25, 0.5, 1, 1.5, 2, 3, 10, -0.25, -0.5, -1, -2, -10)
MAX_PARAMETER_COMBINATIONS = 40
DIGITS = 50
CONFIRM_DIGITS = 80


@dataclass
class Verdict:
    """The outcome of checking one claim; `as_dict()` is the JSON the CLI prints."""

    status: str
    claim: str
    method: str
    counterexample: dict | None = None
    lhs_value: str | None = None
    rhs_value: str | None = None
    evidence: dict = field(default_factory=dict)

    def as_dict(self):
        return asdict(self)

    @property
    def exit_code(self):
        return EXIT_CODES[self.status]

    def text(self):
        lines = [f"{self.status}: {self.claim}", f"  method: {self.method}"]
        if self.counterexample:
            at = ", ".join(f"{k} = {v}" for k, v in self.counterexample.items())
            lines.append(f"  counterexample: {at}")
            lines.append(f"  left side = {self.lhs_value}, right side = {self.rhs_value}")
        if self.evidence:
            lines.append(f"  evidence: {json.dumps(self.evidence)}")
        return "\n".join(lines)


# ---- parsing --------------------------------------------------------------------------------
def parse_claim(claim, assume=()):
    """(relations, domains): the claim's comparisons and each symbol's allowed interval."""
    relations = parse_expression(claim, relation=True, allow_free=True)
    symbols = {s.name: s for lhs, _, rhs in relations for s in (lhs.free_symbols | rhs.free_symbols)}
    symbols.setdefault("x", x)
    domains = {}
    for text in assume:
        unknown = {s.name for lhs, _, rhs in parse_expression(text, relation=True, allow_free=True)
                   for s in lhs.free_symbols | rhs.free_symbols} - set(symbols)
        if unknown:
            raise SymactError(f"assumption {text!r} is about {', '.join(sorted(unknown))}, "
                              "which the claim does not mention")
        for lhs, relation, rhs in parse_expression(text, relation=True, symbols=symbols):
            if relation is sp.Eq:
                raise SymactError(f"assumption {text!r}: use <, <=, > or >= (or substitute the value)")
            symbol, bound = (lhs, rhs) if isinstance(lhs, sp.Symbol) else (rhs, lhs)
            if not isinstance(symbol, sp.Symbol) or not bound.is_number or not bound.is_real:
                raise SymactError(f"assumption {text!r} must compare one symbol with a number, "
                                  "e.g. 'a >= 0' or '0 < a < 1'")
            domains[symbol] = domains.get(symbol, sp.S.Reals).intersect(relation(lhs, rhs).as_set())
            if domains[symbol] is sp.S.EmptySet:
                raise SymactError(f"the assumptions on {symbol} contradict each other")
    return relations, domains


# ---- the check ------------------------------------------------------------------------------
def check(claim, assume=(), timeout=DEFAULT_SECONDS):
    """Check a claim (a string in SymPy syntax with catalog activations callable by name);
    returns a Verdict whose status is 'proved', 'refuted' or 'unknown'."""
    if isinstance(assume, str):
        assume = [assume]
    relations, domains = parse_claim(claim, assume)
    return check_relations(" ".join(claim.split()), relations, domains, timeout)


def check_relations(shown, relations, domains=None, timeout=DEFAULT_SECONDS):
    """Check (lhs, relation, rhs) triples of SymPy expressions (symbols other than x are
    universally quantified over `domains`, default the reals); `shown` names the claim."""
    domains = domains or {}
    verdicts = []
    try:
        with time_budget(timeout, "check"):
            for relation in relations:
                verdict = _check_one(shown, relation, domains)
                if verdict.status == "refuted":
                    return verdict
                verdicts.append(verdict)
    except BudgetExceeded:
        return Verdict("unknown", shown, f"gave up after {timeout:g} s",
                       evidence={"reason": f"the time budget of {timeout:g} s of CPU time ran out"})
    if all(v.status == "proved" for v in verdicts):
        return Verdict("proved", shown, "; ".join(v.method for v in verdicts))
    unknown = next(v for v in verdicts if v.status == "unknown")
    return unknown


def _check_one(claim, relation, domains):
    lhs, rel, rhs = relation
    counterexample, turning = refute(lhs, rel, rhs, domains)
    if counterexample is not None:
        point, left, right = counterexample
        return Verdict("refuted", claim, "counterexample checked at 50 and 80 digits",
                       {str(k): value_text(v) for k, v in point.items()},
                       _digits(left), _digits(right))
    proof, reason = prove(lhs, rel, rhs, domains)
    if proof is not None:
        return Verdict("proved", claim, proof)
    evidence = {"samples": len(_x_samples(domains.get(x, sp.S.Reals))), "reason": reason}
    if turning is not None:
        evidence["turning_points"] = [value_text(sp.Float(v, 17)) for v in turning]
    return Verdict("unknown", claim, "no proof found; no counterexample found", evidence=evidence)


def _digits(value):
    return mpmath.nstr(value, 20) if isinstance(value, (mpmath.mpf, mpmath.mpc)) else str(value)


# ---- refutation -----------------------------------------------------------------------------
def _x_samples(domain):
    points = [sp.Rational(s) * sign for s in X_SAMPLES for sign in (1, -1)]
    if isinstance(domain, sp.Interval):
        for end in (domain.start, domain.end):
            if end.is_finite:
                points += [end, end + sp.Rational(1, 2**20), end - sp.Rational(1, 2**20)]
        if domain.start.is_finite and domain.end.is_finite:
            points += [domain.start + (domain.end - domain.start) * k / 8 for k in range(1, 8)]
    return list(dict.fromkeys(p for p in points if domain.contains(p) == sp.true))


def _parameter_samples(symbols, domains):
    choices = []
    for s in symbols:
        domain = domains.get(s, sp.S.Reals)
        values = [v for v in _x_samples(domain) if domain.contains(v) == sp.true] \
            if domain != sp.S.Reals else [sp.Rational(v) for v in PARAMETER_SAMPLES]
        values = [v for v in values if abs(v) <= 10] or values
        choices.append(sorted(values, key=lambda v: (abs(v), v))[:12])
    combos = list(itertools.product(*choices))
    step = max(1, len(combos) // MAX_PARAMETER_COMBINATIONS)
    return [dict(zip(symbols, c)) for c in combos[::step]]


def _evaluate(expr, point, digits):
    """expr at an exact point, to `digits` digits: the point is substituted exactly (so
    every Piecewise condition is decided exactly), then mpmath evaluates with increasing
    precision until two precisions agree (SymPy's evalf of the heads can lose digits)."""
    constant = expr.subs(point)
    if constant.free_symbols or constant.has(sp.nan, sp.zoo):
        return None
    return _real_value(lambda: mp_function(constant, digits)(0), digits)


def _screen(expr, values, digits=DIGITS):
    """A fast evaluator of expr at x (parameters fixed) for screening many points."""
    fixed = expr.xreplace(values)
    function = mp_function(fixed) if not (fixed.free_symbols - {x} or fixed.has(sp.nan, sp.zoo)) \
        else None

    def at(value):
        if function is None:
            return None
        return _real_value(lambda: function(mpmath.mpf(value.p) / value.q), digits)
    return at


def _real_value(compute, digits):
    try:
        with mpmath.workdps(digits):
            value = compute()
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    if isinstance(value, mpmath.mpc):
        if abs(value.imag) > mpmath.mpf(10) ** (-digits + 10) * max(1, abs(value.real)):
            return None
        value = value.real
    return None if mpmath.isnan(value) else value


def _violated(left, rel, right, digits):
    if left is None or right is None:
        return False
    scale = max(abs(left), abs(right), 1) if not (mpmath.isinf(left) or mpmath.isinf(right)) else 1
    tolerance = mpmath.mpf(10) ** (-digits + 15) * scale
    gap = left - right if not (mpmath.isinf(left) and left == right) else mpmath.mpf(0)
    if rel is sp.Eq:
        return abs(gap) > tolerance
    if rel in (sp.Le, sp.Lt):
        gap = -gap
    if rel in (sp.Ge, sp.Le):
        return gap < -tolerance
    return gap <= tolerance  # strict: equality counts as a violation, confirmed exactly below


def refute(lhs, rel, rhs, domains):
    """((point, lhs value, rhs value) of a confirmed counterexample or None, the turning
    points tried or None when the claim was refuted before them or has none to try)."""
    parameters = sorted((lhs.free_symbols | rhs.free_symbols) - {x}, key=lambda s: s.name)
    xs = _x_samples(domains.get(x, sp.S.Reals))
    try:
        extra = breakpoints(linearize(lhs - rhs)) if not parameters else []
    except NotSplittable:
        extra = []
    xs = list(dict.fromkeys(xs + [p for p in extra if domains.get(x, sp.S.Reals).contains(p) == sp.true]))
    for values in _parameter_samples(parameters, domains) or [{}]:
        screens = [_screen(side, values) for side in (lhs, rhs)]
        for value in xs:
            point = {**values, x: value}
            exact = value.q & (value.q - 1)  # not dyadic: mpf(value) is not exact
            left, right = ((_evaluate(side, point, DIGITS) for side in (lhs, rhs)) if exact
                           else (screen(value) for screen in screens))
            if not _violated(left, rel, right, DIGITS):
                continue
            confirmed = _confirm(lhs, rel, rhs, point)
            if confirmed is not None:
                return confirmed, None
    turning = _turning_points(lhs - rhs, parameters, domains)
    for value in turning or []:
        point = {x: value}
        left, right = (_evaluate(side, point, DIGITS) for side in (lhs, rhs))
        if _violated(left, rel, right, DIGITS):
            confirmed = _confirm(lhs, rel, rhs, point)
            if confirmed is not None:
                return confirmed, turning
    return None, turning


def _turning_points(difference, parameters, domains):
    """Where lhs - rhs has a local extremum (numerically, as exact 25-digit decimals):
    a wrong bound is violated first there, between the fixed samples. None where there is
    no scan to do (parameters, no x, a domain that is not an interval, no split)."""
    domain = domains.get(x, sp.S.Reals)
    if parameters or not difference.has(x) or not isinstance(domain, sp.Interval):
        return None
    try:
        pieces, _ = split(linearize(difference))
    except NotSplittable:
        return None
    found = []
    for piece in pieces:
        lo, hi = max(piece.lo, domain.start), min(piece.hi, domain.end)
        if not bool(lo < hi):
            continue
        for root in scan_roots(sp.diff(piece.expr, x), lo, hi):
            value = sp.Rational(mpmath.nstr(root, 25))
            if domain.contains(value) == sp.true:
                found.append(value)
    return found


def _confirm(lhs, rel, rhs, point):
    for digits in (DIGITS, CONFIRM_DIGITS):
        left, right = (_evaluate(side, point, digits) for side in (lhs, rhs))
        if not _violated(left, rel, right, digits):
            return None
    if rel in (sp.Lt, sp.Gt) and abs(left - right) <= mpmath.mpf(10) ** -30 * max(1, abs(left)):
        # a strict inequality failing by equality: only an exact zero is a counterexample
        exact = attempt(sp.simplify, to_elementary((lhs - rhs).subs(point)), seconds=5)
        if exact != 0:
            return None
    shown = {k: v for k, v in point.items() if k == x or k in (lhs.free_symbols | rhs.free_symbols)}
    return shown, left, right


# ---- proof ----------------------------------------------------------------------------------
def prove(lhs, rel, rhs, domains):
    """(one-line description of a symbolic proof of lhs rel rhs, None) or (None, the
    reason no proof was found)."""
    if rel is sp.Eq:
        target, strict = lhs - rhs, None
    elif rel in (sp.Ge, sp.Gt):
        target, strict = lhs - rhs, rel is sp.Gt
    else:
        target, strict = rhs - lhs, rel is sp.Lt
    parameters = sorted(target.free_symbols - {x}, key=lambda s: s.name)
    cases = _parameter_cases(parameters, domains)
    split_at = set()
    for case in cases:
        expr = linearize(target.xreplace(case))
        try:
            points = breakpoints(expr)
        except NotSplittable as reason:
            return None, str(reason)
        split_at |= set(points)
        for lo, hi, point in _regions(points, domains.get(x, sp.S.Reals)):
            if point is not None:
                value = resolve(expr, point).subs(x, point)
                if not _decide(value, strict):
                    return None, f"at x = {point}: could not show {value} {_goal(strict)}"
                continue
            piece = resolve(expr, representative(lo, hi))
            if not _decide_piece(piece, lo, hi, strict):
                return None, f"on ({lo}, {hi}): could not show {piece} {_goal(strict)}"
    how = "the difference simplifies to 0" if strict is None else \
        f"the difference is {_goal(strict)} (sign rules and critical points)"
    where = f" on each side of {', '.join(map(str, sorted(split_at, key=float)))}" if split_at else ""
    ranges = f", parameters split into {len(cases)} cases" if len(cases) > 1 else ""
    return f"{how}{where}{ranges}", None


def _goal(strict):
    return "= 0" if strict is None else "> 0" if strict else ">= 0"


def _parameter_cases(parameters, domains):
    """Substitutions covering each parameter's allowed set: closed ends as separate
    values, the open part as an expression in a positive symbol (so SymPy knows its sign)."""
    per_parameter = []
    for p in parameters:
        domain = domains.get(p, sp.S.Reals)
        options = []
        parts = domain.args if isinstance(domain, sp.Union) else (domain,)
        for part in parts:
            if isinstance(part, sp.FiniteSet):
                options += list(part)
                continue
            lo, hi = part.start, part.end
            if not part.left_open and lo.is_finite:
                options.append(lo)
            if not part.right_open and hi.is_finite:
                options.append(hi)
            t = sp.Symbol(f"{p.name}_t", positive=True)
            if lo == -sp.oo and hi == sp.oo:
                options.append(p)
            elif lo == -sp.oo:
                options.append(hi - t)
            elif hi == sp.oo:
                options.append(lo + t)
            else:
                options.append(lo + (hi - lo) * t / (1 + t))
        per_parameter.append(options)
    return [dict(zip(parameters, combo)) for combo in itertools.product(*per_parameter)]


def _regions(points, domain):
    """(lo, hi, None) open intervals and (None, None, p) points covering domain."""
    if not isinstance(domain, sp.Interval):
        raise NotSplittable("x's assumptions must describe one interval")
    ends = [p for p in points if domain.contains(p) == sp.true and p not in (domain.start, domain.end)]
    cuts = [domain.start, *ends, domain.end]
    regions = [(lo, hi, None) for lo, hi in zip(cuts, cuts[1:])]
    regions += [(None, None, p) for p in ends]
    if not domain.left_open and domain.start.is_finite:
        regions.append((None, None, domain.start))
    if not domain.right_open and domain.end.is_finite:
        regions.append((None, None, domain.end))
    return regions


def _decide(value, strict):
    """Whether a value (x-free) is 0, or >= 0 / > 0, by simplification and sign rules."""
    forms = [value, to_elementary(value)]
    simplified = attempt(sp.simplify, forms[-1], seconds=8)
    if simplified is not None:
        forms.append(simplified)
    for form in forms:
        if strict is None and form == 0:
            return True
        if strict is None:
            continue
        if (form.is_positive if strict else form.is_nonnegative):
            return True
        if form.is_number and form.is_real and form.is_finite:
            decided = attempt(lambda: bool(form > 0 if strict else form >= 0), seconds=5)
            if decided:
                return True
    if strict is None and attempt(lambda: sp.simplify(sp.expand(to_elementary(value).rewrite(sp.exp))) == 0,
                                  seconds=8):
        return True
    return False


def _decide_piece(expr, lo, hi, strict):
    """expr = 0 (or >= 0, > 0) on the open interval (lo, hi)."""
    substitution, _ = restricted(lo, hi)
    local = expr.subs(x, substitution)
    if _decide(local, strict):
        return True
    if strict is None or expr.free_symbols - {x}:
        return False
    found, _, complete = candidates(Piece(lo, hi, expr))
    if not complete:
        return False
    # An interior infimum is a critical point; otherwise it is approached at an end. So
    # with every critical value > 0 and both end limits >= 0, expr > 0 on the interval.
    critical = [c.value for c in found if c.attained]
    ends = [c.value for c in found if not c.attained]
    # an end limit of +oo bounds nothing from below (SymPy's oo is not "nonnegative")
    return all(_decide(v, strict) for v in critical) and all(
        v == sp.oo or _decide(v, False) for v in ends)
