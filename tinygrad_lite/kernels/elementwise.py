"""Elementwise kernels: one pass over flat contiguous arrays, writing into `out`.

The public functions take arrays of any shape (float32 or float64) and return a new array of
the same dtype; they make the inputs contiguous and flat before calling the loop.
"""
import math

import numpy as np
from numba import prange

from ._exp import exp, expm1
from ._checks import flat
from ._jit import kernel
from .thresholds import TRANSCENDENTAL_PARALLEL_MIN

TANH_CLAMP = 20.0  # tanh(20) rounds to 1 in float64 (and float32); keeps e^(2|x|) finite


def _run(loop, *arrays):
    """out = loop(*arrays) elementwise, returned with the shape of the first array."""
    flat_arrays = flat(*arrays)
    out = np.empty_like(flat_arrays[0])
    loop(*flat_arrays, out)
    return out.reshape(arrays[0].shape)


@kernel()
def _relu_fwd(x, out):
    """y = max(x, 0); NaN stays NaN as in np.maximum"""
    zero = x.dtype.type(0)
    for i in prange(x.size):
        out[i] = zero if x[i] <= zero else x[i]


@kernel()
def _relu_bwd(x, g, out):
    """dL/dx = g * [x > 0]"""
    zero = x.dtype.type(0)
    for i in prange(x.size):
        out[i] = g[i] if x[i] > zero else zero


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _sigmoid_fwd(x, out):
    """y = 1 / (1 + e^-x) = e^x / (1 + e^x); with e = e^-|x| <= 1 nothing overflows:
    y = 1 / (1 + e) for x >= 0, e / (1 + e) for x < 0"""
    one = x.dtype.type(1)
    for i in prange(x.size):
        e = exp(-abs(x[i]))
        out[i] = (one if x[i] >= 0 else e) / (one + e)


@kernel()
def _sigmoid_bwd(y, g, out):
    """dL/dx = g * y * (1 - y), with y = sigmoid(x)"""
    one = y.dtype.type(1)
    for i in prange(y.size):
        out[i] = g[i] * y[i] * (one - y[i])


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _tanh_fwd(x, out):
    """y = tanh(x) = sign(x) * u / (u + 2), with u = e^(2|x|) - 1 (expm1: exact near 0)"""
    big, two = x.dtype.type(TANH_CLAMP), x.dtype.type(2)
    for i in prange(x.size):
        a = abs(x[i])
        u = expm1(two * (big if a > big else a))  # NaN fails `a > big` and passes through
        out[i] = math.copysign(u / (u + two), x[i])


@kernel()
def _tanh_bwd(y, g, out):
    """dL/dx = g * (1 - y^2), with y = tanh(x)"""
    one = y.dtype.type(1)
    for i in prange(y.size):
        out[i] = g[i] * (one - y[i] * y[i])


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _exp_fwd(x, out):
    """y = e^x (polynomial exp, see _exp.py)"""
    for i in prange(x.size):
        out[i] = exp(x[i])


def relu_fwd(x):
    """y = max(x, 0)"""
    return _run(_relu_fwd, x)


def relu_bwd(x, g):
    """dL/dx = g * [x > 0]"""
    return _run(_relu_bwd, x, g)


def sigmoid_fwd(x):
    """y = 1 / (1 + e^-x), stable for any x"""
    return _run(_sigmoid_fwd, x)


def sigmoid_bwd(y, g):
    """dL/dx = g * y * (1 - y), with y = sigmoid(x)"""
    return _run(_sigmoid_bwd, y, g)


def tanh_fwd(x):
    """y = tanh(x)"""
    return _run(_tanh_fwd, x)


def tanh_bwd(y, g):
    """dL/dx = g * (1 - y^2), with y = tanh(x)"""
    return _run(_tanh_bwd, y, g)


def exp_fwd(x):
    """y = e^x"""
    return _run(_exp_fwd, x)
