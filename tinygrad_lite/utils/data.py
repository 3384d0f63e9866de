"""The names of torch.utils.data, served by `tinygrad_lite.data`."""
from ..data import DataLoader, Dataset, TensorDataset

__all__ = ["DataLoader", "Dataset", "TensorDataset"]
