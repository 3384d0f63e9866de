"""Every differentiable op, one class each; importing this package registers them in OPS."""
from .activation import (LogSoftmax, LogSoftmaxBackward, LogSumExp, ReLU, ReLUBackward,
                         Sigmoid, SigmoidBackward, Softmax, SoftmaxBackward, Tanh, TanhBackward)
from .elementwise import (Abs, Add, Cast, Clamp, Clone, Cos, Div, Exp, Log, Maximum, Minimum,
                          Mul, Neg, Pow, Sign, Sin, Sqrt, Sub, Where)
from .linalg import MatMul, matmul
from . import linalg_decomp, linalg_spectral  # noqa: F401  (the ops behind tl.linalg)
from . import linear, loss  # noqa: F401  (the ops behind nn.Linear and the fused losses)
from . import activation_gelu, activation_rectifiers  # noqa: F401  (erf, gelu, leaky_relu, ...)
from . import conv, dropout, normalization, pooling, rnn_cell  # noqa: F401  (the ops behind nn's layers)
from . import embedding, layer_norm  # noqa: F401
from . import adaptive_pooling, unfold  # noqa: F401
from .movement import (Cat, Expand, GetItem, IndexAdd, Pad, Permute, Reshape, SumTo,
                       check_broadcast, resolve_reshape)
from .reduce import Amax, CumSum, Norm, Sum

__all__ = ["Abs", "Add", "Amax", "Cast", "Cat", "Clamp", "Clone", "Cos", "CumSum", "Div", "Exp",
           "Expand", "GetItem", "IndexAdd", "Log", "LogSoftmax", "LogSoftmaxBackward",
           "LogSumExp", "MatMul", "Maximum", "Minimum", "Mul", "Neg", "Pad", "Permute", "Pow",
           "ReLU", "ReLUBackward", "Reshape", "Sigmoid", "SigmoidBackward", "Sign", "Sin",
           "Softmax", "SoftmaxBackward", "Sqrt", "Sub", "Sum", "SumTo", "Tanh", "TanhBackward",
           "Where", "check_broadcast", "matmul", "resolve_reshape"]
__all__ += ["Norm"]
from . import unary_math  # noqa: F401,E402  (floor, log1p, tan, atan2, ...)
from . import product  # noqa: F401,E402  (prod)
from . import indexing  # noqa: F401,E402  (the index arithmetic of gather, scatter, ...)
from . import einsum  # noqa: F401,E402  (einsum)
