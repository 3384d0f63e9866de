"""`tl.` functions of several tensors that are not Tensor methods: einsum, meshgrid, cdist.
(The one-tensor functions are made from the methods in functional.py.)"""
from . import dtypes, ops
from .errors import ShapeError
from .tensor import Tensor


def _tensors(tensors, op):
    """Accept f(a, b) and f([a, b]); wrap non-tensors."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    if not tensors:
        raise ValueError(f"{op}: needs at least one tensor")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


def einsum(equation, *operands):
    """Einstein summation as torch.einsum: `einsum("bij,bjk->bik", a, b)` is a batched
    matmul; letters missing from the output are summed over, `...` stands for broadcast dims,
    and without `->` the output is the `...` dims then the letters used once, sorted."""
    operands = _tensors(operands, "einsum")
    shapes = [t.shape for t in operands]
    inputs, output = ops.einsum.parse(equation, shapes)
    ops.einsum.letter_sizes(inputs, shapes, equation)
    dtype = operands[0].dtype
    for t in operands[1:]:
        dtype = dtypes.promote(dtype, t.dtype)
    return ops.einsum.Einsum.apply(*[t.to(dtype) for t in operands],
                                   equation=",".join(inputs) + "->" + output)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors: with indexing="ij" grid k varies along dim k;
    with "xy" (NumPy's default, for plotting) the first two dims are swapped."""
    tensors = _tensors(tensors, "meshgrid")
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if any(t.ndim > 1 for t in tensors):
        raise ValueError(f"meshgrid: expects 0-D or 1-D tensors, got shapes "
                         f"{[t.shape for t in tensors]}")
    if indexing == "xy" and len(tensors) >= 2:
        swapped = meshgrid(tensors[1], tensors[0], *tensors[2:], indexing="ij")
        return (swapped[1], swapped[0]) + swapped[2:]
    shape = tuple(t.numel() for t in tensors)
    return tuple(t.reshape(tuple(n if i == k else 1 for i, n in enumerate(shape)))
                 .broadcast_to(shape) for k, t in enumerate(tensors))


def cdist(x1, x2, p=2.0):
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and of x2 (..., R, M):
    out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p, shape (..., P, R). p = 2 has
    gradient 0 at zero distance (PyTorch's subgradient)."""
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(f"cdist: expects (..., P, M) and (..., R, M) tensors with the same M, "
                         f"got shapes {x1.shape} and {x2.shape}")
    if p < 0:
        raise ValueError(f"cdist: p must be non-negative, got {p}")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    if p == 2:
        return diff.norm(dim=-1)
    if p == 1:
        return diff.abs().sum(-1)
    if p == float("inf"):
        return diff.abs().amax(-1)
    if p == 0:                  # the number of coordinates that differ: no gradient
        return (diff != 0).sum(-1).to(diff.dtype).detach()
    return (diff.abs() ** p).sum(-1) ** (1 / p)
