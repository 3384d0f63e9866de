"""The 2-D convolution layer."""
import math
import numbers

import numpy as np

from tinygrad_lite.errors import ShapeError

from . import functional as F
from . import init
from .functional_layers import pair
from .module import Module, Parameter


class Conv2d(Module):
    """out[n, o] = b[o] + sum_c W[o, c] * x[n, c]  (* = 2-D cross-correlation with the given
    stride and zero padding); W is (out_channels, in_channels, KH, KW).
    Initialized like PyTorch: W by kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in * KH * KW."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Conv2d: {name} must be a positive int, got {value!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride = pair(stride, "stride", "Conv2d", 1)
        self.padding = pair(padding, "padding", "Conv2d", 0)
        self.weight = Parameter(np.empty((self.out_channels, self.in_channels)
                                         + self.kernel_size, np.float32))
        self.bias = Parameter(np.empty(self.out_channels, np.float32)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        if x.ndim not in (3, 4):
            raise ShapeError(f"{self!r}: expected a 4-D input (N, C, H, W) or a 3-D one "
                             f"(C, H, W), got shape {x.shape}")
        if x.shape[-3] != self.in_channels:
            raise ShapeError(f"{self!r}: expected input with {self.in_channels} channels, got "
                             f"shape {x.shape}")
        padded = tuple(x.shape[-2 + d] + 2 * self.padding[d] for d in range(2))
        if padded[0] < self.kernel_size[0] or padded[1] < self.kernel_size[1]:
            raise ShapeError(f"{self!r}: the kernel is bigger than the padded input {padded} "
                             f"(input shape {x.shape})")
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        return text + ("" if self.bias is not None else ", bias=False")
