"""Plain-NumPy twins of the pooling kernels (`pooling.py`): the fallback when Numba is off and
the oracle the kernel tests use. Same names, arguments and results; inputs are never changed.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .geometry import adaptive_bounds, out_size


def _padded_windows(x, kernel_size, stride, padding, dilation, ceil_mode, fill):
    """(N, C, OH, OW, KH, KW) taps of each window over x padded with `fill`, and (OH, OW).
    The right side gets extra fill where ceil_mode lets the last window hang over."""
    out_hw, widths = [], [(0, 0), (0, 0)]
    for d in range(2):
        k, s, p, dil = kernel_size[d], stride[d], padding[d], dilation[d]
        out = out_size(x.shape[2 + d], k, s, p, dil, ceil_mode)
        needed = (out - 1) * s + dil * (k - 1) + 1
        widths.append((p, max(p, needed - x.shape[2 + d] - p)))
        out_hw.append(out)
    xp = np.pad(x, widths, constant_values=fill)
    span = tuple(dilation[d] * (kernel_size[d] - 1) + 1 for d in range(2))
    win = sliding_window_view(xp, span, axis=(2, 3))[:, :, ::stride[0], ::stride[1]]
    win = win[:, :, :out_hw[0], :out_hw[1], ::dilation[0], ::dilation[1]]
    return win, tuple(out_hw)


def max_pool_fwd(x, kernel_size, stride, padding, dilation, ceil_mode):
    """window max (padding -inf) and the flat position in x of each window's first maximum"""
    n, c, h, w = x.shape
    win, (oh, ow) = _padded_windows(x, kernel_size, stride, padding, dilation, ceil_mode,
                                    -np.inf)
    flat = win.reshape(win.shape[:4] + (-1,))
    first = np.argmax(flat, axis=-1)
    out = np.take_along_axis(flat, first[..., None], -1)[..., 0]
    kw = kernel_size[1]
    iy = np.arange(oh)[:, None] * stride[0] + first // kw * dilation[0] - padding[0]
    ix = np.arange(ow)[None, :] * stride[1] + first % kw * dilation[1] - padding[1]
    planes = (np.arange(n)[:, None] * c + np.arange(c)[None, :])[:, :, None, None]
    return out.astype(x.dtype, copy=False), planes * h * w + iy * w + ix


def max_pool_bwd(g, index, input_shape):
    """dx with g added at the flat positions `index` (repeated positions accumulate)"""
    dx = np.zeros(int(np.prod(input_shape)), dtype=g.dtype)
    np.add.at(dx, index.reshape(-1), g.reshape(-1))
    return dx.reshape(input_shape)


def _avg_divisor(shape, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override):
    """(OH, OW) divisors: the override, or how many of each window's taps lie in the input
    (count_include_pad=False) or in the input and its padding (True); the overhang that
    ceil_mode allows past the padding never counts"""
    if divisor_override:
        return divisor_override
    counts = []
    for d in range(2):
        k, s, p, size = kernel_size[d], stride[d], padding[d], shape[2 + d]
        out = out_size(size, k, s, p, 1, ceil_mode)
        taps = np.arange(out)[:, None] * s + np.arange(k)[None, :]   # padded coordinates
        lo, hi = (0, size + 2 * p) if count_include_pad else (p, p + size)
        counts.append(((taps >= lo) & (taps < hi)).sum(axis=1))
    return np.outer(counts[0], counts[1])


def avg_pool_fwd(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override):
    """window sum / divisor (padding counts as zeros in the sum)"""
    win, _ = _padded_windows(x, kernel_size, stride, padding, (1, 1), ceil_mode, 0)
    divisor = _avg_divisor(x.shape, kernel_size, stride, padding, ceil_mode,
                           count_include_pad, divisor_override)
    return (win.sum(axis=(4, 5)) / divisor).astype(x.dtype)


def avg_pool_bwd(g, input_shape, kernel_size, stride, padding, count_include_pad,
                 divisor_override):
    """The adjoint of avg_pool_fwd: g / divisor added to every input position of its window"""
    return _spread(g, input_shape, lambda y, x: _avg_taps(y, x, input_shape, kernel_size,
                                                          stride, padding, count_include_pad,
                                                          divisor_override))


def _avg_taps(y, x, input_shape, kernel_size, stride, padding, count_include_pad,
              divisor_override):
    """(row slice, column slice, divisor) of output (y, x)'s window inside the input"""
    bounds = []
    for d, o in enumerate((y, x)):
        start = o * stride[d] - padding[d]
        end = min(start + kernel_size[d], input_shape[2 + d] + padding[d])
        bounds.append((max(start, 0), min(end, input_shape[2 + d]), end - start))
    (y0, y1, ph), (x0, x1, pw) = bounds
    divisor = divisor_override or (ph * pw if count_include_pad else (y1 - y0) * (x1 - x0))
    return slice(y0, y1), slice(x0, x1), divisor


def _spread(g, input_shape, taps):
    """dx[..., rows, cols] += g[..., y, x] / divisor for each output (y, x)"""
    dx = np.zeros(input_shape, dtype=g.dtype)
    for y in range(g.shape[2]):
        for x in range(g.shape[3]):
            rows, cols, divisor = taps(y, x)
            dx[:, :, rows, cols] += (g[:, :, y, x] / divisor)[:, :, None, None]
    return dx


def _adaptive_taps(y, x, input_shape, output_size):
    (y0, y1), (x0, x1) = (adaptive_bounds(y, input_shape[2], output_size[0]),
                          adaptive_bounds(x, input_shape[3], output_size[1]))
    return slice(y0, y1), slice(x0, x1), (y1 - y0) * (x1 - x0)


def adaptive_max_pool_fwd(x, output_size):
    """max over each adaptive window, and the flat position in x of its first maximum"""
    n, c, h, w = x.shape
    out = np.empty((n, c) + tuple(output_size), dtype=x.dtype)
    idx = np.empty(out.shape, dtype=np.int64)
    planes = (np.arange(n)[:, None] * c + np.arange(c)[None, :]) * h * w
    for y in range(output_size[0]):
        for xo in range(output_size[1]):
            rows, cols, _ = _adaptive_taps(y, xo, x.shape, output_size)
            block = x[:, :, rows, cols].reshape(n, c, -1)
            first = np.argmax(block, axis=-1)
            out[:, :, y, xo] = np.take_along_axis(block, first[..., None], -1)[..., 0]
            width = cols.stop - cols.start
            idx[:, :, y, xo] = (planes + (rows.start + first // width) * w
                                + cols.start + first % width)
    return out, idx


def adaptive_avg_pool_fwd(x, output_size):
    """mean over each adaptive window"""
    out = np.empty(x.shape[:2] + tuple(output_size), dtype=x.dtype)
    for y in range(output_size[0]):
        for xo in range(output_size[1]):
            rows, cols, _ = _adaptive_taps(y, xo, x.shape, output_size)
            out[:, :, y, xo] = x[:, :, rows, cols].mean(axis=(2, 3))
    return out


def adaptive_avg_pool_bwd(g, input_shape):
    """The adjoint of adaptive_avg_pool_fwd: g / window size spread over each window"""
    return _spread(g, input_shape,
                   lambda y, x: _adaptive_taps(y, x, input_shape, g.shape[2:]))
