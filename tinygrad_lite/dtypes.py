"""The dtypes a Tensor can hold, and how mixed dtypes combine (PyTorch's rules).

A dtype is a NumPy dtype: tl.float32 is np.dtype("float32"). NumPy has no bfloat16, so
neither has tinygrad_lite."""
import numpy as np

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001 - the public name is tl.bool, as torch.bool

SUPPORTED = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
FLOATING = (float16, float32, float64)


def to_dtype(dtype, *, op="tensor"):
    """Map anything NumPy understands as a dtype (or a Python type) onto one of ours."""
    if dtype is float:
        return _default_float
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype; valid: {_names()}") from None
    if dt in SUPPORTED:
        return dt
    if dt.kind == "f":
        return _default_float
    if dt.kind in "iu":
        return int64        # uint16/32/64: PyTorch's support for them is thin too
    raise TypeError(f"{op}: dtype {dt} is not supported; valid: {_names()}")


def _names():
    return ", ".join(f"tl.{dt}" for dt in SUPPORTED)


def is_floating(dtype):
    return dtype in FLOATING


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
    """Result dtype of a binary op on two tensors (PyTorch's type promotion): across
    categories (bool < integers < floats) the higher category's dtype, so float16 + int64
    is float16; within one, the narrowest dtype that holds both (int8 + uint8 is int16)."""
    if a == b:
        return a
    category_a, category_b = category(a), category(b)
    if category_a != category_b:
        return a if category_a > category_b else b
    return np.promote_types(a, b)
