"""The argument checks nn's functions share: int-or-tuple arguments (kernel sizes, strides),
float inputs, batched or unbatched inputs, one dtype across tensors, and a linear layer's
shapes. Each raises an error that names the function or layer, the values and what would be
valid."""
import numbers

from tinygrad_lite import dtypes
from tinygrad_lite.errors import ShapeError
from tinygrad_lite.tensor import Tensor


def as_tuple(value, name, fn, minimum, dims):
    """An int or a `dims`-tuple of ints -> a tuple of `dims` ints, each at least `minimum`."""
    values = (value,) * dims if isinstance(value, numbers.Integral) else tuple(value)
    if (len(values) != dims or any(not isinstance(v, numbers.Integral) or isinstance(v, bool)
                                   or v < minimum for v in values)):
        what = "a pair" if dims == 2 else f"a {dims}-tuple"
        raise ValueError(f"{fn}: {name} must be an int >= {minimum} or {what} of them, "
                         f"got {value!r}")
    return tuple(int(v) for v in values)


def pair(value, name, fn, minimum):
    """An int or a pair of ints -> (h, w), each at least `minimum`."""
    return as_tuple(value, name, fn, minimum, 2)


def check_float(x, fn):
    """Raise TypeError unless x is a floating-point Tensor (fn names the caller)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: expected a Tensor, got {type(x).__name__}")
    if not dtypes.is_floating(x.dtype):
        raise TypeError(f"{fn}: expected a floating-point tensor, got {x.dtype} (use .float())")


def batched(x, dims, fn):
    """(x with a batch dim, whether one was added) for an input of `dims` spatial dims:
    rank dims + 2 (N, C, ...) as it is, rank dims + 1 (C, ...) as a batch of one."""
    check_float(x, fn)
    names = "(N, C, H, W) or (C, H, W)" if dims == 2 else "(N, C, L) or (C, L)"
    if x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{fn}: expected a {dims + 2}-D input or a {dims + 1}-D one "
                         f"{names}, got shape {x.shape}")
    return (x.unsqueeze(0), True) if x.ndim == dims + 1 else (x, False)


def same_dtype(tensors, fn):
    """The tensors, checked to share one dtype. As in PyTorch, a layer does not convert: a
    float64 input to a float32 layer is an error, not a silent float64 computation."""
    dtype = tensors[0].dtype
    if any(t.dtype != dtype for t in tensors[1:]):
        raise RuntimeError(f"{fn}: expected the input and the parameters to have the same "
                           f"dtype, but got {[str(t.dtype) for t in tensors]}; convert the "
                           "input (x.float() / x.double()) or the layer (.float() / .double())")
    return tensors


def check_linear_shapes(input, weight, bias, layer):
    """Raise ShapeError unless input (..., in_features), weight (out_features, in_features) and
    bias (out_features,) or None fit; `layer` names the caller in the message: "linear", or
    the module, "Linear(in_features=784, out_features=256)"."""
    if weight.ndim != 2:
        raise ShapeError(f"{layer}: weight must be 2-D (out_features, in_features), got shape "
                         f"{weight.shape}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ShapeError(f"{layer}: input has {input.shape[-1] if input.ndim else 0} features, "
                         f"expected {weight.shape[1]} (input shape {input.shape}, weight shape "
                         f"{weight.shape}; the last dim of the input holds the features)")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ShapeError(f"{layer}: bias has shape {bias.shape}, expected "
                         f"({weight.shape[0]},) for weight of shape {weight.shape}")
