"""Sliding windows as columns, torch's F.unfold and F.fold, as two registered ops that are
each other's adjoints (both linear):

    unfold(x)   out[n, (c, i, j), (y, x)] = x_pad[n, c, y*sh + i*dh, x*sw + j*dw]
    fold(g)     x_pad[n, c, y*sh + i*dh, x*sw + j*dw] += g[n, (c, i, j), (y, x)]

They reuse the convolution's im2col / col2im kernels (one group), whose columns are ordered
(i, j, c); a transpose puts them in torch's (c, i, j) order.
"""
from ..function import Function, Sample, register
from .. import kernels as K
from ..kernels import reference_nn as R

WINDOW = {"kernel_size": (2, 3), "dilation": (1, 2), "padding": (1, 1), "stride": (2, 1)}


@register("unfold", samples=[Sample(((2, 3, 5, 6),), (), WINDOW)], reference=R.unfold,
          torch=lambda torch, x, **window: torch.nn.functional.unfold(x, **window))
class Unfold(Function):
    """out[n, (c, i, j), l] = x_pad[n, c, y*sh + i*dh, x*sw + j*dw], l = y*OW + x;  the
    gradient is fold(g)"""
    def forward(ctx, x, kernel_size, dilation, padding, stride):
        ctx.window = dict(kernel_size=kernel_size, dilation=dilation, padding=padding,
                          stride=stride)
        n, c = x.shape[:2]
        col = K.im2col(x, kernel_size, stride, padding, dilation, 1)    # (1, N*L, KK*C)
        col = col.reshape(n, -1, kernel_size[0] * kernel_size[1], c)    # n l (i j) c
        return col.transpose(0, 3, 2, 1).reshape(n, -1, col.shape[1])

    def backward(ctx, g):
        return Fold.apply(g, output_size=ctx.inputs[0].shape[2:], **ctx.window)


@register("fold", samples=[Sample(((2, 18, 12),), (), {"output_size": (5, 6), **WINDOW})],
          reference=R.fold,
          torch=lambda torch, g, **window: torch.nn.functional.fold(g, **window))
class Fold(Function):
    """x_pad[n, c, y*sh + i*dh, x*sw + j*dw] += g[n, (c, i, j), l] (overlaps add up);  the
    gradient is unfold(g)"""
    def forward(ctx, g, output_size, kernel_size, dilation, padding, stride):
        ctx.window = dict(kernel_size=kernel_size, dilation=dilation, padding=padding,
                          stride=stride)
        n, kk = g.shape[0], kernel_size[0] * kernel_size[1]
        c = g.shape[1] // kk
        col = g.reshape(n, c, kk, -1).transpose(0, 3, 2, 1).reshape(1, -1, kk * c)
        return K.col2im(col, (n, c) + tuple(output_size), kernel_size, stride, padding,
                        dilation)

    def backward(ctx, gg):
        return Unfold.apply(gg, **ctx.window)
