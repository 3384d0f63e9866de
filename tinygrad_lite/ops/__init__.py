"""Every differentiable op, one class each; importing this package registers them in OPS."""
from .activation import (LogSoftmax, LogSoftmaxBackward, LogSumExp, ReLU, ReLUBackward,
                         Sigmoid, SigmoidBackward, Softmax, SoftmaxBackward, Tanh, TanhBackward)
from .elementwise import (Abs, Add, Cast, Clamp, Clone, Cos, Div, Exp, Log, Maximum, Minimum,
                          Mul, Neg, Pow, Sign, Sin, Sqrt, Sub, Where)
from .linalg import MatMul, matmul
from . import nn_activation  # noqa: F401  (the ops behind nn: linear, gelu, ...)
from . import conv, dropout, normalization, pooling  # noqa: F401  (the ops behind nn's layers)
from . import adaptive_pooling  # noqa: F401
from .movement import (Cat, Expand, GetItem, IndexAdd, Pad, Permute, Reshape, SumTo,
                       check_broadcast, resolve_reshape)
from .reduce import Amax, CumSum, Sum

__all__ = ["Abs", "Add", "Amax", "Cast", "Cat", "Clamp", "Clone", "Cos", "CumSum", "Div", "Exp",
           "Expand", "GetItem", "IndexAdd", "Log", "LogSoftmax", "LogSoftmaxBackward",
           "LogSumExp", "MatMul", "Maximum", "Minimum", "Mul", "Neg", "Pad", "Permute", "Pow",
           "ReLU", "ReLUBackward", "Reshape", "Sigmoid", "SigmoidBackward", "Sign", "Sin",
           "Softmax", "SoftmaxBackward", "Sqrt", "Sub", "Sum", "SumTo", "Tanh", "TanhBackward",
           "Where", "check_broadcast", "matmul", "resolve_reshape"]
