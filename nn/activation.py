"""Activation modules: thin wrappers over nn.functional, with PyTorch's arguments and reprs.
`inplace` is accepted where PyTorch has it, so its code runs unchanged; results are always
new tensors."""
import numpy as np

from . import functional as F
from .module import Module, Parameter


class _Activation(Module):
    """An activation with an optional `inplace` flag shown in the repr, as PyTorch's."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """sigmoid(x) = 1 / (1 + e^-x); slope at most 1/4, so deep sigmoid stacks vanish"""
    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x) = 2 sigmoid(2x) - 1; zero-centred, tanh' = 1 - tanh^2"""
    def forward(self, x):
        return F.tanh(x)


class ReLU(_Activation):
    """relu(x) = max(0, x)"""
    def forward(self, x):
        return F.relu(x)


class LeakyReLU(_Activation):
    """leaky_relu(x) = max(a x, x), a fixed slope a = negative_slope (0.01)"""
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__(inplace)
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                          else "")


class PReLU(Module):
    """prelu(x) = max(a x, x) with the slope a learned: one shared slope, or one per channel
    (dim 1) when num_parameters = C; every slope starts at `init`."""
    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        if not isinstance(num_parameters, (int, np.integer)) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got "
                             f"{num_parameters!r}")
        self.num_parameters = int(num_parameters)
        self.weight = Parameter(np.full(self.num_parameters, init, np.float32))

    def forward(self, x):
        return F.prelu(x, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class RReLU(_Activation):
    """Randomized leaky ReLU: each element's negative slope a ~ U(lower, upper) is drawn
    anew on every call while training; in eval the slope is (lower + upper) / 2."""
    def __init__(self, lower=1 / 8, upper=1 / 3, inplace=False):
        super().__init__(inplace)
        if not 0 <= lower <= upper:
            raise ValueError(f"RReLU: need 0 <= lower <= upper, got lower={lower}, "
                             f"upper={upper}")
        self.lower, self.upper = lower, upper

    def forward(self, x):
        return F.rrelu(x, self.lower, self.upper, self.training)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace
                                                            else "")


class ELU(_Activation):
    """elu(x) = x if x > 0 else alpha (e^x - 1)"""
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(_Activation):
    """selu(x) = 1.0507 * elu(x, 1.6733)"""
    def forward(self, x):
        return F.selu(x)


class GELU(Module):
    """gelu(x) = x Phi(x) (exact, with erf) or its tanh approximation"""
    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """softplus(x) = log(1 + e^(beta x)) / beta; linear where beta x > threshold"""
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """softmax(x)_i = e^(x_i) / sum_j e^(x_j) along dim (one label out of many); dim=None is
    PyTorch's deprecated implicit choice (see F.softmax)"""
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim, _stacklevel=5)   # warn at the line calling the module

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log_softmax(x) = x - logsumexp(x) along dim (pair it with NLLLoss)"""
    def forward(self, x):
        return F.log_softmax(x, self.dim, _stacklevel=5)


# ---- the rest of PyTorch's activations (functions in nn/functional_activation.py) ------
class SiLU(_Activation):
    """silu(x) = x sigmoid(x)"""
    def forward(self, x):
        return F.silu(x)


class Mish(_Activation):
    """mish(x) = x tanh(softplus(x))"""
    def forward(self, x):
        return F.mish(x)


class Hardtanh(_Activation):
    """hardtanh(x) = clamp(x, min_val, max_val)"""
    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__(inplace)
        if min_val > max_val:
            raise ValueError(f"{type(self).__name__}: min_val ({min_val}) must not exceed "
                             f"max_val ({max_val})")
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """relu6(x) = min(max(0, x), 6)"""
    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return super(Hardtanh, self).extra_repr()


class Hardsigmoid(_Activation):
    """hardsigmoid(x) = clamp(x / 6 + 1/2, 0, 1)"""
    def forward(self, x):
        return F.hardsigmoid(x)


class Hardswish(_Activation):
    """hardswish(x) = x hardsigmoid(x)"""
    def forward(self, x):
        return F.hardswish(x)


class Softsign(Module):
    """softsign(x) = x / (1 + |x|)"""
    def forward(self, x):
        return F.softsign(x)


class LogSigmoid(Module):
    """logsigmoid(x) = -softplus(-x), finite for large |x|"""
    def forward(self, x):
        return F.logsigmoid(x)


class CELU(_Activation):
    """celu(x) = max(0, x) + min(0, alpha (e^(x/alpha) - 1))"""
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(inplace)
        if alpha == 0:
            raise ValueError("CELU: alpha must not be 0 (it divides x)")
        self.alpha = alpha

    def forward(self, x):
        return F.celu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softmin(Softmax):
    """softmin(x) = softmax(-x) along dim"""
    def forward(self, x):
        return F.softmin(x, self.dim, _stacklevel=5)   # warn at the line calling the module


class Tanhshrink(Module):
    """tanhshrink(x) = x - tanh(x)"""
    def forward(self, x):
        return F.tanhshrink(x)


class Threshold(_Activation):
    """threshold(x) = x if x > threshold else value"""
    def __init__(self, threshold, value, inplace=False):
        super().__init__(inplace)
        self.threshold, self.value = threshold, value

    def forward(self, x):
        return F.threshold(x, self.threshold, self.value)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (
            ", inplace=True" if self.inplace else "")


class GLU(Module):
    """glu(x) = a * sigmoid(b), with a, b the two halves of x along dim"""
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.glu(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
