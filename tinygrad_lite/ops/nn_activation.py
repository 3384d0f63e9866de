"""Ops behind the nn package: the fused linear layer, the activations beyond relu/sigmoid/tanh
(leaky_relu, prelu, elu, gelu with erf, softplus) and binary cross-entropy.

Each backward is written with Tensor ops or is itself a registered op (`leaky_relu_backward`),
so second derivatives work; masks that only select a branch are constants."""
import math

import numpy as np

from .. import kernels as K
from ..kernels import reference_nn as R
from ..function import Function, Sample, constant, register

UNARY = [((3, 4),), ((),), ((2, 1, 3),)]
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
GELU_TANH_C = 0.044715
SAME2 = [((3, 4), (3, 4)), ((), ()), ((2, 1, 3), (2, 1, 3))]
SLOPES = np.linspace(0.1, 0.3, 12).reshape(3, 4)   # an RReLU-like array of slopes

def _const(array, dtype):
    """A constant tensor (a mask or a branch factor) used inside a backward."""
    return constant(np.asarray(array, dtype=dtype))


def where(condition, input, other):
    """tl.where for a Tensor `input` (the ops cannot import tensor.py, which imports them)."""
    return input.where(condition, other)


# ---- linear layer --------------------------------------------------------------------
def _linear_reference(x, weight, bias=None):
    return x @ weight.T + (0 if bias is None else bias)


@register("linear", samples=[Sample(((3, 4), (5, 4), (5,))), Sample(((2, 3, 4), (5, 4), (5,))),
                             Sample(((4,), (5, 4), (5,))), Sample(((3, 4), (5, 4)))],
          reference=_linear_reference,
          torch=lambda torch, x, w, b=None: torch.nn.functional.linear(x, w, b))
class Linear(Function):
    """y = x W^T + b over the last dim of x;  dx = g W, dW = g^T x, db = sum of g over rows"""
    def forward(ctx, x, weight, bias=None):
        rows = x.reshape(-1, x.shape[-1])     # (..., in) -> (rows, in) for the 2-D kernel
        out = K.linear_fwd(rows, weight, bias, None)
        return out.reshape(x.shape[:-1] + (weight.shape[0],))

    def backward(ctx, g):
        return _linear_grads(g, *ctx.inputs[:2], ctx.needs_input_grad)

    def backward_arrays(ctx, g):
        return _linear_grads(g, *ctx.input_arrays[:2], ctx.needs_input_grad)


def _linear_grads(g, x, weight, need):
    """Linear's (dx, dW[, db]) where `need` says; the same formula for Tensors or arrays."""
    rows = g.reshape(-1, weight.shape[0])
    grads = (g @ weight if need[0] else None,
             rows.T @ x.reshape(-1, weight.shape[1]) if need[1] else None)
    return grads + ((rows.sum(0) if need[2] else None),) if len(need) > 2 else grads


# ---- rectifiers ------------------------------------------------------------------------
def _torch_slope(torch, x, negative_slope):
    return torch.as_tensor(negative_slope, dtype=x.dtype)


def _torch_leaky(torch, x, negative_slope):
    if np.ndim(negative_slope) == 0:
        return torch.nn.functional.leaky_relu(x, negative_slope)
    return torch.where(x > 0, x, x * _torch_slope(torch, x, negative_slope))


def _leaky_reference(x, negative_slope):
    return np.where(x > 0, x, negative_slope * x)


def _leaky_backward_reference(x, g, negative_slope):
    return np.where(x > 0, g, negative_slope * g)


@register("leaky_relu",
          samples=[Sample(s, (), {"negative_slope": 0.01}) for s in UNARY]
          + [Sample(((3, 4),), (), {"negative_slope": SLOPES})],
          reference=_leaky_reference, torch=_torch_leaky)
class LeakyReLU(Function):
    """y = x if x > 0 else a x, a a scalar (fused kernel) or a constant array (RReLU's sampled
    slopes); dy/dx = 1 or a, applied by leaky_relu_backward"""
    def forward(ctx, x, negative_slope):
        ctx.slope = negative_slope
        if np.ndim(negative_slope) == 0:
            return K.leaky_relu_fwd(x, negative_slope)
        return _leaky_reference(x, negative_slope).astype(x.dtype, copy=False)

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
          samples=[Sample(s, (), {"negative_slope": 0.01}) for s in SAME2]
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
          reference=lambda x, w: np.where(x > 0, x, w * x),
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


@register("elu", samples=[Sample(s, (), {"alpha": 1.0}) for s in UNARY]
          + [Sample(((3, 4),), (), {"alpha": 0.5})],
          reference=lambda x, alpha: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
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


# ---- smooth activations ----------------------------------------------------------------
@register("erf", samples=[Sample(s) for s in UNARY],
          reference=R.erf_fwd, torch=lambda torch, x: torch.erf(x))
class Erf(Function):
    """erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt;  d/dx = 2/sqrt(pi) e^(-x^2)"""
    def forward(ctx, x):
        return K.erf_fwd(x)

    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * (-(x * x)).exp() * (2 / math.sqrt(math.pi))


def _gelu_reference(x, approximate):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x ** 3)))
    return R.gelu_fwd(x)


@register("gelu", samples=[Sample(s, (), {"approximate": "none"}) for s in UNARY]
          + [Sample(s, (), {"approximate": "tanh"}) for s in UNARY[:2]],
          reference=_gelu_reference,
          torch=lambda torch, x, approximate: torch.nn.functional.gelu(x, approximate=approximate))
class GELU(Function):
    """y = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2;  dy/dx = Phi(x) + x phi(x),
    phi(x) = e^(-x^2/2) / sqrt(2 pi). approximate="tanh": Phi(x) ~ (1 + tanh(u)) / 2 with
    u = sqrt(2/pi) (x + 0.044715 x^3)"""
    def forward(ctx, x, approximate):
        ctx.approximate = approximate
        if approximate == "tanh":
            return _gelu_reference(x, approximate)
        return K.gelu_fwd(x)

    def backward(ctx, g):
        x = ctx.inputs[0]
        if ctx.approximate == "tanh":
            t = ((x + x * x * x * GELU_TANH_C) * SQRT_2_OVER_PI).tanh()
            du = (x * x * (3 * GELU_TANH_C) + 1) * SQRT_2_OVER_PI
            return g * ((t + 1) * 0.5 + x * (1 - t * t) * du * 0.5)
        return GELUBackward.apply(x, g)


def _gelu_pdf(x):
    """phi(x) = e^(-x^2/2) / sqrt(2 pi), from Tensor ops"""
    return (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))


@register("gelu_backward", samples=[Sample(s) for s in SAME2], reference=R.gelu_bwd,
          torch=lambda torch, x, g: torch.ops.aten.gelu_backward(g, x))
class GELUBackward(Function):
    """dL/dx = g (Phi(x) + x phi(x)) for the exact GELU, fused; linear in g (its derivative
    is the same op on gg), and d/dx = g phi(x) (2 - x^2)"""
    def forward(ctx, x, g):
        return K.gelu_bwd(x, g) if x.dtype == g.dtype else R.gelu_bwd(x, g)

    def backward(ctx, gg):
        x, g = ctx.inputs
        need_x, need_g = ctx.needs_input_grad
        return (gg * g * _gelu_pdf(x) * (2 - x * x) if need_x else None,
                GELUBackward.apply(x, gg) if need_g else None)


def _softplus_reference(x, beta, threshold):
    z = beta * x
    smooth = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return smooth if threshold is None else np.where(z > threshold, x, smooth)


def _torch_softplus(torch, x, beta, threshold):
    if threshold is None:   # the exact form has no torch twin with a threshold; use a huge one
        threshold = 1e300
    return torch.nn.functional.softplus(x, beta, threshold)


@register("softplus", samples=[Sample(s, (), {"beta": 1.0, "threshold": 20.0}) for s in UNARY]
          + [Sample(((3, 4),), (), {"beta": 2.0, "threshold": 1.0}),
             Sample(((3, 4),), (), {"beta": 1.0, "threshold": None})],
          reference=_softplus_reference, torch=_torch_softplus)
class Softplus(Function):
    """y = log(1 + e^(beta x)) / beta, computed as (max(z, 0) + log(1 + e^-|z|)) / beta with
    z = beta x so it never overflows; y = x where z > threshold (None: never);
    dy/dx = sigmoid(beta x), 1 past the threshold"""
    def forward(ctx, x, beta, threshold):
        ctx.beta = beta
        ctx.linear = np.zeros(x.shape, bool) if threshold is None else beta * x > threshold
        return _softplus_reference(x, beta, threshold).astype(x.dtype, copy=False)

    def backward(ctx, g):
        slope = (ctx.inputs[0] * ctx.beta).sigmoid()
        return where(_const(ctx.linear, bool), g, g * slope)


# ---- binary cross-entropy ----------------------------------------------------------------
def _probability(rng, shape):
    return rng.uniform(0.05, 0.95, shape)


def _bce_reference(p, y):
    with np.errstate(divide="ignore"):    # log 0 = -inf, clamped to -100 below
        return -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))


@register("binary_cross_entropy",
          samples=[Sample(((3, 4), (3, 4)), (_probability, _probability)),
                   Sample(((5,), (5,)), (_probability, _probability))],
          reference=_bce_reference,
          torch=lambda torch, p, y: torch.nn.functional.binary_cross_entropy(
              p, y, reduction="none"))
class BinaryCrossEntropy(Function):
    """l = -(y log p + (1 - y) log(1 - p)), each log clamped at -100 (PyTorch), elementwise;
    dl/dp = (p - y) / max(p (1 - p), 1e-12), dl/dy = log(1 - p) - log p"""
    def forward(ctx, p, y):
        return _bce_reference(p, y)

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


def _bce_mean_reference(p, y):
    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))


@register("binary_cross_entropy_mean",
          samples=[Sample(((3, 4), (3, 4)), (_probability, _probability)),
                   Sample(((5, 1), (5, 1)), (_probability, _probability))],
          reference=_bce_mean_reference,
          torch=lambda torch, p, y: torch.nn.functional.binary_cross_entropy(p, y))
class BinaryCrossEntropyMean(Function):
    """L = (1/N) sum l over the N elements, l binary_cross_entropy's elementwise loss: BCELoss's
    default reduction in one op;  dL/dp = (dl/dp) / N, dL/dy = (dl/dy) / N"""
    def forward(ctx, p, y):
        return _bce_reference(p, y).mean()

    def backward(ctx, g):
        p, y = ctx.inputs
        return _bce_grads(g * (1.0 / p.numel()), p, y, ctx.needs_input_grad)

    def backward_arrays(ctx, g):
        p, y = ctx.input_arrays
        return _bce_grad_arrays(g * (1.0 / p.size), p, y, ctx.needs_input_grad)
