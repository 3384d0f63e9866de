"""Weight initialization, PyTorch style: each function fills a tensor in place (without
recording a graph), draws from the library generator (`tl.manual_seed` reproduces it) and
returns the tensor.

Why not zeros: every unit would compute the same thing and get the same update (symmetry).
Xavier keeps the variance of activations steady for tanh/sigmoid: Var(w) = 2 / (fan_in +
fan_out); He/Kaiming for ReLU: Var(w) = 2 / fan_in (the lecture's randn(n) * sqrt(2 / n))."""
import math
import numbers

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import random
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


# ---- structured initializations ------------------------------------------------------
def _write(tensor, values):
    """Copy an array into the tensor in place, outside the graph."""
    with tl.no_grad():
        return tensor.copy_(np.asarray(values, dtype=tensor.dtype))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0):
    """w ~ N(mean, std^2) restricted to [a, b] (a, b absolute bounds, as PyTorch): draws
    outside the bounds are drawn again until every entry falls inside."""
    _check(tensor, "trunc_normal_")
    if not a < b or not std > 0:
        raise ValueError(f"trunc_normal_: need std > 0 and a < b, got std={std}, a={a}, b={b}")

    def cdf(x):   # of N(mean, std^2)
        return 0.5 * (1 + math.erf((x - mean) / (std * math.sqrt(2))))
    if cdf(b) - cdf(a) < 1e-4:
        raise ValueError(f"trunc_normal_: [a, b] = [{a}, {b}] holds less than 1e-4 of "
                         f"N({mean}, {std}^2); bring the bounds nearer the mean")
    rng = random.generator()
    values = rng.normal(mean, std, tensor.shape)
    outside = (values < a) | (values > b)
    while outside.any():
        values[outside] = rng.normal(mean, std, int(outside.sum()))
        outside = (values < a) | (values > b)
    return _write(tensor, values)


def orthogonal_(tensor, gain=1.0):
    """A (semi-)orthogonal matrix (times gain) for the tensor viewed as (shape[0], rest):
    Q of the QR decomposition of a Gaussian matrix, column signs fixed by diag(R) so Q is
    uniformly distributed (Saxe et al. 2013). Rows are orthonormal when rows <= columns,
    columns otherwise."""
    _check(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, "
                         f"got shape {tensor.shape}")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows if rows else 0
    flat = random.generator().standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, (gain * q).reshape(tensor.shape))


def eye_(tensor):
    """The identity matrix (ones on the diagonal of a 2-D, possibly non-square tensor):
    a layer that starts as the identity map."""
    _check(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tensor.shape}")
    return _write(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """The Dirac delta for a 3-, 4- or 5-D convolution weight (out, in, *kernel): output
    channel i of each group copies input channel i at the kernel's centre, so the
    convolution starts as the identity (as many channels as both sides have)."""
    _check(tensor, "dirac_")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only 3-, 4- and 5-D tensors are supported, got shape "
                         f"{tensor.shape}")
    if not isinstance(groups, numbers.Integral) or groups < 1 or tensor.shape[0] % groups:
        raise ValueError(f"dirac_: dim 0 ({tensor.shape[0]}) must be divisible by groups "
                         f"({groups!r})")
    per_group = tensor.shape[0] // groups
    values = np.zeros(tensor.shape)
    centre = tuple(k // 2 for k in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(per_group, tensor.shape[1])):
            values[(g * per_group + d, d) + centre] = 1
    return _write(tensor, values)


def sparse_(tensor, sparsity, std=0.01):
    """w ~ N(0, std^2) with a fraction `sparsity` of each column set to zero: ceil(sparsity *
    rows) entries per column, at random rows (Martens 2010)."""
    _check(tensor, "sparse_")
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: only 2-D tensors are supported, got shape {tensor.shape}")
    if not 0 <= sparsity <= 1:
        raise ValueError(f"sparse_: sparsity must be in [0, 1], got {sparsity!r}")
    rows, cols = tensor.shape
    zeros = math.ceil(sparsity * rows)
    rng = random.generator()
    values = rng.normal(0.0, std, (rows, cols))
    for col in range(cols):
        values[rng.permutation(rows)[:zeros], col] = 0
    return _write(tensor, values)
