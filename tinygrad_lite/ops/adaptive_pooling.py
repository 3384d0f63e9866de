"""Adaptive 2-D pooling: the output size is given and the windows follow from it. Output
row y pools input rows [floor(y H / OH), ceil((y + 1) H / OH)) (and the same for columns),
so the windows cover the input exactly, overlapping by at most a row when OH does not
divide H.

    adaptive_avg_pool2d:           out = mean of each window
    adaptive_avg_pool2d_backward:  dx = g / window size spread over each window (its
                                   adjoint is adaptive_avg_pool2d)
    adaptive_max_pool2d:           out = max of each window; its backward is
                                   max_pool2d_backward (g scattered to the argmax positions)
"""
from ..function import Function, Sample, register
from .. import kernels as K
from . import references as ref
from .pooling import MaxPool2dBackward

ADAPTIVE = [Sample(((2, 2, 5, 7),), ("distinct",), {"output_size": (3, 2)}),
            Sample(((1, 3, 4, 4),), ("distinct",), {"output_size": (1, 1)}),
            Sample(((1, 1, 3, 2),), ("distinct",), {"output_size": (5, 4)})]


@register("adaptive_avg_pool2d", samples=ADAPTIVE, reference=ref.adaptive_avg_pool2d,
          torch=lambda torch, x, output_size: torch.nn.functional.adaptive_avg_pool2d(
              x, output_size))
class AdaptiveAvgPool2d(Function):
    """out[n, c, y, x] = mean of x[n, c, rows(y), cols(x)]"""
    def forward(ctx, x, output_size):
        return K.adaptive_avg_pool_fwd(x, tuple(output_size))

    def backward(ctx, g):
        return AdaptiveAvgPool2dBackward.apply(g, input_shape=ctx.inputs[0].shape)


@register("adaptive_avg_pool2d_backward",
          samples=[Sample(((2, 2, 3, 2),), (), {"input_shape": (2, 2, 5, 7)}),
                   Sample(((1, 1, 5, 4),), (), {"input_shape": (1, 1, 3, 2)})],
          # no reference: its values are adaptive_avg_pool2d's gradient, checked by gradcheck
          torch=lambda torch, g, input_shape: torch.ops.aten._adaptive_avg_pool2d_backward(
              g, torch.zeros(input_shape, dtype=g.dtype)))
class AdaptiveAvgPool2dBackward(Function):
    """dx[n, c, rows(y), cols(x)] += g[n, c, y, x] / window size"""
    def forward(ctx, g, input_shape):
        return K.adaptive_avg_pool_bwd(g, tuple(input_shape))

    def backward(ctx, gg):
        return AdaptiveAvgPool2d.apply(gg, output_size=ctx.inputs[0].shape[2:])


@register("adaptive_max_pool2d", samples=ADAPTIVE,
          reference=ref.adaptive_max_pool2d,
          torch=lambda torch, x, output_size: torch.nn.functional.adaptive_max_pool2d(
              x, output_size))
class AdaptiveMaxPool2d(Function):
    """out[n, c, y, x] = max of x[n, c, rows(y), cols(x)]; the gradient goes to the (first)
    position of each window's maximum. ctx.index holds those flat positions."""
    def forward(ctx, x, output_size):
        out, ctx.index = K.adaptive_max_pool_fwd(x, tuple(output_size))
        return out

    def backward(ctx, g):
        return MaxPool2dBackward.apply(g, index=ctx.index, input_shape=ctx.inputs[0].shape)
