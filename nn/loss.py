"""Losses, as functions (re-exported by nn.functional) and as modules, with
reduction='mean' | 'sum' | 'none' as in PyTorch; plus the L1/L2 penalties of the lecture."""
import numpy as np

from tinygrad_lite import dtypes
from tinygrad_lite.ops import loss as loss_ops
from tinygrad_lite.ops import activation_rectifiers as rectifier_ops
from tinygrad_lite.tensor import Tensor, where
from tinygrad_lite.errors import ShapeError

from .module import Module

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction, name, extra=()):
    """Raise ValueError naming `name` unless reduction is 'mean', 'sum', 'none' or one of
    `extra` (kl_div's 'batchmean')."""
    valid = REDUCTIONS + extra
    if reduction not in valid:
        raise ValueError(f"{name}: reduction must be one of {valid}, got {reduction!r}")


def _reduce(loss, reduction, name):
    check_reduction(reduction, name)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(input, target, name):
    """Check an (input, target) pair of equal shapes and floating dtypes; promote both."""
    for what, t in (("input", input), ("target", target)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: {what} must be a Tensor, got {type(t).__name__}")
        if not dtypes.is_floating(t.dtype):
            raise TypeError(f"{name}: {what} must be floating point, got {t.dtype} with shape "
                            f"{t.shape} (use .float())")
    if input.shape != target.shape:
        raise ShapeError(f"{name}: input shape {input.shape} and target shape {target.shape} "
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


def _element_weight(weight, input, name):
    """A rescaling weight that broadcasts to the input's shape, in the input's dtype."""
    weight = weight if isinstance(weight, Tensor) else Tensor(weight)
    try:
        fits = np.broadcast_shapes(weight.shape, input.shape) == input.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{name}: weight of shape {weight.shape} does not broadcast to the "
                         f"input shape {input.shape}")
    return weight.to(input.dtype)


def binary_cross_entropy(input, target, weight=None, *, reduction="mean"):
    """l = -w (y log p + (1 - y) log(1 - p)) for probabilities p (after a sigmoid), with an
    optional elementwise weight w; each log is clamped at -100, so p = 0 or 1 gives a finite
    loss (PyTorch). 'mean' is the plain mean of l over all elements."""
    name = "binary_cross_entropy (BCELoss)"
    input, target = _pair(input, target, name)
    if input.numel() and (input._data.min() < 0 or input._data.max() > 1):
        raise ValueError(f"{name}: input must hold probabilities in [0, 1], got values in "
                         f"[{input._data.min():.4g}, {input._data.max():.4g}]; apply sigmoid "
                         "first, or use binary_cross_entropy_with_logits on raw scores")
    if weight is None and reduction == "mean" and input.numel():
        return loss_ops.BinaryCrossEntropyMean.apply(input, target)     # the same, in one op
    loss = loss_ops.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * _element_weight(weight, input, name)
    return _reduce(loss, reduction, name)


def binary_cross_entropy_with_logits(input, target, weight=None, *, reduction="mean",
                                     pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable formula on logits x:
    l = w [(1 - y) x + (1 + (p - 1) y) softplus(-x)], softplus(z) = max(z, 0) + log(1 + e^-|z|),
    with w an optional elementwise weight and p = pos_weight (weight of positive examples,
    broadcast over the last dim)."""
    name = "binary_cross_entropy_with_logits (BCEWithLogitsLoss)"
    input, target = _pair(input, target, name)
    log_term = rectifier_ops.Softplus.apply(-input, beta=1.0, threshold=None)   # -log sigmoid(x)
    if pos_weight is not None:
        pos_weight = pos_weight if isinstance(pos_weight, Tensor) else Tensor(pos_weight)
        try:
            np.broadcast_shapes(pos_weight.shape, input.shape)
        except ValueError:
            raise ShapeError(f"{name}: pos_weight of shape {pos_weight.shape} does not "
                             f"broadcast to the input shape {input.shape}") from None
        log_term = log_term * ((pos_weight.to(input.dtype) - 1) * target + 1)
    loss = (1 - target) * input + log_term
    if weight is not None:
        loss = loss * _element_weight(weight, input, name)
    return _reduce(loss, reduction, name)


def _class_dim(input, name):
    """The class dim of scores of shape (N, C, ...) (1) or (C,) (0)."""
    if input.ndim == 0 or not dtypes.is_floating(input.dtype):
        raise ShapeError(f"{name}: input must be floating scores of shape (N, C) or (C,), got "
                         f"{input.dtype} with shape {input.shape}")
    return 1 if input.ndim > 1 else 0


def _class_weight(weight, input, name):
    """A per-class weight of shape (C,) in the input's dtype, or None."""
    if weight is None:
        return None
    weight = weight if isinstance(weight, Tensor) else Tensor(weight)
    classes = input.shape[_class_dim(input, name)]
    if weight.shape != (classes,):
        raise ShapeError(f"{name}: weight must hold one value per class, shape ({classes},) "
                         f"for input shape {input.shape}; got shape {weight.shape}")
    return weight.to(input.dtype)


def _along_classes(weight, input):
    """weight (C,) shaped to broadcast along the class dim of input: (C, 1, ..., 1)."""
    return weight.reshape(weight.shape + (1,) * max(input.ndim - 2, 0))


def _class_targets(input, target, name, ignore_index):
    """Check class-index targets for scores of shape (N, C, ...) or (C,); return the mask of
    counted entries and the targets with ignored entries replaced by class 0."""
    dim = _class_dim(input, name)
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must hold class indices (int64) of shape {expected}, "
                        f"got {target.dtype} with shape {target.shape} for input shape "
                        f"{input.shape} (use .long())")
    if target.shape != expected:
        raise ShapeError(f"{name}: target shape {target.shape} does not fit input shape "
                         f"{input.shape}; expected {expected} (the input without its class "
                         "dim 1)")
    classes = input.shape[dim]
    index = target._data
    if index.size and not 0 <= ignore_index < classes and index.min() >= 0 and \
            index.max() < classes:          # the usual case, checked in two passes
        return np.ones(index.shape, bool), index.copy()   # a copy, as np.where makes below
    counted = target._data != ignore_index
    bad = counted & ((target._data < 0) | (target._data >= classes))
    if bad.any():
        raise IndexError(f"{name}: target holds class {int(target._data[bad][0])}, outside "
                         f"[0, {classes}) for input shape {input.shape}")
    return counted, np.where(counted, target._data, 0)


def _picked(log_probs, index):
    """log_probs[n, target[n], ...] for every n (and spatial position)."""
    if log_probs.ndim == 1:
        return log_probs[index]
    return log_probs.gather(1, np.expand_dims(index, 1)).squeeze(1)


def _reduce_counted(loss, counted, reduction, name, picked_weight=None):
    """Zero the ignored entries, then reduce; 'mean' is PyTorch's weighted mean
    sum_n l_n / sum_n w[y_n] over the entries not ignored (w = 1: divide by their count)."""
    mask = Tensor(counted)
    loss = where(mask, loss, 0.0)
    if reduction != "mean":
        return _reduce(loss, reduction, name)
    if picked_weight is None:
        count = int(counted.sum())   # every entry ignored: 0/0 = nan, as in PyTorch
        return loss.sum() * (1.0 / count if count else float("nan"))
    with np.errstate(divide="ignore", invalid="ignore"):   # sum w = 0 gives nan, as PyTorch
        return loss.sum() / where(mask, picked_weight, 0.0).sum()


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction="mean"):
    """l_n = -w[y_n] log_probs[n, y_n] for log-probabilities (after log_softmax), class
    indices y and optional per-class weights w (default 1); entries whose target is
    ignore_index count neither in the loss nor in the mean sum_n l_n / sum_n w[y_n]."""
    name = "nll_loss (NLLLoss)"
    target = target if isinstance(target, Tensor) else Tensor(target)
    counted, index = _class_targets(input, target, name, ignore_index)
    weight = _class_weight(weight, input, name)
    loss = -_picked(input, index)
    picked_weight = None if weight is None else weight[index]
    if picked_weight is not None:
        loss = loss * picked_weight
    return _reduce_counted(loss, counted, reduction, name, picked_weight)


def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Cross-entropy of raw scores x (logits) of shape (N, C, ...) or (C,), with the fused
    stable log_softmax over the class dim. Two kinds of target, as in PyTorch:

    class indices y (int64, the input's shape without dim 1), optional per-class weights w:
        l_n = (1 - e) w[y_n] (-log softmax(x_n)[y_n]) + (e / C) sum_c w_c (-log softmax(x_n)_c)
        with label_smoothing e; 'mean' = sum_n l_n / sum_n w[y_n] (ignore_index entries left
        out of both sums);
    class probabilities q (floating, the input's shape):
        l_n = -sum_c w_c q'_nc log softmax(x_n)_c,  q' = (1 - e) q + e / C;  'mean' over n.
    """
    name = "cross_entropy (CrossEntropyLoss)"
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    target = target if isinstance(target, Tensor) else Tensor(target)
    dim = _class_dim(input, name)
    classes = input.shape[dim]
    weight = _class_weight(weight, input, name)
    if target.shape == input.shape:
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction,
                                    label_smoothing, name)
    counted, index = _class_targets(input, target, name, ignore_index)
    if weight is None and not label_smoothing and reduction == "mean" and input.ndim == 2 \
            and index.size and counted.all():
        return loss_ops.CrossEntropyMean.apply(input, target=index)   # the same, in one op
    log_probs = input.log_softmax(dim)
    loss = -_picked(log_probs, index)
    picked_weight = None if weight is None else weight[index]
    if picked_weight is not None:
        loss = loss * picked_weight
    if label_smoothing:
        weighted = log_probs if weight is None else log_probs * _along_classes(weight, input)
        loss = loss * (1 - label_smoothing) - weighted.sum(dim) * (label_smoothing / classes)
    return _reduce_counted(loss, counted, reduction, name, picked_weight)


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing,
                         name):
    """cross_entropy with class-probability targets q of the input's shape."""
    if ignore_index >= 0:
        raise ValueError(f"{name}: ignore_index={ignore_index} is not supported with "
                         f"class-probability targets (float target of shape {target.shape}, "
                         "the input's shape); pass class indices to ignore a class")
    if not dtypes.is_floating(target.dtype):
        raise TypeError(f"{name}: a target of the input's shape {input.shape} holds class "
                        f"probabilities and must be floating point, got {target.dtype}; for "
                        "class indices drop the class dim (shape (N, ...))")
    input, target = _pair(input, target, name)
    dim = 1 if input.ndim > 1 else 0
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / input.shape[dim]
    terms = input.log_softmax(dim) * target
    if weight is not None:
        terms = terms * _along_classes(weight.to(input.dtype), input)
    return _reduce(-terms.sum(dim), reduction, name)


# ---- modules -------------------------------------------------------------------------
class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        check_reduction(reduction, type(self).__name__)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional `weight`, kept as a buffer (in state_dict), as in PyTorch."""
    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", None if weight is None else Tensor(weight))


class MSELoss(_Loss):
    """Mean squared error: mean((x - y)^2)"""
    def forward(self, input, target):
        return mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: mean(|x - y|)"""
    def forward(self, input, target):
        return l1_loss(input, target, self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities: mean(-w (y log p + (1 - y) log(1 - p))), with
    an optional elementwise weight w (broadcast to the input's shape)."""
    def __init__(self, weight=None, *, reduction="mean"):
        super().__init__(weight, reduction)

    def forward(self, input, target):
        return binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid + binary cross-entropy on raw scores, computed stably; optional elementwise
    weight and pos_weight."""
    def __init__(self, weight=None, *, reduction="mean", pos_weight=None):
        super().__init__(weight, reduction)
        # a buffer when given, as in PyTorch
        self.register_buffer("pos_weight", None if pos_weight is None else Tensor(pos_weight))

    def forward(self, input, target):
        return binary_cross_entropy_with_logits(input, target, self.weight,
                                                reduction=self.reduction,
                                                pos_weight=self.pos_weight)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices, on log-probabilities; optional per-class
    weight (C,): mean = sum_n w[y_n] l_n / sum_n w[y_n]."""
    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                        reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """log_softmax + NLL on raw scores (logits) of shape (N, C, ...), with class-index
    targets or class-probability targets (see `cross_entropy`); optional per-class weight."""
    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input, target):
        return cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                             reduction=self.reduction, label_smoothing=self.label_smoothing)


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
