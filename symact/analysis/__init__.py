"""Analyses beyond one activation's own derivative: SELU's self-normalising constants."""
from .selu import SeluParameters, selu_parameters

__all__ = ["SeluParameters", "selu_parameters"]
