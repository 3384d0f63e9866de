"""Losses, as functions (re-exported by nn.functional) and as modules, with
reduction='mean' | 'sum' | 'none' as in PyTorch; plus the L1/L2 penalties of the lecture."""
import numpy as np

from tinygrad_lite import dtypes
from tinygrad_lite.ops import nn_activation as ops
from tinygrad_lite.tensor import Tensor, where

from .module import Module

REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss, reduction, name):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _pair(input, target, name):
    """Check an (input, target) pair of equal shapes and floating dtypes; promote both."""
    for what, t in (("input", input), ("target", target)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: {what} must be a Tensor, got {type(t).__name__}")
        if not dtypes.is_floating(t.dtype):
            raise TypeError(f"{name}: {what} must be floating point, got {t.dtype} with shape "
                            f"{t.shape} (use .float())")
    if input.shape != target.shape:
        raise ValueError(f"{name}: input shape {input.shape} and target shape {target.shape} "
                         "differ; they must be equal")
    dtype = dtypes.promote(input.dtype, target.dtype)
    return input.to(dtype), target.to(dtype)


def mse_loss(input, target, reduction="mean"):
    """l = (x - y)^2, averaged (or summed) over all elements"""
    input, target = _pair(input, target, "mse_loss (MSELoss)")
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss (MSELoss)")


def l1_loss(input, target, reduction="mean"):
    """l = |x - y|"""
    input, target = _pair(input, target, "l1_loss (L1Loss)")
    return _reduce((input - target).abs(), reduction, "l1_loss (L1Loss)")


def binary_cross_entropy(input, target, reduction="mean"):
    """l = -(y log p + (1 - y) log(1 - p)) for probabilities p (after a sigmoid); each log is
    clamped at -100, so p = 0 or 1 gives a finite loss (PyTorch)."""
    name = "binary_cross_entropy (BCELoss)"
    input, target = _pair(input, target, name)
    if input.numel() and (input.data.min() < 0 or input.data.max() > 1):
        raise ValueError(f"{name}: input must hold probabilities in [0, 1], got values in "
                         f"[{input.data.min():.4g}, {input.data.max():.4g}]; apply sigmoid "
                         "first, or use binary_cross_entropy_with_logits on raw scores")
    return _reduce(ops.BinaryCrossEntropy.apply(input, target), reduction, name)


def binary_cross_entropy_with_logits(input, target, reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable formula on logits x:
    l = (1 - y) x + (1 + (w - 1) y) softplus(-x), softplus(z) = max(z, 0) + log(1 + e^-|z|),
    with w = pos_weight (weight of positive examples, broadcast over the last dim)."""
    name = "binary_cross_entropy_with_logits (BCEWithLogitsLoss)"
    input, target = _pair(input, target, name)
    log_term = ops.Softplus.apply(-input, beta=1.0, threshold=None)   # -log sigmoid(x)
    if pos_weight is not None:
        pos_weight = pos_weight if isinstance(pos_weight, Tensor) else Tensor(pos_weight)
        try:
            np.broadcast_shapes(pos_weight.shape, input.shape)
        except ValueError:
            raise ValueError(f"{name}: pos_weight of shape {pos_weight.shape} does not "
                             f"broadcast to the input shape {input.shape}") from None
        log_term = log_term * ((pos_weight.to(input.dtype) - 1) * target + 1)
    return _reduce((1 - target) * input + log_term, reduction, name)


def _class_targets(input, target, name, ignore_index):
    """Check class-index targets for scores of shape (N, C, ...) or (C,); return the mask of
    counted entries and the targets with ignored entries replaced by class 0."""
    if not isinstance(target, Tensor):
        target = Tensor(target)
    if input.ndim == 0 or not dtypes.is_floating(input.dtype):
        raise ValueError(f"{name}: input must be floating scores of shape (N, C) or (C,), got "
                         f"{input.dtype} with shape {input.shape}")
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must hold class indices (int64) of shape {expected}, "
                        f"got {target.dtype} with shape {target.shape} for input shape "
                        f"{input.shape} (use .long())")
    if target.shape != expected:
        raise ValueError(f"{name}: target shape {target.shape} does not fit input shape "
                         f"{input.shape}; expected {expected} (the input without its class "
                         "dim 1)")
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    counted = target.data != ignore_index
    bad = counted & ((target.data < 0) | (target.data >= classes))
    if bad.any():
        raise IndexError(f"{name}: target holds class {int(target.data[bad][0])}, outside "
                         f"[0, {classes}) for input shape {input.shape}")
    return counted, np.where(counted, target.data, 0)


def _picked(log_probs, index):
    """log_probs[n, target[n], ...] for every n (and spatial position)."""
    if log_probs.ndim == 1:
        return log_probs[index]
    return log_probs.gather(1, np.expand_dims(index, 1)).squeeze(1)


def _reduce_counted(loss, counted, reduction, name):
    """Like _reduce, but 'mean' divides by the number of entries not ignored."""
    if reduction == "mean":
        count = int(counted.sum())   # every entry ignored: 0/0 = nan, as in PyTorch
        return loss.sum() * (1.0 / count if count else float("nan"))
    return _reduce(loss, reduction, name)


def nll_loss(input, target, ignore_index=-100, reduction="mean"):
    """l_n = -log_probs[n, y_n] for log-probabilities (after log_softmax) and class indices y;
    entries whose target is ignore_index count neither in the loss nor in the mean."""
    name = "nll_loss (NLLLoss)"
    counted, index = _class_targets(input, target, name, ignore_index)
    loss = where(Tensor(counted), -_picked(input, index), 0.0)
    return _reduce_counted(loss, counted, reduction, name)


def cross_entropy(input, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """l_n = -log softmax(x_n)[y_n] = logsumexp(x_n) - x_n[y_n], with the fused stable
    log_softmax over the class dim. label_smoothing e mixes in the uniform target:
    l_n = (1 - e) l_n + e * mean_c(-log softmax(x_n)_c)."""
    name = "cross_entropy (CrossEntropyLoss)"
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    counted, index = _class_targets(input, target, name, ignore_index)
    log_probs = input.log_softmax(1 if input.ndim > 1 else 0)
    loss = -_picked(log_probs, index)
    if label_smoothing:
        uniform = -log_probs.mean(1 if input.ndim > 1 else 0)
        loss = loss * (1 - label_smoothing) + uniform * label_smoothing
    return _reduce_counted(where(Tensor(counted), loss, 0.0), counted, reduction, name)


# ---- modules -------------------------------------------------------------------------
class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {REDUCTIONS}, "
                             f"got {reduction!r}")
        self.reduction = reduction


class MSELoss(_Loss):
    """Mean squared error: mean((x - y)^2)"""
    def forward(self, input, target):
        return mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: mean(|x - y|)"""
    def forward(self, input, target):
        return l1_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities: mean(-(y log p + (1 - y) log(1 - p)))"""
    def forward(self, input, target):
        return binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy on raw scores, computed stably; optional pos_weight."""
    def __init__(self, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        # a buffer when given, as in PyTorch
        self.pos_weight = None if pos_weight is None else Tensor(pos_weight)

    def forward(self, input, target):
        return binary_cross_entropy_with_logits(input, target, self.reduction,
                                                self.pos_weight)


class NLLLoss(_Loss):
    """Negative log-likelihood of class indices, on log-probabilities."""
    def __init__(self, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return nll_loss(input, target, self.ignore_index, self.reduction)


class CrossEntropyLoss(_Loss):
    """log_softmax + NLL on raw scores (logits) of shape (N, C, ...) and class indices."""
    def __init__(self, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input, target):
        return cross_entropy(input, target, self.ignore_index, self.reduction,
                             self.label_smoothing)


# ---- penalties -------------------------------------------------------------------------
def _penalty(params, term, name):
    params = list(params)
    if not params:
        raise ValueError(f"{name}: no parameters given (an exhausted generator? call "
                         "model.parameters() again)")
    total = term(params[0]).sum()
    for p in params[1:]:
        total = total + term(p).sum()
    return total


def l1_penalty(params):
    """sum |w| over the given parameters; add lambda * l1_penalty(...) to the loss
    (pushes weights to exactly zero)."""
    return _penalty(params, lambda p: p.abs(), "l1_penalty")


def l2_penalty(params):
    """sum w^2 over the given parameters; the lecture's L2 term is (lambda / 2) * this."""
    return _penalty(params, lambda p: p * p, "l2_penalty")


__all__ = ["BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "l1_loss", "l1_penalty", "l2_penalty", "mse_loss", "nll_loss"]
