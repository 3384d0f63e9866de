"""tinygrad_lite: a NumPy Tensor with reverse-mode autograd and Numba kernels.

    import tinygrad_lite as tl
    W = tl.randn(784, 256, requires_grad=True)
    loss = (tl.randn(64, 784) @ W).relu().mean()
    loss.backward()          # W.grad now holds d loss / d W
"""
from . import dtypes
from .anomaly import detect_anomaly, is_anomaly_enabled
from .autograd import backward, grad
from .creation import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor,
                       HalfTensor, IntTensor, LongTensor, ShortTensor, arange, as_tensor, empty,
                       empty_like, eye, from_numpy, full, full_like, get_default_device,
                       linspace, ones, ones_like, rand, rand_like, randint, randint_like, randn,
                       randn_like, randperm, set_default_device, tensor, zeros, zeros_like)
from .errors import GraphFreedError, ShapeError
from .devices import cuda, device
from .dtypes import (bool, float16, float32, float64, get_default_dtype,  # noqa: A004
                     int8, int16, int32, int64, set_default_dtype, uint8)
from .function import OPS, Function, OpSpec, Sample, register
from .functional import *  # noqa: F401,F403  (tl.exp, tl.sum, tl.cat, ...)
from .functional import cat, concat, concatenate, stack, where  # noqa: F401
from .ops import composites  # noqa: F401,E402  (registers the ops written as compositions)
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradient_check import GradcheckError, gradcheck, gradgradcheck
from . import testing  # tl.testing.assert_close, tl.testing.check_gradients
from .random import manual_seed
from .serialization import load, save
from .tensor import Tensor

from . import data, train, utils  # training utilities (tl.data, tl.train, tl.utils.data)
from . import linalg  # tl.linalg.inv, tl.linalg.svd, ...
from .linalg import _cross as cross, _svd as svd, det, inv as inverse  # noqa: F401
from . import autograd, facades

facades.install()   # `import tinygrad_lite.nn as nn`, `tinygrad_lite.optim`: see facades.py


def __getattr__(name):
    if name in ("nn", "optim"):
        return facades.load(name)
    raise AttributeError(f"module 'tinygrad_lite' has no attribute {name!r}")


float = float32   # noqa: A001  (torch.float)
double = float64
long = int64
half = float16
short = int16
int = int32       # noqa: A001  (torch.int is int32, as here)

__version__ = "0.1.0"
