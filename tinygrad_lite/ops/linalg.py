"""Matrix multiplication: 1-D, 2-D and batched with broadcast batch dims (NumPy's rules)."""
import numpy as np

from .. import dtypes
from .. import kernels as K
from ..function import Function, Sample, register
from ..errors import ShapeError
from . import references as ref


@register("matmul", samples=[Sample(((3, 4), (4, 5))), Sample(((2, 3, 4), (4, 2))),
                             Sample(((2, 1, 3, 4), (3, 4, 2))), Sample(((1, 4), (2, 4, 3)))],
          reference=ref.matmul_by_einsum, torch=lambda torch, a, b: a @ b)
class MatMul(Function):
    """C = A B;  dA = dC B^T, dB = A^T dC (batch dims summed back by the engine)"""
    def forward(ctx, a, b):
        if a.ndim == 2 and b.ndim == 2:
            return K.matmul(a, b)
        if a.dtype.kind == "f":     # NumPy calls BLAS per batch only for contiguous matrices:
            a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)  # a transposed view
        return np.matmul(a, b)      # took 30x longer (measured, 128 x (128x32 @ 32x128))

    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (g @ b.transpose(-1, -2) if need_a else None,
                a.transpose(-1, -2) @ g if need_b else None)

    def backward_arrays(ctx, g):
        a, b = ctx.input_arrays
        need_a, need_b = ctx.needs_input_grad
        return (g @ np.swapaxes(b, -1, -2) if need_a else None,
                np.swapaxes(a, -1, -2) @ g if need_b else None)


def matmul(a, b):
    """Promote 1-D operands like NumPy (prepend/append a dim, removed afterwards), check the
    shapes, and multiply."""
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both operands need at least 1 dim, got shapes {a.shape} "
                         f"and {b.shape}; use * for scalars")
    if a.dtype != b.dtype:
        dtype = dtypes.promote(a.dtype, b.dtype)
        a, b = a.to(dtype), b.to(dtype)
    squeeze = []
    if a.ndim == 1:
        a, squeeze = a.unsqueeze(0), squeeze + [-2]
    if b.ndim == 1:
        b, squeeze = b.unsqueeze(-1), squeeze + [-1]
    if a.shape[-1] != b.shape[-2]:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} are incompatible: "
                         f"{a.shape[-1]} != {b.shape[-2]}")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"matmul: batch dims {a.shape[:-2]} and {b.shape[:-2]} of shapes "
                         f"{a.shape} and {b.shape} cannot be broadcast together") from None
    out = MatMul.apply(a, b)
    if squeeze:   # drop the dims that the 1-D promotion added
        out = out.reshape(tuple(s for i, s in enumerate(out.shape) if i - out.ndim not in squeeze))
    return out
