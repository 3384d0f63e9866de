"""Array kernels: functions on plain NumPy arrays, never Tensors.

One mechanism serves every kernel. The table `KERNELS` below declares each kernel once: its
name, the module that compiles it with Numba, and its NumPy twin (same name and signature in
a reference*.py module). From that one line come

  - the name ops call, `kernels.<name>` (e.g. `kernels.relu_fwd`, `kernels.conv2d_fwd`);
  - lazy loading: the kernel module (and Numba, ~0.2 s to import) is imported on the first
    call, not at `import tinygrad_lite`; each kernel then compiles on its first call per dtype
    (or loads from Numba's disk cache);
  - the dtype fallback: the Numba kernels are built for float32 and float64 only; when the
    first argument has another dtype (float16, an integer, bool) the call goes to the twin;
  - the switch: with TINYGRAD_LITE_JIT=0 (or without Numba) the name *is* the twin;
  - the list tests/test_kernels.py enumerates: each kernel's arguments against its twin's,
    and each compiled kernel against its twin, in float32 and float64, on the inputs its
    `ARGS` entry there gives (a kernel declared here without one fails that file).

Modules whose names start with `_` hold helpers the kernels share (_jit, _checks, _exp,
_erf) or that one kernel module calls (_depthwise, from conv.py); they declare no kernels.
In every other module that compiles Numba functions, each public function is declared here
(tests/test_kernels.py scans every module for one that is not).
"""
import functools
import importlib

import numpy as np

from . import (reference, reference_embedding, reference_nn, reference_norm,
               reference_optim, reference_pool, reference_rnn)
from ._jit import JIT_ENABLED

JIT_DTYPES = frozenset((np.dtype(np.float32), np.dtype(np.float64)))

# kernel module -> (its twins' module, the kernels it exports)
_DECLARED = {
    ".elementwise": (reference, ["relu_fwd", "relu_bwd", "sigmoid_fwd", "sigmoid_bwd",
                                 "tanh_fwd", "tanh_bwd", "exp_fwd"]),
    ".softmax": (reference, ["logsumexp_fwd", "log_softmax_fwd", "log_softmax_bwd",
                             "softmax_fwd", "softmax_bwd"]),
    ".linear": (reference, ["matmul", "linear_fwd"]),
    ".activation": (reference_nn, ["leaky_relu_fwd", "leaky_relu_bwd", "erf_fwd", "gelu_fwd",
                                   "gelu_bwd"]),
    ".conv": (reference_nn, ["im2col", "col2im", "conv2d_fwd", "conv2d_input_grad",
                             "conv2d_weight_grad"]),
    ".batchnorm": (reference_nn, ["bn_fwd", "bn_grad_sums", "bn_bwd"]),
    ".pooling": (reference_pool, ["max_pool_fwd", "max_pool_bwd", "avg_pool_fwd",
                                  "avg_pool_bwd", "adaptive_max_pool_fwd",
                                  "adaptive_avg_pool_fwd", "adaptive_avg_pool_bwd"]),
    ".optim": (reference_optim, ["sgd_step", "adagrad_step", "rmsprop_step", "adam_step",
                                 "adamax_step", "nadam_step", "radam_step", "adadelta_step",
                                 "rprop_step"]),
    ".rnn": (reference_rnn, ["lstm_cell_fwd", "lstm_cell_bwd", "gru_cell_fwd",
                             "gru_cell_bwd"]),
    ".layernorm": (reference_norm, ["ln_fwd", "ln_bwd", "ln_grad_sums"]),
    ".embedding": (reference_embedding, ["embedding_bwd"]),
}


class Declared:
    """One kernel: `compiled()` imports its module and returns the Numba-backed function;
    `twin` is the NumPy function with the same name and arguments."""

    def __init__(self, name, module, twin):
        self.name, self.module, self.twin = name, module, twin

    def compiled(self):
        return getattr(importlib.import_module(self.module, __name__), self.name)

    def export(self):
        """What `kernels.<name>` is: the twin with the JIT off, else a function that loads
        the kernel on its first call and hands dtypes Numba isn't built for to the twin."""
        if not JIT_ENABLED:
            return self.twin
        twin, kernel = self.twin, None

        @functools.wraps(twin)  # same name and formula docstring as the twin
        def call(*args, **kwargs):
            nonlocal kernel
            if args[0].dtype not in JIT_DTYPES:     # float16, integers: NumPy computes them
                return twin(*args, **kwargs)
            if kernel is None:
                kernel = self.compiled()
            return kernel(*args, **kwargs)
        return call


KERNELS = {name: Declared(name, module, getattr(twins, name))
           for module, (twins, names) in _DECLARED.items() for name in names}
globals().update({name: declared.export() for name, declared in KERNELS.items()})
__all__ = ["JIT_DTYPES", "JIT_ENABLED", "KERNELS", *KERNELS]
