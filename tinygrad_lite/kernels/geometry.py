"""Output sizes of sliding and adaptive windows (plain Python, shared by the convolution and
pooling kernels, their NumPy twins and the argument checks of nn)."""


def out_size(size, k, s, p, d=1, ceil_mode=False):
    """PyTorch's pooling output length over size + 2p with a window of k taps d apart:
    floor (or ceil) of (size + 2p - d(k-1) - 1) / s, plus 1; with ceil_mode the last window
    must still start inside the input or its left padding, (out - 1) s < size + p."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def adaptive_bounds(i, size, out):
    """Window i of `out` windows over `size`: [floor(i size / out), ceil((i+1) size / out))"""
    return i * size // out, -(-(i + 1) * size // out)
