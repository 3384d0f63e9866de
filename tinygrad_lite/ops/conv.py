"""2-D convolution as three registered ops that are one another's derivatives:

    conv2d(x, W, [b])          out = W * x (+ b)          (cross-correlation, as PyTorch)
    conv2d_input_grad(g, W)    dx  = W^T * g              (transposed convolution)
    conv2d_weight_grad(x, g)   dW  = sum over the batch of g * x

All three take the same geometry: stride, zero padding, dilation (the spacing of the kernel's
taps) and groups (the channels split into G groups, each convolved with its own slice of W).
All three are bilinear, so each backward is built from the other two and second (and
higher) derivatives work. The arrays go to im2col + GEMM kernels (kernels/conv.py), or to
direct loops for depthwise convolution (kernels/_depthwise.py).
"""
from ..function import Function, Sample, register
from .. import kernels as K
from . import references as ref


def _geometry(stride, padding, dilation=(1, 1), groups=1):
    return {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


ONE, TWO = (1, 1), (2, 2)
CONV = [Sample(((2, 2, 5, 5), (3, 2, 3, 3), (3,)), (), _geometry(ONE, ONE)),
        Sample(((1, 2, 5, 4), (2, 2, 2, 3)), (), _geometry((2, 1), (1, 0))),
        Sample(((2, 1, 4, 4), (2, 1, 2, 2), (2,)), (), _geometry(TWO, (0, 0))),
        Sample(((1, 4, 6, 5), (6, 2, 2, 2), (6,)), (), _geometry((1, 2), ONE, (2, 1), 2)),
        Sample(((2, 3, 5, 5), (6, 1, 3, 3)), (), _geometry(ONE, ONE, TWO, 3))]  # depthwise


def _torch_conv(torch, x, w, *bias, stride, padding, dilation, groups):
    return torch.nn.functional.conv2d(x, w, bias[0] if bias else None, stride, padding,
                                      dilation, groups)


@register("conv2d", samples=CONV,
          reference=ref.conv2d, torch=_torch_conv)
class Conv2d(Function):
    """out[n, o, y, x] = sum_{c,i,j} W[o, c, i, j] x_pad[n, g*Cg + c, y*sh + i*dh,
    x*sw + j*dw] + b[o], g = o's group;  dx = conv2d_input_grad(g, W),
    dW = conv2d_weight_grad(x, g), db = sum of g over n, y, x"""
    summed_inputs = (2,)                      # the bias

    def forward(ctx, x, w, *bias, **geometry):
        ctx.geometry = geometry
        return K.conv2d_fwd(x, w, bias[0] if bias else None, **geometry)

    def backward(ctx, g):
        x, w, *bias = ctx.inputs
        needs = ctx.needs_input_grad
        dx = (Conv2dInputGrad.apply(g, w, input_shape=x.shape, **ctx.geometry)
              if needs[0] else None)
        dw = (Conv2dWeightGrad.apply(x, g, kernel_size=w.shape[2:], **ctx.geometry)
              if needs[1] else None)
        db = (g.sum((0, 2, 3)),) if bias and needs[2] else (None,) * len(bias)
        return (dx, dw) + db

    def backward_arrays(ctx, g):
        x, w, *bias = ctx.input_arrays
        needs = ctx.needs_input_grad
        dx = K.conv2d_input_grad(g, w, x.shape, **ctx.geometry) if needs[0] else None
        dw = K.conv2d_weight_grad(x, g, w.shape[2:], **ctx.geometry) if needs[1] else None
        db = ((g.reshape(g.shape[0], g.shape[1], -1).sum(2).sum(0),)   # contiguous sums first
              if bias and needs[2] else (None,) * len(bias))
        return (dx, dw) + db


@register("conv2d_input_grad",
          samples=[Sample(((2, 3, 5, 5), (3, 2, 3, 3)), (),
                          {"input_shape": (2, 2, 5, 5), **_geometry(ONE, ONE)}),
                   Sample(((1, 2, 3, 2), (2, 2, 2, 3)), (),
                          {"input_shape": (1, 2, 5, 4), **_geometry((2, 1), (1, 0))}),
                   Sample(((1, 6, 6, 3), (6, 2, 2, 2)), (),
                          {"input_shape": (1, 4, 6, 5), **_geometry((1, 2), ONE, (2, 1), 2)}),
                   Sample(((2, 6, 3, 3), (6, 1, 3, 3)), (),
                          {"input_shape": (2, 3, 5, 5), **_geometry(ONE, ONE, TWO, 3)})],
          # no reference: its values are conv2d's gradient in x, checked by gradcheck
          torch=lambda torch, g, w, input_shape, **geometry: torch.nn.grad.conv2d_input(
              input_shape, w, g, **geometry))
class Conv2dInputGrad(Function):
    """dx = col2im(W^T @ g): the adjoint of conv2d in x.  Bilinear in (g, W):
    d/dg <gg, dx> = conv2d(gg, W),  d/dW <gg, dx> = conv2d_weight_grad(gg, g)"""
    def forward(ctx, g, w, input_shape, **geometry):
        ctx.geometry = geometry
        return K.conv2d_input_grad(g, w, tuple(input_shape), **geometry)

    def backward(ctx, gg):
        g, w = ctx.inputs
        need_g, need_w = ctx.needs_input_grad
        return (Conv2d.apply(gg, w, **ctx.geometry) if need_g else None,
                Conv2dWeightGrad.apply(gg, g, kernel_size=w.shape[2:], **ctx.geometry)
                if need_w else None)


@register("conv2d_weight_grad",
          samples=[Sample(((2, 2, 5, 5), (2, 3, 5, 5)), (),
                          {"kernel_size": (3, 3), **_geometry(ONE, ONE)}),
                   Sample(((1, 2, 5, 4), (1, 2, 3, 2)), (),
                          {"kernel_size": (2, 3), **_geometry((2, 1), (1, 0))}),
                   Sample(((1, 4, 6, 5), (1, 6, 6, 3)), (),
                          {"kernel_size": (2, 2), **_geometry((1, 2), ONE, (2, 1), 2)}),
                   Sample(((2, 3, 5, 5), (2, 6, 3, 3)), (),
                          {"kernel_size": (3, 3), **_geometry(ONE, ONE, TWO, 3)})],
          # no reference: its values are conv2d's gradient in W, checked by gradcheck
          torch=lambda torch, x, g, kernel_size, **geometry: torch.nn.grad.conv2d_weight(
              x, (g.shape[1], x.shape[1] // geometry["groups"]) + tuple(kernel_size), g,
              **geometry))
class Conv2dWeightGrad(Function):
    """dW = sum_n g_n @ im2col(x_n)^T: the adjoint of conv2d in W.  Bilinear in (x, g):
    d/dx <gg, dW> = conv2d_input_grad(g, gg),  d/dg <gg, dW> = conv2d(x, gg)"""
    def forward(ctx, x, g, kernel_size, **geometry):
        ctx.geometry = geometry
        return K.conv2d_weight_grad(x, g, tuple(kernel_size), **geometry)

    def backward(ctx, gg):
        x, g = ctx.inputs
        need_x, need_g = ctx.needs_input_grad
        return (Conv2dInputGrad.apply(g, gg, input_shape=x.shape, **ctx.geometry)
                if need_x else None,
                Conv2d.apply(x, gg, **ctx.geometry) if need_g else None)
