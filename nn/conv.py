"""Convolution layers: Conv1d, Conv2d and ConvTranspose2d, with PyTorch's arguments, weight
shapes, parameter names (so state_dicts load both ways), initialization and reprs."""
import math
import numbers

import numpy as np

from tinygrad_lite.errors import ShapeError

from . import functional_conv as C
from . import init
from .module import Module, Parameter


class _ConvNd(Module):
    """What the convolution layers share: settings checked and stored as tuples, a weight of
    shape (out, in/groups, *kernel) ((in, out/groups, *kernel) when transposed) and a bias,
    initialized like PyTorch: W by kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), with fan_in =
    weight.shape[1] * kernel area."""
    dims = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 groups, bias, padding_mode, output_padding=0):
        super().__init__()
        call = self._call(in_channels, out_channels, kernel_size, stride=stride,
                          padding=padding, dilation=dilation, groups=groups, bias=bias,
                          padding_mode=padding_mode, output_padding=output_padding)
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("groups", groups)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{call}: {name} must be a positive int, got {value!r}")
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if value % groups:
                raise ValueError(f"{call}: {name} ({value}) must be divisible by groups "
                                 f"({groups})")
        if padding_mode not in C.PADDING_MODES:
            raise ValueError(f"{call}: padding_mode must be one of {C.PADDING_MODES}, got "
                             f"{padding_mode!r}")
        if self.transposed and padding_mode != "zeros":
            raise ValueError(f"{call}: only padding_mode='zeros' is supported for "
                             f"{type(self).__name__}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = C.as_tuple(kernel_size, "kernel_size", call, 1, self.dims)
        self.stride = C.as_tuple(stride, "stride", call, 1, self.dims)
        self.dilation = C.as_tuple(dilation, "dilation", call, 1, self.dims)
        if isinstance(padding, str) and not self.transposed:
            C.conv_padding(padding, self.kernel_size, self.stride, self.dilation, call)
            self.padding = padding
        else:
            self.padding = C.as_tuple(padding, "padding", call, 0, self.dims)
        self.output_padding = C.as_tuple(output_padding, "output_padding", call, 0, self.dims)
        self.groups, self.padding_mode = int(groups), padding_mode
        shape = ((in_channels, out_channels // groups) if self.transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(np.empty(shape, np.float32))
        self.bias = Parameter(np.empty(out_channels, np.float32)) if bias else None
        self.reset_parameters()

    def _call(self, in_channels, out_channels, kernel_size, **settings):
        """How the layer was built, e.g. `Conv2d(3, 8, kernel_size=(3, 3), groups=2)`: the
        name in errors raised before the layer exists (arguments left at their default are
        left out)."""
        defaults = dict(stride=1, padding=0, dilation=1, groups=1, bias=True,
                        padding_mode="zeros", output_padding=0)
        if isinstance(kernel_size, numbers.Integral):
            kernel_size = (kernel_size,) * self.dims
        text = "".join(f", {k}={v!r}" for k, v in settings.items() if v != defaults[k]
                       and v != (defaults[k],) * self.dims)
        return (f"{type(self).__name__}({in_channels}, {out_channels}, "
                f"kernel_size={kernel_size!r}{text})")

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.weight.shape[1] * math.prod(self.kernel_size))
            init.uniform_(self.bias, -bound, bound)

    def _check_channels(self, x):
        rank = self.dims + 2
        if x.ndim in (rank - 1, rank) and x.shape[-self.dims - 1] != self.in_channels:
            raise ShapeError(f"{self!r}: expected input with {self.in_channels} channels, got "
                             f"shape {x.shape}")

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        zeros = (0,) * self.dims
        if self.padding != zeros:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != zeros:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    """Conv1d and Conv2d: PyTorch's constructor, and a forward that calls `_function`
    (functional_conv's conv1d_ or conv2d_) with the layer's settings and repr."""
    _function = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros"):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode)

    def forward(self, x):
        self._check_channels(x)
        return type(self)._function(x, self.weight, self.bias, self.stride, self.padding,
                                    self.dilation, self.groups, repr(self), self.padding_mode)


class Conv2d(_Conv):
    """out[n, o] = b[o] + sum_c W[o, c] * x[n, g*Cg + c]  (* = 2-D cross-correlation with the
    given stride, padding and dilation; g = the group of o); W is (out_channels,
    in_channels/groups, KH, KW). groups=G splits the channels into G independent
    convolutions (groups=in_channels: depthwise). padding: ints, 'valid' or 'same' (stride 1;
    an odd total d(k - 1) puts the extra row/column at the end); padding_mode: 'zeros',
    'reflect', 'replicate' or 'circular'."""
    _function = staticmethod(C.conv2d_)


class Conv1d(_Conv):
    """out[n, o, t] = b[o] + sum_{c,i} W[o, c, i] x_pad[n, g*Cg + c, t*s + i*d] over (N, C, L)
    or (C, L) input; W is (out_channels, in_channels/groups, K). The same options as
    Conv2d; computed as a Conv2d of height 1."""
    dims = 1
    _function = staticmethod(C.conv1d_)


class ConvTranspose2d(_ConvNd):
    """The adjoint of Conv2d in its input (upsampling "deconvolution"): each input pixel adds
    W times itself to a KH x KW patch of the output, the patches `stride` apart; W is
    (in_channels, out_channels/groups, KH, KW). Output height (H - 1) s - 2p + d (KH - 1) +
    output_padding + 1 (likewise the width); forward(x, output_size=...) picks the
    output_padding that gives that size."""
    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros"):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding)

    def forward(self, x, output_size=None):
        self._check_channels(x)
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = C.transposed_output_padding(
                x.shape[-2:], output_size, self.kernel_size, self.stride, self.padding,
                self.dilation, repr(self))
        return C.conv_transpose2d_(x, self.weight, self.bias, self.stride, self.padding,
                                   output_padding, self.groups, self.dilation, repr(self))
