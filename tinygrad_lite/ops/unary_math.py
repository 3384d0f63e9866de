"""More elementwise math: rounding (flat, so a zero gradient, as PyTorch gives), logarithms
and exponentials accurate near 0, trigonometric and hyperbolic functions, atan2. The ops
that are short compositions of these (log2, rsqrt, lerp, hypot, ...) are registered as
compositions in composites.py."""
import math

import numpy as np

from ..function import Function, Sample, constant, register
from . import references as ref
from .samples import BROADCAST, UNARY, off_integers_and_halves, samples


ROUNDING = samples(UNARY, (off_integers_and_halves,))


class _Rounding(Function):
    """A rounding function `rule`: flat between its jumps, so d/da = 0 (PyTorch's gradient)."""
    def forward(ctx, a):
        return ctx.rule(a)

    def backward(ctx, g):
        return g * constant(np.zeros((), g.dtype))


@register("floor", samples=ROUNDING, reference=ref.by_math(math.floor), torch=lambda torch, a: a.floor())
class Floor(_Rounding):
    """the largest integer <= a;  d/da = 0"""
    rule = staticmethod(np.floor)


@register("ceil", samples=ROUNDING, reference=ref.by_math(math.ceil), torch=lambda torch, a: a.ceil())
class Ceil(_Rounding):
    """the smallest integer >= a;  d/da = 0"""
    rule = staticmethod(np.ceil)


@register("trunc", samples=ROUNDING, reference=ref.by_math(math.trunc), torch=lambda torch, a: a.trunc())
class Trunc(_Rounding):
    """a rounded toward zero;  d/da = 0"""
    rule = staticmethod(np.trunc)


@register("round", samples=ROUNDING + [Sample(((3, 4),), ("real",), {"decimals": 1})],
          reference=lambda a, decimals=0: np.round(a, decimals),
          torch=lambda torch, a, decimals=0: a.round(decimals=decimals))
class Round(_Rounding):
    """a rounded to `decimals` places, halves to even (as PyTorch and NumPy);  d/da = 0"""
    def forward(ctx, a, decimals=0):
        return np.round(a, decimals)


@register("log1p", samples=samples(UNARY, ("unit",)), reference=ref.by_math(math.log1p),
          torch=lambda torch, a: a.log1p())
class Log1p(Function):
    """ln(1 + a), accurate for tiny a;  d/da = 1 / (1 + a)"""
    def forward(ctx, a):
        return np.log1p(a)

    def backward(ctx, g):
        return g / (ctx.inputs[0] + 1)


@register("expm1", samples=samples(UNARY), reference=ref.by_math(math.expm1),
          torch=lambda torch, a: a.expm1())
class Expm1(Function):
    """e^a - 1, accurate for tiny a;  d/da = e^a = output + 1"""
    saves_output = True

    def forward(ctx, a):
        return np.expm1(a)

    def backward(ctx, g):
        return g * (ctx.output + 1)


@register("tan", samples=samples(UNARY, ("unit",)), reference=ref.by_math(math.tan),
          torch=lambda torch, a: a.tan())
class Tan(Function):
    """tan(a);  d/da = 1 + tan(a)^2"""
    saves_output = True

    def forward(ctx, a):
        return np.tan(a)

    def backward(ctx, g):
        out = ctx.output
        return g * (out * out + 1)


@register("asin", samples=samples(UNARY, ("unit",)), reference=ref.by_math(math.asin),
          torch=lambda torch, a: a.asin())
class Asin(Function):
    """arcsin(a) for a in [-1, 1];  d/da = 1 / sqrt(1 - a^2)"""
    def forward(ctx, a):
        return np.arcsin(a)

    def backward(ctx, g):
        a = ctx.inputs[0]
        return g / (1 - a * a).sqrt()


@register("acos", samples=samples(UNARY, ("unit",)), reference=ref.by_math(math.acos),
          torch=lambda torch, a: a.acos())
class Acos(Function):
    """arccos(a) for a in [-1, 1];  d/da = -1 / sqrt(1 - a^2)"""
    def forward(ctx, a):
        return np.arccos(a)

    def backward(ctx, g):
        a = ctx.inputs[0]
        return -(g / (1 - a * a).sqrt())


@register("atan", samples=samples(UNARY), reference=ref.by_math(math.atan),
          torch=lambda torch, a: a.atan())
class Atan(Function):
    """arctan(a);  d/da = 1 / (1 + a^2)"""
    def forward(ctx, a):
        return np.arctan(a)

    def backward(ctx, g):
        a = ctx.inputs[0]
        return g / (a * a + 1)


@register("sinh", samples=samples(UNARY), reference=ref.by_math(math.sinh),
          torch=lambda torch, a: a.sinh())
class Sinh(Function):
    """sinh(a) = (e^a - e^-a) / 2;  d/da = cosh(a)"""
    def forward(ctx, a):
        return np.sinh(a)

    def backward(ctx, g):
        return g * ctx.inputs[0].cosh()


@register("cosh", samples=samples(UNARY), reference=ref.by_math(math.cosh),
          torch=lambda torch, a: a.cosh())
class Cosh(Function):
    """cosh(a) = (e^a + e^-a) / 2;  d/da = sinh(a)"""
    def forward(ctx, a):
        return np.cosh(a)

    def backward(ctx, g):
        return g * ctx.inputs[0].sinh()


@register("atan2", samples=samples(BROADCAST),
          reference=ref.by_math(math.atan2), torch=lambda torch, y, x: torch.atan2(y, x))
class Atan2(Function):
    """the angle of the point (x, y), in (-pi, pi];
    d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2)"""
    def forward(ctx, y, x):
        return np.arctan2(y, x)

    def backward(ctx, g):
        y, x = ctx.inputs
        scale = g / (x * x + y * y)
        need_y, need_x = ctx.needs_input_grad
        return (scale * x if need_y else None), (-(scale * y) if need_x else None)
