"""Inverse, determinant, linear solve and the Cholesky and QR factorizations of (batches of)
matrices, forward by LAPACK through numpy.linalg, backward per PyTorch's formulas written with
registered ops (so second derivatives work). Matrix dims are the last two; any leading dims
are a batch."""
import numpy as np

from ..function import Function, Sample, register
from .linalg_util import eye_like, lapack_errors, mT, pack, sym, tril_mask, unpack
from .movement import Cat


def well_conditioned(rng, shape):
    """Random entries in (-1, 1) plus n I: diagonally dominant, so invertible and tame."""
    n = shape[-1]
    return rng.uniform(-1, 1, shape) + n * np.eye(n, shape[-1])


def positive_definite(rng, shape):
    """X X^T + n I: symmetric positive definite."""
    x = rng.uniform(-1, 1, shape)
    return x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])


def tall(rng, shape):
    """A full-rank (m, n) matrix: random entries plus a dominant identity block."""
    return rng.uniform(-1, 1, shape) + 2 * np.eye(shape[-2], shape[-1])


def _np_cholesky(a):
    """L with A = L L^T, column by column (Cholesky-Banachiewicz), for each matrix."""
    out = np.zeros_like(a)
    for index in np.ndindex(a.shape[:-2]):
        m, L = a[index], out[index]
        for j in range(m.shape[0]):
            L[j, j] = np.sqrt(m[j, j] - L[j, :j] @ L[j, :j])
            L[j + 1:, j] = (m[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / L[j, j]
    return out


def _np_qr(a, mode):
    """Q, R by modified Gram-Schmidt (positive diagonal of R), packed like LinalgQR."""
    m, n = a.shape[-2:]
    k = min(m, n)
    qs, rs = np.zeros(a.shape[:-2] + (m, k)), np.zeros(a.shape[:-2] + (k, n))
    for index in np.ndindex(a.shape[:-2]):
        v = a[index][:, :k].copy()
        for j in range(k):
            for i in range(j):
                rs[index][i, j] = qs[index][:, i] @ v[:, j]
                v[:, j] -= rs[index][i, j] * qs[index][:, i]
            rs[index][j, j] = np.linalg.norm(v[:, j])
            qs[index][:, j] = v[:, j] / rs[index][j, j]
        rs[index][:, k:] = qs[index].T @ a[index][:, k:]
    return pack(a.shape[:-2], qs, rs)


def _torch_qr(torch, a, mode):
    q, r = torch.linalg.qr(a, mode=mode)
    signs = torch.sign(torch.diagonal(r, dim1=-2, dim2=-1)).detach()
    k = signs.shape[-1]
    q = torch.cat([q[..., :k] * signs.unsqueeze(-2), q[..., k:]], -1)
    r = torch.cat([r[..., :k, :] * signs.unsqueeze(-1), r[..., k:, :]], -2)
    return torch.cat([q.flatten(-2), r.flatten(-2)], -1)


@register("linalg_inv", samples=[Sample(((3, 3),), (well_conditioned,)),
                                 Sample(((2, 4, 4),), (well_conditioned,))],
          reference=lambda a: np.linalg.solve(a, np.broadcast_to(np.eye(a.shape[-1]), a.shape)),
          torch=lambda torch, a: torch.linalg.inv(a))
class LinalgInv(Function):
    """B = A^-1;  dA = -B^T g B^T"""
    saves_output = True

    def forward(ctx, a):
        with lapack_errors("linalg.inv", "singular"):
            return np.linalg.inv(a)

    def backward(ctx, g):
        b_t = mT(ctx.output)
        return -(b_t @ g @ b_t)


@register("linalg_det", samples=[Sample(((3, 3),), (well_conditioned,)),
                                 Sample(((2, 4, 4),), (well_conditioned,))],
          reference=lambda a: np.prod(np.linalg.eigvals(a), axis=-1).real,
          torch=lambda torch, a: torch.linalg.det(a))
class LinalgDet(Function):
    """d = det A;  dA = g d A^-T (so the matrix must be invertible for the gradient)"""
    saves_output = True

    def forward(ctx, a):
        return np.linalg.det(a)

    def backward(ctx, g):
        a = ctx.inputs[0]
        scale = (g * ctx.output).unsqueeze(-1).unsqueeze(-1)
        return scale * mT(LinalgInv.apply(a))


@register("linalg_slogdet", samples=[Sample(((3, 3),), (well_conditioned,)),
                                     Sample(((2, 4, 4),), (well_conditioned,))],
          reference=lambda a: np.stack([np.sign(np.linalg.det(a)),
                                        np.log(np.abs(np.linalg.det(a)))], -1),
          torch=lambda torch, a: torch.stack(torch.linalg.slogdet(a), -1))
class LinalgSlogdet(Function):
    """(sign, log|det A|) packed along a last dim of size 2;  d log|det A| / dA = A^-T,
    the sign is piecewise constant (gradient 0)"""
    def forward(ctx, a):
        sign, logabsdet = np.linalg.slogdet(a)
        return np.stack([sign, logabsdet], -1)

    def backward(ctx, g):
        a = ctx.inputs[0]
        return g[..., 1].unsqueeze(-1).unsqueeze(-1) * mT(LinalgInv.apply(a))


@register("linalg_solve", samples=[Sample(((3, 3), (3, 2)), (well_conditioned, "real")),
                                   Sample(((2, 4, 4), (4, 1)), (well_conditioned, "real")),
                                   Sample(((3, 3), (2, 3, 2)), (well_conditioned, "real"))],
          reference=lambda a, b: np.linalg.inv(a) @ b,
          torch=lambda torch, a, b: torch.linalg.solve(a, b))
class LinalgSolve(Function):
    """X = A^-1 B (B of shape (*, n, k), batch dims broadcast);  dB = A^-T g, dA = -dB X^T"""
    saves_output = True

    def forward(ctx, a, b):
        with lapack_errors("linalg.solve", "singular"):
            return np.linalg.solve(a, b)

    def backward(ctx, g):
        a, _ = ctx.inputs
        grad_b = LinalgSolve.apply(mT(a), g)
        need_a, need_b = ctx.needs_input_grad
        return (-(grad_b @ mT(ctx.output)) if need_a else None, grad_b if need_b else None)


@register("linalg_cholesky", samples=[Sample(((3, 3),), (positive_definite,)),
                                      Sample(((2, 4, 4),), (positive_definite,))],
          reference=lambda a: _np_cholesky(sym(a)),
          torch=lambda torch, a: torch.linalg.cholesky((a + a.mT) / 2))
class LinalgCholesky(Function):
    """L lower triangular with (A + A^T)/2 = L L^T (for a symmetric A: A = L L^T);
    dA = sym(L^-T Phi(L^T g) L^-1), Phi(X) = tril(X) with its diagonal halved"""
    saves_output = True

    def forward(ctx, a):
        with lapack_errors("linalg.cholesky", "not positive-definite"):
            return np.linalg.cholesky(sym(a))

    def backward(ctx, g):
        L = ctx.output
        n = L.shape[-1]
        half_diag = tril_mask(n, L.dtype, -1) + eye_like(L) * 0.5
        phi = (mT(L) @ g) * half_diag
        L_inv = LinalgInv.apply(L)
        grad = mT(L_inv) @ phi @ L_inv
        return (grad + mT(grad)) * 0.5


def _qr_square_backward(q, r, gq, gr):
    """A = Q R with R square: M = R gR^T - gQ^T Q, dA = (gQ + Q copyltu(M)) R^-T, where
    copyltu(M) copies M's lower triangle onto its upper one (Liao et al. 2019)."""
    k = r.shape[-1]
    m = r @ mT(gr) - mT(gq) @ q
    lower = m * tril_mask(k, m.dtype)
    copyltu = lower + mT(m * tril_mask(k, m.dtype, -1))
    return (gq + q @ copyltu) @ mT(LinalgInv.apply(r))


@register("linalg_qr", samples=[Sample(((4, 3),), (tall,), {"mode": "reduced"}),
                                Sample(((2, 3, 3),), (tall,), {"mode": "complete"}),
                                Sample(((3, 5),), (tall,), {"mode": "reduced"})],
          reference=_np_qr, torch=_torch_qr)
class LinalgQR(Function):
    """A = Q R, Q with orthonormal columns, R upper triangular with R_ii >= 0 (LAPACK's
    signs flipped so the factorization is unique), Q and R flattened and packed into one
    output. With k = min(m, n): 'reduced' Q is (m, k), R (k, n); 'complete' Q is (m, m),
    R (m, n). Backward for m >= n: _qr_square_backward; for m < n, A = [X | Y] with X = Q U
    square: dY = Q gV, dX = the square formula with gQ + Y gV^T."""
    saves_output = True

    def forward(ctx, a, mode):
        q, r = np.linalg.qr(a, mode=mode)
        k = min(a.shape[-2:])
        signs = np.where(np.diagonal(r, 0, -2, -1)[..., :k] < 0, -1.0, 1.0).astype(a.dtype)
        q[..., :k] *= signs[..., None, :]
        r[..., :k, :] *= signs[..., :, None]
        ctx.batch, ctx.mode, ctx.shapes = a.shape[:-2], mode, (q.shape[-2:], r.shape[-2:])
        return pack(ctx.batch, q, r)

    def backward(ctx, g):
        m, n = ctx.inputs[0].shape[-2:]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("linalg.qr: the QR decomposition is not differentiable when "
                               f"mode='complete' and nrows > ncols (here {m} > {n}); use "
                               "mode='reduced'")
        q, r = unpack(ctx.output, ctx.batch, *ctx.shapes)
        gq, gr = unpack(g, ctx.batch, *ctx.shapes)
        if m >= n:
            return _qr_square_backward(q, r, gq, gr)
        a = ctx.inputs[0]
        y, u, gu, gv = a[..., m:], r[..., :m], gr[..., :m], gr[..., m:]
        grad_x = _qr_square_backward(q, u, gq + y @ mT(gv), gu)
        return Cat.apply(grad_x, q @ gv, dim=a.ndim - 1)
