"""`Tensor`: a NumPy array plus what autograd needs (`requires_grad`, `grad`, the node that
made it). Every method is a thin call into a registered op in `tinygrad_lite.ops`, or a short
composition of them; the arithmetic lives in the ops, the graph walk in `autograd`.

This file holds the core: construction, attributes, conversion, autograd, in-place updates,
arithmetic, comparisons and elementwise math. The reductions and the shape/indexing methods
are inherited from the mixins in tensor_reduce.py and tensor_shape.py."""
import numbers
import warnings

import numpy as np

from . import devices, dtypes, function, ops
from .autograd import engine
from .errors import ShapeError
from .tensor_extra import ExtraMethods
from .tensor_inplace import InPlaceMethods, _data
from .tensor_new import NewMethods
from .tensor_reduce import ReductionMethods
from .tensor_shape import ShapeMethods


def _to_array(data, dtype, op):
    """Convert user data to a fresh ndarray of a supported dtype: Python floats become the
    default float (float32), Python ints int64; arrays and tensors keep their dtype (float64,
    int32, float16, ...) as torch.tensor does."""
    if isinstance(data, Tensor):
        data = data._data
    if dtype is not None:
        dtype = dtypes.to_dtype(dtype, op=op)
        try:
            return np.array(data, dtype=dtype)
        except OverflowError as e:
            raise RuntimeError(f"{op}: value cannot be converted to type {dtype} without "
                               f"overflow ({e})") from None
    array = np.array(data)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{op}: cannot make a tensor from {type(data).__name__} with dtype "
                        f"{array.dtype}; give numbers, nested lists of numbers or an array")
    keeps_float64 = isinstance(data, (np.ndarray, np.float64))
    if array.dtype == dtypes.float64 and not keeps_float64:
        return array.astype(dtypes.get_default_dtype())
    return array.astype(dtypes.to_dtype(array.dtype, op=op), copy=False)


def _converter(dtype, name):
    """The method `t.<name>()`, which is `t.to(dtype)`."""
    def convert(self):
        return self.to(dtype)
    convert.__name__ = name
    convert.__doc__ = f"t.{name}() is t.to(tl.{dtype})."
    return convert


class Tensor(ShapeMethods, ReductionMethods, InPlaceMethods, NewMethods, ExtraMethods):
    """An n-dimensional array that records the operations applied to it.

    `Tensor(data, requires_grad=False, dtype=None)`: data is a scalar, nested list, NumPy
    array or Tensor; Python floats become float32, Python ints int64, arrays keep their
    dtype (float64, float16, int32, uint8, ...).
    """
    __slots__ = ("_data", "_grad", "requires_grad", "_ctx", "_version", "__weakref__")
    __array_priority__ = 1000  # so ndarray + Tensor calls Tensor.__radd__

    def __init__(self, data, requires_grad=False, dtype=None):
        self._data = _to_array(data, dtype, "Tensor")
        self._grad = None
        self._ctx = None
        self._version = 0
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, requires_grad, ctx):
        """The engine's constructor: no conversion, no checks."""
        t = object.__new__(cls)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t._grad = None
        t.requires_grad = requires_grad
        t._ctx = ctx
        t._version = 0
        return t

    # ---- attributes ----------------------------------------------------------------------
    def _set_data(self, value):
        """`t.data = array_or_tensor` swaps the array under the tensor, outside the graph
        (PyTorch's escape hatch, e.g. `w.data -= lr * w.grad`)."""
        if isinstance(value, Tensor):
            value = value._data
        if not isinstance(value, np.ndarray):
            raise TypeError(f"data: assign a NumPy array or a Tensor, got {type(value).__name__}")
        self._data = value

    data = property(lambda self: Tensor._make(self._data, False, None), _set_data,
                    doc="As in PyTorch: a Tensor sharing this one's memory, outside the graph "
                        "(`m.weight.data.normal_(0, 0.02)`); the NumPy array is `.numpy()`.")

    def _get_grad(self):
        """The gradient backward accumulated (leaves, and non-leaves that retain_grad)."""
        if self._grad is None and self._ctx is not None and \
                engine.RETAINS_GRAD.get(id(self)) is not self:
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being "
                          "accessed. Its .grad attribute won't be populated during backward(); "
                          "call .retain_grad() on it before backward if you want its gradient "
                          f"(tensor of shape {self.shape}, made by {self._ctx.name})",
                          UserWarning, stacklevel=2)
        return self._grad

    def _set_grad(self, value):
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"grad: assign a Tensor or None, got {type(value).__name__}")
        if value is not None and value.shape != self.shape:
            raise RuntimeError(f"grad: assigned grad has shape {value.shape}, but the tensor "
                               f"has shape {self.shape}")
        self._grad = value

    grad = property(_get_grad, _set_grad)
    shape = property(lambda self: self._data.shape)
    ndim = property(lambda self: self._data.ndim)
    dtype = property(lambda self: self._data.dtype)
    grad_fn = property(lambda self: self._ctx, doc="The op node that made this tensor.")
    is_leaf = property(lambda self: self._ctx is None)

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[self._dim(dim, "size")]

    def numel(self):
        return self._data.size

    def dim(self):
        return self._data.ndim

    def is_floating_point(self):
        return dtypes.is_floating(self._data.dtype)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        shown_by_default = self.dtype == dtypes.get_default_dtype() or (
            self.dtype in (dtypes.int64, dtypes.bool) and self._data.size > 0)   # as PyTorch
        extra = "" if shown_by_default else f", dtype={self.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn={self._ctx!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    __hash__ = object.__hash__  # identity: tensors are dict keys (optimizer state)

    # ---- conversion ----------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        """`np.asarray(t)` shares the array; `np.array(t)` (copy=True) gets a copy."""
        if copy:
            return np.array(self._data, dtype=dtype, copy=True)
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError("numpy: can't call numpy() on a tensor that requires grad; "
                               "use tensor.detach().numpy()")
        return self._data

    def item(self):
        if self._data.size != 1:
            raise ValueError(f"item: only a one-element tensor converts to a Python scalar, "
                             f"this one has shape {self.shape}")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        """Lets a one-element integer tensor index a Python list (`counts[label]`)."""
        if self.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError(f"__index__: only a one-element integer tensor can be used as an "
                            f"index, this one is {self.dtype} with shape {self.shape}")
        return int(self._data.item())

    def __iter__(self):
        """Iterate over the first dim, as PyTorch does."""
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"bool: the truth value of a tensor of shape {self.shape} is "
                               "ambiguous; use .any() or .all()")
        return bool(self._data.item())

    def detach(self):
        """The same data, cut out of the graph."""
        return Tensor._make(self._data, False, None)

    def detach_(self):
        """Cut this tensor out of the graph in place."""
        self._ctx, self.requires_grad = None, False
        return self

    def contiguous(self):
        """self when its array is C-contiguous, else a contiguous copy (differentiable)."""
        return self if self._data.flags.c_contiguous else self.clone()

    def clone(self):
        return ops.Clone.apply(self)

    def to(self, *args, dtype=None, device=None):
        """`to(dtype)`, `to(device)`, `to(device, dtype)` or `to(other_tensor)` as in PyTorch;
        devices other than the CPU are accepted with a warning (everything runs on the CPU)."""
        for arg in args:
            if devices.is_device(arg):
                device = arg
            else:
                dtype = arg.dtype if isinstance(arg, Tensor) else arg
        if device is not None:
            devices.move(device, "to")
        return self if dtype is None else self._cast(dtype)

    device = property(lambda self: devices.CPU)

    def cpu(self):
        return self

    def cuda(self, device=None):
        devices.move("cuda" if device is None else device, "cuda")
        return self

    def _cast(self, dtype):
        dtype = dtypes.to_dtype(dtype, op="to")
        if dtype == self.dtype:
            return self
        if dtypes.is_floating(dtype) and dtypes.is_floating(self.dtype):
            return ops.Cast.apply(self, dtype=dtype)
        return Tensor._make(self._data.astype(dtype), False, None)  # not differentiable

    def astype(self, dtype):
        return self._cast(dtype)

    type = astype

    # PyTorch's names: .int() is int32, .long() int64, .char() int8, .byte() uint8
    half, float, double = (_converter(dtypes.float16, "half"),
                           _converter(dtypes.float32, "float"),
                           _converter(dtypes.float64, "double"))
    byte, char, short, int, long = (_converter(dtypes.uint8, "byte"),
                                    _converter(dtypes.int8, "char"),
                                    _converter(dtypes.int16, "short"),
                                    _converter(dtypes.int32, "int"),
                                    _converter(dtypes.int64, "long"))
    bool = _converter(dtypes.bool, "bool")

    def type_as(self, other):
        return self.to(other.dtype)

    # ---- autograd ------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into `.grad` of every leaf that requires grad."""
        engine.backward(self, gradient, retain_graph, create_graph)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and not dtypes.is_floating(self.dtype):
            raise RuntimeError(f"requires_grad_: only floating-point tensors can require "
                               f"gradients; this one is {self.dtype} (use .float() first)")
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("requires_grad_: can't turn off requires_grad on a non-leaf "
                               "tensor; use .detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def register_hook(self, hook):
        """Call `hook(grad)` whenever this tensor's gradient has been computed; a hook that
        returns a Tensor replaces the gradient (e.g. `lambda g: g.clamp(-1, 1)`). Returns a
        handle whose `.remove()` takes the hook out, as in PyTorch."""
        if not self.requires_grad:
            raise RuntimeError(f"register_hook: cannot register a hook on a tensor that does not "
                               f"require grad (shape {self.shape})")
        return engine.register_tensor_hook(self, hook)

    def _forget_grad(self, set_to_none=True):
        """What `zero_grad` does to each parameter: `grad = None`, or with set_to_none=False
        zero the grad's array in place (grad stays the same Tensor, as in PyTorch; each
        leaf's grad owns its memory, so no other tensor changes)."""
        if self._grad is None:
            return
        if set_to_none:
            self._grad = None
        elif self._grad._ctx is not None:   # made with create_graph=True: not detachable in
            self._grad = Tensor._make(np.zeros_like(self._data), False, None)   # place
        else:
            self._grad.requires_grad_(False).zero_()

    def retain_grad(self):
        """Make backward fill `.grad` of this non-leaf tensor too (leaves always get one)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad, so it will "
                               "never have one")
        if self._ctx is not None:
            engine.RETAINS_GRAD[id(self)] = self

    # ---- arithmetic ----------------------------------------------------------------------
    def add(self, other, alpha=1):
        """self + alpha * other"""
        if alpha != 1:
            return ops.Add.apply(*_times_alpha(self, other, alpha, "add"))
        return _binary(ops.Add, self, other, "add")

    def sub(self, other, alpha=1):
        """self - alpha * other"""
        if alpha != 1:
            return ops.Sub.apply(*_times_alpha(self, other, alpha, "sub"))
        return _binary(ops.Sub, self, other, "sub")

    def mul(self, other):
        return _binary(ops.Mul, self, other, "mul")

    def div(self, other):
        return ops.Div.apply(*_true_division(self, other))

    def pow(self, exponent):
        return ops.Pow.apply(*_operands(self, exponent, "pow"))

    def maximum(self, other):
        return ops.Maximum.apply(*_operands(self, other, "maximum"))

    def minimum(self, other):
        return ops.Minimum.apply(*_operands(self, other, "minimum"))

    def neg(self):
        return ops.Neg.apply(self)

    __add__ = __radd__ = add
    __sub__, __mul__, __truediv__, __pow__, __neg__ = sub, mul, div, pow, neg
    __rmul__ = mul
    subtract, multiply, divide = sub, mul, div

    def __pos__(self):
        """+t is t, as in PyTorch (which refuses it on bool tensors)."""
        if self.dtype == dtypes.bool:
            raise TypeError("+: unary plus is not supported for bool tensors")
        return self

    def __rsub__(self, other):
        return ops.Sub.apply(*_operands(other, self, "sub"))

    def __rtruediv__(self, other):
        return ops.Div.apply(*_true_division(other, self))

    def floor_divide(self, other):
        """floor(a / b), in the operands' dtype (no gradient, as in PyTorch)."""
        return _integer_division(self, other, "floor_divide", np.floor_divide)

    def remainder(self, other):
        """a - b * floor(a / b): the sign of b, as Python's %; d/da = 1, d/db = -floor(a/b)."""
        a, b = _operands(self, other, "remainder")
        if not dtypes.is_floating(a.dtype):
            return _integer_division(a, b, "remainder", np.remainder)
        return a - b * (a / b).floor().detach()

    def fmod(self, other):
        """a - b * trunc(a / b): the sign of a, as C's fmod."""
        a, b = _operands(self, other, "fmod")
        if not dtypes.is_floating(a.dtype):
            return _integer_division(a, b, "fmod", np.fmod)
        return a - b * (a / b).trunc().detach()

    __floordiv__, __mod__ = floor_divide, remainder

    def __rfloordiv__(self, other):
        return _integer_division(other, self, "floor_divide", np.floor_divide)

    def __rmod__(self, other):
        return _tensor(other, self.dtype).remainder(self)

    def __rpow__(self, other):
        return ops.Pow.apply(*_operands(other, self, "pow"))

    def matmul(self, other):
        return ops.matmul(self, _tensor(other, self.dtype))

    __matmul__ = matmul

    def __rmatmul__(self, other):
        return ops.matmul(_tensor(other, self.dtype), self)

    def mm(self, mat2):
        """Matrix product of two 2-D tensors."""
        if self.ndim != 2 or _tensor(mat2, self.dtype).ndim != 2:
            raise ShapeError(f"mm: expects two 2-D tensors, got shapes {self.shape} and "
                             f"{np.shape(mat2)}; use matmul for other ranks")
        return self.matmul(mat2)

    def bmm(self, mat2):
        """Batched matrix product of (b, n, m) and (b, m, p) tensors."""
        shape = np.shape(mat2)
        if self.ndim != 3 or len(shape) != 3 or self.shape[0] != shape[0]:
            raise ShapeError(f"bmm: expects (b, n, m) and (b, m, p) tensors, got shapes "
                             f"{self.shape} and {shape}")
        return self.matmul(mat2)

    def dot(self, other):
        if self.ndim != 1 or _tensor(other, self.dtype).ndim != 1:
            raise RuntimeError(f"dot: expects two 1-D tensors, got shapes {self.shape} and "
                               f"{np.shape(other)}; use matmul for matrices")
        return self.matmul(other)

    # comparisons give bool tensors and have no gradient
    def _compare(self, other, ufunc):
        """A bool tensor, comparing after promoting both sides to one dtype (as PyTorch:
        int8 < 2.5 compares as floats); NotImplemented for a non-numeric `other` (a string,
        None), so that Python answers `t == None` with False and `t != "a"` with True."""
        if isinstance(other, (Tensor, numbers.Number)):
            a, b = _operands(self, other, ufunc.__name__)
            return Tensor._make(ufunc(a._data, b._data), False, None)
        if not isinstance(other, (np.ndarray, np.generic, list, tuple)):
            return NotImplemented
        return Tensor._make(ufunc(self._data, _data(other)), False, None)

    __lt__ = lambda self, o: self._compare(o, np.less)          # noqa: E731
    __le__ = lambda self, o: self._compare(o, np.less_equal)    # noqa: E731
    __gt__ = lambda self, o: self._compare(o, np.greater)       # noqa: E731
    __ge__ = lambda self, o: self._compare(o, np.greater_equal)  # noqa: E731
    __eq__ = lambda self, o: self._compare(o, np.equal)         # noqa: E731
    __ne__ = lambda self, o: self._compare(o, np.not_equal)     # noqa: E731
    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __invert__(self):
        """Logical not of a bool tensor, bitwise not of an integer one."""
        return self.bitwise_not()

    def __and__(self, other):
        return self.bitwise_and(other)

    def __or__(self, other):
        return self.bitwise_or(other)

    def isnan(self):
        return Tensor._make(np.isnan(self._data), False, None)

    def isinf(self):
        return Tensor._make(np.isinf(self._data), False, None)

    def isfinite(self):
        return Tensor._make(np.isfinite(self._data), False, None)

    # ---- elementwise ---------------------------------------------------------------------
    def exp(self):
        return ops.Exp.apply(self._floating())

    def log(self):
        return ops.Log.apply(self._floating())

    def sqrt(self):
        return ops.Sqrt.apply(self._floating())

    def abs(self):
        return ops.Abs.apply(self)

    __abs__ = abs

    def sign(self):
        return ops.Sign.apply(self)

    def sin(self):
        return ops.Sin.apply(self._floating())

    def cos(self):
        return ops.Cos.apply(self._floating())

    def tanh(self):
        return ops.Tanh.apply(self._floating())

    def sigmoid(self):
        return ops.Sigmoid.apply(self._floating())

    def square(self):
        return self * self

    def erf(self):
        """erf(x) = 2/sqrt(pi) * integral of e^(-t^2) from 0 to x"""
        return ops.activation_gelu.Erf.apply(self._floating())

    def relu(self):
        return ops.ReLU.apply(self)

    def clamp(self, min=None, max=None):
        """min(max(x, min), max); the bounds are numbers or tensors (then differentiable)."""
        if min is None and max is None:
            raise ValueError("clamp: give at least one of min and max")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return self._clamp_by_tensors(min, max)
        bounds_are_floats = any(isinstance(v, float) for v in (min, max))
        source = self._floating() if bounds_are_floats else self
        return ops.Clamp.apply(source, min=min, max=max)

    clip = clamp

    def masked_fill(self, mask, value):
        """`value` where mask is True, self elsewhere (differentiable in self)."""
        return where(mask, value, self)

    def where(self, condition, other):
        """`x.where(cond, y)` is `tl.where(cond, x, y)`, as in PyTorch."""
        return where(condition, self, other)

    # ---- helpers -------------------------------------------------------------------------
    def _dim(self, dim, op, extra=0):
        ndim = self.ndim + extra
        if not isinstance(dim, numbers.Integral) or not -max(ndim, 1) <= dim < max(ndim, 1):
            raise IndexError(f"{op}: dim {dim} is out of range for a tensor of shape "
                             f"{self.shape} (valid: {-max(ndim, 1)} to {max(ndim, 1) - 1})")
        return int(dim) % max(ndim, 1)

    def _floating(self):
        """self, or a float32 copy of an integer/bool tensor (as PyTorch's exp, log, ...)."""
        return self if dtypes.is_floating(self.dtype) else self.to(dtypes.get_default_dtype())


# Hand the class to function.py: Function.apply, the ops, autograd and the two mixins load
# before it exists and reach it there (see function.py).
function.Tensor = Tensor


def _tensor(x, dtype):
    """Wrap a scalar or array as a constant tensor. A Python or NumPy scalar is "weak" as in
    PyTorch: it takes `dtype` (the other operand's) unless it is of a higher category (a float
    scalar with an int tensor), then the default of its own category (float32, int64)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (numbers.Real, np.bool_)) and np.ndim(x) == 0:
        own = 0 if isinstance(x, (bool, np.bool_)) else 1 if isinstance(
            x, (numbers.Integral, np.integer)) else 2
        if own > dtypes.category(dtype):
            dtype = dtypes.default_of_category(own)
        try:
            array = np.array(x, dtype=dtype)
        except OverflowError:   # int8 tensor + 1000: the scalar wraps around, as in PyTorch
            array = np.array(x).astype(dtype)
        return Tensor._make(array, False, None)
    return Tensor(x)


def _result_dtype(a, b):
    """PyTorch's promotion: a 0-d tensor sets the result dtype only when its category
    (bool < int < float) is above the other operand's; otherwise the other one decides."""
    if a.ndim == 0 and b.ndim and dtypes.category(a.dtype) <= dtypes.category(b.dtype):
        return b.dtype
    if b.ndim == 0 and a.ndim and dtypes.category(b.dtype) <= dtypes.category(a.dtype):
        return a.dtype
    return dtypes.promote(a.dtype, b.dtype)


def _operands(a, b, op):
    """Two tensors of one promoted dtype, checked to broadcast together."""
    if not isinstance(a, Tensor):
        a = _tensor(a, b._data.dtype)
    if not isinstance(b, Tensor):
        b = _tensor(b, a._data.dtype)
    if a._data.dtype != b._data.dtype:
        dtype = _result_dtype(a, b)
        a, b = a.to(dtype), b.to(dtype)
    if a._data.shape != b._data.shape:
        ops.check_broadcast(op, a._data.shape, b._data.shape)
    return a, b


def _binary(op, a, b, name):
    """op.apply(a, b) for a tensor `a`; the common case of two tensors of one dtype and shape
    goes straight to the op (the per-op cost of small tensors is mostly this bookkeeping)."""
    if isinstance(b, Tensor) and a._data.dtype == b._data.dtype and \
            a._data.shape == b._data.shape:
        return op.apply(a, b)
    return op.apply(*_operands(a, b, name))


def _times_alpha(a, b, alpha, op):
    """Operands (a, alpha * b) for add/sub's `alpha=`; a float alpha needs floating operands,
    as in PyTorch."""
    a, b = _operands(a, b, op)
    if isinstance(alpha, numbers.Real) and not isinstance(alpha, numbers.Integral) and \
            not dtypes.is_floating(a.dtype):
        raise RuntimeError(f"{op}: for integral input tensors ({a.dtype}), argument alpha must "
                           f"not be a floating point number, got {alpha}")
    return a, b * alpha


def _integer_division(a, b, op, ufunc):
    """floor_divide / remainder / fmod without gradient; an integer division by zero raises,
    as in PyTorch (NumPy would give 0 with a warning)."""
    a, b = _operands(a, b, op)
    if not dtypes.is_floating(a.dtype) and (b._data == 0).any():
        raise ZeroDivisionError(f"{op}: integer division by zero")
    if dtypes.is_floating(a.dtype) and ufunc is np.floor_divide:
        return (a / b).floor().detach()
    return Tensor._make(ufunc(a._data, b._data), False, None)


def _true_division(a, b):
    """Operands for `/`: integers divide as float32, as in PyTorch."""
    a, b = _operands(a, b, "div")
    if not dtypes.is_floating(a.dtype):
        a, b = a.to(dtypes.get_default_dtype()), b.to(dtypes.get_default_dtype())
    return a, b


def where(condition, input=None, other=None):
    """Elementwise `input if condition else other`; differentiable in input and other.
    `where(condition)` alone is `condition.nonzero(as_tuple=True)`, as in PyTorch."""
    condition = condition if isinstance(condition, Tensor) else Tensor(condition)
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if input is None or other is None:
        raise TypeError("where: give both input and other, or only the condition")
    if condition.dtype != dtypes.bool:
        raise TypeError(f"where: condition must be a bool tensor, got {condition.dtype}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = Tensor(input)                   # two numbers: the first one's own dtype
    if isinstance(input, Tensor) or not isinstance(other, Tensor):
        a, b = _operands(input, other, "where")
    else:
        b, a = _operands(other, input, "where")
    shape = np.broadcast_shapes(a.shape, b.shape)
    if condition.shape != shape:
        ops.check_broadcast("where", condition.shape, shape)
    return ops.Where.apply(condition, a, b)
