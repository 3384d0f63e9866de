"""save / load (`tl.save`, `nn.save`, ...): state dicts as safetensors files. The format holds
only named arrays and a JSON header, so loading never runs code (unlike pickle), and PyTorch
reads the same file with safetensors.torch.load_file. `tl.save(model.state_dict(), path)` is
the `torch.save` habit; `tl.load(path)` gives the dict back for `load_state_dict`.
safetensors stores tensors sorted (by dtype, then name), so save also writes the original key
order into the file's metadata ({"order": JSON list of names}) and load restores it."""
import json
import os

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

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
        arrays[name] = np.require(value._data if isinstance(value, Tensor) else value,
                                  requirements="C")
    save_file(arrays, os.fspath(path), metadata={"order": json.dumps(list(arrays))})


def load(path):
    """Read a file written by save (or any safetensors file) into {name: Tensor}, ready for
    Module.load_state_dict; keys come in the order they were saved in (for a file without
    that metadata, in the file's order)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no such file: {path!r}")
    try:
        with safe_open(path, "numpy") as f:
            # offset_keys (safetensors >= 0.5.3) is the file's order; before it, sorted keys
            names = _saved_order(f.metadata(), getattr(f, "offset_keys", f.keys)())
            return {name: Tensor(f.get_tensor(name)) for name in names}
    except SafetensorError as e:
        raise ValueError(f"load: {path!r} is not a readable safetensors file ({e}); it may "
                         "be truncated or corrupted, or saved in another format (load "
                         "reads only safetensors files, such as those save writes)") from None


def _saved_order(metadata, file_order):
    """The names in the order save recorded, if the metadata lists exactly the file's
    tensors; else the file's own order."""
    try:
        order = json.loads((metadata or {}).get("order", "null"))
    except json.JSONDecodeError:
        return file_order
    if isinstance(order, list) and all(isinstance(name, str) for name in order) and \
            sorted(order) == sorted(file_order):
        return order
    return file_order
