"""Plain-NumPy twins of the convolution, batch-norm and activation kernels
(`conv.py`, `batchnorm.py`, `activation.py`): the fallback when Numba is off and the oracle
the kernel tests use.

Same names, arguments and results as the compiled versions; inputs are never changed.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _windows(x, kernel_size, stride, padding, dilation):
    """(N, C, OH, OW, KH, KW) view of the zero-padded input's windows, taps `dilation` apart"""
    (ph, pw), (dh, dw) = padding, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span = (dh * (kernel_size[0] - 1) + 1, dw * (kernel_size[1] - 1) + 1)
    win = sliding_window_view(xp, span, axis=(2, 3))
    return win[:, :, ::stride[0], ::stride[1], ::dh, ::dw]


def _grouped(a, groups):
    """(N, C, ...) -> (N, G, C/G, ...)"""
    return a.reshape((a.shape[0], groups, a.shape[1] // groups) + a.shape[2:])


def im2col(x, kernel_size, stride, padding, dilation, groups):
    """col[g, (n, y, x), (i, j, c)] = x_pad[n, g*Cg + c, y*sh + i*dh, x*sw + j*dw]"""
    win = _grouped(_windows(x, kernel_size, stride, padding, dilation), groups)  # n g c y x i j
    return np.ascontiguousarray(win.transpose(1, 0, 3, 4, 5, 6, 2)).reshape(
        groups, -1, win.shape[2] * kernel_size[0] * kernel_size[1])


def col2im(col, input_shape, kernel_size, stride, padding, dilation):
    """The adjoint of im2col: scatter-add each column entry back to its input position."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    n, c, h, w = input_shape
    groups = col.shape[0]
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    blocks = col.reshape(groups, n, oh, ow, kh, kw, c // groups)     # g n y x i j c
    dx = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=col.dtype)
    for i in range(kh):
        for j in range(kw):
            tap = blocks[:, :, :, :, i, j].transpose(1, 0, 4, 2, 3).reshape(n, c, oh, ow)
            dx[:, :, i * dh:i * dh + sh * oh:sh, j * dw:j * dw + sw * ow:sw] += tap
    return dx[:, :, ph:ph + h, pw:pw + w]


def conv2d_fwd(x, weight, bias, stride, padding, dilation, groups):
    """out[n, g*Og + o, y, x] = sum_{c,i,j} W[g*Og + o, c, i, j]
    x_pad[n, g*Cg + c, y*sh + i*dh, x*sw + j*dw] + b[g*Og + o]"""
    win = _grouped(_windows(x, weight.shape[2:], stride, padding, dilation), groups)
    w = weight.astype(x.dtype, copy=False).reshape((groups, -1) + weight.shape[1:])
    out = np.einsum("ngcyxij,gocij->ngoyx", win, w)
    out = out.reshape((x.shape[0], weight.shape[0]) + out.shape[3:])
    return out if bias is None else out + bias.astype(x.dtype)[:, None, None]


def conv2d_input_grad(g, weight, input_shape, stride, padding, dilation, groups):
    """dx[n, g*Cg + c, y*sh + i*dh - ph, x*sw + j*dw - pw] += W[g*Og + o, c, i, j]
    dout[n, g*Og + o, y, x]: the adjoint of conv2d_fwd in x, one tap (i, j) at a time"""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, c, h, w = input_shape
    oh, ow = g.shape[2:]
    gg = _grouped(g, groups)                                         # n g o y x
    wg = weight.astype(g.dtype, copy=False).reshape((groups, -1) + weight.shape[1:])
    dx = np.zeros((n, groups, c // groups, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
    for i in range(weight.shape[2]):
        for j in range(weight.shape[3]):
            dx[..., i * dh:i * dh + sh * oh:sh, j * dw:j * dw + sw * ow:sw] += np.einsum(
                "ngoyx,goc->ngcyx", gg, wg[:, :, :, i, j])
    return dx.reshape(n, c, h + 2 * ph, w + 2 * pw)[:, :, ph:ph + h, pw:pw + w]


def conv2d_weight_grad(x, g, kernel_size, stride, padding, dilation, groups):
    """dW[g*Og + o, c, i, j] = sum_{n,y,x} dout[n, g*Og + o, y, x]
    x_pad[n, g*Cg + c, y*sh + i*dh, x*sw + j*dw]"""
    win = _windows(x, kernel_size, stride, padding, dilation)[:, :, :g.shape[2], :g.shape[3]]
    dw = np.einsum("ngcyxij,ngoyx->gocij", _grouped(win, groups), _grouped(g, groups))
    return dw.reshape((g.shape[1],) + dw.shape[2:])


def bn_fwd(x, weight, bias, eps):
    """x (N, C, M) -> (y, mean, var) with per-channel batch mean and biased variance (float64):
    y = gamma (x - mean) / sqrt(var + eps) + beta;  weight/bias None means gamma=1/beta=0"""
    mean = x.mean(axis=(0, 2), dtype=np.float64)
    var = ((x - mean[:, None]) ** 2).mean(axis=(0, 2))
    y = (x - mean[:, None]) / np.sqrt(var + eps)[:, None]
    if weight is not None:
        y = y * weight[:, None] + bias[:, None]
    return y.astype(x.dtype, copy=False), mean, var


def bn_grad_sums(x, g, mean, invstd):
    """per channel, in float64: (sum(g * xhat), sum(g)) with xhat = (x - mean) * invstd"""
    xhat = (x - mean[:, None]) * invstd[:, None]
    return (g * xhat).sum(axis=(0, 2), dtype=np.float64), g.sum(axis=(0, 2), dtype=np.float64)


def bn_bwd(x, g, weight, mean, invstd, sum_gxhat, sum_g):
    """dx = gamma * invstd * (g - sum(g)/N - xhat * sum(g * xhat)/N), N = count per channel"""
    count = x.shape[0] * x.shape[2]
    xhat = (x - mean[:, None]) * invstd[:, None]
    scale = invstd if weight is None else weight * invstd
    dx = scale[:, None] * (g - (sum_g / count)[:, None] - xhat * (sum_gxhat / count)[:, None])
    return dx.astype(x.dtype, copy=False)


def leaky_relu_fwd(x, negative_slope):
    """y = x if x > 0 else a x, for a scalar slope a"""
    return np.where(x > 0, x, x * x.dtype.type(negative_slope))


def leaky_relu_bwd(x, g, negative_slope):
    """dL/dx = g if x > 0 else a g, for a scalar slope a"""
    return np.where(x > 0, g, g * g.dtype.type(negative_slope))


_erf_objects = np.frompyfunc(math.erf, 1, 1)  # exact in double precision; NumPy has no erf


def erf_fwd(x):
    """y = erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt"""
    return np.asarray(_erf_objects(x), dtype=x.dtype)


def gelu_fwd(x):
    """y = x (1 + erf(x / sqrt 2)) / 2 (the exact GELU)"""
    return (0.5 * x * (1 + erf_fwd(x / math.sqrt(2)))).astype(x.dtype, copy=False)


def gelu_bwd(x, g):
    """dL/dx = g (Phi(x) + x phi(x)), Phi(x) = (1 + erf(x / sqrt 2)) / 2,
    phi(x) = e^(-x^2/2) / sqrt(2 pi)"""
    cdf = 0.5 * (1 + erf_fwd(x / math.sqrt(2)))
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return (g * (cdf + x * pdf)).astype(g.dtype, copy=False)


def unfold(x, kernel_size, dilation, padding, stride):
    """out[n, (c, i, j), (y, x)] = x_pad[n, c, y*sh + i*dh, x*sw + j*dw] (torch's F.unfold),
    one tap (i, j) at a time"""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel_size, dilation, padding, stride
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i, j] = xp[:, :, i * dh:i * dh + sh * oh:sh, j * dw:j * dw + sw * ow:sw]
    return out.reshape(n, c * kh * kw, oh * ow)


def fold(g, output_size, kernel_size, dilation, padding, stride):
    """The adjoint of unfold: x_pad[n, c, y*sh + i*dh, x*sw + j*dw] += g[n, (c, i, j), (y, x)]
    (torch's F.fold), one tap (i, j) at a time"""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel_size, dilation, padding, stride
    (h, w), n = output_size, g.shape[0]
    c = g.shape[1] // (kh * kw)
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    taps = g.reshape(n, c, kh, kw, oh, ow)
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
    for i in range(kh):
        for j in range(kw):
            xp[:, :, i * dh:i * dh + sh * oh:sh, j * dw:j * dw + sw * ow:sw] += taps[:, :, i, j]
    return xp[:, :, ph:ph + h, pw:pw + w]
