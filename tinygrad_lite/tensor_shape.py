"""Shape and indexing methods of `Tensor` (reshape, permute, transpose, expand, split, pad,
indexing, gather, ...), as the mixin `ShapeMethods` that `Tensor` inherits from.

It is part of `Tensor`, split off only to keep each file short: the methods are thin calls into
the movement ops, or compositions of other Tensor methods. They rely on the core helper `_dim`
that `Tensor` defines in tensor.py."""
import numbers
import warnings

import numpy as np

from . import function, ops
from .errors import ShapeError


def _shape_arg(shape):
    """Accept f(2, 3) and f((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, np.ndarray)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _index_arrays(index):
    """Replace Tensors and lists inside an index with arrays NumPy can index with (a 0-d
    integer tensor becomes an int, as PyTorch treats it)."""
    if isinstance(index, tuple):
        return tuple(_index_arrays(i) for i in index)
    if isinstance(index, function.Tensor):
        array = _index_tensor(index._data)
        if array.ndim == 0 and array.dtype.kind in "iu":
            return int(array)
        return array
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _index_tensor(array):
    """A tensor used as an index, as PyTorch reads it: int64 and int32 hold positions, bool
    is a mask, and uint8 is a mask too (deprecated in PyTorch, with its warning)."""
    if array.dtype == np.uint8:
        warnings.warn("indexing with dtype uint8 is now deprecated, please use a dtype bool "
                      "instead (as in PyTorch, a uint8 index is read as a mask)",
                      UserWarning, stacklevel=4)
        return array.astype(bool)
    if array.dtype not in (np.int64, np.int32, np.bool_):
        raise IndexError(f"tensors used as indices must be long, int, byte or bool tensors, "
                         f"got {array.dtype} (convert with .long())")
    return array


def _index_parts(index):
    """The index as a tuple of parts. PyTorch reads a list that holds tensors, lists, slices,
    None or ... as a tuple of indices (`x[[i, 1]]` is `x[i, 1]`); a list of numbers stays one
    index (`x[[0, 2]]`)."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(i, (function.Tensor, list, tuple, np.ndarray, slice)) or i is None or
            i is Ellipsis for i in index):
        return tuple(index)
    return (index,)


def _is_int(part):
    return isinstance(part, numbers.Integral) and not isinstance(part, (bool, np.bool_))


_BASIC = (int, slice, type(None), type(Ellipsis))


def _index_steps(index):
    """The user's index as a list of one or two NumPy indices applied one after the other.

    PyTorch applies int indices first, as basic indexing, and only then the tensor (array)
    indices; NumPy counts an int beside arrays as one more array index, which moves the
    indexed dims to the front. For a tensor of shape (3, 5, 4, 7), `x[0, :, [1, 2]]` is
    (5, 2, 7) in PyTorch and (2, 5, 7) in NumPy. So when ints and arrays are mixed, step one
    takes the ints (and slices, None, ...) as a view and step two the arrays."""
    if type(index) in _BASIC or type(index) is tuple and all(type(p) in _BASIC for p in index):
        return [index]          # ints, slices, None, ...: NumPy's rules are PyTorch's (fast path)
    parts = _index_arrays(_index_parts(index))
    arrays = [p for p in parts if isinstance(p, np.ndarray)]
    if not arrays or not any(_is_int(p) for p in parts):
        return [parts]
    first, second = [], []
    for part in parts:
        if isinstance(part, np.ndarray):        # a bool mask spans as many dims as it has
            first += [slice(None)] * (part.ndim if part.dtype == np.bool_ else 1)
            second.append(part)
        elif _is_int(part):
            first.append(part)
        else:                                   # a slice, None or ... is taken in step one
            first.append(part)
            second.append(Ellipsis if part is Ellipsis else slice(None))
    return [tuple(first), tuple(second)]


class ShapeMethods:
    """The shape and indexing methods of `Tensor` (see the module docstring)."""
    __slots__ = ()  # Tensor has __slots__; a base without them would give tensors a __dict__

    T = property(lambda self: self.permute(*reversed(range(self.ndim))))
    mT = property(lambda self: self.transpose(-2, -1), doc="The last two dims swapped.")

    # ---- shape ---------------------------------------------------------------------------
    def reshape(self, *shape):
        shape = _shape_arg(shape)
        if shape == self.shape:
            return self
        return ops.Reshape.apply(self, shape=ops.resolve_reshape(self.shape, shape))

    view = reshape

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:
            return self.reshape(1)
        start, end = self._dim(start_dim, "flatten"), self._dim(end_dim, "flatten")
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(self.shape[:start] + (-1,) + self.shape[end + 1:])

    def permute(self, *dims):
        dims = _shape_arg(dims)
        if sorted(self._dim(d, "permute") for d in dims) != list(range(self.ndim)):
            raise ValueError(f"permute: {dims} is not a permutation of the {self.ndim} dims of "
                             f"a tensor of shape {self.shape}")
        dims = tuple(self._dim(d, "permute") for d in dims)
        return self if dims == tuple(range(self.ndim)) else ops.Permute.apply(self, dims=dims)

    def t(self):
        """The transpose of a matrix (a 0-d or 1-d tensor is returned as it is)."""
        if self.ndim > 2:
            raise ShapeError(f"t: expects a tensor with at most 2 dims, got shape {self.shape}; "
                             "use transpose(dim0, dim1)")
        return self.permute(*reversed(range(self.ndim)))

    def view_as(self, other):
        return self.reshape(other.shape)

    reshape_as = view_as

    def expand_as(self, other):
        return self.broadcast_to(other.shape)


    def repeat(self, *sizes):
        """Tile the tensor `sizes[i]` times along dim i (leading sizes add new dims), as
        torch.Tensor.repeat / np.tile: a broadcast of interleaved size-1 dims, reshaped."""
        sizes = _shape_arg(sizes)
        if len(sizes) < self.ndim:
            raise ShapeError(f"repeat: needs at least {self.ndim} sizes for shape {self.shape}, "
                             f"got {sizes}")
        shape = (1,) * (len(sizes) - self.ndim) + self.shape
        interleaved = self.reshape(tuple(d for s in shape for d in (1, s)))
        tiled = interleaved.broadcast_to(tuple(d for r, s in zip(sizes, shape) for d in (r, s)))
        return tiled.reshape(tuple(r * s for r, s in zip(sizes, shape)))

    def unbind(self, dim=0):
        """The slices along dim, each without that dim."""
        dim = self._dim(dim, "unbind")
        return tuple(self[(slice(None),) * dim + (i,)] for i in range(self.shape[dim]))

    def transpose(self, dim0, dim1):
        order = list(range(self.ndim))
        d0, d1 = self._dim(dim0, "transpose"), self._dim(dim1, "transpose")
        order[d0], order[d1] = order[d1], order[d0]
        return self.permute(*order)

    def unsqueeze(self, dim):
        dim = self._dim(dim, "unsqueeze", extra=1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        if dim is None:
            return self.reshape(tuple(s for s in self.shape if s != 1))
        dims = {self._dim(d, "squeeze") for d in (dim if isinstance(dim, tuple) else (dim,))}
        return self.reshape(tuple(s for i, s in enumerate(self.shape)
                                  if not (i in dims and s == 1)))

    def expand(self, *shape):
        shape = _shape_arg(shape)
        offset = len(shape) - self.ndim
        if offset < 0:
            raise ShapeError(f"expand: can't expand shape {self.shape} to fewer dims {shape}")
        shape = tuple(self.shape[i - offset] if s == -1 and i >= offset else s
                      for i, s in enumerate(shape))
        return self.broadcast_to(shape)

    def broadcast_to(self, shape):
        shape = _shape_arg((shape,))
        if shape == self.shape:
            return self
        ops.check_broadcast("broadcast_to", self.shape, shape)
        return ops.Expand.apply(self, shape=shape)

    def sum_to(self, shape):
        """Sum broadcast dims away so the result has `shape` (the adjoint of broadcast_to)."""
        shape = tuple(shape)
        return self if shape == self.shape else ops.SumTo.apply(self, shape=shape)

    def split(self, split_size_or_sections=None, dim=0, *, split_size=None):
        """Pieces of `split_size` along dim (the last one smaller), or of the listed sizes;
        `split_size=` is PyTorch's keyword for Tensor.split."""
        if (split_size is None) == (split_size_or_sections is None):
            raise TypeError("split: give the size (or list of sizes) once, as "
                            "split_size_or_sections or as split_size")
        split_size_or_sections = split_size if split_size is not None else \
            split_size_or_sections
        dim = self._dim(dim, "split")
        size = self.shape[dim]
        if isinstance(split_size_or_sections, numbers.Integral):
            if split_size_or_sections <= 0:
                raise ValueError(f"split: split_size must be positive, got "
                                 f"{split_size_or_sections}")
            sizes = [min(split_size_or_sections, size - start)
                     for start in range(0, size, split_size_or_sections)]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != size:
                raise ShapeError(f"split: sections {sizes} sum to {sum(sizes)} but dim {dim} "
                                 f"has size {size}")
        starts = np.cumsum([0] + sizes[:-1])
        return tuple(self[(slice(None),) * dim + (slice(int(a), int(a) + s),)]
                     for a, s in zip(starts, sizes))

    def chunk(self, chunks, dim=0):
        if chunks <= 0:
            raise ValueError(f"chunk: chunks must be positive, got {chunks}")
        size = self.shape[self._dim(dim, "chunk")]
        return self.split(max(-(-size // chunks), 1), dim)

    def flip(self, *dims):
        """Reverse the order of elements along the given dims."""
        dims = {self._dim(d, "flip") for d in _shape_arg(dims)}
        return self[tuple(slice(None, None, -1) if d in dims else slice(None)
                          for d in range(self.ndim))]

    def pad(self, pad, value=0.0):
        """Constant padding; `pad` = (left, right, top, bottom, ...) from the last dim on,
        as torch.nn.functional.pad. A negative amount crops instead."""
        if len(pad) % 2 or len(pad) // 2 > self.ndim:
            raise ValueError(f"pad: needs an even number of at most {2 * self.ndim} values for "
                             f"shape {self.shape}, got {tuple(pad)}")
        widths = [(0, 0)] * self.ndim
        for i in range(len(pad) // 2):
            widths[self.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
        if any(n + lo + hi < 0 for (lo, hi), n in zip(widths, self.shape)):
            raise ShapeError(f"pad: padding {tuple(pad)} crops more than shape {self.shape} "
                             "holds (a negative width removes that many elements)")
        return ops.Pad.apply(self, widths=tuple(widths), value=value)

    # ---- indexing ------------------------------------------------------------------------
    def __getitem__(self, index):
        """Indexing with PyTorch's rules (see `_index_steps` for where they differ from
        NumPy's); the gradient scatters back, repeated indices accumulating."""
        out = self
        try:
            for step in _index_steps(index):
                out = ops.GetItem.apply(out, index=step)
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor shape {self.shape})") from None
        return out

    def gather(self, dim, index):
        """out[i][j][k] = self[i][index[i][j][k]][k] for dim=1 (torch.gather)."""
        dim = self._dim(dim, "gather")
        return ops.GetItem.apply(self, index=ops.indexing.dim_index("gather", self.shape, dim,
                                                                    index))
