"""The property table of an activation, derived from its definition at given parameters:
range, monotonicity, smoothness, saturation, extrema, kinks, output form and cost."""
import re

import sympy as sp

from .kinks import kinks
from .limits import float_limit, limit_at
from .realanalysis import (SECONDS, NotSplittable, Piece, candidates, extreme,
                           function_candidates, is_zero, numeric, sample_values, set_text,
                           side_limit, simplify_value, split, value_text)
from .symbols import x, y

MAX_ORDER = 6  # continuity is checked up to C^MAX_ORDER at each breakpoint


def properties(act, **values):
    """The JSON-able property table of act at the given parameters (defaults otherwise)."""
    subs = act.substitutions(values)
    f = act.at(**values)
    fp = act.derivative(1).xreplace(subs)
    table = {"name": act.name, "parameters": {str(k): value_text(v) for k, v in subs.items()}}
    numeric_fields = []
    table["value_at_zero"] = value_text(simplify_value(f.subs(x, 0)))
    table["derivative_at_zero"] = value_text(simplify_value(fp.subs(x, 0)))

    found, exact = function_candidates(f)
    low = extreme(found, lowest=True)
    high = extreme(found, lowest=False)
    table["range"] = {
        "lower": value_text(low[0]), "upper": value_text(high[0]),
        "lower_closed": low[1] is not None, "upper_closed": high[1] is not None,
        "exact": exact and low[3] and high[3],
    }
    if not table["range"]["exact"]:
        numeric_fields += ["range", "minimum", "maximum"]
    table["monotonic"] = monotonicity(f)
    table["derivative_monotonic"] = monotonicity(fp) != "no"
    table["continuity"] = continuity(f)
    table["approximates_identity"] = (
        f.subs(x, 0) == 0 and simplify_value(fp.subs(x, 0)) == 1 and _continuous_at_zero(fp))
    lower, upper = numeric(low[0]), numeric(high[0])
    table["zero_centered"] = bool(f.subs(x, 0) == 0 and lower < 0 < upper)
    table["bounded_below"] = low[0] != -sp.oo
    table["bounded_above"] = high[0] != sp.oo
    table["saturates"] = {}
    for side, point in (("left", -sp.oo), ("right", sp.oo)):
        limit = limit_at(fp, point, seconds=SECONDS)
        if limit is None:
            numeric_fields.append("saturates")
            table["saturates"][side] = float_limit(fp, point) == 0
        else:
            table["saturates"][side] = limit == 0
    slopes, slopes_exact = function_candidates(fp)
    steepest = extreme(slopes, lowest=False)
    table["max_derivative"] = {"value": value_text(steepest[0]), "at": _where(steepest)}
    if not (slopes_exact and steepest[3]):
        numeric_fields.append("max_derivative")
    table["minimum"] = _attained(low)
    table["maximum"] = _attained(high)
    table["kinks"] = [value_text(p) for p in kinks(f)]
    output = act.derivative_in_output()
    if output is not None:
        output = output.xreplace(subs)
        if not _holds(output, f, fp):
            output = None  # derived for the default regime; not valid at these parameters
    table["derivative_in_output"] = None if output is None else sp.sstr(output)
    table["cost"] = cost(f)
    table["numeric"] = list(dict.fromkeys(numeric_fields))
    return table


def _holds(output, f, fp):
    """h(f(x)) = f'(x) at 50 digits at probe points (the output form was derived with
    symbolic parameters, e.g. for prelu assuming a > 0)."""
    from .reference import mp_function
    composed = mp_function(output.xreplace({y: f}))
    slope = mp_function(fp)
    for point in ("-7.5", "-2.25", "-0.75", "-0.125", "0.375", "1.5", "4.5"):
        a, b = composed(point), slope(point)
        if abs(a - b) > 1e-30 * max(1, abs(b)):
            return False
    return True


def _where(extremum):
    value, attained, approached, _ = extremum
    if attained is not None:
        return set_text(attained)
    return value_text(approached) if approached is not None else None


def _attained(extremum):
    value, attained, _, _ = extremum
    if attained is None or value in (sp.oo, -sp.oo):
        return None
    return {"value": value_text(value), "at": set_text(attained)}


# ---- monotonicity -------------------------------------------------------------------------
def piece_sign(piece):
    """'0' if constant, '+' if its derivative is >= 0 (then strictly increasing, the
    derivative being analytic and not identically 0), '-' likewise, else 'mixed'."""
    slope = sp.diff(piece.expr, x)
    if is_zero(slope):
        return "0"
    if len({_sign(v) for v in sample_values(slope, piece.lo, piece.hi)} - {0}) == 2:
        return "mixed"  # both signs seen at 30 digits: a witness, no proof needed
    found, _, _ = candidates(Piece(piece.lo, piece.hi, slope))
    least, *_ = extreme(found, lowest=True)
    most, *_ = extreme(found, lowest=False)
    if numeric(least) >= 0:
        return "+"
    if numeric(most) <= 0:
        return "-"
    return "mixed"


def _sign(value):
    return 0 if value == 0 else 1 if value > 0 else -1


def monotonicity(expr):
    """'increasing', 'non-decreasing', 'decreasing', 'non-increasing' or 'no', from the
    sign of the derivative on each piece and the jumps at the breakpoints."""
    pieces, points = split(expr)
    signs = {piece_sign(p) for p in pieces}
    if "mixed" in signs or {"+", "-"} <= signs:
        return "no"
    direction = "+" if "+" in signs else "-" if "-" in signs else "0"
    ups = downs = True
    for (p, value), left, right in zip(points, pieces, pieces[1:]):
        before = numeric(side_limit(left.expr, p, "-"))
        after = numeric(side_limit(right.expr, p, "+"))
        here = numeric(value)
        ups &= before <= here <= after
        downs &= before >= here >= after
    strict = "0" not in signs
    if direction in ("+", "0") and ups:
        return "increasing" if strict else "non-decreasing"
    if direction in ("-", "0") and downs:
        return "decreasing" if strict else "non-increasing"
    return "no"


# ---- smoothness ---------------------------------------------------------------------------
def continuity(expr):
    """k of C^k (an int), 'inf' for C^oo, -1 where f itself jumps."""
    pieces, points = split(expr)
    smallest = "inf"
    for (p, value), left, right in zip(points, pieces, pieces[1:]):
        if is_zero(left.expr - right.expr) and is_zero(side_limit(left.expr, p, "-") - value):
            continue  # one analytic expression on both sides, value filled in: removable
        k = _order_at(left.expr, right.expr, p, value)
        smallest = k if smallest == "inf" else min(smallest, k)
    return smallest


def _order_at(left, right, p, value):
    if not _equal(side_limit(left, p, "-"), value) or not _equal(side_limit(right, p, "+"), value):
        return -1
    for k in range(1, MAX_ORDER + 1):
        left, right = sp.diff(left, x), sp.diff(right, x)
        if not _equal(side_limit(left, p, "-"), side_limit(right, p, "+")):
            return k - 1
    return MAX_ORDER


def _equal(a, b):
    if a is None or b is None:
        return False
    return is_zero(a - b)


def _continuous_at_zero(fp):
    try:
        pieces, points = split(fp)
    except NotSplittable:
        return False
    for (p, value), left, right in zip(points, pieces, pieces[1:]):
        if p == 0:
            return _equal(side_limit(left.expr, 0, "-"), value) and \
                _equal(side_limit(right.expr, 0, "+"), value)
    return True


# ---- cost ---------------------------------------------------------------------------------
_COST = {  # generated-code call -> what it costs, in the functions users count
    "numpy.exp": ("exp",), "numpy.expm1": ("exp",), "scipy.special.expit": ("exp", "division"),
    "scipy.special.log_expit": ("exp", "log"), "numpy.logaddexp": ("exp", "log"),
    "numpy.log": ("log",), "numpy.log1p": ("log",), "numpy.tanh": ("tanh",),
    "scipy.special.erf": ("erf",), "scipy.special.erfc": ("erf",), "_erfc": ("erf",),
    "scipy.special.ndtr": ("erf",), "_ndtr": ("erf",),
}


def cost(expr):
    """Counts of exp, log, erf, tanh and divisions in the float64 formula symact generates."""
    from .numeric import _body_source, rewrite_stable
    body = _body_source(rewrite_stable(expr), "_body")
    counts = {"exp": 0, "log": 0, "erf": 0, "tanh": 0, "division": 0}
    for call in re.findall(r"(?<![\w.])([\w.]+)\(", body):
        for kind in _COST.get(call, ()):
            counts[kind] += 1
    counts["division"] += len(re.findall(r"(?<![/*])/(?![/*])", body))
    return counts


# ---- presentation -------------------------------------------------------------------------
def range_text(table):
    r = table["range"]
    text = (f"{'[' if r['lower_closed'] else '('}{r['lower']}, "
            f"{r['upper']}{']' if r['upper_closed'] else ')'}")
    return text if r["exact"] else text + " (numeric)"


def continuity_text(k):
    return "C^inf" if k == "inf" else "discontinuous" if k == -1 else f"C^{k}"


def _saturation(table):
    sides = [side for side in ("left", "right") if table["saturates"][side]]
    return " and ".join(sides) or "no"


def _extremum(entry):
    return "none" if entry is None else f"{entry['value']} at {entry['at']}"


def readable(text):
    """Long exact fractions in a value string (selu's constants) as 17 significant digits;
    the JSON keeps them exact."""
    return re.sub(r"\d{15,}/\d{15,}", lambda m: sp.sstr(sp.Float(sp.Rational(m.group(0)), 17)), text)


def rows(table):
    """(label, value) pairs of a property table, as people read them."""
    rows = [
        ("f(0)", table["value_at_zero"]), ("f'(0)", table["derivative_at_zero"]),
        ("range", range_text(table)), ("monotonic", table["monotonic"]),
        ("f' monotonic", "yes" if table["derivative_monotonic"] else "no"),
        ("smoothness", continuity_text(table["continuity"])),
        ("approximates identity at 0", "yes" if table["approximates_identity"] else "no"),
        ("zero-centred", "yes" if table["zero_centered"] else "no"),
        ("saturates", _saturation(table)),
        ("max f'", f"{table['max_derivative']['value']} at {table['max_derivative']['at']}"),
        ("minimum", _extremum(table["minimum"])), ("maximum", _extremum(table["maximum"])),
        ("kinks", ", ".join(table["kinks"]) or "none"),
        ("f' in terms of y", table["derivative_in_output"] or "none"),
        ("cost", ", ".join(f"{v} {k}" for k, v in table["cost"].items() if v) or "arithmetic only"),
    ]
    if table["numeric"]:
        rows.append(("computed numerically", ", ".join(table["numeric"])))
    return [(label, readable(value)) for label, value in rows]


def text_block(table):
    """A property table as aligned text lines."""
    rows = globals()["rows"](table)
    width = max(len(label) for label, _ in rows)
    lines = [f"{table['name']}" + (f" ({', '.join(f'{k} = {v}' for k, v in table['parameters'].items())})"
                                   if table["parameters"] else "")]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines) + "\n"


MARKDOWN_COLUMNS = ("activation", "range", "monotonic", "smoothness", "zero-centred",
                    "saturates", "max f'", "f(0)", "f'(0)", "kinks")


def short(value, limit=24):
    """A value string for a table cell: long exact forms (selu's constants as p/q) as
    17 significant digits."""
    if len(value) <= limit or value in ("oo", "-oo"):
        return value
    try:
        number = sp.sympify(value, locals={"LambertW": sp.LambertW})
        return sp.sstr(sp.N(number, 17)) if number.is_number else value
    except (sp.SympifyError, TypeError, ValueError):
        return value


def markdown_row(table):
    r = table["range"]
    shown = dict(table, range=dict(r, lower=short(r["lower"]), upper=short(r["upper"])))
    return [f"`{table['name']}`", range_text(shown), table["monotonic"],
            continuity_text(table["continuity"]), "yes" if table["zero_centered"] else "no",
            _saturation(table), short(table["max_derivative"]["value"]),
            short(table["value_at_zero"]), short(table["derivative_at_zero"]),
            ", ".join(table["kinks"]) or "-"]


def markdown_table(tables):
    """The comparison table people paste into notes (GitHub Markdown)."""
    lines = ["| " + " | ".join(MARKDOWN_COLUMNS) + " |",
             "|" + "---|" * len(MARKDOWN_COLUMNS)]
    for table in tables:
        cells = [c.replace("|", "\\|") for c in markdown_row(table)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
