"""The fused linear layer y = x W^T + b (nn.Linear, nn.functional.linear) as one op on the
kernels' GEMM; its backward is written with Tensor matmuls, so second derivatives work."""
from .. import kernels as K
from ..function import Function, Sample, register


def _linear_reference(x, weight, bias=None):
    return x @ weight.T + (0 if bias is None else bias)


@register("linear", samples=[Sample(((3, 4), (5, 4), (5,))), Sample(((2, 3, 4), (5, 4), (5,))),
                             Sample(((4,), (5, 4), (5,))), Sample(((3, 4), (5, 4)))],
          reference=_linear_reference,
          torch=lambda torch, x, w, b=None: torch.nn.functional.linear(x, w, b))
class Linear(Function):
    """y = x W^T + b over the last dim of x;  dx = g W, dW = g^T x, db = sum of g over rows"""
    summed_inputs = (2,)                      # the bias

    def forward(ctx, x, weight, bias=None):
        rows = x.reshape(-1, x.shape[-1])     # (..., in) -> (rows, in) for the 2-D kernel
        out = K.linear_fwd(rows, weight, bias, None)
        return out.reshape(x.shape[:-1] + (weight.shape[0],))

    def backward(ctx, g):
        return _linear_grads(g, *ctx.inputs[:2], ctx.needs_input_grad)

    def backward_arrays(ctx, g):
        return _linear_grads(g, *ctx.input_arrays[:2], ctx.needs_input_grad)


def _linear_grads(g, x, weight, need):
    """Linear's (dx, dW[, db]) where `need` says; the same formula for Tensors or arrays."""
    rows = g.reshape(-1, weight.shape[0])
    grads = (g @ weight if need[0] else None,
             rows.T @ x.reshape(-1, weight.shape[1]) if need[1] else None)
    return grads + ((rows.sum(0) if need[2] else None),) if len(need) > 2 else grads
