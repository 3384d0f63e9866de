"""Rearranging and ordering methods of `Tensor` (movedim, unflatten, tile, repeat_interleave,
roll, diagonal, tril/triu, outer, cumprod, sort, topk, argsort, unique), as the mixin
`LayoutMethods` that `ExtraMethods` (tensor_extra.py) inherits from.

Each is a composition of registered ops (mostly `GetItem` with a computed index array, so the
gradient scatters back to where each element came from); the index arrays are computed with
NumPy on the side. Sorting results are (values, indices) with .values/.indices, as PyTorch's;
the indices never require grad."""
import numbers

import numpy as np

from . import ops
from .function import constant
from .tensor_reduce import ReturnMinMax
from .tensor_shape import _shape_arg


def _dims_tuple(dims):
    return tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)


def _along(dim, ndim, index):
    """A GetItem index that applies the 1-D array `index` along `dim`."""
    return (slice(None),) * dim + (index,) + (slice(None),) * (ndim - dim - 1)


class LayoutMethods:
    """The rearranging and ordering methods of `Tensor` (see the module docstring)."""
    __slots__ = ()  # Tensor has __slots__; a base without them would give tensors a __dict__

    # ---- moving and repeating ------------------------------------------------------------
    def movedim(self, source, destination):
        """Move dims `source` to the positions `destination` (ints or tuples); the others keep
        their order."""
        source = [self._dim(d, "movedim") for d in _dims_tuple(source)]
        destination = [self._dim(d, "movedim") for d in _dims_tuple(destination)]
        if len(source) != len(destination) or len(set(source)) != len(source) or \
                len(set(destination)) != len(destination):
            raise ValueError(f"movedim: source {source} and destination {destination} must be "
                             "the same number of distinct dims")
        rest = iter(d for d in range(self.ndim) if d not in source)
        placed = dict(zip(destination, source))
        return self.permute(*[placed[i] if i in placed else next(rest)
                              for i in range(self.ndim)])

    moveaxis = movedim

    def unflatten(self, dim, sizes):
        """Split dim into several dims of `sizes` (one of them may be -1)."""
        dim = self._dim(dim, "unflatten")
        sizes = _shape_arg((sizes,))
        inner = ops.resolve_reshape((self.shape[dim],), sizes)
        return self.reshape(self.shape[:dim] + inner + self.shape[dim + 1:])

    def tile(self, *dims):
        """Repeat the whole tensor dims[i] times along dim i; with fewer dims than the tensor
        has, leading 1s are assumed (unlike repeat)."""
        dims = _shape_arg(dims)
        return self.repeat(*((1,) * (self.ndim - len(dims)) + dims))

    def repeat_interleave(self, repeats=None, dim=None):
        """Repeat each element `repeats` times (an int, or one count per element) along dim,
        next to itself: [1, 2] -> [1, 1, 2, 2]. Without dim the tensor is flattened first.
        `t.repeat_interleave()` of a 1-D count tensor t repeats the indices 0..n-1."""
        if repeats is None:                     # torch.repeat_interleave(counts)
            counts = ops.indexing.index_array("repeat_interleave", self, 1)
            return constant(np.repeat(np.arange(len(counts)), counts))
        x = self.reshape(-1) if dim is None else self
        dim = 0 if dim is None else x._dim(dim, "repeat_interleave")
        counts = repeats if isinstance(repeats, numbers.Integral) else \
            ops.indexing.index_array("repeat_interleave", repeats, 1)
        if np.any(np.asarray(counts) < 0) or np.ndim(counts) and len(counts) != x.shape[dim]:
            raise ValueError(f"repeat_interleave: repeats must be non-negative, one per element "
                             f"of dim {dim} (size {x.shape[dim]}), got {np.asarray(counts)}")
        index = np.repeat(np.arange(x.shape[dim]), counts)
        return ops.GetItem.apply(x, index=_along(dim, x.ndim, index))

    def roll(self, shifts, dims=None):
        """Shift elements by `shifts` along dims, wrapping around (without dims: over the
        flattened tensor, keeping the shape)."""
        if dims is None:
            return self.reshape(-1).roll(shifts, 0).reshape(self.shape)
        shifts, dims = _dims_tuple(shifts), _dims_tuple(dims)
        if len(shifts) != len(dims):
            raise ValueError(f"roll: {len(shifts)} shifts for {len(dims)} dims")
        out = self
        for shift, dim in zip(shifts, dims):
            dim = self._dim(dim, "roll")
            index = np.roll(np.arange(self.shape[dim]), shift)
            out = ops.GetItem.apply(out, index=_along(dim, self.ndim, index))
        return out

    # ---- matrices ---------------------------------------------------------------------------
    def diagonal(self, offset=0, dim1=0, dim2=1):
        """The elements [i, i + offset] of the (dim1, dim2) planes, as a new last dim."""
        dim1, dim2 = self._dim(dim1, "diagonal"), self._dim(dim2, "diagonal")
        if dim1 == dim2:
            raise ValueError(f"diagonal: dim1 and dim2 must differ, both are {dim1}")
        planes = self.movedim((dim1, dim2), (-2, -1))
        rows, cols = planes.shape[-2:]
        length = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
        steps = np.arange(length)
        return ops.GetItem.apply(planes, index=(Ellipsis, steps - min(offset, 0),
                                                steps + max(offset, 0)))

    def tril(self, diagonal=0):
        """The lower triangle of the last two dims (j <= i + diagonal), zeros above."""
        return self._triangle("tril", np.tril, diagonal)

    def triu(self, diagonal=0):
        """The upper triangle of the last two dims (j >= i + diagonal), zeros below."""
        return self._triangle("triu", np.triu, diagonal)

    def _triangle(self, name, numpy_fn, diagonal):
        if self.ndim < 2:
            raise ValueError(f"{name}: needs a tensor with at least 2 dims, got shape "
                             f"{self.shape}")
        keep = numpy_fn(np.ones(self.shape[-2:], dtype=bool), diagonal)
        return self.masked_fill(constant(~keep), 0)

    def outer(self, vec2):
        """out[i, j] = self[i] * vec2[j] for two 1-D tensors."""
        if self.ndim != 1 or vec2.ndim != 1:
            raise ValueError(f"outer: expects two 1-D tensors, got shapes {self.shape} and "
                             f"{tuple(vec2.shape)}")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    # ---- running product ------------------------------------------------------------------
    def cumprod(self, dim):
        """Running product along dim: y_i = x_0 * ... * x_i. Without zeros its gradient is
        sum_{i>=k} g_i y_i / x_k (the CumProd op); with zeros, each y_i is computed as the
        product of an (n, n) block that holds x_0..x_i in row i and 1 elsewhere, so that
        prod's zero-safe gradient applies (O(n^2) memory)."""
        dim = self._dim(dim, "cumprod")
        if self.ndim == 0:                      # one element: its own running product
            return self.clone()
        if not self.requires_grad or (self._data != 0).all():
            return ops.product.CumProd.apply(self, dim=dim)
        rows = self.movedim(dim, -1)
        n = rows.shape[-1]
        block = rows.unsqueeze(-2).expand(*rows.shape[:-1], n, n)
        block = block.masked_fill(constant(~np.tril(np.ones((n, n), dtype=bool))), 1)
        return block.prod(-1).movedim(-1, dim)

    # ---- ordering ----------------------------------------------------------------------------
    def sort(self, dim=-1, descending=False, stable=False):
        """(values, indices) sorted along dim. The sort is always stable (equal values keep
        their order, what PyTorch promises with stable=True). The values are differentiable:
        the gradient goes back to where each value came from."""
        indices = self.argsort(dim, descending, stable)
        return ReturnMinMax((self._take_sorted(dim, indices), indices))

    def argsort(self, dim=-1, descending=False, stable=False):
        """The indices that sort the tensor along dim (always a stable sort, see sort)."""
        dim = self._dim(dim, "argsort")
        keys = self._data if self.ndim else self._data.reshape(1)
        if descending:          # a stable descending order: sort the reversed ranks
            keys = -keys if keys.dtype.kind in "fi" else ~keys
        order = np.argsort(keys, axis=dim, kind="stable").astype(np.int64)
        return constant(order.reshape(self.shape))

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """(values, indices) of the k largest (or smallest) elements along dim, always in
        order (`sorted=False` lets PyTorch return any order; this one is one of them)."""
        dim = self._dim(dim, "topk")
        size = self.shape[dim] if self.ndim else 1
        if not 0 <= k <= size:
            raise IndexError(f"topk: k={k} is out of range for dim {dim} of shape "
                             f"{self.shape} (valid: 0 to {size})")
        order = self.argsort(dim, descending=largest)
        indices = constant(np.take(order._data, np.arange(k), axis=dim)) if self.ndim else order
        return ReturnMinMax((self._take_sorted(dim, indices), indices))

    def _take_sorted(self, dim, indices):
        """The values at sorted `indices` (a 0-d tensor is its own sorted self)."""
        return self.gather(dim, indices) if self.ndim else self.clone()

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        """The distinct values, sorted (`sorted` is there for PyTorch's signature: the result
        is always sorted, as PyTorch's is on the CPU); with return_inverse also where each
        element's value is in them, with return_counts how often each occurs. With dim, the
        distinct slices along that dim."""
        axis = None if dim is None else self._dim(dim, "unique")
        values, inverse, counts = np.unique(self._data, return_inverse=True,
                                            return_counts=True, axis=axis)
        inverse = inverse.reshape(self.shape if axis is None else -1)
        out = [constant(values)]
        if return_inverse:
            out.append(constant(inverse.astype(np.int64)))
        if return_counts:
            out.append(constant(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)
