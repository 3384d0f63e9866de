"""The bilinear layer (F.bilinear is re-exported by nn.functional):

    y_o = x1^T A_o x2 + b_o = sum_ij x1_i A[o, i, j] x2_j + b_o

a learned quadratic interaction between two inputs, computed as one matrix product
(x1 against A reshaped to (in1, out * in2)) and a row-wise dot product with x2."""
import math
import numbers

import numpy as np

from tinygrad_lite.dtypes import get_default_dtype

from . import init
from ._checks import check_float, same_dtype
from .module import Module, Parameter


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o];
    weight (out, in1, in2), inputs (..., in1) and (..., in2) with the same leading dims."""
    for t in (input1, input2, weight):
        check_float(t, "bilinear")
    if weight.ndim != 3 or input1.ndim == 0 or input2.ndim == 0 or \
            input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2] or \
            input1.shape[:-1] != input2.shape[:-1]:
        raise ValueError(f"bilinear: input1 {input1.shape} and input2 {input2.shape} do not fit "
                         f"weight {weight.shape}: expected (..., in1), (..., in2) with the same "
                         "leading dims and weight (out, in1, in2)")
    out, in1, in2 = weight.shape
    if bias is not None and tuple(bias.shape) != (out,):
        raise ValueError(f"bilinear: bias has shape {tuple(bias.shape)}, expected ({out},)")
    tensors = same_dtype([t for t in (input1, input2, weight, bias) if t is not None],
                          "bilinear")
    x1, x2, weight = (t.reshape(-1, t.shape[-1]) if i < 2 else t
                      for i, t in enumerate(tensors[:3]))
    # (rows, in1) @ (in1, out * in2) -> (rows, out, in2), then the dot with x2 over in2
    mixed = (x1 @ weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    y = (mixed * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + tensors[3]
    return y.reshape(input1.shape[:-1] + (out,))


class Bilinear(Module):
    """y = x1^T A x2 + b with weight A (out_features, in1_features, in2_features); weight and
    bias start U(-1/sqrt(in1), 1/sqrt(in1)), as PyTorch."""

    def __init__(self, in1_features, in2_features, out_features, bias=True):
        super().__init__()
        for name, value in (("in1_features", in1_features), ("in2_features", in2_features),
                            ("out_features", out_features)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Bilinear: {name} must be a positive int, got {value!r}")
        self.in1_features, self.in2_features = int(in1_features), int(in2_features)
        self.out_features = int(out_features)
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features),
                                         get_default_dtype()))
        self.bias = Parameter(np.empty(out_features, get_default_dtype())) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        if input1.ndim == 0 or input1.shape[-1] != self.in1_features or input2.ndim == 0 or \
                input2.shape[-1] != self.in2_features or input1.shape[:-1] != input2.shape[:-1]:
            raise ValueError(f"{self!r}: inputs of shapes {input1.shape} and {input2.shape} do "
                             f"not fit: expected (..., {self.in1_features}) and "
                             f"(..., {self.in2_features}) with the same leading dims")
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
