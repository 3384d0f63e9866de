"""Gradient clipping: keep one bad batch from throwing the weights far away.

Call between `loss.backward()` and `optimizer.step()`. Both functions change the gradients
in place (`p.grad` stays the same Tensor) and skip parameters whose grad is None.

    clip_grad_norm_:   g ← g · min(1, max_norm / (‖all gradients‖ + 1e-6))
    clip_grad_value_:  g ← clamp(g, -clip_value, clip_value)

The norm is taken over all gradients as if they were concatenated into one vector: the norm
of the per-tensor norms, which is the same number (PyTorch computes it this way too).
"""
import math
import types
import warnings

import numpy as np

from tinygrad_lite.tensor import Tensor
from tinygrad_lite.autograd.graph import increment_version


def _as_list(parameters):
    """A single Tensor becomes [tensor]; any other iterable (a generator too) a list."""
    if isinstance(parameters, Tensor):
        return [parameters]
    is_generator = isinstance(parameters, types.GeneratorType)
    parameters = list(parameters)
    if is_generator and not parameters:
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                      UserWarning, stacklevel=3)
    return parameters


def _vector_norm(a, p):
    """The p-norm of all entries of `a`, as torch.linalg.vector_norm:
    (Σ|x|^p)^(1/p);  p = inf: max|x|;  p = -inf: min|x|;  p = 0: how many x ≠ 0."""
    a = np.abs(a)
    if p == math.inf:
        return a.max(initial=0)
    if p == -math.inf:
        return a.min(initial=math.inf)
    if p == 0:
        return np.asarray(np.count_nonzero(a), a.dtype)
    if p == 1:
        return a.sum()
    if p == 2:
        return np.sqrt(np.sum(a * a))
    return np.sum(a ** p) ** (1 / p)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """`get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False)`: the norm of all
    `tensors` viewed as one vector, a 0-d Tensor (0.0 for an empty list).

    norm_type is a float p (2.0: Euclidean) or `inf` / "inf" (the largest |x|); with
    error_if_nonfinite=True a nan or inf total raises RuntimeError. `foreach` is accepted for
    PyTorch code and changes nothing (there is one implementation).
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor(np.array(0.0, np.float32))
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"get_total_norm: expected Tensors, but item {i} is a "
                            f"{type(t).__name__}")
    dtype = np.result_type(*(t._data.dtype for t in tensors))
    norms = np.array([_vector_norm(t._data, norm_type) for t in tensors], dtype)
    total = np.asarray(_vector_norm(norms, norm_type), dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    return Tensor._make(total, False, None)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)), in place, given a
    total norm computed before (e.g. by get_total_norm). Returns None."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    total = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    dtype = total.dtype.type
    coef = min(dtype(max_norm) / (total + dtype(1e-6)), dtype(1.0))   # never scale up
    with np.errstate(invalid="ignore"):   # a nan/inf total scales to nan, as in PyTorch
        for g in grads:
            g._data *= coef
            increment_version(g)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """`clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False)`:
    rescale all gradients together so that their total norm is at most max_norm.

        total = ‖(g_1, ..., g_n)‖_p;   g_i ← g_i · min(1, max_norm / (total + 1e-6))

    The direction of the overall gradient is kept, only its length is capped. Returns the
    total norm before clipping, a 0-d Tensor (handy to log: it shows exploding gradients).
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """`clip_grad_value_(parameters, clip_value)`: clamp every gradient entry into
    [-clip_value, clip_value], in place. Unlike clip_grad_norm_, this can change the
    direction of the gradient. Returns None."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            g = p.grad._data
            np.clip(g, -clip_value, clip_value, out=g)
            increment_version(p.grad)
