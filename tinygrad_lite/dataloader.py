"""DataLoader and default_collate: mini-batches from a dataset, as torch.utils.data's.

    loader = DataLoader(dataset, batch_size=32, shuffle=True, drop_last=False)
    for x, y in loader: ...

Each batch: the batch sampler picks indices, the samples dataset[i] are fetched, and
`collate_fn` (default_collate) stacks them into Tensors. A TensorDataset (or a Subset of
one) is indexed a whole batch at a time instead, giving the same batch faster.
"""
import collections.abc
import numbers

import numpy as np

from .data import TensorDataset
from .samplers import BatchSampler, RandomSampler, SequentialSampler
from .subsets import Subset
from .tensor import Tensor

DEFAULT_BATCH_SIZE = 32    # the contract's tl.data default; tl.utils.data's loader uses 1


def _stack(arrays, what):
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise RuntimeError(f"default_collate: can't stack {what} of different shapes "
                           f"{sorted(shapes)} into one batch; make the samples the same size "
                           "(pad or crop them) or pass a collate_fn")
    return Tensor._make(np.stack(arrays), False, None)


def default_collate(batch):
    """Merge a list of samples into a batch, as PyTorch's default_collate:
    Tensors and NumPy arrays are stacked along a new first axis; Python ints become an int64
    Tensor, floats a float64 Tensor, NumPy scalars a Tensor of their dtype; strings stay a
    list; dicts are collated key by key, tuples and lists position by position (a tuple of
    Tensors becomes a list of batched Tensors; a namedtuple stays one)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack([t._data for t in batch], "Tensors")
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OSUV":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, "
                            f"numbers, dicts or lists; found an array of dtype {elem.dtype}")
        return _stack(list(batch), "NumPy arrays")
    if isinstance(elem, np.generic):
        return Tensor._make(np.array(batch), False, None)
    if isinstance(elem, bool):
        return Tensor._make(np.array(batch, dtype=np.bool_), False, None)
    if isinstance(elem, numbers.Integral):
        return Tensor._make(np.array(batch, dtype=np.int64), False, None)
    if isinstance(elem, numbers.Real):
        return Tensor._make(np.array(batch, dtype=np.float64), False, None)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):          # a namedtuple
        return type(elem)(*(default_collate(list(column)) for column in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               f"equal size, got sizes {[len(s) for s in batch]}")
        return [default_collate(list(column)) for column in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem).__name__}")


def default_convert(data):
    """One sample as a batch of its own would be, without stacking (batch_size=None): NumPy
    arrays and scalars become Tensors, containers are converted item by item, the rest stays."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OSUV":
        return Tensor._make(data, False, None)
    if isinstance(data, np.generic):
        return Tensor._make(np.asarray(data), False, None)
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(d) for d in data]
    return data


def _fetch_at_once(dataset, indices):
    """A batch of a TensorDataset, or of (nested) Subsets of one, by one fancy index: the
    list default_collate would make from the samples. None for other datasets."""
    indices = np.asarray(indices, dtype=np.int64)
    while type(dataset) is Subset:
        indices = np.asarray(dataset.indices)[indices]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None
    return [Tensor._make(t._data[indices], False, None) for t in dataset.tensors]


class DataLoader:
    """`DataLoader(dataset, batch_size=32, shuffle=False, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, generator=None)`.

    Batches of batch_size samples (the last one smaller unless drop_last=True), in order, or
    in a new random order each epoch with shuffle=True (from `generator`, a NumPy
    Generator, or the library generator: `tl.manual_seed` makes it reproducible). Instead
    of shuffle you may pass a `sampler` (which indices, in which order), or a
    `batch_sampler` yielding whole lists of indices (then leave batch_size, shuffle,
    sampler and drop_last alone). batch_size=None yields single samples, converted but not
    stacked. collate_fn(list_of_samples) builds a batch (default: default_collate).

    batch_size defaults to 32 here (tl.data); `tl.utils.data.DataLoader`, the name PyTorch
    code reaches after the import swap, defaults to 1 as PyTorch's does. A TensorDataset's
    batches are lists of Tensors, as PyTorch's. num_workers and pin_memory are accepted so PyTorch code runs unchanged; batches are always built in
    this process, in host memory (there is no other device).
    """

    def __init__(self, dataset, batch_size=DEFAULT_BATCH_SIZE, shuffle=None, sampler=None,
                 batch_sampler=None, num_workers=0, collate_fn=None, pin_memory=False,
                 drop_last=False, timeout=0, worker_init_fn=None, generator=None):
        if batch_size is not None and (isinstance(batch_size, bool) or
                                       not isinstance(batch_size, int) or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be a positive int, got "
                             f"{batch_size!r} (or None: no batching)")
        if shuffle not in (None, False, True):
            raise ValueError(f"DataLoader: shuffle must be True or False, got {shuffle!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle; "
                             "shuffle inside the sampler (e.g. RandomSampler) instead")
        if batch_sampler is not None:
            if batch_size not in (1, DEFAULT_BATCH_SIZE) or shuffle or sampler is not None \
                    or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and is "
                             "mutually exclusive with drop_last")
        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, bool(drop_last))
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self._auto_collation = batch_sampler is not None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    def __len__(self):
        return len(self.batch_sampler if self._auto_collation else self.sampler)

    def __iter__(self):
        if not self._auto_collation:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        for indices in self.batch_sampler:
            batch = None
            if self.collate_fn is default_collate:
                batch = _fetch_at_once(self.dataset, indices)
            if batch is None:
                batch = self.collate_fn([self.dataset[i] for i in indices])
            yield batch
