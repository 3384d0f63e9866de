"""The in-place forms PyTorch spells with a trailing underscore (`x.exp_()`, `x.unsqueeze_(0)`),
a mixin `Tensor` inherits. Each computes the out-of-place op's values and writes them into
the tensor's own array (or, for the shape ops, re-views it), bumping its version counter so a
graph that saved the old values notices. As for every in-place update here, they are refused
on a tensor that is being recorded (a leaf that requires grad, or part of a graph, outside
`tl.no_grad()`): write `x = x.exp()` there instead."""
from . import dtypes
from .grad_mode import no_grad

def _value_inplace(name):
    def method(self, *args, **kwargs):
        with no_grad():
            result = getattr(self, name)(*args, **kwargs)
        if dtypes.category(result.dtype) > dtypes.category(self.dtype):
            raise RuntimeError(f"{name}_: the result is {result.dtype}, which can't be written "
                               f"into this {self.dtype} tensor; use the out-of-place "
                               f"{name}() (or convert the tensor first)")
        return self._assign(name + "_", result)
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
    """x.op_(...) for the elementwise ops and the view-only shape ops."""
    __slots__ = ()

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
