"""erf and the GELU activation built on it (exact, or with the tanh approximation), on the
fused kernels. GELU's exact backward is itself a registered op (`gelu_backward`), so second
derivatives work."""
import math

import numpy as np

from .. import kernels as K
from ..kernels import reference_nn as R
from ..function import Function, Sample, register
from . import references as ref
from .samples import SAME2, UNARY, samples

SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
GELU_TANH_C = 0.044715


@register("erf", samples=samples(UNARY),
          reference=ref.by_math(math.erf), torch=lambda torch, x: torch.erf(x))
class Erf(Function):
    """erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt;  d/dx = 2/sqrt(pi) e^(-x^2)"""
    def forward(ctx, x):
        return K.erf_fwd(x)

    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * (-(x * x)).exp() * (2 / math.sqrt(math.pi))


def _gelu_tanh(x):
    """GELU's tanh approximation: x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2"""
    return 0.5 * x * (1 + np.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x ** 3)))


@register("gelu", samples=samples(UNARY, approximate="none")
          + samples(UNARY[:2], approximate="tanh"),
          reference=ref.gelu,
          torch=lambda torch, x, approximate: torch.nn.functional.gelu(x, approximate=approximate))
class GELU(Function):
    """y = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2;  dy/dx = Phi(x) + x phi(x),
    phi(x) = e^(-x^2/2) / sqrt(2 pi). approximate="tanh": Phi(x) ~ (1 + tanh(u)) / 2 with
    u = sqrt(2/pi) (x + 0.044715 x^3)"""
    def forward(ctx, x, approximate):
        ctx.approximate = approximate
        if approximate == "tanh":
            return _gelu_tanh(x)
        return K.gelu_fwd(x)

    def backward(ctx, g):
        x = ctx.inputs[0]
        if ctx.approximate == "tanh":
            t = ((x + x * x * x * GELU_TANH_C) * SQRT_2_OVER_PI).tanh()
            du = (x * x * (3 * GELU_TANH_C) + 1) * SQRT_2_OVER_PI
            return g * ((t + 1) * 0.5 + x * (1 - t * t) * du * 0.5)
        return GELUBackward.apply(x, g)


def _gelu_pdf(x):
    """phi(x) = e^(-x^2/2) / sqrt(2 pi), from Tensor ops"""
    return (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))


@register("gelu_backward", samples=samples(SAME2), reference=ref.gelu_backward,
          torch=lambda torch, x, g: torch.ops.aten.gelu_backward(g, x))
class GELUBackward(Function):
    """dL/dx = g (Phi(x) + x phi(x)) for the exact GELU, fused; linear in g (its derivative
    is the same op on gg), and d/dx = g phi(x) (2 - x^2)"""
    def forward(ctx, x, g):
        return K.gelu_bwd(x, g) if x.dtype == g.dtype else R.gelu_bwd(x, g)

    def backward(ctx, gg):
        x, g = ctx.inputs
        need_x, need_g = ctx.needs_input_grad
        return (gg * g * _gelu_pdf(x) * (2 - x * x) if need_x else None,
                GELUBackward.apply(x, gg) if need_g else None)
