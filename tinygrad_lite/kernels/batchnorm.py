"""Fused batch-normalization kernels on x viewed as (N, C, M) (M = H*W, or L, or 1).
NumPy twins in `reference_nn.py`.

Forward, two passes:  mean, var = batch statistics of each channel (biased variance);
                      y = gamma * (x - mean) * invstd + beta,  invstd = 1 / sqrt(var + eps)
Backward, two passes: sums = (sum(g * xhat), sum(g)) per channel (= dgamma, dbeta);
                      dx = gamma * invstd * (g - sum(g)/N - xhat * sum(g * xhat)/N)
Reductions accumulate in float64 scalars per channel, which `reassoc` lets LLVM split into
vectorized partial sums (measured for this file, float32 (32, 16, 1024): the sums 0.18 ->
0.10 ms, the statistics 0.14 -> 0.08 ms, against accumulating into an M-long float64 row).
Serial loops: in the CNN's training step parallel ones lost to the OpenBLAS threads (see
kernels/conv.py; re-measured with the step at 50 ms: 50.1 serial, 52.6 ms parallel).
"""
import numpy as np

from ._checks import contiguous
from ._jit import njit


def _as3(x):
    return contiguous(x, "(N, C, M)", "batch-norm kernels")


@njit(reassoc=True)
def _stats(x, mean, var):
    """mean[c] = sum x / N;  var[c] = sum (x - mean)^2 / N, accumulated about x[0, c, 0]
    (a shift that keeps sum(d^2) - sum(d)^2/N from cancelling when |mean| >> std)"""
    n_, c_, m_ = x.shape
    count = n_ * m_
    for c in range(c_):
        shift = np.float64(x[0, c, 0])
        total1, total2 = 0.0, 0.0
        for n in range(n_):
            for m in range(m_):
                d = x[n, c, m] - shift
                total1 += d
                total2 += d * d
        mean[c] = shift + total1 / count
        var[c] = max(total2 / count - (total1 / count) ** 2, 0.0)


@njit(fma=True)
def _normalize(x, mean, scale, bias, y):
    """y = (x - mean) * scale + bias, with scale = gamma * invstd per channel"""
    n_, c_, m_ = x.shape
    for p in range(n_ * c_):
        n, c = p // c_, p % c_
        mu, a, b = x.dtype.type(mean[c]), x.dtype.type(scale[c]), x.dtype.type(bias[c])
        for m in range(m_):
            y[n, c, m] = (x[n, c, m] - mu) * a + b


@njit(reassoc=True)
def _grad_sums(x, g, mean, sum_gxc, sum_g):
    """sum_g[c] = sum g;  sum_gxc[c] = sum g * (x - mean), per channel"""
    n_, c_, m_ = x.shape
    for c in range(c_):
        mu = np.float64(mean[c])
        total_g, total_gxc = 0.0, 0.0
        for n in range(n_):
            for m in range(m_):
                gv = np.float64(g[n, c, m])
                total_g += gv
                total_gxc += gv * (x[n, c, m] - mu)
        sum_g[c], sum_gxc[c] = total_g, total_gxc


@njit(fma=True)
def _input_grad(x, g, mean, k_g, k_x, k_0, dx):
    """dx = k_g * g + k_x * (x - mean) + k_0 per channel: the closed form regrouped"""
    n_, c_, m_ = x.shape
    for p in range(n_ * c_):
        n, c = p // c_, p % c_
        t = x.dtype.type
        mu, a, b, z = t(mean[c]), t(k_g[c]), t(k_x[c]), t(k_0[c])
        for m in range(m_):
            dx[n, c, m] = a * g[n, c, m] + b * (x[n, c, m] - mu) + z


def bn_fwd(x, weight, bias, eps):
    """x (N, C, M) -> (y, mean, var): y = gamma (x - mean) / sqrt(var + eps) + beta, with the
    batch mean and biased variance of each channel (float64); weight/bias None mean gamma=1,
    beta=0"""
    x = _as3(x)
    c = x.shape[1]
    mean, var = np.empty(c), np.empty(c)
    _stats(x, mean, var)
    invstd = 1.0 / np.sqrt(var + eps)
    scale = invstd if weight is None else weight * invstd
    shift = np.zeros(c) if bias is None else bias.astype(np.float64)
    y = np.empty_like(x)
    _normalize(x, mean, scale.astype(np.float64), shift, y)
    return y, mean, var


def bn_grad_sums(x, g, mean, invstd):
    """per channel, in float64: (sum(g * xhat), sum(g)) with xhat = (x - mean) * invstd"""
    x, g = _as3(x), _as3(g)
    sum_gxc, sum_g = np.empty(x.shape[1]), np.empty(x.shape[1])
    _grad_sums(x, g, mean.astype(np.float64), sum_gxc, sum_g)
    return sum_gxc * invstd, sum_g


def bn_bwd(x, g, weight, mean, invstd, sum_gxhat, sum_g):
    """dx = gamma * invstd * (g - sum(g)/N - xhat * sum(g * xhat)/N), N = count per channel"""
    x, g = _as3(x), _as3(g)
    count = x.shape[0] * x.shape[2]
    invstd = invstd.astype(np.float64)
    k_g = invstd if weight is None else weight * invstd
    dx = np.empty_like(x)
    _input_grad(x, g, mean.astype(np.float64), k_g, -k_g * invstd * sum_gxhat / count,
                -k_g * sum_g / count, dx)
    return dx
