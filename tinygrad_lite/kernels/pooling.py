"""Pooling kernels on NCHW arrays, seen as a stack of planes (N*C, H, W): max and average
pooling with PyTorch's options (dilation, ceil_mode, count_include_pad, divisor_override),
adaptive max and average pooling, and their backward passes. NumPy twins in
`reference_pool.py`.

Max pooling records, for each output, the flat position in x of its window's maximum; the
backward (shared by the sliding and the adaptive versions) adds g at those positions.
The usual MaxPool2d(2) (2x2 windows, no padding or dilation) has its own loop with the four
taps written out: the general loop's tiny loops over the taps, whose lengths Numba only knows
at run time, cost 12 ns per output, the written-out taps 1-4 ns (float32, 32x16x32x32).
"""
import numpy as np
from numba import prange

from ._checks import contiguous
from ._jit import kernel, njit
from .geometry import out_size
from .thresholds import POOL_PARALLEL_MIN


@njit()
def _max_pool_fwd(x, kh, kw, sh, sw, ph, pw, dh, dw, out, idx):
    """out[p, y, x] = max over the taps (y*sh + i*dh - ph, x*sw + j*dw - pw) that fall inside
    the input (padding is -inf); idx = flat position in x of the first maximum (a NaN wins,
    as in PyTorch)"""
    p_, h_, w_ = x.shape
    _, oh, ow = out.shape
    for p in range(p_):
        for y in range(oh):
            for xo in range(ow):
                best, where = -np.inf, -1
                for i in range(kh):
                    iy = y * sh + i * dh - ph
                    if iy < 0 or iy >= h_:
                        continue
                    for j in range(kw):
                        ix = xo * sw + j * dw - pw
                        if ix < 0 or ix >= w_:
                            continue
                        v = x[p, iy, ix]
                        if v > best or where < 0 or np.isnan(v):
                            best, where = v, iy * w_ + ix
                out[p, y, xo] = best
                idx[p, y, xo] = p * h_ * w_ + where


@njit()
def _larger(v, pos, best, where):
    """(v, pos) if v beats best or is NaN (a NaN wins, as in PyTorch), else (best, where);
    written with selects, not branches, which random data would mispredict half the time"""
    take = (v > best) | (v != v)
    return (v if take else best), (pos if take else where)


@kernel(parallel_min=POOL_PARALLEL_MIN)
def _max_pool_2x2_fwd(x, sh, sw, out, idx):
    """_max_pool_fwd for 2x2 windows inside x (no padding, no dilation): out[p, y, x] = max
    of x[p, y*sh + i, x*sw + j] over i, j in {0, 1}, idx its flat position in x"""
    p_, h_, w_ = x.shape
    _, oh, ow = out.shape
    for p in prange(p_):
        for y in range(oh):
            iy = y * sh
            for xo in range(ow):
                ix = xo * sw
                corner = (p * h_ + iy) * w_ + ix
                best, where = x[p, iy, ix], corner
                best, where = _larger(x[p, iy, ix + 1], corner + 1, best, where)
                best, where = _larger(x[p, iy + 1, ix], corner + w_, best, where)
                best, where = _larger(x[p, iy + 1, ix + 1], corner + w_ + 1, best, where)
                out[p, y, xo], idx[p, y, xo] = best, where


@njit()
def _max_pool_bwd(g, idx, dx):
    """dx.flat[idx] += g (dx zeroed)"""
    p_, oh, ow = g.shape
    for p in range(p_):
        for y in range(oh):
            for xo in range(ow):
                dx[idx[p, y, xo]] += g[p, y, xo]


@njit()
def _avg_window(y, s, p, k, size):
    """(first, end, padded length) of an average-pooling window along one axis: it covers
    [y*s - p, min(y*s - p + k, size + p)) of the padded axis, clipped to the input [0, size)"""
    start = y * s - p
    end = min(start + k, size + p)
    return max(start, 0), min(end, size), end - start


@njit()
def _avg_pool_fwd(x, kh, kw, sh, sw, ph, pw, count_include_pad, divisor_override, out):
    """out[p, y, x] = sum of the window / divisor; divisor = divisor_override if nonzero, else
    the window's size counting padding (count_include_pad) or only the input positions"""
    p_, h_, w_ = x.shape
    _, oh, ow = out.shape
    for y in range(oh):
        y0, y1, pool_h = _avg_window(y, sh, ph, kh, h_)
        for xo in range(ow):
            x0, x1, pool_w = _avg_window(xo, sw, pw, kw, w_)
            divisor = (divisor_override if divisor_override else
                       pool_h * pool_w if count_include_pad else (y1 - y0) * (x1 - x0))
            scale = out.dtype.type(1.0 / divisor)
            for p in range(p_):
                acc = out.dtype.type(0)
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        acc += x[p, iy, ix]
                out[p, y, xo] = acc * scale


@njit()
def _avg_pool_bwd(g, kh, kw, sh, sw, ph, pw, count_include_pad, divisor_override, dx):
    """dx[window] += g / divisor (dx zeroed): the adjoint of _avg_pool_fwd"""
    p_, oh, ow = g.shape
    _, h_, w_ = dx.shape
    for y in range(oh):
        y0, y1, pool_h = _avg_window(y, sh, ph, kh, h_)
        for xo in range(ow):
            x0, x1, pool_w = _avg_window(xo, sw, pw, kw, w_)
            divisor = (divisor_override if divisor_override else
                       pool_h * pool_w if count_include_pad else (y1 - y0) * (x1 - x0))
            scale = dx.dtype.type(1.0 / divisor)
            for p in range(p_):
                share = g[p, y, xo] * scale
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        dx[p, iy, ix] += share


@njit()
def _adaptive_window(y, size, out):
    """[floor(y size / out), ceil((y + 1) size / out)): adaptive window y of `out` windows"""
    return y * size // out, -(-(y + 1) * size // out)


@njit()
def _adaptive_max_fwd(x, out, idx):
    """out[p, y, x] = max over rows [y*H // OH, ceil((y+1)*H / OH)) and the same for columns;
    idx = flat position in x of the first maximum (a NaN wins)"""
    p_, h_, w_ = x.shape
    _, oh, ow = out.shape
    for p in range(p_):
        for y in range(oh):
            y0, y1 = _adaptive_window(y, h_, oh)
            for xo in range(ow):
                x0, x1 = _adaptive_window(xo, w_, ow)
                best, where = -np.inf, -1
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        v = x[p, iy, ix]
                        if v > best or where < 0 or np.isnan(v):
                            best, where = v, iy * w_ + ix
                out[p, y, xo] = best
                idx[p, y, xo] = p * h_ * w_ + where


@njit()
def _adaptive_avg_fwd(x, out):
    """out[p, y, x] = mean over rows [y*H // OH, ceil((y+1)*H / OH)) and the same columns"""
    p_, h_, w_ = x.shape
    _, oh, ow = out.shape
    for y in range(oh):
        y0, y1 = _adaptive_window(y, h_, oh)
        for xo in range(ow):
            x0, x1 = _adaptive_window(xo, w_, ow)
            scale = out.dtype.type(1.0 / ((y1 - y0) * (x1 - x0)))
            for p in range(p_):
                acc = out.dtype.type(0)
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        acc += x[p, iy, ix]
                out[p, y, xo] = acc * scale


@njit()
def _adaptive_avg_bwd(g, dx):
    """dx[window] += g / window size (dx zeroed): the adjoint of _adaptive_avg_fwd"""
    p_, oh, ow = g.shape
    _, h_, w_ = dx.shape
    for y in range(oh):
        y0, y1 = _adaptive_window(y, h_, oh)
        for xo in range(ow):
            x0, x1 = _adaptive_window(xo, w_, ow)
            scale = dx.dtype.type(1.0 / ((y1 - y0) * (x1 - x0)))
            for p in range(p_):
                share = g[p, y, xo] * scale
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        dx[p, iy, ix] += share


def _planes(x):
    """x (..., H, W) as a contiguous stack of planes (P, H, W)"""
    return contiguous(x).reshape(-1, x.shape[-2], x.shape[-1])


def _out_hw(shape, kernel_size, stride, padding, dilation, ceil_mode):
    return tuple(out_size(shape[2 + d], kernel_size[d], stride[d], padding[d],
                               dilation[d], ceil_mode) for d in range(2))


def max_pool_fwd(x, kernel_size, stride, padding, dilation, ceil_mode):
    """x (N, C, H, W) -> (out (N, C, OH, OW), idx: flat position in x of each maximum)"""
    oh, ow = _out_hw(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    planes = _planes(x)
    out = np.empty((planes.shape[0], oh, ow), dtype=x.dtype)
    idx = np.empty((planes.shape[0], oh, ow), dtype=np.int64)
    (sh, sw) = stride
    inside = (oh - 1) * sh + 2 <= x.shape[2] and (ow - 1) * sw + 2 <= x.shape[3]
    if tuple(kernel_size) == (2, 2) and not any(padding) and tuple(dilation) == (1, 1) and inside:
        _max_pool_2x2_fwd(planes, sh, sw, out, idx)
    else:
        _max_pool_fwd(planes, *kernel_size, *stride, *padding, *dilation, out, idx)
    shape = x.shape[:2] + (oh, ow)
    return out.reshape(shape), idx.reshape(shape)


def max_pool_bwd(g, index, input_shape):
    """dx (input_shape) with g added at the flat positions `index` (repeated ones accumulate)"""
    g = _planes(g)
    dx = np.zeros(int(np.prod(input_shape)), dtype=g.dtype)
    _max_pool_bwd(g, np.ascontiguousarray(index).reshape(g.shape), dx)
    return dx.reshape(input_shape)


def avg_pool_fwd(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override):
    """x (N, C, H, W) -> window means (N, C, OH, OW); divisor_override None means the
    window size (with or without the padding, per count_include_pad)"""
    oh, ow = _out_hw(x.shape, kernel_size, stride, padding, (1, 1), ceil_mode)
    planes = _planes(x)
    out = np.empty((planes.shape[0], oh, ow), dtype=x.dtype)
    _avg_pool_fwd(planes, *kernel_size, *stride, *padding, bool(count_include_pad),
                  int(divisor_override or 0), out)
    return out.reshape(x.shape[:2] + (oh, ow))


def avg_pool_bwd(g, input_shape, kernel_size, stride, padding, count_include_pad,
                 divisor_override):
    """The adjoint of avg_pool_fwd: each g spread evenly over its window, dx of input_shape
    (the output size is g's, so ceil_mode needs no argument here)"""
    g3 = _planes(g)
    dx = np.zeros((g3.shape[0],) + tuple(input_shape[2:]), dtype=g3.dtype)
    _avg_pool_bwd(g3, *kernel_size, *stride, *padding, bool(count_include_pad),
                  int(divisor_override or 0), dx)
    return dx.reshape(input_shape)


def adaptive_max_pool_fwd(x, output_size):
    """x (N, C, H, W) -> (out (N, C, OH, OW), idx: flat position in x of each maximum)"""
    planes = _planes(x)
    out = np.empty((planes.shape[0],) + tuple(output_size), dtype=x.dtype)
    idx = np.empty(out.shape, dtype=np.int64)
    _adaptive_max_fwd(planes, out, idx)
    shape = x.shape[:2] + tuple(output_size)
    return out.reshape(shape), idx.reshape(shape)


def adaptive_avg_pool_fwd(x, output_size):
    """x (N, C, H, W) -> adaptive window means (N, C, OH, OW)"""
    planes = _planes(x)
    out = np.empty((planes.shape[0],) + tuple(output_size), dtype=x.dtype)
    _adaptive_avg_fwd(planes, out)
    return out.reshape(x.shape[:2] + tuple(output_size))


def adaptive_avg_pool_bwd(g, input_shape):
    """The adjoint of adaptive_avg_pool_fwd: each g spread evenly over its window"""
    g3 = _planes(g)
    dx = np.zeros((g3.shape[0],) + tuple(input_shape[2:]), dtype=g3.dtype)
    _adaptive_avg_bwd(g3, dx)
    return dx.reshape(input_shape)
