"""Direct loops for depthwise convolution (groups == in_channels: each output channel o reads
one input channel, c = o // M, M = out_channels / in_channels), on a zero-padded NCHW input.
Its per-group GEMMs would be (rows x KH*KW) @ (KH*KW x M), far too small for BLAS, so the
windows are summed in place instead. kernels/conv.py cuts the batch into chunks and shares
them out to its threads; these loops run on one chunk.

Internal to kernels/conv.py (hence the `_` in the file name): they take a padded input and
write into arrays conv.py made, so they are not kernels of the table in kernels/__init__.py.
The kernels that call them, conv2d_fwd, conv2d_input_grad and conv2d_weight_grad with
groups == in_channels, are compared with their twins (the grouped convolutions of
`reference_nn.py`) in tests/test_kernels.py.

The innermost loops run over flat views with unsigned offsets (no negative-index check) and
have a separate unit-stride branch, so LLVM vectorizes them. With stride 1 an output plane is
handled Wp wide (Wp = the padded input's width; the columns past OW are dropped or zero), so
that each tap (i, j) is one long loop over the whole plane instead of OH short ones.
"""
import numpy as np

from ._jit import njit


@njit(fma=True)
def _axpy(y, dst, a, x, src, step, count):
    """y[dst + t] += a * x[src + t*step] for t < count (flat arrays, unsigned offsets)"""
    if step == 1:
        for t in range(count):
            y[dst + np.uint64(t)] += a * x[src + np.uint64(t)]
    else:
        for t in range(count):
            y[dst + np.uint64(t)] += a * x[src + np.uint64(t * step)]


@njit(fma=True)
def _scatter_axpy(y, dst, step, a, x, src, count):
    """y[dst + t*step] += a * x[src + t] for t < count (flat arrays, unsigned offsets)"""
    if step == 1:
        for t in range(count):
            y[dst + np.uint64(t)] += a * x[src + np.uint64(t)]
    else:
        for t in range(count):
            y[dst + np.uint64(t * step)] += a * x[src + np.uint64(t)]


@njit(fma=True)
def forward(xp, w, bias, sh, sw, dh, dw, out):
    """out[n, o, y, x] = b[o] + sum_{i,j} W[o, i, j] xp[n, o // M, y*sh + i*dh, x*sw + j*dw]
    for padded xp (N, C, Hp, Wp) and W (O, KH, KW). With stride 1 the output plane is
    computed Wp wide (row y at y*Wp, the columns past OW unused), so that each tap (i, j)
    is one long axpy over the whole plane; then the OW wanted columns are copied out."""
    n_, c_, hp, wp = xp.shape
    _, o_, oh, ow = out.shape
    _, kh, kw = w.shape
    per_channel = o_ // c_
    xf, of = xp.reshape(-1), out.reshape(-1)
    wide = np.empty((oh - 1) * wp + ow, out.dtype)
    zero = np.uint64(0)
    for n in range(n_):
        for o in range(o_):
            plane = (n * c_ + o // per_channel) * hp * wp
            if sh == 1 and sw == 1:
                wide[:] = bias[o]
                for i in range(kh):
                    for j in range(kw):
                        src = np.uint64(plane + i * dh * wp + j * dw)
                        _axpy(wide, zero, w[o, i, j], xf, src, 1, wide.size)
                for y in range(oh):
                    out[n, o, y] = wide[y * wp:y * wp + ow]
                continue
            for y in range(oh):
                dst = np.uint64(((n * o_ + o) * oh + y) * ow)
                for x in range(ow):
                    of[dst + np.uint64(x)] = bias[o]
                for i in range(kh):
                    for j in range(kw):
                        src = np.uint64(plane + (y * sh + i * dh) * wp + j * dw)
                        _axpy(of, dst, w[o, i, j], xf, src, sw, ow)


@njit()
def _widen(g, n, o, wp, wide):
    """wide[y*Wp + x] = g[n, o, y, x], zero in the columns past OW"""
    _, _, oh, ow = g.shape
    wide[:] = 0
    for y in range(oh):
        wide[y * wp:y * wp + ow] = g[n, o, y]


@njit(fma=True)
def input_grad(g, w, sh, sw, dh, dw, dxp):
    """dxp[n, o // M, y*sh + i*dh, x*sw + j*dw] += W[o, i, j] g[n, o, y, x] (dxp zeroed):
    the adjoint of forward in xp. With stride 1, g's plane is first laid out Wp wide
    (zeros past OW) so that each tap is one long axpy."""
    n_, o_, oh, ow = g.shape
    _, c_, hp, wp = dxp.shape
    _, kh, kw = w.shape
    per_channel = o_ // c_
    gf, df = g.reshape(-1), dxp.reshape(-1)
    wide = np.empty((oh - 1) * wp + ow, g.dtype)
    zero = np.uint64(0)
    for n in range(n_):
        for o in range(o_):
            plane = (n * c_ + o // per_channel) * hp * wp
            if sh == 1 and sw == 1:
                _widen(g, n, o, wp, wide)
                for i in range(kh):
                    for j in range(kw):
                        dst = np.uint64(plane + i * dh * wp + j * dw)
                        _scatter_axpy(df, dst, 1, w[o, i, j], wide, zero, wide.size)
                continue
            for y in range(oh):
                src = np.uint64(((n * o_ + o) * oh + y) * ow)
                for i in range(kh):
                    for j in range(kw):
                        dst = np.uint64(plane + (y * sh + i * dh) * wp + j * dw)
                        _scatter_axpy(df, dst, sw, w[o, i, j], gf, src, ow)


@njit(fma=True, reassoc=True)
def _dot(a, a0, b, b0, step, count):
    """sum_t a[a0 + t] b[b0 + t*step] for t < count, vectorized into partial sums (reassoc)"""
    total = a.dtype.type(0)
    if step == 1:
        for t in range(count):
            total += a[a0 + np.uint64(t)] * b[b0 + np.uint64(t)]
    else:
        for t in range(count):
            total += a[a0 + np.uint64(t)] * b[b0 + np.uint64(t * step)]
    return total


@njit(fma=True)
def weight_grad(xp, g, sh, sw, dh, dw, dw_out):
    """dW[o, i, j] += sum_{n,y,x} g[n, o, y, x] xp[n, o // M, y*sh + i*dh, x*sw + j*dw]:
    the adjoint of forward in W (accumulated into dw_out), one dot product per tap: of g's
    plane laid out Wp wide (zeros past OW) with a shifted input plane when the stride is 1,
    else of each row of g with the strided input row."""
    n_, c_, hp, wp = xp.shape
    _, o_, oh, ow = g.shape
    _, kh, kw = dw_out.shape
    per_channel = o_ // c_
    xf, gf = xp.reshape(-1), g.reshape(-1)
    wide = np.empty((oh - 1) * wp + ow, g.dtype)
    zero = np.uint64(0)
    for n in range(n_):
        for o in range(o_):
            plane = (n * c_ + o // per_channel) * hp * wp
            if sh == 1 and sw == 1:
                _widen(g, n, o, wp, wide)
                for i in range(kh):
                    for j in range(kw):
                        src = np.uint64(plane + i * dh * wp + j * dw)
                        dw_out[o, i, j] += _dot(wide, zero, xf, src, 1, wide.size)
                continue
            for y in range(oh):
                row = np.uint64(((n * o_ + o) * oh + y) * ow)
                for i in range(kh):
                    for j in range(kw):
                        src = np.uint64(plane + (y * sh + i * dh) * wp + j * dw)
                        dw_out[o, i, j] += _dot(gf, row, xf, src, sw, ow)
