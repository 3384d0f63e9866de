"""Plain-NumPy twins of the layer-normalization kernels (`layernorm.py`): the fallback when
Numba is off and the oracle the kernel tests use. Same names, arguments and results."""
import numpy as np


def ln_fwd(x, weight, bias, eps):
    """x (R, D) -> (y, mean, rstd): y = (x - mean) / sqrt(var + eps) * gamma + beta per row,
    mean and rstd (float64, length R); weight/bias None mean gamma = 1, beta = 0"""
    mean = x.mean(axis=1, dtype=np.float64)
    rstd = 1.0 / np.sqrt(((x - mean[:, None]) ** 2).mean(axis=1) + eps)
    y = (x - mean[:, None]) * rstd[:, None]
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y.astype(x.dtype, copy=False), mean, rstd


def ln_bwd(x, a, mean, rstd):
    """dx = rstd (a - mean(a) - xhat mean(a xhat)) per row, a = g * gamma"""
    xhat = (x - mean[:, None]) * rstd[:, None]
    dx = rstd[:, None] * (a - a.mean(axis=1, keepdims=True)
                          - xhat * (a * xhat).mean(axis=1, keepdims=True))
    return dx.astype(x.dtype, copy=False)


def ln_grad_sums(x, g, mean, rstd):
    """(2, D) float64: (sum over rows of g * xhat, sum over rows of g) = (dgamma, dbeta)"""
    xhat = (x - mean[:, None]) * rstd[:, None]
    return np.stack([(g * xhat).sum(axis=0, dtype=np.float64), g.sum(axis=0, dtype=np.float64)])
