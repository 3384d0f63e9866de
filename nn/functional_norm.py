"""Batch, layer, group and instance normalization as functions (re-exported by nn.functional),
with PyTorch's signatures. batch_norm calls the registered `batch_norm` op
(tinygrad_lite/ops/normalization.py). The other three normalize rows with the fused
`layer_norm` op (tinygrad_lite/ops/layer_norm.py); they differ only in which values form a row:

    layer_norm     the last len(normalized_shape) dims of every sample      (R = the rest)
    group_norm     the C/G channels of one group and their spatial values   (R = N * G)
    instance_norm  the spatial values of one channel of one sample          (R = N * C)
"""
import math
import numbers

import numpy as np

from tinygrad_lite.autograd.graph import increment_version
from tinygrad_lite.errors import ShapeError
from tinygrad_lite.ops import layer_norm as ops
from tinygrad_lite.ops import normalization as norm_ops
from tinygrad_lite.tensor import Tensor

from ._checks import check_float, same_dtype


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
    check_float(input, "batch_norm")
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
    affine = same_dtype([t for t in (input, weight, bias) if t is not None], "batch_norm")
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


def _shape_tuple(normalized_shape, fn):
    shape = ((normalized_shape,) if isinstance(normalized_shape, numbers.Integral)
             else tuple(normalized_shape))
    if not shape or any(not isinstance(s, numbers.Integral) or isinstance(s, bool) or s < 1
                        for s in shape):
        raise ValueError(f"{fn}: normalized_shape must be a positive int or a non-empty tuple "
                         f"of them, got {normalized_shape!r}")
    return tuple(int(s) for s in shape)


def _normalize_rows(rows, weight, bias, eps):
    """layer_norm op on (R, D) rows with an optional (D,) weight and bias."""
    tensors = same_dtype([t for t in (rows, weight, bias) if t is not None], "layer_norm")
    if weight is None:
        out = ops.LayerNorm.apply(tensors[0], eps=float(eps))
        return out if bias is None else out + tensors[1]
    return ops.LayerNorm.apply(*tensors, eps=float(eps))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, with the mean and biased variance
    taken over the last dims given by normalized_shape, separately for every sample;
    weight and bias have shape normalized_shape."""
    check_float(input, "layer_norm")
    shape = _shape_tuple(normalized_shape, "layer_norm")
    if input.shape[input.ndim - len(shape):] != shape or input.ndim < len(shape):
        raise ValueError(f"layer_norm: input of shape {input.shape} does not end with "
                         f"normalized_shape {shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ValueError(f"layer_norm: {name} has shape {tuple(t.shape)}, expected "
                             f"normalized_shape {shape}")
    size = math.prod(shape)
    out = _normalize_rows(input.reshape(-1, size),
                          None if weight is None else weight.reshape(size),
                          None if bias is None else bias.reshape(size), eps)
    return out.reshape(input.shape)


def _per_channel_affine(out, weight, bias, fn):
    """out * weight[c] + bias[c] along dim 1."""
    shape = (1, out.shape[1]) + (1,) * (out.ndim - 2)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (out.shape[1],):
            raise ValueError(f"{fn}: {name} has shape {tuple(t.shape)}, expected "
                             f"({out.shape[1]},) for input of shape {out.shape} (one value "
                             "per channel, dim 1)")
    same_dtype([t for t in (out, weight, bias) if t is not None], fn)
    if weight is not None:
        out = out * weight.reshape(shape)
    return out if bias is None else out + bias.reshape(shape)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the C channels (dim 1) into num_groups groups of C / num_groups; normalize each
    group of each sample over its channels and spatial values, then y = xhat * weight[c] +
    bias[c] per channel."""
    check_float(input, "group_norm")
    if input.ndim < 2:
        raise ValueError(f"group_norm: expected an input of shape (N, C, ...), got "
                         f"{input.shape}")
    channels = input.shape[1]
    if not isinstance(num_groups, numbers.Integral) or num_groups < 1 or channels % num_groups:
        raise ValueError(f"group_norm: num_groups={num_groups!r} must be a positive int that "
                         f"divides the {channels} channels of input shape {input.shape}")
    rows = input.reshape(input.shape[0] * num_groups, -1)
    out = ops.LayerNorm.apply(rows, eps=float(eps)).reshape(input.shape)
    return _per_channel_affine(out, weight, bias, "group_norm")


def _update_running(running_mean, running_var, rows, batch, momentum):
    """r <- (1 - momentum) r + momentum * (the per-instance statistic averaged over the
    batch), the variance unbiased, as PyTorch's instance_norm does."""
    data = rows._data
    count = data.shape[1]
    mean = data.mean(axis=1, dtype=np.float64).reshape(batch, -1).mean(axis=0)
    var = (data.var(axis=1, dtype=np.float64) * count / (count - 1)).reshape(batch, -1)
    for buffer, stat in ((running_mean, mean), (running_var, var.mean(axis=0))):
        buffer._data *= 1 - momentum
        buffer._data += (momentum * stat).astype(buffer.dtype)
        increment_version(buffer)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalize every channel of every sample over its own spatial values, then
    y = xhat * weight[c] + bias[c]. use_input_stats=False normalizes with running_mean and
    running_var instead; with use_input_stats and running buffers given, the buffers move
    toward the batch's average instance statistics."""
    check_float(input, "instance_norm")
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected an input of shape (N, C, ...) with spatial "
                         f"dims, got {input.shape}")
    if (running_mean is None) != (running_var is None):
        raise ValueError("instance_norm: pass both running_mean and running_var, or neither")
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and tuple(t.shape) != (input.shape[1],):
            raise ValueError(f"instance_norm: {name} has shape {tuple(t.shape)}, expected "
                             f"({input.shape[1]},) for input of shape {input.shape}")
    if not use_input_stats:
        if running_mean is None:
            raise ValueError("instance_norm: use_input_stats=False needs running_mean and "
                             "running_var")
        out = _eval_norm([input], running_mean, running_var, eps)
        return _per_channel_affine(out, weight, bias, "instance_norm")
    rows = input.reshape(input.shape[0] * input.shape[1], -1)
    if rows.shape[1] <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element per channel "
                         f"when using input statistics, got input of shape {input.shape}")
    if running_mean is not None:
        _update_running(running_mean, running_var, rows, input.shape[0], momentum)
    out = ops.LayerNorm.apply(rows, eps=float(eps)).reshape(input.shape)
    return _per_channel_affine(out, weight, bias, "instance_norm")


__all__ = ["group_norm", "instance_norm", "layer_norm"]
