"""e^x for one float32/float64 scalar, written so that LLVM vectorizes the calling loop.

Numba here has no SVML, so `np.exp` inside a loop is a scalar libm call. Instead:
    x = n ln2 + r,  |r| <= ln2/2          (range reduction, n an integer)
    e^r = 1 + q(r)                         (polynomial: only + and *, so it vectorizes)
    e^x = 2^n (1 + q)                      (2^n built from its bit pattern, no libm call)
Accuracy is about 1 ulp in each dtype; float32 is computed in float32 (16 SIMD lanes).
`exp` and `expm1` pick their float32 or float64 version at compile time (`overload`).
"""
import numpy as np
from numba import types
from numba.extending import overload

from ._jit import jit_options, njit

_LOG2E = 1.4426950408889634
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # fdlibm's split
_F32 = np.float32  # float32 constants must be float32 scalars, or Numba promotes to float64
_LOG2E_F32, _LN2_HI_F32, _LN2_LO_F32 = _F32(1.442695), _F32(0.693359375), _F32(-2.12194440e-4)
_P0, _P1, _P2 = _F32(1.9875691500e-4), _F32(1.3981999507e-3), _F32(8.3334519073e-3)
_P3, _P4, _P5 = _F32(4.1665795894e-2), _F32(1.6666665459e-1), _F32(5.0000001201e-1)
_HALF_F32 = _F32(0.5)


def exp(x):
    """e^x = 2^n (1 + q) for every x: overflow gives inf, underflow subnormals then 0.
    Compiled code only (float32 or float64 scalar)."""


def expm1(x):
    """e^x - 1 = (2^n - 1) + 2^n q, accurate near 0; for 0 <= x <= 80 (used by tanh).
    Compiled code only (float32 or float64 scalar)."""


@njit(fma=True)
def _reduce_f64(x):
    n = np.floor(x * _LOG2E + 0.5)
    r = (x - n * _LN2_HI) - n * _LN2_LO  # ln2 in two parts: n * _LN2_HI is exact
    # Taylor series to r^13 / 13!: the next term is < 1e-17 for |r| <= ln2/2
    q = r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (
        1 / 5040 + r * (1 / 40320 + r * (1 / 362880 + r * (1 / 3628800 + r * (
            1 / 39916800 + r * (1 / 479001600 + r / 6227020800))))))))))))
    return n, q


@njit(fma=True)
def _reduce_f32(x):
    n = np.floor(x * _LOG2E_F32 + _HALF_F32)
    r = (x - n * _LN2_HI_F32) - n * _LN2_LO_F32
    # Cephes expf minimax polynomial: e^r = 1 + r + r^2 P(r)
    q = r + r * r * (((((_P0 * r + _P1) * r + _P2) * r + _P3) * r + _P4) * r + _P5)
    return n, q


@njit()
def _pow2_f64(n):
    return np.int64((np.int64(n) + 1023) << 52).view(np.float64)  # biased exponent field


@njit()
def _pow2_f32(n):
    return np.int32((np.int32(n) + 127) << 23).view(np.float32)


# The clamps keep 2^n's exponent field in range; NaN fails both tests and passes through.
# 2^n is applied as two factors because 2^n alone is subnormal for the smallest results.
def _exp_f64(x):
    x = 710.0 if x > 710.0 else (-746.0 if x < -746.0 else x)
    n, q = _reduce_f64(x)
    half = np.floor(0.5 * n)
    return (1 + q) * _pow2_f64(half) * _pow2_f64(n - half)


def _exp_f32(x):
    x = _F32(89) if x > _F32(89) else (_F32(-104) if x < _F32(-104) else x)
    n, q = _reduce_f32(x)
    half = np.floor(_HALF_F32 * n)
    return (_F32(1) + q) * _pow2_f32(half) * _pow2_f32(n - half)


def _expm1_f64(x):
    n, q = _reduce_f64(x)
    s = _pow2_f64(n)
    return (s - 1) + s * q


def _expm1_f32(x):
    n, q = _reduce_f32(x)
    s = _pow2_f32(n)
    return (s - _F32(1)) + s * q


@overload(exp, jit_options=jit_options(fma=True))
def _exp_impl(x):
    return _exp_f32 if x == types.float32 else _exp_f64


@overload(expm1, jit_options=jit_options(fma=True))
def _expm1_impl(x):
    return _expm1_f32 if x == types.float32 else _expm1_f64
