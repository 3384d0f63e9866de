"""Index arithmetic behind gather, scatter, scatter_add, index_select and index_add.

These Tensor methods are compositions of two registered ops, `GetItem` (read elements at an
index) and `IndexAdd` (add values at an index into zeros, the adjoint of GetItem), so their
gradients of every order come from those ops. What this module adds is turning PyTorch's
index tensors into NumPy indices, with the checks that give readable errors."""
import numpy as np

from ..errors import ShapeError


def index_array(op, index, ndim=None):
    """The integer array of an index tensor (or list), checked to be int64 or int32 as
    PyTorch requires (with `ndim` dims when given)."""
    array = index._data if hasattr(index, "_data") else np.asarray(index)
    if array.dtype not in (np.int64, np.int32):
        raise TypeError(f"{op}: index must be an integer tensor of dtype int64 or int32, got "
                        f"{array.dtype} (convert with .long())")
    if ndim is not None and array.ndim != ndim:
        raise ShapeError(f"{op}: index must have {ndim} dims like the input, got shape "
                         f"{array.shape}")
    return array


def check_range(op, index, size, dim, shape):
    """Raise IndexError unless every value of `index` addresses one of `size` positions."""
    if index.size and not (-size <= index.min() and index.max() < size):
        raise IndexError(f"{op}: index values must lie in [{-size}, {size - 1}] for dim {dim} "
                         f"of shape {shape}, got {index.min()} to {index.max()}")


def dim_index(op, shape, dim, index, limits=()):
    """The NumPy index for gather/scatter along `dim`: element [i, j, k] of `index` addresses
    position [i, index[i, j, k], k] (for dim=1). `index` may be smaller than `shape` (and
    than each shape in `limits`) in every dim, except along `dim` for `shape`."""
    index = index_array(op, index, len(shape))
    for name, limit in [("input", shape)] + list(limits):
        small = all(n <= m for d, (n, m) in enumerate(zip(index.shape, limit))
                    if d != dim or name != "input")
        if not small:
            raise ShapeError(f"{op}: index of shape {index.shape} is larger than the {name} of "
                             f"shape {tuple(limit)} in a dim other than {dim}")
    check_range(op, index, shape[dim], dim, shape)
    grids = list(np.ogrid[tuple(slice(n) for n in index.shape)])
    grids[dim] = index
    return tuple(grids)


def last_writes(shape, grids):
    """For scatter: the flat target position of every index element, and which index elements
    write last to their target (PyTorch leaves repeated targets unspecified; here the last
    one in row-major order wins)."""
    targets = np.ravel_multi_index(np.broadcast_arrays(*grids), shape, mode="wrap").ravel()
    _, first_from_end = np.unique(targets[::-1], return_index=True)
    return targets, len(targets) - 1 - first_from_end
