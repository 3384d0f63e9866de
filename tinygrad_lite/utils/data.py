"""The names of torch.utils.data, served by `tinygrad_lite.data`."""
from .. import data
from ..data import Dataset, TensorDataset
from ..data import (BatchSampler, ConcatDataset, RandomSampler, Sampler, SequentialSampler,
                    Subset, SubsetRandomSampler, WeightedRandomSampler, default_collate,
                    default_convert, random_split)



class DataLoader(data.DataLoader):
    """`tl.data.DataLoader` with PyTorch's default batch_size=1, for code written against
    torch.utils.data (`tl.data.DataLoader`'s default is 32)."""

    def __init__(self, dataset, batch_size=1, *args, **kwargs):
        super().__init__(dataset, batch_size, *args, **kwargs)


__all__ = ["DataLoader", "Dataset", "TensorDataset"]
__all__ += ["BatchSampler", "ConcatDataset", "RandomSampler", "Sampler", "SequentialSampler",
            "Subset", "SubsetRandomSampler", "WeightedRandomSampler", "default_collate",
            "default_convert", "random_split"]
