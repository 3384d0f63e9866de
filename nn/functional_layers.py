"""Batch normalization and dropout as functions (re-exported by nn.functional), with PyTorch's
signatures, and the argument checks that convolution (functional_conv.py) and pooling
(functional_pooling.py) share. They check shapes and arguments, then call the registered ops
in tinygrad_lite/ops (normalization.py, dropout.py)."""
import numbers

import numpy as np

from tinygrad_lite import dtypes, random
from tinygrad_lite.autograd.graph import increment_version
from tinygrad_lite.errors import ShapeError
from tinygrad_lite.ops import dropout as dropout_ops
from tinygrad_lite.ops import normalization as norm_ops
from tinygrad_lite.tensor import Tensor


def as_tuple(value, name, fn, minimum, dims):
    """An int or a `dims`-tuple of ints -> a tuple of `dims` ints, each at least `minimum`."""
    values = (value,) * dims if isinstance(value, numbers.Integral) else tuple(value)
    if (len(values) != dims or any(not isinstance(v, numbers.Integral) or isinstance(v, bool)
                                   or v < minimum for v in values)):
        what = "a pair" if dims == 2 else f"a {dims}-tuple"
        raise ValueError(f"{fn}: {name} must be an int >= {minimum} or {what} of them, "
                         f"got {value!r}")
    return tuple(int(v) for v in values)


def pair(value, name, fn, minimum):
    """An int or a pair of ints -> (h, w), each at least `minimum`."""
    return as_tuple(value, name, fn, minimum, 2)


def _check_float(x, fn):
    """Raise TypeError unless x is a floating-point Tensor (fn names the caller)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: expected a Tensor, got {type(x).__name__}")
    if not dtypes.is_floating(x.dtype):
        raise TypeError(f"{fn}: expected a floating-point tensor, got {x.dtype} (use .float())")


def batched(x, dims, fn):
    """(x with a batch dim, whether one was added) for an input of `dims` spatial dims:
    rank dims + 2 (N, C, ...) as it is, rank dims + 1 (C, ...) as a batch of one."""
    _check_float(x, fn)
    names = "(N, C, H, W) or (C, H, W)" if dims == 2 else "(N, C, L) or (C, L)"
    if x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{fn}: expected a {dims + 2}-D input or a {dims + 1}-D one "
                         f"{names}, got shape {x.shape}")
    return (x.unsqueeze(0), True) if x.ndim == dims + 1 else (x, False)


def _same_dtype(tensors, fn):
    """The tensors, checked to share one dtype. As in PyTorch, a layer does not convert: a
    float64 input to a float32 layer is an error, not a silent float64 computation."""
    dtype = tensors[0].dtype
    if any(t.dtype != dtype for t in tensors[1:]):
        raise RuntimeError(f"{fn}: expected the input and the parameters to have the same "
                           f"dtype, but got {[str(t.dtype) for t in tensors]}; convert the "
                           "input (x.float() / x.double()) or the layer (.float() / .double())")
    return tensors


def check_linear_shapes(input, weight, bias, layer):
    """Raise ShapeError unless input (..., in_features), weight (out_features, in_features) and
    bias (out_features,) or None fit; `layer` names the caller in the message: "linear", or
    the module, "Linear(in_features=784, out_features=256)"."""
    if weight.ndim != 2:
        raise ShapeError(f"{layer}: weight must be 2-D (out_features, in_features), got shape "
                         f"{weight.shape}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ShapeError(f"{layer}: input has {input.shape[-1] if input.ndim else 0} features, "
                         f"expected {weight.shape[1]} (input shape {input.shape}, weight shape "
                         f"{weight.shape}; the last dim of the input holds the features)")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ShapeError(f"{layer}: bias has shape {bias.shape}, expected "
                         f"({weight.shape[0]},) for weight of shape {weight.shape}")


def _check_channel_vector(t, name, x):
    if t is not None and t.shape != (x.shape[1],):
        raise ShapeError(f"batch_norm: {name} has shape {t.shape}, expected ({x.shape[1]},) "
                         f"for input of shape {x.shape} (one value per channel, dim 1)")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Per channel (dim 1): y = gamma (x - mu) / sqrt(sigma^2 + eps) + beta.
    training: mu, sigma^2 = batch mean and biased variance, and the running statistics (if
    given) move toward the batch's: r <- (1 - momentum) r + momentum * stat (unbiased var);
    eval: mu, sigma^2 = running_mean, running_var."""
    _check_float(input, "batch_norm")
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C, ...), got {input.shape}")
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_channel_vector(t, name, input)
    if (weight is None) != (bias is None):     # one given: the other is the identity
        fill = np.ones if weight is None else np.zeros
        missing = Tensor(fill(input.shape[1], (weight if bias is None else bias).dtype))
        weight, bias = (missing, bias) if weight is None else (weight, missing)
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_norm: pass both running_mean and running_var, or neither")
    affine = _same_dtype([t for t in (input, weight, bias) if t is not None], "batch_norm")
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: eval mode (training=False) needs running_mean and "
                             "running_var")
        return _eval_norm(affine, running_mean, running_var, eps)
    if input.numel() // input.shape[1] <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input of shape {input.shape}")
    running = {}
    if running_mean is not None:
        running = dict(running_mean=running_mean._data, running_var=running_var._data)
    out = norm_ops.BatchNorm.apply(*affine, eps=float(eps), momentum=float(momentum), **running)
    for buffer in (running_mean, running_var):
        if buffer is not None:
            increment_version(buffer)      # updated in place by the op
    return out


def _eval_norm(affine, running_mean, running_var, eps):
    """y = x * scale + shift, scale = gamma / sqrt(running_var + eps),
    shift = beta - running_mean * scale (per channel)"""
    x = affine[0]
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    scale = (running_var.detach().to(x.dtype) + eps) ** -0.5
    mean = running_mean.detach().to(x.dtype)
    if len(affine) == 3:
        scale = scale * affine[1]
        return x * scale.reshape(shape) + (affine[2] - mean * scale).reshape(shape)
    return x * scale.reshape(shape) - (mean * scale).reshape(shape)


def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout: in training each element is kept with probability 1 - p and scaled
    by 1/(1-p), so the expectation is unchanged and evaluation needs no rescaling; identity
    when not training. The mask comes from the library generator (tl.manual_seed).
    `inplace` is accepted for PyTorch code; the result is a new tensor."""
    _check_float(input, "dropout")
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout: probability p must be between 0 and 1, got {p!r}")
    if not training or p == 0:
        return input
    if p == 1:
        mask = np.zeros(input.shape, input.dtype)
    else:
        keep = random.generator().random(input.shape, dtype=input.dtype) >= p
        mask = keep * input.dtype.type(1 / (1 - p))
    return dropout_ops.Dropout.apply(input, mask=mask)
