"""Read files written by `torch.save` (state dicts, and dicts/lists/tuples of tensors)
without PyTorch installed and without running any code from the file.

The format (PyTorch >= 1.6) is an uncompressed zip archive with one folder:

    model/data.pkl         the saved object, pickled; each tensor is a reference (below)
    model/data/0, 1, ...   the storages: one flat buffer of raw element bytes per key
    model/byteorder        "little" or "big" (older files lack it: then little-endian)
    model/version, ...     bookkeeping that loading does not need

The folder is named after the file ("model.pt" -> "model/") or "archive/" when torch.save
wrote to a file object; we take whichever top-level folder holds data.pkl.

In data.pkl a tensor is a call

    torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
                                     backward_hooks)

whose `storage` is a persistent id ("storage", torch.FloatStorage, "0", "cpu", numel): the
storage class gives the dtype, "0" the entry data/0. Element [i0, i1, ...] of the tensor is

    storage[storage_offset + i0*stride[0] + i1*stride[1] + ...]

so a slice, a transpose, or several tensors cut from one storage are just different
(offset, size, stride) over the same buffer; we rebuild each with as_strided and copy it.
Dtypes without a typed storage class (uint16, uint32) use `_rebuild_tensor_v3(...,
dtype)` over a torch.storage.UntypedStorage of bytes; an nn.Parameter is
`_rebuild_parameter(tensor, requires_grad, backward_hooks)`.

Tensors come back as Tensors (an nn.Parameter as a Tensor with requires_grad=True) of the
same dtype, except the two tinygrad_lite lacks: bfloat16 becomes float32 (exactly), uint16 and
uint32 become int64.

Why not pickle.load: unpickling runs a small program. Its GLOBAL op imports any name
(`os.system`, `builtins.eval`) and REDUCE calls it with arguments from the file. Our
unpickler's find_class knows a fixed list of names, those PyTorch's own weights_only=True
loader admits for plain weights, and hands back harmless stand-ins written here; any other
name stops the load before anything is called.
"""
import collections
import io
import pickle
import zipfile

import numpy as np

from .tensor import Tensor

ZIP_MAGIC = b"PK\x03\x04"

# The dtype each storage class (and each torch dtype, for _rebuild_tensor_v3) stands for.
# bfloat16 has no NumPy dtype: its 16 bits are read as uint16 and widened to float32 below.
_STORAGE_DTYPES = {
    "FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
    "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
    "BoolStorage": "bool",
}
_TORCH_DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16",
                 "int8", "uint8", "uint16", "uint32", "bool")


class NotPlainWeightsError(pickle.UnpicklingError):
    """The file's pickle names a global that a file of plain weights never needs."""


class _Sealed:
    """Base of the stand-ins the unpickler hands out: pickle's BUILD op cannot change them."""
    __slots__ = ()

    def __setstate__(self, state):
        raise pickle.UnpicklingError(f"the pickle tries to change {self!r} (BUILD)")


class _Function(_Sealed):
    """An allowed global callable: calling it runs `build`, a function written here."""
    __slots__ = ("name", "build")

    def __init__(self, name, build):
        self.name, self.build = name, build

    def __call__(self, *args):
        return self.build(*args)

    def __repr__(self):
        return self.name


class _DType(_Sealed):
    """A storage class (torch.FloatStorage) or torch dtype (torch.uint16): a dtype name."""
    __slots__ = ("name", "dtype")

    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype

    def __repr__(self):
        return self.name


class _Storage(_Sealed):
    """One storage's elements as a flat read-only array, in the file's byte order ("<" or
    ">"); `dtype` is the name of the element type ("uint8" for an UntypedStorage)."""
    __slots__ = ("key", "array", "dtype", "byteorder")

    def __init__(self, key, array, dtype, byteorder):
        self.key, self.array, self.dtype, self.byteorder = key, array, dtype, byteorder

    def __repr__(self):
        return f"storage {self.key}"


class _TensorRecord(_Sealed):
    """A rebuilt tensor (an array that owns its memory) until the load turns it into a
    Tensor; a plain marker, so the pickle can neither call nor change it."""
    __slots__ = ("array", "requires_grad")
    __hash__ = None

    def __init__(self, array, requires_grad):
        self.array, self.requires_grad = array, requires_grad

    def __repr__(self):
        return f"tensor of shape {self.array.shape}"


def _strided_copy(storage, offset, size, stride, dtype_name):
    """The tensor at `storage_offset`, `size`, `stride` (in elements) over `storage`, copied
    into a fresh C-contiguous array after checking it stays inside the storage."""
    tuples = isinstance(size, tuple) and isinstance(stride, tuple) and len(size) == len(stride)
    if not (tuples and all(type(v) is int and v >= 0 for v in (offset, *size, *stride))):
        raise ValueError(f"bad tensor layout: offset {offset!r}, size {size!r}, stride "
                         f"{stride!r}")
    flat = storage.array
    if dtype_name != storage.dtype:                     # _rebuild_tensor_v3 over raw bytes
        element = _numpy_dtype(dtype_name).newbyteorder(storage.byteorder)
        flat = flat[:len(flat) // element.itemsize * element.itemsize].view(element)
    if 0 not in size:
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= len(flat):
            raise ValueError(f"a tensor of size {size}, stride {stride}, offset {offset} "
                             f"reaches element {last} of {storage!r}, which has {len(flat)}")
    view = np.lib.stride_tricks.as_strided(
        flat[offset:], shape=size, strides=[s * flat.itemsize for s in stride],
        writeable=False) if 0 not in size else flat[:0].reshape(size)
    array = view.astype(view.dtype.newbyteorder("="))   # a copy, in native byte order
    if dtype_name == "bfloat16":                         # the top 16 bits of a float32
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return array


def _numpy_dtype(name):
    return np.dtype(np.uint16 if name == "bfloat16" else name)


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    if not isinstance(storage, _Storage):
        raise ValueError(f"_rebuild_tensor_v2 expects a storage, got {storage!r}")
    return _TensorRecord(_strided_copy(storage, offset, size, stride, storage.dtype),
                         requires_grad is True)


def _rebuild_tensor_v3(storage, offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    if not (isinstance(storage, _Storage) and isinstance(dtype, _DType)):
        raise ValueError(f"_rebuild_tensor_v3 expects a storage and a dtype, got "
                         f"{storage!r}, {dtype!r}")
    return _TensorRecord(_strided_copy(storage, offset, size, stride, dtype.dtype),
                         requires_grad is True)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    if not isinstance(data, _TensorRecord):
        raise ValueError(f"_rebuild_parameter expects a tensor, got {data!r}")
    return _TensorRecord(data.array, requires_grad is True)


def _allowed_globals():
    """(module, name) -> stand-in, for every global a plain weights file may name."""
    allowed = {("collections", "OrderedDict"):
               _Function("collections.OrderedDict", collections.OrderedDict)}
    for build in (_rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter):
        name = build.__name__
        allowed["torch._utils", name] = _Function(f"torch._utils.{name}", build)
    for name, dtype in _STORAGE_DTYPES.items():
        allowed["torch", name] = _DType(f"torch.{name}", dtype)
    for dtype in _TORCH_DTYPES:
        allowed["torch", dtype] = _DType(f"torch.{dtype}", dtype)
    allowed["torch.storage", "UntypedStorage"] = _DType("torch.storage.UntypedStorage",
                                                        "uint8")
    return allowed


_ALLOWED = _allowed_globals()


class _WeightsUnpickler(pickle.Unpickler):
    """pickle.Unpickler that resolves globals only from _ALLOWED and reads each storage
    (a persistent id) from the archive, once per key."""

    def __init__(self, archive, folder, byteorder):
        super().__init__(io.BytesIO(archive.read(f"{folder}/data.pkl")))
        self.archive, self.folder, self.byteorder = archive, folder, byteorder
        self.storages = {}

    def find_class(self, module, name):
        try:
            return _ALLOWED[module, name]
        except (KeyError, TypeError):
            raise NotPlainWeightsError(
                f"its pickle names the global {module}.{name}, which a file of plain "
                "weights never needs (only tensors, storages and collections.OrderedDict "
                "are allowed: PyTorch's weights_only=True list for weights); nothing from "
                "the file was run. If you trust it, load it with torch.load and save its "
                "state_dict with tl.save") from None

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage" and
                isinstance(pid[1], _DType) and isinstance(pid[2], str) and
                type(pid[4]) is int):
            raise ValueError(f"unexpected persistent id {pid!r}")
        _, kind, key, _location, numel = pid            # any device: the bytes are the same
        if key not in self.storages:
            dtype = _numpy_dtype(kind.dtype).newbyteorder(self.byteorder)
            raw = self.archive.read(f"{self.folder}/data/{key}")
            if len(raw) < numel * dtype.itemsize:
                raise ValueError(f"storage {key} has {len(raw)} bytes, {numel} elements of "
                                 f"{kind!r} need {numel * dtype.itemsize}")
            array = np.frombuffer(raw, dtype, count=numel)
            self.storages[key] = _Storage(key, array, kind.dtype, self.byteorder)
        return self.storages[key]


def _archive_folder(archive):
    """The top-level folder that holds data.pkl ("archive", or the file's stem)."""
    folders = [name[:-len("/data.pkl")] for name in archive.namelist()
               if name.endswith("/data.pkl") and name.count("/") == 1]
    if len(folders) != 1:
        raise ValueError(f"expected one <folder>/data.pkl in the zip, found {len(folders)}")
    return folders[0]


def _to_tensors(obj, done):
    """Replace every _TensorRecord inside dicts, lists and tuples by a Tensor (in place for
    dicts and lists, so shared and self-referencing containers stay so)."""
    if isinstance(obj, _TensorRecord):
        return Tensor(obj.array, requires_grad=obj.requires_grad)
    if id(obj) in done:
        return obj
    done.add(id(obj))
    if isinstance(obj, dict):
        for key, value in obj.items():
            obj[key] = _to_tensors(value, done)
    elif isinstance(obj, list):
        obj[:] = [_to_tensors(item, done) for item in obj]
    elif isinstance(obj, tuple):
        return tuple(_to_tensors(item, done) for item in obj)
    return obj


def load_torch_file(path):
    """The object saved by torch.save at `path`, its tensors as Tensors. Raises
    NotPlainWeightsError for a pickle naming any other global, ValueError for a damaged
    file; both messages name the path."""
    try:
        with zipfile.ZipFile(path) as archive:
            folder = _archive_folder(archive)
            byteorder_file = f"{folder}/byteorder"
            byteorder = archive.read(byteorder_file).decode() \
                if byteorder_file in archive.namelist() else "little"
            if byteorder not in ("little", "big"):
                raise ValueError(f"byteorder is {byteorder!r}, expected 'little' or 'big'")
            unpickler = _WeightsUnpickler(archive, folder, "<" if byteorder == "little" else ">")
            return _to_tensors(unpickler.load(), set())
    except NotPlainWeightsError as e:
        raise NotPlainWeightsError(f"load: {path!r} is not a plain weights file: "
                                   f"{e}") from None
    except (zipfile.BadZipFile, pickle.UnpicklingError, EOFError, KeyError, ValueError,
            TypeError, IndexError, AttributeError, UnicodeDecodeError, OSError,
            RecursionError) as e:
        raise ValueError(f"load: {path!r} looks like a PyTorch (zip) file but cannot be "
                         f"read: {type(e).__name__}: {e}; it may be truncated or "
                         "corrupted") from None
