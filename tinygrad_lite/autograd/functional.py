"""`tl.autograd.functional`: derivatives of a whole function, PyTorch's signatures.

For f: inputs -> outputs,
    vjp(f, x, v)   = v^T J            (one backward pass)
    jvp(f, x, v)   = J v              (two backward passes: the "double-vjp" trick, since
                                       u -> u^T J is linear in u, d(u^T J v)/du = J v)
    jacobian(f, x) = J                (one backward pass per output element)
    hessian(f, x)  = d^2 f / dx^2     (the jacobian of the gradient)
    hvp(f, x, v)   = H v,  vhp(f, x, v) = v^T H   (equal: H is symmetric)

`inputs` is a Tensor or a tuple of them; results come back in the same structure. Results
are detached unless create_graph=True.
"""
import numpy as np

from .. import function
from ..grad_mode import enable_grad
from .engine import grad


def _tensor_args(x, what, fn):
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for position, item in enumerate(items):
        if not isinstance(item, function.Tensor):
            raise TypeError(f"{fn}: {what} {position} must be a Tensor, got "
                            f"{type(item).__name__}")
    return is_tuple, items


def _prepare(inputs, create_graph, fn):
    """Leaves to differentiate with respect to: detached copies, or (create_graph) views that
    keep the inputs' own graph so the result can be differentiated further."""
    is_tuple, inputs = _tensor_args(inputs, "input", fn)
    prepared = []
    for position, x in enumerate(inputs):
        if not x.dtype.kind == "f":
            raise TypeError(f"{fn}: input {position} has dtype {x.dtype}; only floating-point "
                            "inputs can be differentiated")
        prepared.append(x.view_as(x) if create_graph and x.requires_grad else
                        x.detach().requires_grad_())
    return is_tuple, tuple(prepared)


def _call(func, inputs, fn):
    with enable_grad():
        out = func(*inputs)
    return _tensor_args(out, "output", fn)


def _grads(outputs, inputs, grad_outputs, create_graph, strict, fn):
    """d outputs / d inputs weighted by grad_outputs; zeros where an input was not used
    (an error with strict=True)."""
    live = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not live:
        result = (None,) * len(inputs)
    else:
        result = grad([o for o, _ in live], inputs, [g for _, g in live],
                      create_graph=create_graph, retain_graph=True, allow_unused=True)
    if strict and any(r is None for r in result):
        position = next(i for i, r in enumerate(result) if r is None)
        raise RuntimeError(f"{fn}: the output does not depend on input {position} "
                           "(strict=True)")
    return tuple(function.Tensor._make(np.zeros(x.shape, x.dtype), False, None) if r is None
                 else r for r, x in zip(result, inputs))


def _finish(values, create_graph, is_tuple):
    values = tuple(v if create_graph else v.detach() for v in values)
    return values if is_tuple else values[0]


def _vector(v, like, fn, name="v"):
    """`v` as a tuple matching `like` (a tuple of Tensors), shapes checked."""
    _, vs = _tensor_args(v, name, fn)
    if len(vs) != len(like):
        raise RuntimeError(f"{fn}: {name} has {len(vs)} entries, expected {len(like)}")
    for position, (a, b) in enumerate(zip(vs, like)):
        if a.shape != b.shape:
            raise RuntimeError(f"{fn}: {name} {position} has shape {a.shape}, expected "
                               f"{b.shape}")
    return vs


def _ones_for_scalar(outputs, fn):
    for o in outputs:
        if o.numel() != 1:
            raise RuntimeError(f"{fn}: v can be omitted only when the function returns a single "
                               f"number; the output has shape {o.shape}")
    return tuple(function.Tensor._make(np.ones(o.shape, o.dtype), False, None) for o in outputs)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product."""
    is_tuple, inputs = _prepare(inputs, create_graph, "vjp")
    out_tuple, outputs = _call(func, inputs, "vjp")
    v = _ones_for_scalar(outputs, "vjp") if v is None else _vector(v, outputs, "vjp")
    result = _grads(outputs, inputs, v, create_graph, strict, "vjp")
    return _finish(outputs, create_graph, out_tuple), _finish(result, create_graph, is_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by differentiating u^T J in u."""
    is_tuple, inputs = _prepare(inputs, True, "jvp")
    if v is None:
        if any(x.numel() != 1 for x in inputs):
            raise RuntimeError("jvp: v can be omitted only when the input is a single number")
        v = tuple(function.Tensor._make(np.ones(x.shape, x.dtype), False, None) for x in inputs)
    v = _vector(v, inputs, "jvp")
    out_tuple, outputs = _call(func, inputs, "jvp")
    dummies = tuple(function.Tensor._make(np.zeros(o.shape, o.dtype), True, None)
                    for o in outputs)
    vjps = _grads(outputs, inputs, dummies, True, strict, "jvp")
    pairs = [(g, w) for g, w in zip(vjps, v) if g.requires_grad]
    if pairs:
        result = grad([g for g, _ in pairs], dummies, [w for _, w in pairs],
                      create_graph=create_graph, retain_graph=True, allow_unused=True)
    else:
        result = (None,) * len(outputs)
    result = tuple(function.Tensor._make(np.zeros(o.shape, o.dtype), False, None)
                   if r is None else r for r, o in zip(result, outputs))
    return _finish(outputs, create_graph, out_tuple), _finish(result, create_graph, out_tuple)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """J[i][j] = d output_i / d input_j, of shape output_i.shape + input_j.shape; a Tensor
    for one output and one input, else tuples (outputs outer, inputs inner). One backward
    pass per output element (vectorize and strategy are accepted for PyTorch's signature)."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', got "
                         f"{strategy!r}")
    is_tuple, inputs = _prepare(inputs, create_graph, "jacobian")
    out_tuple, outputs = _call(func, inputs, "jacobian")
    rows = []
    for out in outputs:
        per_input = [[] for _ in inputs]
        for k in range(out.numel()):
            seed = np.zeros(out.numel(), out.dtype)
            seed[k] = 1
            seed = function.Tensor._make(seed.reshape(out.shape), False, None)
            for j, g in enumerate(_grads((out,), inputs, (seed,), create_graph, strict,
                                         "jacobian")):
                per_input[j].append(g)
        rows.append(tuple(_stack(gs, out.shape, x) for gs, x in zip(per_input, inputs)))
    rows = tuple(_finish(row, create_graph, True) for row in rows)
    if out_tuple and is_tuple:
        return rows
    if out_tuple:
        return tuple(row[0] for row in rows)
    return rows[0] if is_tuple else rows[0][0]


def _stack(grads, out_shape, x):
    """The rows d out[k] / dx, stacked into a tensor of shape out.shape + x.shape."""
    from ..functional import stack     # tensor.py imports this package: import at call time
    if not grads:
        return function.Tensor._make(np.zeros(out_shape + x.shape, x.dtype), False, None)
    return stack(grads).reshape(out_shape + x.shape)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """H = d^2 func / d inputs^2 for a function returning one number: the jacobian of its
    gradient. For a tuple of inputs, H[i][j] = d^2 f / dx_i dx_j."""
    is_tuple, inputs = _prepare(inputs, create_graph, "hessian")

    def gradient(*xs):
        out_tuple, outputs = _call(func, xs, "hessian")
        if out_tuple or outputs[0].numel() != 1:
            raise RuntimeError("hessian: the function must return a single number, got "
                               f"{'a tuple' if out_tuple else f'shape {outputs[0].shape}'}")
        grads = _grads(outputs, xs, _ones_for_scalar(outputs, "hessian"), True, strict,
                       "hessian")
        return grads if is_tuple else grads[0]

    return jacobian(gradient, inputs if is_tuple else inputs[0], create_graph=create_graph,
                    strict=strict)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a function returning one number."""
    is_tuple, inputs = _prepare(inputs, create_graph, "vhp")
    out_tuple, outputs = _call(func, inputs, "vhp")
    if out_tuple or outputs[0].numel() != 1:
        raise RuntimeError("vhp: the function must return a single number")
    if v is None:
        if any(x.numel() != 1 for x in inputs):
            raise RuntimeError("vhp: v can be omitted only when the input is a single number")
        v = tuple(function.Tensor._make(np.ones(x.shape, x.dtype), False, None) for x in inputs)
    v = _vector(v, inputs, "vhp")
    grads = _grads(outputs, inputs, _ones_for_scalar(outputs, "vhp"), True, strict, "vhp")
    pairs = [(g, w) for g, w in zip(grads, v) if g.requires_grad]
    result = _grads([g for g, _ in pairs], inputs, [w for _, w in pairs], create_graph,
                    strict, "vhp") if pairs else tuple(g.detach() * 0 for g in grads)
    return _finish(outputs, create_graph, False), _finish(result, create_graph, is_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v): equal to vhp, because the Hessian is symmetric."""
    return vhp(func, inputs, v, create_graph, strict)
