"""Batch normalization in training mode (batch statistics), on fused kernels
(kernels/batchnorm.py). Per channel c, over the N = batch * spatial values x of that channel:

    mean = sum(x) / N,  var = sum((x - mean)^2) / N,  invstd = 1 / sqrt(var + eps)
    xhat = (x - mean) * invstd,  y = gamma * xhat + beta                          (batch_norm)
    S = (sum(g * xhat), sum(g))  = (dgamma, dbeta)                    (batch_norm_grad_sums)
    dx = gamma * invstd * (g - S[1]/N - xhat * S[0]/N)                  (batch_norm_backward)

Each op's backward is built from these three ops and composites, so second derivatives work.
The kwarg `stats=(mean, invstd)` lets backward reuse the statistics batch_norm computed for
the same (version-checked) input instead of another pass; without it they are recomputed.
"""
import numpy as np

from ..function import Function, Sample, register
from .. import kernels as K

EPS = {"eps": 1e-5}


def _as3(x):
    """(N, C, *spatial) -> (N, C, M) view"""
    return x.reshape(x.shape[0], x.shape[1], -1)


def _stats(x, eps, stats):
    """(mean, invstd) per channel in float64: the given ones, or computed from x."""
    if stats is not None:
        return stats
    mean = _as3(x).mean(axis=(0, 2), dtype=np.float64)
    var = ((_as3(x) - mean[:, None]) ** 2).mean(axis=(0, 2))
    return mean, 1.0 / np.sqrt(var + eps)


def _dims(x):
    return (0,) + tuple(range(2, x.ndim))


def _per_channel(t, x):
    """(C,) tensor -> (1, C, 1, ...) so it broadcasts against x"""
    return t.reshape((1, x.shape[1]) + (1,) * (x.ndim - 2))


def _xhat(x, eps):
    """xhat and invstd (keepdim) of x built from differentiable tensor ops"""
    dims = _dims(x)
    centered = x - x.mean(dims, keepdim=True)
    invstd = ((centered * centered).mean(dims, keepdim=True) + eps) ** -0.5
    return centered * invstd, invstd


def _np_xhat(x, eps):
    """(x - mean) / sqrt(var + eps) per channel (dim 1), over every other dim: the reference's
    own NumPy formula, apart from the kernels and their twins."""
    dims = (0,) + tuple(range(2, x.ndim))
    return (x - x.mean(dims, keepdims=True)) / np.sqrt(x.var(dims, keepdims=True) + eps), dims


def _per_channel(v, x):
    return v.reshape((1, -1) + (1,) * (x.ndim - 2))


def _np_batch_norm(x, *affine, eps):
    xhat, _ = _np_xhat(x, eps)
    return xhat * _per_channel(affine[0], x) + _per_channel(affine[1], x) if affine else xhat


def _torch_batch_norm(torch, x, *affine, eps):
    return torch.nn.functional.batch_norm(x, None, None, *affine, training=True, eps=eps)


def _np_grad_sums(x, g, eps):
    xhat, dims = _np_xhat(x, eps)
    return np.stack([(g * xhat).sum(dims), g.sum(dims)])


def _torch_xhat(torch, x, eps):
    dims = _dims(x)
    return (x - x.mean(dims, keepdim=True)) / (x.var(dims, unbiased=False, keepdim=True)
                                               + eps).sqrt(), dims


def _torch_grad_sums(torch, x, g, eps):
    xhat, dims = _torch_xhat(torch, x, eps)
    return torch.stack([(g * xhat).sum(dims), g.sum(dims)])


def _np_backward(x, g, sums, *weight, eps):
    xhat, dims = _np_xhat(x, eps)
    scale = 1 / np.sqrt(x.var(dims, keepdims=True) + eps) * (
        _per_channel(weight[0], x) if weight else 1)
    count = x.size // x.shape[1]
    return scale * (g - _per_channel(sums[1], x) / count - xhat * _per_channel(sums[0], x) / count)


def _torch_backward(torch, x, g, sums, *weight, eps):
    xhat, dims = _torch_xhat(torch, x, eps)
    invstd = (x.var(dims, unbiased=False, keepdim=True) + eps).rsqrt()
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    scale = invstd * (weight[0].reshape(shape) if weight else 1)
    count = x.numel() // x.shape[1]
    return scale * (g - sums[1].reshape(shape) / count - xhat * sums[0].reshape(shape) / count)


@register("batch_norm", samples=[Sample(((4, 3), (3,), (3,)), (), EPS),
                                 Sample(((2, 3, 4), (3,), (3,)), (), EPS),
                                 Sample(((2, 2, 3, 3),), (), EPS)],
          reference=_np_batch_norm, torch=_torch_batch_norm)
class BatchNorm(Function):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta with the batch mean and (biased)
    variance of each channel (dim 1); inputs (x) or (x, gamma, beta).
    `running_mean` / `running_var` (arrays or None) are updated in place, as PyTorch's
    native batch_norm does: r <- (1 - momentum) r + momentum * batch statistic, where the
    variance is the unbiased one, var * N / (N - 1)."""
    def forward(ctx, x, *affine, eps, momentum=0.1, running_mean=None, running_var=None):
        y, mean, var = K.bn_fwd(_as3(x), *(affine or (None, None)), eps)
        ctx.eps, ctx.stats = eps, (mean, 1.0 / np.sqrt(var + eps))
        if running_mean is not None:
            count = x.size // x.shape[1]
            running_mean *= 1 - momentum
            running_mean += (momentum * mean).astype(running_mean.dtype)
            running_var *= 1 - momentum
            running_var += (momentum * var * count / (count - 1)).astype(running_var.dtype)
        return y.reshape(x.shape)

    def backward(ctx, g):
        x, *affine = ctx.inputs
        need_x = ctx.needs_input_grad[0]
        need_affine = any(ctx.needs_input_grad[1:])
        if not (need_x or need_affine):
            return (None,) * (1 + len(affine))
        sums = BatchNormGradSums.apply(x, g, eps=ctx.eps, stats=ctx.stats)
        dx = (BatchNormBackward.apply(x, g, sums, *affine[:1], eps=ctx.eps, stats=ctx.stats)
              if need_x else None)
        return (dx, sums[0], sums[1]) if affine else dx

    def backward_arrays(ctx, g):
        x, *affine = ctx.input_arrays
        if not any(ctx.needs_input_grad):
            return (None,) * (1 + len(affine))
        sums = _grad_sums(x, g, ctx.eps, ctx.stats)
        dx = (_input_grad(x, g, sums, affine[:1], ctx.eps, ctx.stats)
              if ctx.needs_input_grad[0] else None)
        return (dx, sums[0], sums[1]) if affine else dx


def _grad_sums(x, g, eps, stats):
    """stack(sum(g * xhat), sum(g)) per channel, shape (2, C), on arrays."""
    mean, invstd = _stats(x, eps, stats)
    return np.stack(K.bn_grad_sums(_as3(x), _as3(g), mean, invstd)).astype(x.dtype)


def _input_grad(x, g, sums, weight, eps, stats):
    """dx = gamma * invstd * (g - S[1]/N - xhat * S[0]/N) on arrays (weight: () or (gamma,))."""
    mean, invstd = _stats(x, eps, stats)
    return K.bn_bwd(_as3(x), _as3(g), weight[0] if weight else None, mean, invstd,
                    *sums).reshape(x.shape)


@register("batch_norm_grad_sums", samples=[Sample(((4, 3), (4, 3)), (), EPS),
                                           Sample(((2, 3, 2, 2), (2, 3, 2, 2)), (), EPS)],
          reference=_np_grad_sums, torch=_torch_grad_sums)
class BatchNormGradSums(Function):
    """S = stack(sum(g * xhat), sum(g)) per channel, shape (2, C).  Adjoint of gg (2, C):
    d/dg = gg[0] * xhat + gg[1] = batch_norm(x, gg[0], gg[1]),
    d/dx = gg[0] * invstd * (g - sum(g)/N - xhat * sum(g xhat)/N)
         = batch_norm_backward(x, g, S, gg[0])"""
    saves_output = True

    def forward(ctx, x, g, eps, stats=None):
        ctx.eps = eps
        return _grad_sums(x, g, eps, stats)

    def backward(ctx, gg):
        x, g = ctx.inputs
        need_x, need_g = ctx.needs_input_grad
        return (BatchNormBackward.apply(x, g, ctx.output, gg[0], eps=ctx.eps)
                if need_x else None,
                BatchNorm.apply(x, gg[0], gg[1], eps=ctx.eps) if need_g else None)


@register("batch_norm_backward",
          samples=[Sample(((4, 3), (4, 3), (2, 3), (3,)), (), EPS),
                   Sample(((2, 3, 4), (2, 3, 4), (2, 3)), (), EPS)],
          reference=_np_backward, torch=_torch_backward)
class BatchNormBackward(Function):
    """dx = gamma * invstd * (g - S[1]/N - xhat * S[0]/N), inputs (x, g, S) or
    (x, g, S, gamma), with S = batch_norm_grad_sums(x, g) passed in (so it is shared with
    dgamma, dbeta) and differentiated as its own input.  Partial derivatives, a = gg:
      d/dg = gamma invstd a;  d/dS = -(gamma invstd / N) batch_norm_grad_sums(x, a)
      d/dgamma = invstd (sum(a g) - S[1] sum(a)/N - S[0] sum(a xhat)/N)
      d/dx = -(gamma invstd^2 / N) (xhat Q + S[0] (a - sum(a)/N)),
             Q = sum(a g) - S[1] sum(a)/N - 2 S[0] sum(a xhat)/N"""
    def forward(ctx, x, g, sums, *weight, eps, stats=None):
        ctx.eps = eps
        return _input_grad(x, g, sums, weight, eps, stats)

    def backward(ctx, a):
        x, g, sums, *weight = ctx.inputs
        needs = ctx.needs_input_grad
        dims, count = _dims(x), x.numel() // x.shape[1]
        xhat, invstd = _xhat(x, ctx.eps)
        gamma = _per_channel(weight[0], x) if weight else 1.0
        s0, s1 = _per_channel(sums[0], x), _per_channel(sums[1], x)
        a_sums = BatchNormGradSums.apply(x, a, eps=ctx.eps)          # (sum(a xhat), sum(a))
        t0, t1 = _per_channel(a_sums[0], x), _per_channel(a_sums[1], x)
        ag = (a * g).sum(dims, keepdim=True)
        dx = (-(gamma * invstd * invstd / count)
              * (xhat * (ag - s1 * t1 / count - 2 * s0 * t0 / count) + s0 * (a - t1 / count))
              if needs[0] else None)
        dg = gamma * invstd * a if needs[1] else None
        dsums = -(gamma * invstd).reshape(1, -1) * a_sums / count if needs[2] else None
        dw = ((invstd * (ag - s1 * t1 / count - s0 * t0 / count)).reshape(-1)
              if weight and needs[3] else None)
        return (dx, dg, dsums) + ((dw,) if weight else ())
