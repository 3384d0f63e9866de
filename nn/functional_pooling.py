"""Pooling as functions (re-exported by nn.functional), with PyTorch's signatures: max and
average pooling in 1-D and 2-D, and adaptive max and average pooling in 2-D. They check
shapes and arguments, then call the registered ops in tinygrad_lite/ops (pooling.py,
adaptive_pooling.py). max_unpool2d puts pooled maxima back where they came from. 1-D pooling is 2-D pooling of a height-1 image.

Inputs are (N, C, H, W) batches or (C, H, W) single images ((N, C, L) or (C, L) in 1-D).
`return_indices=True` also returns, for each output, the position of its maximum inside its
plane (h * W + w), as PyTorch does; indices have no gradient.
"""
import numbers

import numpy as np

from tinygrad_lite.errors import ShapeError
from tinygrad_lite import kernels
from tinygrad_lite.kernels.geometry import out_size
from tinygrad_lite.ops import adaptive_pooling as adaptive_ops
from tinygrad_lite.ops import pooling as pool_ops
from tinygrad_lite.tensor import Tensor

from ._checks import as_tuple, batched, pair


def _single(value, name, caller, minimum):
    """An int or a 1-tuple of ints -> (1, v): the width settings of 1-D pooling as 2-D ones,
    with a height of 1 (a 1-tall window that steps by 1 and has no padding)."""
    return (0 if minimum == 0 else 1,) + as_tuple(value, name, caller, minimum, 1)


def window_settings(check, kernel_size, stride, padding, caller):
    """(kernel_size, stride, padding) of a pooling window as tuples, each checked by `check`
    (`pair` in 2-D, `_single` in 1-D): kernel_size >= 1, stride >= 1 (None or (): the
    kernel_size, PyTorch's default), padding >= 0; an error names `caller`."""
    kernel_size = check(kernel_size, "kernel_size", caller, 1)
    stride = kernel_size if stride is None or stride == () else check(stride, "stride", caller, 1)
    return kernel_size, stride, check(padding, "padding", caller, 0)


def _window(x, kernel_size, stride, padding, dilation, ceil_mode, caller):
    """Check a pooling window against the (N, C, H, W) input x; return its output size."""
    if any(p > k // 2 for p, k in zip(padding, kernel_size)):
        raise ValueError(f"{caller}: padding {padding} must be at most half the kernel size "
                         f"{kernel_size}")
    out = tuple(out_size(x.shape[2 + d], kernel_size[d], stride[d], padding[d],
                              dilation[d], ceil_mode) for d in range(2))
    if min(out) < 1:
        span = tuple(dilation[d] * (kernel_size[d] - 1) + 1 for d in range(2))
        padded = tuple(x.shape[2 + d] + 2 * padding[d] for d in range(2))
        raise ShapeError(f"{caller}: the pooling window {span} is bigger than the padded "
                         f"input {padded} (input shape {tuple(x.shape)}); use a smaller "
                         "kernel or more padding")
    return out


def _plane_index(index, x):
    """Flat positions in x -> positions inside each (H, W) plane, as PyTorch returns them."""
    return Tensor(index % (x.shape[2] * x.shape[3]))


def _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices, caller):
    """max pooling of the 4-D x with 2-D settings; (out, plane indices) or out"""
    _window(x, kernel_size, stride, padding, dilation, ceil_mode, caller)
    window = dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation,
                  ceil_mode=bool(ceil_mode))
    out = pool_ops.MaxPool2d.apply(x, **window)
    if not return_indices:
        return out, None
    return out, _plane_index(kernels.max_pool_fwd(x._data, **window)[1], x)


def _squeezed(out, index, added, dims_to_drop, return_indices):
    """Undo the added batch dim (and the height of 1 of 1-D pooling) on out and indices."""
    results = [out] if not return_indices else [out, index]
    for dim in dims_to_drop:
        results = [r.squeeze(dim) for r in results]
    if added:
        results = [r.squeeze(0) for r in results]
    return tuple(results) if return_indices else results[0]


def max_pool2d_(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                caller):
    """max_pool2d with the name `caller` in its errors (a layer passes its repr)."""
    x, added = batched(input, 2, caller)
    window = window_settings(pair, kernel_size, stride, padding, caller)
    out, index = _max_pool(x, *window, pair(dilation, "dilation", caller, 1), ceil_mode,
                           return_indices, caller)
    return _squeezed(out, index, added, (), return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """out[n, c, y, x] = max_{i,j} x_pad[n, c, y*sh + i*dh, x*sw + j*dw] (padding is -inf);
    stride defaults to kernel_size; ceil_mode rounds the output size up (a last, partial
    window). The gradient goes to each window's maximum."""
    return max_pool2d_(input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices, "max_pool2d")


def max_pool1d_(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                caller):
    """max_pool1d with the name `caller` in its errors: 2-D pooling of a height-1 image."""
    x, added = batched(input, 1, caller)
    window = window_settings(_single, kernel_size, stride, padding, caller)
    out, index = _max_pool(x.unsqueeze(2), *window, _single(dilation, "dilation", caller, 1),
                           ceil_mode, return_indices, caller)
    return _squeezed(out, index, added, (2,), return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """out[n, c, t] = max_i x_pad[n, c, t*s + i*d] over (N, C, L) or (C, L) input"""
    return max_pool1d_(input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices, "max_pool1d")


def _avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
              caller):
    _window(x, kernel_size, stride, padding, (1, 1), ceil_mode, caller)
    if divisor_override is not None and (
            not isinstance(divisor_override, numbers.Integral) or divisor_override == 0):
        raise ValueError(f"{caller}: divisor_override must be a nonzero int or None, got "
                         f"{divisor_override!r}")
    return pool_ops.AvgPool2d.apply(
        x, kernel_size=kernel_size, stride=stride, padding=padding, ceil_mode=bool(ceil_mode),
        count_include_pad=bool(count_include_pad),
        divisor_override=None if divisor_override is None else int(divisor_override))


def avg_pool2d_(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, caller):
    """avg_pool2d with the name `caller` in its errors (a layer passes its repr)."""
    x, added = batched(input, 2, caller)
    window = window_settings(pair, kernel_size, stride, padding, caller)
    out = _avg_pool(x, *window, ceil_mode, count_include_pad, divisor_override, caller)
    return out.squeeze(0) if added else out


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """out[n, c, y, x] = sum of the window / divisor, zero padding in the sum; the divisor is
    divisor_override if given, else the window size, padding included (count_include_pad,
    PyTorch's default) or not. stride defaults to kernel_size."""
    return avg_pool2d_(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, "avg_pool2d")


def avg_pool1d_(input, kernel_size, stride, padding, ceil_mode, count_include_pad, caller):
    """avg_pool1d with the name `caller` in its errors: 2-D pooling of a height-1 image."""
    x, added = batched(input, 1, caller)
    window = window_settings(_single, kernel_size, stride, padding, caller)
    out = _avg_pool(x.unsqueeze(2), *window, ceil_mode, count_include_pad, None,
                    caller).squeeze(2)
    return out.squeeze(0) if added else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """out[n, c, t] = sum_i x_pad[n, c, t*s + i] / divisor over (N, C, L) or (C, L) input"""
    return avg_pool1d_(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       "avg_pool1d")


def check_output_size(output_size, caller):
    """An adaptive output size -> a pair whose entries are ints >= 1 or None (None keeps
    that input dim); raises ValueError naming `caller` for anything else."""
    sizes = ((output_size, output_size) if isinstance(output_size, numbers.Integral)
             else tuple(output_size) if isinstance(output_size, (tuple, list)) else None)
    if sizes is None or len(sizes) != 2 or any(
            s is not None and (not isinstance(s, numbers.Integral) or isinstance(s, bool)
                               or s < 1) for s in sizes):
        raise ValueError(f"{caller}: output_size must be an int >= 1 or a pair of them "
                         f"(None keeps the input's size), got {output_size!r}")
    return sizes


def _adaptive_size(output_size, x, caller):
    """(OH, OW) for the 4-D input x: None entries take x's height or width."""
    return tuple(int(x.shape[2 + d] if s is None else s)
                 for d, s in enumerate(check_output_size(output_size, caller)))


def adaptive_avg_pool2d_(input, output_size, caller):
    """adaptive_avg_pool2d with the name `caller` in its errors."""
    x, added = batched(input, 2, caller)
    out = adaptive_ops.AdaptiveAvgPool2d.apply(
        x, output_size=_adaptive_size(output_size, x, caller))
    return out.squeeze(0) if added else out


def adaptive_avg_pool2d(input, output_size):
    """out[n, c, y, x] = mean of x[n, c, rows(y), cols(x)], rows(y) = [floor(y H / OH),
    ceil((y + 1) H / OH)) and likewise for columns: windows that cover the input for any
    output size. output_size: an int, a pair, or a pair with None (keep that dim)."""
    return adaptive_avg_pool2d_(input, output_size, "adaptive_avg_pool2d")


def adaptive_max_pool2d_(input, output_size, return_indices, caller):
    """adaptive_max_pool2d with the name `caller` in its errors."""
    x, added = batched(input, 2, caller)
    size = _adaptive_size(output_size, x, caller)
    out = adaptive_ops.AdaptiveMaxPool2d.apply(x, output_size=size)
    index = (_plane_index(kernels.adaptive_max_pool_fwd(x._data, size)[1], x)
             if return_indices else None)
    return _squeezed(out, index, added, (), return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """out[n, c, y, x] = max of x[n, c, rows(y), cols(x)], the windows of
    adaptive_avg_pool2d; the gradient goes to each window's maximum."""
    return adaptive_max_pool2d_(input, output_size, return_indices, "adaptive_max_pool2d")


def max_unpool2d_(input, indices, kernel_size, stride, padding, output_size, caller):
    """max_unpool2d with the name `caller` in its errors (a layer passes its repr)."""
    x, added = batched(input, 2, caller)
    kernel_size, stride, padding = window_settings(pair, kernel_size, stride, padding, caller)
    if not isinstance(indices, Tensor) or indices.shape != input.shape or \
            indices.dtype.kind not in "iu":
        raise ShapeError(f"{caller}: indices must be an integer Tensor of the input's shape "
                         f"{input.shape} (as max_pool2d(..., return_indices=True) returns), "
                         f"got {indices!r:.80}")
    size = tuple((x.shape[2 + d] - 1) * stride[d] - 2 * padding[d] + kernel_size[d]
                 for d in range(2))
    if output_size is not None:
        wanted = tuple(output_size)[-2:]
        if len(wanted) != 2 or any(not size[d] - stride[d] < wanted[d] < size[d] + stride[d]
                                   for d in range(2)):
            raise ValueError(f"{caller}: invalid output_size {tuple(output_size)}: each of the "
                             f"last two dims must be within the stride {stride} of {size}, "
                             "exclusive")
        size = tuple(int(s) for s in wanted)
    plane = size[0] * size[1]
    local = (indices.unsqueeze(0) if added else indices)._data
    if local.size and (local.min() < 0 or local.max() >= plane):
        raise ShapeError(f"{caller}: found an invalid max index {int(local.max())} (the output "
                         f"planes are {size[0]}x{size[1]}, so indices must be below {plane})")
    planes = np.arange(x.shape[0] * x.shape[1]).reshape(x.shape[:2] + (1, 1))
    out = pool_ops.MaxUnpool2d.apply(x, index=planes * plane + local,
                                     output_shape=x.shape[:2] + size)
    return out.squeeze(0) if added else out


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: an output of zeros with each input value put back
    at the position `indices` gives (from max_pool2d(..., return_indices=True)). The output
    is (H - 1) s - 2p + k high (and likewise wide) unless output_size says otherwise."""
    return max_unpool2d_(input, indices, kernel_size, stride, padding, output_size,
                         "max_unpool2d")
