"""Dropout, channel dropout (dropout1d, dropout2d) and alpha dropout as functions (re-exported by
nn.functional). Each draws its mask from the library generator (tl.manual_seed) and applies it
with the registered `dropout` op (y = x * mask, dy/dx = mask)."""
import numbers
import warnings

import numpy as np

from tinygrad_lite import random
from tinygrad_lite.ops import dropout as dropout_ops

from ._checks import check_float

def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout: in training each element is kept with probability 1 - p and scaled
    by 1/(1-p), so the expectation is unchanged and evaluation needs no rescaling; identity
    when not training. The mask comes from the library generator (tl.manual_seed).
    `inplace` is accepted for PyTorch code; the result is a new tensor."""
    check_float(input, "dropout")
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


SELU_ALPHA_SCALED = 1.7580993408473766     # SELU's scale * alpha: its negative saturation


def _check_p(p, fn):
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"{fn}: probability p must be between 0 and 1, got {p!r}")


def _keep(shape, p, dtype):
    """1 (kept, probability 1 - p) or 0 (dropped) per entry of `shape`."""
    return (random.generator().random(shape, dtype=dtype) >= p).astype(dtype)


def _channel_dropout(input, p, training, fn):
    """Drop whole channels (dim 1 of a batch, dim 0 of an unbatched input): one draw per
    channel, broadcast over its values, kept channels scaled by 1/(1-p)."""
    if not training or p == 0:
        return input
    channel_dims = input.ndim - 1 if fn == "dropout1d" and input.ndim == 2 else 2
    shape = input.shape[:channel_dims] + (1,) * (input.ndim - channel_dims)
    scale = 0.0 if p == 1 else 1 / (1 - p)
    mask = _keep(shape, p, input.dtype) * input.dtype.type(scale)
    return dropout_ops.Dropout.apply(input, mask=mask)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) (or unbatched (C, L)) inputs with probability p,
    scaling the kept ones by 1/(1-p): neighbouring values of a channel are correlated, so
    dropping single values would barely regularize."""
    check_float(input, "dropout1d")
    _check_p(p, "dropout1d")
    if input.ndim not in (2, 3):
        raise ValueError(f"dropout1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape "
                         f"{input.shape}")
    return _channel_dropout(input, p, training, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) inputs with probability p, scaling the kept ones
    by 1/(1-p). A 3-D input is taken as (N, C, L) with a warning, as in PyTorch."""
    check_float(input, "dropout2d")
    _check_p(p, "dropout2d")
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a 4-D (N, C, H, W) input, got shape "
                         f"{input.shape}")
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.",
                      stacklevel=2)
    return _channel_dropout(input, p, training, "dropout2d")


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped entries are set to SELU's saturation -alpha' (not
    0), then y = a * x' + b with a = ((1 - p)(1 + p alpha'^2))^(-1/2) and b = a alpha' p, so
    inputs of mean 0 and variance 1 keep them. Per entry: y = x (a keep) + a alpha'
    (keep - 1 + p), keep ~ Bernoulli(1 - p)."""
    check_float(input, "alpha_dropout")
    _check_p(p, "alpha_dropout")
    if not training or p == 0:
        return input
    if p == 1:
        return dropout_ops.Dropout.apply(input, mask=np.zeros(input.shape, input.dtype))
    alpha = SELU_ALPHA_SCALED
    a = 1 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    keep = _keep(input.shape, p, input.dtype)
    shift = (a * alpha * (keep - 1 + p)).astype(input.dtype)
    return dropout_ops.Dropout.apply(input, mask=(a * keep).astype(input.dtype)) + shift


__all__ = ["alpha_dropout", "dropout1d", "dropout2d"]
