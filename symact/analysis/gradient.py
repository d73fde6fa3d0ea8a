"""Gradient flow through a chain of layers of one activation: the per-layer bound
sup |f'| (exact), E[f'(z)] and E[f'(z)^2] for z ~ N(0, 1) (exact where SymPy integrates
within a time budget, else 30 digits by mpmath quadrature split at the kinks), and the
depth at which even the best case, sup |f'|^L, falls below a tolerance (sigmoid:
(1/4)^L < 1e-8 from L = 14 on)."""
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
from .selu import tidy_erf

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


def gradient_gain(activation, **values):
    """GradientGain of an activation, by name or as an Activation (your own, from
    symact.define); parameters at their defaults unless given."""
    act = registry.get(activation) if isinstance(activation, str) else activation
    if act.vector:
        raise SymactError(f"gradient gains cover element-wise activations; "
                          f"{act.name} is vector-valued")
    substitutions = act.substitutions(values)
    slope = act.derivative(1).xreplace(substitutions)
    candidates, candidates_exact = function_candidates(slope)
    high, low = extreme(candidates, lowest=False), extreme(candidates, lowest=True)
    bound = high[0] if numeric(high[0]) >= -numeric(low[0]) else -low[0]
    mean, mean_exact = _expectation(slope, act.at(**values))
    square, square_exact = _expectation(slope ** 2, act.at(**values))
    exact = {"max": bool(candidates_exact and high[3] and low[3]), "mean": mean_exact,
             "mean_square": square_exact}
    return GradientGain(act.name, bound, mean, square, exact)


def _expectation(g, definition):
    """(E[g(z)] for z ~ N(0, 1), exact?)."""
    density = sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)
    closed = attempt(sp.integrate, to_elementary(g) * density, (x, -sp.oo, sp.oo),
                     seconds=SECONDS)
    if closed is not None and not closed.has(sp.Integral) and closed.is_number \
            and closed.is_finite and closed.is_real:
        return tidy_erf(closed), True
    value = mp_function(g)
    breaks = sorted(float(k) for k in kinks(definition))
    with mpmath.workdps(DIGITS + 15):
        total = mpmath.quad(lambda t: value(t) * mpmath.npdf(t),
                            [-mpmath.inf, *breaks, mpmath.inf])
    return sp.Float(mpmath.nstr(total, DIGITS + 5), DIGITS), False
