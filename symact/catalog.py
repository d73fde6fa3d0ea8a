"""The element-wise catalog: one definition per activation, composed like the papers.

Kinks: a Piecewise branch owns the boundary points its condition includes, and the
derivative there is that branch's (see symact.calculus); each condition below is
chosen to reproduce PyTorch autograd (CONVENTIONS §2). Defaults follow PyTorch, else
JAX, else the paper (CONVENTIONS §1).
"""
import sympy as sp

from .activation import Activation, param
from .heads import Phi, sigmoid as sigma, softplus as softplus_head
from .registry import register
from .symbols import x

Pw = sp.Piecewise
R = sp.Rational

SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"
GELU_TANH_CUBIC = "0.044715"
QUICK_GELU_SCALE = "1.702"


def define(name, expr, summary, source, **kwargs):
    return register(Activation(name, expr, summary, source, **kwargs))


# ---- linear and step -----------------------------------------------------------------
define("identity", x, "the identity x (a linear unit)", "PyTorch nn.Identity",
       aliases=("linear",), latex_name=r"\operatorname{id}")
define("binary_step", Pw((1, x >= 0), (0, True)),
       "Heaviside step: 1 for x >= 0, else 0", "Wikipedia, 'Activation function' (table)",
       latex_name=r"\operatorname{step}",
       kink_note="f jumps at 0 with f(0) = 1; f' = 0 wherever it exists and is reported as 0 at x = 0")

# ---- sigmoid-shaped ------------------------------------------------------------------
sigmoid = define("sigmoid", sigma(x), "logistic sigmoid 1/(1 + e^-x)", "PyTorch nn.Sigmoid",
                 aliases=("logistic", "expit"), latex_name=r"\sigma", family=("sigmoid",))
define("tanh", sp.tanh(x), "hyperbolic tangent", "PyTorch nn.Tanh",
       latex_name=r"\tanh", family=("sigmoid",))
define("arctan", sp.atan(x), "inverse tangent", "Wikipedia, 'Activation function' (table)",
       latex_name=r"\arctan", family=("sigmoid",))
define("softsign", x / (1 + sp.Abs(x)), "x/(1 + |x|)",
       "PyTorch nn.Softsign; Turian, Bergstra & Bengio 2009", family=("sigmoid",))

_isru_alpha = param("alpha", 1, "weight of x^2 under the root", positive=True)
define("isru", x / sp.sqrt(1 + _isru_alpha.symbol * x**2),
       "inverse square root unit x/sqrt(1 + alpha x^2)",
       "Carlile et al. 2017, 'Improving deep learning by inverse square root linear units'",
       params=(_isru_alpha,), latex_name=r"\operatorname{ISRU}", family=("sigmoid",))

# ---- rectifiers ------------------------------------------------------------------
relu = define("relu", Pw((x, x > 0), (0, True)), "rectified linear unit max(0, x)",
              "PyTorch nn.ReLU; Nair & Hinton 2010", latex_name=r"\operatorname{ReLU}",
              kink_note="relu'(0) = 0 (PyTorch, JAX)", family=("relu",))
define("relu6", Pw((0, x <= 0), (6, x >= 6), (x, True)), "min(max(0, x), 6)",
       "PyTorch nn.ReLU6; Krizhevsky 2010", latex_name=r"\operatorname{ReLU6}",
       kink_note="f'(0) = f'(6) = 0 (PyTorch)", family=("relu", "hard"))

_leaky_slope = param("negative_slope", R(1, 100), "slope for x <= 0", latex="a", positive=True)
define("leaky_relu", Pw((x, x > 0), (_leaky_slope.symbol * x, True)),
       "x for x > 0, negative_slope*x otherwise",
       "PyTorch nn.LeakyReLU (slope 0.01; Keras uses 0.2 or 0.3); Maas et al. 2013",
       params=(_leaky_slope,), latex_name=r"\operatorname{LeakyReLU}",
       kink_note="f'(0) = negative_slope (PyTorch; JAX gives 1)", family=("relu",))

_prelu_a = param("a", R(1, 4), "learned slope for x <= 0 (PyTorch init 0.25; Keras 0)")
define("prelu", Pw((x, x > 0), (_prelu_a.symbol * x, True)),
       "parametric ReLU: x for x > 0, a*x otherwise",
       "PyTorch nn.PReLU; He et al. 2015", params=(_prelu_a,),
       latex_name=r"\operatorname{PReLU}", kink_note="f'(0) = a (PyTorch)", family=("relu",))

_rrelu_lower = param("lower", R(1, 8), "lower bound of the random slope", latex=r"l", positive=True)
_rrelu_upper = param("upper", R(1, 3), "upper bound of the random slope", latex=r"u", positive=True)
define("rrelu",
       Pw((x, x > 0), ((_rrelu_lower.symbol + _rrelu_upper.symbol) / 2 * x, True)),
       "randomized ReLU in evaluation mode: slope (lower + upper)/2 for x <= 0",
       "PyTorch nn.RReLU (eval mode); Xu et al. 2015", params=(_rrelu_lower, _rrelu_upper),
       latex_name=r"\operatorname{RReLU}", kink_note="f'(0) = (lower + upper)/2 (PyTorch)",
       family=("relu",))

_elu_alpha = param("alpha", 1, "saturation value -alpha for x -> -oo", positive=True)
elu = define("elu", Pw((x, x > 0), (_elu_alpha.symbol * (sp.exp(x) - 1), True)),
             "exponential linear unit", "PyTorch nn.ELU; Clevert, Unterthiner & Hochreiter 2016",
             params=(_elu_alpha,), latex_name=r"\operatorname{ELU}",
             kink_note="f'(0) = alpha (PyTorch; C^1 only for alpha = 1)", family=("relu",))

_selu_alpha = param("alpha", SELU_ALPHA, "fixed point of the SNN moment conditions", positive=True)
_selu_scale = param("scale", SELU_SCALE, "fixed point of the SNN moment conditions",
                    latex=r"\lambda", positive=True)
define("selu", _selu_scale.symbol * elu(x, alpha=_selu_alpha.symbol),
       "scaled ELU, lambda*elu_alpha(x), self-normalising",
       "PyTorch nn.SELU; Klambauer et al. 2017", params=(_selu_alpha, _selu_scale),
       latex_name=r"\operatorname{SELU}", kink_note="f'(0) = lambda*alpha (PyTorch)",
       family=("relu",))

_celu_alpha = param("alpha", 1, "saturation value -alpha; input scale 1/alpha", positive=True)
define("celu", Pw((x, x > 0), (_celu_alpha.symbol * (sp.exp(x / _celu_alpha.symbol) - 1), True)),
       "continuously differentiable ELU", "PyTorch nn.CELU; Barron 2017",
       params=(_celu_alpha,), latex_name=r"\operatorname{CELU}",
       kink_note="f'(0) = 1 for every alpha (PyTorch)", family=("relu",))

_srelu_tl = param("t_l", -1, "left threshold (learned; illustrative default)")
_srelu_al = param("a_l", R(1, 10), "slope left of t_l (learned; illustrative default)")
_srelu_tr = param("t_r", 1, "right threshold (learned; illustrative default)")
_srelu_ar = param("a_r", R(1, 2), "slope right of t_r (learned; illustrative default)")
tl, al, tr, ar = (p.symbol for p in (_srelu_tl, _srelu_al, _srelu_tr, _srelu_ar))
define("srelu", Pw((tr + ar * (x - tr), x >= tr), (tl + al * (x - tl), x <= tl), (x, True)),
       "S-shaped ReLU with three linear pieces", "Jin et al. 2016, 'Deep learning with S-shaped rectified linear activation units'",
       params=(_srelu_tl, _srelu_al, _srelu_tr, _srelu_ar), latex_name=r"\operatorname{SReLU}",
       kink_note="The outer pieces own t_l and t_r (the paper's x >= t_r, x <= t_l)",
       family=("relu",))

_apl_a = param("a", R(1, 2), "hinge slope (learned; illustrative default)")
_apl_b = param("b", 1, "hinge location (learned; illustrative default)")
define("apl", relu(x) + _apl_a.symbol * relu(-x + _apl_b.symbol),
       "adaptive piecewise linear unit with one hinge: max(0, x) + a max(0, b - x)",
       "Agostinelli et al. 2015, 'Learning activation functions to improve deep neural networks'",
       params=(_apl_a, _apl_b), latex_name=r"\operatorname{APL}",
       kink_note="Each max(0, u) has derivative 0 at u = 0, as relu", family=("relu",))

_thr_t = param("threshold", R(1, 10), "inputs at or below it are replaced (PyTorch docs example)",
               latex=r"\theta")
_thr_v = param("value", 20, "the replacement (PyTorch docs example)", latex=r"v")
define("threshold", Pw((x, x > _thr_t.symbol), (_thr_v.symbol, True)),
       "x above threshold, else value", "PyTorch nn.Threshold (no defaults there; docs example 0.1, 20)",
       params=(_thr_t, _thr_v), kink_note="f'(threshold) = 0 (PyTorch)", family=("relu",))

# ---- smooth rectifiers ---------------------------------------------------------------
_softplus_beta = param("beta", 1, "sharpness; softplus -> relu as beta -> oo",
                       positive=True)
define("softplus", softplus_head(_softplus_beta.symbol * x) / _softplus_beta.symbol,
       "log(1 + e^(beta x))/beta",
       "PyTorch nn.Softplus (its threshold=20 is a numerical shortcut, not part of f); Dugas et al. 2001",
       params=(_softplus_beta,), latex_name=r"\operatorname{softplus}", family=("relu", "smooth"))
define("log_sigmoid", -softplus_head(-x), "log(sigma(x)) = -softplus(-x)",
       "PyTorch nn.LogSigmoid", latex_name=r"\log\sigma", family=("sigmoid",))

_squareplus_b = param("b", 4, "curvature at 0 (JAX, Keras)", positive=True)
define("squareplus", (x + sp.sqrt(x**2 + _squareplus_b.symbol)) / 2,
       "(x + sqrt(x^2 + b))/2", "JAX nn.squareplus; Barron 2021", params=(_squareplus_b,),
       family=("relu", "smooth"))
sparse_plus = define("sparse_plus", Pw((0, x <= -1), (x, x >= 1), ((x + 1)**2 / 4, True)),
                     "0, (x+1)^2/4 on (-1, 1), then x", "JAX nn.sparse_plus",
                     kink_note="C^1: f' is continuous", family=("relu", "hard"))
define("sparse_sigmoid", Pw((0, x <= -1), (1, x >= 1), ((x + 1) / 2, True)),
       "clip((x + 1)/2, 0, 1), the derivative of sparse_plus", "JAX nn.sparse_sigmoid",
       kink_note="f'(-1) = 0 and f'(1) = 0, matching sparse_plus'' branch by branch",
       family=("sigmoid", "hard"))
define("bent_identity", (sp.sqrt(x**2 + 1) - 1) / 2 + x, "(sqrt(x^2 + 1) - 1)/2 + x",
       "Wikipedia, 'Activation function' (table)", family=("smooth",))
define("exponential", sp.exp(x), "e^x", "Keras activations.exponential",
       latex_name=r"\exp")

# ---- gated (x times a gate) ----------------------------------------------------------
define("gelu", x * Phi(x), "Gaussian error linear unit x*Phi(x), exact erf form",
       "PyTorch nn.GELU (approximate='none'); Hendrycks & Gimpel 2016 "
       "(JAX and Keras default to the tanh form)",
       latex_name=r"\operatorname{GELU}", family=("gelu", "smooth"))
define("gelu_tanh",
       x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + R(GELU_TANH_CUBIC) * x**3))),
       "GELU, tanh approximation", "PyTorch nn.GELU(approximate='tanh'); Hendrycks & Gimpel 2016",
       latex_name=r"\operatorname{GELU}_{\tanh}", family=("gelu",))
define("quick_gelu", x * sigma(R(QUICK_GELU_SCALE) * x), "x*sigma(1.702 x)",
       "Hendrycks & Gimpel 2016 (sigmoid approximation); OpenAI CLIP QuickGELU",
       latex_name=r"\operatorname{QuickGELU}", family=("gelu",))
silu = define("silu", x * sigma(x), "sigmoid linear unit x*sigma(x)",
              "PyTorch nn.SiLU; Elfwing et al. 2018, Ramachandran et al. 2017",
              latex_name=r"\operatorname{SiLU}", family=("gelu", "smooth"))
_swish_beta = param("beta", 1, "gate sharpness (swish with beta = 1 is silu)", positive=True)
define("swish", x * sigma(_swish_beta.symbol * x), "x*sigma(beta x)",
       "Ramachandran, Zoph & Le 2017; tf.nn.silu(beta)", params=(_swish_beta,),
       latex_name=r"\operatorname{swish}", family=("gelu",))
define("mish", x * sp.tanh(softplus_head(x)), "x*tanh(softplus(x))",
       "PyTorch nn.Mish; Misra 2019", latex_name=r"\operatorname{Mish}", family=("gelu", "smooth"))
define("elish", Pw((x * sigma(x), x >= 0), ((sp.exp(x) - 1) * sigma(x), True)),
       "x*sigma(x) for x >= 0, (e^x - 1)*sigma(x) otherwise",
       "Basirat & Roth 2018, 'The quest for the golden activation function'",
       latex_name=r"\operatorname{ELiSH}", family=("gelu",))

# ---- hard (piecewise-linear) approximations ------------------------------------------
define("hard_sigmoid", Pw((0, x <= -3), (1, x >= 3), (x / 6 + R(1, 2), True)),
       "relu6(x + 3)/6", "PyTorch nn.Hardsigmoid (Keras 2 used clip(0.2x + 0.5, 0, 1))",
       latex_name=r"\operatorname{hardsigmoid}", kink_note="f'(-3) = f'(3) = 0 (PyTorch)",
       family=("sigmoid", "hard"))
define("hard_swish", Pw((0, x <= -3), (x, x >= 3), (x * (x + 3) / 6, True)),
       "x*relu6(x + 3)/6", "PyTorch nn.Hardswish; Howard et al. 2019",
       latex_name=r"\operatorname{hardswish}",
       kink_note="f'(-3) = 0, f'(3) = 1 (PyTorch since PR 148049, fixing issue 147801; "
                 "older PyTorch gave -1/2, 3/2; JAX gives 0, 1)",
       family=("gelu", "hard"))
_ht_min = param("min_val", -1, "lower clip", latex=r"m_{\min}")
_ht_max = param("max_val", 1, "upper clip", latex=r"m_{\max}")
define("hard_tanh",
       Pw((_ht_min.symbol, x <= _ht_min.symbol), (_ht_max.symbol, x >= _ht_max.symbol), (x, True)),
       "clip(x, min_val, max_val)", "PyTorch nn.Hardtanh", params=(_ht_min, _ht_max),
       latex_name=r"\operatorname{hardtanh}", kink_note="f' = 0 at both clips (PyTorch; JAX gives 1)",
       family=("sigmoid", "hard"))

# ---- shrinkage -----------------------------------------------------------------------
_ss_lambd = param("lambd", R(1, 2), "half-width of the dead zone", latex=r"\lambda", positive=True)
define("softshrink",
       Pw((x - _ss_lambd.symbol, x > _ss_lambd.symbol), (x + _ss_lambd.symbol, x < -_ss_lambd.symbol), (0, True)),
       "soft thresholding", "PyTorch nn.Softshrink", params=(_ss_lambd,),
       kink_note="f'(+-lambda) = 0 (PyTorch)")
_hs_lambd = param("lambd", R(1, 2), "half-width of the dead zone", latex=r"\lambda", positive=True)
define("hardshrink",
       Pw((x, x > _hs_lambd.symbol), (x, x < -_hs_lambd.symbol), (0, True)),
       "hard thresholding", "PyTorch nn.Hardshrink", params=(_hs_lambd,),
       kink_note="f jumps at +-lambda; f'(+-lambda) = 0 (PyTorch)")
define("tanhshrink", x - sp.tanh(x), "x - tanh(x)", "PyTorch nn.Tanhshrink")

# ---- others --------------------------------------------------------------------------
_se_alpha = param("alpha", R(1, 2), "interpolates log (alpha < 0), identity (0) and exp (alpha > 0)")
a = _se_alpha.symbol
define("soft_exponential",
       Pw((-sp.log(1 - a * (x + a)) / a, a < 0), (x, sp.Eq(a, 0)), ((sp.exp(a * x) - 1) / a + a, True)),
       "soft exponential, three cases by the sign of alpha",
       "Godfrey & Gashler 2016, 'A continuum among logarithmic, linear, and exponential functions'",
       params=(_se_alpha,), latex_name=r"\operatorname{softexp}",
       kink_note="For alpha < 0 it is defined only where 1 - alpha(x + alpha) > 0")
define("sinusoid", sp.sin(x), "sin(x)", "Wikipedia, 'Activation function' (table)",
       latex_name=r"\sin")
define("sinc", Pw((sp.sin(x) / x, sp.Ne(x, 0)), (1, True)),
       "sin(x)/x, with the removable point sinc(0) = 1 (unnormalised; numpy.sinc is sin(pi x)/(pi x))",
       "Wikipedia, 'Activation function' (table)", latex_name=r"\operatorname{sinc}")
define("gaussian", sp.exp(-x**2), "e^(-x^2)", "Wikipedia, 'Activation function' (table)",
       latex_name=r"\operatorname{gaussian}")
