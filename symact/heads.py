"""SymPy function heads for named functions used inside other activations.

Each head differentiates in its own terms (sigmoid' = sigmoid(1 - sigmoid)), knows its
special values, rewrites to elementary functions for identity checks, and prints as
textbook LaTeX. Numeric printers live in symact.numeric.
"""
import mpmath
import sympy as sp
from mpmath.libmp import prec_to_dps


class _Head(sp.Function):
    """Shared behaviour: one real argument, LaTeX through a fixed command."""

    nargs = 1
    latex_command = ""
    special_values = {}  # exact values at 0 and +-oo

    @classmethod
    def eval(cls, arg):
        for point, value in cls.special_values.items():
            if arg is point:
                return value

    def _eval_is_positive(self):
        if self.args[0].is_extended_real:
            return True  # every head here is positive on the reals

    def _eval_is_nonnegative(self):
        return self._eval_is_positive()

    def _eval_is_real(self):
        return self.args[0].is_extended_real

    def _eval_is_finite(self):
        return self.args[0].is_finite

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        head = self.latex_command if exp is None else f"{self.latex_command}^{{{exp}}}"
        return rf"{head}\left({arg}\right)"

    def _elementary(self, arg):
        raise NotImplementedError

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return self._elementary(arg)

    def _eval_as_leading_term(self, x, logx=None, cdir=0):
        return self._elementary(self.args[0]).as_leading_term(x, logx=logx, cdir=cdir)

    def _eval_nseries(self, x, n, logx, cdir=0):
        return self._elementary(self.args[0])._eval_nseries(x, n, logx, cdir)

    def _eval_evalf(self, prec):
        # evaluated by mpmath in a form that does not cancel: SymPy's evalf of the
        # elementary form (log(1 + e^-60), 1 + erf(-30)) rounds to exactly 0, and an
        # exact-looking 0 makes Mul(x, tanh(softplus(-60))) collapse to 0
        arg = self.args[0].evalf(prec_to_dps(prec) + 10)
        if not arg.is_Number or not arg.is_real:
            return self._elementary(self.args[0])._eval_evalf(prec)
        with mpmath.workprec(prec + 20):
            value = self._mpmath(mpmath.mpf(arg._mpf_))
        return sp.Float._new(mpmath.mpf(value)._mpf_, prec)

    @staticmethod
    def _mpmath(t):
        raise NotImplementedError


class sigmoid(_Head):
    """The logistic function sigma(x) = 1 / (1 + exp(-x))."""

    latex_command = r"\sigma"
    special_values = {sp.S.Zero: sp.S.Half, sp.S.Infinity: sp.S.One,
                      sp.S.NegativeInfinity: sp.S.Zero}

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _elementary(self, arg):
        return 1 / (1 + sp.exp(-arg))

    @staticmethod
    def _mpmath(t):
        return 1 / (1 + mpmath.exp(-t))

    def _eval_rewrite_as_tanh(self, arg, **kwargs):
        return (1 + sp.tanh(arg / 2)) / 2


class softplus(_Head):
    """The softplus function log(1 + exp(x))."""

    latex_command = r"\operatorname{softplus}"
    special_values = {sp.S.Zero: sp.log(2), sp.S.Infinity: sp.S.Infinity,
                      sp.S.NegativeInfinity: sp.S.Zero}

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _elementary(self, arg):
        return sp.log(1 + sp.exp(arg))

    @staticmethod
    def _mpmath(t):
        return t + mpmath.log1p(mpmath.exp(-t)) if t > 0 else mpmath.log1p(mpmath.exp(t))

    def _eval_rewrite_as_log(self, arg, **kwargs):
        return self._elementary(arg)


class Phi(_Head):
    """The standard normal CDF, Phi(x) = (1 + erf(x / sqrt 2)) / 2."""

    latex_command = r"\Phi"
    special_values = {sp.S.Zero: sp.S.Half, sp.S.Infinity: sp.S.One,
                      sp.S.NegativeInfinity: sp.S.Zero}

    def fdiff(self, argindex=1):
        arg = self.args[0]
        return sp.exp(-arg**2 / 2) / sp.sqrt(2 * sp.pi)

    def _elementary(self, arg):
        return (1 + sp.erf(arg / sp.sqrt(2))) / 2

    @staticmethod
    def _mpmath(t):
        return mpmath.ncdf(t)

    def _eval_rewrite_as_erf(self, arg, **kwargs):
        return self._elementary(arg)

    def _eval_rewrite_as_erfc(self, arg, **kwargs):
        return sp.erfc(-arg / sp.sqrt(2)) / 2


HEADS = (sigmoid, softplus, Phi)


def to_elementary(expr):
    """Rewrite every head in expr to elementary functions (exp, log, erf)."""
    return expr.replace(
        lambda e: isinstance(e, _Head), lambda e: e._elementary(e.args[0])
    )
