"""PyTorch's `out=` keyword (`tl.add(a, b, out=t)`): compute the result as usual, then write
it into `t` in place and return `t`.

The rules are PyTorch's:
- not differentiable: refused while grad mode is on and `out` or an input requires grad;
- the result is cast to out's dtype, but only within or up the categories bool < integers <
  floats (a float result can't go into an int64 `out`);
- an `out` of another shape is resized (its array replaced), with a warning when it had
  elements, since reusing it then is usually a mistake.
"""
import functools
import inspect
import warnings

from . import dtypes, function
from .grad_mode import is_grad_enabled

# PyTorch's names for its scalar types, which its out= error messages use
TORCH_NAMES = {dtypes.float16: "Half", dtypes.float32: "Float", dtypes.float64: "Double",
               dtypes.uint8: "Byte", dtypes.int8: "Char", dtypes.int16: "Short",
               dtypes.int32: "Int", dtypes.int64: "Long", dtypes.bool: "Bool"}


def write_out(result, out, op):
    """Copy `result` into the tensor `out` in place (bumping its version) and return `out`."""
    if not isinstance(out, function.Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if is_grad_enabled() and (out.requires_grad or result.requires_grad):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if dtypes.category(result.dtype) > dtypes.category(out.dtype):
        raise RuntimeError(f"{op}(): result type {TORCH_NAMES[result.dtype]} can't be cast to "
                           f"the desired output type {TORCH_NAMES[out.dtype]}")
    out._check_inplace(op)
    if out.shape == result.shape:
        out._data[...] = result._data
        return out
    if out.numel():
        warnings.warn(f"{op}(): an output with one or more elements was resized since it had "
                      f"shape {list(out.shape)}, which does not match the required output "
                      f"shape {list(result.shape)}. This behavior is deprecated in PyTorch; "
                      "pass an out tensor with zero elements (tl.empty(0)) to be resized "
                      "silently.", UserWarning, stacklevel=3)
    out._data = result._data.astype(out.dtype)      # a fresh array: out never aliases result
    return out


def accepts_out(fn):
    """fn with the keyword `out=`: `fn(..., out=t)` computes fn(...) and writes it into t."""
    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        return result if out is None else write_out(result, out, fn.__name__)
    with_out.__doc__ = f"{fn.__doc__ or ''}\n\n`out=t` writes the result into t, returns t."
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return with_out
    out = inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None)
    parameters = list(signature.parameters.values())
    at = next((i for i, p in enumerate(parameters) if p.kind == p.VAR_KEYWORD), len(parameters))
    with_out.__signature__ = signature.replace(parameters=parameters[:at] + [out] +
                                               parameters[at:])
    return with_out
