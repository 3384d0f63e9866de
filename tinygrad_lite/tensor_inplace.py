"""The in-place forms PyTorch spells with a trailing underscore (`x.exp_()`, `x.unsqueeze_(0)`),
a mixin `Tensor` inherits. Each computes the out-of-place op's values and writes them into
the tensor's own array (or, for the shape ops, re-views it), bumping its version counter so a
graph that saved the old values notices. As for every in-place update here, they are refused
on a tensor that is being recorded (a leaf that requires grad, or part of a graph, outside
`tl.no_grad()`): write `x = x.exp()` there instead."""
import numpy as np

from . import dtypes, function
from . import random as tl_random
from .errors import ShapeError
from .grad_mode import is_grad_enabled, no_grad
from .tensor_shape import _index_steps

def _value_inplace(name):
    def method(self, *args, **kwargs):
        with no_grad():
            result = getattr(self, name)(*args, **kwargs)
        return self._assign_result(name + "_", result._data, None)
    method.__name__ = name + "_"
    method.__doc__ = f"In-place {name}: x.{name}_(...) writes x.{name}(...) into x."
    return method


def _shape_inplace(name):
    def method(self, *args, **kwargs):
        self._check_inplace(name + "_")
        with no_grad():
            self._data = getattr(self, name)(*args, **kwargs)._data
        return self
    method.__name__ = name + "_"
    method.__doc__ = f"In-place {name}: x.{name}_(...) makes x a view of shape x.{name}(...)."
    return method


class InPlaceMethods:
    """Writing into a tensor: copy_/fill_/zero_/uniform_/normal_, the arithmetic add_ ... div_
    and `+=` ..., `t[index] = value`, and x.op_(...) for the elementwise ops and the view-only
    shape ops."""
    __slots__ = ()

    # ---- the updates of init, optimizers and `with no_grad(): w -= lr * w.grad` -----------
    def _records(self, other=None):
        """Whether an op on self (and other) would be recorded in the graph."""
        return is_grad_enabled() and (self.requires_grad or
                                      isinstance(other, function.Tensor) and other.requires_grad)

    def _check_inplace(self, op, other=None):
        if self._records(other):
            kind = ("a leaf tensor that requires grad" if self.requires_grad and
                    self._ctx is None else "a tensor that is part of a recorded graph")
            raise RuntimeError(f"{op}: in-place operation on {kind} (shape {self.shape}); do it "
                               "under `with tl.no_grad():` or use the out-of-place op")
        self._version += 1

    def _assign(self, op, values, source=None):
        self._check_inplace(op, source)
        values = values._data if isinstance(values, function.Tensor) else np.asarray(values)
        try:
            self._data[...] = np.broadcast_to(values, self.shape)
        except ValueError:
            raise ShapeError(f"{op}: can't write values of shape {np.shape(values)} into a "
                             f"tensor of shape {self.shape}") from None
        return self

    def copy_(self, src):
        return self._assign("copy_", src, src)

    def fill_(self, value):
        return self._assign("fill_", value)

    def zero_(self):
        return self._assign("zero_", 0)

    def uniform_(self, a=0.0, b=1.0):
        return self._assign("uniform_", tl_random.generator().uniform(a, b, self.shape))

    def normal_(self, mean=0.0, std=1.0):
        return self._assign("normal_", tl_random.generator().normal(mean, std, self.shape))

    def _assign_result(self, op, result, other):
        """Write an arithmetic result back into self. As in PyTorch, the result's kind may
        not be lost on the way: a float result can't go into an integer tensor (int += 0.5),
        nor an integer one into a bool tensor."""
        if dtypes.category(result.dtype) > dtypes.category(self.dtype):
            kind = ("bool", "integer", "floating-point")[dtypes.category(result.dtype)]
            raise RuntimeError(f"{op}: the result is {result.dtype} ({kind}), which can't be "
                               f"written into this {self.dtype} tensor; use the out-of-place op "
                               "or convert the tensor first (.float())")
        return self._assign(op, result, other)

    def add_(self, other, alpha=1):
        return self._assign_result("add_", self._data + alpha * _data(other), other)

    def sub_(self, other, alpha=1):
        return self._assign_result("sub_", self._data - alpha * _data(other), other)

    def mul_(self, other):
        return self._assign_result("mul_", self._data * _data(other), other)

    def div_(self, other):
        return self._assign_result("div_", self._data / _data(other), other)

    def clamp_(self, min=None, max=None):
        return self._assign("clamp_", np.clip(self._data, min, max))

    subtract_, multiply_, divide_ = sub_, mul_, div_

    def _augmented(self, op, in_place, out_of_place, other):
        """`x += y`: in place outside the graph (the manual SGD step under no_grad); inside
        it, the out-of-place result, which Python then binds to `x` (the ResNet block's
        `out += self.shortcut(x)`). Earlier uses of the old x keep their value, so every
        gradient stays right; only other names for the same tensor don't see the change."""
        if not self._records(other):
            return in_place(other)
        if self.requires_grad and self._ctx is None:
            self._check_inplace(op, other)      # raises: a leaf that requires grad
        return out_of_place(other)

    def __iadd__(self, other):
        return self._augmented("+=", self.add_, self.add, other)

    def __isub__(self, other):
        return self._augmented("-=", self.sub_, self.sub, other)

    def __imul__(self, other):
        return self._augmented("*=", self.mul_, self.mul, other)

    def __itruediv__(self, other):
        return self._augmented("/=", self.div_, self.div, other)

    def __setitem__(self, index, value):
        self._check_inplace("__setitem__")
        *view_steps, last = _index_steps(index)
        target = self._data
        for step in view_steps:                 # basic indexing: a view into self
            target = target[step]
        target[last] = _data(value)


    abs_, neg_, exp_, log_, sqrt_ = (_value_inplace(n) for n in ("abs", "neg", "exp", "log",
                                                                 "sqrt"))
    sin_, cos_, tanh_, sigmoid_, relu_ = (_value_inplace(n) for n in ("sin", "cos", "tanh",
                                                                      "sigmoid", "relu"))
    sign_, square_, erf_, pow_, clip_ = (_value_inplace(n) for n in ("sign", "square", "erf",
                                                                     "pow", "clip"))
    masked_fill_, cumsum_ = _value_inplace("masked_fill"), _value_inplace("cumsum")
    floor_divide_, remainder_, fmod_ = (_value_inplace(n) for n in ("floor_divide", "remainder",
                                                                    "fmod"))
    unsqueeze_, squeeze_ = _shape_inplace("unsqueeze"), _shape_inplace("squeeze")
    transpose_, t_ = _shape_inplace("transpose"), _shape_inplace("t")


def _data(x):
    """The array of a Tensor, or x as an array (a number, a list, an array): an operand."""
    return x._data if isinstance(x, function.Tensor) else np.asarray(x)
