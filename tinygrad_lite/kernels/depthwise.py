"""Direct loops for depthwise convolution (groups == in_channels: each output channel o reads
one input channel, c = o // M, M = out_channels / in_channels), on a zero-padded NCHW input.
Its per-group GEMMs would be (rows x KH*KW) @ (KH*KW x M), far too small for BLAS, so the
windows are summed in place instead. kernels/conv.py cuts the batch into chunks and shares
them out to its threads; these loops run on one chunk. Their NumPy twins are the grouped
convolutions of `reference_nn.py`.
"""
from ._jit import njit


@njit(fma=True)
def forward(xp, w, bias, sh, sw, dh, dw, out):
    """out[n, o, y, x] = b[o] + sum_{i,j} W[o, i, j] xp[n, o // M, y*sh + i*dh, x*sw + j*dw]
    for padded xp (N, C, Hp, Wp) and W (O, KH, KW)"""
    n_, o_, oh, ow = out.shape
    per_channel = o_ // xp.shape[1]
    _, kh, kw = w.shape
    for n in range(n_):
        for o in range(o_):
            c = o // per_channel
            for y in range(oh):
                row = out[n, o, y]
                row[:] = bias[o]
                for i in range(kh):
                    src = xp[n, c, y * sh + i * dh]
                    for j in range(kw):
                        weight, start = w[o, i, j], j * dw
                        for x in range(ow):
                            row[x] += weight * src[start + x * sw]


@njit(fma=True)
def input_grad(g, w, sh, sw, dh, dw, dxp):
    """dxp[n, o // M, y*sh + i*dh, x*sw + j*dw] += W[o, i, j] g[n, o, y, x] (dxp zeroed):
    the adjoint of forward in xp"""
    n_, o_, oh, ow = g.shape
    per_channel = o_ // dxp.shape[1]
    _, kh, kw = w.shape
    for n in range(n_):
        for o in range(o_):
            c = o // per_channel
            for y in range(oh):
                grad = g[n, o, y]
                for i in range(kh):
                    dst = dxp[n, c, y * sh + i * dh]
                    for j in range(kw):
                        weight, start = w[o, i, j], j * dw
                        for x in range(ow):
                            dst[start + x * sw] += weight * grad[x]


@njit(fma=True)
def weight_grad(xp, g, sh, sw, dh, dw, dw_out):
    """dW[o, i, j] += sum_{n,y,x} g[n, o, y, x] xp[n, o // M, y*sh + i*dh, x*sw + j*dw]:
    the adjoint of forward in W (accumulated into dw_out)"""
    n_, o_, oh, ow = g.shape
    per_channel = o_ // xp.shape[1]
    _, kh, kw = dw_out.shape
    for n in range(n_):
        for o in range(o_):
            c = o // per_channel
            for i in range(kh):
                for j in range(kw):
                    acc, start = dw_out.dtype.type(0), j * dw
                    for y in range(oh):
                        src, grad = xp[n, c, y * sh + i * dh], g[n, o, y]
                        for x in range(ow):
                            acc += grad[x] * src[start + x * sw]
                    dw_out[o, i, j] += acc
