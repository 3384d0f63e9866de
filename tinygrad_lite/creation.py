"""Factories: tensors filled with constants, ranges or random draws. Shapes are given as
`*ints` or one tuple; random draws use the library generator (`tl.manual_seed`). Every
factory takes PyTorch's keywords `dtype`, `device` ("cpu", a `tl.device`, or "cuda" with a
warning: everything runs on the CPU) and `requires_grad`; float factories give the default
dtype (`tl.set_default_dtype`)."""
import numpy as np

from . import devices, dtypes
from .random import generator
from .tensor import Tensor
from .tensor_shape import _shape_arg

_default_device = devices.CPU


def set_default_device(device):
    """`tl.set_default_device("cpu")`; another device is accepted with a warning (tensors
    stay on the CPU), so PyTorch code that sets one runs."""
    global _default_device
    devices.move("cpu" if device is None else device, "set_default_device")
    _default_device = devices.CPU


def get_default_device():
    return _default_device


def _new(array, dtype, requires_grad, default=None, op="tensor", device=None):
    if device is not None:
        devices.move(device, op)
    if dtype is not None:
        dtype = dtypes.to_dtype(dtype, op=op)
    else:
        dtype = dtypes.get_default_dtype() if default is None else default
    t = Tensor._make(np.asarray(array, dtype=dtype), False, None)
    return t.requires_grad_(True) if requires_grad else t


def _shape(shape, op):
    shape = _shape_arg(shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"{op}: sizes must be non-negative, got {shape}")
    return shape


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of `data` (Tensor(data, requires_grad, dtype))."""
    if device is not None:
        devices.move(device, "tensor")
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(data, dtype=None, device=None):
    """`data` as a tensor, sharing memory with a Tensor or NumPy array when no conversion
    is needed (torch.as_tensor)."""
    if device is not None:
        devices.move(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype in dtypes.SUPPORTED and \
            (dtype is None or dtypes.to_dtype(dtype, op="as_tensor") == data.dtype):
        return Tensor._make(data, False, None)
    return Tensor(data, dtype=dtype)


def zeros(*shape, dtype=None, device=None, requires_grad=False):
    return _new(np.zeros(_shape(shape, "zeros")), dtype, requires_grad, op="zeros",
                device=device)


def ones(*shape, dtype=None, device=None, requires_grad=False):
    return _new(np.ones(_shape(shape, "ones")), dtype, requires_grad, op="ones", device=device)


def empty(*shape, dtype=None, device=None, requires_grad=False):
    """Uninitialized in PyTorch; zeros here (a deterministic choice, as cheap)."""
    return zeros(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def full(shape, fill_value, dtype=None, device=None, requires_grad=False):
    default = dtypes.bool if isinstance(fill_value, (bool, np.bool_)) else \
        dtypes.int64 if isinstance(fill_value, (int, np.integer)) else None
    return _new(np.full(_shape((shape,), "full"), fill_value), dtype, requires_grad, default,
                "full", device)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """[start, end) in steps; int64 when all arguments are ints, else the default float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    return _new(np.arange(start, end, step), dtype, requires_grad,
                dtypes.int64 if ints else None, "arange", device)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from start to end, both included."""
    if steps < 0:
        raise ValueError(f"linspace: steps must be non-negative, got {steps}")
    return _new(np.linspace(start, end, steps), dtype, requires_grad, op="linspace",
                device=device)


def randperm(n, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0 .. n-1."""
    return _new(generator().permutation(n), dtype, requires_grad, dtypes.int64, "randperm",
                device)


def from_numpy(array):
    """A tensor that shares memory with `array` (no copy), as torch.from_numpy."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a NumPy array, got {type(array).__name__}")
    if array.dtype not in dtypes.SUPPORTED:
        raise TypeError(f"from_numpy: dtype {array.dtype} would need a copy; supported without "
                        f"one: {', '.join(map(str, dtypes.SUPPORTED))} (use tl.tensor(array) "
                        "to convert)")
    return Tensor._make(array, False, None)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    return _new(np.eye(n, m), dtype, requires_grad, op="eye", device=device)


def rand(*shape, dtype=None, device=None, requires_grad=False):
    """Uniform on [0, 1)."""
    return _new(generator().random(_shape(shape, "rand")), dtype, requires_grad, op="rand",
                device=device)


def randn(*shape, dtype=None, device=None, requires_grad=False):
    """Standard normal."""
    return _new(generator().standard_normal(_shape(shape, "randn")), dtype, requires_grad,
                op="randn", device=device)


def randint(low, high=None, size=(), dtype=None, device=None, requires_grad=False):
    """Integers uniform on [low, high) (or [0, low) when high is omitted, as in
    `randint(10, (3,))`)."""
    if isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    return _new(generator().integers(low, high, _shape((size,), "randint")), dtype,
                requires_grad, dtypes.int64, "randint", device)


def _like(fn):
    def like(input, dtype=None, device=None, requires_grad=False):
        return fn(input.shape, dtype=input.dtype if dtype is None else dtype, device=device,
                  requires_grad=requires_grad)
    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = f"{fn.__name__} with the shape (and, unless given, the dtype) of `input`."
    return like


zeros_like, ones_like, empty_like, rand_like, randn_like = \
    _like(zeros), _like(ones), _like(empty), _like(rand), _like(randn)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype,
                device=device, requires_grad=requires_grad)


def randint_like(input, low, high=None, dtype=None, device=None, requires_grad=False):
    return randint(low, high, input.shape, dtype=input.dtype if dtype is None else dtype,
                   device=device, requires_grad=requires_grad)


def _legacy_constructor(dtype, name):
    def constructor(*args):
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            return Tensor(args[0], dtype=dtype)          # FloatTensor([1, 2]): the data
        return zeros(*args, dtype=dtype)                 # FloatTensor(2, 3): a shape
    constructor.__name__ = name
    constructor.__doc__ = (f"tl.{name}(data) or tl.{name}(*sizes): PyTorch's legacy "
                           f"constructor of a {dtype} tensor.")
    return constructor


FloatTensor = _legacy_constructor(dtypes.float32, "FloatTensor")
DoubleTensor = _legacy_constructor(dtypes.float64, "DoubleTensor")
LongTensor = _legacy_constructor(dtypes.int64, "LongTensor")
BoolTensor = _legacy_constructor(dtypes.bool, "BoolTensor")
HalfTensor = _legacy_constructor(dtypes.float16, "HalfTensor")
IntTensor = _legacy_constructor(dtypes.int32, "IntTensor")
ShortTensor = _legacy_constructor(dtypes.int16, "ShortTensor")
CharTensor = _legacy_constructor(dtypes.int8, "CharTensor")
ByteTensor = _legacy_constructor(dtypes.uint8, "ByteTensor")
