"""Eigendecomposition of symmetric matrices, singular value decomposition and the
pseudo-inverse, forward by LAPACK through numpy.linalg, backward per PyTorch's formulas written
with registered ops. Eigen- and singular vectors are unique only up to sign: here each
eigenvector (each left singular vector) has its largest-magnitude entry positive.

The gradients of eigenvectors and singular vectors divide by differences of eigenvalues
(squared singular values), so they need distinct ones, as in PyTorch."""
import numpy as np

from ..function import Function, Sample, register
from .linalg_util import diag_embed, eye_like, mT, pack, sym, unpack


def _spectrum_matrix(rng, shape, values):
    """Q diag(values) W^T with random orthogonal Q, W (W = Q when square and symmetric)."""
    m, n = shape[-2:]
    q = np.linalg.qr(rng.standard_normal(shape[:-2] + (m, m)))[0]
    w = np.linalg.qr(rng.standard_normal(shape[:-2] + (n, n)))[0]
    return q[..., :len(values)] * values @ np.swapaxes(w[..., :len(values)], -1, -2)


def symmetric_distinct(rng, shape):
    """A symmetric matrix with well-separated eigenvalues (-1.5, -0.5, 0.5, ... by 1)."""
    n = shape[-1]
    q = np.linalg.qr(rng.standard_normal(shape))[0]
    values = np.arange(n) - (n - 1) / 2 + 0.25
    return sym(q * values @ np.swapaxes(q, -1, -2))


def distinct_singular(rng, shape):
    """A matrix with well-separated singular values 1, 2, 3, ..."""
    return _spectrum_matrix(rng, shape, np.arange(1, min(shape[-2:]) + 1.0))


def _largest_entry_positive(vectors, axis):
    """+1 or -1 per vector (vectors run along `axis`): the sign of its largest |entry|."""
    index = np.expand_dims(np.abs(vectors).argmax(axis), axis)
    return np.sign(np.take_along_axis(vectors, index, axis))


def _np_eigh(a, UPLO="L"):
    """eigh from the general eigen solver: sorted eigenvalues, unit vectors, signs fixed."""
    values, vectors = np.linalg.eig(sym(a))
    order = np.argsort(values.real, -1)
    values = np.take_along_axis(values.real, order, -1)
    vectors = np.take_along_axis(vectors.real, order[..., None, :], -1)
    vectors = vectors / np.linalg.norm(vectors, axis=-2, keepdims=True)
    vectors = vectors * _largest_entry_positive(vectors, -2)
    return np.concatenate([values[..., None, :], vectors], -2)


def _torch_eigh(torch, a, UPLO="L"):
    values, vectors = torch.linalg.eigh((a + a.mT) / 2)
    signs = torch.from_numpy(_largest_entry_positive(vectors.detach().numpy(), -2))
    return torch.cat([values.unsqueeze(-2), vectors * signs], -2)


def _np_svd(a, full_matrices=False):
    """SVD from the eigenvectors of A^T A (V) and A V / s (U), packed like LinalgSVD."""
    values, v = np.linalg.eig(np.swapaxes(a, -1, -2) @ a)
    k = min(a.shape[-2:])
    order = np.argsort(-values.real, -1)[..., :k]
    s = np.sqrt(np.take_along_axis(values.real, order, -1))
    v = np.take_along_axis(v.real, order[..., None, :], -1)
    u = a @ v / s[..., None, :]
    signs = _largest_entry_positive(u, -2)
    return pack(a.shape[:-2], u * signs, s, np.swapaxes(v * signs, -1, -2))


def _torch_svd(torch, a, full_matrices=False):
    u, s, vh = torch.linalg.svd(a, full_matrices=full_matrices)
    k = s.shape[-1]
    signs = torch.from_numpy(_largest_entry_positive(u[..., :k].detach().numpy(), -2))
    u = torch.cat([u[..., :k] * signs, u[..., k:]], -1)
    vh = torch.cat([vh[..., :k, :] * signs.mT, vh[..., k:, :]], -2)
    return torch.cat([u.flatten(-2), s, vh.flatten(-2)], -1)


def _inverse_gaps(values):
    """F with F_ij = 1 / (values_j - values_i) off the diagonal and 0 on it."""
    gaps = values.unsqueeze(-2) - values.unsqueeze(-1)
    eye = eye_like(values)
    return (1 - eye) / (gaps + eye)


@register("linalg_eigh", samples=[Sample(((3, 3),), (symmetric_distinct,)),
                                  Sample(((2, 4, 4),), (symmetric_distinct,))],
          reference=_np_eigh, torch=_torch_eigh)
class LinalgEigh(Function):
    """(A + A^T)/2 = V diag(L) V^T, L ascending, packed as (..., n + 1, n): row 0 holds L,
    rows 1.. hold V;  dA = sym(V (diag(gL) + F o (V^T gV)) V^T), F_ij = 1/(L_j - L_i)"""
    saves_output = True

    def forward(ctx, a, UPLO="L"):
        values, vectors = np.linalg.eigh(sym(a), UPLO)
        vectors *= _largest_entry_positive(vectors, -2)
        return np.concatenate([values[..., None, :], vectors], -2)

    def backward(ctx, g):
        out = ctx.output
        values, vectors = out[..., 0, :], out[..., 1:, :]
        g_values, g_vectors = g[..., 0, :], g[..., 1:, :]
        inner = diag_embed(g_values) + _inverse_gaps(values) * (mT(vectors) @ g_vectors)
        grad = vectors @ inner @ mT(vectors)
        return (grad + mT(grad)) * 0.5


@register("linalg_eigvalsh", samples=[Sample(((3, 3),), (symmetric_distinct,)),
                                      Sample(((2, 4, 4),), (symmetric_distinct,))],
          reference=lambda a, UPLO="L": np.sort(np.linalg.eigvals(sym(a)).real, -1),
          torch=lambda torch, a, UPLO="L": torch.linalg.eigvalsh((a + a.mT) / 2))
class LinalgEigvalsh(Function):
    """The eigenvalues L of (A + A^T)/2, ascending;  dA = V diag(g) V^T (V from eigh)"""
    def forward(ctx, a, UPLO="L"):
        ctx.UPLO = UPLO
        return np.linalg.eigvalsh(sym(a), UPLO)

    def backward(ctx, g):
        vectors = LinalgEigh.apply(ctx.inputs[0], UPLO=ctx.UPLO)[..., 1:, :]
        return vectors @ diag_embed(g) @ mT(vectors)


@register("linalg_svd", samples=[Sample(((4, 3),), (distinct_singular,)),
                                 Sample(((2, 3, 5),), (distinct_singular,)),
                                 Sample(((3, 3),), (distinct_singular,))],
          reference=_np_svd, torch=_torch_svd)
class LinalgSVD(Function):
    """A = U diag(S) Vh, S descending, packed flat as [U, S, Vh] per matrix; with
    full_matrices=False U is (m, k), Vh (k, n), k = min(m, n) (with True, (m, m) and (n, n),
    of which the backward uses, like PyTorch, only the first k vectors). Backward (PyTorch's), with
    E_jk = S_k^2 - S_j^2, skew(X) = X - X^T, V = Vh^T:
      dA = U [ (skew(U^T gU) / E) S + S (skew(V^T gV) / E) + diag(gS) ] V^T
           + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T)"""
    saves_output = True

    def forward(ctx, a, full_matrices=False):
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        k = s.shape[-1]
        signs = _largest_entry_positive(u[..., :k], -2)
        u[..., :k] *= signs
        vh[..., :k, :] *= np.swapaxes(signs, -1, -2)
        ctx.batch, ctx.full = a.shape[:-2], full_matrices
        ctx.shapes = (u.shape[-2:], s.shape[-1:], vh.shape[-2:])
        return pack(ctx.batch, u, s, vh)

    def backward(ctx, g):
        m, n = ctx.inputs[0].shape[-2:]
        k = min(m, n)
        u, s, vh = unpack(ctx.output, ctx.batch, *ctx.shapes)
        gu, gs, gvh = unpack(g, ctx.batch, *ctx.shapes)
        if ctx.full and m != n:   # the extra vectors are not unique: only the first k count
            u, gu, vh, gvh = u[..., :k], gu[..., :k], vh[..., :k, :], gvh[..., :k, :]
        v, gv = mT(vh), mT(gvh)
        s_row = s.unsqueeze(-2)                       # multiplies the columns: X S
        inverse_gaps = _inverse_gaps(s * s)           # 1 / (S_k^2 - S_j^2), 0 on the diagonal
        uu, vv = mT(u) @ gu, mT(v) @ gv
        inner = ((uu - mT(uu)) * inverse_gaps * s_row + mT(s_row) * ((vv - mT(vv)) * inverse_gaps)
                 + diag_embed(gs))
        grad = u @ inner @ vh
        if m > n:
            grad = grad + (gu - u @ uu) * (1 / s_row) @ vh
        if n > m:
            grad = grad + u @ (mT(gv - v @ vv) * (1 / mT(s_row)))
        return grad


@register("linalg_svdvals", samples=[Sample(((4, 3),), (distinct_singular,)),
                                     Sample(((2, 3, 5),), (distinct_singular,))],
          reference=lambda a: np.sqrt(np.sort(np.linalg.eigvals(
              np.swapaxes(a, -1, -2) @ a).real, -1)[..., ::-1][..., :min(a.shape[-2:])]),
          torch=lambda torch, a: torch.linalg.svdvals(a))
class LinalgSvdvals(Function):
    """The singular values S of A, descending;  dA = U diag(g) Vh (U, Vh from svd)"""
    def forward(ctx, a):
        return np.linalg.svd(a, compute_uv=False)

    def backward(ctx, g):
        a = ctx.inputs[0]
        k = min(a.shape[-2:])
        shapes = ((a.shape[-2], k), (k,), (k, a.shape[-1]))
        u, _, vh = unpack(LinalgSVD.apply(a), a.shape[:-2], *shapes)
        return u @ diag_embed(g) @ vh


@register("linalg_pinv", samples=[Sample(((4, 3),), (distinct_singular,)),
                                  Sample(((2, 3, 5),), (distinct_singular,)),
                                  Sample(((3, 3),), (distinct_singular,))],
          reference=lambda a: np.linalg.lstsq(a, np.eye(a.shape[-2]), rcond=None)[0]
          if a.ndim == 2 else np.stack([np.linalg.lstsq(x, np.eye(a.shape[-2]), rcond=None)[0]
                                        for x in a]),
          torch=lambda torch, a: torch.linalg.pinv(a))
class LinalgPinv(Function):
    """P = A^+, the Moore-Penrose pseudo-inverse (singular values below
    max(m, n) eps S_max count as 0). For a constant rank (PyTorch's formula):
      dA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)"""
    saves_output = True

    def forward(ctx, a):
        return np.linalg.pinv(a)

    def backward(ctx, g):
        a, p = ctx.inputs[0], ctx.output
        p_t, g_t = mT(p), mT(g)
        left = eye_like(a, a.shape[-2]) - a @ p
        right = eye_like(a) - p @ a
        return -(p_t @ g @ p_t) + left @ g_t @ (p @ p_t) + (p_t @ p) @ g_t @ right
