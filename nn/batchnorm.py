"""Batch normalization layers: BatchNorm1d for (N, C) and (N, C, L), BatchNorm2d for
(N, C, H, W)."""
import numbers

import numpy as np

from tinygrad_lite import no_grad
from tinygrad_lite.tensor import Tensor
from tinygrad_lite.errors import ShapeError

from . import functional as F
from .module import Module, Parameter


class _NormBase(Module):
    """What batch and instance norm share: per-channel weight (gamma, starts at 1) and bias
    (beta, starts at 0) unless affine=False (bias=False: no beta), and with
    track_running_stats the buffers running_mean, running_var, num_batches_tracked
    (PyTorch's names; none of them without it)."""

    def __init__(self, num_features, eps, momentum, affine, track_running_stats, bias):
        super().__init__()
        name = type(self).__name__
        if not isinstance(num_features, numbers.Integral) or num_features < 1:
            raise ValueError(f"{name}: num_features must be a positive int, got "
                             f"{num_features!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum!r}")
        if not eps > 0:
            raise ValueError(f"{name}: eps must be positive, got {eps!r}")
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(np.ones(num_features, np.float32)) if affine else None
        self.bias = Parameter(np.zeros(num_features, np.float32)) if affine and bias else None
        tracked = {"running_mean": np.zeros(num_features, np.float32),
                   "running_var": np.ones(num_features, np.float32),
                   "num_batches_tracked": np.array(0, np.int64)}
        for key, value in tracked.items():
            self.register_buffer(key, Tensor(value) if track_running_stats else None)

    def reset_running_stats(self):
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """y = gamma * (x - mu) / sqrt(sigma^2 + eps) + beta per channel (dim 1).
    Training: mu, sigma^2 are the batch mean and biased variance, and the buffers move
    toward them, running = (1 - momentum) * running + momentum * batch statistic (the
    unbiased variance for running_var; momentum=None averages all batches equally).
    Eval: mu, sigma^2 = running_mean, running_var. gamma (weight) starts at 1, beta (bias)
    at 0 (affine=False: neither; bias=False: no beta); buffers running_mean, running_var,
    num_batches_tracked as in PyTorch, none of them with track_running_stats=False (then the
    batch statistics are used in eval mode too)."""
    ndims = ()   # the input ranks the subclass accepts
    layout = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, bias)

    def forward(self, x):
        if x.ndim not in self.ndims:
            raise ShapeError(f"{self!r}: expected a {self.layout} input, got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ShapeError(f"{self!r}: expected input with {self.num_features} channels "
                             f"(dim 1), got shape {x.shape}")
        if self.training and x.numel() // x.shape[1] <= 1:
            raise ValueError(f"{self!r}: expected more than 1 value per channel when "
                             f"training, got input of shape {x.shape}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked += 1
            if self.momentum is None:      # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch_stats = self.training or not self.track_running_stats
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    __doc__ = _BatchNorm.__doc__ + "\n    Input (N, C) or (N, C, L)."
    ndims = (2, 3)
    layout = "2-D (N, C) or 3-D (N, C, L)"


class BatchNorm2d(_BatchNorm):
    __doc__ = _BatchNorm.__doc__ + "\n    Input (N, C, H, W)."
    ndims = (4,)
    layout = "4-D (N, C, H, W)"
