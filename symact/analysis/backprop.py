"""Backpropagation through a two-layer network with a softmax output and cross-entropy
loss, derived step by step for any element-wise activation f:

    z1 = x W1 + b1,  a1 = f(z1),  z2 = a1 W2 + b2,  y_hat = softmax(z2),
    L = -sum_k y_k log y_hat_k.

Each step's matrix formula is verified at a concrete size by comparing it, entry by entry,
with SymPy's derivative of the scalar loss written out in every weight: once with f an
undefined function (so the chain rule is checked for every activation at once), and once
numerically for the chosen activation, against mpmath's numeric differentiation of the
loss at a random point (30 digits).
"""
from dataclasses import dataclass

import mpmath
import sympy as sp

from .. import registry
from ..budget import attempt
from ..errors import SymactError
from ..latex import expr_latex
from ..reference import mp_function
from ..symbols import x as _x, y as _y
from .page import Page

SIZES = (2, 3, 2)
SECONDS = 60
# the numeric derivative is good to ~40 of its 50 digits; a wrong f' is off by O(1)
NUMERIC_TOLERANCE = 1e-30


def _matrix(name, rows, columns):
    return sp.Matrix(rows, columns, lambda r, c: sp.Symbol(f"{name}_{r + 1}{c + 1}" if rows > 1
                                                           else f"{name}_{c + 1}", real=True))


@dataclass
class Network:
    """The symbols and forward pass at one size, with the activation as `f` (a function
    of a SymPy expression)."""
    x: sp.Matrix
    W1: sp.Matrix
    b1: sp.Matrix
    W2: sp.Matrix
    b2: sp.Matrix
    y: sp.Matrix

    @classmethod
    def of_size(cls, n_in, n_hidden, n_out):
        return cls(_matrix("x", 1, n_in), _matrix("W1", n_in, n_hidden), _matrix("b1", 1, n_hidden),
                   _matrix("W2", n_hidden, n_out), _matrix("b2", 1, n_out), _matrix("y", 1, n_out))

    def forward(self, f):
        """(z1, a1, z2, y_hat, L)."""
        z1 = self.x * self.W1 + self.b1
        a1 = z1.applyfunc(f)
        z2 = a1 * self.W2 + self.b2
        y_hat = sp.Matrix(registry.get("softmax").outputs(z2.cols)).T.xreplace(
            {sp.Symbol(f"z_{k + 1}", real=True): z2[k] for k in range(z2.cols)})
        loss = -sum(self.y[k] * sp.log(y_hat[k]) for k in range(z2.cols))
        return z1, a1, z2, y_hat, loss

    def one_hot_sum(self):
        """The substitution that makes sum_k y_k = 1 (the last label from the others)."""
        last = self.y[self.y.cols - 1]
        return {last: 1 - sum(self.y[k] for k in range(self.y.cols - 1))}

    def parameters(self):
        return [("W1", self.W1), ("b1", self.b1), ("W2", self.W2), ("b2", self.b2)]


def gradients(network, f, slope):
    """{name: matrix} from the backprop formulas, with slope(z) = f'(z) elementwise."""
    z1, a1, z2, y_hat, _ = network.forward(f)
    delta2 = y_hat - network.y
    delta1 = (delta2 * network.W2.T).multiply_elementwise(z1.applyfunc(slope))
    return {"delta2": delta2, "W2": a1.T * delta2, "b2": delta2, "delta1": delta1,
            "W1": network.x.T * delta1, "b1": delta1}


def _abstract():
    f = sp.Function("f")
    s = sp.Dummy("s", real=True)
    return f, lambda z: sp.Derivative(f(s), s).subs(s, z)


def _zero(expr, seconds):
    """Whether expr simplifies to 0 within the budget (f' written one way, exps combined)."""
    return bool(attempt(lambda: sp.simplify(sp.powsimp(sp.together(expr.doit()))) == 0,
                        seconds=seconds))


def verify_symbolic(sizes=SIZES, seconds=SECONDS):
    """{step: True/False}: every formula against SymPy's derivative of the loss, entry by
    entry, with f undefined and sum y = 1."""
    network = Network.of_size(*sizes)
    f, slope = _abstract()
    z1, a1, z2, y_hat, loss = network.forward(f)
    formulas = gradients(network, f, slope)
    one_hot = network.one_hot_sum()
    verified = {}
    # delta2 = dL/dz2: the loss as a function of free logits
    logits = sp.Matrix(1, z2.cols, lambda r, c: sp.Symbol(f"z2_{c + 1}", real=True))
    free_loss = loss.xreplace({z2[k]: logits[k] for k in range(z2.cols)})
    free_delta = formulas["delta2"].xreplace({z2[k]: logits[k] for k in range(z2.cols)})
    verified["delta2"] = all(_zero((sp.diff(free_loss, logits[k]) - free_delta[k]).xreplace(one_hot),
                                   seconds) for k in range(z2.cols))
    # delta1 = dL/dz1: the hidden pre-activations as free symbols
    hidden = sp.Matrix(1, z1.cols, lambda r, c: sp.Symbol(f"z1_{c + 1}", real=True))
    outer = {z1[j]: hidden[j] for j in range(z1.cols)}
    delta1 = formulas["delta1"].xreplace(outer)
    hidden_loss = loss.xreplace(outer)
    verified["delta1"] = all(_zero((sp.diff(hidden_loss, hidden[j]) - delta1[j]).xreplace(one_hot),
                                   seconds) for j in range(z1.cols))
    for name, matrix in network.parameters():
        verified[name] = all(_zero((sp.diff(loss, matrix[r, c]) - formulas[name][r, c]).xreplace(one_hot),
                                   seconds)
                             for r in range(matrix.rows) for c in range(matrix.cols))
    return verified


def verify_numeric(act, sizes=SIZES, seed=1, digits=30, values=None):
    """The largest relative difference, over every weight, between the formulas with the
    activation's derived f' and mpmath's numeric derivative of the loss (one-hot y), at
    the activation's parameters (defaults unless given)."""
    network = Network.of_size(*sizes)
    defaults = act.substitutions(values or {})
    f = lambda z: act.expr.xreplace(defaults).xreplace({_x: z})  # noqa: E731
    slope_expr = act.derivative(1).xreplace(defaults)
    slope = lambda z: slope_expr.xreplace({_x: z})  # noqa: E731
    _, _, _, _, loss = network.forward(f)
    formulas = gradients(network, f, slope)
    values, state = {}, seed
    for name, matrix in (("x", network.x), *network.parameters()):
        for symbol in matrix:
            state = (state * 1103515245 + 12345) % 2**31  # a fixed, platform-free sequence
            values[symbol] = sp.Rational(state % 2001 - 1000, 700)
    label = state % sizes[2]
    values.update({network.y[k]: int(k == label) for k in range(sizes[2])})
    worst = mpmath.mpf(0)
    with mpmath.workdps(digits + 20):
        for name, matrix in network.parameters():
            for r in range(matrix.rows):
                for c in range(matrix.cols):
                    symbol = matrix[r, c]
                    others = {k: v for k, v in values.items() if k != symbol}
                    at = mp_function(loss.xreplace(others).xreplace({symbol: _x}), digits + 20)
                    numeric = mpmath.diff(at, mpmath.mpf(sp.N(values[symbol], digits + 20)))
                    formula = mpmath.mpf(sp.N(formulas[name][r, c].xreplace(values), digits + 20))
                    worst = max(worst, abs(numeric - formula) / max(abs(formula), mpmath.mpf(10) ** -digits))
    return worst


@dataclass
class Backprop(Page):
    """The derivation for one activation: steps, formulas, verification (`verified`: each
    formula against SymPy's derivative with f undefined, and "numeric": the formulas with
    this activation's f' against the numeric derivative, within NUMERIC_TOLERANCE)."""
    act: object
    sizes: tuple
    verified: dict
    numeric_error: object

    @property
    def activation(self):
        return self.act.name

    @property
    def numeric_ok(self):
        return self.numeric_error <= NUMERIC_TOLERANCE

    @property
    def ok(self):
        return all(self.verified.values()) and self.numeric_ok

    def _slope_latex(self):
        act = self.act
        output = act.derivative_in_output()
        if output is not None:
            return expr_latex(output.xreplace({_y: sp.Symbol("a_1")})), True
        return expr_latex(act.derivative(1).xreplace({_x: sp.Symbol("z_1")})), False

    def text(self):
        lines = [f"backprop through {self.activation}, sizes {self.sizes}:"]
        for step, ok in self.verified.items():
            lines.append(f"  {_STEP_TEXT[step]}: {'verified' if ok else 'NOT verified'}")
        lines.append(f"  with {self.activation}'s f': largest relative difference from the "
                     f"numeric derivative {mpmath.nstr(self.numeric_error, 3)} "
                     f"({'verified' if self.numeric_ok else 'NOT verified'})")
        for name, formula in _FORMULAS_TEXT:
            lines.append(f"  {name} = {formula}")
        return "\n".join(lines) + "\n"

    def entries(self):
        act = self.act
        slope, in_output = self._slope_latex()
        n_in, n_hidden, n_out = self.sizes
        mark = lambda step: "verified" if self.verified[step] else "not verified"  # noqa: E731
        catalog = act.name in registry.names() and registry.get(act.name) is act
        activation = act.display_name if catalog else act.latex()
        slope_words = ("in the output $a_1 = f(z_1)$, as symact derives it:" if in_output
                       else "as symact derives it:")
        return [
            ("A network with one hidden layer of activation $f = " + activation + "$, a softmax "
             "output and the cross-entropy loss; $x$ is a row vector, $y$ the target "
             "distribution ($\\sum_k y_k = 1$, one-hot for a class label):", None),
            ("", r"z_1 = x W_1 + b_1,\quad a_1 = f(z_1),\quad z_2 = a_1 W_2 + b_2,\quad "
                 r"\hat y = \operatorname{softmax}(z_2),\quad L = -\sum_k y_k \log \hat y_k"),
            ("Step 1. By the softmax laws ($\\log \\operatorname{softmax}(z)_k = z_k - "
             "\\operatorname{logsumexp}(z)$ and $\\nabla \\operatorname{logsumexp} = "
             "\\operatorname{softmax}$), the loss is $L = -\\sum_k y_k z_{2,k} + (\\sum_k y_k) "
             "\\operatorname{logsumexp}(z_2)$, so", None),
            ("", r"\delta_2 = \frac{\partial L}{\partial z_2} = -y + \Big(\sum_k y_k\Big) \hat y "
                 r"= \hat y - y \quad \text{(" + mark("delta2") + ")}"),
            ("Step 2. $z_2$ is affine in $W_2$ and $b_2$, with $\\partial z_{2,k} / \\partial "
             "W_{2,jk} = a_{1,j}$:", None),
            ("", r"\frac{\partial L}{\partial W_2} = a_1^{\mathsf{T}} \delta_2 \quad \text{("
                 + mark("W2") + ")}"),
            ("", r"\frac{\partial L}{\partial b_2} = \delta_2 \quad \text{(" + mark("b2") + ")}"),
            ("Step 3. Back through $W_2$ and through $f$, element by element "
             "($\\odot$ is the elementwise product):", None),
            ("", r"\delta_1 = \frac{\partial L}{\partial z_1} = \left(\delta_2 W_2^{\mathsf{T}}\right) "
                 r"\odot f'(z_1) \quad \text{(" + mark("delta1") + ")}"),
            (f"with $f'$ for ${activation}$ " + slope_words, None),
            ("", "f' = " + slope),
            ("Step 4. $z_1$ is affine in $W_1$ and $b_1$:", None),
            ("", r"\frac{\partial L}{\partial W_1} = x^{\mathsf{T}} \delta_1 \quad \text{("
                 + mark("W1") + ")}"),
            ("", r"\frac{\partial L}{\partial b_1} = \delta_1 \quad \text{(" + mark("b1") + ")}"),
            (f"Verified: at sizes $x \\in \\mathbb{{R}}^{{{n_in}}}$, {n_hidden} hidden units and "
             f"{n_out} classes, SymPy differentiates the loss written out in every weight, with "
             "$f$ an undefined function, and each formula's entries minus those derivatives "
             "simplify to 0 once $\\sum_k y_k = 1$. For this activation, the formulas with "
             "symact's $f'$ " + ("agree with" if self.numeric_ok else "do NOT agree with")
             + " mpmath's numeric derivative of the loss at a random point: the largest "
             f"relative difference is {mpmath.nstr(self.numeric_error, 2)} in 50-digit "
             "arithmetic.", None),
        ]


_STEP_TEXT = {"delta2": "delta2 = dL/dz2", "delta1": "delta1 = dL/dz1", "W1": "dL/dW1",
              "b1": "dL/db1", "W2": "dL/dW2", "b2": "dL/db2"}
_FORMULAS_TEXT = (("delta2", "y_hat - y  (sum y = 1)"), ("dL/dW2", "a1^T delta2"),
                  ("dL/db2", "delta2"), ("delta1", "(delta2 W2^T) * f'(z1)"),
                  ("dL/dW1", "x^T delta1"), ("dL/db1", "delta1"))


def backprop(activation="sigmoid", sizes=SIZES, **values):
    """Backprop: the derivation for an element-wise activation (name or Activation),
    verified symbolically and numerically at `sizes` = (inputs, hidden units, classes);
    parameters at their defaults unless given."""
    act = registry.get(activation) if isinstance(activation, str) else activation
    if act.vector:
        raise SymactError(f"the hidden layer takes an element-wise activation; {act.name} is "
                          "vector-valued")
    sizes = tuple(sizes)
    if len(sizes) != 3 or any(not isinstance(s, int) or isinstance(s, bool) or not 1 <= s <= 4
                              for s in sizes) or sizes[2] < 2:
        raise SymactError("sizes are (inputs, hidden units, classes): integers from 1 to 4, "
                          "at least 2 classes")
    act.substitutions(values)  # checks the names and values
    return Backprop(act, sizes, verify_symbolic(sizes), verify_numeric(act, sizes, values=values))

