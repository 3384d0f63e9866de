"""Convolution, batch normalization and dropout as functions (re-exported by nn.functional),
with PyTorch's signatures. They check shapes and arguments, then call the registered ops in
tinygrad_lite/ops (conv.py, normalization.py, dropout.py). Inputs are (N, C, H, W) batches,
or (C, H, W) single images for conv. Pooling is in functional_pooling.py."""
import numbers

import numpy as np

from tinygrad_lite import dtypes, random
from tinygrad_lite.ops import conv as conv_ops
from tinygrad_lite.ops import dropout as dropout_ops
from tinygrad_lite.ops import normalization as norm_ops
from tinygrad_lite.tensor import Tensor


def pair(value, name, fn, minimum):
    """An int or a pair of ints -> (h, w), each at least `minimum`."""
    pair_ = (value, value) if isinstance(value, numbers.Integral) else tuple(value)
    if (len(pair_) != 2 or any(not isinstance(v, numbers.Integral) or isinstance(v, bool)
                               or v < minimum for v in pair_)):
        raise ValueError(f"{fn}: {name} must be an int >= {minimum} or a pair of them, "
                         f"got {value!r}")
    return int(pair_[0]), int(pair_[1])


def _check_float(x, fn):
    """Raise TypeError unless x is a floating-point Tensor (fn names the caller)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: expected a Tensor, got {type(x).__name__}")
    if not dtypes.is_floating(x.dtype):
        raise TypeError(f"{fn}: expected a floating-point tensor, got {x.dtype} (use .float())")


def _batched(x, fn):
    """(x as 4-D, whether a batch dim was added): (C, H, W) images get a batch of one."""
    _check_float(x, fn)
    if x.ndim not in (3, 4):
        raise ValueError(f"{fn}: expected a 4-D input (N, C, H, W) or a 3-D one (C, H, W), got "
                         f"shape {x.shape}")
    return (x.unsqueeze(0), True) if x.ndim == 3 else (x, False)


def _check_window(x, kernel_size, padding, fn):
    padded = (x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1])
    if padded[0] < kernel_size[0] or padded[1] < kernel_size[1]:
        raise ValueError(f"{fn}: kernel size {kernel_size} is bigger than the padded input "
                         f"{padded} (input shape {x.shape}, padding {padding}); use a smaller "
                         "kernel or more padding")


def _same_dtype(tensors):
    """The tensors converted to their common dtype (PyTorch promotion: float32, float64 ->
    float64)."""
    dtype = tensors[0].dtype
    if all(t.dtype == dtype for t in tensors[1:]):
        return tensors                   # the usual case: nothing to convert
    for t in tensors[1:]:
        dtype = dtypes.promote(dtype, t.dtype)
    return [t.to(dtype) for t in tensors]


def conv2d(input, weight, bias=None, stride=1, padding=0):
    """out[n, o, y, x] = b[o] + sum_{c,i,j} W[o, c, i, j] x_pad[n, c, y*s + i, x*s + j]
    (cross-correlation, as torch.nn.functional.conv2d); W is (out, in, KH, KW)."""
    x, added = _batched(input, "conv2d")
    stride, padding = pair(stride, "stride", "conv2d", 1), pair(padding, "padding", "conv2d", 0)
    if weight.ndim != 4 or weight.shape[1] != x.shape[1]:
        raise ValueError(f"conv2d: weight of shape {weight.shape} does not fit input of shape "
                         f"{input.shape}: expected (out_channels, {x.shape[1]}, KH, KW)")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"conv2d: bias has shape {bias.shape}, expected ({weight.shape[0]},) "
                         f"for weight of shape {weight.shape}")
    _check_window(x, weight.shape[2:], padding, "conv2d")
    tensors = _same_dtype([t for t in (x, weight, bias) if t is not None])
    out = conv_ops.Conv2d.apply(*tensors, stride=stride, padding=padding)
    return out.squeeze(0) if added else out


def _check_channel_vector(t, name, x):
    if t is not None and t.shape != (x.shape[1],):
        raise ValueError(f"batch_norm: {name} has shape {t.shape}, expected ({x.shape[1]},) "
                         f"for input of shape {x.shape} (one value per channel, dim 1)")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Per channel (dim 1): y = gamma (x - mu) / sqrt(sigma^2 + eps) + beta.
    training: mu, sigma^2 = batch mean and biased variance, and the running statistics (if
    given) move toward the batch's: r <- (1 - momentum) r + momentum * stat (unbiased var);
    eval: mu, sigma^2 = running_mean, running_var."""
    _check_float(input, "batch_norm")
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, ...), got {input.shape}")
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_channel_vector(t, name, input)
    if (weight is None) != (bias is None):
        raise ValueError("batch_norm: pass both weight and bias, or neither")
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_norm: pass both running_mean and running_var, or neither")
    affine = _same_dtype([t for t in (input, weight, bias) if t is not None])
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
        running = dict(running_mean=running_mean.data, running_var=running_var.data)
    out = norm_ops.BatchNorm.apply(*affine, eps=float(eps), momentum=float(momentum), **running)
    for buffer in (running_mean, running_var):
        if buffer is not None:
            buffer._version += 1      # updated in place by the op
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
