"""Batches of sequences of different lengths, as torch.nn.utils.rnn:

    padded = pad_sequence([a, b, c], batch_first=True)            # (3, T_max, *)
    packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
    output, h_n = gru(packed)                                      # each sequence stops at its end
    output, lengths = pad_packed_sequence(output, batch_first=True)

A PackedSequence stores the time steps one after another, each holding only the sequences
still running (longest first): `data` (sum of lengths, *), `batch_sizes[t]` = how many
sequences are longer than t. Gradients flow through packing and unpacking.
"""
from collections import namedtuple

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite.function import constant
from tinygrad_lite.ops.movement import IndexAdd


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """(data, batch_sizes, sorted_indices, unsorted_indices): made by pack_padded_sequence,
    read by the recurrent layers and pad_packed_sequence. sorted_indices[k] is the batch
    entry at sorted position k (None when the input was already sorted)."""
    __slots__ = ()

    def __new__(cls, data, batch_sizes, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = tl.tensor(np.argsort(sorted_indices.numpy()))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)


def _lengths_array(lengths, fn):
    lengths = np.asarray(lengths.numpy() if isinstance(lengths, tl.Tensor) else lengths)
    if lengths.ndim != 1 or lengths.dtype.kind not in "iu":
        raise ValueError(f"{fn}: lengths must be a 1-D list or tensor of ints, got {lengths!r}")
    return lengths.astype(np.int64)


def _time_batch_index(batch_sizes, sorted_indices):
    """(t, b) of each row of a PackedSequence's data, b in the original batch order."""
    steps = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    ranks = np.concatenate([np.arange(n) for n in batch_sizes]) if len(batch_sizes) else steps
    return steps, (ranks if sorted_indices is None else sorted_indices[ranks])


def packed_lengths(sequence):
    """Each sequence's length, in the original batch order."""
    batch_sizes = sequence.batch_sizes.numpy()
    lengths = (np.arange(batch_sizes[0])[None, :] < batch_sizes[:, None]).sum(0)
    if sequence.sorted_indices is None:
        return lengths
    out = np.empty_like(lengths)
    out[sequence.sorted_indices.numpy()] = lengths
    return out


def pack_time_major(padded, batch_sizes, sorted_indices):
    """The rows of a time-major (T, B, *) tensor that a PackedSequence with these batch sizes
    and order holds, as its data."""
    order = None if sorted_indices is None else sorted_indices.numpy()
    steps, batch = _time_batch_index(batch_sizes.numpy(), order)
    return padded[steps, batch]


def unpack_time_major(sequence, total_length=None, padding_value=0.0):
    """A PackedSequence as a time-major (T, B, *) tensor in the original batch order, with
    `padding_value` past each sequence's end."""
    data, batch_sizes = sequence.data, sequence.batch_sizes.numpy()
    order = None if sequence.sorted_indices is None else sequence.sorted_indices.numpy()
    steps = len(batch_sizes) if total_length is None else total_length
    shape = (steps, int(batch_sizes[0])) + tuple(data.shape[1:])
    index = _time_batch_index(batch_sizes, order)
    padded = IndexAdd.apply(data, shape=shape, index=index)
    if padding_value != 0:
        filled = np.full(shape, padding_value, data.dtype)
        filled[index] = 0
        padded = padded + constant(filled)
    return padded


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shapes (L_i, *) into (T, B, *) (batch_first: (B, T, *)), T = max L_i,
    filling with padding_value on the right (padding_side='left': before each sequence)."""
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'right' or 'left', got "
                         f"{padding_side!r}")
    sequences = list(sequences)
    if not sequences:
        raise ValueError("pad_sequence: received an empty list of sequences")
    trailing = {tuple(s.shape[1:]) for s in sequences}
    if any(s.ndim == 0 for s in sequences) or len(trailing) != 1:
        raise ValueError(f"pad_sequence: sequences must have shapes (L_i, *) with the same * , "
                         f"got {[tuple(s.shape) for s in sequences]}")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        last = (0, missing) if padding_side == "right" else (missing, 0)
        padded.append(s.pad((0, 0) * (s.ndim - 1) + last, value=padding_value))
    return tl.stack(padded, 0 if batch_first else 1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (batch_first: (B, T, *)) whose sequence b has length
    lengths[b]. With enforce_sorted=True the lengths must be decreasing; otherwise they are
    sorted here and the order is remembered."""
    lengths = _lengths_array(lengths, "pack_padded_sequence")
    batch_dim = 0 if batch_first else 1
    if input.ndim < 2 or len(lengths) != input.shape[batch_dim]:
        raise ValueError(f"pack_padded_sequence: {len(lengths)} lengths for an input of shape "
                         f"{tuple(input.shape)} (batch dim {batch_dim}); give one per sequence")
    if lengths.size and lengths.min() <= 0:
        raise ValueError(f"pack_padded_sequence: every length must be > 0, got {lengths.tolist()}")
    steps = input.shape[1 - batch_dim]
    if lengths.max() > steps:
        raise ValueError(f"pack_padded_sequence: a length of {lengths.max()} is longer than the "
                         f"input's {steps} time steps")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError(f"pack_padded_sequence: lengths {lengths.tolist()} must be sorted "
                               "in decreasing order when enforce_sorted=True; pass "
                               "enforce_sorted=False to have them sorted")
        sorted_indices = None
    else:
        sorted_indices = tl.tensor(np.argsort(-lengths, kind="stable"))
    ordered = np.sort(lengths)[::-1]
    batch_sizes = tl.tensor((np.arange(ordered[0])[:, None] < ordered[None, :]).sum(1))
    time_major = input.transpose(0, 1) if batch_first else input
    return PackedSequence(pack_time_major(time_major, batch_sizes, sorted_indices), batch_sizes,
                          sorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """(padded, lengths): the inverse of pack_padded_sequence, padded to the longest sequence
    (or to total_length steps), in the original batch order."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got "
                        f"{type(sequence).__name__}")
    longest = len(sequence.batch_sizes)
    if total_length is not None and total_length < longest:
        raise ValueError(f"pad_packed_sequence: total_length={total_length} is shorter than the "
                         f"longest sequence ({longest} steps)")
    padded = unpack_time_major(sequence, total_length, padding_value)
    lengths = tl.tensor(packed_lengths(sequence))
    return (padded.transpose(0, 1) if batch_first else padded), lengths
