"""Sliding-window kernels on NCHW arrays: im2col / col2im for convolution, max and average
pooling forward and backward. NumPy twins in `reference_nn.py`.

Convolution is a GEMM over unrolled windows (im2col):
    col[(c, i, j), (n, y, x)] = x_pad[n, c, y*sh + i, x*sw + j]
    out[n, o, y, x] = sum_k W[o, k] col[k, (n, y, x)]           (k = (c, i, j))
col2im is the adjoint of im2col (a scatter-add), so dx = col2im(W^T @ dout).
The public functions take float32/float64 arrays, make them contiguous, allocate `out`, and
call a prange loop (serial below `PARALLEL_MIN` elements, one thread per core above).
"""
import numpy as np
from numba import prange

from ._jit import kernel


def out_size(size, k, s, p):
    """Output length of a window of k with stride s over size + 2p: (size + 2p - k) // s + 1"""
    return (size + 2 * p - k) // s + 1


def _float(x):
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"kernels take float32 or float64 arrays, got {x.dtype}")
    return np.ascontiguousarray(x)


def _valid(o_size, size, k_off, s, p):
    """[lo, hi): the output positions o whose input o*s + k_off - p lies inside [0, size)."""
    lo = max(0, -((k_off - p) // s)) if k_off - p < 0 else 0
    hi = min(o_size, (size - 1 - k_off + p) // s + 1) if size - 1 - k_off + p >= 0 else 0
    return lo, max(lo, hi)


@kernel()
def _im2col(x, kh, kw, sh, sw, ph, pw, oh, ow, col):
    """col[(c, i, j), (n, y, x)] = x[n, c, y*sh + i - ph, x*sw + j - pw], 0 outside"""
    n_, c_, h_, w_ = x.shape
    zero = col.dtype.type(0)
    for k in prange(c_ * kh * kw):
        c, i, j = k // (kh * kw), (k // kw) % kh, k % kw
        x_lo, x_hi = _valid(ow, w_, j, sw, pw)
        for n in range(n_):
            for y in range(oh):
                row = (n * oh + y) * ow
                iy = y * sh + i - ph
                if iy < 0 or iy >= h_:
                    for xo in range(ow):
                        col[k, row + xo] = zero
                    continue
                for xo in range(x_lo):
                    col[k, row + xo] = zero
                for xo in range(x_lo, x_hi):
                    col[k, row + xo] = x[n, c, iy, xo * sw + j - pw]
                for xo in range(x_hi, ow):
                    col[k, row + xo] = zero


@kernel()
def _col2im(col, kh, kw, sh, sw, ph, pw, oh, ow, dx):
    """dx[n, c, y*sh + i - ph, x*sw + j - pw] += col[(c, i, j), (n, y, x)] (dx zeroed);
    one thread per sample n, so no two threads write the same element"""
    n_, c_, h_, w_ = dx.shape
    for n in prange(n_):
        for k in range(c_ * kh * kw):
            c, i, j = k // (kh * kw), (k // kw) % kh, k % kw
            x_lo, x_hi = _valid(ow, w_, j, sw, pw)
            for y in range(oh):
                iy = y * sh + i - ph
                if iy < 0 or iy >= h_:
                    continue
                row = (n * oh + y) * ow
                for xo in range(x_lo, x_hi):
                    dx[n, c, iy, xo * sw + j - pw] += col[k, row + xo]


_valid_jit = None  # set below: the helper compiled for use inside the loops


@kernel()
def _max_pool_fwd(x, kh, kw, sh, sw, ph, pw, out, idx):
    """out[p, y, x] = max over the window (padding is -inf); idx = flat position in x of the
    first maximum (NaN wins, as in PyTorch)"""
    p_, h_, w_ = x.shape
    _, oh, ow = out.shape
    for p in prange(p_):
        for y in range(oh):
            for xo in range(ow):
                best, where = -np.inf, -1
                for i in range(kh):
                    iy = y * sh + i - ph
                    if iy < 0 or iy >= h_:
                        continue
                    for j in range(kw):
                        ix = xo * sw + j - pw
                        if ix < 0 or ix >= w_:
                            continue
                        v = x[p, iy, ix]
                        if v > best or where < 0 or np.isnan(v):
                            best, where = v, iy * w_ + ix
                            if np.isnan(v):
                                break
                out[p, y, xo] = best
                idx[p, y, xo] = p * h_ * w_ + where


@kernel()
def _max_pool_bwd(g, idx, dx):
    """dx.flat[idx] += g (dx zeroed); plane p's indices all fall in plane p, so one thread
    per plane never races"""
    p_, oh, ow = g.shape
    for p in prange(p_):
        for y in range(oh):
            for xo in range(ow):
                dx[idx[p, y, xo]] += g[p, y, xo]


@kernel()
def _avg_pool_fwd(x, kh, kw, sh, sw, ph, pw, out):
    """out[p, y, x] = sum of the window / (kh*kw); padding counts as zeros"""
    p_, h_, w_ = x.shape
    _, oh, ow = out.shape
    scale = out.dtype.type(1.0 / (kh * kw))
    for p in prange(p_):
        for y in range(oh):
            for xo in range(ow):
                acc = out.dtype.type(0)
                for i in range(max(0, ph - y * sh), min(kh, h_ + ph - y * sh)):
                    iy = y * sh + i - ph
                    for j in range(max(0, pw - xo * sw), min(kw, w_ + pw - xo * sw)):
                        acc += x[p, iy, xo * sw + j - pw]
                out[p, y, xo] = acc * scale


@kernel()
def _avg_pool_bwd(g, kh, kw, sh, sw, ph, pw, dx):
    """dx[window] += g / (kh*kw) (dx zeroed): the adjoint of _avg_pool_fwd"""
    p_, oh, ow = g.shape
    _, h_, w_ = dx.shape
    scale = dx.dtype.type(1.0 / (kh * kw))
    for p in prange(p_):
        for y in range(oh):
            for xo in range(ow):
                share = g[p, y, xo] * scale
                for i in range(max(0, ph - y * sh), min(kh, h_ + ph - y * sh)):
                    iy = y * sh + i - ph
                    for j in range(max(0, pw - xo * sw), min(kw, w_ + pw - xo * sw)):
                        dx[p, iy, xo * sw + j - pw] += share


def im2col(x, kernel_size, stride, padding):
    """x (N, C, H, W) -> col (C*KH*KW, N*OH*OW)"""
    x = _float(x)
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    oh, ow = out_size(x.shape[2], kh, sh, ph), out_size(x.shape[3], kw, sw, pw)
    col = np.empty((x.shape[1] * kh * kw, x.shape[0] * oh * ow), dtype=x.dtype)
    _im2col(x, kh, kw, sh, sw, ph, pw, oh, ow, col)
    return col


def col2im(col, x_shape, kernel_size, stride, padding):
    """The adjoint of im2col: col (C*KH*KW, N*OH*OW) -> dx of shape x_shape (N, C, H, W)"""
    col = _float(col)
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    oh, ow = out_size(x_shape[2], kh, sh, ph), out_size(x_shape[3], kw, sw, pw)
    dx = np.zeros(x_shape, dtype=col.dtype)
    _col2im(col, kh, kw, sh, sw, ph, pw, oh, ow, dx)
    return dx


def _planes(x):
    return _float(x).reshape(-1, x.shape[-2], x.shape[-1])


def max_pool_fwd(x, kernel_size, stride, padding):
    """x (N, C, H, W) -> (out (N, C, OH, OW), idx: flat position in x of each maximum)"""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    oh, ow = out_size(x.shape[2], kh, sh, ph), out_size(x.shape[3], kw, sw, pw)
    planes = _planes(x)
    out = np.empty((planes.shape[0], oh, ow), dtype=x.dtype)
    idx = np.empty((planes.shape[0], oh, ow), dtype=np.int64)
    _max_pool_fwd(planes, kh, kw, sh, sw, ph, pw, out, idx)
    shape = x.shape[:2] + (oh, ow)
    return out.reshape(shape), idx.reshape(shape)


def max_pool_bwd(g, idx, x_shape):
    """dx (x_shape) with g added at the flat positions idx (repeated positions accumulate)"""
    g = _planes(g)
    dx = np.zeros(int(np.prod(x_shape)), dtype=g.dtype)
    _max_pool_bwd(g, np.ascontiguousarray(idx).reshape(g.shape), dx)
    return dx.reshape(x_shape)


def avg_pool_fwd(x, kernel_size, stride, padding):
    """x (N, C, H, W) -> window means (N, C, OH, OW), divisor KH*KW (padding included)"""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    oh, ow = out_size(x.shape[2], kh, sh, ph), out_size(x.shape[3], kw, sw, pw)
    planes = _planes(x)
    out = np.empty((planes.shape[0], oh, ow), dtype=x.dtype)
    _avg_pool_fwd(planes, kh, kw, sh, sw, ph, pw, out)
    return out.reshape(x.shape[:2] + (oh, ow))


def avg_pool_bwd(g, x_shape, kernel_size, stride, padding):
    """The adjoint of avg_pool_fwd: each g spread evenly over its window, dx of x_shape"""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    g3 = _planes(g)
    dx = np.zeros((g3.shape[0],) + tuple(x_shape[2:]), dtype=g3.dtype)
    _avg_pool_bwd(g3, kh, kw, sh, sw, ph, pw, dx)
    return dx.reshape(x_shape)


KERNELS = {"im2col": im2col, "col2im": col2im, "max_pool_fwd": max_pool_fwd,
           "max_pool_bwd": max_pool_bwd, "avg_pool_fwd": avg_pool_fwd,
           "avg_pool_bwd": avg_pool_bwd}
