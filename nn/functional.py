"""`nn.functional` (imported as F): layers and activations as plain functions of tensors,
named and parameterized like torch.nn.functional. The losses live in nn/loss.py, convolution
in nn/functional_conv.py, pooling in nn/functional_pooling.py, normalization in
nn/functional_norm.py, dropout in nn/functional_dropout.py, the shared argument checks in
nn/_checks.py; all are re-exported here."""
import numbers
import warnings

import numpy as np

from tinygrad_lite import random
from tinygrad_lite.errors import ShapeError
from tinygrad_lite.tensor import Tensor
from tinygrad_lite.ops import activation_gelu as gelu_ops
from tinygrad_lite.ops import linear as linear_ops
from tinygrad_lite.ops import activation_rectifiers as rectifier_ops

from .functional_conv import conv1d, conv2d, conv_transpose2d, fold, pad_input, unfold
from .functional_interpolate import interpolate
from ._checks import check_float, check_linear_shapes, same_dtype
from .functional_pooling import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d,
                                 avg_pool2d, max_pool1d, max_pool2d, max_unpool2d)
from .functional_activation import (celu, glu, hardsigmoid, hardswish, hardtanh,  # noqa: F401
                                    logsigmoid, mish, relu6, silu, softmin, softsign,
                                    tanhshrink, threshold)
from .bilinear import bilinear  # noqa: F401
from .embedding import embedding  # noqa: F401
from .functional_dropout import alpha_dropout, dropout, dropout1d, dropout2d  # noqa: F401
from .functional_attention import scaled_dot_product_attention  # noqa: F401
from .functional_norm import batch_norm, group_norm, instance_norm, layer_norm  # noqa: F401
from .loss_margin import (cosine_embedding_loss, margin_ranking_loss,  # noqa: F401
                          multilabel_soft_margin_loss, pairwise_distance, soft_margin_loss,
                          triplet_margin_loss)
from .loss_regression import (gaussian_nll_loss, huber_loss, kl_div,  # noqa: F401
                              poisson_nll_loss, smooth_l1_loss)
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                   l1_loss, mse_loss, nll_loss)

__all__ = ["avg_pool2d", "batch_norm", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "conv2d", "cross_entropy", "dropout", "elu",
           "gelu", "l1_loss", "leaky_relu", "linear", "log_softmax", "max_pool2d", "mse_loss",
           "nll_loss", "prelu", "relu", "rrelu", "selu", "sigmoid", "softmax", "softplus",
           "tanh"]
__all__ += ["one_hot", "pad"]
__all__ += ["celu", "glu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish",
            "relu6", "silu", "softmin", "softsign", "tanhshrink", "threshold"]
__all__ += ["cosine_embedding_loss", "gaussian_nll_loss", "huber_loss", "kl_div",
            "margin_ranking_loss", "multilabel_soft_margin_loss", "pairwise_distance",
            "poisson_nll_loss", "smooth_l1_loss", "soft_margin_loss", "triplet_margin_loss"]
__all__ += ["group_norm", "instance_norm", "layer_norm"]
__all__ += ["alpha_dropout", "bilinear", "dropout1d", "dropout2d", "embedding",
            "scaled_dot_product_attention"]
__all__ += ["adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool1d", "conv1d",
            "conv_transpose2d", "fold", "interpolate", "max_pool1d", "max_unpool2d",
            "unfold"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def linear(input, weight, bias=None):
    """y = x W^T + b over the last dim of x; W has shape (out_features, in_features)."""
    check_float(input, "linear")
    check_linear_shapes(input, weight, bias, "linear")
    tensors = [t for t in (input, weight, bias) if t is not None]
    return linear_ops.Linear.apply(*same_dtype(tensors, "linear"))


def one_hot(tensor, num_classes=-1):
    """out[..., c] = 1 where tensor[...] == c, else 0 (int64), for class indices in
    [0, num_classes); num_classes=-1 takes the largest index + 1."""
    labels = np.asarray(tensor._data if isinstance(tensor, Tensor) else tensor)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expects an integer (int64) tensor of class indices, got "
                        f"{labels.dtype}")
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError("one_hot: can't infer num_classes from an empty tensor; pass it")
        num_classes = int(labels.max()) + 1
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"one_hot: class values must lie in [0, {num_classes - 1}] for "
                         f"num_classes={num_classes}, got {labels.min()} to {labels.max()}")
    return Tensor._make((labels[..., None] == np.arange(num_classes)).astype(np.int64), False,
                        None)


def pad(input, pad, mode="constant", value=None):
    """Pad with a constant `value` (0 by default): `pad` = (left, right, top, bottom, ...)
    from the last dim on; a negative amount crops. mode 'reflect' (mirror, edge not
    repeated), 'replicate' (repeat the edge) or 'circular' (wrap around) pads with values
    of the input instead, by non-negative amounts."""
    if mode == "constant":
        return input.pad(pad, value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', "
                         f"got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > input.ndim or any(p < 0 for p in pad):
        raise ValueError(f"pad: mode {mode!r} needs pad = (left, right, top, bottom, ...) of "
                         f"non-negative amounts for at most {input.ndim} dims, got {pad!r}")
    pairs = tuple((pad[2 * k], pad[2 * k + 1]) for k in reversed(range(len(pad) // 2)))
    return pad_input(input, pairs, mode, "pad")


# ---- activations ---------------------------------------------------------------------
def relu(input, inplace=False):
    """relu(x) = max(0, x). `inplace` is accepted for PyTorch code; the result is new."""
    return input.relu()


def sigmoid(input):
    """sigmoid(x) = 1 / (1 + e^-x)"""
    return input.sigmoid()


def tanh(input):
    """tanh(x) = 2 sigmoid(2x) - 1"""
    return input.tanh()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """leaky_relu(x) = x if x > 0 else negative_slope * x (a fixed slope)"""
    check_float(input, "leaky_relu")
    return rectifier_ops.LeakyReLU.apply(input, negative_slope=float(negative_slope))


def prelu(input, weight):
    """prelu(x) = x if x > 0 else w_c x, with a learned slope per channel (dim 1) or one
    shared slope (weight of shape (1,))."""
    check_float(input, "prelu")
    channels = weight.numel()
    if weight.ndim != 1:
        raise ShapeError(f"prelu: weight must be 1-D, got shape {weight.shape}")
    if channels == 1:
        return rectifier_ops.PReLU.apply(input, weight.reshape(()))
    if input.ndim < 2 or input.shape[1] != channels:
        raise ShapeError(f"prelu: weight has {channels} slopes but the input of shape "
                         f"{input.shape} has {input.shape[1] if input.ndim >= 2 else 1} "
                         "channels (dim 1); use one slope or match the channel count")
    # slopes broadcast along dim 1: (C,) -> (C, 1, ..., 1)
    return rectifier_ops.PReLU.apply(input, weight.reshape((channels,) + (1,) * (input.ndim - 2)))


def rrelu(input, lower=1 / 8, upper=1 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: while training each element gets its own slope a ~ U(lower,
    upper) (from the library generator); in eval the slope is (lower + upper) / 2."""
    check_float(input, "rrelu")
    if not 0 <= lower <= upper:
        raise ValueError(f"rrelu: need 0 <= lower <= upper, got lower={lower}, upper={upper}")
    if not training:
        return leaky_relu(input, (lower + upper) / 2)
    slopes = random.generator().uniform(lower, upper, input.shape).astype(input.dtype)
    return rectifier_ops.LeakyReLU.apply(input, negative_slope=slopes)


def elu(input, alpha=1.0, inplace=False):
    """elu(x) = x if x > 0 else alpha (e^x - 1)"""
    check_float(input, "elu")
    return rectifier_ops.ELU.apply(input, alpha=float(alpha))


def selu(input, inplace=False):
    """selu(x) = scale * elu(x, alpha), scale ~ 1.0507, alpha ~ 1.6733 (self-normalizing)"""
    return elu(input, SELU_ALPHA) * SELU_SCALE


def gelu(input, approximate="none"):
    """gelu(x) = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2; approximate="tanh" uses
    x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2."""
    check_float(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return gelu_ops.GELU.apply(input, approximate=approximate)


def softplus(input, beta=1.0, threshold=20.0):
    """softplus(x) = log(1 + e^(beta x)) / beta, and x itself where beta x > threshold."""
    check_float(input, "softplus")
    if beta <= 0:
        raise ValueError(f"softplus: beta must be positive, got {beta}")
    return rectifier_ops.Softplus.apply(input, beta=float(beta), threshold=float(threshold))


def softmax(input, dim=None, _stacklevel=3):
    """softmax(x)_i = e^(x_i) / sum_j e^(x_j) along dim. dim=None is PyTorch's deprecated
    implicit choice (with a warning): dim 0 for 0-, 1- and 3-d input, else dim 1."""
    check_float(input, "softmax")
    return input.softmax(_dim(dim, input, "softmax", _stacklevel))


def log_softmax(input, dim=None, _stacklevel=3):
    """log_softmax(x) = x - logsumexp(x) along dim (dim=None: as softmax)"""
    check_float(input, "log_softmax")
    return input.log_softmax(_dim(dim, input, "log_softmax", _stacklevel))


def _dim(dim, input, fn, stacklevel):
    """The dim to normalize over; `stacklevel` points the warning at the caller's line."""
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {fn} has been deprecated. Change the "
                      "call to include dim=X as an argument.", UserWarning,
                      stacklevel=stacklevel)
        return 0 if input.ndim in (0, 1, 3) else 1
    if not isinstance(dim, (numbers.Integral, np.integer)):
        raise TypeError(f"{fn}: dim must be an int (the axis to normalize over), got {dim!r}")
    return int(dim)
