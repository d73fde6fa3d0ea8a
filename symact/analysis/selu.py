"""SELU's alpha and lambda from the fixed-point conditions of Klambauer et al. (2017): for
z ~ N(input mean, input variance), E[selu(z)] = mean and E[selu(z)^2] = second moment.

Both expectations split at 0 into four Gaussian integrals that SymPy evaluates in closed
form (erfc and exponentials), each under a time budget:
    A = E[z; z > 0], B = E[e^z - 1; z <= 0], C = E[z^2; z > 0], D = E[(e^z - 1)^2; z <= 0],
so that E[selu] = lambda (A + alpha B) and E[selu^2] = lambda^2 (C + alpha^2 D). With a
zero mean, alpha = -A/B and lambda = sqrt(m2 / (C + alpha^2 D)); otherwise alpha solves
(A + alpha B)^2 m2 = (C + alpha^2 D) mean^2 and lambda = mean / (A + alpha B).
"""
from dataclasses import dataclass

import sympy as sp

from ..budget import attempt
from ..errors import SymactError
from ..activation import exact
from .page import Page

INTEGRAL_SECONDS = 30
_z = sp.Symbol("z", real=True)


@dataclass(frozen=True)
class SeluParameters(Page):
    """alpha and lambda (exact SymPy expressions) reaching the requested moments."""
    alpha: sp.Expr
    scale: sp.Expr
    mean: sp.Expr
    second_moment: sp.Expr
    input_mean: sp.Expr
    input_variance: sp.Expr
    parts: tuple  # (A, B, C, D), the Gaussian integrals in the module docstring

    def values(self, digits=32):
        """(alpha, lambda) as decimal strings with `digits` significant digits."""
        return str(sp.N(self.alpha, digits)), str(sp.N(self.scale, digits))

    def entries(self, digits=32):
        """The derivation: conditions, integrals, solution."""
        return _formulas(self, digits)

    def text(self, digits=32):
        alpha, scale = self.values(digits)
        return (f"alpha  = {alpha}\n         = {sp.sstr(self.alpha)}\n"
                f"lambda = {scale}\n         = {sp.sstr(self.scale)}\n")


_PART_LATEX = (r"A = \operatorname{E}[z;\ z > 0]", r"B = \operatorname{E}[e^{z} - 1;\ z \le 0]",
               r"C = \operatorname{E}[z^{2};\ z > 0]",
               r"D = \operatorname{E}[(e^{z} - 1)^{2};\ z \le 0]")


def _formulas(found, digits):
    """[(words, LaTeX display formula or None)] of the derivation, for both renderings;
    words may hold $inline$ math."""
    alpha, scale = found.values(digits)
    latex = sp.latex
    setting = rf"z \sim \mathcal{{N}}({latex(found.input_mean)}, {latex(found.input_variance)})"
    if found.mean == 0:
        solve = (r"\alpha = -\frac{A}{B}, \qquad \lambda = \sqrt{\frac{"
                 + latex(found.second_moment) + r"}{C + \alpha^{2} D}}")
    else:
        solve = (r"(A + \alpha B)^{2} \cdot " + latex(found.second_moment)
                 + r" = (C + \alpha^{2} D) \cdot " + latex(found.mean ** 2)
                 + r", \qquad \lambda = \frac{" + latex(found.mean) + r"}{A + \alpha B}")
    return [
        (f"For ${setting}$ the fixed-point conditions",
         rf"\operatorname{{E}}[\operatorname{{selu}}(z)] = {latex(found.mean)}, \qquad "
         rf"\operatorname{{E}}[\operatorname{{selu}}(z)^{{2}}] = {latex(found.second_moment)}"),
        ("split at $z = 0$ into",
         rf"\lambda (A + \alpha B) = {latex(found.mean)}, \qquad "
         rf"\lambda^{{2}} (C + \alpha^{{2}} D) = {latex(found.second_moment)}"),
        ("with four Gaussian integrals, which SymPy evaluates in closed form:", None),
        *[("", f"{name} = {latex(value)}") for name, value in zip(_PART_LATEX, found.parts)],
        (r"Solved for $\alpha > 0$ and $\lambda > 0$:", solve),
        ("which gives", rf"\alpha = {latex(found.alpha)} \approx {alpha}"),
        ("", rf"\lambda = {latex(found.scale)} \approx {scale}"),
    ]


def _gaussian_parts(mu, variance):
    """(A, B, C, D) for z ~ N(mu, variance), exact."""
    density = sp.exp(-(_z - mu) ** 2 / (2 * variance)) / sp.sqrt(2 * sp.pi * variance)
    pieces = {"A": (_z, (0, sp.oo)), "B": (sp.exp(_z) - 1, (-sp.oo, 0)),
              "C": (_z ** 2, (0, sp.oo)), "D": ((sp.exp(_z) - 1) ** 2, (-sp.oo, 0))}
    parts = []
    for name, (integrand, (low, high)) in pieces.items():
        value = attempt(sp.integrate, sp.expand(integrand * density), (_z, low, high),
                        seconds=INTEGRAL_SECONDS)
        if value is None or value.has(sp.Integral):
            raise SymactError(f"the Gaussian integral {name} of the SELU moments did not "
                              f"close within {INTEGRAL_SECONDS} s")
        parts.append(tidy_erf(value))
    return parts


def tidy_erf(value):
    """erf(u) as 1 - erfc(u) (the closed forms read as in the SNN paper), simplified."""
    value = value.replace(lambda e: isinstance(e, sp.erf), lambda e: 1 - sp.erfc(e.args[0]))
    return attempt(sp.simplify, value, seconds=INTEGRAL_SECONDS, default=value)


def selu_parameters(mean=0, second_moment=1, input_mean=0, input_variance=1):
    """alpha and lambda such that selu(z) with z ~ N(input_mean, input_variance) has the
    given mean and second moment (the SNN paper's fixed point is the default). Raises
    SymactError when no alpha > 0, lambda > 0 reaches them."""
    mean, m2 = exact(mean), exact(second_moment)
    mu, variance = exact(input_mean), exact(input_variance)
    if not variance > 0:
        raise SymactError(f"the input variance must be positive, not {variance}")
    if not m2 > mean ** 2:
        raise SymactError(f"the second moment must exceed the squared mean "
                          f"(a positive variance); {m2} <= {mean ** 2}")
    A, B, C, D = _gaussian_parts(mu, variance)
    alpha = sp.Symbol("alpha", positive=True)
    if mean == 0:
        candidates = [-A / B]
    else:
        equation = sp.expand((A + alpha * B) ** 2 * m2 - (C + alpha ** 2 * D) * mean ** 2)
        candidates = attempt(sp.solve, equation, alpha, seconds=INTEGRAL_SECONDS, default=[])
    found = []
    for a in candidates:
        a = tidy_erf(a)
        numeric = sp.N(a, 40)
        if not (numeric.is_real and numeric > 0):
            continue
        scale = sp.sqrt(m2 / (C + a ** 2 * D)) if mean == 0 else mean / (A + a * B)
        scale = tidy_erf(scale)
        if sp.N(scale, 40) > 0 and _moments_hold(a, scale, mean, m2, (A, B, C, D)):
            found.append(SeluParameters(a, scale, mean, m2, mu, variance, (A, B, C, D)))
    if len(found) != 1:
        what = "no" if not found else f"{len(found)}"
        raise SymactError(f"{what} SELU settings with alpha > 0 and lambda > 0 give mean {mean} "
                          f"and second moment {m2} for z ~ N({mu}, {variance})")
    return found[0]


def _moments_hold(alpha, scale, mean, m2, parts):
    A, B, C, D = (sp.N(p, 50) for p in parts)
    a, s = sp.N(alpha, 50), sp.N(scale, 50)
    tolerance = sp.Float(10, 50) ** -40
    return (abs(s * (A + a * B) - mean) < tolerance * (1 + abs(mean))
            and abs(s ** 2 * (C + a ** 2 * D) - m2) < tolerance * (1 + abs(m2)))
