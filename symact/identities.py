"""The built-in identity library: claims the literature relies on, each checked by symact.check."""
import re
from dataclasses import dataclass

from . import registry


@dataclass(frozen=True)
class Identity:
    """A claim in the checker's language, its assumptions and where it comes from."""

    claim: str
    assume: tuple = ()
    note: str = ""

    @property
    def involves(self):
        """The catalog activations the claim mentions."""
        names = set(registry.names("elementwise"))
        found = []
        for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?=\()", self.claim):
            if word in names and word not in found:
                found.append(word)
        return found

    def check(self, timeout=None):
        from .check import check
        return check(self.claim, self.assume, **({"timeout": timeout} if timeout else {}))


SELU = "1.0507009873554804934193349852946*elu(x, 1.6732632423543772848170429916717)"

IDENTITIES = (
    Identity("tanh(x) == 2*sigmoid(2*x) - 1", note="tanh is a rescaled sigmoid"),
    Identity("sigmoid(-x) == 1 - sigmoid(x)", note="symmetry of the logistic function"),
    Identity("diff(sigmoid(x), x) == sigmoid(x)*(1 - sigmoid(x))", note="sigma' = sigma(1 - sigma)"),
    Identity("diff(sigmoid(x), x) <= 1/4", note="max sigma' = 1/4 (gradients shrink through sigmoid layers)"),
    Identity("Subs(diff(sigmoid(x), x), x, 0) == 1/4", note="... attained at 0"),
    Identity("diff(tanh(x), x) == 1 - tanh(x)**2", note="tanh' = 1 - tanh^2"),
    Identity("diff(tanh(x), x) <= 1", note="max tanh' = 1"),
    Identity("Subs(diff(tanh(x), x), x, 0) == 1", note="... attained at 0"),
    Identity("diff(softplus(x), x) == sigmoid(x)", note="softplus' = sigma"),
    Identity("softplus(x) - softplus(-x) == x", note="softplus(x) - softplus(-x) = x"),
    Identity("log_sigmoid(x) == -softplus(-x)", note="log sigma(x) = -softplus(-x)"),
    Identity(f"selu(x) == {SELU}", note="selu = lambda * elu_alpha"),
    Identity("swish(x, b) == silu(b*x)/b", ("b > 0",), note="swish_beta(x) = silu(beta x)/beta"),
    Identity("swish(x, b) == x*sigmoid(b*x)", note="swish_beta(x) = x sigma(beta x)"),
    Identity("swish(x, 1) == silu(x)", note="swish with beta = 1 is silu"),
    Identity("quick_gelu(x) == swish(x, 1.702)", note="quick_gelu is swish with beta = 1.702"),
    Identity("Subs(diff(silu(x), x), x, 0) == 1/2", note="silu'(0) = 1/2"),
    Identity("Subs(diff(gelu(x), x), x, 0) == 1/2", note="gelu'(0) = 1/2"),
    Identity("Subs(diff(mish(x), x), x, 0) == 3/5", note="mish'(0) = 3/5"),
    Identity("sparse_sigmoid(x) == diff(sparse_plus(x), x)", note="sparse_sigmoid = sparse_plus'"),
    Identity("relu(a*x) == a*relu(x)", ("a >= 0",), note="relu is positively homogeneous"),
    Identity("prelu(x, a) == Max(x, a*x)", ("a <= 1",), note="prelu_a(x) = max(x, ax) for a <= 1"),
    Identity("hard_swish(x) == x*hard_sigmoid(x)", note="hard_swish = x hard_sigmoid(x)"),
    Identity("celu(x, 1) == elu(x, 1)", note="celu = elu at alpha = 1"),
    Identity("celu(x, a) == elu(x/a, 1)*a", ("a > 0",), note="celu_alpha(x) = alpha elu(x/alpha)"),
    Identity("gelu(x) == x*(1 + erf(x/sqrt(2)))/2", note="gelu through erf"),
    Identity("0 < sigmoid(x) < 1", note="range of sigma"),
    Identity("relu(x) == (x + Abs(x))/2", note="relu through |x|"),
    Identity("relu6(x) == Min(Max(x, 0), 6)", note="relu6 = min(max(0, x), 6)"),
    Identity("hard_tanh(x) == 2*hard_sigmoid(3*x) - 1", note="hard_tanh is a rescaled hard_sigmoid"),
    Identity("softsign(x) == x/(1 + Abs(x))", note="softsign through |x|"),
    Identity("tanhshrink(x) == x - tanh(x)", note="tanhshrink = x - tanh x"),
    Identity("mish(x) == x*tanh(log(1 + exp(x)))", note="mish = x tanh(softplus x)"),
)
