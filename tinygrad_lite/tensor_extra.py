"""More of PyTorch's Tensor methods (elementwise math, logical ops, indexing by index tensors,
sorting, searching), as the mixin `ExtraMethods` that `Tensor` inherits from.

It is part of `Tensor`, split off only to keep each file short: the methods are thin calls into
the ops in ops/unary_math.py, ops/product.py and ops/indexing.py, or compositions of other
Tensor methods. They rely on the core helpers `_dim` and `_floating` of tensor.py (and on its
module-level helpers, reached through `_core()`)."""
import math
import sys

import numpy as np

from . import dtypes, function, ops
from .errors import ShapeError
from .function import constant
from .tensor_inplace import _value_inplace
from .tensor_layout import LayoutMethods


def _core():
    """The module tensor.py, for its helpers `_operands`, `_tensor`, `where`, ... (it imports
    this module, so this one can't import it at the top)."""
    return sys.modules[function.Tensor.__module__]


def _operands(a, b, op):
    """Two tensors of one promoted dtype, checked to broadcast together."""
    return _core()._operands(a, b, op)


def _leading_block(src, grids):
    """src[:n0, :n1, ...]: the part of src that an index of shape (n0, n1, ...) reads."""
    shape = np.broadcast_shapes(*[g.shape for g in grids])
    if src.shape == shape:
        return src
    return ops.GetItem.apply(src, index=tuple(slice(n) for n in shape))


def _same_dtype(op, a, b):
    if a.dtype != b.dtype:
        raise TypeError(f"{op}: self ({a.dtype}) and the source ({b.dtype}) must have the same "
                        "dtype; convert one with .to()")


def _array(x):
    return x._data if isinstance(x, function.Tensor) else np.asarray(x)


class ExtraMethods(LayoutMethods):
    """The extra methods of `Tensor` (see the module docstring)."""
    __slots__ = ()  # Tensor has __slots__; a base without them would give tensors a __dict__

    # ---- products ----------------------------------------------------------------------
    def prod(self, dim=None, keepdim=False, *, dtype=None):
        """The product of the elements over dim (all by default); its gradient is the product
        of the other elements, right also where some are zero."""
        x = self if dtype is None else self.to(dtype)
        if x.dtype == dtypes.bool:
            x = x.long()
        dims, keep = x._reduce_args("prod", dim, None, keepdim, None)
        return ops.product.Prod.apply(x, dims=dims, keepdim=keep)

    # ---- rounding: a zero gradient where the input requires one (as PyTorch) ----------
    def floor(self):
        return self._rounded(ops.unary_math.Floor)

    def ceil(self):
        return self._rounded(ops.unary_math.Ceil)

    def trunc(self):
        """Round toward zero."""
        return self._rounded(ops.unary_math.Trunc)

    fix = trunc

    def round(self, decimals=0):
        """Round to `decimals` places; halves go to the even neighbour (2.5 -> 2)."""
        return self._rounded(ops.unary_math.Round, decimals=decimals)

    def frac(self):
        """x - trunc(x): the fractional part, with the sign of x;  d/dx = 1."""
        return self - self.trunc()

    def _rounded(self, op, **attrs):
        if not dtypes.is_floating(self.dtype):      # integers are already round
            return constant(self._data.copy())
        return op.apply(self, **attrs)

    # ---- logarithms, exponentials, powers ---------------------------------------------
    def log2(self):
        """log2(x) = ln(x) / ln(2)"""
        return self.log() * (1 / math.log(2))

    def log10(self):
        """log10(x) = ln(x) / ln(10)"""
        return self.log() * (1 / math.log(10))

    def log1p(self):
        """ln(1 + x), accurate for tiny x."""
        return ops.unary_math.Log1p.apply(self._floating())

    def expm1(self):
        """e^x - 1, accurate for tiny x."""
        return ops.unary_math.Expm1.apply(self._floating())

    def reciprocal(self):
        """1 / x"""
        return 1 / self._floating()

    def rsqrt(self):
        """1 / sqrt(x)"""
        return 1 / self.sqrt()

    def logaddexp(self, other):
        """log(e^x + e^y), computed stably: m + log(e^(x-m) + e^(y-m)) with m = max(x, y)
        (m is a constant here: its derivative cancels)."""
        x, y = self._floating(), other
        top = x.maximum(y).detach()
        return top + ((x - top).exp() + (y - top).exp()).log()

    def hypot(self, other):
        """sqrt(x^2 + y^2)"""
        return (self * self + other * other).sqrt()

    def _clamp_by_tensors(self, low, high):
        """clamp with tensor bounds (called by Tensor.clamp) as nested where()s, so each output
        element's gradient goes to the tensor it was taken from, with PyTorch's rule at ties:
        x when low <= x <= high; high when x > high or high < low; low when x < low < high;
        none of them when x < low == high."""
        core = _core()
        low, high = (None if b is None else core._tensor(b, self.dtype) for b in (low, high))
        dtype = self.dtype
        for bound in (low, high):
            if bound is not None:
                dtype = dtypes.promote(dtype, core._result_dtype(self, bound))
                _operands(self, bound, "clamp")     # checks that the shapes broadcast
        x, low, high = (None if t is None else t.to(dtype) for t in (self, low, high))
        xs = x._data
        lo = -np.inf if low is None else low._data
        hi = np.inf if high is None else high._data
        out = constant(np.minimum(np.maximum(xs, lo), hi))     # where x < low == high
        if low is not None:
            out = core.where((xs < lo) & (lo < hi), low, out)
        if high is not None:
            out = core.where((xs > hi) | (hi < lo), high, out)
        return core.where((xs >= lo) & (xs <= hi), x, out)

    def lerp(self, end, weight):
        """start + weight * (end - start): linear interpolation from self to end."""
        return self + weight * (end - self)

    # ---- trigonometric and hyperbolic ---------------------------------------------------
    def tan(self):
        return ops.unary_math.Tan.apply(self._floating())

    def asin(self):
        return ops.unary_math.Asin.apply(self._floating())

    def acos(self):
        return ops.unary_math.Acos.apply(self._floating())

    def atan(self):
        return ops.unary_math.Atan.apply(self._floating())

    def sinh(self):
        return ops.unary_math.Sinh.apply(self._floating())

    def cosh(self):
        return ops.unary_math.Cosh.apply(self._floating())

    def atan2(self, other):
        """The angle of the point (other, self) in (-pi, pi]: atan2(y, x) with y = self."""
        y, x = _operands(self, other, "atan2")
        return ops.unary_math.Atan2.apply(y._floating(), x._floating())

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2

    # ---- logical and bitwise: bool/int results, no gradient ----------------------------
    def logical_and(self, other):
        return constant(np.logical_and(self._data, _array(other)))

    def logical_or(self, other):
        return constant(np.logical_or(self._data, _array(other)))

    def logical_xor(self, other):
        return constant(np.logical_xor(self._data, _array(other)))

    def logical_not(self):
        return constant(np.logical_not(self._data))

    def bitwise_and(self, other):
        return self._bitwise("bitwise_and", np.bitwise_and, other)

    def bitwise_or(self, other):
        return self._bitwise("bitwise_or", np.bitwise_or, other)

    def bitwise_xor(self, other):
        return self._bitwise("bitwise_xor", np.bitwise_xor, other)

    def bitwise_not(self):
        return self._bitwise("bitwise_not", np.invert)

    __xor__ = __rxor__ = bitwise_xor
    __rand__, __ror__ = bitwise_and, bitwise_or

    def _bitwise(self, name, ufunc, *other):
        arrays = [self._data] + [_array(o) for o in other]
        for a in arrays:
            if a.dtype.kind not in "biu":
                raise TypeError(f"{name}: needs bool or integer tensors, got {a.dtype}")
        return constant(np.asarray(ufunc(*arrays)))

    # ---- closeness: bool tensors or Python bools ---------------------------------------
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """|self - other| <= atol + rtol * |other|, elementwise (a bool tensor)."""
        return constant(np.isclose(self._data, _array(other), rtol, atol, equal_nan))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """Whether isclose holds everywhere (a Python bool)."""
        return bool(self.isclose(other, rtol, atol, equal_nan)._data.all())

    def equal(self, other):
        """Whether both tensors have the same shape and the same values (a Python bool)."""
        other = _array(other)
        return self.shape == other.shape and bool((self._data == other).all())

    # ---- indexing by index tensors (compositions of GetItem and IndexAdd) ---------------
    def index_select(self, dim, index):
        """The slices self[..., index[i], ...] along dim, in the order of `index` (1-D)."""
        dim = self._dim(dim, "index_select")
        index = ops.indexing.index_array("index_select", index).reshape(-1)
        ops.indexing.check_range("index_select", index, self.shape[dim], dim, self.shape)
        return ops.GetItem.apply(self, index=(slice(None),) * dim + (index,))

    def index_add(self, dim, index, source, *, alpha=1):
        """self with alpha * source[..., i, ...] added to slice index[i] along dim; repeated
        indices add up."""
        dim = self._dim(dim, "index_add")
        index = ops.indexing.index_array("index_add", index).reshape(-1)
        ops.indexing.check_range("index_add", index, self.shape[dim], dim, self.shape)
        expected = self.shape[:dim] + (len(index),) + self.shape[dim + 1:]
        if tuple(source.shape) != expected:
            raise ShapeError(f"index_add: source of shape {tuple(source.shape)} does not fit "
                             f"input {self.shape} with {len(index)} indices along dim {dim}; "
                             f"expected {expected}")
        _same_dtype("index_add", self, source)
        added = ops.IndexAdd.apply(source, shape=self.shape, index=(slice(None),) * dim + (index,))
        return self + added * alpha

    def scatter_add(self, dim, index, src):
        """self with src[i][j][k] added at [i][index[i][j][k]][k] (dim=1); repeated indices add
        up. The adjoint of gather."""
        dim = self._dim(dim, "scatter_add")
        grids = ops.indexing.dim_index("scatter_add", self.shape, dim, index,
                                       [("src", src.shape)])
        _same_dtype("scatter_add", self, src)
        block = _leading_block(src, grids)
        return self + ops.IndexAdd.apply(block, shape=self.shape, index=grids)

    def scatter(self, dim, index, src=None, *, value=None):
        """self with [i][index[i][j][k]][k] (dim=1) overwritten by src[i][j][k] (a tensor) or
        by `value` (a number). Where an index repeats, the last write in row-major order
        wins (PyTorch leaves it unspecified)."""
        if (src is None) == (value is None):
            raise TypeError("scatter: give exactly one of src (a tensor or number) and value")
        src = value if src is None else src
        dim = self._dim(dim, "scatter")
        limits = [("src", src.shape)] if isinstance(src, function.Tensor) else []
        grids = ops.indexing.dim_index("scatter", self.shape, dim, index, limits)
        targets, winners = ops.indexing.last_writes(self.shape, grids)
        written = np.zeros(self.shape, dtype=bool)
        written.reshape(-1)[targets] = True
        if not isinstance(src, function.Tensor):
            return self.masked_fill(constant(written), src)
        _same_dtype("scatter", self, src)
        values = _leading_block(src, grids).reshape(-1)
        values = ops.GetItem.apply(values, index=(winners,))
        spread = ops.IndexAdd.apply(values, shape=(self.numel(),), index=(targets[winners],))
        return spread.reshape(self.shape).where(constant(written), self)

    def masked_select(self, mask):
        """The elements where mask (broadcast with self) is True, as a 1-D tensor."""
        mask = mask if isinstance(mask, function.Tensor) else function.Tensor(mask)
        if mask.dtype != dtypes.bool:
            raise TypeError(f"masked_select: mask must be a bool tensor, got {mask.dtype}")
        shape = np.broadcast_shapes(self.shape, mask.shape) if self.shape != mask.shape \
            else self.shape
        return ops.GetItem.apply(self.broadcast_to(shape),
                                 index=(np.broadcast_to(mask._data, shape),))

    # ---- in-place forms (x.floor_(), x.scatter_(1, labels, 1.0), ...), see tensor_inplace.py
    floor_, ceil_, trunc_, round_, frac_ = (_value_inplace(n) for n in (
        "floor", "ceil", "trunc", "round", "frac"))
    log2_, log10_, log1p_, expm1_, reciprocal_, rsqrt_ = (_value_inplace(n) for n in (
        "log2", "log10", "log1p", "expm1", "reciprocal", "rsqrt"))
    tan_, asin_, acos_, atan_, sinh_, cosh_, atan2_ = (_value_inplace(n) for n in (
        "tan", "asin", "acos", "atan", "sinh", "cosh", "atan2"))
    lerp_, hypot_, logical_not_, bitwise_not_ = (_value_inplace(n) for n in (
        "lerp", "hypot", "logical_not", "bitwise_not"))
    scatter_, scatter_add_, index_add_, tril_, triu_ = (_value_inplace(n) for n in (
        "scatter", "scatter_add", "index_add", "tril", "triu"))

    # ---- searching: int64 results, no gradient ----------------------------------------
    def nonzero(self, *, as_tuple=False):
        """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with
        as_tuple=True one 1-D tensor per dim (what `x[cond.nonzero(as_tuple=True)]` needs)."""
        if as_tuple:    # a 0-d tensor counts as 1-D here, as in PyTorch
            positions = np.nonzero(self._data.reshape(-1) if self.ndim == 0 else self._data)
            return tuple(constant(p.astype(np.int64)) for p in positions)
        return constant(np.argwhere(self._data).astype(np.int64))

    def argwhere(self):
        """torch.argwhere: the same as nonzero()."""
        return self.nonzero()
