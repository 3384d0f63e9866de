"""Linear layer and the two shape helpers Identity and Flatten."""
import math

import numpy as np

from tinygrad_lite.dtypes import get_default_dtype
from tinygrad_lite.ops import linear as linear_ops

from . import functional as F
from . import init
from ._checks import check_linear_shapes
from .module import Module, Parameter


class Linear(Module):
    """y = x W^T + b, W of shape (out_features, in_features), over the last dim of x.
    Initialized like PyTorch: W ~ U(-1/sqrt(in), 1/sqrt(in)) via kaiming_uniform_(a=sqrt 5),
    b ~ U(-1/sqrt(in), 1/sqrt(in))."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = Parameter(np.empty((out_features, in_features), get_default_dtype()))
        self.bias = Parameter(np.empty(out_features, get_default_dtype())) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        weight, bias = self.weight, self.bias
        check_linear_shapes(x, weight, bias, f"Linear(in_features={self.in_features}, "
                                             f"out_features={self.out_features})")
        if x.dtype != weight.dtype:
            raise RuntimeError(f"{self!r}: input is {x.dtype} but the layer's weight is "
                               f"{weight.dtype}; convert the input (x.float() / "
                               "x.double()) or the layer (.float() / .double())")
        if not x.dtype.kind == "f" or bias is not None and bias.dtype != weight.dtype:
            return F.linear(x, weight, bias)      # its checks say what is wrong
        return linear_ops.Linear.apply(*((x, weight) if bias is None else (x, weight, bias)))

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """y = x (a placeholder, e.g. for a removed head); arguments are accepted and ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Flatten(Module):
    """Merge dims start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim into the sizes unflattened_size (one of them may be -1):
    Unflatten(1, (C, H, W)) turns (N, C*H*W) back into (N, C, H, W)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) or not unflattened_size or any(
                not isinstance(s, (int, np.integer)) or isinstance(s, bool) for s in
                unflattened_size):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple or list of ints, got "
                            f"{unflattened_size!r}")
        self.dim, self.unflattened_size = dim, unflattened_size   # kept as given (repr)

    def forward(self, x):
        dim = x._dim(self.dim, f"{self!r}")
        sizes = tuple(int(s) for s in self.unflattened_size)
        known = int(np.prod([s for s in sizes if s != -1]))
        fits = (x.shape[dim] == known if -1 not in sizes else
                sizes.count(-1) == 1 and known and x.shape[dim] % known == 0)
        if not fits:
            raise ValueError(f"{self!r}: unflattened_size {sizes} does not fit dim {dim} of "
                             f"size {x.shape[dim]} (input shape {x.shape}); the sizes must "
                             "multiply to it")
        return x.reshape(x.shape[:dim] + sizes + x.shape[dim + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
