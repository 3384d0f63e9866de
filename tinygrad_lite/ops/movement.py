"""Ops that move or select elements without arithmetic: reshape, permute, broadcast and its
adjoint, indexing and its adjoint, padding, concatenation."""
import math
import numbers

import numpy as np

from ..function import Function, Sample, register
from ..errors import ShapeError


def check_broadcast(op, a_shape, b_shape):
    """Raise a readable error unless the two shapes broadcast together."""
    try:
        np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        raise ShapeError(f"{op}: shapes {tuple(a_shape)} and {tuple(b_shape)} cannot be "
                         "broadcast together (aligned from the right, each pair of dims must "
                         "be equal or one of them 1)") from None


def resolve_reshape(old, new):
    """The target shape with a -1 filled in; raises unless the element counts agree."""
    size = math.prod(old)
    if list(new).count(-1) > 1 or any(s < -1 for s in new):
        raise ShapeError(f"reshape: invalid shape {new}; use non-negative sizes and at most "
                         "one -1")
    known = math.prod(s for s in new if s != -1)
    if -1 in new:
        if known == 0 or size % known:
            raise ShapeError(f"reshape: shape {new} is invalid for input of shape {old} "
                             f"({size} elements)")
        new = tuple(size // known if s == -1 else s for s in new)
    if math.prod(new) != size:
        raise ShapeError(f"reshape: shape {tuple(new)} is invalid for input of shape {old} "
                         f"({size} elements)")
    return tuple(new)


@register("reshape", samples=[Sample(((3, 4),), (), {"shape": (2, 6)}),
                              Sample(((2, 3, 2),), (), {"shape": (12,)}),
                              Sample(((),), (), {"shape": (1, 1)})],
          torch=lambda torch, x, shape: x.reshape(shape))   # a view: only the torch twin checks it
class Reshape(Function):
    """the same elements in a new shape;  the gradient is reshaped back"""
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    def backward(ctx, g):
        return g.reshape(ctx.shape)

    backward_arrays = backward  # the same formula on arrays


@register("permute", samples=[Sample(((3, 4),), (), {"dims": (1, 0)}),
                              Sample(((2, 3, 4),), (), {"dims": (2, 0, 1)})],
          reference=lambda x, dims: np.transpose(x, dims),
          torch=lambda torch, x, dims: x.permute(dims))
class Permute(Function):
    """dims reordered by `dims`;  the gradient is permuted back by the inverse order"""
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    def backward(ctx, g):       # undo the permutation
        return g.permute(*np.argsort(ctx.dims))

    def backward_arrays(ctx, g):
        return g.transpose(np.argsort(ctx.dims))


@register("expand", samples=[Sample(((3, 1),), (), {"shape": (2, 3, 4)}),
                             Sample(((),), (), {"shape": (2, 2)})],
          reference=lambda x, shape: np.broadcast_to(x, shape),
          torch=lambda torch, x, shape: x.expand(shape))
class Expand(Function):
    """broadcast to `shape` (a view);  the gradient is summed back over the new dims"""
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.broadcast_to(x, shape)

    def backward(ctx, g):       # the adjoint of broadcasting is summation
        return g.sum_to(ctx.shape)

    def backward_arrays(ctx, g):
        return _sum_to(g, ctx.shape)


def _sum_to(x, shape):
    lead = x.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and x.shape[lead + i] != 1)
    return x.sum(axis=dims, keepdims=True).reshape(shape) if dims else x


def _sum_to_by_scatter(x, shape):
    """The reference, written independently of the forward: add every element of x into the
    element of the result it was broadcast from (index 0 along a broadcast dim)."""
    out = np.zeros(shape, x.dtype)
    lead = x.ndim - len(shape)
    for index in np.ndindex(x.shape):
        out[tuple(0 if s == 1 else i for i, s in zip(index[lead:], shape))] += x[index]
    return out


@register("sum_to", samples=[Sample(((2, 3, 4),), (), {"shape": (3, 1)}),
                             Sample(((3, 4),), (), {"shape": ()})],
          reference=_sum_to_by_scatter,
          torch=lambda torch, x, shape: x.sum_to_size(shape) if shape else x.sum())
class SumTo(Function):
    """sum over broadcast dims down to `shape`;  the gradient is broadcast back"""
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return _sum_to(x, shape)

    def backward(ctx, g):
        return g.broadcast_to(ctx.shape)


def _is_basic(index):
    """True when NumPy indexes with a view (ints, slices, None, ...): no repeated elements."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, numbers.Integral))
               and not isinstance(p, bool) for p in parts)


GETITEM = [Sample(((3, 4),), (), {"index": (1,)}),
           Sample(((3, 4),), (), {"index": (slice(0, 2), slice(1, None, 2))}),
           Sample(((3, 4),), (), {"index": (None, Ellipsis, 2)}),
           Sample(((3, 4),), (), {"index": (np.array([0, 2, 0]),)}),
           Sample(((3, 4),), (), {"index": (np.array([0, 2]), np.array([1, 1]))}),
           Sample(((3, 4),), (), {"index": (np.array([[True, False, True, False]] * 3),)})]


# No NumPy reference: NumPy's indexing is the forward itself, so it would check nothing; the
# torch twin (PyTorch's own indexing) is this op's oracle.
@register("getitem", samples=GETITEM,
          torch=lambda torch, x, index: x[tuple(torch.as_tensor(i) if isinstance(i, np.ndarray)
                                                else i for i in index)])
class GetItem(Function):
    """x[index] (ints, slices, None, ..., int arrays, masks);
    the gradient is scattered back with index_add"""
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        return x[index]

    def backward(ctx, g):       # scatter the gradient back where the elements came from
        return IndexAdd.apply(g, shape=ctx.shape, index=ctx.index)

    def backward_arrays(ctx, g):
        return IndexAdd.forward(None, g, ctx.shape, ctx.index)


def _torch_index_add(torch, g, shape, index):
    out = torch.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g
        return out
    return out.index_put(tuple(torch.as_tensor(i) for i in index), g, accumulate=True)


@register("index_add", samples=[Sample(((2, 4),), (), {"shape": (3, 4),
                                                         "index": (slice(0, 2),)}),
                                Sample(((3,),), (), {"shape": (3, 4),
                                                     "index": (np.array([0, 2, 0]), 1)})],
          reference=lambda g, shape, index: IndexAdd.forward(None, g, shape, index),
          torch=lambda torch, g, shape, index: _torch_index_add(torch, g, shape, index))
class IndexAdd(Function):
    """zeros(shape) with g added at `index`; repeated indices accumulate"""
    def forward(ctx, g, shape, index):
        out = np.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g
        else:
            np.add.at(out, index, g)
        if ctx is not None:
            ctx.index = index
        return out

    def backward(ctx, gg):
        return GetItem.apply(gg, index=ctx.index)


def _pad_reference(x, widths, value):
    """np.pad on the positive widths, then a slice that drops the negative ones."""
    padded = np.pad(x, [(max(lo, 0), max(hi, 0)) for lo, hi in widths], constant_values=value)
    return padded[tuple(slice(-min(lo, 0), n + min(hi, 0))
                        for (lo, hi), n in zip(widths, padded.shape))]


@register("pad", samples=[Sample(((3, 4),), (), {"widths": ((1, 0), (2, 1)), "value": 0.5}),
                          Sample(((3, 5),), (), {"widths": ((-1, 2), (1, -3)), "value": 0.0})],
          reference=_pad_reference,
          torch=lambda torch, x, widths, value: torch.nn.functional.pad(
              x, [w for pair in reversed(widths) for w in pair], value=value))
class Pad(Function):
    """constant padding by `widths` ((before, after) per dim); a negative width crops that many
    elements instead. The gradient is the same op with the widths negated: the padded border
    gets none, and a cropped border gets zeros back."""
    def forward(ctx, x, widths, value):
        ctx.widths = widths
        out_shape = tuple(n + lo + hi for (lo, hi), n in zip(widths, x.shape))
        out = np.full(out_shape, value, dtype=x.dtype)
        source = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(widths, x.shape))
        target = tuple(slice(max(lo, 0), m - max(hi, 0)) for (lo, hi), m in zip(widths, out_shape))
        out[target] = x[source]
        return out

    def backward(ctx, g):       # constant padding has no gradient; cropped elements get 0
        return Pad.apply(g, widths=tuple((-lo, -hi) for lo, hi in ctx.widths), value=0.0)


@register("cat", samples=[Sample(((2, 3), (4, 3)), (), {"dim": 0}),
                          Sample(((2, 3), (2, 1), (2, 2)), (), {"dim": 1})],
          reference=lambda *xs, dim: np.concatenate(xs, axis=dim),
          torch=lambda torch, *xs, dim: torch.cat(xs, dim))
class Cat(Function):
    """inputs joined along `dim`;  each input's gradient is its slab of g"""
    def forward(ctx, *xs, dim):
        ctx.dim, ctx.sizes = dim, [x.shape[dim] for x in xs]
        return np.concatenate(xs, axis=dim)

    def backward(ctx, g):       # each input gets back its own slab
        starts = np.cumsum([0] + ctx.sizes)
        lead = (slice(None),) * ctx.dim
        return tuple(g[lead + (slice(int(a), int(b)),)] for a, b in zip(starts, starts[1:]))
