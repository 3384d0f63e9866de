"""The four dtypes a Tensor can hold, and how mixed dtypes combine (PyTorch's rules)."""
import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001 - the public name is tl.bool, as torch.bool

SUPPORTED = (float32, float64, int64, bool)


def to_dtype(dtype, *, op="tensor"):
    """Map anything NumPy understands as a dtype (or a Python type) onto one of ours."""
    if dtype is float:
        return _default_float
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype; valid: tl.float32, tl.float64, "
                        "tl.int64, tl.bool") from None
    if dt in SUPPORTED:
        return dt
    if dt.kind == "f":
        return _default_float
    if dt.kind in "iu":
        return int64
    raise TypeError(f"{op}: dtype {dt} is not supported; valid: float32, float64, int64, bool")


def is_floating(dtype):
    return dtype == float32 or dtype == float64


def category(dtype):
    """0 for bool, 1 for integers, 2 for floats: the order PyTorch promotes across."""
    return 0 if dtype == bool else 2 if dtype.kind == "f" else 1


_default_float = float32   # what Python floats and the float factories give


def set_default_dtype(dtype):
    """`tl.set_default_dtype(tl.float64)`: the dtype of Python floats, the float factories
    (zeros, randn, ...) and new layers' parameters from now on, as torch.set_default_dtype
    (process-wide, like PyTorch's). Only float32 and float64 can be the default."""
    global _default_float
    dt = np.dtype(dtype) if dtype is not float else float32
    if dt not in (float32, float64):
        raise TypeError(f"set_default_dtype: only floating-point dtypes can be the default "
                        f"(tl.float32 or tl.float64), got {dtype!r}")
    _default_float = dt


def get_default_dtype():
    """The default floating-point dtype (float32 unless set_default_dtype changed it)."""
    return _default_float


def default_of_category(category):
    """The dtype a weak scalar of a category (0 bool, 1 int, 2 float) takes on its own."""
    return (bool, int64, _default_float)[category]


def promote(a, b):
    """Result dtype of a binary op: the wider float wins; a float beats an int or a bool;
    an int beats a bool (PyTorch's type promotion for tensors of these four dtypes)."""
    if a == b:
        return a
    if is_floating(a) and is_floating(b):
        return float64
    if is_floating(a):
        return a
    if is_floating(b):
        return b
    return int64
