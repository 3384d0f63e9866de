"""Matrix products (module not named matmul.py: that would shadow `kernels.matmul`).

BLAS does the GEMM (np.dot); Numba only fuses the cheap epilogue of linear_fwd.

np.dot hands transposed or strided operands to BLAS as flags, so nothing is copied here.
A hand-written GEMM would be far slower than BLAS's cache-blocked SIMD kernels.
"""
import numpy as np
from numba import prange

from ._checks import check_float
from ._jit import kernel

ACTIVATIONS = (None, "relu")


def matmul(a, b):
    """C = A @ B for 2-D A (m, k) and B (k, n): C[i, j] = sum_k A[i, k] B[k, j]"""
    check_float(a, b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"matmul takes 2-D arrays, got {a.shape} and {b.shape}")
    return np.dot(a, b)


@kernel()
def _bias_act(out, bias, relu):
    """out = act(out + bias) in place, row by row (bias empty: no bias); act = max(., 0) if
    relu else identity"""
    zero = out.dtype.type(0)
    for i in prange(out.shape[0]):
        for j in range(out.shape[1]):
            v = out[i, j] + bias[j] if bias.size else out[i, j]
            out[i, j] = zero if relu and v <= zero else v


@kernel()
def _bias_act_transposed(product_t, bias, relu, out):
    """out[i, j] = act(product_t[j, i] + bias[j]) (bias empty: no bias): the epilogue of a
    product computed transposed, writing the C-contiguous (rows, out_features) result"""
    zero = out.dtype.type(0)
    for i in prange(out.shape[0]):
        for j in range(out.shape[1]):
            v = product_t[j, i] + bias[j] if bias.size else product_t[j, i]
            out[i, j] = zero if relu and v <= zero else v


def linear_fwd(x, weight, bias=None, activation=None):
    """y = act(x @ W^T + b) for x (batch, in), W (out, in) as in PyTorch, b (out,) or None;
    act is None (identity) or "relu". BLAS computes the product, then one fused pass adds b
    and applies act.

    OpenBLAS is faster when the product's first dimension is the larger one (thresholds.py
    has the times): with fewer rows than outputs (a batch of 64 into 256 features) it
    computes (x @ W^T)^T = W @ x^T, and the epilogue reads that back transposed into a
    C-contiguous result."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    arrays = (x, weight) if bias is None else (x, weight, bias)
    check_float(*arrays)
    if x.ndim != 2 or weight.ndim != 2 or x.shape[1] != weight.shape[1]:
        raise ValueError(f"linear_fwd: x {x.shape} and weight {weight.shape} do not match")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"bias must have shape ({weight.shape[0]},), got {bias.shape}")
    rows, features = x.shape[0], weight.shape[0]
    relu = activation == "relu"
    has_bias = bias is not None
    bias = np.empty(0, x.dtype) if bias is None else np.ascontiguousarray(bias)
    if rows < features:
        out = np.empty((rows, features), x.dtype)
        _bias_act_transposed(np.dot(weight, x.T), bias, relu, out)
        return out
    out = np.dot(x, weight.T)  # a fresh C-contiguous array: safe to update in place
    if has_bias or relu:
        _bias_act(out, bias, relu)
    return out
