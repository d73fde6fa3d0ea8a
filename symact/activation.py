"""The Activation object: one symbolic definition and everything derived from it."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import sympy as sp

from . import calculus
from .errors import SymactError
from .symbols import x

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?(/[1-9]\d*)?$")


def exact(value):
    """A parameter value as an exact SymPy number (floats via their shortest repr)."""
    if isinstance(value, sp.Basic):
        if value.free_symbols:
            raise SymactError(f"parameter value {value} is not a number")
        return value
    if isinstance(value, bool):
        raise SymactError(f"parameter value {value!r} is not a number")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise SymactError(f"parameter value {value!r} is not a finite number")
        return sp.Rational(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 64 or not _NUMBER.match(text):
            raise SymactError(f"parameter value {value!r} is not a number like 0.5, -2 or 1/3")
        return sp.Rational(text)
    raise SymactError(f"parameter value {value!r} is not a number")


def format_number(value):
    """An exact number as people write it: 0.01 rather than 1/100, 11/48 when not decimal."""
    value = sp.nsimplify(value) if isinstance(value, sp.Float) else value
    if isinstance(value, sp.Rational) and not isinstance(value, sp.Integer):
        q = value.q
        twos = fives = 0
        while q % 2 == 0:
            q //= 2
            twos += 1
        while q % 5 == 0:
            q //= 5
            fives += 1
        if q == 1:
            digits = max(twos, fives)
            text = f"{abs(value.p) * 10**digits // value.q:0{digits + 1}d}"
            sign = "-" if value.p < 0 else ""
            return f"{sign}{text[:-digits]}.{text[-digits:]}"
    return str(value)


@dataclass(frozen=True)
class Param:
    """A parameter: its SymPy symbol, exact default, LaTeX name and meaning."""

    symbol: sp.Symbol
    default: sp.Expr
    doc: str = ""
    latex: str | None = None

    @property
    def name(self):
        return self.symbol.name


def param(name, default, doc="", latex=None, **assumptions):
    """Declare a parameter; the default must be exact (int, Rational or decimal string)."""
    if isinstance(default, float):
        raise TypeError(f"default of {name} must be exact, not the float {default!r}")
    return Param(sp.Symbol(name, real=True, **assumptions), exact(default), doc, latex)


@dataclass(eq=False)
class _Base:
    name: str
    summary: str
    source: str
    params_info: tuple = ()
    aliases: tuple = ()
    latex_name: str | None = None
    kink_note: str = ""
    family: tuple = field(default_factory=tuple)

    @property
    def params(self):
        """SymPy symbol -> exact default."""
        return {p.symbol: p.default for p in self.params_info}

    def param_named(self, name):
        for p in self.params_info:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params_info) or "none"
        shown = name if len(str(name)) <= 40 else str(name)[:37] + "..."
        raise SymactError(f"{self.name} has no parameter '{shown}' (its parameters: {known})")

    def substitutions(self, values=None, defaults=True):
        """{symbol: value} for the given values, completed with defaults if asked."""
        values = dict(values or {})
        subs = {self.param_named(k).symbol: exact(v) for k, v in values.items()}
        if defaults:
            for p in self.params_info:
                subs.setdefault(p.symbol, p.default)
        return subs

    def symbol_latex_names(self):
        return {p.symbol: p.latex for p in self.params_info if p.latex}

    @property
    def display_name(self):
        return self.latex_name or r"\operatorname{%s}" % self.name.replace("_", r"\_")


class Activation(_Base):
    """An element-wise activation f(x) defined by one SymPy expression."""

    vector = False

    def __init__(self, name, expr, summary, source, params=(), aliases=(), latex_name=None,
                 kink_note="", family=()):
        super().__init__(name, summary, source, tuple(params), tuple(aliases), latex_name,
                         kink_note, tuple(family))
        self.expr = calculus.normalize(expr)
        self._properties = {}
        extra = self.expr.free_symbols - {x} - set(self.params)
        if extra:
            raise ValueError(f"{name}: undeclared symbols {sorted(map(str, extra))}")

    def __repr__(self):
        return f"<Activation {self.name}: {self.expr}>"

    def __call__(self, arg, **values):
        """The definition at `arg`, with the given parameters replaced (others stay symbolic)."""
        subs = self.substitutions(
            {k: v for k, v in values.items() if not isinstance(v, sp.Basic) or v.is_number},
            defaults=False,
        )
        for k, v in values.items():
            if isinstance(v, sp.Basic) and not v.is_number:
                subs[self.param_named(k).symbol] = v
        return self.expr.xreplace(subs).subs(x, arg)

    def at(self, **values):
        """The definition with parameters fixed (defaults for those not given)."""
        return self.expr.xreplace(self.substitutions(values))

    # ---- derivatives -------------------------------------------------------------
    @functools.lru_cache(maxsize=None)
    def _derivative(self, n):
        return calculus.differentiate(self.expr, n)

    def derivative(self, n=1, **values):
        """The n-th derivative in textbook form; parameters stay symbolic unless given."""
        if not isinstance(n, int) or n < 0:
            raise SymactError(f"derivative order must be a non-negative integer, not {n!r}")
        result = self._derivative(n)
        if values:
            result = calculus.tidy(result.xreplace(self.substitutions(values, defaults=False)))
        return result

    @functools.cached_property
    def _output_form(self):
        from .inverse import derivative_in_output
        return derivative_in_output(self)

    def derivative_in_output(self, n=1):
        """The n-th derivative written in the output y = f(x) (and the parameters), or
        None: f' from the inverse of f (symact.inverse), higher orders from it by the chain
        rule, d/dx g(y) = g'(y) f'(x) (sigma'' = y(1 - y)(1 - 2y))."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise SymactError(f"derivative order must be a positive integer, not {n!r}")
        if n == 1 or self._output_form[0] is None:
            return self._output_form[0]
        if n not in self._higher_output_forms:
            from .inverse import next_in_output
            self._higher_output_forms[n] = next_in_output(
                self.derivative_in_output(n - 1), self._output_form[0])
        return self._higher_output_forms[n]

    @functools.cached_property
    def _higher_output_forms(self):
        return {}

    @property
    def derivative_in_output_reason(self):
        """Why derivative_in_output() is None (None when it exists)."""
        return self._output_form[1]

    def properties(self, **values):
        """The property table (range, monotonicity, C^k, saturation, extrema, ...) at the
        given parameters, derived from the definition (symact.properties)."""
        key = tuple(sorted((k, str(exact(v))) for k, v in values.items()))
        if key not in self._properties:
            from .properties import properties
            self._properties[key] = properties(self, **values)
        return self._properties[key]

    # ---- exports -----------------------------------------------------------------
    def latex(self, **values):
        from .latex import equation
        expr = self.at(**values) if values else self.expr
        return equation(self, rf"{self.display_name}\left(x\right)", expr)

    def derivative_latex(self, n=1, **values):
        from .latex import equation, derivative_lhs
        return equation(self, derivative_lhs(self, n), self.derivative(n, **values))

    def numpy(self, **values):
        from .numeric import compile_function
        return compile_function(self.at(**values), f"{self.name}")

    def numpy_derivative(self, n=1, **values):
        from .numeric import compile_function
        expr = self.derivative(n).xreplace(self.substitutions(values))
        return compile_function(expr, f"{self.name}_derivative" + (f"_{n}" if n > 1 else ""))

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex()}$"
