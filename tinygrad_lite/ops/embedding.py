"""Embedding lookup as a registered op, and its backward, a scatter-add (kernels/embedding.py):

    y[..., :] = W[indices[...], :]                                            (embedding)
    dW[r] = sum of g[i] over the positions i with indices[i] = r,
            except r = padding_idx, which gets no gradient              (embedding_backward)

The indices are a constant (an integer array, not differentiated), passed as a keyword.
The two ops are each other's adjoints, so second derivatives work.
"""
import numpy as np

from ..function import Function, Sample, constant, register
from .. import kernels as K

INDICES = np.array([[0, 2, 4], [2, 2, 1]])       # repeated rows: their gradients add up


def _torch_backward(torch, g, indices, num_embeddings, padding_idx):
    index = torch.as_tensor(indices).reshape(-1)
    rows = g.reshape(-1, g.shape[-1])
    keep = index != padding_idx
    return torch.zeros(num_embeddings, g.shape[-1], dtype=g.dtype).index_add(
        0, index[keep], rows[keep])


def _np_backward(g, indices, num_embeddings, padding_idx):
    out = np.zeros((num_embeddings, g.shape[-1]))
    keep = indices.reshape(-1) != padding_idx
    np.add.at(out, indices.reshape(-1)[keep], g.reshape(-1, g.shape[-1])[keep])
    return out


# padding_idx drops a true derivative on purpose, so only the sample without it is
# gradient-checked; nn's tests compare padding with PyTorch
@register("embedding", samples=[Sample(((5, 3),), (), {"indices": INDICES, "padding_idx": -1}),
                                Sample(((4, 2),), (), {"indices": INDICES[:1] % 4,
                                                       "padding_idx": -1})],
          reference=lambda w, indices, padding_idx: w[indices],
          torch=lambda torch, w, indices, padding_idx: torch.nn.functional.embedding(
              torch.as_tensor(indices), w, None if padding_idx < 0 else padding_idx))
class Embedding(Function):
    """y = W[indices] (one row of W per index; y has shape indices.shape + (D,));
    dW = embedding_backward(g): each used row collects the gradients of its lookups.
    padding_idx (-1: none) marks the row that gets no gradient; grad_scale (an array of the
    indices' shape, or None) multiplies each lookup's gradient first."""
    def forward(ctx, weight, indices, padding_idx, grad_scale=None):
        ctx.indices, ctx.padding_idx, ctx.rows = indices, padding_idx, weight.shape[0]
        ctx.grad_scale = grad_scale
        return weight[indices]

    def backward(ctx, g):
        if ctx.grad_scale is not None:      # scale_grad_by_freq: g_i / (lookups of row i)
            g = g * constant(ctx.grad_scale[..., None].astype(g.dtype))
        return EmbeddingBackward.apply(g, indices=ctx.indices, num_embeddings=ctx.rows,
                                       padding_idx=ctx.padding_idx)


@register("embedding_backward",
          samples=[Sample(((2, 3, 4),), (), {"indices": INDICES, "num_embeddings": 5,
                                             "padding_idx": -1}),
                   Sample(((2, 3, 4),), (), {"indices": INDICES, "num_embeddings": 6,
                                             "padding_idx": 2})],
          reference=_np_backward, torch=_torch_backward)
class EmbeddingBackward(Function):
    """dW (num_embeddings, D) = scatter-add of the rows of g at indices, padding_idx skipped;
    its adjoint is the lookup gg[indices], zero at the padding positions."""
    def forward(ctx, g, indices, num_embeddings, padding_idx):
        ctx.indices, ctx.padding_idx = indices, padding_idx
        return K.embedding_bwd(g.reshape(-1, g.shape[-1]), indices.reshape(-1),
                               num_embeddings, padding_idx)

    def backward(ctx, gg):
        looked_up = Embedding.apply(gg, indices=ctx.indices, padding_idx=ctx.padding_idx)
        if ctx.padding_idx < 0:
            return looked_up
        used = (ctx.indices != ctx.padding_idx)[..., None].astype(gg.dtype)
        return looked_up * constant(used)
