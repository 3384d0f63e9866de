"""Array kernels: functions on plain NumPy arrays, never Tensors.

The ops in `tinygrad_lite.ops` call these names; which implementation backs them is
decided here, once: the Numba kernels, or their NumPy twins in `reference.py` when
TINYGRAD_LITE_JIT=0 (or Numba is missing).

Importing Numba takes ~0.2 s, so the kernel modules (and Numba) are imported on the first
call of any kernel, not at `import tinygrad_lite`; each kernel then compiles on its first
call per dtype (or loads from Numba's disk cache).

The Numba kernels are compiled for float32 and float64 only. Every kernel's first argument is
an array; when its dtype is another one (float16, an integer, bool), the call goes to the
NumPy twin instead. That choice is made here, for every kernel at once, so no op needs to
check dtypes before calling one.
"""
import functools
import importlib

import numpy as np

from . import (reference, reference_embedding, reference_nn, reference_norm,
               reference_optim, reference_pool, reference_rnn)
from ._jit import JIT_ENABLED

JIT_DTYPES = frozenset((np.dtype(np.float32), np.dtype(np.float64)))


def _backend(module, name):
    """`module.name` imported on first call when the JIT is on, else the NumPy twin."""
    twin = getattr(reference, name)
    if not JIT_ENABLED:
        return twin
    kernel = None

    @functools.wraps(twin)  # same name and formula docstring as the twin
    def call(*args, **kwargs):
        nonlocal kernel
        if args[0].dtype not in JIT_DTYPES:     # float16, integers: NumPy computes them
            return twin(*args, **kwargs)
        if kernel is None:
            kernel = getattr(importlib.import_module(module, __name__), name)
        return kernel(*args, **kwargs)
    return call


def _by_dtype(kernel, twin):
    """kernel(*args), or twin(*args) when the first array is of a dtype Numba isn't built for."""
    @functools.wraps(kernel)
    def call(*args, **kwargs):
        if args[0].dtype not in JIT_DTYPES:
            return twin(*args, **kwargs)
        return kernel(*args, **kwargs)
    return call


class _KernelModule:
    """A kernel module whose import (and Numba's) waits until one of its kernels is first
    used; with the JIT off, its attributes are the NumPy twins in `twins`."""

    def __init__(self, module, twins):
        self._module, self._twins = module, twins

    def __getattr__(self, name):
        twin = getattr(self._twins, name)
        kernel = (_by_dtype(getattr(importlib.import_module(self._module, __name__), name), twin)
                  if JIT_ENABLED else twin)
        setattr(self, name, kernel)          # found once, then a plain attribute
        return kernel


conv_kernels = _KernelModule(".conv", reference_nn)            # conv2d
pool_kernels = _KernelModule(".pooling", reference_pool)       # max, average, adaptive pooling
batchnorm_kernels = _KernelModule(".batchnorm", reference_nn)
optim_kernels = _KernelModule(".optim", reference_optim)        # fused optimizer updates
activation_kernels = _KernelModule(".activation", reference_nn)  # leaky_relu, erf, gelu
rnn_kernels = _KernelModule(".rnn", reference_rnn)              # LSTM and GRU cell steps
layernorm_kernels = _KernelModule(".layernorm", reference_norm)
embedding_kernels = _KernelModule(".embedding", reference_embedding)

relu_fwd = _backend(".elementwise", "relu_fwd")
relu_bwd = _backend(".elementwise", "relu_bwd")
sigmoid_fwd = _backend(".elementwise", "sigmoid_fwd")
sigmoid_bwd = _backend(".elementwise", "sigmoid_bwd")
tanh_fwd = _backend(".elementwise", "tanh_fwd")
tanh_bwd = _backend(".elementwise", "tanh_bwd")
exp_fwd = _backend(".elementwise", "exp_fwd")
logsumexp_fwd = _backend(".softmax", "logsumexp_fwd")
log_softmax_fwd = _backend(".softmax", "log_softmax_fwd")
log_softmax_bwd = _backend(".softmax", "log_softmax_bwd")
softmax_fwd = _backend(".softmax", "softmax_fwd")
softmax_bwd = _backend(".softmax", "softmax_bwd")
matmul = _backend(".linear", "matmul")
linear_fwd = _backend(".linear", "linear_fwd")

__all__ = ["activation_kernels", "batchnorm_kernels", "conv_kernels", "optim_kernels",
           "pool_kernels", "rnn_kernels", "exp_fwd",
           "layernorm_kernels", "embedding_kernels",
           "linear_fwd", "log_softmax_bwd", "log_softmax_fwd", "logsumexp_fwd", "matmul",
           "relu_bwd", "relu_fwd", "sigmoid_bwd", "sigmoid_fwd", "softmax_bwd", "softmax_fwd",
           "tanh_bwd", "tanh_fwd"]
