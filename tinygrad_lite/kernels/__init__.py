"""Array kernels: functions on plain NumPy arrays, never Tensors.

The ops in `tinygrad_lite.ops` call these names; which implementation backs them is
decided here, once.
"""
from .reference import (exp_fwd, log_softmax_bwd, log_softmax_fwd, logsumexp_fwd, matmul,
                        relu_bwd, relu_fwd, sigmoid_bwd, sigmoid_fwd, softmax_bwd,
                        softmax_fwd, tanh_bwd, tanh_fwd)

__all__ = ["exp_fwd", "log_softmax_bwd", "log_softmax_fwd", "logsumexp_fwd", "matmul",
           "relu_bwd", "relu_fwd", "sigmoid_bwd", "sigmoid_fwd", "softmax_bwd", "softmax_fwd",
           "tanh_bwd", "tanh_fwd"]
