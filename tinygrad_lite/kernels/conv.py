"""Convolution kernels: im2col / col2im and the GEMMs around them, on NCHW arrays, with
stride, zero padding, dilation and groups. NumPy twins in `reference_nn.py`; the pooling
kernels are in `pooling.py`, the direct depthwise kernels in `_depthwise.py`.

Convolution is a GEMM over unrolled windows (im2col), laid out channels-last so each window
row is KW*C contiguous numbers of a padded NHWC copy of the input. With groups, each group
g of C/G input channels gets its own col matrix and its own GEMM (one batched np.matmul):
    col[g, (n, y, x), (i, j, c)] = x_pad[n, g*Cg + c, y*sh + i*dh, x*sw + j*dw]
    out[(n, y, x), g*Og + o] = sum_k col[g, (n, y, x), k] Wt[g, k, o]      (k = (i, j, c))
col2im is the adjoint of im2col (a scatter-add), so dx = col2im(dout_rows @ Wt^T).
The batch is cut into chunks whose col matrix (~CONV_CHUNK elements, thresholds.py) stays in
a core's L2 cache; the chunks are shared out to one Python thread per core, each running its
own pad, im2col, GEMM and transpose back. OpenBLAS is limited to one thread meanwhile
(threadpoolctl): a Numba loop between two multithreaded GEMMs left the second core idle and
made the GEMM wait for OpenBLAS's worker (measured: the lecture CNN's convolutions ~2x
faster this way).
Without threadpoolctl the chunks run in the calling thread with BLAS's own threads.
Depthwise convolution (one input channel per group) has GEMMs too small for BLAS; it goes
to direct loops instead.
"""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _depthwise
from ._checks import contiguous
from ._jit import njit
from .geometry import out_size
from .thresholds import CONV_CHUNK

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover - the serial path is the fallback
    ThreadpoolController = None


@njit()
def _pad_nhwc(x, ph, pw, xp):
    """xp[n, h + ph, w + pw, c] = x[n, c, h, w]; the border of xp is left as it is (zeros)"""
    n_, c_, h_, w_ = x.shape
    for n in range(n_):
        for c in range(c_):
            for h in range(h_):
                for w in range(w_):
                    xp[n, h + ph, w + pw, c] = x[n, c, h, w]


@njit()
def _unpad_nchw(xp, ph, pw, x):
    """x[n, c, h, w] = xp[n, h + ph, w + pw, c]: the adjoint of _pad_nhwc"""
    n_, c_, h_, w_ = x.shape
    for n in range(n_):
        for c in range(c_):
            for h in range(h_):
                for w in range(w_):
                    x[n, c, h, w] = xp[n, h + ph, w + pw, c]


@njit()
def _im2col(xp, kh, kw, sh, sw, dh, dw, oh, ow, col):
    """col[g, (n, y, x), (i, j, c)] = xp[n, y*sh + i*dh, x*sw + j*dw, g*Cg + c] for padded
    NHWC xp and col of shape (G, rows, KH*KW*Cg). The copies are runs of contiguous numbers:
    KW*C of them per (n, y, x, i) without groups or dilation, else Cg per tap. The loops
    index flat views with unsigned offsets (u64), which Numba does not check for negative
    wraparound, so LLVM vectorizes the copies (array slices here cost ~3x more)."""
    n_, hp, wp, c_ = xp.shape
    groups, rows, k = col.shape
    cg = c_ // groups
    taps = 1 if groups == 1 and dw == 1 else kw       # separate runs per window row
    run = cg * (kw // taps)
    xf, cf = xp.reshape(-1), col.reshape(-1)
    for n in range(n_):
        for y in range(oh):
            for x in range(ow):
                row = (n * oh + y) * ow + x
                for i in range(kh):
                    base = ((n * hp + y * sh + i * dh) * wp + x * sw) * c_
                    for jj in range(taps):
                        for g in range(groups):
                            src = np.uint64(base + jj * dw * c_ + g * cg)
                            dst = np.uint64((g * rows + row) * k + (i * taps + jj) * run)
                            for t in range(run):
                                cf[dst + np.uint64(t)] = xf[src + np.uint64(t)]


@njit()
def _col2im(col, kh, kw, sh, sw, dh, dw, oh, ow, dxp):
    """dxp[n, y*sh + i*dh, x*sw + j*dw, g*Cg + c] += col[g, (n, y, x), (i, j, c)] (dxp
    zeroed): the adjoint of _im2col, with the same runs and unsigned flat offsets"""
    n_, hp, wp, c_ = dxp.shape
    groups, rows, k = col.shape
    cg = c_ // groups
    taps = 1 if groups == 1 and dw == 1 else kw
    run = cg * (kw // taps)
    df, cf = dxp.reshape(-1), col.reshape(-1)
    for n in range(n_):
        for y in range(oh):
            for x in range(ow):
                row = (n * oh + y) * ow + x
                for i in range(kh):
                    base = ((n * hp + y * sh + i * dh) * wp + x * sw) * c_
                    for jj in range(taps):
                        for g in range(groups):
                            dst = np.uint64(base + jj * dw * c_ + g * cg)
                            src = np.uint64((g * rows + row) * k + (i * taps + jj) * run)
                            for t in range(run):
                                df[dst + np.uint64(t)] += cf[src + np.uint64(t)]


@njit()
def _rows_to_nchw(rows, bias, out):
    """out[n, g*Og + o, y, x] = rows[g, (n, y, x), o] + b[g*Og + o]"""
    n_, o_, h_, w_ = out.shape
    groups, _, og = rows.shape
    hw = h_ * w_
    of = out.reshape(n_, o_, hw)
    for n in range(n_):
        for g in range(groups):
            for o in range(og):
                b = bias[g * og + o]
                for p in range(hw):
                    of[n, g * og + o, p] = rows[g, n * hw + p, o] + b


@njit()
def _nchw_to_rows(grad, rows):
    """rows[g, (n, y, x), o] = grad[n, g*Og + o, y, x]"""
    n_, o_, h_, w_ = grad.shape
    groups, _, og = rows.shape
    hw = h_ * w_
    gf = grad.reshape(n_, o_, hw)
    for n in range(n_):
        for g in range(groups):
            for p in range(hw):
                for o in range(og):
                    rows[g, n * hw + p, o] = gf[n, g * og + o, p]


def _padded(x, padding):
    """x (N, C, H, W) -> zero-padded channels-last copy (N, H + 2ph, W + 2pw, C)"""
    (ph, pw) = padding
    xp = np.zeros((x.shape[0], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw, x.shape[1]), x.dtype)
    _pad_nhwc(x, ph, pw, xp)
    return xp


def _out_hw(input_shape, kernel_size, stride, padding, dilation):
    return tuple(out_size(input_shape[2 + d], kernel_size[d], stride[d], padding[d],
                          dilation[d]) for d in range(2))


def im2col(x, kernel_size, stride, padding, dilation, groups):
    """x (N, C, H, W) -> col (G, N*OH*OW, KH*KW*C/G), rows (n, y, x), columns (i, j, c)"""
    x = contiguous(x)
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    oh, ow = _out_hw(x.shape, kernel_size, stride, padding, dilation)
    col = np.empty((groups, x.shape[0] * oh * ow, kh * kw * (x.shape[1] // groups)), x.dtype)
    _im2col(_padded(x, padding), kh, kw, sh, sw, dh, dw, oh, ow, col)
    return col


def col2im(col, input_shape, kernel_size, stride, padding, dilation):
    """The adjoint of im2col: col (G, N*OH*OW, KH*KW*C/G) -> dx of input_shape (N, C, H, W)"""
    col = contiguous(col)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    n, c, h, w = input_shape
    oh, ow = _out_hw(input_shape, kernel_size, stride, padding, dilation)
    dxp = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=col.dtype)
    _col2im(col, kh, kw, sh, sw, dh, dw, oh, ow, dxp)
    dx = np.empty(input_shape, dtype=col.dtype)
    _unpad_nchw(dxp, ph, pw, dx)
    return dx


def _matmul(a, b, out):
    """out[g] = a[g] @ b[g]: one BLAS GEMM per group (np.dot when there is one group)"""
    if a.shape[0] == 1:
        return np.dot(a[0], b[0], out=out[0])[None]
    return np.matmul(a, b, out=out)


_pool = {}


def _workers():
    """(thread pool, BLAS controller) made on first use; no pool without threadpoolctl."""
    if not _pool:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        threads = cores if ThreadpoolController is not None else 1
        _pool["threads"] = threads
        if threads > 1:
            _pool["executor"] = ThreadPoolExecutor(threads - 1, "tinygrad_lite_conv")
            _pool["blas"] = ThreadpoolController()
    return _pool


def _shares(n, per_sample):
    """The batch [0, n) cut into one contiguous share per thread, each share into chunks of
    `step` samples whose col matrix has at most ~CONV_CHUNK elements: (step, shares)"""
    step = max(1, CONV_CHUNK // max(per_sample, 1))
    threads = max(1, min(_workers()["threads"], -(-n // step)))
    bounds = [n * t // threads for t in range(threads + 1)]
    return step, [[(n0, min(n0 + step, b1)) for n0 in range(b0, b1, step)]
                  for b0, b1 in zip(bounds, bounds[1:])]


def _run(work, shares):
    """[work(share) for share in shares]: the first share in this thread, the others in the
    pool, with BLAS limited to one thread while they run."""
    if len(shares) == 1:
        return [work(shares[0])]
    pool = _workers()
    with pool["blas"].limit(limits=1, user_api="blas"):
        futures = [pool["executor"].submit(work, share) for share in shares[1:]]
        return [work(shares[0])] + [f.result() for f in futures]


def conv2d_fwd(x, weight, bias, stride, padding, dilation, groups):
    """out[n, g*Og + o] = sum_{c,i,j} W[g*Og + o, c, i, j] x_pad[n, g*Cg + c, y*sh + i*dh,
    x*sw + j*dw] + b[g*Og + o] = im2col(x)[g] @ Wt[g] (KH*KW*Cg, Og), one GEMM per group
    and chunk; bias None means no bias"""
    x = contiguous(x)
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    b = np.zeros(o, x.dtype) if bias is None else bias.astype(x.dtype, copy=False)
    if groups > 1 and cg == 1:
        return _depthwise_fwd(x, weight.astype(x.dtype, copy=False), b, stride, padding,
                              dilation)
    og = o // groups
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    oh, ow = _out_hw(x.shape, (kh, kw), stride, padding, dilation)
    wt = np.ascontiguousarray(weight.reshape(groups, og, cg, kh, kw).transpose(0, 3, 4, 2, 1),
                              dtype=x.dtype).reshape(groups, -1, og)
    out = np.empty((n, o, oh, ow), dtype=x.dtype)
    step, shares = _shares(n, wt.shape[0] * wt.shape[1] * oh * ow)

    def work(share):
        xp = np.zeros((step, h + 2 * ph, w + 2 * pw, c), x.dtype)
        col = np.empty((groups, step * oh * ow, wt.shape[1]), x.dtype)
        rows = np.empty((groups, step * oh * ow, og), x.dtype)
        for n0, n1 in share:
            m = (n1 - n0) * oh * ow
            _pad_nhwc(x[n0:n1], ph, pw, xp)
            _im2col(xp[:n1 - n0], kh, kw, sh, sw, dh, dw, oh, ow, col)
            _rows_to_nchw(_matmul(col[:, :m], wt, rows[:, :m]), b, out[n0:n1])
    _run(work, shares)
    return out


def conv2d_input_grad(g, weight, input_shape, stride, padding, dilation, groups):
    """dx = col2im(dout_rows[g] (N*OH*OW, Og) @ Wt[g]^T) for dout g (N, O, OH, OW): the
    transposed convolution, the adjoint of conv2d_fwd in x"""
    g = contiguous(g)
    n, c, h, w = input_shape
    o, cg, kh, kw = weight.shape
    if groups > 1 and cg == 1:
        return _depthwise_input_grad(g, weight.astype(g.dtype, copy=False),
                                     tuple(input_shape), stride, padding, dilation)
    og = o // groups
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    oh, ow = g.shape[2:]
    w2 = np.ascontiguousarray(weight.reshape(groups, og, cg, kh, kw).transpose(0, 1, 3, 4, 2),
                              dtype=g.dtype).reshape(groups, og, -1)
    dx = np.empty(input_shape, dtype=g.dtype)
    step, shares = _shares(n, groups * w2.shape[2] * oh * ow)

    def work(share):
        rows = np.empty((groups, step * oh * ow, og), g.dtype)
        col = np.empty((groups, step * oh * ow, w2.shape[2]), g.dtype)
        dxp = np.empty((step, h + 2 * ph, w + 2 * pw, c), g.dtype)
        for n0, n1 in share:
            m = (n1 - n0) * oh * ow
            _nchw_to_rows(g[n0:n1], rows)
            dxp[:] = 0
            _matmul(rows[:, :m], w2, col[:, :m])
            _col2im(col, kh, kw, sh, sw, dh, dw, oh, ow, dxp[:n1 - n0])  # reads rows < m
            _unpad_nchw(dxp[:n1 - n0], ph, pw, dx[n0:n1])
    _run(work, shares)
    return dx


def conv2d_weight_grad(x, g, kernel_size, stride, padding, dilation, groups):
    """dW (O, Cg, KH, KW) from dWt[g] (KH*KW*Cg, Og) = sum over chunks of im2col(x)[g]^T @
    dout_rows[g]: the adjoint of conv2d_fwd in W; each thread sums its own chunks, then the
    threads' sums are added"""
    x, g = contiguous(x), contiguous(g)
    n, c, h, w = x.shape
    o = g.shape[1]
    cg, og = c // groups, o // groups
    if groups > 1 and cg == 1:
        return _depthwise_weight_grad(x, g, tuple(kernel_size), stride, padding, dilation)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    oh, ow = g.shape[2:]
    k = kh * kw * cg
    step, shares = _shares(n, groups * k * oh * ow)

    def work(share):
        xp = np.zeros((step, h + 2 * ph, w + 2 * pw, c), x.dtype)
        col = np.empty((groups, step * oh * ow, k), x.dtype)
        rows = np.empty((groups, step * oh * ow, og), x.dtype)
        dw_t, dw_chunk = np.zeros((2, groups, k, og), x.dtype)
        for n0, n1 in share:
            m = (n1 - n0) * oh * ow
            _pad_nhwc(x[n0:n1], ph, pw, xp)
            _im2col(xp[:n1 - n0], kh, kw, sh, sw, dh, dw, oh, ow, col)
            _nchw_to_rows(g[n0:n1], rows)
            dw_t += _matmul(col[:, :m].transpose(0, 2, 1), rows[:, :m], dw_chunk)
        return dw_t
    dw_t = sum(_run(work, shares))
    return np.ascontiguousarray(
        dw_t.reshape(groups, kh, kw, cg, og).transpose(0, 4, 3, 1, 2).reshape(o, cg, kh, kw))


def _halves(n):
    """The batch [0, n) cut into one contiguous chunk per thread: the depthwise loops have no
    col matrix to keep in cache, so nothing is gained by smaller chunks"""
    threads = max(1, min(_workers()["threads"], n))
    bounds = [n * t // threads for t in range(threads + 1)]
    return [[(b0, b1)] for b0, b1 in zip(bounds, bounds[1:])]


def _depthwise_fwd(x, weight, bias, stride, padding, dilation):
    """conv2d_fwd for one input channel per group, by _depthwise.forward on padded chunks"""
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    (ph, pw) = padding
    oh, ow = _out_hw(x.shape, (kh, kw), stride, padding, dilation)
    w3 = np.ascontiguousarray(weight.reshape(o, kh, kw))
    out = np.empty((n, o, oh, ow), dtype=x.dtype)

    def work(share):
        [(n0, n1)] = share
        xp = np.zeros((n1 - n0, c, h + 2 * ph, w + 2 * pw), x.dtype)
        xp[:, :, ph:ph + h, pw:pw + w] = x[n0:n1]
        _depthwise.forward(xp, w3, bias, *stride, *dilation, out[n0:n1])
    _run(work, _halves(n))
    return out


def _depthwise_input_grad(g, weight, input_shape, stride, padding, dilation):
    """conv2d_input_grad for one input channel per group (_depthwise.input_grad)"""
    n, c, h, w = input_shape
    o, _, kh, kw = weight.shape
    (ph, pw) = padding
    w3 = np.ascontiguousarray(weight.reshape(o, kh, kw))
    dx = np.empty(input_shape, dtype=g.dtype)

    def work(share):
        [(n0, n1)] = share
        dxp = np.zeros((n1 - n0, c, h + 2 * ph, w + 2 * pw), g.dtype)
        _depthwise.input_grad(g[n0:n1], w3, *stride, *dilation, dxp)
        dx[n0:n1] = dxp[:, :, ph:ph + h, pw:pw + w]
    _run(work, _halves(n))
    return dx


def _depthwise_weight_grad(x, g, kernel_size, stride, padding, dilation):
    """conv2d_weight_grad for one input channel per group (_depthwise.weight_grad); each
    thread sums its own part of the batch, then the threads' sums are added"""
    n, c, h, w = x.shape
    (ph, pw) = padding

    def work(share):
        [(n0, n1)] = share
        xp = np.zeros((n1 - n0, c, h + 2 * ph, w + 2 * pw), x.dtype)
        xp[:, :, ph:ph + h, pw:pw + w] = x[n0:n1]
        dw = np.zeros((g.shape[1],) + tuple(kernel_size), x.dtype)
        _depthwise.weight_grad(xp, g[n0:n1], *stride, *dilation, dw)
        return dw
    return sum(_run(work, _halves(n)))[:, None]
