"""Max and average pooling layers."""
from tinygrad_lite.errors import ShapeError

from . import functional as F
from .functional_layers import pair
from .module import Module


class _Pool2d(Module):
    """Window settings shared by the pooling layers; stride defaults to kernel_size."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        pair(kernel_size, "kernel_size", name, 1)
        pair(padding, "padding", name, 0)
        if stride is not None:
            pair(stride, "stride", name, 1)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def _check(self, x):
        if x.ndim not in (3, 4):
            raise ShapeError(f"{self!r}: expected a 4-D input (N, C, H, W) or a 3-D one "
                             f"(C, H, W), got shape {x.shape}")
        kernel = pair(self.kernel_size, "kernel_size", type(self).__name__, 1)
        padding = pair(self.padding, "padding", type(self).__name__, 0)
        padded = tuple(x.shape[-2 + d] + 2 * padding[d] for d in range(2))
        if padded[0] < kernel[0] or padded[1] < kernel[1]:
            raise ShapeError(f"{self!r}: the pooling window {kernel} is bigger than the "
                             f"padded input {padded} (input shape {x.shape})")

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """out = max over each KH x KW window (padding is -inf); the gradient goes to the max."""

    def forward(self, x):
        self._check(x)
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """out = mean of each KH x KW window, zero padding counted (count_include_pad=True)."""

    def forward(self, x):
        self._check(x)
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)
