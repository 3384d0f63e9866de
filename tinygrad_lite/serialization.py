"""save / load (`tl.save`, `nn.save`, ...): state dicts as safetensors files. The format holds
only named arrays and a JSON header, so loading never runs code (unlike pickle), and PyTorch
reads the same file with safetensors.torch.load_file. `tl.save(model.state_dict(), path)` is
the `torch.save` habit; `tl.load(path)` gives the dict back for `load_state_dict`."""
import os

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file

from .tensor import Tensor


def save(obj, path):
    """Write a Module's state_dict (or a dict of name -> Tensor/array) to `path`."""
    state = obj.state_dict() if hasattr(obj, "state_dict") else obj
    if not isinstance(state, dict):
        raise TypeError(f"save: expected a Module or a dict of name -> Tensor, got "
                        f"{type(obj).__name__}")
    arrays = {}
    for name, value in state.items():
        if not isinstance(name, str) or not isinstance(value, (Tensor, np.ndarray)):
            raise TypeError(f"save: entry {name!r} is a {type(value).__name__}; a state "
                            "dict maps str names to Tensors or NumPy arrays")
        # np.require keeps 0-d arrays 0-d (np.ascontiguousarray would make them 1-d)
        arrays[name] = np.require(value.data if isinstance(value, Tensor) else value,
                                  requirements="C")
    save_file(arrays, os.fspath(path))


def load(path):
    """Read a file written by save (or any safetensors file) into {name: Tensor}, ready for
    Module.load_state_dict."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no such file: {path!r}")
    try:
        arrays = load_file(path)
    except SafetensorError as e:
        raise ValueError(f"load: {path!r} is not a readable safetensors file ({e}); it may "
                         "be truncated or corrupted, or saved in another format (load "
                         "reads only safetensors files, such as those save writes)") from None
    return {name: Tensor(array) for name, array in arrays.items()}
