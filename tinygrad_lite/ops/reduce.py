"""Reductions over a tuple of dims; `keepdim` keeps them as size-1 dims. Derived reductions
(mean, var, std, min) are compositions in tensor_reduce.py."""
import numpy as np

from ..function import Function, Sample, constant, register
from .elementwise import Where
from .movement import Expand, Reshape

REDUCE = [Sample(((3, 4),), (), {"dims": (0, 1), "keepdim": False}),
          Sample(((3, 4),), (), {"dims": (1,), "keepdim": True}),
          Sample(((2, 3, 4),), (), {"dims": (0, 2), "keepdim": False}),
          Sample(((),), (), {"dims": (), "keepdim": False})]


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _spread(g, shape, dims):
    """Broadcast a reduced gradient back over the reduced dims (engine-internal: the shapes
    are known to fit, so the ops are applied without the user-facing checks)."""
    keep = _keep_shape(shape, dims)
    if g.shape != keep:
        g = Reshape.apply(g, shape=keep)
    return g if keep == shape else Expand.apply(g, shape=shape)


def _accumulator(x):
    """The dtype sums and products run in: the input's for floats; int64 for bool and every
    integer width (PyTorch: the sum of int8, uint8, int32 or bool tensors is int64)."""
    return None if x.dtype.kind == "f" else np.int64


def _torch_reduce(method):
    def run(torch, x, dims, keepdim):
        return getattr(x, method)(dim=dims, keepdim=keepdim) if dims else x
    return run


@register("sum", samples=REDUCE,
          reference=lambda x, dims, keepdim: np.sum(x, axis=dims, keepdims=keepdim),
          torch=_torch_reduce("sum"))
class Sum(Function):
    """sum over `dims`;  every element's gradient is g, broadcast back"""
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims = x.shape, dims
        return x.sum(axis=dims, keepdims=keepdim, dtype=_accumulator(x))

    def backward(ctx, g):       # each input element contributed once: broadcast g back
        return _spread(g, ctx.shape, ctx.dims)

    def backward_arrays(ctx, g):
        return np.broadcast_to(g.reshape(_keep_shape(ctx.shape, ctx.dims)), ctx.shape)


@register("amax", samples=[Sample(s.shapes, ("distinct",), s.kwargs) for s in REDUCE],
          reference=lambda x, dims, keepdim: np.amax(x, axis=dims, keepdims=keepdim),
          torch=_torch_reduce("amax"))
class Amax(Function):
    """max over dims; the gradient is shared evenly among tied maxima (as PyTorch's amax)"""
    def forward(ctx, x, dims, keepdim):
        if x.size == 0:
            raise RuntimeError(f"amax: cannot take the max of an empty tensor of shape "
                               f"{x.shape}")
        out = np.amax(x, axis=dims, keepdims=True)
        winners = (x == out).astype(x.dtype)
        ctx.share = winners / winners.sum(axis=dims, keepdims=True)
        ctx.shape, ctx.dims = x.shape, dims
        return out if keepdim else out.reshape([s for i, s in enumerate(out.shape)
                                                if i not in dims])

    def backward(ctx, g):
        return _spread(g, ctx.shape, ctx.dims) * constant(ctx.share)


@register("cumsum", samples=[Sample(((3, 4),), (), {"dim": 1}),
                             Sample(((2, 3, 2),), (), {"dim": 0}), Sample(((5,),), (), {"dim": 0})],
          reference=lambda x, dim: np.cumsum(x, axis=dim),
          torch=lambda torch, x, dim: x.cumsum(dim))
class CumSum(Function):
    """y_i = x_0 + ... + x_i along dim;  dL/dx_i = g_i + ... + g_last (a reversed cumsum)"""
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumsum(x, axis=dim, dtype=_accumulator(x))

    def backward(ctx, g):
        return g.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim)


@register("norm", samples=REDUCE,
          reference=lambda x, dims, keepdim: np.sqrt(np.sum(x * x, axis=dims, keepdims=keepdim)),
          torch=lambda torch, x, dims, keepdim: torch.linalg.vector_norm(
              x, dim=dims, keepdim=keepdim) if dims else x.abs())
class Norm(Function):
    """the Euclidean norm sqrt(sum x^2) over `dims`;  d/dx = x / norm, taken as 0 where the
    norm is 0 (the subgradient PyTorch uses, instead of 0/0)"""
    saves_output = True

    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims = x.shape, dims
        return np.sqrt(np.sum(x * x, axis=dims, keepdims=keepdim))

    def backward(ctx, g):
        norm = ctx.output
        at_zero = constant(norm._data == 0)
        safe_norm = Where.apply(at_zero, constant(np.ones((), g.dtype)), norm)
        scale = Where.apply(at_zero, constant(np.zeros((), g.dtype)), g / safe_norm)
        return _spread(scale, ctx.shape, ctx.dims) * ctx.inputs[0]
