"""Views on datasets: Subset, ConcatDataset and random_split (torch.utils.data's).

    train_set, val_set = random_split(dataset, [0.8, 0.2])    # or counts: [800, 200]
"""
import bisect
import itertools
import math
import numbers
import warnings

from . import random
from .data import Dataset


class Subset(Dataset):
    """`Subset(dataset, indices)`: the samples of `dataset` at `indices`, in that order
    (no copy: sample i is dataset[indices[i]])."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """`ConcatDataset(datasets)`: the datasets one after another; index i falls into the
    first dataset whose cumulative size exceeds i (`cumulative_sizes`)."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        n = len(self)
        if index < 0:
            if -index > n:
                raise ValueError(f"ConcatDataset: absolute value of index {index} should not "
                                 f"exceed dataset length {n}")
            index += n
        part = bisect.bisect_right(self.cumulative_sizes, index)
        if part == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {index} is out of range for a dataset of "
                             f"length {n}")
        start = self.cumulative_sizes[part - 1] if part else 0
        return self.datasets[part][index - start]


def _lengths_from_fractions(n, fractions):
    """floor(n·f) for each fraction, then the remainder handed out one by one from the
    first split on (PyTorch's rule)."""
    lengths = []
    for i, fraction in enumerate(fractions):
        if not 0 <= fraction <= 1:
            raise ValueError(f"random_split: fraction at index {i} is {fraction}, not between "
                             "0 and 1")
        lengths.append(math.floor(n * fraction))
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"random_split: length of split at index {i} is 0. This might result "
                          "in an empty dataset.", UserWarning, stacklevel=3)
    return lengths


def random_split(dataset, lengths, generator=None):
    """`random_split(dataset, lengths, generator=None)`: split into non-overlapping Subsets
    of random samples. lengths are counts summing to len(dataset), or fractions summing to 1
    (e.g. [0.8, 0.2]). The permutation comes from `generator` (a NumPy Generator, e.g.
    np.random.default_rng(42)) or else the library generator (`tl.manual_seed`)."""
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(n, lengths)
    for i, length in enumerate(lengths):
        if not isinstance(length, numbers.Integral) or length < 0:
            raise ValueError(f"random_split: lengths must be counts >= 0 or fractions summing "
                             f"to 1, got {length!r} at index {i}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths {lengths} is {sum(lengths)}, "
                         f"which does not equal the length of the input dataset ({n})")
    order = (random.generator() if generator is None else generator).permutation(n).tolist()
    return [Subset(dataset, order[end - length:end])
            for end, length in zip(itertools.accumulate(lengths), lengths)]
