"""`tl.gradcheck` / `tl.gradgradcheck`: compare autograd's gradients with central finite
differences, (f(x + eps) - f(x - eps)) / (2 eps), element by element, in float64."""
import warnings

import numpy as np

from . import dtypes
from .autograd import engine as autograd
from .random import generator
from .tensor import Tensor

# The step of the central differences and the tolerances of a Jacobian entry,
# |analytic - numerical| <= ATOL + RTOL * |numerical|: PyTorch's gradcheck defaults, used by
# every gradient check of the library (opcheck, tl.testing, the pytest plugin, tools.gradcheck).
EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree; the message names where and by how much."""


def _outputs(fn, inputs):
    out = fn(*inputs)
    out = out if isinstance(out, (tuple, list)) else (out,)
    outputs = [o for o in out if isinstance(o, Tensor) and dtypes.is_floating(o.dtype)]
    if not outputs:
        raise ValueError("gradcheck: the function returned no floating-point tensor to check")
    return outputs


def _numerical_jacobians(fn, inputs, diff, eps):
    """J[i][o] has shape (out.size, input.size): column k is d out / d input[k].
    Runs with grad mode on, so functions that differentiate inside (gradgradcheck) work."""
    sizes = [o._data.size for o in _outputs(fn, inputs)]
    jac = [[np.zeros((n, inputs[i]._data.size)) for n in sizes] for i in diff]
    for slot, i in enumerate(diff):
        flat = inputs[i]._data.flat          # C order, even for a strided array: perturb
        for k in range(inputs[i]._data.size):  # each element in place, then restore it
            original = flat[k]
            flat[k] = original + eps
            plus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
            flat[k] = original - eps
            minus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
            flat[k] = original
            for o, (p, m) in enumerate(zip(plus, minus)):
                jac[slot][o][:, k] = (p - m) / (2 * eps)
    return jac


def _analytic_jacobians(fn, inputs, diff):
    """Row r of J[i][o] is the vector-Jacobian product with the r-th unit vector."""
    outputs = _outputs(fn, inputs)
    wanted = [inputs[i] for i in diff]
    jac = [[np.zeros((o._data.size, inputs[i]._data.size)) for o in outputs] for i in diff]
    for o, out in enumerate(outputs):
        if not out.requires_grad:
            continue                            # a constant output: zero rows
        for r in range(out._data.size):
            seed = np.zeros(out._data.size, out.dtype)
            seed[r] = 1
            grads = autograd.grad(out, wanted, seed.reshape(out.shape), retain_graph=True,
                                  allow_unused=True)
            for slot, g in enumerate(grads):
                if g is not None:
                    jac[slot][o][r] = g._data.reshape(-1)
    return jac


def _compare(analytic, numeric, diff, atol, rtol, what, name):
    """Return None, or a message naming the worst element over all (input, output) pairs;
    name(i) says what input i is to the caller."""
    worst = None
    for slot, i in enumerate(diff):
        for o, (a, n) in enumerate(zip(analytic[slot], numeric[slot])):
            if a.size == 0:
                continue
            excess = np.abs(a - n) - (atol + rtol * np.abs(n))
            excess = np.where(np.isnan(excess), np.inf, excess)     # a NaN is always wrong
            r, k = np.unravel_index(np.argmax(excess), excess.shape)
            if excess[r, k] > 0 and (worst is None or excess[r, k] > worst[0]):
                worst = (excess[r, k], i, o, r, k, a[r, k], n[r, k])
    if worst is None:
        return None
    _, i, o, r, k, a, n = worst
    return (f"{what} mismatch for {name(i)}, output {o}: d output[{r}] / d {name(i)}[{k}] "
            f"(flat indices) is {float(a)!r} analytically but {float(n)!r} numerically "
            f"(|difference| {abs(a - n):.3g} > atol + rtol * |numerical|)")


def _fast_projection(fn, inputs, diff, eps):
    """A random projection u^T J v per input, analytic and numerical (fast mode)."""
    rng = generator()
    outputs = _outputs(fn, inputs)
    us = [rng.standard_normal(o.shape) for o in outputs]
    analytic, numeric = [], []
    for i in diff:
        x = inputs[i]
        v = rng.standard_normal(x.shape)
        total = 0.0
        for out, u in zip(outputs, us):
            if out.requires_grad:
                (g,) = autograd.grad(out, [x], u.astype(out.dtype), retain_graph=True,
                                     allow_unused=True)
                total += 0.0 if g is None else float((g._data * v).sum())
        analytic.append(np.array([[total]]))
        original = x._data.copy()
        x._data[...] = original + eps * v
        plus = _outputs(fn, inputs)
        x._data[...] = original - eps * v
        minus = _outputs(fn, inputs)
        x._data[...] = original
        numeric.append(np.array([[sum(float(((p._data - m._data) * u).sum()) / (2 * eps)
                                          for p, m, u in zip(plus, minus, us))]]))
    return [[a] for a in analytic], [[n] for n in numeric]


def gradcheck(fn, inputs, eps=EPS, atol=ATOL, rtol=RTOL, nondet_tol=0.0,
              raise_exception=True, fast_mode=False):
    """Check autograd's gradients of `fn(*inputs)` against central differences for every
    input that requires grad and every floating-point output. Returns True, or raises
    GradcheckError (returns False with raise_exception=False)."""
    return _check(fn, inputs, eps, atol, rtol, nondet_tol, raise_exception, fast_mode,
                  "gradcheck", lambda i: f"input {i}")


def _check(fn, inputs, eps, atol, rtol, nondet_tol, raise_exception, fast_mode, who, name):
    """gradcheck's work; `who` and `name(i)` word the messages for the public caller."""
    if not eps > 0:
        raise ValueError(f"{who}: eps must be > 0, got {eps!r}")
    for label, value in (("atol", atol), ("rtol", rtol), ("nondet_tol", nondet_tol)):
        if not value >= 0:
            raise ValueError(f"{who}: {label} must be >= 0, got {value!r}")
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff:
        raise ValueError(f"{who}: no input requires grad; pass tensors created with "
                         "requires_grad=True")
    for i in diff:
        if inputs[i].dtype != dtypes.float64:
            warnings.warn(f"{who}: {name(i)} is {inputs[i].dtype}, not float64; finite "
                          "differences in single precision are unreliable", stacklevel=3)
    if fast_mode:
        analytic, numeric = _fast_projection(fn, inputs, diff, eps)
        message = _compare(analytic, numeric, diff, atol, rtol, "Jacobian projection", name)
    else:
        analytic = _analytic_jacobians(fn, inputs, diff)
        numeric = _numerical_jacobians(fn, inputs, diff, eps)
        message = _compare(analytic, numeric, diff, atol, rtol, "Jacobian", name)
        if message is None:
            again = _analytic_jacobians(fn, inputs, diff)
            message = _compare(again, analytic, diff, nondet_tol, 0.0,
                               "Backward is not reentrant:", name)
    if message is None:
        return True
    if raise_exception:
        raise GradcheckError(f"{who}: {message}")
    return False


def first_derivatives(fn, inputs, grad_outputs=None):
    """The function (inputs, grad_outputs) -> vector-Jacobian products of fn, built with
    create_graph=True so it is differentiable, and the inputs to call it with (random
    grad_outputs that require grad unless given). Checking its gradients checks fn's
    second derivatives."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if grad_outputs is None:
        rng = generator()
        grad_outputs = tuple(Tensor(rng.standard_normal(o.shape), dtype=o.dtype,
                                    requires_grad=True) for o in _outputs(fn, inputs))
    n = len(inputs)

    def vjp(*args):
        ins, seeds = args[:n], args[n:]
        pairs = [(o, s) for o, s in zip(_outputs(fn, ins), seeds) if o.requires_grad]
        if not pairs:
            return ()
        grads = autograd.grad([o for o, _ in pairs], [ins[i] for i in diff],
                              [s for _, s in pairs], create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return vjp, inputs + tuple(grad_outputs)


def gradgradcheck(fn, inputs, grad_outputs=None, eps=EPS, atol=ATOL, rtol=RTOL,
                  nondet_tol=0.0, raise_exception=True, fast_mode=False):
    """Check second derivatives: gradcheck of `first_derivatives(fn, ...)`, whose inputs are
    fn's inputs followed by the grad_outputs (named so in the messages)."""
    vjp, vjp_inputs = first_derivatives(fn, inputs, grad_outputs)
    n = len(inputs) if isinstance(inputs, (tuple, list)) else 1
    return _check(vjp, vjp_inputs, eps, atol, rtol, nondet_tol, raise_exception, fast_mode,
                  "gradgradcheck", lambda i: f"input {i}" if i < n else f"grad_output {i - n}")
