"""Convolution kernels: im2col / col2im and the GEMMs around them, on NCHW arrays, with
stride, zero padding, dilation and groups. NumPy twins in `reference_nn.py`; the pooling
kernels are in `pooling.py`, the direct depthwise kernels in `_depthwise.py`.

Convolution is a GEMM over unrolled windows (im2col), laid out channels-last so each window
row is KW*C contiguous numbers of a padded NHWC copy of the input. With groups, each group
g of C/G input channels gets its own col matrix and its own GEMM (one batched np.matmul):
    col[g, (n, y, x), (i, j, c)] = x_pad[n, g*Cg + c, y*sh + i*dh, x*sw + j*dw]
    out[(n, y, x), g*Og + o] = sum_k col[g, (n, y, x), k] Wt[g, k, o]      (k = (i, j, c))
With vertical stride 1 the forward and the weight gradient unroll only along the width and
sum one GEMM per kernel row instead (`_Unrolled`), and the input gradient is a convolution
with the flipped kernel (`_input_grad_as_conv`). Otherwise col2im, the adjoint of im2col (a
scatter-add), gives dx = col2im(dout_rows @ Wt^T). dout is read in place: each sample's
(O, OH*OW) block of NCHW is the GEMM operand, transposed by BLAS where needed.
The batch is cut into chunks whose col matrix (~CONV_CHUNK elements, thresholds.py) stays in
cache; the chunks are shared out to one Python thread per core, each running its own pad,
unrolling, GEMMs and transpose back. OpenBLAS is limited to one thread meanwhile
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
from .thresholds import CONV_CHUNK, CONV_GEMM_BLOCK, CONV_GEMM_MIN_ROWS

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
    """out[n, g*Og + o, y, x] = rows[g, n, (y, x), o] + b[g*Og + o]"""
    n_, o_, h_, w_ = out.shape
    groups, _, _, og = rows.shape
    of = out.reshape(n_, o_, h_ * w_)
    for n in range(n_):
        for g in range(groups):
            for o in range(og):
                b = bias[g * og + o]
                for p in range(h_ * w_):
                    of[n, g * og + o, p] = rows[g, n, p, o] + b


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


class _Unrolled:
    """How a chunk's col matrix holds the input's windows, and which rows of it each GEMM
    reads. Row i of a window (its taps (i, j) for all j) is

      - with vertical stride 1: row y + i*dh of the padded input, windowed along the width.
        col holds each padded row's width windows once, rows (n, yp, x), columns (j, c):
        KH times fewer numbers than full im2col, and tap row i of the outputs (y, x) of a
        sample is the contiguous block of col rows from (n, i*dh, 0). The GEMM then sums
        over the KH tap rows: out = sum_i col_i @ Wt_i (K = KW*Cg each).
      - otherwise: full im2col, rows (n, y, x), columns (i, j, c); one GEMM (K = KH*KW*Cg).

    Measured when it was written, one thread, 32 samples of the lecture CNN's 5x5
    convolutions (float32), full im2col -> tap rows: forward 3->16 at 32x32 2.84 -> 1.92 ms,
    16->16 at 32x32 7.70 -> 7.11 ms, 16->32 at 16x16 2.87 -> 2.41 ms, 32->32 at 16x16 5.60
    -> 5.51 ms; weight gradient 3.06 -> 1.44, 8.28 -> 7.05, 3.08 -> 2.22, 6.01 -> 5.43 ms."""

    def __init__(self, x_shape, kernel_size, stride, padding, dilation, groups, out_hw):
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel_size, stride, dilation, out_hw
        hp = x_shape[2] + 2 * padding[0]
        cg = x_shape[1] // groups
        self.out_rows = oh * ow
        if sh == 1:
            self.taps, self.k = kh, kw * cg
            self.sample_rows, self.shift = hp * ow, dh * ow
            self.geometry = (1, kw, 1, sw, 1, dw, hp, ow)
        else:
            self.taps, self.k = 1, kh * kw * cg
            self.sample_rows, self.shift = oh * ow, 0
            self.geometry = (kh, kw, sh, sw, dh, dw, oh, ow)
        self.per_sample = groups * self.sample_rows * self.k
        # each sample's outputs go to the GEMMs in pieces of whole output rows whose col
        # block (rows x K) has at most CONV_GEMM_BLOCK elements, but at least
        # CONV_GEMM_MIN_ROWS rows (the weight gradient sums over them; thresholds.py)
        allowed = [p for p in range(1, oh + 1)
                   if oh % p == 0 and oh // p * ow >= min(CONV_GEMM_MIN_ROWS, oh * ow)]
        self.pieces = next((p for p in allowed if oh // p * ow * self.k <= CONV_GEMM_BLOCK),
                           allowed[-1])

    def fill(self, xp, col):
        """col of the padded NHWC chunk xp"""
        _im2col(xp, *self.geometry, col)

    def tap_rows(self, col, s0, s1, i):
        """(G, s1 - s0, pieces, OH*OW / pieces, K), a view of col: tap row i's windows for
        the outputs of the chunk's samples s0..s1-1"""
        per_sample = col[:, s0 * self.sample_rows:s1 * self.sample_rows].reshape(
            col.shape[0], s1 - s0, self.sample_rows, self.k)
        rows = per_sample[:, :, i * self.shift:i * self.shift + self.out_rows]
        return rows.reshape(col.shape[0], s1 - s0, self.pieces, -1, self.k)

    def split(self, rows):
        """rows (G, samples, OH*OW, Og) -> (G, samples, pieces, OH*OW / pieces, Og)"""
        return rows.reshape(rows.shape[:2] + (self.pieces, -1, rows.shape[-1]))


def _weight_taps(weight, groups, taps, dtype):
    """W (O, Cg, KH, KW) -> Wt (taps, G, K, Og): Wt[i, g] holds the weights that multiply
    tap row i's columns of col (rows (j, c), or (i, j, c) with one tap row)"""
    o, cg, kh, kw = weight.shape
    og = o // groups
    wt = weight.reshape(groups, og, cg, kh, kw).transpose(0, 3, 4, 2, 1)   # (g, i, j, c, o)
    return np.ascontiguousarray(wt.reshape(groups, taps, -1, og).transpose(1, 0, 2, 3),
                                dtype=dtype)


def conv2d_fwd(x, weight, bias, stride, padding, dilation, groups):
    """out[n, g*Og + o] = sum_{c,i,j} W[g*Og + o, c, i, j] x_pad[n, g*Cg + c, y*sh + i*dh,
    x*sw + j*dw] + b[g*Og + o] = sum over tap rows i of col_i[g] @ Wt_i[g] (_Unrolled);
    bias None means no bias"""
    x = contiguous(x)
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    b = np.zeros(o, x.dtype) if bias is None else bias.astype(x.dtype, copy=False)
    if groups > 1 and cg == 1:
        return _depthwise_fwd(x, weight.astype(x.dtype, copy=False), b, stride, padding,
                              dilation)
    og = o // groups
    (ph, pw) = padding
    oh, ow = _out_hw(x.shape, (kh, kw), stride, padding, dilation)
    unrolled = _Unrolled(x.shape, (kh, kw), stride, padding, dilation, groups, (oh, ow))
    wt = _weight_taps(weight, groups, unrolled.taps, x.dtype)
    out = np.empty((n, o, oh, ow), dtype=x.dtype)
    step, shares = _shares(n, unrolled.per_sample)

    def work(share):
        xp = np.zeros((step, h + 2 * ph, w + 2 * pw, c), x.dtype)
        col = np.empty((groups, step * unrolled.sample_rows, unrolled.k), x.dtype)
        rows, part = np.empty((2, groups, step, oh * ow, og), x.dtype)
        for n0, n1 in share:
            ns = n1 - n0
            _pad_nhwc(x[n0:n1], ph, pw, xp)
            unrolled.fill(xp[:ns], col)
            # one GEMM per group, sample and piece (np.matmul); the tap rows' products added
            total, piece = unrolled.split(rows[:, :ns]), unrolled.split(part[:, :ns])
            np.matmul(unrolled.tap_rows(col, 0, ns, 0), wt[0][:, None, None], out=total)
            for i in range(1, unrolled.taps):
                total += np.matmul(unrolled.tap_rows(col, 0, ns, i), wt[i][:, None, None],
                                   out=piece)
            _rows_to_nchw(rows[:, :ns], b, out[n0:n1])
    _run(work, shares)
    return out


def _sample_grads(g, n0, n1, groups):
    """samples n0..n1-1 of dout (N, O, OH, OW) as their groups' matrices (G, samples, Og,
    OH*OW): a view, since each output channel's plane is contiguous in NCHW"""
    return g[n0:n1].reshape(n1 - n0, groups, g.shape[1] // groups, -1).transpose(1, 0, 2, 3)


def _input_grad_as_conv(g, weight, groups, padding, dilation):
    """With stride 1 the transposed convolution is a convolution: dx = conv2d_fwd(dout, W')
    with W'[g*Cg + c, o, i, j] = W[g*Og + o, c, KH-1-i, KW-1-j] (each group's in and out
    channels swapped, the kernel flipped) and padding d*(K-1) - p, which only adds
    (measured for this file, one thread, 32 samples of the lecture CNN's 16->16 5x5
    convolution at 32x32, float32: 8.45 ms by col2im, 7.1 ms as a convolution)"""
    o, cg, kh, kw = weight.shape
    flipped = (weight.reshape(groups, o // groups, cg, kh, kw).transpose(0, 2, 1, 3, 4)
               [..., ::-1, ::-1].reshape(groups * cg, o // groups, kh, kw))
    pad = tuple(d * (k - 1) - p for d, k, p in zip(dilation, (kh, kw), padding))
    return conv2d_fwd(g, flipped, None, (1, 1), pad, dilation, groups)


def conv2d_input_grad(g, weight, input_shape, stride, padding, dilation, groups):
    """dx = col2im(dout_n[g]^T (OH*OW, Og) @ Wt[g]^T) per sample n, for dout g (N, O, OH,
    OW): the transposed convolution, the adjoint of conv2d_fwd in x (with stride 1 a
    convolution, _input_grad_as_conv). dout_n[g] is a view of g (BLAS reads it transposed),
    so g is never rearranged."""
    g = contiguous(g)
    n, c, h, w = input_shape
    o, cg, kh, kw = weight.shape
    if groups > 1 and cg == 1:
        return _depthwise_input_grad(g, weight.astype(g.dtype, copy=False),
                                     tuple(input_shape), stride, padding, dilation)
    og = o // groups
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    if (sh, sw) == (1, 1) and ph <= dh * (kh - 1) and pw <= dw * (kw - 1):
        return _input_grad_as_conv(g, weight, groups, padding, dilation)
    oh, ow = g.shape[2:]
    w2 = np.ascontiguousarray(weight.reshape(groups, og, cg, kh, kw).transpose(0, 1, 3, 4, 2),
                              dtype=g.dtype).reshape(groups, og, -1)
    dx = np.empty(input_shape, dtype=g.dtype)
    step, shares = _shares(n, groups * w2.shape[2] * oh * ow)
    hw = oh * ow

    def work(share):
        col = np.empty((groups, step * hw, w2.shape[2]), g.dtype)
        dxp = np.empty((step, h + 2 * ph, w + 2 * pw, c), g.dtype)
        for n0, n1 in share:
            np.matmul(_sample_grads(g, n0, n1, groups).transpose(0, 1, 3, 2), w2[:, None],
                      out=col[:, :(n1 - n0) * hw].reshape(groups, n1 - n0, hw, -1))
            dxp[:] = 0
            _col2im(col, kh, kw, sh, sw, dh, dw, oh, ow, dxp[:n1 - n0])  # these samples' rows
            _unpad_nchw(dxp[:n1 - n0], ph, pw, dx[n0:n1])
    _run(work, shares)
    return dx


def conv2d_weight_grad(x, g, kernel_size, stride, padding, dilation, groups):
    """dW (O, Cg, KH, KW) from dWt[i, g] (Og, K) = sum over samples n of dout_n[g] (Og,
    OH*OW) @ col_i[g] (the tap rows of _Unrolled): the adjoint of conv2d_fwd in W; dout_n[g]
    is a view of g; each thread sums its own samples, then the threads' sums are added"""
    x, g = contiguous(x), contiguous(g)
    n, c, h, w = x.shape
    o = g.shape[1]
    cg, og = c // groups, o // groups
    if groups > 1 and cg == 1:
        return _depthwise_weight_grad(x, g, tuple(kernel_size), stride, padding, dilation)
    (kh, kw), (ph, pw) = kernel_size, padding
    unrolled = _Unrolled(x.shape, kernel_size, stride, padding, dilation, groups, g.shape[2:])
    taps = unrolled.taps
    step, shares = _shares(n, unrolled.per_sample)

    # samples per batched GEMM call: its products (one (Og, K) block per sample and piece)
    # fit in ~CONV_CHUNK elements
    batch = min(step, max(1, CONV_CHUNK // (groups * unrolled.pieces * og * unrolled.k)))

    def work(share):
        xp = np.zeros((step, h + 2 * ph, w + 2 * pw, c), x.dtype)
        col = np.empty((groups, step * unrolled.sample_rows, unrolled.k), x.dtype)
        part = np.empty((groups, batch, unrolled.pieces, og, unrolled.k), x.dtype)
        dw_sum = np.zeros((taps, groups, og, unrolled.k), x.dtype)
        for n0, n1 in share:
            _pad_nhwc(x[n0:n1], ph, pw, xp)
            unrolled.fill(xp[:n1 - n0], col)
            for s0 in range(0, n1 - n0, batch):
                s1 = min(s0 + batch, n1 - n0)
                rows = _sample_grads(g, n0 + s0, n0 + s1, groups).transpose(0, 1, 3, 2)
                grads = unrolled.split(rows).transpose(0, 1, 2, 4, 3)  # (G, s, pieces, Og, rows)
                for i in range(taps):     # one GEMM per group, sample and piece (np.matmul)
                    np.matmul(grads, unrolled.tap_rows(col, s0, s1, i), out=part[:, :s1 - s0])
                    dw_sum[i] += part[:, :s1 - s0].sum(axis=(1, 2))
        return dw_sum
    dw_sum = sum(_run(work, shares))                # (tap row, g, o, k), k as in _weight_taps
    return np.ascontiguousarray(dw_sum.reshape(taps, groups, og, kh // taps, kw, cg)
                                .transpose(1, 2, 5, 0, 3, 4).reshape(o, cg, kh, kw))


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
