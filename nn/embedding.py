"""Embedding: a lookup table of learned vectors, one row per token id (F.embedding is
re-exported by nn.functional). Looking up row r is the same as multiplying the one-hot
vector of r by the table, without building the one-hot vectors; the gradient of the table
is a scatter-add into the rows that were looked up."""
import numbers

import numpy as np

from tinygrad_lite.autograd.graph import increment_version
from tinygrad_lite.dtypes import get_default_dtype
from tinygrad_lite.ops import embedding as ops
from tinygrad_lite.tensor import Tensor

from . import init
from ._checks import check_float
from .module import Module, Parameter


def _padding_row(padding_idx, num_embeddings, who):
    """padding_idx as a row number (negative counts from the end), or -1 for none."""
    if padding_idx is None:
        return -1
    if not isinstance(padding_idx, numbers.Integral) or not \
            -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{who}: padding_idx must be an int within num_embeddings "
                         f"({num_embeddings}), got {padding_idx!r}")
    return int(padding_idx) % num_embeddings


def _renorm_rows(weight, indices, max_norm, norm_type):
    """PyTorch's max_norm: every looked-up row whose norm exceeds max_norm is scaled in place
    (outside the graph) to norm max_norm: w_r *= max_norm / (||w_r|| + 1e-7)."""
    rows = np.unique(indices)
    norms = np.linalg.norm(weight._data[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        scale = max_norm / (norms[big] + 1e-7)
        weight._data[rows[big]] *= scale[:, None].astype(weight.dtype)
        increment_version(weight)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False):
    """y[..., :] = weight[input[...], :] for integer indices `input` of any shape; the row
    padding_idx gets no gradient; max_norm renormalizes the looked-up rows in place first;
    scale_grad_by_freq divides each row's gradient by how often the batch looked it up."""
    who = "embedding"
    check_float(weight, who)
    if weight.ndim != 2:
        raise ValueError(f"{who}: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {weight.shape}")
    indices = input._data if isinstance(input, Tensor) else np.asarray(input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{who}: indices must be integers (use .long()), got {indices.dtype}")
    rows = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        bad = indices[(indices < 0) | (indices >= rows)][0]
        raise IndexError(f"{who}: index {bad} is out of range for a table of {rows} rows "
                         f"(valid: 0 to {rows - 1})")
    if max_norm is not None:
        _renorm_rows(weight, indices, max_norm, norm_type)
    indices = indices.astype(np.int64, copy=False)
    grad_scale = None
    if scale_grad_by_freq:
        grad_scale = 1.0 / np.bincount(indices.reshape(-1), minlength=rows)[indices]
    return ops.Embedding.apply(weight, indices=indices, grad_scale=grad_scale,
                               padding_idx=_padding_row(padding_idx, rows, who))


class Embedding(Module):
    """A table `weight` of num_embeddings vectors of size embedding_dim, initialized
    N(0, 1); forward(indices) returns weight[indices]. padding_idx: that row starts at zero
    and never gets a gradient (a "no token" id). max_norm: looked-up rows longer than
    max_norm (in the norm_type-norm) are rescaled to it in place, as in PyTorch.
    scale_grad_by_freq: a row's gradient is divided by its number of lookups in the batch.
    Gradients are dense (V, D) arrays written only at the used rows (no sparse=True)."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, _weight=None, _freeze=False):
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings),
                            ("embedding_dim", embedding_dim)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Embedding: {name} must be a positive int, got {value!r}")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = padding_idx
        if padding_idx is not None:
            self.padding_idx = _padding_row(padding_idx, self.num_embeddings, "Embedding")
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if _weight is None:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), get_default_dtype()))
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {tuple(_weight.shape)}, "
                                 f"expected ({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False):
        """An Embedding holding a copy of the 2-D `embeddings`; freeze=True (default) keeps
        it fixed (requires_grad=False)."""
        embeddings = embeddings if isinstance(embeddings, Tensor) else Tensor(embeddings)
        if embeddings.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape "
                             f"{embeddings.shape}")
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx, max_norm, norm_type, scale_grad_by_freq,
                   _weight=embeddings.detach(), _freeze=freeze)

    def forward(self, input):
        try:
            return embedding(input, self.weight, self.padding_idx, self.max_norm,
                             self.norm_type, self.scale_grad_by_freq)
        except (TypeError, IndexError) as e:
            raise type(e)(f"{self!r}: {e}") from None

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        return text
