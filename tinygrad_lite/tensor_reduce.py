"""Reductions of `Tensor` (sum, mean, var, max, argmax, softmax, norm, cumsum, ...), as the
mixin `ReductionMethods` that `Tensor` inherits from.

It is part of `Tensor`, split off only to keep each file short: the methods are thin calls into
the reduce and activation ops, or compositions of other Tensor methods. They rely on the core
helpers `_dim` and `_floating` that `Tensor` defines in tensor.py."""
import math
import numbers

import numpy as np

from . import dtypes, function, ops
from .function import constant


class ReturnMinMax(tuple):
    """(values, indices) from max/min along a dim (and sort, topk), also readable as
    .values/.indices."""
    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


def _reciprocal(n):
    """1/n for averaging; NaN for an empty or over-corrected count, as PyTorch gives."""
    return 1.0 / n if n > 0 else float("nan")


class ReductionMethods:
    """The reductions of `Tensor` (see the module docstring)."""
    __slots__ = ()  # Tensor has __slots__; a base without them would give tensors a __dict__

    # ---- reductions ----------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        """Sum over the dims (all by default); with `dtype`, x is converted to it first and
        the sum has that dtype (PyTorch's way to sum int32 as int32, or bools as floats)."""
        if dtype is not None:
            return self.to(dtype).sum(dim, keepdim, axis=axis, keepdims=keepdims).to(dtype)
        dims, keep = self._reduce_args("sum", dim, axis, keepdim, keepdims)
        return ops.Sum.apply(self, dims=dims, keepdim=keep)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        """sum(x) / n over the dims (all by default); with `dtype`, x is converted to it first."""
        if dtype is not None:
            return self.to(dtype).mean(dim, keepdim, axis=axis, keepdims=keepdims)
        dims, keep = self._reduce_args("mean", dim, axis, keepdim, keepdims)
        self._require_float("mean")
        count = math.prod(self.shape[d] for d in dims)
        return ops.Sum.apply(self, dims=dims, keepdim=keep) * _reciprocal(count)

    def var(self, dim=None, unbiased=True, keepdim=False, *, axis=None, keepdims=None,
            correction=None):
        """sum((x - mean)^2) / (n - correction); correction 1 (unbiased) by default."""
        dims, keep = self._reduce_args("var", dim, axis, keepdim, keepdims)
        self._require_float("var")
        count = math.prod(self.shape[d] for d in dims)
        correction = (1 if unbiased else 0) if correction is None else correction
        centered = self - self.mean(dims, keepdim=True)
        return (centered * centered).sum(dims, keepdim=keep) * _reciprocal(count - correction)

    def std(self, dim=None, unbiased=True, keepdim=False, *, axis=None, keepdims=None,
            correction=None):
        """sqrt(var(x)): the standard deviation, unbiased (n - 1) by default."""
        return self.var(dim, unbiased, keepdim, axis=axis, keepdims=keepdims,
                        correction=correction).sqrt()

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dims, keep = self._reduce_args("amax", dim, axis, keepdim, keepdims)
        return ops.Amax.apply(self, dims=dims, keepdim=keep)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return -((-self).amax(dim, keepdim, axis=axis, keepdims=keepdims))

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """max over everything, or (values, indices) along an int dim (PyTorch)."""
        return self._extreme("max", np.argmax, dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return self._extreme("min", np.argmin, dim, keepdim, axis, keepdims)

    def _extreme(self, name, arg_fn, dim, keepdim, axis, keepdims):
        dim = dim if axis is None else axis
        keepdim = keepdim if keepdims is None else keepdims
        if isinstance(dim, function.Tensor):   # torch.max(a, b) is the elementwise maximum
            return self.maximum(dim) if name == "max" else self.minimum(dim)
        if dim is None:
            return self.amax() if name == "max" else self.amin()
        if not isinstance(dim, numbers.Integral):
            raise TypeError(f"{name}: dim must be an int (use amax/amin for a tuple of dims)")
        if self.ndim == 0:                    # a single value is its own max, at index 0
            self._dim(dim, name)
            return ReturnMinMax((self.clone(), constant(np.array(0))))
        indices = self._arg(name, arg_fn, dim, True)
        values = self.gather(dim, indices)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return ReturnMinMax((values, indices))

    def _arg(self, name, arg_fn, dim, keepdim):
        if self._data.size == 0:
            raise RuntimeError(f"{name}: cannot reduce an empty tensor of shape {self.shape}")
        if dim is None:
            return constant(np.asarray(arg_fn(self._data)))
        dim = self._dim(dim, name)
        return constant(arg_fn(self._data, axis=dim, keepdims=keepdim))

    def argmax(self, dim=None, keepdim=False):
        return self._arg("argmax", np.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return self._arg("argmin", np.argmin, dim, keepdim)

    def norm(self, p=2, dim=None, keepdim=False):
        """The p-norm over dims (all by default): p = 2 (Euclidean), 1, or inf (largest |x|)."""
        if p in (2, "fro"):      # "fro" (Frobenius): the 2-norm of the elements
            dims, keep = self._reduce_args("norm", dim, None, keepdim, None)
            return ops.Norm.apply(self._floating(), dims=dims, keepdim=keep)
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p == float("inf"):
            return self.abs().amax(dim, keepdim)
        raise ValueError(f"norm: p must be 1, 2, 'fro' or inf, got {p!r}")

    def cumsum(self, dim):
        """Running sum along dim:  y_i = x_0 + ... + x_i."""
        return ops.CumSum.apply(self, dim=self._dim(dim, "cumsum"))

    def logsumexp(self, dim, keepdim=False):
        """log(sum(exp(x))) over an int or a tuple of dims, computed stably."""
        dims, _ = self._reduce_args("logsumexp", dim, None, keepdim, None)
        x = self._floating()
        if x.ndim == 0:
            return x.clone()
        rest = [d for d in range(x.ndim) if d not in dims]
        rows = x.permute(*rest, *dims).reshape(*[x.shape[d] for d in rest], -1)
        out = ops.LogSumExp.apply(rows, dim=rows.ndim - 1).reshape(
            tuple(x.shape[d] for d in rest))          # the reduced dims are gone
        if keepdim:
            out = out.reshape(tuple(1 if d in dims else s for d, s in enumerate(x.shape)))
        return out

    def softmax(self, dim):
        """softmax(x)_i = e^(x_i) / sum_j e^(x_j) along dim (stable: max subtracted first)."""
        return self._rowwise(ops.Softmax, dim, "softmax")

    def log_softmax(self, dim):
        """log_softmax(x)_i = x_i - log(sum_j e^(x_j)) along dim, computed stably."""
        return self._rowwise(ops.LogSoftmax, dim, "log_softmax")

    def _rowwise(self, op, dim, name):
        x = self._floating()
        if x.ndim == 0:                       # a single element is its own row
            return op.apply(x.reshape(1), dim=0).reshape(())
        return op.apply(x, dim=self._dim(dim, name))

    # ---- logical reductions: bool results, no gradient --------------------------------
    def any(self, dim=None, keepdim=False):
        """Whether any element is nonzero (over dim, or everything); a bool tensor."""
        axis = None if dim is None else self._dim(dim, "any")
        return constant(np.asarray(self._data.any(axis=axis, keepdims=keepdim)))

    def all(self, dim=None, keepdim=False):
        """Whether every element is nonzero (over dim, or everything); a bool tensor."""
        axis = None if dim is None else self._dim(dim, "all")
        return constant(np.asarray(self._data.all(axis=axis, keepdims=keepdim)))

    # ---- helpers -------------------------------------------------------------------------
    def _reduce_args(self, op, dim, axis, keepdim, keepdims):
        dim = dim if axis is None else axis
        keepdim = keepdim if keepdims is None else keepdims
        if dim is None:
            return tuple(range(self.ndim)), bool(keepdim)
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = tuple(sorted({self._dim(d, op) for d in dims})) if self.ndim else ()
        return dims, bool(keepdim)

    def _require_float(self, op):
        if not dtypes.is_floating(self.dtype):
            raise TypeError(f"{op}: needs a floating-point tensor, got {self.dtype} "
                            "(use .float())")
