"""Inverted dropout as one registered op: the caller draws the mask, the op applies it.

    mask = [u >= p] / (1 - p),  u ~ U(0, 1) per element      (drawn in nn.functional.dropout)
    y = x * mask,  dy/dx = mask                                (kept units scaled by 1/(1-p))

Multiplying by a constant mask is self-adjoint: the backward is the same op on g.
"""
import numpy as np

from ..function import Function, Sample, register

# a fixed mask for the gradient checks: p = 0.5, so kept entries are 2 and dropped are 0
MASK = np.array([[2.0, 0.0, 2.0, 2.0], [0.0, 2.0, 0.0, 2.0], [2.0, 2.0, 0.0, 0.0]])


@register("dropout", samples=[Sample(((3, 4),), (), {"mask": MASK})],
          reference=lambda x, mask: x * mask,
          torch=lambda torch, x, mask: x * torch.as_tensor(mask))
class Dropout(Function):
    """y = x * mask, the mask holding 0 (dropped) or 1/(1-p) (kept);  dx = g * mask"""
    def forward(ctx, x, mask):
        ctx.mask = mask
        return np.multiply(x, mask, dtype=x.dtype)

    def backward(ctx, g):
        return Dropout.apply(g, mask=ctx.mask)
