"""Fused layer-normalization kernels on x viewed as rows (R, D): each row is normalized over
its D values. NumPy twins in `reference_norm.py`.

Forward, one row at a time: mean, var of the row (biased), rstd = 1 / sqrt(var + eps),
                            y = (x - mean) * rstd * gamma + beta   (gamma, beta of length D)
Backward, with a = g * gamma:  dx = rstd * (a - mean(a) - xhat * mean(a * xhat))
                               (dgamma, dbeta) = column sums of (g * xhat, g)
Row sums accumulate in float64 about the row's first value (a shift that keeps
sum(d^2) - sum(d)^2/D from cancelling when |mean| >> std), reordered into vectorized partial
sums (reassoc); x - mean is taken as (x - high) - low with the mean split into two parts of
x's dtype (a float32 mean alone would lose the digits that survive the subtraction).
Rows are spread over the cores once the input has PARALLEL_MIN elements (thresholds.py).
"""
import numpy as np
from numba import prange

from ._checks import contiguous
from ._jit import kernel, njit


def _rows(x):
    return contiguous(x, "(R, D)", "layer-norm kernels")


@njit(reassoc=True)
def _shifted_sums(row, shift):
    """(sum(row - shift), sum((row - shift)^2)) in float64"""
    s1, s2 = 0.0, 0.0
    for j in range(row.size):
        v = row[j] - shift
        s1 += v
        s2 += v * v
    return s1, s2


@njit(reassoc=True)
def _grad_row_sums(x_row, a_row, mean, rstd):
    """(sum(a), sum(a * xhat)) over one row in float64, xhat = (x - mean) rstd"""
    s1, s2 = 0.0, 0.0
    for j in range(x_row.size):
        a = np.float64(a_row[j])
        s1 += a
        s2 += a * ((x_row[j] - mean) * rstd)
    return s1, s2


@njit()
def _split_mean(mean, dtype):
    """The float64 mean as high + low parts in the kernel's dtype: (x - high) - low keeps
    the digits a mean rounded to float32 would lose, at float32 speed."""
    high = dtype(mean)
    return high, dtype(mean - np.float64(high))


@kernel(fma=True)
def _ln_fwd(x, weight, bias, eps, y, mean, rstd):
    """per row r: mean[r], rstd[r] = 1 / sqrt(var + eps); y = (x - mean) rstd gamma + beta"""
    rows, d = x.shape
    for r in prange(rows):
        shift = np.float64(x[r, 0])
        s1, s2 = _shifted_sums(x[r], shift)
        mu = s1 / d
        mean[r] = shift + mu
        rstd[r] = 1.0 / np.sqrt(max(s2 / d - mu * mu, 0.0) + eps)
        m, low = _split_mean(mean[r], x.dtype.type)
        scale = x.dtype.type(rstd[r])
        for j in range(d):
            y[r, j] = ((x[r, j] - m) - low) * scale * weight[j] + bias[j]


@kernel(fma=True)
def _ln_bwd(x, a, mean, rstd, dx):
    """per row: dx = rstd (a - mean(a) - xhat mean(a xhat)), xhat = (x - mean) rstd"""
    rows, d = x.shape
    for r in prange(rows):
        mu, k = mean[r], rstd[r]
        sa, sax = _grad_row_sums(x[r], a[r], mu, k)
        t = x.dtype.type
        m, low = _split_mean(mu, t)
        scale, mean_a, mean_ax = t(k), t(sa / d), t(sax / d)
        for j in range(d):
            dx[r, j] = scale * (a[r, j] - mean_a - ((x[r, j] - m) - low) * scale * mean_ax)


@njit(fma=True)
def _grad_sums(x, g, mean, rstd, sums):
    """sums[0, j] = sum over rows of g * xhat, sums[1, j] = sum over rows of g (float64);
    the inner loop runs along a row, so the D column sums are independent lanes"""
    rows, d = x.shape
    for r in range(rows):
        m, k = mean[r], rstd[r]
        for j in range(d):
            sums[0, j] += g[r, j] * ((x[r, j] - m) * k)
            sums[1, j] += g[r, j]


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


def ln_grad_sums(x, g, mean, rstd):
    """(2, D) float64: (sum over rows of g * xhat, sum over rows of g) = (dgamma, dbeta)"""
    x, g = _rows(x), _rows(g)
    sums = np.zeros((2, x.shape[1]))
    _grad_sums(x, g, mean, rstd, sums)
    return sums
