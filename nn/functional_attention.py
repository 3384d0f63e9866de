"""Scaled dot-product attention (re-exported by nn.functional), the core of
nn.MultiheadAttention and the transformer layers:

    weights = softmax(Q K^T * scale + mask)  over the keys (last dim),  scale = 1/sqrt(E)
    output  = weights V

Q (..., L, E), K (..., S, E), V (..., S, Ev): L queries attend to S keys. The products are
batched matmuls (BLAS), the softmax the fused stable kernel. A mask is additive: -inf
removes a key for a query (its weight becomes 0), a finite value biases it."""
import math

import numpy as np

from tinygrad_lite.tensor import Tensor

from ._checks import check_float
from .functional_dropout import dropout


def additive_mask(mask, dtype, who, true_means_keep):
    """A float array to add to the attention scores: a float mask as it is, a bool mask as
    0 where a key is kept and -inf where it is masked out (torch's SDPA keeps True entries,
    nn.MultiheadAttention masks them out, hence `true_means_keep`)."""
    array = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if array.dtype == np.bool_:
        keep = array if true_means_keep else ~array
        return np.where(keep, 0.0, -np.inf).astype(dtype)
    if array.dtype.kind != "f":
        raise TypeError(f"{who}: a mask must be bool or floating point, got {array.dtype}")
    return array.astype(dtype, copy=False)


def causal_mask(length, source_length, dtype):
    """0 on and below the diagonal, -inf above: query i sees keys 0..i only."""
    allowed = np.tril(np.ones((length, source_length), bool))
    return np.where(allowed, 0.0, -np.inf).astype(dtype)


def attention(query, key, value, mask=None, dropout_p=0.0, training=True, scale=None):
    """(output, weights) of scaled dot-product attention with an additive float-array mask
    (or None); dropout with probability dropout_p acts on the weights when training."""
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query * scale) @ key.transpose(-2, -1)
    if mask is not None:
        scores = scores + Tensor(mask)
    weights = scores.softmax(-1)
    if dropout_p > 0 and training:
        weights = dropout(weights, dropout_p, True)
    return weights @ value, weights


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None):
    """softmax(Q K^T * scale + mask) V, as torch.nn.functional.scaled_dot_product_attention:
    attn_mask is bool (True: the query may attend to that key) or float (added to the
    scores), broadcast to (..., L, S); is_causal=True lets query i see keys 0..i only;
    scale defaults to 1/sqrt(E); dropout_p > 0 drops attention weights (always, as torch).
    A query whose every key is masked out gets output 0."""
    who = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        check_float(t, who)
        if t.ndim < 2:
            raise ValueError(f"{who}: {name} must have at least 2 dims (..., length, "
                             f"features), got shape {t.shape}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"{who}: query {query.shape}, key {key.shape} and value "
                         f"{value.shape} do not fit: need query (..., L, E), key (..., S, E), "
                         "value (..., S, Ev)")
    if not 0 <= dropout_p <= 1:
        raise ValueError(f"{who}: dropout_p must be between 0 and 1, got {dropout_p!r}")
    length, source = query.shape[-2], key.shape[-2]
    if is_causal and attn_mask is not None:
        raise ValueError(f"{who}: pass either attn_mask or is_causal=True, not both")
    mask = None
    if is_causal:
        mask = causal_mask(length, source, query.dtype)
    elif attn_mask is not None:
        mask = additive_mask(attn_mask, query.dtype, who, true_means_keep=True)
        try:
            np.broadcast_shapes(mask.shape, query.shape[:-2] + (length, source))
        except ValueError:
            raise ValueError(f"{who}: attn_mask of shape {mask.shape} does not broadcast to "
                             f"the scores' shape {query.shape[:-2] + (length, source)}") from None
    if mask is None or not np.isneginf(mask).all(-1).any():
        return attention(query, key, value, mask, dropout_p, True, scale)[0]
    # a query whose keys are all masked out attends to nothing: output 0, as torch's SDPA
    # (its softmax row would be 0/0); its scores get a finite mask so no NaN reaches backward
    empty = np.isneginf(mask).all(-1, keepdims=True)
    out = attention(query, key, value, np.where(empty, 0, mask), dropout_p, True, scale)[0]
    return out * Tensor((~empty).astype(out.dtype))


__all__ = ["scaled_dot_product_attention"]
