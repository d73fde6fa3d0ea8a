"""Analyses beyond one activation's own derivative: SELU's self-normalising constants,
closed forms of higher derivatives in the output, gradient gains through layers, the laws
of the softmax family, maxout's special cases, approximation errors and parameter limits,
backpropagation through a softmax classifier."""
from .approximation import (ApproximationError, ParameterLimit, approximation_error,
                            approximations, parameter_limit)
from .backprop import Backprop, backprop
from .gradient import GradientGain, GradientTable, gradient_gain, gradient_gains
from .higher import OutputPolynomials, higher_derivatives, output_polynomial
from .higher import prove as prove_output_polynomials
from .maxout import MaxoutCases, maxout_special_cases
from .selu import SeluParameters, selu_parameters
from .softmax import SoftmaxFamily, softmax_family

__all__ = ["GradientGain", "gradient_gain", "GradientTable", "gradient_gains", "SeluParameters", "selu_parameters",
           "OutputPolynomials", "higher_derivatives",
           "output_polynomial", "prove_output_polynomials", "SoftmaxFamily", "softmax_family",
           "MaxoutCases", "maxout_special_cases", "ApproximationError", "approximation_error",
           "ParameterLimit", "parameter_limit", "approximations", "Backprop", "backprop"]
