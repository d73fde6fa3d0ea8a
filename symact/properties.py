"""The property table of an activation, derived from its definition at given parameters:
range, monotonicity, smoothness, saturation, extrema, kinks, output form and cost."""
import re
from dataclasses import dataclass, replace
from typing import Callable

import sympy as sp

from .kinks import kinks
from .limits import float_limit, limit_at
from .realanalysis import (NotSplittable, Piece, candidates, extreme,
                           function_candidates, image, image_parts, is_zero, numeric, sample_values, set_text,
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
        "parts": image_parts(image(f)),
    }
    if not table["range"]["exact"]:
        numeric_fields += ["range", "minimum", "maximum"]
    table["monotonic"] = monotonicity(f)
    table["derivative_monotonic"] = monotonicity(fp) != "no"
    table["continuity"] = continuity(f)
    table["approximates_identity"] = (
        f.subs(x, 0) == 0 and simplify_value(fp.subs(x, 0)) == 1 and _continuous_at_zero(fp))
    table["zero_centered"] = _odd(f)
    table["bounded_below"] = low[0] != -sp.oo
    table["bounded_above"] = high[0] != sp.oo
    table["saturates"] = {}
    for side, point in (("left", -sp.oo), ("right", sp.oo)):
        # limit_at's own budget: gelu_tanh's f' takes 2-3 s of CPU to its limit
        limit = limit_at(fp, point)
        if limit is None:
            numeric_fields.append("saturates")
            table["saturates"][side] = float_limit(fp, point) == 0
        else:
            table["saturates"][side] = limit == 0
    slopes, slopes_exact = function_candidates(fp)
    steepest = extreme(slopes, lowest=False)
    table["max_derivative"] = {"value": value_text(steepest[0]), "at": _where(steepest),
                               "attained": steepest[1] is not None,
                               "approached": [value_text(end) for end in steepest[2]]}
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
    composed = output.xreplace({y: f})
    if composed.has(sp.zoo, sp.nan, sp.oo, -sp.oo):  # 1/(2y) of sqrt(x) where y = 0
        return False
    composed, slope = mp_function(composed), mp_function(fp)
    for point in ("-7.5", "-2.25", "-0.75", "-0.125", "0.375", "1.5", "4.5"):
        try:
            a, b = composed(point), slope(point)
        except (ValueError, ZeroDivisionError, TypeError):
            return False
        if abs(a - b) > 1e-30 * max(1, abs(b)):
            return False
    return True


def _odd(f):
    """Zero-centred, read strictly: f(-x) = -f(x) for every x (tanh yes; sigmoid, relu,
    elu, gelu no), so f(z) has mean 0 for any input distribution symmetric about 0.
    Proved by the checker's symbolic argument; a counterexample on the samples is enough
    for no."""
    from .check import prove
    mirrored = -f.xreplace({x: -x})
    if f.subs(x, 0) != 0:
        return False
    for t in (sp.Rational(3, 7), sp.Integer(2), sp.Rational(11, 2)):
        if abs(sp.N(f.subs(x, t) - mirrored.subs(x, t), 30)) > sp.Float("1e-25"):
            return False
    proof, _ = prove(f, sp.Eq, mirrored, {})
    return proof is not None


def _where(extremum):
    value, attained, approached, _ = extremum
    if attained is not None:
        return set_text(attained)
    return value_text(approached[0]) if approached else None


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
COST_KINDS = ("exp", "log", "erf", "tanh", "sin", "cos", "atan", "sqrt", "power", "division")


def _cost_of(node):
    """What one node of the generated formula costs, in the operations people count."""
    from sympy.codegen.cfunctions import expm1, hypot, log1p
    from .heads import Phi, sigmoid, softplus
    heads = {sp.exp: ("exp",), expm1: ("exp",), sp.log: ("log",), log1p: ("log",),
             sigmoid: ("exp", "division"), softplus: ("exp", "log"), sp.tanh: ("tanh",),
             sp.erf: ("erf",), sp.erfc: ("erf",), Phi: ("erf",), sp.sin: ("sin",),
             sp.cos: ("cos",), sp.atan: ("atan",), hypot: ("sqrt",)}
    if node.is_number:
        return ()  # a constant (log 2 in sigma(x - log 2)) is folded to a float in the code
    if node.func in heads:
        return heads[node.func]
    if isinstance(node, sp.Pow) and not node.base.is_number:
        exponent = node.exp
        found = ("division",) if exponent.is_negative else ()
        if abs(exponent).is_Integer:
            return found
        return found + (("sqrt",) if abs(exponent).q == 2 else ("power",))
    return ()


def cost(expr):
    """Counts of transcendental calls, square roots, powers and divisions by a variable in
    the formula symact's NumPy code evaluates (after the stable rewrites, each common
    subexpression once); multiplying by a constant is not counted."""
    from .numeric import rewrite_stable
    definitions, (result,) = sp.cse(rewrite_stable(expr), order="none")
    counts = dict.fromkeys(COST_KINDS, 0)
    for formula in [value for _, value in definitions] + [result]:
        for node in sp.preorder_traversal(formula):
            for kind in _cost_of(node):
                counts[kind] += 1
    return {kind: count for kind, count in counts.items() if count}


# ---- presentation -------------------------------------------------------------------------
@dataclass(frozen=True)
class Style:
    """How a property table is written: `math` turns one value text (a number, a set, a
    formula in y) into the target's math, `group` encloses a math phrase, `words` escapes
    plain words; the rest is math glue."""
    math: Callable[[str], str]
    group: Callable[[str], str] = lambda s: s
    words: Callable[[str], str] = lambda s: s
    union: str = " U "
    braces: tuple = ("{", "}")
    arrow: str = "->"


def readable(text):
    """Long exact fractions in a value string (selu's constants) as 17 significant digits;
    the JSON keeps them exact."""
    return re.sub(r"\d{15,}/\d{15,}", lambda m: sp.sstr(sp.Float(sp.Rational(m.group(0)), 17)), text)


PLAIN = Style(math=readable)


def range_text(table, style=PLAIN):
    """'(-oo, -1/2) U {0} U (1/2, oo)', '{0, 1}', '[0, oo)'."""
    texts, points = [], []
    math = style.math
    for part in table["range"]["parts"]:
        if part["lower"] == part["upper"]:
            points.append(math(part["lower"]))
            continue
        if points:
            texts.append(style.braces[0] + ", ".join(points) + style.braces[1])
            points = []
        texts.append(f"{'[' if part['lower_closed'] else '('}{math(part['lower'])}, "
                     f"{math(part['upper'])}{']' if part['upper_closed'] else ')'}")
    if points:
        texts.append(style.braces[0] + ", ".join(points) + style.braces[1])
    text = style.group(style.union.join(texts))
    return text if table["range"]["exact"] else text + style.words(" (numeric)")


def continuity_text(k, style=PLAIN):
    if k == -1:
        return style.words("discontinuous")
    return style.group(style.math(f"C^{'oo' if k == 'inf' else k}"))


def _saturation(table):
    sides = [side for side in ("left", "right") if table["saturates"][side]]
    return " and ".join(sides) or "no"


def _at(value, where, style):
    return style.group(style.math(value)) + style.words(" at ") + style.group(style.math(where))


def _steepest(entry, style=PLAIN):
    """'1/4 at 0', or for a supremum that is only approached 'sup 1 as x -> -oo and
    x -> oo (not attained)'."""
    if entry["attained"]:
        return _at(entry["value"], entry["at"], style)
    ends = style.words(" and ").join(style.group(f"x {style.arrow} {style.math(end)}")
                                     for end in entry["approached"])
    if entry["value"] == "oo":
        return style.words("unbounded as ") + ends
    return (style.words("sup ") + style.group(style.math(entry["value"])) + style.words(" as ")
            + ends + style.words(" (not attained)"))


def _extremum(entry, style=PLAIN):
    return style.words("none") if entry is None else _at(entry["value"], entry["at"], style)


def rows(table, style=PLAIN):
    """(label, value) pairs of a property table, as people read them, in the given style."""
    words, math, group = style.words, style.math, style.group
    yes_no = {True: words("yes"), False: words("no")}
    output = table["derivative_in_output"]
    return [
        ("f(0)", group(math(table["value_at_zero"]))),
        ("f'(0)", group(math(table["derivative_at_zero"]))),
        ("range", range_text(table, style)), ("monotonic", words(table["monotonic"])),
        ("f' monotonic", yes_no[table["derivative_monotonic"]]),
        ("smoothness", continuity_text(table["continuity"], style)),
        ("approximates identity at 0", yes_no[table["approximates_identity"]]),
        ("odd (zero-centred)", yes_no[table["zero_centered"]]),
        ("saturates", words(_saturation(table))),
        ("max f'", _steepest(table["max_derivative"], style)),
        ("minimum", _extremum(table["minimum"], style)),
        ("maximum", _extremum(table["maximum"], style)),
        ("not differentiable at", group(", ".join(math(k) for k in table["kinks"]))
         if table["kinks"] else words("nowhere")),
        ("f' in terms of y", group(math(output)) if output else words("none")),
        ("cost", words(", ".join(f"{v} {k}" for k, v in table["cost"].items()) or "arithmetic only")),
    ] + ([("computed numerically", words(", ".join(table["numeric"])))] if table["numeric"] else [])


def text_block(table):
    """A property table as aligned text lines."""
    rows = globals()["rows"](table)
    width = max(len(label) for label, _ in rows)
    lines = [f"{table['name']}" + (f" ({', '.join(f'{k} = {v}' for k, v in table['parameters'].items())})"
                                   if table["parameters"] else "")]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines) + "\n"


MARKDOWN_COLUMNS = ("activation", "range", "monotonic", "smoothness", "odd",
                    "saturates", "max f'", "f(0)", "f'(0)", "kinks/jumps")


def short(value, limit=24):
    """A value string for a table cell: long exact forms (selu's constants as p/q, the
    LambertW minimum of silu) as 17 significant digits."""
    from .errors import SymactError
    from .parse import parse_expression
    if len(value) <= limit or value in ("oo", "-oo"):
        return value
    try:
        number = parse_expression(value)
    except SymactError:
        return value
    return sp.sstr(sp.N(number, 17)) if number.is_number else value


def catalog_row(table, style=PLAIN):
    """The cells after the name in the catalog-wide table (MARKDOWN_COLUMNS), numbers
    shortened for a narrow column."""
    words, group = style.words, style.group
    math = lambda text: style.math(short(text))  # noqa: E731
    narrow = replace(style, math=math)
    return [range_text(table, narrow), words(table["monotonic"]),
            continuity_text(table["continuity"], narrow),
            words("yes" if table["zero_centered"] else "no"), words(_saturation(table)),
            group(math(table["max_derivative"]["value"])), group(math(table["value_at_zero"])),
            group(math(table["derivative_at_zero"])),
            group(", ".join(math(k) for k in table["kinks"])) if table["kinks"] else words("none")]


def markdown_row(table):
    return [f"`{table['name']}`"] + catalog_row(table)


def markdown_table(tables):
    """The comparison table people paste into notes (GitHub Markdown)."""
    lines = ["| " + " | ".join(MARKDOWN_COLUMNS) + " |",
             "|" + "---|" * len(MARKDOWN_COLUMNS)]
    for table in tables:
        cells = [c.replace("|", "\\|") for c in markdown_row(table)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
