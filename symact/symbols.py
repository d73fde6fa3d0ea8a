"""The symbols every definition shares: the input x and the output y."""
import sympy as sp

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
