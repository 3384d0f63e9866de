"""Sliding-window kernels on NCHW arrays: im2col / col2im for convolution, max and average
pooling forward and backward. NumPy twins in `reference_nn.py`.

Convolution is a GEMM over unrolled windows (im2col):
    col[(c, i, j), (n, y, x)] = x_pad[n, c, y*sh + i, x*sw + j]
    out[n, o, y, x] = sum_k W[o, k] col[k, (n, y, x)]           (k = (c, i, j))
col2im is the adjoint of im2col (a scatter-add), so dx = col2im(W^T @ dout).
The public functions take float32/float64 arrays, make them contiguous, allocate `out`, and
call a loop. The loops are serial on purpose: BLAS already runs the GEMMs on both cores, and
a second thread pool (Numba's) next to OpenBLAS's spinning threads made the lecture CNN's
training step several times slower on the 2-core benchmark machine (measured: 89 ms serial,
400+ ms with prange loops).
"""
import numpy as np

from ._jit import njit


def out_size(size, k, s, p):
    """Output length of a window of k with stride s over size + 2p: (size + 2p - k) // s + 1"""
    return (size + 2 * p - k) // s + 1


def _float(x):
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"kernels take float32 or float64 arrays, got {x.dtype}")
    return np.ascontiguousarray(x)


@njit()
def _valid(o_size, size, k_off, s, p):
    """[lo, hi): the output positions o whose input o*s + k_off - p lies inside [0, size)
    (floor division, so negative offsets round the right way)."""
    d = k_off - p
    lo = max(0, -(d // s))
    hi = min(o_size, (size - 1 - d) // s + 1)
    return lo, max(lo, hi)


@njit()
def _im2col(x, kh, kw, sh, sw, ph, pw, oh, ow, col):
    """col[(c, i, j), (n, y, x)] = x[n, c, y*sh + i - ph, x*sw + j - pw], 0 outside.
    Rows are short (OW elements), so per-row overhead decides the speed: the loops index flat
    views with unsigned offsets (u64), which Numba does not check for negative wraparound,
    so LLVM vectorizes the copies (array slices here cost ~3x more)."""
    n_, c_, h_, w_ = x.shape
    xf, cf = x.reshape(-1), col.reshape(-1)
    zero, step = col.dtype.type(0), np.uint64(sw)
    for k in range(c_ * kh * kw):
        c, i, j = k // (kh * kw), (k // kw) % kh, k % kw
        x_lo, x_hi = _valid(ow, w_, j, sw, pw)
        for n in range(n_):
            for y in range(oh):
                dst = np.uint64(k * col.shape[1] + (n * oh + y) * ow)
                iy = y * sh + i - ph
                lo, hi = (x_lo, x_hi) if 0 <= iy < h_ else (ow, ow)
                src = np.uint64(((n * c_ + c) * h_ + iy) * w_ + lo * sw + j - pw) if lo < hi \
                    else np.uint64(0)
                for t in range(lo):
                    cf[dst + np.uint64(t)] = zero
                if sw == 1:
                    for t in range(hi - lo):
                        cf[dst + np.uint64(lo + t)] = xf[src + np.uint64(t)]
                else:
                    for t in range(hi - lo):
                        cf[dst + np.uint64(lo + t)] = xf[src + np.uint64(t) * step]
                for t in range(hi, ow):
                    cf[dst + np.uint64(t)] = zero


@njit()
def _col2im(col, kh, kw, sh, sw, ph, pw, oh, ow, dx):
    """dx[n, c, y*sh + i - ph, x*sw + j - pw] += col[(c, i, j), (n, y, x)] (dx zeroed);
    unsigned flat offsets as in _im2col"""
    n_, c_, h_, w_ = dx.shape
    cf, df = col.reshape(-1), dx.reshape(-1)
    step = np.uint64(sw)
    for n in range(n_):
        for k in range(c_ * kh * kw):
            c, i, j = k // (kh * kw), (k // kw) % kh, k % kw
            x_lo, x_hi = _valid(ow, w_, j, sw, pw)
            for y in range(oh):
                iy = y * sh + i - ph
                if iy < 0 or iy >= h_ or x_lo >= x_hi:
                    continue
                src = np.uint64(k * col.shape[1] + (n * oh + y) * ow + x_lo)
                dst = np.uint64(((n * c_ + c) * h_ + iy) * w_ + x_lo * sw + j - pw)
                if sw == 1:
                    for t in range(x_hi - x_lo):
                        df[dst + np.uint64(t)] += cf[src + np.uint64(t)]
                else:
                    for t in range(x_hi - x_lo):
                        df[dst + np.uint64(t) * step] += cf[src + np.uint64(t)]


@njit()
def _max_pool_fwd(x, kh, kw, sh, sw, ph, pw, out, idx):
    """out[p, y, x] = max over the window (padding is -inf); idx = flat position in x of the
    first maximum (a NaN wins, as in PyTorch)"""
    p_, h_, w_ = x.shape
    _, oh, ow = out.shape
    for p in range(p_):
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
                out[p, y, xo] = best
                idx[p, y, xo] = p * h_ * w_ + where


@njit()
def _max_pool_bwd(g, idx, dx):
    """dx.flat[idx] += g (dx zeroed)"""
    p_, oh, ow = g.shape
    for p in range(p_):
        for y in range(oh):
            for xo in range(ow):
                dx[idx[p, y, xo]] += g[p, y, xo]


@njit()
def _avg_pool_fwd(x, kh, kw, sh, sw, ph, pw, out):
    """out[p, y, x] = sum of the window / (kh*kw); padding counts as zeros"""
    p_, h_, w_ = x.shape
    _, oh, ow = out.shape
    scale = out.dtype.type(1.0 / (kh * kw))
    for p in range(p_):
        for y in range(oh):
            for xo in range(ow):
                acc = out.dtype.type(0)
                for i in range(max(0, ph - y * sh), min(kh, h_ + ph - y * sh)):
                    iy = y * sh + i - ph
                    for j in range(max(0, pw - xo * sw), min(kw, w_ + pw - xo * sw)):
                        acc += x[p, iy, xo * sw + j - pw]
                out[p, y, xo] = acc * scale


@njit()
def _avg_pool_bwd(g, kh, kw, sh, sw, ph, pw, dx):
    """dx[window] += g / (kh*kw) (dx zeroed): the adjoint of _avg_pool_fwd"""
    p_, oh, ow = g.shape
    _, h_, w_ = dx.shape
    scale = dx.dtype.type(1.0 / (kh * kw))
    for p in range(p_):
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


def col2im(col, input_shape, kernel_size, stride, padding):
    """The adjoint of im2col: col (C*KH*KW, N*OH*OW) -> dx of input_shape (N, C, H, W)"""
    col = _float(col)
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    oh, ow = out_size(input_shape[2], kh, sh, ph), out_size(input_shape[3], kw, sw, pw)
    dx = np.zeros(input_shape, dtype=col.dtype)
    _col2im(col, kh, kw, sh, sw, ph, pw, oh, ow, dx)
    return dx


# Convolutions run over the batch in chunks whose im2col matrix has about this many elements
# (4 MB in float32), so it is written and read back by the GEMM while still in cache.
CHUNK = 1 << 20


def _chunks(input_shape, kernel_size, out_hw):
    """Batch slices [n0, n1) whose im2col matrix has at most ~CHUNK elements (>= 1 sample)."""
    per_sample = input_shape[1] * kernel_size[0] * kernel_size[1] * out_hw[0] * out_hw[1]
    step = max(1, CHUNK // max(per_sample, 1))
    return [(n0, min(n0 + step, input_shape[0])) for n0 in range(0, input_shape[0], step)]


def _out_hw(input_shape, kernel_size, stride, padding):
    return tuple(out_size(input_shape[2 + d], kernel_size[d], stride[d], padding[d])
                 for d in range(2))


def _rows(g):
    """(n, O, OH, OW) -> (O, n*OH*OW): the GEMM operand for a chunk of output gradients"""
    return np.ascontiguousarray(g.transpose(1, 0, 2, 3)).reshape(g.shape[1], -1)


def conv2d_fwd(x, weight, bias, stride, padding):
    """out[n, o] = sum_{c,i,j} W[o, c, i, j] x_pad[n, c, y*sh + i, x*sw + j] + b[o]
    = W (O, C*KH*KW) @ im2col(x), one GEMM per batch chunk; bias None means no bias"""
    x = _float(x)
    kernel_size = weight.shape[2:]
    oh, ow = _out_hw(x.shape, kernel_size, stride, padding)
    w2 = np.ascontiguousarray(weight, dtype=x.dtype).reshape(weight.shape[0], -1)
    out = np.empty((x.shape[0], weight.shape[0], oh, ow), dtype=x.dtype)
    for n0, n1 in _chunks(x.shape, kernel_size, (oh, ow)):
        prod = np.dot(w2, im2col(x[n0:n1], kernel_size, stride, padding))
        out[n0:n1] = prod.reshape(w2.shape[0], n1 - n0, oh, ow).transpose(1, 0, 2, 3)
    if bias is not None:
        out += bias.astype(x.dtype, copy=False)[:, None, None]
    return out


def conv2d_input_grad(g, weight, input_shape, stride, padding):
    """dx = col2im(W^T (C*KH*KW, O) @ dout) for dout g (N, O, OH, OW): the transposed
    convolution, the adjoint of conv2d_fwd in x"""
    g = _float(g)
    kernel_size = weight.shape[2:]
    w2 = np.ascontiguousarray(weight, dtype=g.dtype).reshape(weight.shape[0], -1)
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    dx = np.zeros(input_shape, dtype=g.dtype)
    for n0, n1 in _chunks(input_shape, kernel_size, g.shape[2:]):
        col = np.dot(w2.T, _rows(g[n0:n1]))
        _col2im(col, kh, kw, sh, sw, ph, pw, g.shape[2], g.shape[3], dx[n0:n1])
    return dx


def conv2d_weight_grad(x, g, kernel_size, stride, padding):
    """dW (O, C, KH, KW) = sum over the batch of dout (O, OH*OW) @ im2col(x)^T: the adjoint
    of conv2d_fwd in W. Computed transposed, dW^T += im2col(x) @ dout^T: OpenBLAS runs that
    shape about 2x faster (measured on the lecture CNN's layers)."""
    x, g = _float(x), _float(g)
    dw_t = np.zeros((x.shape[1] * kernel_size[0] * kernel_size[1], g.shape[1]), dtype=x.dtype)
    for n0, n1 in _chunks(x.shape, kernel_size, g.shape[2:]):
        dw_t += np.dot(im2col(x[n0:n1], kernel_size, stride, padding), _rows(g[n0:n1]).T)
    return np.ascontiguousarray(dw_t.T).reshape((g.shape[1], x.shape[1]) + tuple(kernel_size))


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


def max_pool_bwd(g, index, input_shape):
    """dx (input_shape) with g added at the flat positions `index` (repeated ones accumulate)"""
    g = _planes(g)
    dx = np.zeros(int(np.prod(input_shape)), dtype=g.dtype)
    _max_pool_bwd(g, np.ascontiguousarray(index).reshape(g.shape), dx)
    return dx.reshape(input_shape)


def avg_pool_fwd(x, kernel_size, stride, padding):
    """x (N, C, H, W) -> window means (N, C, OH, OW), divisor KH*KW (padding included)"""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    oh, ow = out_size(x.shape[2], kh, sh, ph), out_size(x.shape[3], kw, sw, pw)
    planes = _planes(x)
    out = np.empty((planes.shape[0], oh, ow), dtype=x.dtype)
    _avg_pool_fwd(planes, kh, kw, sh, sw, ph, pw, out)
    return out.reshape(x.shape[:2] + (oh, ow))


def avg_pool_bwd(g, input_shape, kernel_size, stride, padding):
    """The adjoint of avg_pool_fwd: each g spread evenly over its window, dx of input_shape"""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    g3 = _planes(g)
    dx = np.zeros((g3.shape[0],) + tuple(input_shape[2:]), dtype=g3.dtype)
    _avg_pool_bwd(g3, kh, kw, sh, sw, ph, pw, dx)
    return dx.reshape(input_shape)


KERNELS = {"im2col": im2col, "col2im": col2im, "conv2d_fwd": conv2d_fwd,
           "conv2d_input_grad": conv2d_input_grad, "conv2d_weight_grad": conv2d_weight_grad,
           "max_pool_fwd": max_pool_fwd,
           "max_pool_bwd": max_pool_bwd, "avg_pool_fwd": avg_pool_fwd,
           "avg_pool_bwd": avg_pool_bwd}
