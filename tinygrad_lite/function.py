"""`Function`, the unit every differentiable op is written in, and `OPS`, the registry that
lists every op with a gradient-check spec so that tests and tools can enumerate them.

An op is one class: `forward(ctx, *arrays, **attrs)` computes on NumPy arrays and returns an
array; `backward(ctx, g)` receives the output gradient as a Tensor and returns one Tensor (or
None) per input, built from registered ops, so gradients are themselves differentiable when
`create_graph=True`. The instance is the context (`ctx`) that carries what backward needs.
An op written as a function of registered ops (log2 is log(x) / ln 2) is registered as that
function, a `Composite`: its gradient is the one of the ops it calls.

PyTorch's form of a user's op, `tl.autograd.Function` (forward on Tensors, autograd/
custom_function.py), is the same mechanism: its node class subclasses `Function` and replaces
only the two steps of `apply` that differ (`run_forward`: call forward on Tensors; `link`:
several outputs), so both forms share `apply`, the saved-tensor checks and the engine.

An op may also define `backward_arrays(ctx, g)`: the same gradients computed directly on
NumPy arrays (g an array, one array or None returned per input). The engine calls it instead
of `backward` when no graph of the gradient is wanted (`create_graph=False`, the usual
training step), which skips building a Tensor for every intermediate of the gradient. It
returns new arrays (or views of g), never an array it keeps: a leaf may keep a new one as
its `.grad` without a copy.
"""
import traceback
import weakref
from dataclasses import dataclass, field

import numpy as np

from . import anomaly
from .errors import GraphFreedError
from .grad_mode import _grad_enabled
from .scope import module_stack

OPS = {}  # name -> OpSpec, in registration order
_new = object.__new__
_anomaly_enabled = anomaly._enabled

# The Tensor class. tensor.py imports the ops (which import this module), so nothing below
# tensor.py can import Tensor; tensor.py sets this name right after defining the class, and
# Function.apply, the ops (through `constant`), autograd and the Tensor mixins read it here.
Tensor = None


def constant(array):
    """A Tensor wrapping `array` outside the graph (no copy, no grad): a mask, a factor or a
    seed gradient built by the engine or an op's backward."""
    return Tensor._make(array, False, None)


@dataclass(frozen=True)
class Sample:
    """One gradient-check case: input shapes, the domain each input is drawn from, keyword
    attributes for the op. Domains: "real" (|x| in [0.2, 1.5], random sign, away from
    kinks at 0), "positive" ([0.5, 2]), "unit" ((-0.9, 0.9)), "distinct" (a permutation of
    well-separated values, so max/min have no ties), "bool" (a random mask, not
    differentiated); anything callable is called as `domain(rng, shape)`."""
    shapes: tuple
    domains: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OpSpec:
    """A registry entry: the op's class and what tests and tools need to check it."""
    name: str
    cls: type                     # the Function class, or the Composite of a function
    samples: tuple
    reference: object = None      # NumPy twin of forward: reference(*arrays, **kwargs)
    torch: object = None          # torch twin: torch(torch_module, *tensors, **kwargs)
    second_order: bool = True     # whether gradgradcheck applies

    @property
    def source(self):
        """Where the op is written: its Function class, or the function of a composite (what
        tools point at, e.g. the pytest plugin's report)."""
        return getattr(self.cls, "composition", self.cls)


def register(name, *, samples, reference=None, torch=None, second_order=True):
    """Decorator: add the op to OPS under `name` with its gradient-check spec. It decorates a
    Function subclass, or a plain function of Tensors written with registered ops (a
    composite, see `Composite`); either is returned unchanged."""
    def deco(op):
        if name in OPS:
            raise ValueError(f"register: op {name!r} is registered twice")
        if not samples:
            raise ValueError(f"register: op {name!r} needs at least one gradient-check Sample")
        if isinstance(op, type):
            op.op_name = name
            cls = op
        else:
            cls = Composite.of(name, op)
        OPS[name] = OpSpec(name, cls, tuple(samples), reference, torch, second_order)
        return op
    return deco


class Composite:
    """The registry's class for an op written as a function of registered ops (e.g. log2 as
    log(x) / ln 2): `apply(*tensors, **kwargs)` calls the function, and the ops it calls record
    the graph, so it has no backward of its own. Registering a function makes a subclass."""
    op_name = None

    @classmethod
    def apply(cls, *inputs, **attrs):
        return cls.composition(*inputs, **attrs)   # set by `of`

    @classmethod
    def of(cls, name, function):
        """A Composite subclass named after the op, living in the function's module (so tools
        that find a module's ops by their class's module find it)."""
        return type(name, (cls,), {"op_name": name, "composition": staticmethod(function),
                                   "__module__": function.__module__,
                                   "__qualname__": name, "__doc__": function.__doc__})


class Function:
    """Base of every op. Subclasses define `forward(ctx, *arrays, **attrs)` and
    `backward(ctx, g)`; the engine calls them, users call `Op.apply(*tensors, **attrs)`."""
    __slots__ = ("parents", "_versions", "_output_ref", "created_at", "modules", "__dict__")
    op_name = None        # the registry name; a user's unregistered op goes by its class name
    saves_output = False  # set True when backward reads `ctx.output`
    backward_arrays = None  # optional: backward on NumPy arrays (see the module docstring)
    # positions of the inputs whose gradient is the output's gradient summed (over broadcast
    # or batch dims; None: every input), e.g. a bias: tools.graph tells a gradient that
    # cancels (a bias in front of BatchNorm) from one that vanishes by it
    summed_inputs = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if isinstance(vars(cls).get("forward"), staticmethod):
            raise TypeError(f"{cls.__name__}: tl.Function is the built-in op form (forward(ctx, "
                            "*arrays) on NumPy arrays); for PyTorch's form with "
                            "@staticmethod forward(ctx, ...) on Tensors and "
                            "ctx.save_for_backward, subclass tl.autograd.Function")
        cls.op_name = cls.__name__

    @classmethod
    def apply(cls, *args, **kwargs):
        """The one way every op runs, a built-in one or a user's `tl.autograd.Function`:
        `run_forward` (the only step in which the two forms differ) computes the output;
        when recording is on and an input needs a gradient, `link` makes this node the
        output's grad_fn. The hottest path of the library."""
        ctx = _new(cls)
        parents, output = ctx.run_forward(args, kwargs)
        for t in parents:
            if t.requires_grad and _grad_enabled.get():
                return ctx.link(parents, output)
        if _anomaly_enabled.get():
            ctx.check_outputs(parents, output, "<not recorded>")
        return output

    def run_forward(self, inputs, attrs):
        """The built-in form: forward on the inputs' NumPy arrays, its array wrapped as a new
        Tensor (filled in directly: this is on the hot path). Returns (parents, output)."""
        try:
            arrays = [t._data for t in inputs]
        except AttributeError:
            raise TypeError(f"{self.op_name}.apply: inputs must be Tensors, got "
                            f"{[type(t).__name__ for t in inputs]}; wrap arrays and numbers "
                            "with tl.tensor(...)") from None
        out = self.forward(*arrays, **attrs)
        result = _new(Tensor)
        result._data = out if type(out) is np.ndarray else np.asarray(out)
        result._grad, result._version, result.requires_grad, result._ctx = None, 0, False, None
        return inputs, result

    def link(self, parents, output):
        """Record this node in the graph: it keeps its parents (with their versions, to catch
        an in-place change before backward) and the nn.Module calls it ran inside, and becomes
        the grad_fn of `output`, which it returns."""
        self.parents = parents
        self._versions = [t._version for t in parents]
        self.modules = module_stack.get()
        output.requires_grad, output._ctx = True, self
        if self.saves_output:
            self._output_ref = weakref.ref(output)
        if _anomaly_enabled.get():
            self.created_at = anomaly.user_frame(traceback.extract_stack()[:-1])
            self.check_outputs(parents, output, self.created_at)
        return output

    def check_outputs(self, parents, output, created_at):
        """detect_anomaly: raise when forward turned finite inputs into NaN/Inf."""
        anomaly.check_forward(self.op_name, parents, output, created_at)

    # ---- what backward reads -------------------------------------------------------------
    @property
    def inputs(self):
        """The input Tensors, checked not to have been modified in place since forward."""
        return self.checked_saved(self.parents, self._versions, "input")

    def checked_saved(self, tensors, versions, what):
        """`tensors` as saved for backward, each checked to be at the version it had then:
        the one check (and message) for both op forms, whether they read `ctx.inputs` or a
        `tl.autograd.Function`'s `ctx.saved_tensors`."""
        if self.parents is None:
            raise GraphFreedError(self._freed_message())
        for position, (t, version) in enumerate(zip(tensors, versions)):
            if t is not None and t._version != version:
                raise RuntimeError(
                    f"{self.name}: {what} {position} (shape {t.shape}) was modified by an "
                    f"in-place operation after it was saved for backward (version "
                    f"{t._version}, expected {version}); use an out-of-place op instead")
        return tensors

    def checked_gradients(self, grads, expected, what):
        """What a backward returned, as a tuple of `expected` gradients, each a Tensor or None,
        one per `what` ("input" of a built-in op, "argument" of a tl.autograd.Function): the
        one check (and message) of both op forms."""
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != expected:
            raise RuntimeError(f"{self.name}: backward returned {len(grads)} gradient(s) for "
                               f"{expected} {what}(s); return one per {what} (None where there "
                               "is none)")
        for position, g in enumerate(grads):
            if g is not None and not isinstance(g, Tensor):
                raise TypeError(f"{self.name}: backward returned a {type(g).__name__} for "
                                f"{what} {position}; return Tensors built from Tensor ops "
                                "(or None)")
        return grads

    @property
    def input_arrays(self):
        """The inputs' NumPy arrays, checked like `inputs`: what `backward_arrays` reads."""
        return [t._data for t in self.inputs]

    @property
    def output(self):
        """The output Tensor (for ops whose derivative is cheapest in terms of it)."""
        out = self._output_ref()
        if out is None:
            raise RuntimeError(f"{self.name}: the output saved for backward no longer exists")
        return self.checked_saved((out,), (0,), "output")[0]

    @property
    def needs_input_grad(self):
        return tuple(p.requires_grad for p in self.parents)

    # ---- what tools read -----------------------------------------------------------------
    @property
    def name(self):
        """PyTorch-style node name, e.g. `MulBackward`."""
        return type(self).__name__ + "Backward"

    @property
    def next_functions(self):
        """((node, 0), ...) per input: a Function, an AccumulateGrad for a leaf that requires
        grad, or None for an input that needs no gradient (PyTorch's shape)."""
        if self.parents is None:
            raise GraphFreedError(self._freed_message())
        return tuple((p._ctx if p._ctx is not None else
                      AccumulateGrad(p) if p.requires_grad else None, 0) for p in self.parents)

    def release(self):
        """Drop the inputs and saved state after backward, so their memory is freed."""
        self.parents = None
        self.__dict__.clear()

    def _freed_message(self):
        return (f"{self.name}: trying to backward through the graph a second time (its saved "
                "tensors were freed after the first backward); call .backward(retain_graph=True) "
                "the first time if you need to backward twice")

    def __repr__(self):
        return f"<{self.name}>"


class AccumulateGrad:
    """The node that stands for a leaf tensor in `next_functions`."""
    name = "AccumulateGrad"

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def __repr__(self):
        return "<AccumulateGrad>"
