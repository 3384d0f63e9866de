"""The product of elements over dims, and the running product. The product's gradient is
the product of all the *other* elements, which for an input without zeros is simply
output / x; with zeros, that division fails, so the "product of the others" is computed
directly."""
import numpy as np

from ..function import Function, Sample, constant, register
from .elementwise import Where
from .reduce import REDUCE, _accumulator, _spread


def _with_zeros(rng, shape):
    """Real values with one zero in each row of the last dim (with a second one when the row
    has at least 4 elements): the cases where output / x is 0/0."""
    x = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    if x.ndim:
        x[..., 0] = 0.0
        if x.shape[-1] >= 4:
            x[..., 2] = 0.0
    return x


@register("prod", samples=REDUCE + [Sample(((3, 3),), (_with_zeros,),
                                           {"dims": (1,), "keepdim": False}),
                                    Sample(((2, 4),), (_with_zeros,),
                                           {"dims": (0, 1), "keepdim": True}),
                                    Sample(((2, 4),), (_with_zeros,),
                                           {"dims": (1,), "keepdim": False})],
          reference=lambda x, dims, keepdim: np.prod(x, axis=dims, keepdims=keepdim),
          torch=lambda torch, x, dims, keepdim: _torch_prod(x, dims, keepdim))
class Prod(Function):
    """prod over `dims`;  d/dx_i = the product of all the other elements (output / x_i when
    no element is zero)"""
    saves_output = True

    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims = x.shape, dims
        return np.prod(x, axis=dims, keepdims=keepdim, dtype=_accumulator(x))

    def backward(ctx, g):
        x = ctx.inputs[0]
        g = _spread(g, ctx.shape, ctx.dims)
        if (x._data != 0).all():
            return g * _spread(ctx.output, ctx.shape, ctx.dims) / x
        return g * _product_of_others(x, ctx.dims)


def _product_of_others(x, dims):
    """others[i] = prod over the reduced dims of x, with x_i left out: the reduced elements
    are laid out along a row of length n, copied n times into an (n, n) block whose diagonal
    is set to 1, and each row of the block is multiplied out (O(n^2), only used with zeros)."""
    rest = [d for d in range(x.ndim) if d not in dims]
    order = rest + list(dims)
    rows = x.permute(*order) if order != list(range(x.ndim)) else x
    lead = rows.shape[:len(rest)]
    n = int(np.prod([x.shape[d] for d in dims]))
    rows = rows.reshape(*lead, 1, n).expand(*lead, n, n)
    block = Where.apply(constant(np.eye(n, dtype=bool)), constant(np.ones((), x.dtype)), rows)
    others = Prod.apply(block, dims=(len(lead) + 1,), keepdim=False)
    others = others.reshape(*lead, *[x.shape[d] for d in dims])
    return others.permute(*np.argsort(order)) if order != list(range(x.ndim)) else others


def _torch_prod(x, dims, keepdim):
    for d in sorted(dims, reverse=True):
        x = x.prod(d, keepdim=keepdim)
    return x


@register("cumprod", samples=[Sample(((3, 4),), (), {"dim": 1}),
                              Sample(((2, 3, 2),), (), {"dim": 0}),
                              Sample(((5,),), (), {"dim": 0})],
          reference=lambda x, dim: np.cumprod(x, axis=dim),
          torch=lambda torch, x, dim: x.cumprod(dim))
class CumProd(Function):
    """y_i = x_0 * ... * x_i along dim;  dL/dx_k = sum_{i>=k} g_i y_i / x_k (for inputs
    without zeros: Tensor.cumprod takes another route when there are zeros)"""
    saves_output = True

    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumprod(x, axis=dim, dtype=_accumulator(x))

    def backward(ctx, g):
        dim = ctx.dim
        return (g * ctx.output).flip(dim).cumsum(dim).flip(dim) / ctx.inputs[0]
