"""Helpers shared by the linear-algebra ops: matrix transpose, masks and identities as
constants, packing several results into one output array, and LAPACK's errors turned into
`LinAlgError`s that name the op."""
import contextlib

import numpy as np

from ..errors import LinAlgError, ShapeError
from ..function import constant


def mT(x):
    """The transpose of each matrix in a batch (dims -2 and -1 swapped)."""
    return x.transpose(-1, -2)


def eye_like(x, n=None):
    """The n x n identity (n = x's last dim by default) as a constant of x's dtype."""
    return constant(np.eye(x.shape[-1] if n is None else n, dtype=x.dtype))


def tril_mask(n, dtype, diagonal=0):
    """1 on and below the `diagonal`-th diagonal of an n x n matrix, else 0: X * mask = tril(X)."""
    return constant(np.tril(np.ones((n, n), dtype), diagonal))


def diag_embed(v):
    """(..., n) -> (..., n, n) with v on the diagonal."""
    return v.unsqueeze(-1) * eye_like(v)


def diagonal(x):
    """(..., n, n) -> (..., n): the diagonal of each matrix."""
    return (x * eye_like(x)).sum(-1)


def sym(a):
    """(A + A^T) / 2, the symmetric part (A itself, bit for bit, when A is symmetric)."""
    return (a + np.swapaxes(a, -1, -2)) * 0.5


def pack(batch, *arrays):
    """Several results of one decomposition as one array (batch..., total): each flattened
    over its matrix dims and concatenated, so the op has a single output."""
    return np.concatenate([a.reshape(batch + (-1,)) for a in arrays], axis=-1)


def unpack(t, batch, *shapes):
    """The Tensors that `pack` put into `t`, with their shapes (matrix dims only) restored."""
    pieces, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        pieces.append(t[..., start:start + size].reshape(batch + tuple(shape)))
        start += size
    return pieces


def check_square(op, a):
    """Raise unless `a` is a batch of square matrices (shape (*, n, n))."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{op}: expected a batch of square matrices of shape (*, n, n), "
                         f"got shape {tuple(a.shape)}")


def check_matrix(op, a):
    """Raise unless `a` is a batch of matrices (at least 2 dims) of floating point numbers."""
    if a.ndim < 2:
        raise ShapeError(f"{op}: expected a (batch of) matrices of shape (*, m, n), got shape "
                         f"{tuple(a.shape)}")
    if a.dtype not in (np.float32, np.float64):   # LAPACK has no float16, nor has PyTorch's
        raise TypeError(f"{op}: expected a floating point input (float32 or float64), got "
                        f"{a.dtype}" + (" (low precision dtypes are not supported; use "
                                        ".float())" if a.dtype == np.float16 else ""))


@contextlib.contextmanager
def lapack_errors(op, what):
    """Turn NumPy's LinAlgError inside the block into ours, naming the op and saying `what`
    is wrong with the input (e.g. "singular")."""
    try:
        yield
    except np.linalg.LinAlgError as e:
        raise LinAlgError(f"{op}: the input matrix is {what} (LAPACK: {e})") from None
