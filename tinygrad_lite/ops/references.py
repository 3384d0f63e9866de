"""NumPy references written independently of the forwards they check.

An op's reference is its oracle in the registry-wide test: the forward's result must equal
it. That only checks something when the two are computed differently, so for an op whose
forward is itself a NumPy call (np.log, np.floor, np.matmul) or a kernel whose NumPy twin runs
when the JIT is off, the reference here takes another road: Python's math module element by
element (the C library's implementation, not NumPy's vectorised one), an identity, or plain
loops that follow PyTorch's definition. Ops whose forward is only a view or a copy (reshape,
clone) and the backward ops whose values are the gradients of a forward op (checked by that
op's gradcheck) have no reference; their torch twin is the oracle.
"""
import math

import numpy as np


def by_math(function):
    """`function` from Python's math module, applied element by element (with broadcasting)."""
    elementwise = np.vectorize(function, otypes=[np.float64])

    def reference(*arrays):
        return elementwise(*arrays)
    reference.__name__ = f"math.{function.__name__}"
    return reference


def larger(a, b):
    """maximum(a, b) as a selection: a where a >= b, else b."""
    return np.where(a >= b, a, b)


def smaller(a, b):
    """minimum(a, b) as a selection: a where a <= b, else b."""
    return np.where(a <= b, a, b)


def blend(condition, a, b):
    """where(condition, a, b) as arithmetic on finite values: a c + b (1 - c)."""
    c = condition.astype(np.float64)
    return a * c + b * (1 - c)


def matmul_by_einsum(a, b):
    """a @ b, batch dims broadcast, as an explicit sum over the shared index."""
    return np.einsum("...ij,...jk->...ik", a, b)


def gelu(x, approximate):
    """x Phi(x), Phi by math.erf; for "tanh", (1 + tanh(u)) / 2 with u = sqrt(2/pi) (x +
    0.044715 x^3) written as the logistic 1 / (1 + e^-2u)."""
    if approximate == "tanh":
        u = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        return x / (1 + np.exp(-2 * u))
    return 0.5 * x * (1 + by_math(math.erf)(x / math.sqrt(2)))


def gelu_backward(x, g):
    """g (Phi(x) + x phi(x)): GELU's derivative, Phi by math.erf."""
    phi = np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    return g * (0.5 * (1 + by_math(math.erf)(x / math.sqrt(2))) + x * phi)


def adaptive_avg_pool2d(x, output_size):
    """out[..., i, j] = mean of x[..., rows i, cols j], rows i = [floor(i H / oh),
    ceil((i + 1) H / oh)) (PyTorch's bins), by loops."""
    return _adaptive(x, output_size, np.mean)


def _adaptive(x, output_size, reduce):
    oh, ow = output_size
    h, w = x.shape[-2:]
    out = np.empty(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * h // oh, -(-(i + 1) * h // oh))
            cols = slice(j * w // ow, -(-(j + 1) * w // ow))
            out[..., i, j] = reduce(x[..., rows, cols], axis=(-2, -1))
    return out


def avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
               divisor_override):
    """PyTorch's avg_pool2d by loops: each window is clipped to the padded input; the divisor
    is divisor_override, else the clipped window's size counting padding
    (count_include_pad) or not."""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    h, w = x.shape[-2:]
    oh, ow = _pooled_size(h, kh, sh, ph, ceil_mode), _pooled_size(w, kw, sw, pw, ceil_mode)
    out = np.empty(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            top, left = i * sh - ph, j * sw - pw
            bottom, right = min(top + kh, h + ph), min(left + kw, w + pw)
            padded_area = (bottom - top) * (right - left)
            top, left, bottom, right = max(top, 0), max(left, 0), min(bottom, h), min(right, w)
            total = x[..., top:bottom, left:right].sum(axis=(-2, -1))
            divisor = divisor_override or (padded_area if count_include_pad else
                                           (bottom - top) * (right - left))
            out[..., i, j] = total / divisor
    return out


def _pooled_size(size, kernel, stride, pad, ceil_mode):
    """Windows along one dim: floor (or ceil) of (size + 2 pad - kernel) / stride, plus 1;
    with ceil_mode the last window must start inside the input or its left padding."""
    span = size + 2 * pad - kernel
    count = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (count - 1) * stride >= size + pad:
        count -= 1
    return count


def conv2d(x, w, *bias, stride, padding, dilation, groups):
    """out[n, o, y, x] = b[o] + sum_{c,i,j} W[o, c, i, j] x_pad[n, g*Cg + c, y*sh + i*dh,
    x*sw + j*dw], g = o's group, by loops over the output pixels and groups."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, oh, ow))
    per_group = o // groups
    for y in range(oh):
        for x_ in range(ow):
            window = xp[:, :, y * sh:y * sh + dh * (kh - 1) + 1:dh,
                        x_ * sw:x_ * sw + dw * (kw - 1) + 1:dw]          # (n, c, kh, kw)
            for k in range(o):
                g = k // per_group
                out[:, k, y, x_] = (window[:, g * cg:(g + 1) * cg] * w[k]).sum(axis=(1, 2, 3))
    return out + (bias[0][:, None, None] if bias else 0)


def max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode):
    """out[n, c, y, x] = max of the window x_pad[n, c, y*sh + i*dh, x*sw + j*dw] (padding
    never wins: it is -inf), by loops over the output pixels."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    h, w = x.shape[-2:]
    oh = _pooled_size(h, dh * (kh - 1) + 1, sh, ph, ceil_mode)
    ow = _pooled_size(w, dw * (kw - 1) + 1, sw, pw, ceil_mode)
    xp = np.full(x.shape[:-2] + (h + 2 * ph + sh, w + 2 * pw + sw), -np.inf)
    xp[..., ph:ph + h, pw:pw + w] = x                       # (extra room for a ceil window)
    out = np.empty(x.shape[:-2] + (oh, ow))
    for y in range(oh):
        for x_ in range(ow):
            out[..., y, x_] = xp[..., y * sh:y * sh + dh * (kh - 1) + 1:dh,
                                 x_ * sw:x_ * sw + dw * (kw - 1) + 1:dw].max(axis=(-2, -1))
    return out


def adaptive_max_pool2d(x, output_size):
    """out[..., i, j] = max of x[..., rows i, cols j], the bins of adaptive_avg_pool2d."""
    return _adaptive(x, output_size, np.max)
