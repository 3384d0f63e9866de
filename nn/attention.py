"""Multi-head attention, with PyTorch's parameters and call signature.

Each of the H heads attends in its own subspace of E/H features:
    Q = query W_q^T + b_q,  K = key W_k^T + b_k,  V = value W_v^T + b_v
    head_h = softmax(Q_h K_h^T / sqrt(E/H) + mask) V_h      (scaled dot-product attention)
    output = concat(head_1 .. head_H) W_o^T + b_o           (out_proj)
"""
import numbers

import numpy as np

import tinygrad_lite as tl

from . import functional as F
from . import init
from .functional_attention import additive_mask, attention, causal_mask
from .linear import Linear
from .module import Module, Parameter


class MultiheadAttention(Module):
    """Multi-head attention over embed_dim features split into num_heads heads.

    Parameters (PyTorch's names, so state dicts move between the two): in_proj_weight
    (3E, E) stacking W_q, W_k, W_v, or q_proj_weight, k_proj_weight, v_proj_weight when
    kdim/vdim differ from embed_dim; in_proj_bias (3E,); out_proj (a Linear(E, E)).
    Inputs are (L, N, E) (sequence first, PyTorch's default), (N, L, E) with
    batch_first=True, or unbatched (L, E). dropout acts on the attention weights in
    training. add_bias_kv=True appends a learned key bias_k and value bias_v (each (1, 1, E))
    to every sequence of keys and values; add_zero_attn=True appends an all-zero key and
    value per head (both give every query something to attend to)."""

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False):
        super().__init__()
        for name, value in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"MultiheadAttention: {name} must be a positive int, got "
                                 f"{value!r}")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible "
                             f"by num_heads ({num_heads})")
        if not 0 <= dropout <= 1:
            raise ValueError(f"MultiheadAttention: dropout must be between 0 and 1, got "
                             f"{dropout!r}")
        self.embed_dim, self.num_heads, self.dropout = int(embed_dim), int(num_heads), dropout
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self.head_dim, self.batch_first = embed_dim // num_heads, batch_first
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        e = embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * e, e), np.float32))
        else:
            self.q_proj_weight = Parameter(np.empty((e, e), np.float32))
            self.k_proj_weight = Parameter(np.empty((e, self.kdim), np.float32))
            self.v_proj_weight = Parameter(np.empty((e, self.vdim), np.float32))
        self.in_proj_bias = Parameter(np.zeros(3 * e, np.float32)) if bias else None
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, e), np.float32))
            self.bias_v = Parameter(np.empty((1, 1, e), np.float32))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self.out_proj = Linear(e, e, bias=bias)
        self._reset_parameters()

    def _reset_parameters(self):
        """Xavier-uniform projections (W_q, W_k, W_v as one (3E, E) matrix when stacked),
        zero biases, Xavier-normal bias_k and bias_v, as PyTorch."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    @property
    def _name(self):
        """How errors name the layer (its repr spans several lines)."""
        return f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"

    def _projections(self):
        """(W_q, W_k, W_v) and (b_q, b_k, b_v) (Nones without bias)."""
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            weights = (w[:e], w[e:2 * e], w[2 * e:])
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        b = self.in_proj_bias
        biases = (None,) * 3 if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        return weights, biases

    def _check_inputs(self, query, key, value):
        batched = query.ndim == 3
        expected = 3 if batched else 2
        for name, t, features in (("query", query, self.embed_dim), ("key", key, self.kdim),
                                  ("value", value, self.vdim)):
            if t.ndim != expected or t.shape[-1] != features:
                raise ValueError(f"{self._name}: {name} of shape {t.shape} does not fit: expected "
                                 f"{'(N, L, E)' if self.batch_first else '(L, N, E)'} or "
                                 f"unbatched (L, E) with {features} features, like the query "
                                 f"{query.shape}")
        if key.shape[:-1] != value.shape[:-1] or (batched and key.shape[
                0 if self.batch_first else 1] != query.shape[0 if self.batch_first else 1]):
            raise ValueError(f"{self._name}: key {key.shape} and value {value.shape} must have the "
                             f"same length and batch size as each other and the query "
                             f"{query.shape}")
        return batched

    def _mask(self, attn_mask, key_padding_mask, is_causal, n, length, source, dtype):
        """The additive mask of shape broadcasting to (N, H, L, S), or None."""
        heads, who = self.num_heads, self._name
        mask = None
        if attn_mask is not None:
            mask = additive_mask(attn_mask, dtype, who, true_means_keep=False)
            if mask.shape == (n * heads, length, source):
                mask = mask.reshape(n, heads, length, source)
            elif mask.shape != (length, source):
                raise ValueError(f"{who}: attn_mask of shape {mask.shape} should be "
                                 f"({length}, {source}) or ({n * heads}, {length}, {source})")
        elif is_causal:
            mask = causal_mask(length, source, dtype)
        if key_padding_mask is not None:
            padding = additive_mask(key_padding_mask, dtype, who, true_means_keep=False)
            if padding.shape != (n, source):
                raise ValueError(f"{who}: key_padding_mask of shape {padding.shape} should be "
                                 f"(N, S) = ({n}, {source})")
            padding = padding.reshape(n, 1, 1, source)
            mask = padding if mask is None else mask + padding
        return mask

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        """(attn_output, attn_weights): the output has the query's shape; the weights are
        (N, L, S) averaged over heads (average_attn_weights=False: (N, H, L, S)), or None
        with need_weights=False. attn_mask (L, S) or (N*H, L, S) and key_padding_mask
        (N, S): True (bool) masks a key out, a float is added to the scores."""
        batched = self._check_inputs(query, key, value)
        fused = query is key is value and self._qkv_same_embed_dim  # self-attention: one GEMM
        if not batched:                     # unbatched: a batch of one
            query, key, value = (t.unsqueeze(0) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = np.asarray(key_padding_mask)[None]
        elif not self.batch_first:          # (L, N, E) -> (N, L, E)
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        n, length, source = query.shape[0], query.shape[1], key.shape[1]
        heads, head_dim = self.num_heads, self.head_dim

        def split_heads(x, size):           # (N, size, E) -> (N, H, size, E/H)
            return x.reshape(n, size, heads, head_dim).transpose(1, 2)

        if fused:
            q, k, v = F.linear(query, self.in_proj_weight, self.in_proj_bias).chunk(3, -1)
        else:
            (w_q, w_k, w_v), (b_q, b_k, b_v) = self._projections()
            q, k, v = (F.linear(query, w_q, b_q), F.linear(key, w_k, b_k),
                       F.linear(value, w_v, b_v))
        mask = self._mask(attn_mask, key_padding_mask, is_causal, n, length, source, q.dtype)
        if self.bias_k is not None:         # one more key and value: the learned biases
            k = tl.cat([k, self.bias_k.expand(n, 1, self.embed_dim)], dim=1)
            v = tl.cat([v, self.bias_v.expand(n, 1, self.embed_dim)], dim=1)
        q, k, v = (split_heads(q, length), split_heads(k, k.shape[1]),
                   split_heads(v, v.shape[1]))
        if self.add_zero_attn:              # one more key and value per head: zeros
            zeros = tl.zeros(n, heads, 1, head_dim, dtype=k.dtype)
            k, v = tl.cat([k, zeros], dim=2), tl.cat([v, zeros], dim=2)
        if mask is not None and k.shape[2] > source:   # the added keys are never masked
            pad = [(0, 0)] * (mask.ndim - 1) + [(0, k.shape[2] - source)]
            mask = np.pad(mask, pad)
        out, weights = attention(q, k, v, mask, self.dropout, self.training)
        out = self.out_proj(out.transpose(1, 2).reshape(n, length, self.embed_dim))
        if not batched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(1)
        return out, weights if batched else weights.squeeze(0)

    def extra_repr(self):
        return ""   # PyTorch shows only the out_proj child
