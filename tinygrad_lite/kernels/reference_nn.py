"""Plain-NumPy twins of the convolution, batch-norm and activation kernels
(`conv.py`, `batchnorm.py`, `activation.py`): the fallback when Numba is off and the oracle
the kernel tests use.

Same names, arguments and results as the compiled versions; inputs are never changed.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def out_size(size, k, s, p):
    """Output length of a window of k with stride s over size + 2p: (size + 2p - k) // s + 1"""
    return (size + 2 * p - k) // s + 1


def _windows(x, kernel_size, stride, padding, fill):
    """(N, C, OH, OW, KH, KW) view of the padded input's windows."""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    return sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]


def im2col(x, kernel_size, stride, padding):
    """col[(n, y, x), (i, j, c)] = x_pad[n, c, y*sh + i, x*sw + j]"""
    win = _windows(x, kernel_size, stride, padding, 0)      # n c y x i j
    return np.ascontiguousarray(win.transpose(0, 2, 3, 4, 5, 1)).reshape(
        -1, x.shape[1] * kernel_size[0] * kernel_size[1])


def col2im(col, input_shape, kernel_size, stride, padding):
    """The adjoint of im2col: scatter-add each column entry back to its input position."""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    n, c, h, w = input_shape
    oh, ow = out_size(h, kh, sh, ph), out_size(w, kw, sw, pw)
    blocks = col.reshape(n, oh, ow, kh, kw, c)
    dx = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=col.dtype)
    for i in range(kh):
        for j in range(kw):
            dx[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw] += blocks[:, :, :, i, j].transpose(
                0, 3, 1, 2)
    return dx[:, :, ph:ph + h, pw:pw + w]


def conv2d_fwd(x, weight, bias, stride, padding):
    """out[n, o, y, x] = sum_{c,i,j} W[o, c, i, j] x_pad[n, c, y*sh + i, x*sw + j] + b[o]"""
    win = _windows(x, weight.shape[2:], stride, padding, 0)
    out = np.einsum("ncyxij,ocij->noyx", win, weight.astype(x.dtype, copy=False))
    return out if bias is None else out + bias.astype(x.dtype)[:, None, None]


def conv2d_input_grad(g, weight, input_shape, stride, padding):
    """dx = col2im(dout_rows @ Wt^T): the adjoint of conv2d_fwd in x, with
    dout_rows[(n, y, x), o] = dout[n, o, y, x] and Wt[(i, j, c), o] = W[o, c, i, j]"""
    w2 = weight.transpose(0, 2, 3, 1).reshape(weight.shape[0], -1).astype(g.dtype, copy=False)
    rows = g.transpose(0, 2, 3, 1).reshape(-1, g.shape[1])
    return col2im(rows @ w2, input_shape, weight.shape[2:], stride, padding)


def conv2d_weight_grad(x, g, kernel_size, stride, padding):
    """dW[o, c, i, j] = sum_{n,y,x} dout[n, o, y, x] x_pad[n, c, y*sh + i, x*sw + j]"""
    win = _windows(x, kernel_size, stride, padding, 0)
    return np.einsum("ncyxij,noyx->ocij", win, g)


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
