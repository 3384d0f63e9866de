"""The activations PyTorch has beyond relu/sigmoid/tanh/elu/gelu/softplus (re-exported by
nn.functional), each written as a composition of registered ops that is numerically sound:
the gradient comes from the parts, so second derivatives work too. Arguments and defaults as
torch.nn.functional; `inplace` is accepted for PyTorch code, results are always new tensors."""
from tinygrad_lite.ops import activation_rectifiers as rectifier_ops
from tinygrad_lite.tensor import where

from ._checks import check_float


def silu(input, inplace=False):
    """silu(x) = x sigmoid(x) (also called swish)"""
    check_float(input, "silu")
    return input * input.sigmoid()


def mish(input, inplace=False):
    """mish(x) = x tanh(softplus(x)), softplus computed without overflow"""
    check_float(input, "mish")
    return input * rectifier_ops.Softplus.apply(input, beta=1.0, threshold=20.0).tanh()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """hardtanh(x) = clamp(x, min_val, max_val); slope 1 inside, 0 outside"""
    check_float(input, "hardtanh")
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return input.clamp(float(min_val), float(max_val))


def relu6(input, inplace=False):
    """relu6(x) = min(max(0, x), 6)"""
    check_float(input, "relu6")
    return input.clamp(0.0, 6.0)


def hardsigmoid(input, inplace=False):
    """hardsigmoid(x) = clamp(x / 6 + 1/2, 0, 1): 0 below -3, 1 above 3, linear between"""
    check_float(input, "hardsigmoid")
    return (input * (1 / 6) + 0.5).clamp(0.0, 1.0)


def hardswish(input, inplace=False):
    """hardswish(x) = x hardsigmoid(x) (MobileNetV3's cheap swish)"""
    check_float(input, "hardswish")
    return input * hardsigmoid(input)


def softsign(input):
    """softsign(x) = x / (1 + |x|)"""
    check_float(input, "softsign")
    return input / (input.abs() + 1)


def logsigmoid(input):
    """logsigmoid(x) = log(1 / (1 + e^-x)) = -softplus(-x), with softplus computed as
    max(z, 0) + log(1 + e^-|z|), so it stays finite for large |x| (log(sigmoid(x)) would give
    log(0) = -inf for x = -800)"""
    check_float(input, "logsigmoid")
    return -rectifier_ops.Softplus.apply(-input, beta=1.0, threshold=None)


def celu(input, alpha=1.0, inplace=False):
    """celu(x) = max(0, x) + min(0, alpha (e^(x/alpha) - 1)) = alpha elu(x / alpha)"""
    check_float(input, "celu")
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x)")
    return rectifier_ops.ELU.apply(input * (1 / alpha), alpha=1.0) * alpha


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmin(x) = softmax(-x) along dim: the smallest entry gets the largest weight"""
    from .functional import softmax         # nn.functional imports this module
    check_float(input, "softmin")
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim, _stacklevel + 1)


def tanhshrink(input):
    """tanhshrink(x) = x - tanh(x)"""
    check_float(input, "tanhshrink")
    return input - input.tanh()


def threshold(input, threshold, value, inplace=False):
    """threshold(x) = x if x > threshold else value"""
    check_float(input, "threshold")
    return where(input > threshold, input, float(value))


def glu(input, dim=-1):
    """Gated linear unit: split x in halves a, b along dim; glu(x) = a * sigmoid(b)"""
    check_float(input, "glu")
    if input.ndim == 0:
        raise ValueError("glu: needs at least a 1-D input, got a 0-D tensor")
    dim = input._dim(dim, "glu")
    if input.shape[dim] % 2:
        raise ValueError(f"glu: halving dimension must be even, but dimension {dim} of input "
                         f"shape {input.shape} has size {input.shape[dim]}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


__all__ = ["celu", "glu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish",
           "relu6", "silu", "softmin", "softsign", "tanhshrink", "threshold"]
