"""Normalization layers beyond batch norm: LayerNorm (each sample over its last dims, the
transformer's norm), GroupNorm (groups of channels), InstanceNorm1d/2d (each channel of each
sample). Unlike BatchNorm their statistics never mix samples, so they work on a batch of one
and behave the same in training and eval (unless InstanceNorm tracks running statistics)."""
import numbers
import warnings

import numpy as np

from . import functional as F
from .batchnorm import _NormBase
from .functional_norm import _shape_tuple
from .module import Module, Parameter


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, mean and (biased) variance over the
    last dims = normalized_shape of every sample. weight starts at 1 and bias at 0, both of
    shape normalized_shape (elementwise_affine=False: neither; bias=False: no bias)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape, "LayerNorm")
        self.eps, self.elementwise_affine = eps, elementwise_affine
        shape = self.normalized_shape
        self.weight = Parameter(np.ones(shape, np.float32)) if elementwise_affine else None
        self.bias = (Parameter(np.zeros(shape, np.float32)) if elementwise_affine and bias
                     else None)

    def forward(self, x):
        shape = self.normalized_shape
        if x.ndim < len(shape) or x.shape[x.ndim - len(shape):] != shape:
            raise ValueError(f"{self!r}: input of shape {x.shape} does not end with "
                             f"normalized_shape {shape}")
        return F.layer_norm(x, shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Split the C channels into num_groups groups and normalize each group of each sample
    over its channels and spatial values; then weight[c] * xhat + bias[c] per channel
    (affine=True: weight starts at 1, bias at 0). num_groups=1 is a LayerNorm over (C, ...),
    num_groups=C an InstanceNorm."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, *, bias=True):
        super().__init__()
        for name, value in (("num_groups", num_groups), ("num_channels", num_channels)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"GroupNorm: {name} must be a positive int, got {value!r}")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels = int(num_groups), int(num_channels)
        self.eps, self.affine = eps, affine
        self.weight = Parameter(np.ones(num_channels, np.float32)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, np.float32)) if affine and bias else None

    def forward(self, x):
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"{self!r}: expected an input (N, {self.num_channels}, ...) with "
                             f"{self.num_channels} channels in dim 1, got shape {x.shape}")
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(_NormBase):
    """Normalize every channel of every sample over its own spatial values:
    y = (x - mean) / sqrt(var + eps) (* weight[c] + bias[c] with affine=True, which starts at
    1 and 0; bias=False leaves the bias out). track_running_stats=True also keeps
    running_mean/running_var (the batch's average instance statistics, moved with momentum)
    and uses them in eval mode.
    Unbatched inputs (without the N dim) are accepted."""
    ndim = 0        # the batched input rank of the subclass
    layout = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, bias)

    def forward(self, x):
        if x.ndim not in (self.ndim - 1, self.ndim):
            raise ValueError(f"{self!r}: expected a {self.layout} input, got shape {x.shape}")
        unbatched = x.ndim == self.ndim - 1
        batched = x.unsqueeze(0) if unbatched else x
        if batched.shape[1] != self.num_features:
            if self.affine or self.track_running_stats:
                raise ValueError(f"{self!r}: expected input with {self.num_features} channels "
                                 f"(dim {0 if unbatched else 1}), got shape {x.shape}")
            warnings.warn(f"{self!r}: input has {batched.shape[1]} channels, not "
                          f"num_features={self.num_features}; normalizing anyway",
                          stacklevel=3)
        out = F.instance_norm(batched, self.running_mean, self.running_var, self.weight,
                              self.bias, self.training or not self.track_running_stats,
                              0.0 if self.momentum is None else self.momentum, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    __doc__ = _InstanceNorm.__doc__ + "\n    Input (N, C, L) or (C, L)."
    ndim = 3
    layout = "3-D (N, C, L) or 2-D (C, L)"


class InstanceNorm2d(_InstanceNorm):
    __doc__ = _InstanceNorm.__doc__ + "\n    Input (N, C, H, W) or (C, H, W)."
    ndim = 4
    layout = "4-D (N, C, H, W) or 3-D (C, H, W)"
