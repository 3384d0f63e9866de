"""Activations and the softmax family, on the fused kernels in `tinygrad_lite.kernels`
(leaky_relu, prelu, elu, softplus: activation_rectifiers.py; erf, gelu: activation_gelu.py).

Each backward is itself a registered op (`relu_backward`, `sigmoid_backward`, ...) that runs
one fused kernel pass, and has its own backward, so second derivatives work."""
import math

import numpy as np

from .. import kernels as K
from ..function import Function, Sample, register
from . import references as ref
from .samples import SAME2, UNARY, samples

ROWS = [Sample(((3, 4),), (), {"dim": 1}), Sample(((3, 4),), (), {"dim": 0}),
        Sample(((2, 3, 4),), (), {"dim": 1}), Sample(((5,),), (), {"dim": 0})]
ROWS2 = [Sample(((3, 4), (3, 4)), ("unit", "real"), {"dim": 1}),
         Sample(((2, 3, 4), (2, 3, 4)), ("unit", "real"), {"dim": 1})]


def _np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


@register("relu", samples=samples(UNARY),
          reference=lambda x: np.maximum(x, 0), torch=lambda torch, x: x.relu())
class ReLU(Function):
    """relu(x) = max(0, x)"""
    def forward(ctx, x):
        return K.relu_fwd(x)

    def backward(ctx, g):
        return ReLUBackward.apply(ctx.inputs[0], g)

    def backward_arrays(ctx, g):
        return K.relu_bwd(ctx.input_arrays[0], g)


@register("relu_backward", samples=samples(SAME2),
          reference=lambda x, g: g * (x > 0), torch=lambda torch, x, g: g * (x > 0))
class ReLUBackward(Function):
    """g * [x > 0], fused; its own derivative in g is the same mask, in x zero."""
    def forward(ctx, x, g):
        return K.relu_bwd(x, g)

    def backward(ctx, gg):
        return None, ReLUBackward.apply(ctx.inputs[0], gg)


@register("sigmoid", samples=samples(UNARY), reference=_np_sigmoid,
          torch=lambda torch, x: x.sigmoid())
class Sigmoid(Function):
    """sigmoid(x) = 1 / (1 + e^-x);  sigmoid'(x) = s (1 - s), computed from the output"""
    saves_output = True

    def forward(ctx, x):
        return K.sigmoid_fwd(x)

    def backward(ctx, g):
        return SigmoidBackward.apply(ctx.output, g)

    def backward_arrays(ctx, g):
        return K.sigmoid_bwd(ctx.output._data, g)


@register("sigmoid_backward", samples=samples(SAME2, ("unit", "real")),
          reference=lambda y, g: g * y * (1 - y), torch=lambda torch, y, g: g * y * (1 - y))
class SigmoidBackward(Function):
    """g * y * (1 - y);  d/dy = g (1 - 2y), d/dg = y (1 - y)"""
    def forward(ctx, y, g):
        return K.sigmoid_bwd(y, g)

    def backward(ctx, gg):
        y, g = ctx.inputs
        need_y, need_g = ctx.needs_input_grad
        return (gg * g * (1 - 2 * y) if need_y else None,
                SigmoidBackward.apply(y, gg) if need_g else None)


@register("tanh", samples=samples(UNARY), reference=ref.by_math(math.tanh),
          torch=lambda torch, x: x.tanh())
class Tanh(Function):
    """tanh'(x) = 1 - tanh(x)^2, computed from the output"""
    saves_output = True

    def forward(ctx, x):
        return K.tanh_fwd(x)

    def backward(ctx, g):
        return TanhBackward.apply(ctx.output, g)

    def backward_arrays(ctx, g):
        return K.tanh_bwd(ctx.output._data, g)


@register("tanh_backward", samples=samples(SAME2, ("unit", "real")),
          reference=lambda y, g: g * (1 - y * y), torch=lambda torch, y, g: g * (1 - y * y))
class TanhBackward(Function):
    """g * (1 - y^2);  d/dy = -2 g y, d/dg = 1 - y^2"""
    def forward(ctx, y, g):
        return K.tanh_bwd(y, g)

    def backward(ctx, gg):
        y, g = ctx.inputs
        need_y, need_g = ctx.needs_input_grad
        return (gg * g * y * -2 if need_y else None,
                TanhBackward.apply(y, gg) if need_g else None)


# ---- softmax family: the kernels work on rows, so `dim` is moved last and flattened ------
def _rows(x, dim):
    moved = np.moveaxis(x, dim, -1)
    return np.ascontiguousarray(moved).reshape(-1, moved.shape[-1] if moved.ndim else 1), \
        moved.shape


def _unrows(rows, moved_shape, dim):
    return np.moveaxis(rows.reshape(moved_shape), -1, dim)


def _row_kernel(kernel, dim, *arrays):
    moved_shape = None
    rows = []
    for a in arrays:
        r, moved_shape = _rows(a, dim)
        rows.append(r)
    return _unrows(kernel(*rows), moved_shape, dim)


@register("softmax", samples=ROWS,
          reference=lambda x, dim: np.exp(x) / np.exp(x).sum(dim, keepdims=True),
          torch=lambda torch, x, dim: x.softmax(dim))
class Softmax(Function):
    """softmax(x)_i = e^(x_i - m) / sum_j e^(x_j - m), m = max(x) for stability"""
    saves_output = True

    def forward(ctx, x, dim):
        ctx.dim = dim
        return _row_kernel(K.softmax_fwd, dim, x)

    def backward(ctx, g):
        return SoftmaxBackward.apply(ctx.output, g, dim=ctx.dim)

    def backward_arrays(ctx, g):
        return _row_kernel(K.softmax_bwd, ctx.dim, ctx.output._data, g)


@register("softmax_backward", samples=ROWS2,
          reference=lambda y, g, dim: y * (g - (g * y).sum(dim, keepdims=True)),
          torch=lambda torch, y, g, dim: y * (g - (g * y).sum(dim, keepdim=True)))
class SoftmaxBackward(Function):
    """y * (g - sum(g y))"""
    def forward(ctx, y, g, dim):
        ctx.dim = dim
        return _row_kernel(K.softmax_bwd, dim, y, g)

    def backward(ctx, gg):
        y, g = ctx.inputs
        dim = ctx.dim
        need_y, need_g = ctx.needs_input_grad
        grad_y = (gg * g - gg * (g * y).sum(dim, keepdim=True)
                  - g * (gg * y).sum(dim, keepdim=True)) if need_y else None
        return grad_y, SoftmaxBackward.apply(y, gg, dim=dim) if need_g else None


@register("log_softmax", samples=ROWS,
          reference=lambda x, dim: x - np.log(np.exp(x).sum(dim, keepdims=True)),
          torch=lambda torch, x, dim: x.log_softmax(dim))
class LogSoftmax(Function):
    """log_softmax(x) = x - logsumexp(x)"""
    saves_output = True

    def forward(ctx, x, dim):
        ctx.dim = dim
        return _row_kernel(K.log_softmax_fwd, dim, x)

    def backward(ctx, g):
        return LogSoftmaxBackward.apply(ctx.output, g, dim=ctx.dim)

    def backward_arrays(ctx, g):
        return _row_kernel(K.log_softmax_bwd, ctx.dim, ctx.output._data, g)


@register("log_softmax_backward", samples=ROWS2,
          reference=lambda y, g, dim: g - np.exp(y) * g.sum(dim, keepdims=True),
          torch=lambda torch, y, g, dim: g - y.exp() * g.sum(dim, keepdim=True))
class LogSoftmaxBackward(Function):
    """g - e^y sum(g);  d/dy = -gg e^y sum(g), d/dg = gg - sum(gg e^y)"""
    def forward(ctx, y, g, dim):
        ctx.dim = dim
        return _row_kernel(K.log_softmax_bwd, dim, y, g)

    def backward(ctx, gg):
        y, g = ctx.inputs
        dim = ctx.dim
        need_y, need_g = ctx.needs_input_grad
        e = y.exp()
        return (-(gg * e) * g.sum(dim, keepdim=True) if need_y else None,
                gg - (gg * e).sum(dim, keepdim=True) if need_g else None)


@register("logsumexp", samples=ROWS,
          reference=lambda x, dim: np.log(np.exp(x).sum(dim, keepdims=True)),
          torch=lambda torch, x, dim: x.logsumexp(dim, keepdim=True))
class LogSumExp(Function):
    """m + log(sum(e^(x - m))) along dim, kept as a size-1 dim;  d/dx = softmax(x)"""
    def forward(ctx, x, dim):
        ctx.dim = dim
        rows, moved_shape = _rows(x, dim)
        return _unrows(K.logsumexp_fwd(rows), moved_shape[:-1] + (1,), dim)

    def backward(ctx, g):
        return g * ctx.inputs[0].softmax(ctx.dim)
