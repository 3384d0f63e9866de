"""`tl.autograd.Function`: a differentiable op written PyTorch's way, on Tensors.

    class Exp(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):                 # runs without recording: plain Tensor math
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_y):           # d exp(x)/dx = exp(x) = y
            (y,) = ctx.saved_tensors
            return grad_y * y                # Tensor ops: differentiable again

    y = Exp.apply(x)

The built-in ops (`tinygrad_lite.ops`) are `tl.Function` subclasses whose forward works on
NumPy arrays; both kinds become the same kind of graph node, so the engine, `create_graph`,
`tl.gradcheck`, anomaly detection and the graph drawing treat them alike. `ctx` is that node:
after `y = Exp.apply(x)`, `y.grad_fn` is the `ctx` forward was given.
"""
import weakref

import numpy as np

from .. import dtypes, function
from ..errors import GraphFreedError
from ..grad_mode import _grad_enabled, no_grad


class FunctionCtx(function.Function):
    """The graph node of one call of a `tl.autograd.Function`, handed to forward and
    backward as `ctx`. Each Function subclass gets its own node class, named like
    PyTorch's (`ExpBackward`)."""
    forward_cls = None   # the user's Function subclass this node class runs

    # ---- what forward calls ---------------------------------------------------------------
    def save_for_backward(self, *tensors):
        """Keep tensors (inputs, outputs, or None) for backward, checked for in-place changes."""
        for position, t in enumerate(tensors):
            if t is not None and not isinstance(t, function.Tensor):
                raise TypeError(f"{self.op_name}.forward: save_for_backward takes Tensors or "
                                f"None, but argument {position} is a {type(t).__name__}; keep "
                                "other values as attributes of ctx (ctx.k = k)")
        self.to_save = tensors

    def mark_non_differentiable(self, *outputs):
        """Outputs that get no gradient (indices, masks): they will not require grad."""
        self.non_differentiable = {id(t) for t in outputs}

    def set_materialize_grads(self, value):
        """True (the default): backward gets zeros for outputs that received no gradient;
        False: it gets None for them."""
        self.materialize_grads = bool(value)

    # ---- the two steps of Function.apply, for the Tensor form ---------------------------------
    def run_forward(self, args, kwargs):
        """PyTorch's form: the user's forward on the arguments as given (Tensors and anything
        else), with recording off. Returns (the Tensor arguments, what forward returned),
        an output that is an input or belongs to another graph replaced by a new Tensor."""
        cls, Tensor = self.forward_cls, function.Tensor
        self.tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        parents = tuple(args[i] for i in self.tensor_positions)
        records = _grad_enabled.get() and any(t.requires_grad for t in parents)
        self.input_needs_grad = tuple(records and isinstance(a, Tensor) and a.requires_grad
                                      for a in args)
        self.parents, self.to_save, self.non_differentiable = None, (), set()
        self.materialize_grads, self.output_layout = True, None
        with no_grad():
            if _defines(cls, "setup_context"):
                output = cls.forward(*args, **kwargs)
                cls.setup_context(self, args, output)
            else:
                output = cls.forward(self, *args, **kwargs)
        self.returns_tuple = isinstance(output, tuple)
        outputs = list(output) if self.returns_tuple else [output]
        for i, out in enumerate(outputs):
            if isinstance(out, Tensor) and (any(out is p for p in parents) or
                                            out._ctx is not None or out.requires_grad):
                # an input (or a tensor of another graph) returned as is: a new Tensor on
                # the same memory becomes this node's output
                outputs[i] = Tensor._make(out._data, False, None)
        self.differentiable = [i for i, out in enumerate(outputs)
                               if isinstance(out, Tensor) and dtypes.is_floating(out.dtype) and
                               id(out) not in self.non_differentiable]
        self.output_meta = [(out.shape, out.dtype) if isinstance(out, Tensor) else None
                            for out in outputs]
        return parents, tuple(outputs) if self.returns_tuple else outputs[0]

    def link(self, parents, output):
        """Function.link for every differentiable output: one output directly; several
        through one packed tensor (see _pack). Then remember what backward will need, the
        saved outputs held weakly (an output holds this node, which must not hold it back).
        Outputs that cannot carry a gradient (integers, marked non-differentiable) are
        returned unlinked."""
        differentiable = self.differentiable
        if not differentiable:
            return output
        outputs = list(output) if self.returns_tuple else [output]
        if len(differentiable) == 1:
            super().link(parents, outputs[differentiable[0]])
        else:
            packed = _packed(outputs, differentiable)
            super().link(parents, packed)
            _pack(self, packed, outputs, differentiable)
        output_ids = {id(outputs[i]) for i in differentiable}
        self.saved = tuple(weakref.ref(t) if id(t) in output_ids else t for t in self.to_save)
        self.saved_versions = tuple(None if t is None else t._version for t in self.to_save)
        del self.to_save
        return tuple(outputs) if self.returns_tuple else outputs[0]

    def check_outputs(self, parents, output, created_at):
        """detect_anomaly: Function.check_outputs for each Tensor forward returned."""
        for out in output if isinstance(output, (tuple, list)) else (output,):
            if isinstance(out, function.Tensor):
                super().check_outputs(parents, out, created_at)

    # ---- what backward reads ----------------------------------------------------------------
    @property
    def saved_tensors(self):
        """The tensors forward saved, checked not to have been modified in place since."""
        if self.parents is None:
            raise GraphFreedError(self._freed_message())
        saved = tuple(t() if isinstance(t, weakref.ref) else t for t in self.saved)
        return self.checked_saved(saved, self.saved_versions, "saved tensor")

    @property
    def needs_input_grad(self):
        """One bool per forward argument: whether its gradient is needed."""
        return self.input_needs_grad

    # ---- what the engine calls ----------------------------------------------------------------
    def backward(self, g):
        result = self.forward_cls.backward(self, *self.output_grads(g))
        return self.gradients_per_parent(result if isinstance(result, tuple) else (result,))

    def output_grads(self, g):
        """One gradient per forward output, as PyTorch hands them to backward: the gradient
        the engine delivered (split apart when several outputs were packed, see _pack), zeros
        for an output that got none (None with set_materialize_grads(False)) or that was
        marked non-differentiable, None for a non-Tensor output."""
        if self.output_layout is None:
            delivered = {self.differentiable[0]: g}
        else:
            delivered = {}
            for i, (start, shape, dtype), received in zip(self.differentiable,
                                                          self.output_layout, self.received):
                if received or self.materialize_grads:
                    part = g[start:start + int(np.prod(shape, dtype=np.int64))].reshape(shape)
                    delivered[i] = part if part.dtype == dtype else part.to(dtype)
        grads = []
        for i, meta in enumerate(self.output_meta):
            if i in delivered:
                grads.append(delivered[i])
            elif meta is not None and self.materialize_grads:
                grads.append(function.constant(np.zeros(*meta)))
            else:
                grads.append(None)
        return grads

    def gradients_per_parent(self, grads):
        """The gradients backward returned (one per forward argument), checked, as one per
        Tensor argument (the engine's parents)."""
        n_args = len(self.input_needs_grad)
        if len(grads) > n_args and all(g is None for g in grads[n_args:]):
            grads = grads[:n_args]                  # extra Nones are allowed, as in PyTorch
        grads = self.checked_gradients(grads, n_args, "argument")
        for position, g in enumerate(grads):
            if g is not None and position not in self.tensor_positions:
                raise RuntimeError(f"{self.name}: backward returned a gradient for argument "
                                   f"{position}, which is not a Tensor; return None there")
        return tuple(grads[p] for p in self.tensor_positions)


class Function:
    """Base class of a custom differentiable op, PyTorch's `torch.autograd.Function`.

    Define `forward(ctx, *args, **kwargs)` and `backward(ctx, *grad_outputs)` as static
    methods (or `forward(*args)` plus `setup_context(ctx, inputs, output)`), then call
    `Op.apply(*args)`. forward runs with recording off and returns a Tensor or a tuple of
    them; backward gets one gradient per output and returns one per forward argument (None
    for non-Tensor arguments). Built from Tensor ops, backward is itself differentiable, so
    `create_graph=True` and `tl.gradgradcheck` work through it."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._node_cls = type(cls.__name__, (FunctionCtx,), {"forward_cls": cls,
                                                            "__module__": cls.__module__})

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a tl.autograd.Function subclass defines "
                                  "@staticmethod forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a tl.autograd.Function subclass defines "
                                  "@staticmethod backward(ctx, *grad_outputs) to be differentiated")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Call the op: the same `Function.apply` as every built-in op, run by this
        Function's node class (its run_forward calls forward on Tensors)."""
        if "apply" in cls.__dict__ or cls is Function:
            raise TypeError("call apply on your subclass of tl.autograd.Function")
        return cls._node_cls.apply(*args, **kwargs)


def _defines(cls, name):
    return any(name in vars(klass) for klass in cls.__mro__ if klass is not Function)


def _packed(outputs, differentiable):
    """Several differentiable outputs: one flat tensor holding them all (in their promoted
    dtype), which becomes the node's one output; see _pack."""
    parts = [outputs[i] for i in differentiable]
    dtype = parts[0].dtype
    for part in parts[1:]:
        dtype = dtypes.promote(dtype, part.dtype)
    flat = np.concatenate([p._data.reshape(-1).astype(dtype, copy=False) for p in parts])
    return function.Tensor._make(flat, False, None)


def _pack(ctx, packed, outputs, differentiable):
    """Each differentiable output becomes a slice of the packed tensor, reshaped (recorded
    ops), so the engine sums each output's gradient into the flat gradient, and backward
    splits it again; an output that received no gradient shows up as zeros (or None when
    materialize_grads is False)."""
    ctx.output_layout, start = [], 0
    ctx.received = [False] * len(differentiable)
    for slot, i in enumerate(differentiable):
        part = outputs[i]
        view = packed[start:start + part._data.size].reshape(part.shape)
        view = view if view.dtype == part.dtype else view.to(part.dtype)
        ctx.output_layout.append((start, part.shape, part.dtype))
        start += part._data.size
        if not ctx.materialize_grads:
            view.register_hook(_mark_received(ctx, slot))
        for k, saved in enumerate(ctx.to_save):      # a saved output means its graph twin
            if saved is part:
                ctx.to_save = ctx.to_save[:k] + (view,) + ctx.to_save[k + 1:]
        outputs[i] = view


def _mark_received(ctx, slot):
    def hook(grad):
        ctx.received[slot] = True
    return hook
