"""The input checks of the kernels, written once.

A Numba kernel is compiled for float32 and float64 and reads its arrays as C-contiguous
memory; it cannot raise a readable error about what it was given. So each public kernel
function first passes its arrays through one of these: a wrong dtype raises TypeError, a
wrong shape or layout ValueError, naming what was expected and what came.
"""
import numpy as np

FLOATS = (np.float32, np.float64)


def check_float(*arrays, same_shape=False):
    """Raise unless all arrays have one dtype, float32 or float64 (and, with same_shape,
    the first array's shape)."""
    first = arrays[0]
    if first.dtype not in FLOATS or any(a.dtype != first.dtype for a in arrays):
        raise TypeError(f"kernels take float32 or float64 arrays of one dtype, got "
                        f"{[str(a.dtype) for a in arrays]}")
    if same_shape and any(a.shape != first.shape for a in arrays):
        raise ValueError(f"kernels take arrays of one shape, got {[a.shape for a in arrays]}")


def contiguous(a, axes=None, kind="kernels"):
    """a, checked to be float32 or float64 and made C-contiguous (copied only if strided);
    axes (e.g. "(N, C, M)") names the layout it must have: as many dimensions as names."""
    check_float(a)
    if axes is not None and a.ndim != len(axes.split(",")):
        raise ValueError(f"{kind} take {axes} arrays, got shape {a.shape}")
    return np.ascontiguousarray(a)


def flat(*arrays):
    """Contiguous 1-D views of same-shape, same-dtype float arrays (copies only if strided)."""
    check_float(*arrays, same_shape=True)
    return [np.ascontiguousarray(a).reshape(-1) for a in arrays]


def flat_views(*arrays):
    """1-D views of C-contiguous arrays, for kernels that update arrays in place (a kernel
    writing into a copy would be lost)."""
    for a in arrays:
        if not a.flags.c_contiguous:
            raise ValueError(f"in-place kernels need C-contiguous arrays, got strides "
                             f"{a.strides}")
    return [a.reshape(-1) for a in arrays]
