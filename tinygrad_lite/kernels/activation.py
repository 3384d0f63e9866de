"""Activation kernels behind nn: leaky ReLU forward and backward with a scalar slope, erf,
and the exact GELU forward and backward. One pass over flat contiguous arrays, writing into
`out`; NumPy twins in `reference_nn.py`. erf and e^x are the polynomial versions of _erf.py
and _exp.py (no libm call, so the loops vectorize).

The leaky ReLU loops are serial on purpose: they sit between convolutions, and Numba's OpenMP
threads still spinning after a parallel loop took the cores from the convolution threads
(measured in the lecture CNN's training step: 43 ms serial, 61-70 ms with prange loops).
"""
import math

import numpy as np
from numba import prange

from ._checks import flat
from ._erf import erf
from ._exp import exp
from ._jit import kernel, njit
from .thresholds import TRANSCENDENTAL_PARALLEL_MIN
from .elementwise import _run

SQRT_HALF = math.sqrt(0.5)
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


@njit()
def _leaky_relu_fwd(x, slope, out):
    """y = x if x > 0 else a x (NaN stays NaN)"""
    zero = x.dtype.type(0)
    for i in range(x.size):
        out[i] = x[i] if x[i] > zero else slope * x[i]


@njit()
def _leaky_relu_bwd(x, g, slope, out):
    """dL/dx = g if x > 0 else a g"""
    zero = x.dtype.type(0)
    for i in range(x.size):
        out[i] = g[i] if x[i] > zero else slope * g[i]


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _erf_fwd(x, out):
    """y = erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt"""
    for i in prange(x.size):
        out[i] = erf(x[i])


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _gelu_fwd(x, out):
    """y = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2"""
    half, one = x.dtype.type(0.5), x.dtype.type(1)
    scale = x.dtype.type(SQRT_HALF)
    for i in prange(x.size):
        out[i] = half * x[i] * (one + erf(x[i] * scale))


@kernel(fma=True, parallel_min=TRANSCENDENTAL_PARALLEL_MIN)
def _gelu_bwd(x, g, out):
    """dL/dx = g (Phi(x) + x phi(x)), Phi(x) = (1 + erf(x / sqrt 2)) / 2,
    phi(x) = e^(-x^2/2) / sqrt(2 pi)"""
    half, one = x.dtype.type(0.5), x.dtype.type(1)
    scale, norm = x.dtype.type(SQRT_HALF), x.dtype.type(INV_SQRT_2PI)
    for i in prange(x.size):
        v = x[i]
        cdf = half * (one + erf(v * scale))
        out[i] = g[i] * (cdf + v * norm * exp(-half * v * v))


def leaky_relu_fwd(x, negative_slope):
    """y = x if x > 0 else a x, for a scalar slope a"""
    (x_flat,) = flat(x)
    out = np.empty_like(x_flat)
    _leaky_relu_fwd(x_flat, x_flat.dtype.type(negative_slope), out)
    return out.reshape(x.shape)


def leaky_relu_bwd(x, g, negative_slope):
    """dL/dx = g if x > 0 else a g, for a scalar slope a"""
    x_flat, g_flat = flat(x, g)
    out = np.empty_like(g_flat)
    _leaky_relu_bwd(x_flat, g_flat, g_flat.dtype.type(negative_slope), out)
    return out.reshape(g.shape)


def erf_fwd(x):
    """y = erf(x)"""
    return _run(_erf_fwd, x)


def gelu_fwd(x):
    """y = x (1 + erf(x / sqrt 2)) / 2 (the exact GELU)"""
    return _run(_gelu_fwd, x)


def gelu_bwd(x, g):
    """dL/dx = g (Phi(x) + x phi(x)) for the exact GELU"""
    return _run(_gelu_bwd, x, g)
