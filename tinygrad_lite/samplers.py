"""Samplers: which sample indices a DataLoader visits, and in what order (torch.utils.data's).

A sampler is an iterable of indices with a length; a batch sampler yields lists of indices.
The DataLoader builds one for you (shuffle=True: RandomSampler, else SequentialSampler,
grouped by a BatchSampler); pass your own `sampler=` to, e.g., oversample rare classes:

    weights = 1.0 / np.bincount(labels)[labels]          # each class drawn equally often
    loader = DataLoader(ds, batch_size=32, sampler=WeightedRandomSampler(weights, len(ds)))

Random draws use `generator` (a NumPy Generator, e.g. np.random.default_rng(0)) if given,
else the library generator at the time of iterating (so `tl.manual_seed` makes them
reproducible).
"""
import math
import numbers

import numpy as np

from . import random


def _positive_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0


def _generator(generator):
    return random.generator() if generator is None else generator


class Sampler:
    """Base class: a subclass defines `__iter__` (the indices) and usually `__len__`."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__}: define __iter__ (yield indices)")


class SequentialSampler(Sampler):
    """`SequentialSampler(data_source)`: 0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """`RandomSampler(data_source, replacement=False, num_samples=None, generator=None)`:
    a new random order every epoch. Without replacement each index appears once per pass
    (num_samples > len(data_source) gives several permutations, the last one cut short);
    with replacement num_samples independent uniform draws. num_samples defaults to
    len(data_source)."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not _positive_int(self.num_samples):
            raise ValueError(f"RandomSampler: num_samples should be a positive integer value, "
                             f"but got num_samples={self.num_samples!r}")

    @property
    def num_samples(self):
        """How many indices one pass yields (the dataset's size unless given)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, rng = len(self.data_source), _generator(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, size=self.num_samples).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from rng.permutation(n).tolist()
        if self.num_samples % n:
            yield from rng.permutation(n)[:self.num_samples % n].tolist()

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """`SubsetRandomSampler(indices, generator=None)`: the given indices, in a new random
    order every epoch (e.g. a validation split without copying the data)."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _generator(self.generator).permutation(len(self.indices)):
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`WeightedRandomSampler(weights, num_samples, replacement=True, generator=None)`:
    num_samples indices, index i drawn with probability weights[i] / sum(weights) (weights
    need not sum to 1). Without replacement each index is drawn at most once, so
    num_samples can't exceed the number of nonzero weights."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not _positive_int(num_samples):
            raise ValueError(f"WeightedRandomSampler: num_samples should be a positive integer "
                             f"value, but got num_samples={num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"WeightedRandomSampler: replacement should be a boolean value, "
                             f"but got replacement={replacement!r}")
        weights = np.asarray(getattr(weights, "_data", weights), dtype=np.float64)
        if weights.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights should be a 1d sequence but given "
                             f"weights have shape {weights.shape}")
        if not (np.isfinite(weights).all() and (weights >= 0).all() and weights.sum() > 0):
            raise ValueError("WeightedRandomSampler: weights must be finite, >= 0, and not all "
                             "zero")
        if not replacement and num_samples > np.count_nonzero(weights):
            raise ValueError(f"WeightedRandomSampler: can't draw {num_samples} samples without "
                             f"replacement from {np.count_nonzero(weights)} nonzero weights")
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        p = self.weights / self.weights.sum()
        draws = _generator(self.generator).choice(len(p), size=self.num_samples,
                                                  replace=self.replacement, p=p)
        yield from draws.tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """`BatchSampler(sampler, batch_size, drop_last)`: the sampler's indices in lists of
    batch_size; drop_last=True skips a last, shorter list.

        list(BatchSampler(SequentialSampler(range(5)), 2, False)) == [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not _positive_int(batch_size):
            raise ValueError(f"BatchSampler: batch_size should be a positive integer value, "
                             f"but got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
