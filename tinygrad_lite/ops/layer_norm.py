"""Layer normalization on rows, on fused kernels (kernels/layernorm.py). x is (R, D): every
row is normalized over its D values (nn.functional.layer_norm flattens the normalized dims
into D and the rest into R; group and instance norm are the same op on other rows):

    mean = sum(x) / D,  var = sum((x - mean)^2) / D,  rstd = 1 / sqrt(var + eps)
    xhat = (x - mean) * rstd,  y = gamma * xhat + beta                       (layer_norm)
    S = (sum over rows of g * xhat, sum over rows of g) = (dgamma, dbeta)
                                                               (layer_norm_grad_sums)
    dx = rstd * (a - mean(a) - xhat * mean(a * xhat)),  a = g * gamma   (layer_norm_backward)

layer_norm_backward's own backward is written with Tensor ops, so second derivatives work.
The kwarg `stats=(mean, rstd)` lets backward reuse the statistics the forward computed for
the same (version-checked) input instead of another pass; without it they are recomputed.
"""
import numpy as np

from ..function import Function, Sample, register
from .. import kernels as K

EPS = {"eps": 1e-5}


def _stats(x, eps, stats):
    """(mean, rstd) per row in float64: the given ones, or computed from x."""
    if stats is not None:
        return stats
    mean = x.mean(axis=1, dtype=np.float64)
    return mean, 1.0 / np.sqrt(((x - mean[:, None]) ** 2).mean(axis=1) + eps)


def _np_layer_norm(x, *affine, eps):
    xhat = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + eps)
    return xhat * affine[0] + affine[1] if len(affine) == 2 else \
        xhat * affine[0] if affine else xhat


def _torch_layer_norm(torch, x, *affine, eps):
    weight, bias = (list(affine) + [None, None])[:2]
    return torch.nn.functional.layer_norm(x, x.shape[1:], weight, bias, eps)


def _np_backward(x, a, eps):
    xhat = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + eps)
    return (a - a.mean(1, keepdims=True) - xhat * (a * xhat).mean(1, keepdims=True)) \
        / np.sqrt(x.var(1, keepdims=True) + eps)


def _np_grad_sums(x, g, eps):
    xhat = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + eps)
    return np.stack([(g * xhat).sum(0), g.sum(0)])


def _torch_grad_sums(torch, x, g, eps):
    xhat = (x - x.mean(1, keepdim=True)) * (x.var(1, unbiased=False, keepdim=True)
                                            + eps).rsqrt()
    return torch.stack([(g * xhat).sum(0), g.sum(0)])


def _torch_backward(torch, x, a, eps):
    rstd = (x.var(1, unbiased=False, keepdim=True) + eps).rsqrt()
    xhat = (x - x.mean(1, keepdim=True)) * rstd
    return rstd * (a - a.mean(1, keepdim=True) - xhat * (a * xhat).mean(1, keepdim=True))


@register("layer_norm", samples=[Sample(((4, 5), (5,), (5,)), (), EPS),
                                 Sample(((3, 6), (6,)), (), EPS), Sample(((2, 7),), (), EPS),
                                 Sample(((1, 2),), (), EPS)],
          reference=_np_layer_norm, torch=_torch_layer_norm)
class LayerNorm(Function):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta over each row of x (R, D), with the
    row's mean and biased variance; inputs (x), (x, gamma) or (x, gamma, beta), gamma and
    beta of shape (D,)."""
    def forward(ctx, x, *affine, eps, stats=None):
        weight, bias = (list(affine) + [None, None])[:2]
        y, mean, rstd = K.ln_fwd(x, weight, bias, eps)
        ctx.eps, ctx.stats = eps, (mean, rstd)
        return y

    def backward(ctx, g):
        x, *affine = ctx.inputs
        need_x, *need_affine = ctx.needs_input_grad
        a = g * affine[0] if affine else g
        dx = (LayerNormBackward.apply(x, a, eps=ctx.eps, stats=ctx.stats) if need_x
              else None)
        if not affine:
            return dx
        sums = (LayerNormGradSums.apply(x, g, eps=ctx.eps, stats=ctx.stats)
                if any(need_affine) else None)
        grads = [sums[i] if need else None for i, need in enumerate(need_affine)]
        return (dx, *grads)


@register("layer_norm_backward", samples=[Sample(((4, 5), (4, 5)), (), EPS),
                                          Sample(((2, 3), (2, 3)), (), EPS)],
          reference=_np_backward, torch=_torch_backward)
class LayerNormBackward(Function):
    """dx = rstd * (a - mean(a) - xhat * mean(a * xhat)) per row, a = g * gamma.
    Linear and self-adjoint in a, so d/da = layer_norm_backward(x, b) for the incoming b;
    with m = mean(a xhat), t = mean(b xhat) (all means over the row):
      d/dx = -rstd^2 (xhat (mean(b a) - mean(b) mean(a) - 3 m t) + t (a - mean(a))
                      + m (b - mean(b)))"""
    def forward(ctx, x, a, eps, stats=None):
        ctx.eps = eps
        mean, rstd = _stats(x, eps, stats)
        ctx.stats = (mean, rstd)
        return K.ln_bwd(x, a, mean, rstd)

    def backward(ctx, b):
        x, a = ctx.inputs
        need_x, need_a = ctx.needs_input_grad
        da = LayerNormBackward.apply(x, b, eps=ctx.eps, stats=ctx.stats) if need_a else None
        if not need_x:
            return None, da
        centered = x - x.mean(1, keepdim=True)
        rstd = ((centered * centered).mean(1, keepdim=True) + ctx.eps) ** -0.5
        xhat = centered * rstd
        mean_a, mean_b = a.mean(1, keepdim=True), b.mean(1, keepdim=True)
        m, t = (a * xhat).mean(1, keepdim=True), (b * xhat).mean(1, keepdim=True)
        mean_ba = (b * a).mean(1, keepdim=True)
        dx = -(rstd * rstd) * (xhat * (mean_ba - mean_b * mean_a - 3 * m * t)
                               + t * (a - mean_a) + m * (b - mean_b))
        return dx, da


@register("layer_norm_grad_sums", samples=[Sample(((4, 5), (4, 5)), (), EPS),
                                           Sample(((3, 2), (3, 2)), (), EPS)],
          reference=_np_grad_sums, torch=_torch_grad_sums)
class LayerNormGradSums(Function):
    """S = stack(sum over rows of g * xhat, sum over rows of g), shape (2, D): dgamma and
    dbeta in one pass. Adjoint of gg (2, D):
      d/dg = gg[0] * xhat + gg[1] = layer_norm(x, gg[0], gg[1])
      d/dx = layer_norm_backward(x, g * gg[0])   (the row-wise Jacobian of xhat, transposed)"""
    def forward(ctx, x, g, eps, stats=None):
        ctx.eps = eps
        ctx.stats = _stats(x, eps, stats)
        return K.ln_grad_sums(x, g, *ctx.stats).astype(x.dtype)

    def backward(ctx, gg):
        x, g = ctx.inputs
        need_x, need_g = ctx.needs_input_grad
        return (LayerNormBackward.apply(x, g * gg[0], eps=ctx.eps, stats=ctx.stats)
                if need_x else None,
                LayerNorm.apply(x, gg[0], gg[1], eps=ctx.eps, stats=ctx.stats)
                if need_g else None)
