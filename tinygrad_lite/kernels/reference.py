"""Plain-NumPy twins of every kernel: the fallback when Numba is switched off and the
oracle that tests compare the compiled kernels against.

Each function takes and returns plain arrays of one floating dtype and never changes its
inputs. Row-wise kernels (softmax family) work on the last axis of a 2-D array.
"""
import numpy as np


def relu_fwd(x):
    """y = max(x, 0)"""
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def relu_bwd(x, g):
    """dL/dx = g * [x > 0]"""
    return np.where(x > 0, g, 0).astype(g.dtype, copy=False)


def sigmoid_fwd(x):
    """y = 1 / (1 + e^-x), evaluated as e^x / (1 + e^x) for x < 0 so nothing overflows"""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def sigmoid_bwd(y, g):
    """dL/dx = g * y * (1 - y), with y = sigmoid(x)"""
    return g * y * (1 - y)


def tanh_fwd(x):
    """y = tanh(x)"""
    return np.tanh(x)


def tanh_bwd(y, g):
    """dL/dx = g * (1 - y^2), with y = tanh(x)"""
    return g * (1 - y * y)


def exp_fwd(x):
    """y = e^x"""
    return np.exp(x)


def _row_max(x):
    """max of each row, or 0 where that is +-inf (such rows are not shifted)"""
    m = x.max(axis=1, keepdims=True)
    return np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)


def logsumexp_fwd(x):
    """rows: m + log(sum(e^(x - m))), m = max of the row (finite for logits of 1e4)"""
    m = _row_max(x)
    return (m + np.log(np.exp(x - m).sum(axis=1, keepdims=True)))[:, 0]


def log_softmax_fwd(x):
    """rows: x - logsumexp(x)"""
    return x - logsumexp_fwd(x)[:, None]


def log_softmax_bwd(y, g):
    """rows: dL/dx = g - e^y * sum(g), with y = log_softmax(x)"""
    return g - np.exp(y) * g.sum(axis=1, keepdims=True)


def softmax_fwd(x):
    """rows: e^(x - m) / sum(e^(x - m))"""
    e = np.exp(x - _row_max(x))
    return e / e.sum(axis=1, keepdims=True)


def softmax_bwd(y, g):
    """rows: dL/dx = y * (g - sum(g * y))"""
    return y * (g - (g * y).sum(axis=1, keepdims=True))


def matmul(a, b):
    """2-D matrix product a @ b"""
    return a @ b


def linear_fwd(x, weight, bias=None, activation=None):
    """y = act(x @ W^T + b), W in (out, in) layout; act is None or "relu" """
    if activation not in (None, "relu"):
        raise ValueError(f"activation must be None or 'relu', got {activation!r}")
    y = x @ weight.T
    if bias is not None:
        y = y + bias
    return relu_fwd(y) if activation == "relu" else y
