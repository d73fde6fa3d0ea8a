"""Analyses beyond one activation's own derivative: SELU's self-normalising constants and
closed forms of higher derivatives in the output."""
from .higher import OutputPolynomials, higher_derivatives, output_polynomial
from .higher import prove as prove_output_polynomials
from .selu import SeluParameters, selu_parameters

__all__ = ["SeluParameters", "selu_parameters", "OutputPolynomials", "higher_derivatives",
           "output_polynomial", "prove_output_polynomials"]
