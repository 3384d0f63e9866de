"""Margin and similarity losses, as functions (re-exported by nn.functional) and modules,
with PyTorch's arguments and reduction='mean' | 'sum' | 'none'. Targets y are labels +1/-1
(soft margin, ranking, cosine embedding) or 0/1 per class (multi-label)."""
from tinygrad_lite.ops import activation_rectifiers as rectifier_ops
from tinygrad_lite.tensor import where

from .loss import _Loss, _WeightedLoss, _element_weight, _pair, _reduce

COSINE_EPS = 1e-12    # PyTorch's guard added to each squared norm in cosine_embedding_loss


def _softplus(x):
    """log(1 + e^x), computed without overflow"""
    return rectifier_ops.Softplus.apply(x, beta=1.0, threshold=None)


def _same_shapes(tensors, names, name):
    shapes = [tuple(t.shape) for t in tensors]
    if len(set(shapes)) > 1:
        raise ValueError(f"{name}: " + ", ".join(f"{n} shape {s}" for n, s in zip(names, shapes))
                         + " must all be equal")


def soft_margin_loss(input, target, reduction="mean"):
    """l = log(1 + e^(-y x)) for labels y = +1/-1: the logistic loss"""
    name = "soft_margin_loss (SoftMarginLoss)"
    input, target = _pair(input, target, name)
    return _reduce(_softplus(-(target * input)), reduction, name)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction="mean"):
    """l = max(0, -y (x1 - x2) + margin): y = 1 asks x1 to rank above x2 by the margin,
    y = -1 the opposite"""
    name = "margin_ranking_loss (MarginRankingLoss)"
    _same_shapes((input1, input2, target), ("input1", "input2", "target"), name)
    input1, input2 = _pair(input1, input2, name)
    loss = (-(target.to(input1.dtype) * (input1 - input2)) + margin).clamp(min=0.0)
    return _reduce(loss, reduction, name)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction="mean"):
    """cos = x1 . x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12)) per row (the last dim);
    l = 1 - cos where y = 1 (pull together), max(0, cos - margin) where y = -1 (push apart)."""
    name = "cosine_embedding_loss (CosineEmbeddingLoss)"
    input1, input2 = _pair(input1, input2, name)
    if input1.ndim not in (1, 2) or tuple(target.shape) != input1.shape[:-1]:
        raise ValueError(f"{name}: expected inputs of shape (N, D) or (D,) and a target of "
                         f"shape (N,) or (), got inputs {input1.shape} and target "
                         f"{tuple(target.shape)}")
    dot = (input1 * input2).sum(-1)
    squares = ((input1 * input1).sum(-1) + COSINE_EPS) * ((input2 * input2).sum(-1)
                                                           + COSINE_EPS)
    cos = dot / squares.sqrt()
    loss = (where(target == 1, 1 - cos, 0.0)
            + where(target == -1, (cos - margin).clamp(min=0.0), 0.0))
    return _reduce(loss, reduction, name)


def multilabel_soft_margin_loss(input, target, weight=None, reduction="mean"):
    """One logistic loss per class, averaged over the C classes (the last dim):
    l_n = -(1/C) sum_c w_c [y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c)], y in {0, 1}"""
    name = "multilabel_soft_margin_loss (MultiLabelSoftMarginLoss)"
    input, target = _pair(input, target, name)
    # -log sigmoid(x) = softplus(-x), -log sigmoid(-x) = softplus(x)
    loss = target * _softplus(-input) + (1 - target) * _softplus(input)
    if weight is not None:
        loss = loss * _element_weight(weight, input, name)
    classes = input.shape[-1] if input.ndim else 1
    return _reduce(loss.sum(-1) * (1 / classes) if input.ndim else loss, reduction, name)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim (eps keeps the norm differentiable at x1 = x2)"""
    diff = x1 - x2 + eps
    if p == 2:
        return (diff * diff).sum(-1, keepdim).sqrt()
    if p == 1:
        return diff.abs().sum(-1, keepdim)
    return (diff.abs() ** p).sum(-1, keepdim) ** (1 / p)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction="mean"):
    """l = max(d(a, p) - d(a, n) + margin, 0), d = pairwise_distance with norm degree p:
    the anchor should be nearer the positive than the negative by the margin. swap=True
    uses min(d(a, n), d(p, n)) as the negative distance (the harder of the two)."""
    name = "triplet_margin_loss (TripletMarginLoss)"
    _same_shapes((anchor, positive, negative), ("anchor", "positive", "negative"), name)
    if anchor.ndim not in (1, 2):
        raise ValueError(f"{name}: expected inputs of shape (N, D) or (D,), got {anchor.shape}")
    if not p > 0:
        raise ValueError(f"{name}: norm degree p must be positive, got {p!r}")
    anchor, positive = _pair(anchor, positive, name)
    negative = negative.to(anchor.dtype)
    far = pairwise_distance(anchor, negative, p, eps)
    if swap:
        far = far.minimum(pairwise_distance(positive, negative, p, eps))
    loss = (pairwise_distance(anchor, positive, p, eps) - far + margin).clamp(min=0.0)
    return _reduce(loss, reduction, name)


class SoftMarginLoss(_Loss):
    """Logistic loss log(1 + e^(-y x)) for labels +1/-1"""
    def __init__(self, *, reduction="mean"):
        super().__init__(reduction)

    def forward(self, input, target):
        return soft_margin_loss(input, target, self.reduction)


class MarginRankingLoss(_Loss):
    """max(0, -y (x1 - x2) + margin)"""
    def __init__(self, margin=0.0, *, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return margin_ranking_loss(input1, input2, target, self.margin, self.reduction)


class CosineEmbeddingLoss(_Loss):
    """1 - cos(x1, x2) for y = 1, max(0, cos(x1, x2) - margin) for y = -1"""
    def __init__(self, margin=0.0, *, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return cosine_embedding_loss(input1, input2, target, self.margin, self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Per-class logistic losses averaged over classes, for multi-hot 0/1 targets"""
    def __init__(self, weight=None, *, reduction="mean"):
        super().__init__(weight, reduction)

    def forward(self, input, target):
        return multilabel_soft_margin_loss(input, target, self.weight, self.reduction)


class TripletMarginLoss(_Loss):
    """max(d(a, p) - d(a, n) + margin, 0) with p-norm distances"""
    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, *, reduction="mean"):
        super().__init__(reduction)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return triplet_margin_loss(anchor, positive, negative, self.margin, self.p, self.eps,
                                   self.swap, self.reduction)


__all__ = ["CosineEmbeddingLoss", "MarginRankingLoss", "MultiLabelSoftMarginLoss",
           "SoftMarginLoss", "TripletMarginLoss", "cosine_embedding_loss",
           "margin_ranking_loss", "multilabel_soft_margin_loss", "pairwise_distance",
           "soft_margin_loss", "triplet_margin_loss"]
