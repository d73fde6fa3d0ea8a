"""Vector-valued activations: softmax family, glu and maxout on a symbolic vector.

Each is written once in index notation (`expr`, for display) and once as a function of
a concrete symbolic vector (`outputs(n)`); the Jacobian is derived from the latter.
"""
import functools

import sympy as sp

from . import calculus
from .activation import _Base
from .errors import SymactError
from .heads import sigmoid
from .registry import register
from .symbols import x

z = sp.IndexedBase("z", real=True)
w = sp.IndexedBase("w", real=True)
b = sp.IndexedBase("b", real=True)
i, j = sp.symbols("i j", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)


class MaxOver(sp.Function):
    """max over i = 1..k of body (display only; outputs(k) uses Max)."""

    nargs = 3

    def _latex(self, printer, exp=None):
        body, index, upper = self.args
        return r"\max_{%s = 1}^{%s} \left(%s\right)" % (
            printer._print(index), printer._print(upper), printer._print(body))


class VectorActivation(_Base):
    """An activation of a whole vector; `components(zs)` gives its outputs."""

    vector = True

    def __init__(self, name, expr, components, summary, source, aliases=(), latex_name=None,
                 input_length=None, size_rule=None):
        super().__init__(name, summary, source, (), tuple(aliases), latex_name)
        self.expr = expr
        self._components = components
        self._input_length = input_length or (lambda size: size)
        self._size_rule = size_rule

    def __repr__(self):
        return f"<VectorActivation {self.name}: {self.expr}>"

    def _check(self, size):
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise SymactError(f"vector length must be a positive integer, not {size!r}")
        if size > 64:
            raise SymactError(f"vector length {size} is too large for symbolic work (at most 64)")
        if self._size_rule and not self._size_rule(size):
            raise SymactError(f"{self.name} needs an even vector length, not {size}")

    def inputs(self, size):
        """The symbolic input vector (a column Matrix)."""
        self._check(size)
        if self.name == "maxout":
            return sp.Matrix([x])
        return sp.Matrix([sp.Symbol(f"z_{k}", real=True) for k in range(1, size + 1)])

    def outputs(self, size):
        """The outputs as a column Matrix of expressions in inputs(size)."""
        self._check(size)
        return sp.Matrix(self._components(list(self.inputs(size)), size))

    @functools.lru_cache(maxsize=None)
    def jacobian(self, size):
        """d outputs / d inputs, one row per output, under symact's kink convention."""
        outs, ins = self.outputs(size), self.inputs(size)
        return sp.Matrix(len(outs), len(ins),
                         lambda r, c: calculus.differentiate(outs[r], 1, ins[c]))

    def derivative(self, n=1):
        raise SymactError(f"{self.name} is vector-valued: use jacobian(n)")

    def numpy(self):
        """f(z, axis=-1) in NumPy, printed from the index notation (symact.vector_numeric)."""
        from .vector_numeric import compile_vector
        return compile_vector(self)

    def numpy_derivative(self, n=1):
        raise SymactError(f"{self.name} is vector-valued: its Jacobian is jacobian(n), "
                          "and NumPy code covers the activation itself")

    def derivative_in_output(self):
        return None

    @property
    def derivative_in_output_reason(self):
        return "vector-valued: the Jacobian in terms of the outputs is derived in symact.analysis"

    def latex(self):
        from .latex import expr_latex
        return f"{self.display_name} = {expr_latex(self.expr)}"

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex()}$"


def _softmax(zs, size):
    total = sum(sp.exp(v) for v in zs)
    return [sp.exp(v) / total for v in zs]


def _log_softmax(zs, size):
    lse = sp.log(sum(sp.exp(v) for v in zs))
    return [v - lse for v in zs]


def _softmin(zs, size):
    return _softmax([-v for v in zs], size)


def _logsumexp(zs, size):
    return [sp.log(sum(sp.exp(v) for v in zs))]


def _glu(zs, size):
    half = size // 2
    return [zs[k] * sigmoid(zs[k + half]) for k in range(half)]


def _maxout(zs, size):
    (arg,) = zs
    return [sp.Max(*[sp.Symbol(f"w_{k}", real=True) * arg + sp.Symbol(f"b_{k}", real=True)
                     for k in range(1, size + 1)])]


_sum_exp = sp.Sum(sp.exp(z[j]), (j, 1, n))
register(VectorActivation(
    "softmax", sp.exp(z[i]) / _sum_exp, _softmax,
    "normalised exponentials e^(z_i)/sum_j e^(z_j)", "PyTorch nn.Softmax; Bridle 1990",
    latex_name=r"\operatorname{softmax}(z)_i"))
register(VectorActivation(
    "log_softmax", z[i] - sp.log(_sum_exp), _log_softmax,
    "z_i - logsumexp(z)", "PyTorch nn.LogSoftmax", latex_name=r"\operatorname{log\,softmax}(z)_i"))
register(VectorActivation(
    "softmin", sp.exp(-z[i]) / sp.Sum(sp.exp(-z[j]), (j, 1, n)), _softmin,
    "softmax of -z", "PyTorch nn.Softmin", latex_name=r"\operatorname{softmin}(z)_i"))
register(VectorActivation(
    "logsumexp", sp.log(_sum_exp), _logsumexp,
    "log sum_j e^(z_j), a smooth maximum", "PyTorch torch.logsumexp; JAX nn.logsumexp",
    latex_name=r"\operatorname{logsumexp}(z)"))
register(VectorActivation(
    "glu", z[i] * sigmoid(z[i + n / 2]), _glu,
    "gated linear unit: first half times sigma(second half), length n even",
    "PyTorch nn.GLU; Dauphin et al. 2017", latex_name=r"\operatorname{GLU}(z)_i",
    size_rule=lambda size: size % 2 == 0))
register(VectorActivation(
    "maxout", MaxOver(w[i] * x + b[i], i, sp.Symbol("k", integer=True, positive=True)), _maxout,
    "maximum of k affine pieces w_i x + b_i of one input (n = k)",
    "Goodfellow et al. 2013, 'Maxout networks'", latex_name=r"\operatorname{maxout}(x)"))
