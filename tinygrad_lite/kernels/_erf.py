"""erf(x) for one float32/float64 scalar, written so that LLVM vectorizes the calling loop.

erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt is odd; with a = |x| it is computed in two
pieces, both evaluated and one picked by a select (no branch, no libm call):
    a < 1:   erf(x) = x + x R(x^2),                R(u) ~ erf(sqrt u) / sqrt u - 1
    a >= 1:  erf(x) = sign(x) (1 - e^(-a^2) Q(s)),  s = (a - k) / (a + k),
             Q(s) ~ e^(a^2) erfc(a)  (the scaled complement, smooth and slowly varying)
R and Q are Chebyshev interpolants (mpmath.chebyfit, 40 digits) in u on [0, 1] and in s on
the image of 1 <= a <= A, with e^(-a^2) from _exp.exp. Beyond A, erf rounds to +-1 and a is
clamped to A. Degrees, and the approximation error after rounding the coefficients to the
dtype (|x| < 1: |R error|, a >= 1: |e^(-a^2) Q - erfc(a)|):
    float64: R degree 11, 4e-17;  Q degree 14, k = 2.5, A = 6, 2e-17
    float32: R degree  6, 5e-9;   Q degree  6, k = 2,   A = 4, 5e-9
Measured against math.erf (tests/test_kernels_erf.py): at most 1.0 ulp in float64 and 1.05 ulp
in float32 (computed in float32: twice the SIMD lanes). NaN propagates, erf(+-0) = +-0.
`erf` picks its float32 or float64 version at compile time (`overload`).
"""
import numpy as np
from numba import types
from numba.extending import overload

from ._exp import exp
from ._jit import njit

_F32 = np.float32  # float32 constants must be float32 scalars, or Numba promotes to float64

# Highest degree first, as Horner's rule uses them.
_R_F64 = (-7.795898827002142e-10, 1.3720064546777686e-08, -1.6208483801871705e-07,
          1.6447424703317362e-06, -1.492473690741966e-05, 0.00012055294904839707,
          -0.0008548325975389692, 0.0052239776071164225, -0.02686617064323777,
          0.11283791670945006, -0.37612638903183543, 0.12837916709551256)
_Q_F64 = (-1.587633893127344e-06, -2.2328516517555215e-06, 7.499735050763299e-06,
          1.8596747731144528e-05, -3.4175718896856294e-05, -0.00012887483134837842,
          0.0002283799633257643, 0.0008759152875774328, -0.0026423659518134547,
          -0.003993701160123029, 0.03992253907546523, -0.12503305237891782,
          0.2517131932174488, -0.37173673394897294, 0.2108063640611436)
_R_F32 = tuple(_F32(c) for c in (7.875875e-05, -0.00080168643, 0.0051890872, -0.026854211,
                                  0.11283594, -0.37612626, 0.12837917))
_Q_F32 = tuple(_F32(c) for c in (-0.0008379754, 0.00681114, 0.0037323718, -0.07896831,
                                  0.2416582, -0.42718598, 0.25539568))


def erf(x):
    """erf(x) for every x, to about 1 ulp. Compiled code only (float32 or float64 scalar)."""


@njit(fma=True)
def _horner(s, coeffs):
    p = coeffs[0]
    for c in coeffs[1:]:
        p = p * s + c
    return p


# inline="always": Numba pastes the body into the calling loop, compiled with the loop's options
# (the erf kernels allow fma). As a called function it is too large for LLVM to inline, and the
# call would stop the loop from being vectorized.
@overload(erf, inline="always")
def _erf_impl(x):
    f32 = x == types.float32
    one, k, clamp = (_F32(1), _F32(2), _F32(4)) if f32 else (1.0, 2.5, 6.0)
    r_coeffs, q_coeffs = (_R_F32, _Q_F32) if f32 else (_R_F64, _Q_F64)

    def impl(x):
        a = abs(x)
        b = clamp if a > clamp else a  # NaN fails `a > clamp` and passes through
        tail = one - exp(-b * b) * _horner((b - k) / (b + k), q_coeffs)
        tail = -tail if x < 0 else tail
        return x + x * _horner(x * x, r_coeffs) if a < one else tail
    return impl
