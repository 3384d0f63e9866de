"""2-D max and average pooling over NCHW tensors, each with its backward as a registered op.

    max_pool2d:           out = max of each window (padding is -inf); remembers the argmax
    max_pool2d_backward:  dx = g scattered to the argmax positions;  its adjoint is a gather
    avg_pool2d:           out = sum of each window / (KH*KW) (padding counts as zeros)
    avg_pool2d_backward:  dx = g / (KH*KW) spread over each window;  its adjoint is avg_pool2d
"""
import numpy as np

from ..function import Function, Sample, register
from ..kernels import reference_nn as R
from ..kernels import conv_kernels as K

POOL = [Sample(((2, 2, 4, 4),), ("distinct",), {"kernel_size": (2, 2), "stride": (2, 2),
                                                "padding": (0, 0)}),
        Sample(((1, 2, 5, 4),), ("distinct",), {"kernel_size": (3, 2), "stride": (2, 1),
                                                "padding": (1, 1)})]
# argmax positions of a (1, 2, 3, 3) input under 2x2 windows, stride 1: shared maxima repeat
MAX_INDEX = np.array([[[[4, 4], [4, 8]], [[13, 10], [13, 13]]]])


def _torch_max_pool(torch, x, kernel_size, stride, padding):
    return torch.nn.functional.max_pool2d(x, kernel_size, stride, padding)


def _torch_avg_pool(torch, x, kernel_size, stride, padding):
    return torch.nn.functional.avg_pool2d(x, kernel_size, stride, padding)


@register("max_pool2d", samples=POOL,
          reference=lambda x, **window: R.max_pool_fwd(x, **window)[0], torch=_torch_max_pool)
class MaxPool2d(Function):
    """out[n, c, y, x] = max_{i,j} x_pad[n, c, y*sh + i, x*sw + j];  the gradient goes to the
    (first) position of each window's maximum"""
    def forward(ctx, x, kernel_size, stride, padding):
        out, ctx.index = K.max_pool_fwd(x, kernel_size, stride, padding)
        return out

    def backward(ctx, g):
        return MaxPool2dBackward.apply(g, index=ctx.index, input_shape=ctx.inputs[0].shape)


@register("max_pool2d_backward",
          samples=[Sample(((1, 2, 2, 2),), (), {"index": MAX_INDEX, "input_shape": (1, 2, 3, 3)})],
          reference=R.max_pool_bwd,
          torch=lambda torch, g, index, input_shape: torch.zeros(
              int(np.prod(input_shape)), dtype=g.dtype).index_add(
              0, torch.as_tensor(index).reshape(-1), g.reshape(-1)).reshape(input_shape))
class MaxPool2dBackward(Function):
    """dx.flat[index] += g (shared maxima accumulate);  adjoint: gg.flat[index]"""
    def forward(ctx, g, index, input_shape):
        ctx.index = index
        return K.max_pool_bwd(g, index, tuple(input_shape))

    def backward(ctx, gg):
        return gg.reshape(-1)[ctx.index]


@register("avg_pool2d", samples=[Sample(s.shapes, (), s.kwargs) for s in POOL],
          reference=R.avg_pool_fwd, torch=_torch_avg_pool)
class AvgPool2d(Function):
    """out[n, c, y, x] = sum_{i,j} x_pad[n, c, y*sh + i, x*sw + j] / (KH*KW)"""
    def forward(ctx, x, kernel_size, stride, padding):
        ctx.window = dict(kernel_size=kernel_size, stride=stride, padding=padding)
        return K.avg_pool_fwd(x, kernel_size, stride, padding)

    def backward(ctx, g):
        return AvgPool2dBackward.apply(g, input_shape=ctx.inputs[0].shape, **ctx.window)


@register("avg_pool2d_backward",
          samples=[Sample(((1, 2, 3, 5),), (), {"input_shape": (1, 2, 5, 4), "kernel_size": (3, 2),
                                                "stride": (2, 1), "padding": (1, 1)})],
          reference=R.avg_pool_bwd,
          torch=lambda torch, g, input_shape, kernel_size, stride, padding:
              torch.ops.aten.avg_pool2d_backward(g, torch.zeros(input_shape, dtype=g.dtype),
                                                 kernel_size, stride, padding, False, True, None))
class AvgPool2dBackward(Function):
    """dx[window] += g / (KH*KW): linear, and its adjoint is avg_pool2d itself"""
    def forward(ctx, g, input_shape, kernel_size, stride, padding):
        ctx.window = dict(kernel_size=kernel_size, stride=stride, padding=padding)
        return K.avg_pool_bwd(g, tuple(input_shape), kernel_size, stride, padding)

    def backward(ctx, gg):
        return AvgPool2d.apply(gg, **ctx.window)
