"""Gradient flow through a chain of layers of one activation: the per-layer bound
sup |f'| (exact), E[f'(z)] and E[f'(z)^2] for z ~ N(0, 1) (exact where SymPy integrates
within a time budget, else 30 digits by mpmath quadrature split at the kinks), and the
depth at which even the best case, sup |f'|^L, falls below a tolerance (sigmoid:
(1/4)^L < 1e-8 from L = 14 on). `gradient_gains()` tabulates them for the catalog and
plots the root-mean-square factor per layer, E[f'(z)^2]^(L/2), against depth."""
from dataclasses import dataclass

import mpmath
import sympy as sp

from .. import registry
from ..budget import attempt
from ..errors import SymactError
from ..heads import to_elementary
from ..kinks import kinks
from ..realanalysis import extreme, function_candidates, numeric
from ..reference import mp_function
from ..symbols import x
from .page import Figure, Page, Table
from .selu import tidy_erf

# The catalog's integrals that SymPy closes took at most 2.3 s of CPU, the others ran
# past 20 s or gave up after 4 to 8, so a budget of 5 s decides alike on machines twice
# as fast or as slow (the built table must not depend on the machine; at 1.5 s, integrals
# closing in 1.1 to 1.6 s made cells depend on it).
SECONDS = 5
DIGITS = 30


@dataclass(frozen=True)
class GradientGain:
    """The gradient statistics of one activation at given parameters."""
    name: str
    max: sp.Expr
    mean: sp.Expr
    mean_square: sp.Expr
    exact: dict  # field -> whether the value is exact (else 30 digits)

    def depth(self, tolerance=sp.Rational(1, 10**8)):
        """The least number of layers L with sup|f'|^L < tolerance, or None when
        sup|f'| >= 1 (no layer count forces the gradient down)."""
        bound = numeric(self.max)
        if not bound < 1:
            return None
        if bound == 0:
            return 1
        with mpmath.workdps(40):
            layers = mpmath.log(mpmath.mpf(sp.N(tolerance, 40))) / mpmath.log(bound)
            depth = int(mpmath.floor(layers)) + 1
        return depth

    def as_dict(self):
        text = lambda v: sp.sstr(v)  # noqa: E731
        return {"name": self.name, "max": text(self.max), "mean": text(self.mean),
                "mean_square": text(self.mean_square), "exact": dict(self.exact),
                "depth_below_1e-8": self.depth()}


def gradient_gain(activation, seconds=SECONDS, **values):
    """GradientGain of an activation, by name or as an Activation (your own, from
    symact.define); parameters at their defaults unless given; `seconds` bounds each
    attempt at a closed-form integral."""
    act = registry.get(activation) if isinstance(activation, str) else activation
    if act.vector:
        raise SymactError(f"gradient gains cover element-wise activations; "
                          f"{act.name} is vector-valued")
    substitutions = act.substitutions(values)
    slope = act.derivative(1).xreplace(substitutions)
    candidates, candidates_exact = function_candidates(slope)
    high, low = extreme(candidates, lowest=False), extreme(candidates, lowest=True)
    bound = high[0] if numeric(high[0]) >= -numeric(low[0]) else -low[0]
    mean, mean_exact = _expectation(slope, act.at(**values), seconds)
    square, square_exact = _expectation(slope ** 2, act.at(**values), seconds)
    exact = {"max": bool(candidates_exact and high[3] and low[3]), "mean": mean_exact,
             "mean_square": square_exact}
    return GradientGain(act.name, bound, mean, square, exact)


def _expectation(g, definition, seconds=SECONDS):
    """(E[g(z)] for z ~ N(0, 1), exact?)."""
    density = sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)
    closed = attempt(sp.integrate, to_elementary(g) * density, (x, -sp.oo, sp.oo),
                     seconds=seconds)
    if closed is not None and not closed.has(sp.Integral) and closed.is_number \
            and closed.is_finite and closed.is_real:
        return tidy_erf(closed), True
    value = mp_function(g)
    breaks = sorted(float(k) for k in kinks(definition))
    with mpmath.workdps(DIGITS + 15):
        total = mpmath.quad(lambda t: value(t) * mpmath.npdf(t),
                            [-mpmath.inf, *breaks, mpmath.inf])
    return sp.Float(mpmath.nstr(total, DIGITS + 5), DIGITS), False


PLOTTED = ("sigmoid", "tanh", "relu", "elu", "selu", "gelu", "silu", "softplus", "hard_sigmoid")


def gain_row(act):
    """One activation's cells for the table (LaTeX) and the numbers for the plot."""
    from ..latex import expr_latex
    gain = gradient_gain(act)

    def cell(value, exact):
        """A short closed form as it is; otherwise rounded, and starred when the value
        itself is numeric (quadrature, or critical points located numerically)."""
        number = numeric(value)
        if exact and value.is_number and len(expr_latex(value)) <= 28:
            return f"${expr_latex(value)}$"
        if mpmath.isinf(number):
            return "$\\infty$"
        return f"$\\approx {mpmath.nstr(number, 8)}$" + ("" if exact else "$^*$")
    depth = gain.depth()
    return {"cells": [cell(gain.max, gain.exact["max"]), cell(gain.mean, gain.exact["mean"]),
                      cell(gain.mean_square, gain.exact["mean_square"]),
                      "never" if depth is None else str(depth)],
            "max": float(numeric(gain.max)), "mean_square": float(numeric(gain.mean_square))}


class GradientTable(Page):
    """The catalog's gradient gains (rows from gain_row, by name) with a plot."""

    def __init__(self, rows):
        self.rows = rows

    def entries(self, plot_file="plots/gradient_gains.png"):
        table = Table(("activation", r"$\sup |f'|$", r"$\operatorname{E}[f'(z)]$",
                       r"$\operatorname{E}[f'(z)^2]$", r"layers to $10^{-8}$"),
                      tuple((registry.get(name).display_name.join("$$"), *row["cells"])
                            for name, row in self.rows.items()), "lllll")
        return [
            ("How the size of a gradient changes through a chain of layers of one "
             "activation. The per-layer bound is $\\sup |f'|$ (exact, from the critical "
             "points of $f'$); through $L$ layers a gradient shrinks at least like "
             "$(\\sup |f'|)^L$ when $\\sup |f'| < 1$, and the last column is the depth at "
             "which even this best case is below $10^{-8}$ (sigmoid: $(1/4)^{14} < 10^{-8}$). "
             "For pre-activations $z \\sim N(0, 1)$, $\\operatorname{E}[f'(z)]$ and "
             "$\\operatorname{E}[f'(z)^2]$ are given in closed form where SymPy integrates "
             "them, else by quadrature split at the kinks. Values that are not short closed "
             "forms are rounded to 8 digits ($\\approx$); a star marks those found "
             "numerically, to 30 digits (the command symact gradient-gain prints them, and the "
             "closed forms). Activations at their default parameters.", None),
            table,
            Figure(plot_file, "root-mean-square gradient factor through L layers"),
            ("The plot follows $\\operatorname{E}[f'(z)^2]^{L/2}$, the root-mean-square "
             "factor by which $L$ layers scale a gradient when every pre-activation is "
             "$N(0, 1)$ and the weights are left out, for a few classic activations; the "
             "dashed line is sigmoid's bound $(1/4)^L$, which no chain of sigmoid layers "
             "exceeds.", None),
        ]

    def figure(self, path):
        """The plot, written to path (PNG)."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from ..plots import DPI, METADATA, STYLE
        depth = list(range(0, 31))
        with plt.rc_context(STYLE):
            figure, axis = plt.subplots(figsize=(7.0, 3.6))
            # a build of a few activations plots those when it has none of the classic ones
            shown = [n for n in PLOTTED if n in self.rows] or list(self.rows)[:len(PLOTTED)]
            for index, name in enumerate(shown):
                factor = self.rows[name]["mean_square"] ** 0.5
                axis.plot(depth, [factor ** d for d in depth], color=f"C{index}", label=name)
            if "sigmoid" in self.rows:
                axis.plot(depth, [self.rows["sigmoid"]["max"] ** d for d in depth], color="C0",
                          linestyle="--", label="sigmoid bound, sup |f'|^L")
            axis.axhline(1e-8, color="grey", linestyle=":", linewidth=0.8)
            axis.set_yscale("log")
            axis.set_ylim(1e-20, 1e2)
            axis.set_xlabel("layers L")
            axis.set_ylabel("gradient factor")
            axis.legend(fontsize=7, ncol=2, loc="lower left")
            figure.tight_layout()
            figure.savefig(path, dpi=DPI, metadata=METADATA)
            plt.close(figure)


def gradient_gains(names=None):
    """GradientTable of the element-wise catalog (or of `names`)."""
    return GradientTable({name: gain_row(registry.get(name))
                          for name in names or registry.names("elementwise")})
