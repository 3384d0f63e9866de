"""Max, average and adaptive pooling layers (1-D and 2-D), with PyTorch's arguments and
reprs. Each layer checks its settings when built and calls the functions of
functional_pooling.py with its own repr, so an error names the layer."""
from . import functional_pooling as P
from ._checks import pair
from .module import Module


class _MaxPoolNd(Module):
    """Settings shared by MaxPool1d and MaxPool2d; stride defaults to kernel_size."""
    _check_setting = None        # `pair` (2-D) or `_single` (1-D): validates one setting

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        name, check = type(self).__name__, type(self)._check_setting
        P.window_settings(check, kernel_size, stride, padding, name)
        check(dilation, "dilation", name, 1)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
                f", dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """out[n, c, y, x] = max_{i,j} x_pad[n, c, y*sh + i*dh, x*sw + j*dw] (padding is -inf);
    the gradient goes to each window's maximum. return_indices=True also returns where each
    maximum is inside its plane (for MaxUnpool-style uses)."""
    _check_setting = staticmethod(pair)

    def forward(self, x):
        return P.max_pool2d_(x, self.kernel_size, self.stride, self.padding, self.dilation,
                             self.ceil_mode, self.return_indices, repr(self))


class MaxPool1d(_MaxPoolNd):
    """out[n, c, t] = max_i x_pad[n, c, t*s + i*d] over (N, C, L) or (C, L) input."""
    _check_setting = staticmethod(P._single)

    def forward(self, x):
        return P.max_pool1d_(x, self.kernel_size, self.stride, self.padding, self.dilation,
                             self.ceil_mode, self.return_indices, repr(self))


class AvgPool2d(Module):
    """out = sum of each KH x KW window / divisor, zero padding in the sum; the divisor is
    divisor_override if given, else the window size with the padding (count_include_pad=True,
    the default) or without it. stride defaults to kernel_size."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        P.window_settings(pair, kernel_size, stride, padding, type(self).__name__)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, bool(ceil_mode)
        self.count_include_pad, self.divisor_override = bool(count_include_pad), divisor_override

    def forward(self, x):
        return P.avg_pool2d_(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self.divisor_override, repr(self))

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(Module):
    """out[n, c, t] = sum_i x_pad[n, c, t*s + i] / divisor over (N, C, L) or (C, L) input;
    the settings are kept as 1-tuples, as PyTorch does."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__()
        window = P.window_settings(P._single, kernel_size, stride, padding, type(self).__name__)
        # the width of each setting (the height is 1)
        self.kernel_size, self.stride, self.padding = (setting[1:] for setting in window)
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)

    def forward(self, x):
        return P.avg_pool1d_(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, repr(self))

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool2d(Module):
    """The partial inverse of MaxPool2d: forward(x, indices, output_size=None) puts each
    value of x back at the position `indices` gives (MaxPool2d(..., return_indices=True)),
    zeros elsewhere."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = P.window_settings(
            pair, kernel_size, stride, padding, type(self).__name__)

    def forward(self, x, indices, output_size=None):
        return P.max_unpool2d_(x, indices, self.kernel_size, self.stride, self.padding,
                               output_size, repr(self))

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size: out[n, c, y, x] = mean of x[n, c, rows(y),
    cols(x)], rows(y) = [floor(y H / OH), ceil((y + 1) H / OH)). output_size: an int, a
    pair, or a pair with None (keep that input dim). AdaptiveAvgPool2d((1, 1)) is global
    average pooling, as at the end of a ResNet."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size
        P.check_output_size(output_size, type(self).__name__)

    def forward(self, x):
        return P.adaptive_avg_pool2d_(x, self.output_size, repr(self))

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed output size over the windows of AdaptiveAvgPool2d; the
    gradient goes to each window's maximum. return_indices=True also returns where each
    maximum is inside its plane."""

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, bool(return_indices)
        P.check_output_size(output_size, type(self).__name__)

    def forward(self, x):
        return P.adaptive_max_pool2d_(x, self.output_size, self.return_indices, repr(self))

    def extra_repr(self):
        return f"output_size={self.output_size}"

