"""Weight initialization, PyTorch style: each function fills a tensor in place (without
recording a graph), draws from the library generator (`tl.manual_seed` reproduces it) and
returns the tensor.

Why not zeros: every unit would compute the same thing and get the same update (symmetry).
Xavier keeps the variance of activations steady for tanh/sigmoid: Var(w) = 2 / (fan_in +
fan_out); He/Kaiming for ReLU: Var(w) = 2 / fan_in (the lecture's randn(n) * sqrt(2 / n))."""
import math
import numbers

import tinygrad_lite as tl
from tinygrad_lite.tensor import Tensor

_GAINS = {"linear": 1.0, "identity": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0,
          "conv_transpose1d": 1.0, "conv_transpose2d": 1.0, "conv_transpose3d": 1.0,
          "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity, param=None):
    """The factor that keeps activations' variance after the nonlinearity: 1 for linear and
    sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + a^2)) for leaky_relu with slope
    a = param (0.01 by default), 3/4 for selu."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if not isinstance(slope, numbers.Real) or isinstance(slope, bool):
            raise ValueError(f"calculate_gain: negative slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity not in _GAINS:
        raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; valid: "
                         f"{', '.join(sorted(list(_GAINS) + ['leaky_relu']))}")
    return _GAINS[nonlinearity]


def _fan_in_fan_out(tensor, fn):
    """fan_in = shape[1] * receptive field, fan_out = shape[0] * receptive field, where the
    receptive field is the product of the remaining dims (kernel height * width for conv)."""
    _check(tensor, fn)
    if tensor.ndim < 2:
        raise ValueError(f"{fn}: fan in and fan out need a tensor with at least 2 dims, got "
                         f"shape {tensor.shape}")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode, fn):
    fan_in, fan_out = _fan_in_fan_out(tensor, fn)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{fn}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        raise ValueError(f"{fn}: cannot initialize a tensor of shape {tensor.shape} with "
                         f"{mode} = 0")
    return fan


def _check(tensor, fn):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}: expected a Tensor, got {type(tensor).__name__}")


def uniform_(tensor, a=0.0, b=1.0):
    """w ~ U(a, b)"""
    _check(tensor, "uniform_")
    with tl.no_grad():
        return tensor.uniform_(a, b)


def normal_(tensor, mean=0.0, std=1.0):
    """w ~ N(mean, std^2)"""
    _check(tensor, "normal_")
    with tl.no_grad():
        return tensor.normal_(mean, std)


def constant_(tensor, val):
    """w = val everywhere"""
    _check(tensor, "constant_")
    with tl.no_grad():
        return tensor.fill_(val)


def zeros_(tensor):
    """w = 0 (fine for biases; for weights it leaves every unit identical)"""
    return constant_(tensor, 0.0)


def ones_(tensor):
    """w = 1"""
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor, gain=1.0):
    """Glorot: w ~ U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out))"""
    fan_in, fan_out = _fan_in_fan_out(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """Glorot: w ~ N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))"""
    fan_in, fan_out = _fan_in_fan_out(tensor, "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """He: w ~ U(-b, b), b = sqrt(3) * gain / sqrt(fan), gain = calculate_gain(nonlinearity, a)
    (sqrt 2 for relu, and for the default leaky_relu with a = 0)"""
    fan = _fan(tensor, mode, "kaiming_uniform_")
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """He: w ~ N(0, std^2), std = gain / sqrt(fan); for relu, randn(n) * sqrt(2 / n)"""
    fan = _fan(tensor, mode, "kaiming_normal_")
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan))


def lecun_normal_(tensor):
    """LeCun: w ~ N(0, 1 / fan_in), the lecture's Xavier form randn(n) / sqrt(n)
    (the variance SELU networks expect)"""
    fan = _fan(tensor, "fan_in", "lecun_normal_")
    return normal_(tensor, 0.0, 1.0 / math.sqrt(fan))
