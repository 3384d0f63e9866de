"""Losses fused into one op each: binary cross-entropy (elementwise, and its mean, BCELoss's
default reduction) and cross-entropy's mean over class indices (CrossEntropyLoss's common
case). nn/loss.py checks the arguments and calls these."""
import numpy as np

from .. import kernels as K
from ..function import Function, Sample, constant, register
from .activation import Softmax


def _probability(rng, shape):
    return rng.uniform(0.05, 0.95, shape)


def _bce_elementwise(p, y):
    """-(y log p + (1 - y) log(1 - p)), each log clamped at -100 as in PyTorch"""
    with np.errstate(divide="ignore"):    # log 0 = -inf, clamped to -100 below
        return -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))


def _bce_as_likelihood(p, y):
    """The reference, written independently of the forward: l = -log(p^y (1 - p)^(1 - y)),
    the negative log-likelihood of y under a Bernoulli(p) (the -100 clamp is never reached
    on the samples' probabilities in [0.05, 0.95])."""
    return -np.log(p ** y * (1 - p) ** (1 - y))


@register("binary_cross_entropy",
          samples=[Sample(((3, 4), (3, 4)), (_probability, _probability)),
                   Sample(((5,), (5,)), (_probability, _probability))],
          reference=_bce_as_likelihood,
          torch=lambda torch, p, y: torch.nn.functional.binary_cross_entropy(
              p, y, reduction="none"))
class BinaryCrossEntropy(Function):
    """l = -(y log p + (1 - y) log(1 - p)), each log clamped at -100 (PyTorch), elementwise;
    dl/dp = (p - y) / max(p (1 - p), 1e-12), dl/dy = log(1 - p) - log p"""
    def forward(ctx, p, y):
        return _bce_elementwise(p, y)

    def backward(ctx, g):
        return _bce_grads(g, *ctx.inputs, ctx.needs_input_grad)

    def backward_arrays(ctx, g):
        return _bce_grad_arrays(g, *ctx.input_arrays, ctx.needs_input_grad)


def _bce_grads(g, p, y, need):
    """(g dl/dp, g dl/dy) of binary cross-entropy where `need` says, on Tensors."""
    grad_y = None
    if need[1]:
        grad_y = g * ((1 - p).log().clamp(min=-100) - p.log().clamp(min=-100))
    return (g * (p - y) / (p * (1 - p)).clamp(min=1e-12) if need[0] else None, grad_y)


def _bce_grad_arrays(g, p, y, need):
    """The same as _bce_grads on NumPy arrays."""
    grad_y = None
    if need[1]:
        with np.errstate(divide="ignore"):
            grad_y = g * (np.maximum(np.log1p(-p), -100) - np.maximum(np.log(p), -100))
    return (g * (p - y) / np.maximum(p * (1 - p), 1e-12) if need[0] else None, grad_y)


@register("binary_cross_entropy_mean",
          samples=[Sample(((3, 4), (3, 4)), (_probability, _probability)),
                   Sample(((5, 1), (5, 1)), (_probability, _probability))],
          reference=lambda p, y: _bce_as_likelihood(p, y).mean(),
          torch=lambda torch, p, y: torch.nn.functional.binary_cross_entropy(p, y))
class BinaryCrossEntropyMean(Function):
    """L = (1/N) sum l over the N elements, l binary_cross_entropy's elementwise loss: BCELoss's
    default reduction in one op;  dL/dp = (dl/dp) / N, dL/dy = (dl/dy) / N"""
    def forward(ctx, p, y):
        return _bce_elementwise(p, y).mean()

    def backward(ctx, g):
        p, y = ctx.inputs
        return _bce_grads(g * (1.0 / p.numel()), p, y, ctx.needs_input_grad)

    def backward_arrays(ctx, g):
        p, y = ctx.input_arrays
        return _bce_grad_arrays(g * (1.0 / p.size), p, y, ctx.needs_input_grad)


def _cross_entropy_mean_reference(x, target):
    picked = x[np.arange(len(target)), target]
    return np.mean(np.log(np.exp(x).sum(1)) - picked)


@register("cross_entropy_mean",
          samples=[Sample(((4, 3),), (), {"target": np.array([0, 2, 1, 2])}),
                   Sample(((1, 5),), (), {"target": np.array([4])})],
          reference=_cross_entropy_mean_reference,
          torch=lambda torch, x, target: torch.nn.functional.cross_entropy(
              x, torch.as_tensor(target)))
class CrossEntropyMean(Function):
    """L = -(1/N) sum_n log_softmax(x_n)[t_n] for scores x (N, C) and class indices t:
    log_softmax + NLL + mean (CrossEntropyLoss's common case) in one op;
    dL/dx = (softmax(x) - onehot(t)) / N"""
    def forward(ctx, x, target):
        ctx.target = target
        ctx.log_probs = K.log_softmax_fwd(x)
        picked = ctx.log_probs[np.arange(len(target)), target]
        return -(picked.sum() / len(target))   # np.mean's own sum / count, without its wrapper

    def _onehot(ctx, dtype):
        return np.eye(ctx.log_probs.shape[1], dtype=dtype)[ctx.target]

    def backward(ctx, g):
        x = ctx.inputs[0]
        onehot = constant(ctx._onehot(x.dtype))
        return (Softmax.apply(x, dim=1) - onehot) * (g * (1.0 / len(ctx.target)))

    def backward_arrays(ctx, g):
        grad = np.exp(ctx.log_probs)
        grad[np.arange(len(ctx.target)), ctx.target] -= 1
        grad *= g * (1.0 / len(ctx.target))
        return grad
