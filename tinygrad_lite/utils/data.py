"""The names of torch.utils.data, served by `tinygrad_lite.data`."""
from ..data import DataLoader, Dataset, TensorDataset
from ..data import (BatchSampler, ConcatDataset, RandomSampler, Sampler, SequentialSampler,
                    Subset, SubsetRandomSampler, WeightedRandomSampler, default_collate,
                    default_convert, random_split)

__all__ = ["DataLoader", "Dataset", "TensorDataset"]
__all__ += ["BatchSampler", "ConcatDataset", "RandomSampler", "Sampler", "SequentialSampler",
            "Subset", "SubsetRandomSampler", "WeightedRandomSampler", "default_collate",
            "default_convert", "random_split"]
