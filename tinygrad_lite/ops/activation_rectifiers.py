"""The rectifiers beyond relu (ops/activation.py): leaky_relu, prelu, elu and softplus, the
smooth relu. Each backward is written with Tensor ops or is itself a registered op
(`leaky_relu_backward`), so second derivatives work; masks that only select a branch are
constants."""
import numpy as np

from .. import kernels as K
from ..function import Function, Sample, constant, register
from .samples import SAME2, UNARY, samples

SLOPES = np.linspace(0.1, 0.3, 12).reshape(3, 4)   # an RReLU-like array of slopes


def _const(array, dtype):
    """A constant tensor (a mask or a branch factor) used inside a backward."""
    return constant(np.asarray(array, dtype=dtype))


def where(condition, input, other):
    """tl.where for a Tensor `input` (the ops cannot import tensor.py, which imports them)."""
    return input.where(condition, other)


def _torch_slope(torch, x, negative_slope):
    return torch.as_tensor(negative_slope, dtype=x.dtype)


def _torch_leaky(torch, x, negative_slope):
    if np.ndim(negative_slope) == 0:
        return torch.nn.functional.leaky_relu(x, negative_slope)
    return torch.where(x > 0, x, x * _torch_slope(torch, x, negative_slope))


def _leaky_relu_by_slopes(x, negative_slope):
    """x where x > 0, else slope * x: for an array of slopes (RReLU), which the kernel (one
    scalar slope) does not take"""
    return np.where(x > 0, x, negative_slope * x)


def _leaky_backward_reference(x, g, negative_slope):
    return np.where(x > 0, g, negative_slope * g)


@register("leaky_relu",
          samples=samples(UNARY, negative_slope=0.01)
          + [Sample(((3, 4),), (), {"negative_slope": SLOPES})],
          reference=lambda x, negative_slope: np.maximum(x, 0) + negative_slope * np.minimum(x, 0),
          torch=_torch_leaky)
class LeakyReLU(Function):
    """y = x if x > 0 else a x, a a scalar (fused kernel) or a constant array (RReLU's sampled
    slopes); dy/dx = 1 or a, applied by leaky_relu_backward"""
    def forward(ctx, x, negative_slope):
        ctx.slope = negative_slope
        if np.ndim(negative_slope) == 0:
            return K.leaky_relu_fwd(x, negative_slope)
        return _leaky_relu_by_slopes(x, negative_slope).astype(x.dtype, copy=False)

    def backward(ctx, g):
        return LeakyReLUBackward.apply(ctx.inputs[0], g, negative_slope=ctx.slope)

    def backward_arrays(ctx, g):
        return _leaky_relu_grad(ctx.input_arrays[0], g, ctx.slope)


def _leaky_relu_grad(x, g, negative_slope):
    """g where x > 0, else a g (the fused kernel for a scalar slope)."""
    if np.ndim(negative_slope) == 0 and x.dtype == g.dtype:
        return K.leaky_relu_bwd(x, g, negative_slope)
    return _leaky_backward_reference(x, g, negative_slope).astype(g.dtype, copy=False)


@register("leaky_relu_backward",
          samples=samples(SAME2, negative_slope=0.01)
          + [Sample(((3, 4), (3, 4)), (), {"negative_slope": SLOPES})],
          reference=_leaky_backward_reference,
          torch=lambda torch, x, g, negative_slope: torch.where(
              x > 0, g, g * _torch_slope(torch, g, negative_slope)))
class LeakyReLUBackward(Function):
    """dL/dx = g if x > 0 else a g, fused; linear in g (its derivative is the same op on gg)
    and piecewise constant in x (derivative zero)"""
    def forward(ctx, x, g, negative_slope):
        ctx.slope = negative_slope
        return _leaky_relu_grad(x, g, negative_slope)

    def backward(ctx, gg):
        return None, LeakyReLUBackward.apply(ctx.inputs[0], gg, negative_slope=ctx.slope)


@register("prelu", samples=[Sample(((2, 3, 4), (3, 1))), Sample(((3, 4), (1,))),
                            Sample(((2, 3), (3,)))],
          reference=lambda x, w: np.maximum(x, 0) + w * np.minimum(x, 0),
          torch=lambda torch, x, w: torch.nn.functional.prelu(x, w.reshape(-1)))
class PReLU(Function):
    """y = x if x > 0 else w x, with a learned w broadcast over x;
    dy/dx = 1 or w, dy/dw = 0 or x"""
    def forward(ctx, x, weight):
        ctx.positive = x > 0
        return np.where(ctx.positive, x, weight * x)

    def backward(ctx, g):
        x, weight = ctx.inputs
        need_x, need_w = ctx.needs_input_grad
        positive = _const(ctx.positive, bool)
        zero = _const(0, g.dtype)
        return (where(positive, g, g * weight) if need_x else None,
                where(positive, zero, g * x) if need_w else None)


@register("elu", samples=samples(UNARY, alpha=1.0)
          + [Sample(((3, 4),), (), {"alpha": 0.5})],
          reference=lambda x, alpha: np.maximum(x, 0) + alpha * (np.exp(np.minimum(x, 0)) - 1),
          torch=lambda torch, x, alpha: torch.nn.functional.elu(x, alpha))
class ELU(Function):
    """y = x if x > 0 else alpha (e^x - 1);  dy/dx = 1 or alpha e^x"""
    def forward(ctx, x, alpha):
        ctx.alpha, ctx.positive = alpha, x > 0
        return np.where(ctx.positive, x, alpha * np.expm1(np.minimum(x, 0)))

    def backward(ctx, g):
        positive = _const(ctx.positive, bool)
        # e^x only on the negative side, so a large positive x never overflows
        negative_x = where(positive, _const(0, g.dtype), ctx.inputs[0])
        return where(positive, g, g * negative_x.exp() * ctx.alpha)


def _softplus(x, beta, threshold):
    """softplus without overflow: (max(z, 0) + log(1 + e^-|z|)) / beta, z = beta x; x itself
    where z > threshold"""
    z = beta * x
    smooth = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return smooth if threshold is None else np.where(z > threshold, x, smooth)


def _torch_softplus(torch, x, beta, threshold):
    if threshold is None:   # the exact form has no torch twin with a threshold; use a huge one
        threshold = 1e300
    return torch.nn.functional.softplus(x, beta, threshold)


@register("softplus", samples=samples(UNARY, beta=1.0, threshold=20.0)
          + [Sample(((3, 4),), (), {"beta": 2.0, "threshold": 1.0}),
             Sample(((3, 4),), (), {"beta": 1.0, "threshold": None})],
          reference=lambda x, beta, threshold: np.where(
              threshold is not None and beta * x > threshold, x,
              np.log1p(np.exp(beta * x)) / beta),   # the plain formula: the samples never overflow
          torch=_torch_softplus)
class Softplus(Function):
    """y = log(1 + e^(beta x)) / beta, computed as (max(z, 0) + log(1 + e^-|z|)) / beta with
    z = beta x so it never overflows; y = x where z > threshold (None: never);
    dy/dx = sigmoid(beta x), 1 past the threshold"""
    def forward(ctx, x, beta, threshold):
        ctx.beta = beta
        ctx.linear = np.zeros(x.shape, bool) if threshold is None else beta * x > threshold
        return _softplus(x, beta, threshold).astype(x.dtype, copy=False)

    def backward(ctx, g):
        slope = (ctx.inputs[0] * ctx.beta).sigmoid()
        return where(_const(ctx.linear, bool), g, g * slope)
