"""Laws of the softmax family, proved twice: for every length n in index notation (SymPy
differentiates z_i by z_k into Kronecker deltas and sums over them), and for concrete
lengths by the checker on the catalog's own outputs(n) and jacobian(n), which also
searches for a counterexample at 50 digits first.

The laws: sum softmax = 1; softmax and logsumexp under a shift of every entry; the
gradient of logsumexp is softmax; log softmax = z - logsumexp = log_softmax; softmin is
softmax of -z; two-class softmax is sigma(z_1 - z_2); the Jacobian is diag(s) - s s^T.
"""
from dataclasses import dataclass, field

import sympy as sp
from sympy.simplify.simplify import factor_sum

from .. import registry
from ..budget import attempt
from ..check import check_relations
from ..errors import SymactError
from ..heads import sigmoid
from ..vector import i, j, n, z
from .page import Page, Table

SIZES = (2, 3)
SECONDS = 60  # per law and length: the Jacobian for n = 3 takes 13 s of CPU
_k = sp.Symbol("k", integer=True, positive=True)
_c = sp.Symbol("c", real=True)


def _family():
    return {name: registry.get(name) for name in ("softmax", "log_softmax", "softmin", "logsumexp")}


def _shifted(expr, by):
    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == z, lambda e: e + by)


def _general(acts):
    """{law: (lhs, rhs)} in index notation, for every length n (entries i and k)."""
    s, lse = acts["softmax"].expr, acts["logsumexp"].expr
    s_k = s.subs(i, _k)
    return {
        "sum": (sp.Sum(s, (i, 1, n)), sp.S.One),
        "shift": (_shifted(s, _c), s),
        "logsumexp_shift": (_shifted(lse, _c), lse + _c),
        "gradient": (sp.diff(lse, z[_k]), s_k),
        "log_softmax": (sp.log(s), acts["log_softmax"].expr),
        "softmin": (acts["softmin"].expr, s.replace(lambda e: isinstance(e, sp.Indexed) and e.base == z,
                                                    lambda e: -e)),
        "jacobian": (sp.diff(s, z[_k]), sp.KroneckerDelta(i, _k) * s - s * s_k),
    }


def _concrete(acts, size):
    """{law: [(lhs, rhs)]} on the catalog's outputs at one length."""
    s = list(acts["softmax"].outputs(size))
    zs = list(acts["softmax"].inputs(size))
    lse = acts["logsumexp"].outputs(size)[0]
    moved = {v: v + _c for v in zs}
    jacobian = acts["softmax"].jacobian(size)
    laws = {
        "sum": [(sum(s), sp.S.One)],
        "shift": [(e.xreplace(moved), e) for e in s],
        "logsumexp_shift": [(lse.xreplace(moved), lse + _c)],
        "gradient": [(sp.diff(lse, v), e) for v, e in zip(zs, s)],
        "log_softmax": [(sp.log(e), o) for e, o in zip(s, acts["log_softmax"].outputs(size))],
        "softmin": [(o, e.xreplace({v: -v for v in zs}))
                    for o, e in zip(acts["softmin"].outputs(size), s)],
        "jacobian": [(jacobian[r, c], (s[r] if r == c else 0) - s[r] * s[c])
                     for r in range(size) for c in range(size)],
    }
    if size == 2:
        laws["two_class"] = [(s[0], sigmoid(zs[0] - zs[1])), (s[1], sigmoid(zs[1] - zs[0]))]
    return laws


STATEMENTS = {
    "sum": (r"\sum_{i=1}^{n} \operatorname{softmax}(z)_i = 1", "sum_i softmax(z)_i = 1"),
    "shift": (r"\operatorname{softmax}(z + c\mathbf{1}) = \operatorname{softmax}(z)",
              "softmax(z + c) = softmax(z)"),
    "logsumexp_shift": (r"\operatorname{logsumexp}(z + c\mathbf{1}) = \operatorname{logsumexp}(z) + c",
                        "logsumexp(z + c) = logsumexp(z) + c"),
    "gradient": (r"\frac{\partial}{\partial z_k} \operatorname{logsumexp}(z) = \operatorname{softmax}(z)_k",
                 "d logsumexp / dz_k = softmax(z)_k"),
    "log_softmax": (r"\log \operatorname{softmax}(z)_i = z_i - \operatorname{logsumexp}(z) "
                    r"= \operatorname{log\,softmax}(z)_i",
                    "log softmax(z)_i = z_i - logsumexp(z) = log_softmax(z)_i"),
    "softmin": (r"\operatorname{softmin}(z) = \operatorname{softmax}(-z)", "softmin(z) = softmax(-z)"),
    "two_class": (r"\operatorname{softmax}(z_1, z_2)_1 = \sigma(z_1 - z_2)",
                  "softmax(z_1, z_2)_1 = sigma(z_1 - z_2)"),
    "jacobian": (r"\frac{\partial \operatorname{softmax}(z)_i}{\partial z_k} = \delta_{ik} s_i - s_i s_k,"
                 r"\quad J = \operatorname{diag}(s) - s s^{\mathsf{T}}",
                 "d softmax_i / dz_k = delta_ik s_i - s_i s_k, J = diag(s) - s s^T"),
}


def _canonical(expr):
    """Sums renamed to one dummy index (so that sums over i and over j compare equal), the
    side condition k <= n of a delta summed away dropped (k is an entry index, 1 <= k <= n),
    and every sum of exponentials (positive) replaced by a positive symbol, so that logs of
    quotients may be split."""
    expr = sp.expand(expr, power_exp=True, mul=False, multinomial=False, log=False)
    expr = expr.replace(lambda e: isinstance(e, sp.Sum),
                        lambda e: factor_sum(sp.Sum(e.function.xreplace({e.variables[0]: j}),
                                                    (j, *e.limits[0][1:]))))
    expr = expr.replace(lambda e: isinstance(e, sp.Piecewise),
                        lambda e: e.subs(sp.Le(_k, n), True))
    sums = {e: sp.Symbol(f"S[{sp.srepr(e)}]", positive=True) for e in sp.preorder_traversal(expr)
            if isinstance(e, sp.Sum) and isinstance(e.function, sp.exp)}
    return expr.xreplace(sums)


def prove_general(lhs, rhs, seconds=SECONDS):
    """Whether lhs = rhs for every n, entries i and k in 1..n and every real c: the
    difference, with sums evaluated and logs expanded, simplifies to 0."""
    def zero():
        difference = _canonical((lhs - rhs).doit())
        difference = sp.expand_log(_canonical(difference.doit()))
        return sp.simplify(difference) == 0
    return bool(attempt(zero, seconds=seconds))


@dataclass
class Law:
    """One law of the family: statement, proof for every n, verdicts at concrete lengths."""
    name: str
    latex: str
    text: str
    general: bool | None  # None: a statement about one length only
    sizes: dict = field(default_factory=dict)  # length -> Verdict

    @property
    def status(self):
        concrete = [v.status for v in self.sizes.values()]
        if "refuted" in concrete:
            return "refuted"
        return "proved" if self.general or (self.general is None and concrete
                                            and set(concrete) == {"proved"}) else "unknown"


class SoftmaxFamily(Page):
    """The laws, each with its proofs; `entries()` shows them for the collection."""

    def __init__(self, laws, sizes):
        self.laws, self.sizes = laws, sizes

    def as_dict(self):
        return [{"law": law.name, "statement": law.text, "status": law.status,
                 "every_n": law.general,
                 "lengths": {str(size): v.status for size, v in law.sizes.items()}}
                for law in self.laws]

    def text(self):
        lines = []
        for law in self.laws:
            every = {True: "every n", False: "not for every n", None: "n = 2 only"}[law.general]
            lengths = ", ".join(f"n={size}: {v.status}" for size, v in law.sizes.items())
            lines.append(f"{law.status:<8} {law.text}\n         ({every}; checker {lengths})")
        return "\n".join(lines) + "\n"

    def entries(self):
        sizes = ", ".join(map(str, self.sizes))
        rows = []
        for law in self.laws:
            every = {True: "proved", False: "not proved", None: "(only $n = 2$)"}[law.general]
            statuses = {v.status for v in law.sizes.values()}
            checked = (f"{statuses.pop()} ($n = {', '.join(map(str, law.sizes))}$)"
                       if len(statuses) == 1 else
                       ", ".join(f"{v.status} ($n = {size}$)" for size, v in law.sizes.items()))
            rows.append((f"${law.latex}$", every, checked))
        return [
            ("Each law is proved in two ways. For every length $n$: written in index notation, "
             "differentiated by SymPy (a derivative of $z_i$ by $z_k$ is a Kronecker delta "
             "$\\delta_{ik}$, summed away), with every sum of exponentials treated as a positive "
             "number, the difference of the two sides simplifies to 0. For the lengths "
             f"$n = {sizes}$: symact's checker searches the entries at "
             "50 digits for a counterexample, then proves the equation on the catalog's own "
             "outputs and Jacobian, which symact derives from the definitions.", None),
            Table(("law", "every $n$", "concrete lengths"), tuple(rows), "p{6.3cm}lp{4.4cm}"),
            ("The generated NumPy code relies on the shift laws: softmax, log-softmax, "
             "softmin and logsumexp are evaluated at $z - \\max_j z_j$, where no exponential "
             "overflows and the largest term of each sum is exactly 1, so that "
             "$\\log \\sum_j e^{z_j - m} = \\operatorname{log1p}(\\sum_{j \\ne j^*} e^{z_j - m})$ "
             "keeps its relative accuracy.", None),
            ("The Jacobian at $n = 3$, as symact derives it:", None),
            ("", "J = " + sp.latex(registry.get("softmax").jacobian(3))
             .replace(r"\left[\begin{matrix}", r"\begin{bmatrix}")
             .replace(r"\end{matrix}\right]", r"\end{bmatrix}")),
        ]


def softmax_family(sizes=SIZES, seconds=SECONDS):
    """SoftmaxFamily: every law proved for all n where SymPy can, and checked at `sizes`."""
    if not sizes or any(not isinstance(s, int) or isinstance(s, bool) or not 2 <= s <= 6 for s in sizes):
        raise SymactError("lengths for the softmax laws must be integers from 2 to 6")
    acts = _family()
    general = _general(acts)
    concrete = {size: _concrete(acts, size) for size in sizes}
    laws = []
    for name, (latex, text) in STATEMENTS.items():
        law = Law(name, latex, text, prove_general(*general[name], seconds) if name in general else None)
        for size in sizes:
            if name in concrete[size]:
                law.sizes[size] = check_relations(text, [(sp.sympify(lhs), sp.Eq, sp.sympify(rhs))
                                                         for lhs, rhs in concrete[size][name]],
                                                  timeout=seconds)
        laws.append(law)
    return SoftmaxFamily(laws, tuple(sizes))
