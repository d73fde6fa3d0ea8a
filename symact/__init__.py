"""symact: activation functions defined once in SymPy, everything else derived."""
from .activation import Activation, Param
from .check import check
from .errors import SymactError, UnknownActivation
from .heads import Phi, sigmoid as sigmoid_head, softplus as softplus_head
from .registry import all_activations, get, names
from .symbols import x, y
from .user import define

__all__ = [
    "Activation", "Param", "Phi", "SymactError", "UnknownActivation", "all_activations",
    "check", "define", "get", "names", "sigmoid_head", "softplus_head", "x", "y",
]
__version__ = "0.1.0"
