"""Losses on real-valued predictions and distributions, as functions (re-exported by
nn.functional) and modules, with PyTorch's arguments and reduction='mean' | 'sum' | 'none':
Huber and smooth L1 (robust regression), Gaussian and Poisson negative log-likelihoods, and
the Kullback-Leibler divergence."""
import math
import numbers
import warnings

import numpy as np

from tinygrad_lite.tensor import Tensor, where

from .loss import _Loss, _pair, _reduce, check_reduction
from .module import Module


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """l = d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), d = x - y: quadratic near
    0, linear (so outliers pull less) beyond delta. An optional weight of the input's shape
    multiplies each l before the reduction."""
    name = "huber_loss (HuberLoss)"
    input, target = _pair(input, target, name)
    if not delta > 0:
        raise ValueError(f"{name}: delta must be positive, got {delta!r}")
    diff = input - target
    size = diff.abs()
    loss = where(size < delta, diff * diff * 0.5, (size - 0.5 * delta) * delta)
    if weight is not None:
        if tuple(weight.shape) != input.shape:
            raise ValueError(f"{name}: weight of shape {tuple(weight.shape)} must have the "
                             f"input's shape {input.shape}")
        loss = loss * weight.to(loss.dtype)
    return _reduce(loss, reduction, name)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """l = d^2 / (2 beta) where |d| < beta, else |d| - beta / 2, d = x - y: Huber divided by
    beta; beta = 0 is the L1 loss."""
    name = "smooth_l1_loss (SmoothL1Loss)"
    input, target = _pair(input, target, name)
    if beta < 0:
        raise ValueError(f"{name}: beta must be non-negative, got {beta!r}")
    diff = input - target
    size = diff.abs()
    if beta == 0:
        return _reduce(size, reduction, name)
    return _reduce(where(size < beta, diff * diff * (0.5 / beta), size - 0.5 * beta),
                   reduction, name)


def kl_div(input, target, reduction="mean", log_target=False):
    """KL(target || prediction) with the prediction given as log-probabilities x:
    l = y (log y - x) (0 where y = 0), or with log_target=True (y given as log-probabilities)
    l = e^y (y - x). reduction='batchmean' is sum / batch size, the true KL divergence;
    'mean' divides by the number of elements (PyTorch warns about it, and so do we)."""
    name = "kl_div (KLDivLoss)"
    check_reduction(reduction, name, ("batchmean",))
    input, target = _pair(input, target, name)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0                      # y log y = 0 at y = 0
        safe = where(positive, target, 1.0)
        loss = where(positive, target * safe.log(), 0.0) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    return _reduce(loss, reduction, name)


def _gaussian_var(var, input, name):
    """var as a tensor broadcasting against input: the input's shape, or the input's shape
    without its last dim (one variance per sample), or that with a last dim of 1."""
    if isinstance(var, numbers.Real):
        var = Tensor(np.full(input.shape, var, input.dtype))
    if tuple(var.shape) != input.shape:
        if tuple(var.shape) == input.shape[:-1]:
            var = var.unsqueeze(-1)
        elif not (tuple(var.shape[:-1]) == input.shape[:-1] and var.shape[-1] == 1):
            raise ValueError(f"{name}: var of shape {tuple(var.shape)} does not fit input of "
                             f"shape {input.shape}: expected {input.shape}, "
                             f"{input.shape[:-1]} or {input.shape[:-1] + (1,)}")
    if (var._data < 0).any():
        raise ValueError(f"{name}: var has negative entry/entries")
    return var.to(input.dtype)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log-likelihood of target y under N(mean = x, variance = var):
    l = (log max(var, eps) + (x - y)^2 / max(var, eps)) / 2  (+ log(2 pi) / 2 if full).
    As in PyTorch the clamp at eps changes the value only: the gradient flows to var as if
    it were not clamped."""
    name = "gaussian_nll_loss (GaussianNLLLoss)"
    check_reduction(reduction, name)
    input, target = _pair(input, target, name)
    var = _gaussian_var(var, input, name)
    clamped = var + Tensor(np.maximum(var._data, eps) - var._data)   # value clamped, slope 1
    diff = input - target
    loss = (clamped.log() + diff * diff / clamped) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction, name)


def poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction="mean"):
    """Negative log-likelihood of counts y under Poisson(rate): l = e^x - y x when x is the
    log-rate (log_input=True), else l = x - y log(x + eps) for the rate x itself. full=True
    adds Stirling's approximation of log(y!), y log y - y + log(2 pi y) / 2, where y > 1."""
    name = "poisson_nll_loss (PoissonNLLLoss)"
    check_reduction(reduction, name)
    input, target = _pair(input, target, name)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        counts = target > 1
        safe = where(counts, target, 1.0)
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
        loss = loss + where(counts, stirling, 0.0)
    return _reduce(loss, reduction, name)


class HuberLoss(_Loss):
    """Huber loss: quadratic for |x - y| < delta, linear beyond"""
    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target, weight=None):
        return huber_loss(input, target, self.reduction, self.delta, weight)


class SmoothL1Loss(_Loss):
    """Smooth L1: quadratic (divided by beta) for |x - y| < beta, linear beyond"""
    def __init__(self, *, reduction="mean", beta=1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input, target):
        return smooth_l1_loss(input, target, self.reduction, self.beta)


class KLDivLoss(Module):
    """KL divergence of the target distribution from the predicted log-probabilities;
    reduction may also be 'batchmean' (sum / batch size)"""
    def __init__(self, *, reduction="mean", log_target=False):
        super().__init__()
        check_reduction(reduction, "KLDivLoss", ("batchmean",))
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input, target):
        return kl_div(input, target, self.reduction, self.log_target)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood of targets given predicted means and variances"""
    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood of counts given predicted (log-)rates"""
    def __init__(self, log_input=True, full=False, *, eps=1e-8, reduction="mean"):
        super().__init__(reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, input, target):
        return poisson_nll_loss(input, target, self.log_input, self.full, self.eps,
                                self.reduction)


__all__ = ["GaussianNLLLoss", "HuberLoss", "KLDivLoss", "PoissonNLLLoss", "SmoothL1Loss",
           "gaussian_nll_loss", "huber_loss", "kl_div", "poisson_nll_loss", "smooth_l1_loss"]
