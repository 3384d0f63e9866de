"""Every Tensor op as a `tl.` function (`tl.exp(x)` is `x.exp()`), plus the ops that take
several tensors: cat, stack, where. The common ones take PyTorch's `out=` (see
out_argument.py)."""
import inspect
import math

from . import dtypes, ops
from .out_argument import accepts_out
from .tensor import Tensor, where  # noqa: F401  (where is re-exported)
from .errors import ShapeError

_TAKE_OUT = ("add", "sub", "mul", "div", "matmul", "mm", "bmm")    # and cat, stack below


def _function(name):
    method = getattr(Tensor, name)

    def fn(input, *args, **kwargs):
        return method(input if isinstance(input, Tensor) else Tensor(input), *args, **kwargs)
    fn.__name__ = name
    fn.__doc__ = f"tl.{name}(t, ...) is t.{name}(...). " + (method.__doc__ or "")
    fn.__signature__ = _as_function_signature(method)
    return accepts_out(fn) if name in _TAKE_OUT else fn


def _as_function_signature(method):
    """The method's signature with `self` called `input`, as PyTorch names it: what help()
    and editors show for tl.<name>."""
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):     # a builtin without one
        return None
    first, *rest = signature.parameters.values()
    return signature.replace(parameters=[first.replace(name="input"), *rest])


# Each Tensor method below as a tl. function, written out so that editors and linters see
# the names (sum, max, abs, ... shadow the builtins here on purpose: they are tl.sum, ...).
add, sub, mul, div, pow = map(_function, ("add", "sub", "mul", "div", "pow"))
maximum, minimum, matmul, dot, exp = map(_function, ("maximum", "minimum", "matmul", "dot", "exp"))
log, sqrt, abs, sign, sin = map(_function, ("log", "sqrt", "abs", "sign", "sin"))
cos, tanh, sigmoid, relu, clamp = map(_function, ("cos", "tanh", "sigmoid", "relu", "clamp"))
clip, sum, mean, var, std = map(_function, ("clip", "sum", "mean", "var", "std"))
max, min, amax, amin, argmax = map(_function, ("max", "min", "amax", "amin", "argmax"))
argmin, logsumexp, softmax, log_softmax, reshape = map(
    _function, ("argmin", "logsumexp", "softmax", "log_softmax", "reshape"))
flatten, transpose, permute, unsqueeze, squeeze = map(
    _function, ("flatten", "transpose", "permute", "unsqueeze", "squeeze"))
expand, broadcast_to, split, chunk, pad = map(
    _function, ("expand", "broadcast_to", "split", "chunk", "pad"))
gather, neg, clone, detach, flip = map(_function, ("gather", "neg", "clone", "detach", "flip"))
cumsum, norm, masked_fill, isnan, isinf = map(
    _function, ("cumsum", "norm", "masked_fill", "isnan", "isinf"))
isfinite, t, repeat, unbind, square = map(
    _function, ("isfinite", "t", "repeat", "unbind", "square"))
erf, mm, bmm, prod, floor = map(_function, ("erf", "mm", "bmm", "prod", "floor"))
ceil, trunc, fix, round, frac = map(_function, ("ceil", "trunc", "fix", "round", "frac"))
log2, log10, log1p, expm1, reciprocal = map(
    _function, ("log2", "log10", "log1p", "expm1", "reciprocal"))
rsqrt, logaddexp, hypot, lerp, tan = map(_function, ("rsqrt", "logaddexp", "hypot", "lerp", "tan"))
asin, acos, atan, sinh, cosh = map(_function, ("asin", "acos", "atan", "sinh", "cosh"))
atan2, arcsin, arccos, arctan, arctan2 = map(
    _function, ("atan2", "arcsin", "arccos", "arctan", "arctan2"))
logical_and, logical_or, logical_xor, logical_not, bitwise_and = map(
    _function, ("logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and"))
bitwise_or, bitwise_xor, bitwise_not, isclose, allclose = map(
    _function, ("bitwise_or", "bitwise_xor", "bitwise_not", "isclose", "allclose"))
equal, index_select, index_add, scatter, scatter_add = map(
    _function, ("equal", "index_select", "index_add", "scatter", "scatter_add"))
masked_select, nonzero, argwhere, movedim, moveaxis = map(
    _function, ("masked_select", "nonzero", "argwhere", "movedim", "moveaxis"))
unflatten, tile, repeat_interleave, roll, diagonal = map(
    _function, ("unflatten", "tile", "repeat_interleave", "roll", "diagonal"))
tril, triu, outer, ger, cumprod = map(_function, ("tril", "triu", "outer", "ger", "cumprod"))
sort, argsort, topk, unique = map(_function, ("sort", "argsort", "topk", "unique"))
floor_divide, remainder, fmod = map(_function, ("floor_divide", "remainder", "fmod"))
__all__ = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "matmul", "dot", "exp", "log",
           "sqrt", "abs", "sign", "sin", "cos", "tanh", "sigmoid", "relu", "clamp", "clip", "sum",
           "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp",
           "softmax", "log_softmax", "reshape", "flatten", "transpose", "permute", "unsqueeze",
           "squeeze", "expand", "broadcast_to", "split", "chunk", "pad", "gather", "neg", "clone",
           "detach", "flip", "cumsum", "norm", "masked_fill", "isnan", "isinf", "isfinite", "t",
           "repeat", "unbind", "square", "erf", "mm", "bmm", "prod", "floor", "ceil", "trunc",
           "fix", "round", "frac", "log2", "log10", "log1p", "expm1", "reciprocal", "rsqrt",
           "logaddexp", "hypot", "lerp", "tan", "asin", "acos", "atan", "sinh", "cosh", "atan2",
           "arcsin", "arccos", "arctan", "arctan2", "logical_and", "logical_or", "logical_xor",
           "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "isclose",
           "allclose", "equal", "index_select", "index_add", "scatter", "scatter_add",
           "masked_select", "nonzero", "argwhere", "movedim", "moveaxis", "unflatten", "tile",
           "repeat_interleave", "roll", "diagonal", "tril", "triu", "outer", "ger", "cumprod",
           "sort", "argsort", "topk", "unique", "floor_divide", "remainder", "fmod", "cat",
           "concat", "concatenate", "stack", "where", "numel", "is_tensor"]
__all__ += ["einsum", "meshgrid", "cdist"]
is_floating_point = _function("is_floating_point")
__all__ += ["is_floating_point"]


from .functional_more import cdist, einsum, meshgrid  # noqa: E402,F401


@accepts_out
def cat(tensors, dim=0):
    """Join tensors along an existing dim; all other dims must match."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat: needs at least one tensor")
    first = tensors[0]
    dim = first._dim(dim, "cat")
    dtype = first.dtype
    for t in tensors[1:]:
        dtype = dtypes.promote(dtype, t.dtype)
        if t.ndim != first.ndim or t.shape[:dim] + t.shape[dim + 1:] != \
                first.shape[:dim] + first.shape[dim + 1:]:
            raise ShapeError(f"cat: shapes {[x.shape for x in tensors]} don't match outside "
                             f"dim {dim}")
    return ops.Cat.apply(*[t.to(dtype) for t in tensors], dim=dim)


concatenate = concat = cat


@accepts_out
def stack(tensors, dim=0):
    """Join equally shaped tensors along a new dim."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ShapeError(f"stack: all tensors need the same shape, got "
                         f"{[t.shape for t in tensors]}")
    dim = tensors[0]._dim(dim, "stack", extra=1)
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def numel(t):
    return math.prod(t.shape)


def is_tensor(x):
    return isinstance(x, Tensor)
