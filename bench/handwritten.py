"""Peers for the benchmark: the best hand-written NumPy/SciPy forms a careful engineer would
write (stable formulas, no per-element Python), and the PyTorch functions. Not product
code: symact generates its own from the definitions."""
import numpy as np
from scipy.special import expit, log_expit, ndtr

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SQRT_2_OVER_PI = 0.7978845608028654
INV_SQRT_2PI = 0.3989422804014327


def _elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def _gelu_tanh(x):
    u = SQRT_2_OVER_PI * (x + 0.044715 * x**3)
    return x * expit(2 * u)


def _gelu_tanh_d(x):
    u = SQRT_2_OVER_PI * (x + 0.044715 * x**3)
    s = expit(2 * u)
    return s + 2 * x * s * expit(-2 * u) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x**2)


def _softplus(x):
    return np.logaddexp(0, x)


def _mish(x):
    return x * np.tanh(np.logaddexp(0, x))


def _mish_d(x):
    sp = np.logaddexp(0, x)
    t = np.tanh(sp)
    return t + x * (1 - t * t) * expit(x)


FUNCTIONS = {
    ("sigmoid", False): expit,
    ("sigmoid", True): lambda x: expit(x) * expit(-x),
    ("tanh", False): np.tanh,
    ("tanh", True): lambda x: 1 / np.cosh(x) ** 2,
    ("relu", False): lambda x: np.maximum(x, 0),
    ("relu", True): lambda x: (x > 0).astype(np.float64),
    ("relu6", False): lambda x: np.clip(x, 0, 6),
    ("leaky_relu", False): lambda x: np.maximum(x, 0.01 * x),
    ("leaky_relu", True): lambda x: np.where(x > 0, 1.0, 0.01),
    ("elu", False): _elu,
    ("elu", True): lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))),
    ("selu", False): lambda x: SELU_SCALE * _elu(x, SELU_ALPHA),
    ("selu", True): lambda x: SELU_SCALE * np.where(x > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(x, 0))),
    ("softplus", False): _softplus,
    ("softplus", True): expit,
    ("log_sigmoid", False): log_expit,
    ("log_sigmoid", True): lambda x: expit(-x),
    ("gelu", False): lambda x: x * ndtr(x),
    ("gelu", True): lambda x: ndtr(x) + x * INV_SQRT_2PI * np.exp(-0.5 * x * x),
    ("gelu_tanh", False): _gelu_tanh,
    ("gelu_tanh", True): _gelu_tanh_d,
    ("silu", False): lambda x: x * expit(x),
    ("silu", True): lambda x: expit(x) * (1 + x * expit(-x)),
    ("mish", False): _mish,
    ("mish", True): _mish_d,
    ("hard_sigmoid", False): lambda x: np.clip(x / 6 + 0.5, 0, 1),
    ("hard_swish", False): lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    ("hard_tanh", False): lambda x: np.clip(x, -1, 1),
    ("softsign", False): lambda x: x / (1 + np.abs(x)),
    ("softsign", True): lambda x: 1 / (1 + np.abs(x)) ** 2,
}

TORCH = {
    "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "relu6": "relu6",
    "leaky_relu": "leaky_relu", "elu": "elu", "selu": "selu", "softplus": "softplus",
    "log_sigmoid": "logsigmoid", "gelu": "gelu", "silu": "silu", "mish": "mish",
    "hard_sigmoid": "hardsigmoid", "hard_swish": "hardswish", "hard_tanh": "hardtanh",
    "softsign": "softsign", "tanhshrink": "tanhshrink",
}


def torch_function(torch, name, derivative):
    """PyTorch's f (float64 CPU) or its autograd derivative, as a NumPy-in, NumPy-out callable."""
    op = getattr(torch.nn.functional, TORCH[name], None) or getattr(torch, TORCH[name])

    def forward(x):
        with torch.no_grad():
            return op(torch.from_numpy(np.asarray(x, dtype=np.float64))).numpy()

    def backward(x):
        t = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
        op(t).sum().backward()
        return t.grad.numpy()

    return backward if derivative else forward
