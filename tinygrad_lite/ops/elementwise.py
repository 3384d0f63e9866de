"""Elementwise ops. Binary ops broadcast like NumPy; their backward returns gradients of the
output's shape and the engine sums them back to each input's shape."""
import math

import numpy as np

from .. import kernels as K
from ..function import Function, Sample, constant, register
from . import references as ref
from .samples import BROADCAST, UNARY, samples


@register("add", samples=samples(BROADCAST), reference=np.add,
          torch=lambda torch, a, b: a + b)
class Add(Function):
    """a + b;  d/da = d/db = 1"""
    summed_inputs = None                      # both: g, summed over broadcast dims

    def forward(ctx, a, b):
        return a + b

    def backward(ctx, g):       # d(a+b)/da = d(a+b)/db = 1
        return g, g

    backward_arrays = backward  # the same formula on arrays


@register("sub", samples=samples(BROADCAST), reference=np.subtract,
          torch=lambda torch, a, b: a - b)
class Sub(Function):
    """a - b;  d/da = 1, d/db = -1"""
    summed_inputs = None                      # both: +g and -g, summed over broadcast dims

    def forward(ctx, a, b):
        return a - b

    def backward(ctx, g):
        return g, -g

    backward_arrays = backward  # the same formula on arrays


@register("mul", samples=samples(BROADCAST), reference=np.multiply,
          torch=lambda torch, a, b: a * b)
class Mul(Function):
    """a * b;  d/da = b, d/db = a"""
    def forward(ctx, a, b):
        return a * b

    def backward(ctx, g):       # d(ab)/da = b, d(ab)/db = a
        return _mul_grads(g, *ctx.inputs, ctx.needs_input_grad)

    def backward_arrays(ctx, g):
        return _mul_grads(g, *ctx.input_arrays, ctx.needs_input_grad)


def _mul_grads(g, a, b, need):
    """Mul's (g b, g a) where `need` says; the same formula for Tensors or arrays."""
    return (g * b if need[0] else None), (g * a if need[1] else None)


@register("div", samples=samples(BROADCAST, ("real", "real")), reference=np.divide,
          torch=lambda torch, a, b: a / b)
class Div(Function):
    """a / b;  d/da = 1/b, d/db = -a/b^2"""
    def forward(ctx, a, b):
        return a / b

    def backward(ctx, g):       # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return _div_grads(g, *ctx.inputs, ctx.needs_input_grad)

    def backward_arrays(ctx, g):
        return _div_grads(g, *ctx.input_arrays, ctx.needs_input_grad)


def _div_grads(g, a, b, need):
    """Div's (g / b, -g a / b^2) where `need` says; the same formula for Tensors or arrays."""
    return (g / b if need[0] else None), (-(g * a) / (b * b) if need[1] else None)


@register("neg", samples=samples(UNARY), reference=np.negative, torch=lambda torch, a: -a)
class Neg(Function):
    """-a;  d/da = -1"""
    def forward(ctx, a):
        return -a

    def backward(ctx, g):
        return -g

    backward_arrays = backward  # the same formula on arrays


@register("pow", samples=samples(BROADCAST, ("positive", "real")), reference=ref.by_math(math.pow),
          torch=lambda torch, a, b: a ** b)
class Pow(Function):
    """a^b;  d/da = b a^(b-1), d/db = a^b ln a"""
    saves_output = True

    def forward(ctx, a, b):
        return np.power(a, b)

    def backward(ctx, g):       # d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        zero = constant(np.zeros((), g.dtype))
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):  # the branches where() drops
            if need_a:          # a^0 is constant even at a = 0 (where a^-1 is inf)
                grad_a = g * Where.apply(constant(b._data == 0), zero, b * a ** (b - 1))
            if need_b:          # as PyTorch: 0 where a = 0 and b >= 0, instead of 0 * -inf
                flat = constant((a._data == 0) & (b._data >= 0))
                grad_b = g * Where.apply(flat, zero, ctx.output * a.log())
        return grad_a, grad_b


class _Select(Function):
    """maximum/minimum: the gradient goes to the selected input, split evenly on ties."""
    def forward(ctx, a, b):
        out = ctx.pick(a, b)
        ctx.share_a = np.where(a == b, 0.5, a == out).astype(out.dtype)
        return out

    def backward(ctx, g):
        return g * constant(ctx.share_a), g * constant(1 - ctx.share_a)


@register("maximum", samples=samples(BROADCAST), reference=ref.larger,
          torch=lambda torch, a, b: torch.maximum(a, b))
class Maximum(_Select):
    """max(a, b) elementwise; the gradient goes to the larger input, half each on ties"""
    pick = staticmethod(np.maximum)


@register("minimum", samples=samples(BROADCAST), reference=ref.smaller,
          torch=lambda torch, a, b: torch.minimum(a, b))
class Minimum(_Select):
    """min(a, b) elementwise; the gradient goes to the smaller input, half each on ties"""
    pick = staticmethod(np.minimum)


@register("where", samples=[Sample(((3, 4), (3, 4), (3, 4)), ("bool", "real", "real")),
                            Sample(((3, 4), (4,), ()), ("bool", "real", "real"))],
          reference=ref.blend, torch=lambda torch, c, a, b: torch.where(c, a, b))
class Where(Function):
    """condition ? a : b;  the gradient goes to the input that was picked"""
    def forward(ctx, condition, a, b):
        return np.where(condition, a, b)

    def backward(ctx, g):       # the gradient flows to whichever input was picked
        condition = ctx.parents[0]
        zero = constant(np.zeros((), g.dtype))
        need_a, need_b = ctx.needs_input_grad[1:]
        return (None, Where.apply(condition, g, zero) if need_a else None,
                Where.apply(condition, zero, g) if need_b else None)

    def backward_arrays(ctx, g):
        condition = ctx.parents[0]._data
        zero = np.zeros((), g.dtype)
        need_a, need_b = ctx.needs_input_grad[1:]
        return (None, np.where(condition, g, zero) if need_a else None,
                np.where(condition, zero, g) if need_b else None)


@register("exp", samples=samples(UNARY), reference=ref.by_math(math.exp), torch=lambda torch, a: a.exp())
class Exp(Function):
    """e^a;  d/da = e^a (the output)"""
    saves_output = True

    def forward(ctx, a):
        return K.exp_fwd(a)

    def backward(ctx, g):       # d(e^a)/da = e^a
        return g * ctx.output

    def backward_arrays(ctx, g):
        return g * ctx.output._data


@register("log", samples=samples(UNARY, ("positive",)), reference=ref.by_math(math.log),
          torch=lambda torch, a: a.log())
class Log(Function):
    """ln a;  d/da = 1/a"""
    def forward(ctx, a):
        return np.log(a)

    def backward(ctx, g):       # d(ln a)/da = 1/a
        return g / ctx.inputs[0]

    def backward_arrays(ctx, g):
        return g / ctx.input_arrays[0]


@register("sqrt", samples=samples(UNARY, ("positive",)), reference=ref.by_math(math.sqrt),
          torch=lambda torch, a: a.sqrt())
class Sqrt(Function):
    """sqrt(a);  d/da = 1 / (2 sqrt(a))"""
    saves_output = True

    def forward(ctx, a):
        return np.sqrt(a)

    def backward(ctx, g):       # d(sqrt a)/da = 1 / (2 sqrt a)
        return g / (ctx.output * 2)

    def backward_arrays(ctx, g):
        return g / (ctx.output._data * 2)


@register("abs", samples=samples(UNARY), reference=np.abs, torch=lambda torch, a: a.abs())
class Abs(Function):
    """|a|;  d/da = sign(a)"""
    def forward(ctx, a):
        ctx.sign = np.sign(a)
        return np.abs(a)

    def backward(ctx, g):       # d|a|/da = sign(a)
        return g * constant(ctx.sign)


def _sign_by_comparisons(a):
    """sign written another way than the forward's np.sign: (a > 0) - (a < 0)."""
    return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)


@register("sign", samples=samples(UNARY), reference=_sign_by_comparisons,
          torch=lambda torch, a: a.sign())
class Sign(Function):
    """sign(a) in {-1, 0, 1};  d/da = 0"""
    def forward(ctx, a):
        return np.sign(a)

    def backward(ctx, g):       # flat everywhere except the jump at 0: a zero gradient
        return g * constant(np.zeros((), g.dtype))


@register("sin", samples=samples(UNARY), reference=ref.by_math(math.sin), torch=lambda torch, a: a.sin())
class Sin(Function):
    """sin(a);  d/da = cos(a)"""
    def forward(ctx, a):
        return np.sin(a)

    def backward(ctx, g):
        return g * ctx.inputs[0].cos()


@register("cos", samples=samples(UNARY), reference=ref.by_math(math.cos), torch=lambda torch, a: a.cos())
class Cos(Function):
    """cos(a);  d/da = -sin(a)"""
    def forward(ctx, a):
        return np.cos(a)

    def backward(ctx, g):
        return -(g * ctx.inputs[0].sin())


@register("clamp", samples=samples(UNARY, min=-0.5, max=0.7) + samples(UNARY, min=0.3),
          reference=lambda a, min=None, max=None: np.clip(a, min, max),
          torch=lambda torch, a, min=None, max=None: a.clamp(min, max))
class Clamp(Function):
    """min(max(a, min), max);  d/da = 1 inside [min, max], 0 where clamped"""
    def forward(ctx, a, min=None, max=None):
        out = np.clip(a, min, max).astype(a.dtype, copy=False)
        ctx.inside = ((a >= min) if min is not None else True) & \
            ((a <= max) if max is not None else True)
        return out

    def backward(ctx, g):       # 1 inside [min, max], 0 where clamped
        return g * constant(np.asarray(ctx.inside, dtype=g.dtype))

    def backward_arrays(ctx, g):
        return g * np.asarray(ctx.inside, dtype=g.dtype)


@register("cast", samples=[Sample(((3, 4),), (), {"dtype": np.float64})],
          reference=lambda a, dtype: a.astype(dtype),
          torch=lambda torch, a, dtype: a.double())
class Cast(Function):
    """a converted to another float dtype;  the gradient is cast back"""
    def forward(ctx, a, dtype):
        ctx.source = a.dtype
        return a.astype(dtype)

    def backward(ctx, g):
        return g.to(ctx.source)


@register("clone", samples=samples(UNARY),   # a copy: only the torch twin checks it
          torch=lambda torch, a: a.clone())
class Clone(Function):
    """a copy of a;  d/da = 1"""
    def forward(ctx, a):
        return a.copy()

    def backward(ctx, g):
        return g
