"""`tl.utils.data`, where PyTorch code looks for datasets and loaders
(`torch.utils.data.DataLoader` works with `import tinygrad_lite as torch`)."""
from . import data

__all__ = ["data"]
