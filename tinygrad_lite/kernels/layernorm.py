"""Fused layer-normalization kernels on x viewed as rows (R, D): each row is normalized over
its D values. NumPy twins in `reference_norm.py`.

Forward, one row at a time: mean, var of the row (biased), rstd = 1 / sqrt(var + eps),
                            y = (x - mean) * rstd * gamma + beta   (gamma, beta of length D)
Backward, with a = g * gamma:  dx = rstd * (a - mean(a) - xhat * mean(a * xhat))
Row sums accumulate in float64 about the row's first value (a shift that keeps
sum(d^2) - sum(d)^2/D from cancelling when |mean| >> std), and x - mean is taken in float64
(a float32 mean would lose the digits that survive the subtraction). Rows are spread over the cores
once the input has PARALLEL_MIN elements.
"""
import numpy as np
from numba import prange

from ._jit import kernel


def _rows(x):
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"kernels take float32 or float64 arrays, got {x.dtype}")
    if x.ndim != 2:
        raise ValueError(f"layer-norm kernels take (R, D) arrays, got shape {x.shape}")
    return np.ascontiguousarray(x)


@kernel(fma=True)
def _ln_fwd(x, weight, bias, eps, y, mean, rstd):
    """per row r: mean[r], rstd[r] = 1 / sqrt(var + eps); y = (x - mean) rstd gamma + beta"""
    rows, d = x.shape
    for r in prange(rows):
        shift = np.float64(x[r, 0])
        s1, s2 = 0.0, 0.0
        for j in range(d):
            v = x[r, j] - shift
            s1 += v
            s2 += v * v
        mu = s1 / d
        mean[r] = shift + mu
        rstd[r] = 1.0 / np.sqrt(max(s2 / d - mu * mu, 0.0) + eps)
        m, k = mean[r], rstd[r]             # float64: x - mean keeps x's own precision
        for j in range(d):
            y[r, j] = (x[r, j] - m) * k * weight[j] + bias[j]


@kernel(fma=True)
def _ln_bwd(x, a, mean, rstd, dx):
    """per row: dx = rstd (a - mean(a) - xhat mean(a xhat)), xhat = (x - mean) rstd"""
    rows, d = x.shape
    for r in prange(rows):
        mu, k = mean[r], rstd[r]
        sa, sax = 0.0, 0.0
        for j in range(d):
            sa += a[r, j]
            sax += a[r, j] * ((x[r, j] - mu) * k)
        mean_a, mean_ax = sa / d, sax / d
        for j in range(d):
            dx[r, j] = k * (a[r, j] - mean_a - (x[r, j] - mu) * k * mean_ax)


def ln_fwd(x, weight, bias, eps):
    """x (R, D) -> (y, mean, rstd): y = (x - mean) / sqrt(var + eps) * gamma + beta per row,
    mean and rstd (float64, length R); weight/bias None mean gamma = 1, beta = 0"""
    x = _rows(x)
    d = x.shape[1]
    weight = np.ones(d, x.dtype) if weight is None else np.ascontiguousarray(weight, x.dtype)
    bias = np.zeros(d, x.dtype) if bias is None else np.ascontiguousarray(bias, x.dtype)
    y = np.empty_like(x)
    mean, rstd = np.empty(x.shape[0]), np.empty(x.shape[0])
    _ln_fwd(x, weight, bias, float(eps), y, mean, rstd)
    return y, mean, rstd


def ln_bwd(x, a, mean, rstd):
    """dx = rstd (a - mean(a) - xhat mean(a xhat)) per row, a = g * gamma"""
    x, a = _rows(x), _rows(a)
    dx = np.empty_like(x)
    _ln_bwd(x, a, mean, rstd, dx)
    return dx


KERNELS = {"ln_fwd": ln_fwd, "ln_bwd": ln_bwd}
