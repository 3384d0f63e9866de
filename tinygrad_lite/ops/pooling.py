"""2-D max and average pooling over NCHW tensors, each with its backward as a registered op.

    max_pool2d:           out = max of each window (padding is -inf); remembers the argmax
    max_pool2d_backward:  dx = g scattered to the argmax positions;  its adjoint is a gather
    avg_pool2d:           out = sum of each window / divisor (padding counts as zeros)
    avg_pool2d_backward:  dx = g / divisor spread over each window;  its adjoint is avg_pool2d

The window options are PyTorch's: dilation (max only), ceil_mode, count_include_pad and
divisor_override (average only). The adaptive versions are in adaptive_pooling.py.

    max_unpool2d:         out = zeros with the maxima put back at their positions

"""
import numpy as np

from ..function import Function, Sample, register
from .. import kernels as K
from . import references as ref

MAX_POOL = [Sample(((2, 2, 4, 4),), ("distinct",),
                   {"kernel_size": (2, 2), "stride": (2, 2), "padding": (0, 0),
                    "dilation": (1, 1), "ceil_mode": False}),
            Sample(((1, 2, 5, 4),), ("distinct",),
                   {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1),
                    "dilation": (1, 1), "ceil_mode": False}),
            Sample(((1, 2, 7, 6),), ("distinct",),
                   {"kernel_size": (2, 3), "stride": (2, 2), "padding": (1, 0),
                    "dilation": (2, 1), "ceil_mode": True})]
AVG_POOL = [Sample(((2, 2, 4, 4),), (), {"kernel_size": (2, 2), "stride": (2, 2),
                                         "padding": (0, 0), "ceil_mode": False,
                                         "count_include_pad": True, "divisor_override": None}),
            Sample(((1, 2, 5, 4),), (), {"kernel_size": (3, 2), "stride": (2, 1),
                                         "padding": (1, 1), "ceil_mode": False,
                                         "count_include_pad": True, "divisor_override": None}),
            Sample(((1, 2, 6, 5),), (), {"kernel_size": (3, 2), "stride": (2, 2),
                                         "padding": (1, 1), "ceil_mode": True,
                                         "count_include_pad": False, "divisor_override": None}),
            Sample(((1, 1, 5, 5),), (), {"kernel_size": (2, 2), "stride": (2, 2),
                                         "padding": (0, 0), "ceil_mode": True,
                                         "count_include_pad": True, "divisor_override": 3})]
# argmax positions of a (1, 2, 3, 3) input under 2x2 windows, stride 1: shared maxima repeat
MAX_INDEX = np.array([[[[4, 4], [4, 8]], [[13, 10], [13, 13]]]])


def _torch_max_pool(torch, x, **window):
    return torch.nn.functional.max_pool2d(x, **window)


def _torch_avg_pool(torch, x, **window):
    return torch.nn.functional.avg_pool2d(x, **window)


@register("max_pool2d", samples=MAX_POOL,
          reference=ref.max_pool2d, torch=_torch_max_pool)
class MaxPool2d(Function):
    """out[n, c, y, x] = max_{i,j} x_pad[n, c, y*sh + i*dh, x*sw + j*dw];  the gradient goes
    to the (first) position of each window's maximum"""
    def forward(ctx, x, kernel_size, stride, padding, dilation, ceil_mode):
        out, ctx.index = K.max_pool_fwd(x, kernel_size, stride, padding, dilation, ceil_mode)
        return out

    def backward(ctx, g):
        return MaxPool2dBackward.apply(g, index=ctx.index, input_shape=ctx.inputs[0].shape)


@register("max_pool2d_backward",
          samples=[Sample(((1, 2, 2, 2),), (), {"index": MAX_INDEX, "input_shape": (1, 2, 3, 3)})],
          # no reference: its values are max_pool2d's gradient, checked by gradcheck
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


@register("avg_pool2d", samples=AVG_POOL, reference=ref.avg_pool2d, torch=_torch_avg_pool)
class AvgPool2d(Function):
    """out[n, c, y, x] = sum_{i,j} x_pad[n, c, y*sh + i, x*sw + j] / divisor[y, x]"""
    def forward(ctx, x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
        ctx.window = dict(kernel_size=kernel_size, stride=stride, padding=padding,
                          count_include_pad=count_include_pad,
                          divisor_override=divisor_override)
        ctx.ceil_mode = ceil_mode
        return K.avg_pool_fwd(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                              divisor_override)

    def backward(ctx, g):
        return AvgPool2dBackward.apply(g, input_shape=ctx.inputs[0].shape,
                                       ceil_mode=ctx.ceil_mode, **ctx.window)


def _torch_avg_pool_backward(torch, g, input_shape, kernel_size, stride, padding, ceil_mode,
                             count_include_pad, divisor_override):
    return torch.ops.aten.avg_pool2d_backward(g, torch.zeros(input_shape, dtype=g.dtype),
                                              kernel_size, stride, padding, ceil_mode,
                                              count_include_pad, divisor_override)


@register("avg_pool2d_backward",
          samples=[Sample(((1, 2, 3, 5),), (), {"input_shape": (1, 2, 5, 4), "kernel_size": (3, 2),
                                                "stride": (2, 1), "padding": (1, 1),
                                                "ceil_mode": False, "count_include_pad": True,
                                                "divisor_override": None}),
                   Sample(((1, 2, 4, 3),), (), {"input_shape": (1, 2, 6, 5), "kernel_size": (3, 2),
                                                "stride": (2, 2), "padding": (1, 1),
                                                "ceil_mode": True, "count_include_pad": False,
                                                "divisor_override": None})],
          # no reference: its values are avg_pool2d's gradient, checked by gradcheck
          torch=_torch_avg_pool_backward)
class AvgPool2dBackward(Function):
    """dx[window] += g / divisor: linear, and its adjoint is avg_pool2d itself"""
    def forward(ctx, g, input_shape, ceil_mode, **window):
        ctx.window, ctx.ceil_mode = window, ceil_mode
        return K.avg_pool_bwd(g, tuple(input_shape), **window)

    def backward(ctx, gg):
        return AvgPool2d.apply(gg, ceil_mode=ctx.ceil_mode, **ctx.window)


def _unpool(x, index, output_shape):
    """each x counted into its position (the positions do not repeat)"""
    counts = np.bincount(index.reshape(-1), x.reshape(-1), int(np.prod(output_shape)))
    return counts.astype(x.dtype).reshape(output_shape)


def _torch_max_unpool(torch, x, index, output_shape):
    """torch's max_unpool2d with a stride-1 window that makes the output output_shape"""
    plane = output_shape[2] * output_shape[3]
    kernel = (output_shape[2] - x.shape[2] + 1, output_shape[3] - x.shape[3] + 1)
    return torch.nn.functional.max_unpool2d(x, torch.as_tensor(index % plane), kernel, 1)


# the argmax positions of a (1, 2, 4, 4) input under 2x2 windows, stride 2 (no repeats)
UNPOOL_INDEX = np.array([[[[1, 7], [8, 14]], [[16, 23], [25, 31]]]])


@register("max_unpool2d",
          samples=[Sample(((1, 2, 2, 2),), (), {"index": UNPOOL_INDEX,
                                                "output_shape": (1, 2, 4, 4)})],
          reference=lambda x, index, output_shape: _unpool(x, index, output_shape),
          torch=_torch_max_unpool)
class MaxUnpool2d(Function):
    """out = zeros(output_shape) with out.flat[index] = x: the maxima put back where
    max_pool2d found them (index: flat positions in out, as max_pool2d's ctx.index);
    the gradient is the gather g.flat[index]"""
    def forward(ctx, x, index, output_shape):
        ctx.index = index
        out = np.zeros(int(np.prod(output_shape)), dtype=x.dtype)
        np.put(out, index, x)
        return out.reshape(output_shape)

    def backward(ctx, g):
        return g.reshape(-1)[ctx.index]
