"""Data for the training loop: datasets, mini-batches, and the lecture's toy data sets.

    X, y = tl.data.make_moons(300, noise=0.2, seed=0)
    X_train, X_test, y_train, y_test = tl.data.train_test_split(X, y, seed=0)
    loader = tl.data.DataLoader(tl.data.TensorDataset(X_train, y_train), batch_size=32,
                                shuffle=True)
    for xb, yb in loader: ...      # tuples of Tensors

batch_size=1 is stochastic gradient descent, batch_size=len(dataset) batch gradient descent,
anything between mini-batch gradient descent (lecture Unit 2.2). Every random draw uses the
library generator (`tl.manual_seed`) unless a `seed` is given.
"""
import math

import numpy as np

from . import random
from .tensor import Tensor


def _rng(seed):
    return random.generator() if seed is None else np.random.default_rng(seed)


class Dataset:
    """Base class for a map-style dataset, as torch.utils.data.Dataset: a subclass defines
    `__len__` and `__getitem__(i)` (one sample, a Tensor or a tuple of them)."""

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__}: define __len__ (how many samples)")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__}: define __getitem__ (sample i)")


class TensorDataset(Dataset):
    """`TensorDataset(*tensors)`: sample i is `(t[i] for t in tensors)`; all tensors (or
    arrays) must have the same first dimension."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(np.asarray(t))
                             for t in tensors)
        sizes = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in sizes or len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: all tensors need the same first dimension (the "
                             f"number of samples), got sizes {sizes}")

    def __len__(self):
        return self.tensors[0].shape[0]

    def __getitem__(self, index):
        """A tuple of Tensors: one sample for an int, a batch for an array of indices."""
        return tuple(Tensor._make(t._data[index], False, None) for t in self.tensors)


def make_moons(n_samples=300, noise=0.2, seed=None):
    """Two interleaving half circles, as scikit-learn's make_moons (shuffled):
    class 0 on (cos θ, sin θ), class 1 on (1 - cos θ, 0.5 - sin θ), θ in [0, π], plus
    Gaussian noise of standard deviation `noise`. Returns X float32 (n, 2), y int64 (n,)."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    theta_out, theta_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.stack([np.cos(theta_out), np.sin(theta_out)], axis=1),
                        np.stack([1 - np.cos(theta_in), 0.5 - np.sin(theta_in)], axis=1)])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    rng = _rng(seed)
    order = rng.permutation(n_samples)
    X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X.astype(np.float32), y


def make_spirals(n_samples=300, n_classes=2, noise=0.2, seed=None):
    """Interleaved spiral arms, one per class (the cs231n data set): arm k has radius
    r in [0, 1] and angle θ = 2πk/K + 4r + noise·N(0, 1), point r·(sin θ, cos θ).
    Classes are as equal in size as possible; shuffled. Returns X float32 (n, 2), y int64."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"make_spirals: n_classes must be an int >= 2, got {n_classes!r}")
    rng = _rng(seed)
    sizes = [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]
    r = np.concatenate([np.linspace(0.0, 1.0, size) for size in sizes])
    y = np.repeat(np.arange(n_classes, dtype=np.int64), sizes)
    theta = 2 * np.pi * y / n_classes + 4 * r + noise * rng.standard_normal(n_samples)
    X = r[:, None] * np.stack([np.sin(theta), np.cos(theta)], axis=1)
    order = rng.permutation(n_samples)
    return X[order].astype(np.float32), y[order]


def load_digits():
    """The 8x8 hand-written digits scikit-learn ships (1797 images, 10 classes).
    Returns X float32 (1797, 64) with pixel values 0..16, y int64. Needs scikit-learn."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError("load_digits needs scikit-learn: `pip install scikit-learn` (or "
                          "install this package with the `digits` extra)") from None
    X, y = sklearn_digits(return_X_y=True)
    return X.astype(np.float32), y.astype(np.int64)


def train_test_split(X, y, test_size=0.25, seed=None):
    """Shuffle and split into `X_train, X_test, y_train, y_test` (scikit-learn's order).
    test_size is a fraction in (0, 1) (rounded up, as scikit-learn does) or a count."""
    n = len(X)
    if len(y) != n:
        raise ValueError(f"train_test_split: X has {n} samples but y has {len(y)}")
    if isinstance(test_size, float) and 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    elif isinstance(test_size, int) and not isinstance(test_size, bool) and 0 < test_size < n:
        n_test = test_size
    else:
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a count "
                         f"in [1, {n - 1}], got {test_size!r}")
    if n - n_test < 1:
        raise ValueError(f"train_test_split: test_size={test_size} leaves no training sample "
                         f"out of {n}")
    order = _rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return _take(X, train), _take(X, test), _take(y, train), _take(y, test)


def _take(a, indices):
    if isinstance(a, Tensor):
        return Tensor._make(a._data[indices], False, None)
    return np.asarray(a)[indices]


# Samplers, dataset views and the loader live in files of their own (they import Dataset and
# TensorDataset from here); their names are served here too, as torch.utils.data serves them.
from .subsets import ConcatDataset, Subset, random_split  # noqa: E402
from .samplers import (BatchSampler, RandomSampler, Sampler, SequentialSampler,  # noqa: E402
                       SubsetRandomSampler, WeightedRandomSampler)
from .dataloader import DataLoader, default_collate, default_convert  # noqa: E402
from .datasets import CIFAR10, MNIST  # noqa: E402,F401  (file-based data sets)
