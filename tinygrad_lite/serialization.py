"""save / load (`tl.save`, `nn.save`, ...): checkpoints as safetensors files, no pickle.

`tl.save(obj, path)` takes a Module (its state_dict is saved) or any nesting of dicts, lists
and tuples holding Tensors, NumPy arrays, ints, floats, bools, strings and None: a full
checkpoint such as {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 5}.
The arrays go into one safetensors file, named by their place in the object
("optimizer.state.0.exp_avg"); the rest of the object goes into the file's metadata as JSON
({"structure": ...}), where each container is tagged so that it comes back as it was:

    {"dict": [[key, value], ...]}   keys in order; an int key (optimizer state) stays an int
    {"list": [...]}   {"tuple": [...]}
    {"tensor": name}  {"ndarray": name}  {"numpy_scalar": name}   an array in the file
    1, 2.5, true, "text", null      ints, floats, bools, strings, None as themselves

Loading reads only named arrays and JSON, so nothing in the file can run code (unlike
pickle), and it gives back Tensors where Tensors were saved (plain tensors, with their
requires_grad), NumPy arrays where arrays were, and the same Tensor object wherever one
object was saved twice (tied weights stay tied).

A flat state dict ({str: Tensor} without requires_grad, what `model.state_dict()` returns)
is written as a plain safetensors file, which PyTorch reads with safetensors.torch.load_file
under the same key names; its metadata holds only the key order ({"order": [...]}:
safetensors itself stores tensors sorted by dtype, then name). Any safetensors file without
"structure" loads as {name: Tensor}. `tl.load` also reads files written by `torch.save` (see torch_format.py):
the two formats are told apart by their first bytes, not by the file's extension.
"""
import json
import os

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

from . import devices, torch_format
from .tensor import Tensor

ALLOWED = ("dicts, lists and tuples holding Tensors, NumPy arrays, ints, floats, bools, "
           "strings and None")


def save(obj, path):
    """Write a Module's state_dict, or a checkpoint made of the types in ALLOWED, to `path`."""
    if hasattr(obj, "state_dict") and not isinstance(obj, dict):
        obj = obj.state_dict()
    if isinstance(obj, dict) and all(type(name) is str and isinstance(value, Tensor) and
                                     not value.requires_grad for name, value in obj.items()):
        arrays = {name: _c_contiguous(value._data) for name, value in obj.items()}
        metadata = {"order": json.dumps(list(arrays))}
    else:
        encoder = _Encoder()
        metadata = {"structure": json.dumps(encoder.encode(obj, "obj", ""))}
        arrays = encoder.arrays
    save_file(arrays, os.fspath(path), metadata=metadata)


def _c_contiguous(array):
    return np.require(array, requirements="C")  # keeps 0-d arrays 0-d (ascontiguousarray not)


class _Encoder:
    """Turns an object into its JSON structure, collecting its arrays into `self.arrays`.
    `where` is the object's path for error messages (obj['optimizer']['state'][0]), `name`
    its dotted name in the file (optimizer.state.0)."""

    def __init__(self):
        self.arrays = {}
        self.names = {}   # id(Tensor or array) -> its name in the file, for shared objects
        self.inside = set()   # ids of the containers being encoded, to catch a cycle

    def encode(self, obj, where, name):
        if obj is None or type(obj) in (bool, int, float, str):
            return obj
        if isinstance(obj, (dict, list, tuple)):
            if id(obj) in self.inside:
                raise ValueError(f"save: {where} contains itself; a checkpoint must be a tree")
            self.inside.add(id(obj))
            node = self._container(obj, where, name)
            self.inside.discard(id(obj))
            return node
        if isinstance(obj, Tensor):
            node = {"tensor": self._add(obj, obj._data, where, name)}
            return {**node, "requires_grad": True} if obj.requires_grad else node
        if isinstance(obj, np.ndarray):
            return {"ndarray": self._add(obj, obj, where, name)}
        if isinstance(obj, (np.number, np.bool_)):
            return {"numpy_scalar": self._add(obj, np.asarray(obj), where, name)}
        raise TypeError(f"save: {where} is a {type(obj).__name__}; save takes {ALLOWED}"
                        f"{_hint(obj)}")

    def _container(self, obj, where, name):
        if isinstance(obj, dict):
            return {"dict": [[self._key(key, where),
                              self.encode(value, f"{where}[{key!r}]", _join(name, key))]
                             for key, value in obj.items()]}
        items = [self.encode(item, f"{where}[{i}]", _join(name, i)) for i, item in enumerate(obj)]
        return {"tuple" if isinstance(obj, tuple) else "list": items}

    def _add(self, owner, array, where, name):
        if id(owner) in self.names:
            return self.names[id(owner)]
        if array.dtype.kind not in "biuf" or array.dtype.itemsize > 8:
            raise TypeError(f"save: {where} has dtype {array.dtype}; arrays must hold bools, "
                            "integers or floats of at most 64 bits")
        unique, n = name or "obj", 1
        while unique in self.arrays:            # e.g. keys "a.b" and "a" -> "b" collide
            unique, n = f"{name}#{n}", n + 1
        self.arrays[unique] = _c_contiguous(array)
        self.names[id(owner)] = unique
        return unique

    @staticmethod
    def _key(key, where):
        if key is None or type(key) in (bool, int, float, str):
            return key
        raise TypeError(f"save: a key of {where} is a {type(key).__name__} ({key!r}); dict keys "
                        "must be str, int, float, bool or None")


def _join(name, key):
    return f"{name}.{key}" if name else str(key)


def _hint(obj):
    if hasattr(obj, "state_dict"):
        return f" (save its state_dict() instead of the {type(obj).__name__} itself)"
    if isinstance(obj, (set, frozenset)):
        return " (save it as a list, e.g. sorted(...))"
    if callable(obj):
        return " (code is never saved: save the settings that recreate it)"
    return ""


def load(path, map_location=None, weights_only=True):
    """Read a file written by save, any safetensors file, or a torch.save file (a zip).

    `map_location` (None, "cpu", "cuda:0", tl.device) is accepted as in torch.load; every
    tensor loads onto the CPU, where all tensors live. Loading never runs code from the file,
    which is what torch.load's `weights_only=True` asks for; False is refused."""
    if map_location is not None:
        devices.device(map_location)          # a valid device name, or a ValueError naming it
    if weights_only is not True:
        raise ValueError(f"load: weights_only={weights_only!r} is not supported: tl.load "
                         "never runs code from a file (use torch.load for pickled objects you "
                         "trust, then save their state_dict with tl.save)")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no such file: {path!r}")
    with open(path, "rb") as f:
        magic = f.read(len(torch_format.ZIP_MAGIC))
    if magic == torch_format.ZIP_MAGIC:
        return torch_format.load_torch_file(path)
    try:
        with safe_open(path, "numpy") as f:
            metadata = f.metadata() or {}
            if "structure" in metadata:
                try:
                    return _Decoder(f).decode(json.loads(metadata["structure"]))
                except (TypeError, KeyError, ValueError) as e:   # incl. JSONDecodeError
                    raise ValueError(f"load: {path!r}: the structure in its metadata is "
                                     f"damaged ({type(e).__name__}: {e})") from None
            # offset_keys (safetensors >= 0.5.3) is the file's order; before it, sorted keys
            names = _saved_order(metadata, getattr(f, "offset_keys", f.keys)())
            return {name: Tensor(f.get_tensor(name)) for name in names}
    except SafetensorError as e:
        raise ValueError(f"load: {path!r} is not a readable safetensors file ({e}); it may "
                         "be truncated or corrupted, or saved in another format (load "
                         "reads safetensors files, such as those save writes, and "
                         "torch.save's zip files)") from None


class _Decoder:
    """Rebuilds an object from its JSON structure, reading arrays from the open file `f`."""

    def __init__(self, f):
        self.f = f
        self.loaded = {}   # name -> object, so an object saved twice comes back as one

    def decode(self, node):
        if not isinstance(node, dict):
            return node
        if "dict" in node:
            return {self.decode(key): self.decode(value) for key, value in node["dict"]}
        if "list" in node:
            return [self.decode(item) for item in node["list"]]
        if "tuple" in node:
            return tuple(self.decode(item) for item in node["tuple"])
        for kind in ("tensor", "ndarray", "numpy_scalar"):
            if kind in node:
                return self._array(kind, node[kind], node.get("requires_grad", False))
        raise ValueError(f"unknown entry {node!r}")

    def _array(self, kind, name, requires_grad):
        if name not in self.loaded:
            array = self.f.get_tensor(name)
            self.loaded[name] = Tensor(array, requires_grad=requires_grad) \
                if kind == "tensor" else array if kind == "ndarray" else array[()]
        return self.loaded[name]


def _saved_order(metadata, file_order):
    """The names in the order save recorded, if the metadata lists exactly the file's
    tensors; else the file's own order."""
    try:
        order = json.loads(metadata.get("order", "null"))
    except json.JSONDecodeError:
        return file_order
    if isinstance(order, list) and all(isinstance(name, str) for name in order) and \
            sorted(order) == sorted(file_order):
        return order
    return file_order
