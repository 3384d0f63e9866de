"""Row-wise kernels on 2-D arrays: logsumexp, log_softmax and softmax, forward and backward.

Each row is shifted by its maximum m before exponentiating, so e^(x - m) <= 1 never
overflows (rows of logits around 1e4 stay finite). Entries of -inf are allowed: they give
e^(-inf) = 0. A row whose maximum is +-inf is shifted by 0 instead, as in the NumPy twin.
Rows are independent, so the parallel build splits rows across threads.
"""
import numpy as np
from numba import prange

from ._checks import flat
from ._exp import exp
from ._jit import kernel, njit
from .thresholds import TRANSCENDENTAL_PARALLEL_MIN

def _rows(*arrays):
    """Contiguous 2-D copies/views of same-shape float arrays."""
    if arrays[0].ndim != 2:
        raise ValueError(f"row kernels take 2-D arrays, got shape {arrays[0].shape}")
    return [a.reshape(arrays[0].shape) for a in flat(*arrays)]


@njit()
def _row_max(row):
    """max of a row, or 0 when it is +-inf / empty (then nothing is shifted)"""
    m = -np.inf
    for v in row:
        m = v if v > m else m
    return m if np.isfinite(m) else 0.0


@njit(fma=True)
def _lse_row(row, out_row):
    """logsumexp of one row; writes e^(x - m) into out_row as scratch"""
    m = row.dtype.type(_row_max(row))
    s = 0.0
    for j in range(row.size):
        out_row[j] = exp(row[j] - m)
    for j in range(row.size):
        s += out_row[j]
    return m + np.log(s)


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _logsumexp_fwd(x, scratch, out):
    """out[i] = m + log(sum_j e^(x[i, j] - m)), m = max_j x[i, j]"""
    for i in prange(x.shape[0]):
        out[i] = _lse_row(x[i], scratch[i])


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _log_softmax_fwd(x, out):
    """y = x - logsumexp(x), per row"""
    for i in prange(x.shape[0]):
        lse = x.dtype.type(_lse_row(x[i], out[i]))
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] - lse


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _log_softmax_bwd(y, g, out):
    """dL/dx = g - e^y * sum(g), per row, with y = log_softmax(x)"""
    for i in prange(y.shape[0]):
        s = 0.0
        for j in range(y.shape[1]):
            s += g[i, j]
        s = y.dtype.type(s)
        for j in range(y.shape[1]):
            out[i, j] = g[i, j] - exp(y[i, j]) * s


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _softmax_fwd(x, out):
    """y = e^(x - m) / sum(e^(x - m)), per row"""
    for i in prange(x.shape[0]):
        m = x.dtype.type(_row_max(x[i]))
        s = 0.0
        for j in range(x.shape[1]):
            out[i, j] = exp(x[i, j] - m)
        for j in range(x.shape[1]):
            s += out[i, j]
        s = x.dtype.type(s)
        for j in range(x.shape[1]):
            out[i, j] /= s


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _softmax_bwd(y, g, out):
    """dL/dx = y * (g - sum(g * y)), per row, with y = softmax(x)"""
    for i in prange(y.shape[0]):
        s = 0.0
        for j in range(y.shape[1]):
            s += g[i, j] * y[i, j]
        s = y.dtype.type(s)
        for j in range(y.shape[1]):
            out[i, j] = y[i, j] * (g[i, j] - s)


def logsumexp_fwd(x):
    """rows: m + log(sum(e^(x - m))), m = max of the row; returns shape (rows,)"""
    (x,) = _rows(x)
    out = np.empty(x.shape[0], x.dtype)
    _logsumexp_fwd(x, np.empty_like(x), out)
    return out


def _run_rows(loop, *arrays):
    rows = _rows(*arrays)
    out = np.empty_like(rows[0])
    loop(*rows, out)
    return out


def log_softmax_fwd(x):
    """rows: y = x - logsumexp(x)"""
    return _run_rows(_log_softmax_fwd, x)


def log_softmax_bwd(y, g):
    """rows: dL/dx = g - e^y * sum(g), with y = log_softmax(x)"""
    return _run_rows(_log_softmax_bwd, y, g)


def softmax_fwd(x):
    """rows: y = e^(x - m) / sum(e^(x - m)), m = max of the row"""
    return _run_rows(_softmax_fwd, x)


def softmax_bwd(y, g):
    """rows: dL/dx = y * (g - sum(g * y)), with y = softmax(x)"""
    return _run_rows(_softmax_bwd, y, g)
