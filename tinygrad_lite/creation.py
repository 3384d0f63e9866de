"""Factories: tensors filled with constants, ranges or random draws. Shapes are given as
`*ints` or one tuple; random draws use the library generator (`tl.manual_seed`)."""
import numpy as np

from . import dtypes
from .random import generator
from .tensor import Tensor
from .tensor_shape import _shape_arg


def _new(array, dtype, requires_grad, default=dtypes.float32, op="tensor"):
    dtype = default if dtype is None else dtypes.to_dtype(dtype, op=op)
    t = Tensor._make(np.asarray(array, dtype=dtype), False, None)
    return t.requires_grad_(True) if requires_grad else t


def _shape(shape, op):
    shape = _shape_arg(shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"{op}: sizes must be non-negative, got {shape}")
    return shape


def tensor(data, requires_grad=False, dtype=None):
    """Same as Tensor(data, requires_grad, dtype)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape, dtype=None, requires_grad=False):
    return _new(np.zeros(_shape(shape, "zeros")), dtype, requires_grad, op="zeros")


def ones(*shape, dtype=None, requires_grad=False):
    return _new(np.ones(_shape(shape, "ones")), dtype, requires_grad, op="ones")


def empty(*shape, dtype=None, requires_grad=False):
    return zeros(*shape, dtype=dtype, requires_grad=requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False):
    default = dtypes.int64 if isinstance(fill_value, int) else dtypes.float32
    if isinstance(fill_value, bool):
        default = dtypes.bool
    return _new(np.full(_shape((shape,), "full"), fill_value), dtype, requires_grad, default,
                "full")


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """[start, end) in steps; int64 when all arguments are ints, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    return _new(np.arange(start, end, step), dtype, requires_grad,
                dtypes.int64 if ints else dtypes.float32, "arange")


def linspace(start, end, steps, dtype=None, requires_grad=False):
    """`steps` evenly spaced values from start to end, both included."""
    if steps < 0:
        raise ValueError(f"linspace: steps must be non-negative, got {steps}")
    return _new(np.linspace(start, end, steps), dtype, requires_grad, op="linspace")


def randperm(n, dtype=None, requires_grad=False):
    """A random permutation of 0 .. n-1."""
    return _new(generator().permutation(n), dtype, requires_grad, dtypes.int64, "randperm")


def from_numpy(array):
    """A tensor that shares memory with `array` (no copy), as torch.from_numpy."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a NumPy array, got {type(array).__name__}")
    if array.dtype not in dtypes.SUPPORTED:
        raise TypeError(f"from_numpy: dtype {array.dtype} would need a copy; supported without "
                        "one: float32, float64, int64, bool (use tl.tensor(array) to convert)")
    return Tensor._make(array, False, None)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _new(np.eye(n, m), dtype, requires_grad, op="eye")


def rand(*shape, dtype=None, requires_grad=False):
    """Uniform on [0, 1)."""
    return _new(generator().random(_shape(shape, "rand")), dtype, requires_grad, op="rand")


def randn(*shape, dtype=None, requires_grad=False):
    """Standard normal."""
    return _new(generator().standard_normal(_shape(shape, "randn")), dtype, requires_grad,
                op="randn")


def randint(low, high=None, size=(), dtype=None, requires_grad=False):
    """Integers uniform on [low, high) (or [0, low) when high is omitted, as in
    `randint(10, (3,))`)."""
    if isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    return _new(generator().integers(low, high, _shape((size,), "randint")), dtype,
                requires_grad, dtypes.int64, "randint")


def _like(fn):
    def like(t, dtype=None, requires_grad=False):
        return fn(t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)
    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = f"{fn.__name__} with the shape (and, unless given, the dtype) of `t`."
    return like


zeros_like, ones_like, rand_like, randn_like = _like(zeros), _like(ones), _like(rand), \
    _like(randn)


def full_like(t, fill_value, dtype=None, requires_grad=False):
    return full(t.shape, fill_value, dtype=t.dtype if dtype is None else dtype,
                requires_grad=requires_grad)
