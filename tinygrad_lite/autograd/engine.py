"""Reverse-mode differentiation: walk the graph from the outputs back to the leaves.

The walk is iterative (a 100,000-op chain is fine), gradients live in a side table keyed by
tensor and are freed as soon as they are consumed, and each node's saved state is released
after use unless `retain_graph=True`.
"""
import weakref

import numpy as np

from .. import anomaly, function
from ..errors import GraphFreedError
from ..grad_mode import set_grad_enabled


# id -> non-leaf tensor whose .grad backward fills (retain_grad); weak, so it keeps nothing alive
RETAINS_GRAD = weakref.WeakValueDictionary()
# id -> (weak reference to the tensor, {key: hook}) for Tensor.register_hook; an entry goes
# away with its tensor, and the walk pays nothing while the table is empty
TENSOR_HOOKS = {}


class RemovableHandle:
    """What the register_*_hook methods return: `.remove()` takes the hook out again, as
    does leaving a `with handle:` block."""

    def __init__(self, hooks):
        self._hooks, self.id = hooks, object()

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


def register_tensor_hook(tensor, hook):
    """Tensor.register_hook: call `hook(grad)` each time the gradient of `tensor` has been
    computed, before it is used (accumulated into a leaf's .grad or passed further back);
    a hook that returns a Tensor replaces the gradient."""
    if not callable(hook):
        raise TypeError(f"register_hook: expected a callable, got {type(hook).__name__}")
    key = id(tensor)
    entry = TENSOR_HOOKS.get(key)
    if entry is None or entry[0]() is not tensor:
        entry = TENSOR_HOOKS[key] = (weakref.ref(tensor, lambda _: TENSOR_HOOKS.pop(key, None)),
                                     {})
    handle = RemovableHandle(entry[1])
    entry[1][handle.id] = hook
    return handle


def _run_tensor_hooks(tensor, g):
    """The gradient of `tensor` after its hooks (each may return a replacement)."""
    entry = TENSOR_HOOKS.get(id(tensor))
    if entry is None or entry[0]() is not tensor:
        return g
    for hook in list(entry[1].values()):
        result = hook(g)
        if result is None:
            continue
        if not isinstance(result, function.Tensor) or result.shape != g.shape:
            got = result.shape if isinstance(result, function.Tensor) else type(result).__name__
            raise RuntimeError(f"hook {getattr(hook, '__name__', hook)!r} registered on a tensor "
                               f"of shape {tensor.shape} returned {got}; a hook returns None "
                               f"or a Tensor of the gradient's shape {g.shape}")
        g = result
    return g


def topo_order(roots):
    """Every tensor that requires grad and leads to `roots`, parents before children
    (an iterative post-order depth-first search)."""
    order, visited = [], set()
    stack = [(t, False) for t in roots if t.requires_grad]
    while stack:
        tensor, expanded = stack.pop()
        if expanded:
            order.append(tensor)
            continue
        if id(tensor) in visited:
            continue
        visited.add(id(tensor))
        stack.append((tensor, True))
        ctx = tensor._ctx
        if ctx is not None:
            if ctx.parents is None:
                raise GraphFreedError(ctx._freed_message())
            stack.extend((p, False) for p in ctx.parents if p.requires_grad)
    return order


def _checked(ctx, grads):
    """The gradients a backward returned, as a tuple of one Tensor (or None) per input."""
    return ctx.checked_gradients(grads, len(ctx.parents), "input")


def _reduce_to(g, parent, ctx):
    """Sum a broadcast gradient back to the parent's shape and cast it to its dtype
    (the adjoint of broadcasting is summation)."""
    if g.shape != parent.shape:
        if len(g.shape) < len(parent.shape) or not _broadcasts_to(parent.shape, g.shape):
            raise RuntimeError(f"{ctx.name}: backward returned a gradient of shape {g.shape} "
                               f"for an input of shape {parent.shape}; it must have the input's "
                               "shape (or the output's, if the op broadcast the input)")
        g = g.sum_to(parent.shape)
    if g.dtype != parent.dtype:
        g = g.to(parent.dtype)
    return g


def _broadcasts_to(shape, target):
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


_backward_observer = None   # the profiler's timer of backward calls, while one is active


def set_backward_observer(observer):
    """`observer(ctx, g, call)` runs each backward call (`call()`) from now on; None: the
    engine calls backward directly again."""
    global _backward_observer
    _backward_observer = observer


def _call_backward(ctx, g, observer, on_arrays):
    if observer is None:
        return _op_backward(ctx, g, on_arrays)
    return observer(ctx, g, lambda: _op_backward(ctx, g, on_arrays))


def _op_backward(ctx, g, on_arrays):
    """ctx's input gradients: from its `backward_arrays` when `on_arrays` (no graph of the
    gradient is wanted) and the op has one, each array wrapped as a constant Tensor; else
    from its `backward` on Tensors (differentiable again)."""
    if not on_arrays or ctx.backward_arrays is None:
        return ctx.backward(g)
    grads = ctx.backward_arrays(g._data)
    wrap = function.constant
    if type(grads) is not tuple:
        return None if grads is None else wrap(grads)
    return tuple(None if a is None else wrap(a) for a in grads)


def _own(g):
    """A copy for a leaf's `.grad`: the gradient the engine holds may be shared (Add hands
    the same one to both inputs), a view (reshape, broadcast) or the caller's own tensor."""
    return g.clone() if g.requires_grad else g._make(g._data.copy(), False, None)


def _is_new(pg, g, parent_grads):
    """Whether `pg`, from a backward_arrays, is a new array that nothing else holds: not a
    view, not the incoming gradient `g`, not handed to two inputs. A leaf may then keep it
    as its `.grad` without the copy `_own` makes."""
    array = pg._data
    return array.base is None and array is not g._data and \
        sum(1 for other in parent_grads if other is not None and other._data is array) == 1


def run_backward(roots, root_grads, *, retain_graph, create_graph, inputs=None):
    """Propagate `root_grads` from `roots`. With `inputs=None`, accumulate into the `.grad`
    of every leaf reached; otherwise return the gradients of `inputs` (None where no path)
    and touch no `.grad`."""
    grads = {}
    for root, g in zip(roots, root_grads):
        grads[id(root)] = grads[id(root)] + g if id(root) in grads else g
    wanted = None if inputs is None else {id(t) for t in inputs}
    retained = len(RETAINS_GRAD) > 0
    observer = _backward_observer
    on_arrays = not create_graph          # ops may compute their gradients on plain arrays
    watched = anomaly.is_enabled()
    captured = {}
    new = set()      # ids of tensors whose pending gradient is a new array nothing else holds
    with set_grad_enabled(create_graph):
        for tensor in reversed(topo_order(roots)):
            g = grads.pop(id(tensor), None)
            if g is None:
                continue                      # no path from the roots carried a gradient here
            pending = g
            if TENSOR_HOOKS:
                g = _run_tensor_hooks(tensor, g)
            if wanted is not None and id(tensor) in wanted:
                captured[id(tensor)] = g
            ctx = tensor._ctx
            if wanted is None and (ctx is None or retained and
                                   RETAINS_GRAD.get(id(tensor)) is tensor):
                if tensor._grad is not None:
                    tensor._grad = tensor._grad + g
                else:
                    tensor._grad = g if g is pending and id(tensor) in new else _own(g)
            if ctx is None:                   # a leaf: nothing further back
                continue
            if watched:
                with anomaly.backward_phase():
                    parent_grads = _checked(ctx, _call_backward(ctx, g, observer, on_arrays))
                anomaly.check_backward(ctx, g, parent_grads)
            else:
                parent_grads = _checked(ctx, _call_backward(ctx, g, observer, on_arrays))
            arrays_made = on_arrays and ctx.backward_arrays is not None
            for parent, pg in zip(ctx.parents, parent_grads):
                if pg is None or not parent.requires_grad:
                    continue
                key = id(parent)
                if pg._data.shape != parent._data.shape or pg._data.dtype != parent._data.dtype:
                    pg = _reduce_to(pg, parent, ctx)
                elif arrays_made and key not in grads and _is_new(pg, g, parent_grads):
                    new.add(key)
                if key in grads:                  # out of place (g is shared): a new sum
                    grads[key] = grads[key] + pg
                    new.discard(key)
                else:
                    grads[key] = pg
            if not retain_graph:
                ctx.release()
    if inputs is not None:
        return tuple(captured.get(id(t)) for t in inputs)
    return None


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _seed_grads(outputs, grad_outputs, caller):
    """The gradient each output starts with: ones for a scalar, else it must be given."""
    Tensor = function.Tensor
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    grad_outputs = _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"{caller}: got {len(outputs)} outputs but {len(grad_outputs)} "
                         "grad_outputs")
    seeds = []
    for out, g in zip(outputs, grad_outputs):
        if not out.requires_grad:
            raise RuntimeError(f"{caller}: output of shape {out.shape} does not require grad "
                               "and has no grad_fn (was it computed under no_grad, or from "
                               "tensors without requires_grad=True?)")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(f"{caller}: grad can be implicitly created only for scalar "
                                   f"outputs; this output has shape {out.shape}, so pass a "
                                   "gradient of that shape")
            g = function.constant(np.ones(out.shape, out.dtype))
        else:
            g = g if isinstance(g, Tensor) else Tensor(g, dtype=out.dtype)
            if g.shape != out.shape:
                raise RuntimeError(f"{caller}: gradient has shape {g.shape} but the output "
                                   f"has shape {out.shape}; they must match")
        seeds.append(g)
    return seeds


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """Accumulate d(tensors)/d(leaf) into every reached leaf's `.grad`."""
    tensors = _as_tuple(tensors)
    seeds = _seed_grads(tensors, grad_tensors, "backward")
    retain = create_graph if retain_graph is None else retain_graph
    run_backward(tensors, seeds, retain_graph=retain, create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return (d outputs / d input for each input) as a tuple, without touching `.grad`.
    With create_graph=True the results are differentiable (higher-order derivatives)."""
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    for position, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {position} (shape {t.shape}) does not require grad")
    seeds = _seed_grads(outputs, grad_outputs, "grad")
    retain = create_graph if retain_graph is None else retain_graph
    result = run_backward(outputs, seeds, retain_graph=retain, create_graph=create_graph,
                          inputs=inputs)
    if not allow_unused:
        for position, (t, g) in enumerate(zip(inputs, result)):
            if g is None:
                raise RuntimeError(f"grad: input {position} (shape {t.shape}) was not used to "
                                   "compute the outputs; pass allow_unused=True to get None")
    return result
