"""tl.linalg, spelled like torch.linalg: norms, inverse, determinant, solve, Cholesky, QR,
symmetric eigendecomposition, SVD, pseudo-inverse, cross product and matrix powers, each over
the last two dims (leading dims are a batch) and differentiable.

    A = tl.randn(3, 3, dtype=tl.float64) + 3 * tl.eye(3, dtype=tl.float64)
    b = tl.randn(3, dtype=tl.float64)
    x = tl.linalg.solve(A, b)            # A x = b
    L = tl.linalg.cholesky(A @ A.mT)     # A A^T = L L^T

Unique answers where LAPACK's are only unique up to sign: R of qr has a non-negative diagonal,
and each eigenvector of eigh and left singular vector of svd has its largest |entry| positive
(PyTorch may return some of them negated; both are correct)."""
import numbers
from collections import namedtuple

import numpy as np

from .errors import LinAlgError, ShapeError
from .function import constant
from .functional import stack
from .ops.linalg_decomp import (LinalgCholesky, LinalgDet, LinalgInv, LinalgQR, LinalgSlogdet,
                                LinalgSolve)
from .ops.linalg_spectral import LinalgEigh, LinalgEigvalsh, LinalgPinv, LinalgSVD, LinalgSvdvals
from .ops.linalg_util import check_matrix, check_square, mT, unpack

__all__ = ["LinAlgError", "cholesky", "cross", "det", "eigh", "eigvalsh", "inv", "matrix_norm",
           "matrix_power", "norm", "pinv", "qr", "slogdet", "solve", "svd", "svdvals",
           "vector_norm"]

SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
QRResult = namedtuple("QRResult", ["Q", "R"])
EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])
TorchSVDResult = namedtuple("TorchSVDResult", ["U", "S", "V"])


def _square(op, A):
    check_matrix(op, A)
    check_square(op, A)


def _symmetric_from(A, UPLO, op):
    """A whose other triangle is replaced by the mirror of the `UPLO` one ('L' lower, 'U'
    upper), as LAPACK reads it. The change is a constant shift, so the gradient is PyTorch's
    symmetric one; a symmetric A comes back unchanged."""
    if UPLO not in ("L", "U"):
        raise ValueError(f"{op}: UPLO must be 'L' or 'U', got {UPLO!r}")
    a = A._data
    if np.array_equal(a, np.swapaxes(a, -1, -2)):
        return A
    triangle = np.tril(a) if UPLO == "L" else np.triu(a)
    mirrored = triangle + np.swapaxes(triangle, -1, -2) - a * np.eye(a.shape[-1], dtype=a.dtype)
    return A + constant(mirrored - a)


# ---- inverse, determinant, solve ---------------------------------------------------------
def inv(A):
    """A^-1 for each square matrix; raises LinAlgError for a singular one."""
    _square("linalg.inv", A)
    return LinalgInv.apply(A)


def det(A):
    """det A for each square matrix (its gradient needs an invertible A)."""
    _square("linalg.det", A)
    return LinalgDet.apply(A)


def slogdet(A):
    """(sign, log|det A|): the determinant without overflow; det A = sign * exp(logabsdet)."""
    _square("linalg.slogdet", A)
    packed = LinalgSlogdet.apply(A)
    return SlogdetResult(packed[..., 0], packed[..., 1])


def solve(A, B, *, left=True):
    """X with A X = B (left=True) or X A = B (left=False); B is a batch of vectors (*, n) or
    of matrices (*, n, k), batch dims broadcast. Raises LinAlgError for a singular A."""
    _square("linalg.solve", A)
    if left and (B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])):
        return LinalgSolve.apply(A, B.unsqueeze(-1)).squeeze(-1)  # a batch of vectors
    side = -2 if left else -1
    if B.ndim < 2 or B.shape[side] != A.shape[-1]:
        raise ShapeError(f"linalg.solve: A of shape {tuple(A.shape)} and B of shape "
                         f"{tuple(B.shape)} do not fit: with left={left} B needs "
                         f"{A.shape[-1]} {'rows' if left else 'columns'} (or, for left=True, "
                         f"B may be a vector of shape {tuple(A.shape[:-1])})")
    if left:
        return LinalgSolve.apply(A, B)
    return mT(LinalgSolve.apply(mT(A), mT(B)))          # X A = B  <=>  A^T X^T = B^T


def matrix_power(A, n):
    """A^n by repeated squaring; n = 0 gives the identity, n < 0 the power of A^-1."""
    _square("linalg.matrix_power", A)
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {n!r}")
    if n == 0:
        return constant(np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape).copy())
    base, n = (inv(A), -n) if n < 0 else (A, n)
    result = None
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


# ---- factorizations ----------------------------------------------------------------------
def cholesky(A, *, upper=False):
    """L lower triangular with A = L L^T (upper=True: U = L^T with A = U^T U), for symmetric
    positive-definite A; only the lower triangle of A is read. Raises LinAlgError when A is
    not positive definite."""
    _square("linalg.cholesky", A)
    L = LinalgCholesky.apply(_symmetric_from(A, "L", "linalg.cholesky"))
    return mT(L) if upper else L


def qr(A, mode="reduced"):
    """(Q, R) with A = Q R. mode 'reduced': Q (m, k), R (k, n), k = min(m, n); 'complete':
    Q (m, m), R (m, n); 'r': only R (Q is an empty tensor)."""
    check_matrix("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    m, n = A.shape[-2:]
    q_cols = m if mode == "complete" else min(m, n)
    shapes = ((m, q_cols), (q_cols, n))
    q, r = unpack(LinalgQR.apply(A, mode="reduced" if mode == "r" else mode),
                  A.shape[:-2], *shapes)
    if mode == "r":
        return QRResult(constant(np.empty(0, A.dtype)), r)
    return QRResult(q, r)


def eigh(A, UPLO="L"):
    """(eigenvalues ascending, eigenvectors as columns) of symmetric A = V diag(L) V^T,
    reading the `UPLO` triangle. Gradients of the eigenvectors need distinct eigenvalues."""
    _square("linalg.eigh", A)
    packed = LinalgEigh.apply(_symmetric_from(A, UPLO, "linalg.eigh"), UPLO=UPLO)
    return EighResult(packed[..., 0, :], packed[..., 1:, :])


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of symmetric A, ascending (reading the `UPLO` triangle)."""
    _square("linalg.eigvalsh", A)
    return LinalgEigvalsh.apply(_symmetric_from(A, UPLO, "linalg.eigvalsh"), UPLO=UPLO)


def svd(A, full_matrices=True):
    """(U, S, Vh) with A = U diag(S) Vh, S descending. full_matrices=True: U (m, m), Vh (n, n);
    False: U (m, k), Vh (k, n), k = min(m, n). Gradients of U and Vh need distinct S."""
    check_matrix("linalg.svd", A)
    m, n = A.shape[-2:]
    k = min(m, n)
    shapes = ((m, m), (k,), (n, n)) if full_matrices else ((m, k), (k,), (k, n))
    return SVDResult(*unpack(LinalgSVD.apply(A, full_matrices=bool(full_matrices)),
                             A.shape[:-2], *shapes))


def svdvals(A):
    """The singular values of A, descending."""
    check_matrix("linalg.svdvals", A)
    return LinalgSvdvals.apply(A)


def pinv(A):
    """The Moore-Penrose pseudo-inverse A^+ (n, m) of A (m, n); singular values below
    max(m, n) * eps * largest count as zero."""
    check_matrix("linalg.pinv", A)
    return LinalgPinv.apply(A)


# ---- products ----------------------------------------------------------------------------
def cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along `dim` (size 3), batch dims broadcast:
    (a x b) = (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0)."""
    if input.ndim != other.ndim:
        raise ShapeError(f"linalg.cross: inputs must have the same number of dims, got shapes "
                         f"{tuple(input.shape)} and {tuple(other.shape)}")
    shape = tuple(np.broadcast_shapes(input.shape, other.shape))
    if not -len(shape) <= dim < len(shape) or shape[dim] != 3:
        raise ShapeError(f"linalg.cross: dim {dim} of the broadcast shape {shape} (inputs "
                         f"{tuple(input.shape)} and {tuple(other.shape)}) must have size 3")
    a, b = input.expand(*shape).unbind(dim), other.expand(*shape).unbind(dim)
    return stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                  a[0] * b[1] - a[1] * b[0]], dim)


def _cross(input, other, dim=None):
    """torch.cross: dim=None means the first dim of size 3 (of the broadcast shape)."""
    if dim is None:
        shape = tuple(np.broadcast_shapes(input.shape, other.shape))
        dim = next((d for d, size in enumerate(shape) if size == 3), -1)
    return cross(input, other, dim=dim)


def _svd(input, some=True, compute_uv=True):
    """torch.svd: (U, S, V) with V = Vh^T, reduced when some=True; compute_uv=False gives
    zero U (m, m) and V (n, n)."""
    if not compute_uv:
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        return TorchSVDResult(constant(np.zeros(batch + (m, m), input.dtype)), svdvals(input),
                              constant(np.zeros(batch + (n, n), input.dtype)))
    U, S, Vh = svd(input, full_matrices=not some)
    return TorchSVDResult(U, S, mT(Vh))


# ---- norms -------------------------------------------------------------------------------
def _dims(x, dim, op):
    """dim (None = all, an int or a tuple) as a tuple of non-negative ints."""
    dims = range(x.ndim) if dim is None else (dim,) if isinstance(dim, numbers.Integral) \
        else dim
    return tuple(x._dim(d, op) for d in dims)


def vector_norm(x, ord=2, dim=None, keepdim=False):
    """(sum |x|^ord)^(1/ord) over `dim` (all dims by default); ord=inf: max |x|, -inf: min |x|,
    0: the number of non-zero entries (gradient 0)."""
    if isinstance(ord, str) or not isinstance(ord, numbers.Real):
        raise ValueError(f"linalg.vector_norm: ord must be a number (including inf, -inf, 0), "
                         f"got {ord!r}")
    if x.dtype.kind != "f":
        raise TypeError(f"linalg.vector_norm: expected a floating point input, got {x.dtype}")
    dims = _dims(x, dim, "linalg.vector_norm")
    if ord == float("inf"):
        return x.abs().amax(dims, keepdim)
    if ord == -float("inf"):
        return x.abs().amin(dims, keepdim)
    if ord == 0:
        return x.sign().abs().sum(dims, keepdim)        # counts the non-zeros; gradient 0
    total = (x * x).sum(dims, keepdim) if ord == 2 else x.abs().pow(ord).sum(dims, keepdim)
    zero = total._data == 0
    if ord < 0 or not zero.any():
        return total.sqrt() if ord == 2 else total.pow(1.0 / ord)
    # A zero vector: its norm 0 gets gradient 0 (PyTorch's choice), not 0 * inf = NaN, by
    # taking the root of 1 there and multiplying by 0.
    safe = total + constant(zero.astype(total.dtype))
    root = safe.sqrt() if ord == 2 else safe.pow(1.0 / ord)
    return root * constant((~zero).astype(total.dtype))


MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, float("inf"), -float("inf"))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False):
    """A matrix norm over the two dims `dim`: 'fro' sqrt(sum a_ij^2), 'nuc' sum of singular
    values, 2 / -2 the largest / smallest singular value, 1 / -1 the max / min column sum of
    |a_ij|, inf / -inf the max / min row sum."""
    if ord not in MATRIX_ORDS:
        raise ValueError(f"linalg.matrix_norm: ord must be one of {MATRIX_ORDS}, got {ord!r}")
    if A.ndim < 2:
        raise ShapeError(f"linalg.matrix_norm: expected a (batch of) matrices, got shape "
                         f"{tuple(A.shape)}")
    rows, cols = _dims(A, dim, "linalg.matrix_norm")
    if rows == cols:
        raise ValueError(f"linalg.matrix_norm: dim must name two different dims, got {dim}")
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        rest = [d for d in range(A.ndim) if d not in (rows, cols)]
        values = svdvals(A.permute(*rest, rows, cols))
        out = values.sum(-1) if ord == "nuc" else values[..., 0] if ord == 2 else values[..., -1]
        for d in sorted((rows, cols)) if keepdim else ():
            out = out.unsqueeze(d)
        return out
    inner, outer = (rows, cols) if abs(ord) == 1 else (cols, rows)   # 1: max column sum
    sums = A.abs().sum(inner, keepdim=True)
    out = sums.amax(outer, keepdim=True) if ord > 0 else sums.amin(outer, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def norm(A, ord=None, dim=None, keepdim=False):
    """torch.linalg.norm: a vector norm when `dim` is an int (or A is 1-D), a matrix norm when
    `dim` is a pair (or A is 2-D and ord is given); ord=None and dim=None: the 2-norm of all
    entries."""
    if dim is None and ord is None:
        return vector_norm(A, 2, None, keepdim)
    if dim is None:
        if A.ndim not in (1, 2):
            raise ValueError(f"linalg.norm: with ord={ord!r} and dim=None the input must be 1-D "
                             f"or 2-D, got shape {tuple(A.shape)}; pass dim")
        dim = 0 if A.ndim == 1 else (0, 1)
    if isinstance(dim, numbers.Integral) or len(dim) == 1:
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim)
    if len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim)
    raise ValueError(f"linalg.norm: dim must be an int, a pair of ints or None, got {dim!r}")
