"""The embedding backward as a scatter-add kernel: out[indices[i]] += g[i] for every looked-up
row i (rows equal to padding_idx skipped), so only the used rows of the (V, D) gradient are
ever written. Serial on purpose: two lookups of the same row would race in a parallel loop.
NumPy twin in `reference_embedding.py`."""
import numpy as np

from ._checks import contiguous
from ._jit import njit


@njit()
def _scatter_rows(g, indices, padding_idx, out):
    """out[indices[i], :] += g[i, :] for i with indices[i] != padding_idx"""
    for i in range(indices.size):
        row = indices[i]
        if row != padding_idx:
            for j in range(g.shape[1]):
                out[row, j] += g[i, j]


def embedding_bwd(g, indices, num_embeddings, padding_idx):
    """g (n, D), indices (n,) -> dW (num_embeddings, D): the sum of the g rows that looked up
    each row of W; padding_idx (or -1 for none) gets nothing"""
    out = np.zeros((num_embeddings, g.shape[1]), g.dtype)
    _scatter_rows(contiguous(g), np.ascontiguousarray(indices, np.int64),
                  padding_idx, out)
    return out
