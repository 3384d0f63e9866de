"""Convolution kernels: im2col / col2im and the GEMMs around them, on NCHW arrays. NumPy twins
in `reference_nn.py`; the pooling kernels are in `pooling.py`.

Convolution is a GEMM over unrolled windows (im2col), laid out channels-last so each window
row is KW*C contiguous numbers of a padded NHWC copy of the input:
    col[(n, y, x), (i, j, c)] = x_pad[n, c, y*sh + i, x*sw + j]
    out[(n, y, x), o] = sum_k col[(n, y, x), k] Wt[k, o]          (k = (i, j, c))
col2im is the adjoint of im2col (a scatter-add), so dx = col2im(dout_rows @ Wt^T).
The batch is cut into chunks whose col matrix (~CHUNK elements) stays in a core's L2 cache;
the chunks are shared out to one Python thread per core, each running its own pad, im2col,
GEMM and transpose back. OpenBLAS is limited to one thread meanwhile (threadpoolctl): a
Numba loop between two multithreaded GEMMs left the second core idle and made the GEMM
wait for OpenBLAS's worker (measured: the lecture CNN's convolutions ~2x faster this way).
Without threadpoolctl the chunks run in the calling thread with BLAS's own threads.
"""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._jit import njit

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover - the serial path is the fallback
    ThreadpoolController = None


def out_size(size, k, s, p):
    """Output length of a window of k with stride s over size + 2p: (size + 2p - k) // s + 1"""
    return (size + 2 * p - k) // s + 1


def _float(x):
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"kernels take float32 or float64 arrays, got {x.dtype}")
    return np.ascontiguousarray(x)


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
def _im2col(xp, kh, kw, sh, sw, oh, ow, col):
    """col[(n, y, x), (i, j, c)] = xp[n, y*sh + i, x*sw + j, c] for padded NHWC xp: for each
    (n, y, x, i) one contiguous run of KW*C numbers. The loops index flat views with unsigned
    offsets (u64), which Numba does not check for negative wraparound, so LLVM vectorizes the
    copies (array slices here cost ~3x more)."""
    n_, hp, wp, c_ = xp.shape
    run = kw * c_
    xf, cf = xp.reshape(-1), col.reshape(-1)
    for n in range(n_):
        for y in range(oh):
            for x in range(ow):
                row = ((n * oh + y) * ow + x) * kh * run
                for i in range(kh):
                    src = np.uint64(((n * hp + y * sh + i) * wp + x * sw) * c_)
                    dst = np.uint64(row + i * run)
                    for t in range(run):
                        cf[dst + np.uint64(t)] = xf[src + np.uint64(t)]


@njit()
def _col2im(col, kh, kw, sh, sw, oh, ow, dxp):
    """dxp[n, y*sh + i, x*sw + j, c] += col[(n, y, x), (i, j, c)] (dxp zeroed): the adjoint
    of _im2col, with the same unsigned flat offsets"""
    n_, hp, wp, c_ = dxp.shape
    run = kw * c_
    df, cf = dxp.reshape(-1), col.reshape(-1)
    for n in range(n_):
        for y in range(oh):
            for x in range(ow):
                row = ((n * oh + y) * ow + x) * kh * run
                for i in range(kh):
                    dst = np.uint64(((n * hp + y * sh + i) * wp + x * sw) * c_)
                    src = np.uint64(row + i * run)
                    for t in range(run):
                        df[dst + np.uint64(t)] += cf[src + np.uint64(t)]


@njit()
def _rows_to_nchw(rows, bias, out):
    """out[n, o, y, x] = rows[(n, y, x), o] + b[o]"""
    n_, o_, h_, w_ = out.shape
    hw = h_ * w_
    of = out.reshape(n_, o_, hw)
    for n in range(n_):
        for o in range(o_):
            b = bias[o]
            for p in range(hw):
                of[n, o, p] = rows[n * hw + p, o] + b


@njit()
def _nchw_to_rows(g, rows):
    """rows[(n, y, x), o] = g[n, o, y, x]"""
    n_, o_, h_, w_ = g.shape
    hw = h_ * w_
    gf = g.reshape(n_, o_, hw)
    for n in range(n_):
        for p in range(hw):
            for o in range(o_):
                rows[n * hw + p, o] = gf[n, o, p]


def _padded(x, padding):
    """x (N, C, H, W) -> zero-padded channels-last copy (N, H + 2ph, W + 2pw, C)"""
    (ph, pw) = padding
    xp = np.zeros((x.shape[0], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw, x.shape[1]), x.dtype)
    _pad_nhwc(x, ph, pw, xp)
    return xp


def im2col(x, kernel_size, stride, padding):
    """x (N, C, H, W) -> col (N*OH*OW, KH*KW*C), rows (n, y, x), columns (i, j, c)"""
    x = _float(x)
    (kh, kw), (sh, sw) = kernel_size, stride
    oh, ow = _out_hw(x.shape, kernel_size, stride, padding)
    col = np.empty((x.shape[0] * oh * ow, kh * kw * x.shape[1]), dtype=x.dtype)
    _im2col(_padded(x, padding), kh, kw, sh, sw, oh, ow, col)
    return col


def col2im(col, input_shape, kernel_size, stride, padding):
    """The adjoint of im2col: col (N*OH*OW, KH*KW*C) -> dx of input_shape (N, C, H, W)"""
    col = _float(col)
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    n, c, h, w = input_shape
    oh, ow = _out_hw(input_shape, kernel_size, stride, padding)
    dxp = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=col.dtype)
    _col2im(col, kh, kw, sh, sw, oh, ow, dxp)
    dx = np.empty(input_shape, dtype=col.dtype)
    _unpad_nchw(dxp, ph, pw, dx)
    return dx


# Each chunk's col matrix has about this many elements (1 MB in float32): small enough to
# stay in a core's L2 cache between im2col and the GEMM (measured best of 2^17..2^21).
CHUNK = 1 << 18
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
    `step` samples whose col matrix has at most ~CHUNK elements: (step, shares)"""
    step = max(1, CHUNK // max(per_sample, 1))
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


def _out_hw(input_shape, kernel_size, stride, padding):
    return tuple(out_size(input_shape[2 + d], kernel_size[d], stride[d], padding[d])
                 for d in range(2))


def conv2d_fwd(x, weight, bias, stride, padding):
    """out[n, o] = sum_{c,i,j} W[o, c, i, j] x_pad[n, c, y*sh + i, x*sw + j] + b[o]
    = im2col(x) @ Wt (KH*KW*C, O), one GEMM per chunk; bias None means no bias"""
    x = _float(x)
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    (sh, sw), (ph, pw) = stride, padding
    oh, ow = _out_hw(x.shape, (kh, kw), stride, padding)
    wt = np.ascontiguousarray(weight.transpose(2, 3, 1, 0), dtype=x.dtype).reshape(-1, o)
    b = np.zeros(o, x.dtype) if bias is None else bias.astype(x.dtype, copy=False)
    out = np.empty((n, o, oh, ow), dtype=x.dtype)
    step, shares = _shares(n, wt.shape[0] * oh * ow)

    def work(share):
        xp = np.zeros((step, h + 2 * ph, w + 2 * pw, c), x.dtype)
        col = np.empty((step * oh * ow, wt.shape[0]), x.dtype)
        rows = np.empty((step * oh * ow, o), x.dtype)
        for n0, n1 in share:
            m = (n1 - n0) * oh * ow
            _pad_nhwc(x[n0:n1], ph, pw, xp)
            _im2col(xp[:n1 - n0], kh, kw, sh, sw, oh, ow, col)
            _rows_to_nchw(np.dot(col[:m], wt, out=rows[:m]), b, out[n0:n1])
    _run(work, shares)
    return out


def conv2d_input_grad(g, weight, input_shape, stride, padding):
    """dx = col2im(dout_rows (N*OH*OW, O) @ Wt^T) for dout g (N, O, OH, OW): the transposed
    convolution, the adjoint of conv2d_fwd in x"""
    g = _float(g)
    n, c, h, w = input_shape
    o, _, kh, kw = weight.shape
    (sh, sw), (ph, pw) = stride, padding
    oh, ow = g.shape[2:]
    w2 = np.ascontiguousarray(weight.transpose(0, 2, 3, 1), dtype=g.dtype).reshape(o, -1)
    dx = np.empty(input_shape, dtype=g.dtype)
    step, shares = _shares(n, w2.shape[1] * oh * ow)

    def work(share):
        rows = np.empty((step * oh * ow, o), g.dtype)
        col = np.empty((step * oh * ow, w2.shape[1]), g.dtype)
        dxp = np.empty((step, h + 2 * ph, w + 2 * pw, c), g.dtype)
        for n0, n1 in share:
            m = (n1 - n0) * oh * ow
            _nchw_to_rows(g[n0:n1], rows)
            dxp[:] = 0
            _col2im(np.dot(rows[:m], w2, out=col[:m]), kh, kw, sh, sw, oh, ow, dxp[:n1 - n0])
            _unpad_nchw(dxp[:n1 - n0], ph, pw, dx[n0:n1])
    _run(work, shares)
    return dx


def conv2d_weight_grad(x, g, kernel_size, stride, padding):
    """dW (O, C, KH, KW) from dWt (KH*KW*C, O) = sum over chunks of im2col(x)^T @ dout_rows:
    the adjoint of conv2d_fwd in W; each thread sums its own chunks, then the threads' sums
    are added"""
    x, g = _float(x), _float(g)
    n, c, h, w = x.shape
    o = g.shape[1]
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    oh, ow = g.shape[2:]
    k = kh * kw * c
    step, shares = _shares(n, k * oh * ow)

    def work(share):
        xp = np.zeros((step, h + 2 * ph, w + 2 * pw, c), x.dtype)
        col = np.empty((step * oh * ow, k), x.dtype)
        rows = np.empty((step * oh * ow, o), x.dtype)
        dw_t = np.zeros((k, o), x.dtype)
        for n0, n1 in share:
            m = (n1 - n0) * oh * ow
            _pad_nhwc(x[n0:n1], ph, pw, xp)
            _im2col(xp[:n1 - n0], kh, kw, sh, sw, oh, ow, col)
            _nchw_to_rows(g[n0:n1], rows)
            dw_t += np.dot(col[:m].T, rows[:m])
        return dw_t
    dw_t = sum(_run(work, shares))
    return np.ascontiguousarray(dw_t.reshape(kh, kw, c, o).transpose(3, 2, 0, 1))


KERNELS = {"im2col": im2col, "col2im": col2im, "conv2d_fwd": conv2d_fwd,
           "conv2d_input_grad": conv2d_input_grad, "conv2d_weight_grad": conv2d_weight_grad}
