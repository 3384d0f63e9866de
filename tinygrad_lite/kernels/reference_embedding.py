"""Plain-NumPy twin of the embedding scatter-add kernel (`embedding.py`): the fallback when
Numba is off and the oracle the kernel tests use. Same name, arguments and result."""
import numpy as np


def embedding_bwd(g, indices, num_embeddings, padding_idx):
    """g (n, D), indices (n,) -> dW (num_embeddings, D): the sum of the g rows that looked up
    each row of W; padding_idx (or -1 for none) gets nothing. Sorting groups equal indices
    so np.add.reduceat sums each group in one vectorized pass (np.add.at is much slower)."""
    out = np.zeros((num_embeddings, g.shape[1]), g.dtype)
    keep = indices != padding_idx
    g, indices = g[keep], indices[keep]
    if indices.size:
        order = np.argsort(indices, kind="stable")
        rows, starts = np.unique(indices[order], return_index=True)
        out[rows] = np.add.reduceat(g[order], starts, axis=0)
    return out
