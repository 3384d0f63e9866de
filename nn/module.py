"""`Parameter` and `Module`, the base of every layer.

A Module finds its parts by walking its own `__dict__` in insertion order: a `Parameter`
attribute is a parameter, a Module attribute is a child; lists, tuples and dicts of these are
unpacked (`self.layers = [a, b]` gives children "layers.0" and "layers.1"). A buffer (saved in
`state_dict`, moved by `.to`, not trained: BatchNorm's running statistics) is a Tensor
attribute named by `register_buffer`; any other Tensor attribute is a plain attribute, as in
PyTorch. Attributes whose names
start with "_" are private and never walked. Names are dotted like PyTorch's
("block1.0.weight"), so state dicts move between the two.
"""
from collections import namedtuple

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import devices
from tinygrad_lite import dtypes, scope
from tinygrad_lite.autograd import RemovableHandle
from tinygrad_lite.tensor import Tensor
from tinygrad_lite.autograd.graph import increment_version

from . import hooks

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Parameter(Tensor):
    """A Tensor that a Module trains: `Parameter(tensor_or_array, requires_grad=True)`.
    The data is copied and keeps its dtype (Python floats become float32)."""
    __slots__ = ()

    def __init__(self, data, requires_grad=True):
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


def _unpack(name, value):
    """(dotted name, item) for a Tensor or Module, or for each one inside a list/tuple/dict."""
    if isinstance(value, (Tensor, Module)):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _unpack(f"{name}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unpack(f"{name}.{key}", item)


class Module:
    """Base class of layers and models: subclasses set attributes in `__init__` and define
    `forward`; calling the module runs `forward` (recorded as the op scope for tools)."""
    training = True   # instance attribute once train()/eval() runs

    def __init__(self):
        """Subclasses call super().__init__() first, as in PyTorch."""
        self.training = True

    # ---- running -------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        """What the module computes; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__}: define forward(self, ...) to say "
                                  "what the module computes")

    # hook tables: empty class-level dicts until a register_* call gives the instance its own
    _forward_hooks = _forward_pre_hooks = _backward_hooks = _backward_pre_hooks = {}

    def __call__(self, *args, **kwargs):
        if self._forward_pre_hooks:
            args = self._run_forward_pre_hooks(args)
        stack = scope.module_stack          # the module calls ops record (for tools.graph)
        token = stack.set(stack.get() + (self,))
        try:
            if self._backward_hooks or self._backward_pre_hooks:
                output = hooks.call_with_backward_hooks(self, self.forward, args, kwargs)
            else:
                output = self.forward(*args, **kwargs)
        finally:
            stack.reset(token)
        if self._forward_hooks:
            output = self._run_forward_hooks(args, output)
        return output

    def _run_forward_pre_hooks(self, args):
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        return args

    def _run_forward_hooks(self, args, output):
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            output = output if result is None else result
        return output

    def _register_hook(self, table, hook):
        if not callable(hook):
            raise TypeError(f"{type(self).__name__}: a hook must be callable, got "
                            f"{type(hook).__name__}")
        if table not in vars(self):
            setattr(self, table, {})
        hooks = getattr(self, table)
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_forward_pre_hook(self, hook):
        """Call `hook(module, args)` before every forward; it may return new args (a tuple,
        or a single value). Returns a handle whose `.remove()` unregisters it."""
        return self._register_hook("_forward_pre_hooks", hook)

    def register_forward_hook(self, hook):
        """Call `hook(module, args, output)` after every forward (it may return a new
        output); returns a handle whose `.remove()` unregisters it, as in PyTorch."""
        return self._register_hook("_forward_hooks", hook)

    def register_full_backward_hook(self, hook):
        """Call `hook(module, grad_input, grad_output)` when the gradients of the module's
        inputs have been computed: tuples with one entry per positional Tensor input / per
        output (None where no gradient). It may return a new grad_input tuple."""
        return self._register_hook("_backward_hooks", hook)

    def register_full_backward_pre_hook(self, hook):
        """Call `hook(module, grad_output)` when the gradients of the module's outputs have
        been computed, before they flow into it; it may return a new grad_output tuple."""
        return self._register_hook("_backward_pre_hooks", hook)

    # ---- discovery -----------------------------------------------------------------------
    def _entries(self):
        """(name, Tensor or Module) held directly by this module, in attribute order."""
        for key, value in vars(self).items():
            if not key.startswith("_"):
                yield from _unpack(key, value)

    def named_children(self):
        """(name, module) for each direct submodule, each module once."""
        seen = set()
        for name, value in self._entries():
            if isinstance(value, Module) and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def children(self):
        """The direct submodules, each once."""
        return (module for _, module in self.named_children())

    def named_modules(self, memo=None, prefix=""):
        """(dotted name, module) for this module and every descendant, each module once."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, value in self._entries():
            if isinstance(value, Module):
                yield from value.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self):
        """This module and every descendant, each once."""
        return (module for _, module in self.named_modules())

    def _named_tensors(self, want_parameters, prefix, recurse):
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            buffers = module._buffer_names()
            for name, value in module._entries():
                is_parameter = isinstance(value, Parameter)
                wanted = is_parameter if want_parameters else \
                    not is_parameter and isinstance(value, Tensor) and name in buffers
                if wanted and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{module_name}.{name}" if module_name else name), value

    def named_parameters(self, prefix="", recurse=True):
        """(dotted name, Parameter) pairs; a shared Parameter appears once, first name wins."""
        return self._named_tensors(True, prefix, recurse)

    def parameters(self, recurse=True):
        """Every Parameter (of submodules too unless recurse=False), each once: what an
        optimizer updates."""
        return (p for _, p in self.named_parameters(recurse=recurse))

    def _buffer_names(self):
        """{name: persistent} for the buffers register_buffer named, in registration order."""
        return self.__dict__.get("_buffers", {})

    def named_buffers(self, prefix="", recurse=True):
        """(dotted name, Tensor) for every buffer (registered with register_buffer)."""
        return self._named_tensors(False, prefix, recurse)

    def buffers(self, recurse=True):
        """Every buffer (running statistics, counters), each once."""
        return (b for _, b in self.named_buffers(recurse=recurse))

    # ---- registering by name (PyTorch's spellings; plain assignment does the same) --------
    def _check_name(self, method, name, fits):
        """Raise unless `name` is a non-empty str without '.', not private (never walked),
        and either new or holding a value `fits` accepts (PyTorch: a parameter's slot can't
        be taken by a buffer or a module, nor a method's)."""
        who = f"{type(self).__name__}.{method}"
        if not isinstance(name, str):
            raise TypeError(f"{who}: name must be a string, got {type(name).__name__}")
        if not name or "." in name or name.startswith("_"):
            raise KeyError(f"{who}: name must be a non-empty string without '.' that does not "
                           f"start with '_', got {name!r}")
        if hasattr(self, name) and not (name in vars(self) and fits(vars(self)[name])):
            raise KeyError(f"{who}: attribute {name!r} already exists (a "
                           f"{type(getattr(self, name)).__name__}); pick another name")

    def register_buffer(self, name, tensor, persistent=True):
        """Make `name` a buffer holding `tensor`: saved in `state_dict` (unless
        persistent=False) and converted by `.to`, but not trained. Assigning the attribute
        later keeps it a buffer; None leaves the slot empty."""
        self._check_name("register_buffer", name, lambda v: v is None or
                         isinstance(v, Tensor) and not isinstance(v, Parameter))
        if isinstance(tensor, Parameter) or not isinstance(tensor, (Tensor, type(None))):
            raise TypeError(f"{type(self).__name__}.register_buffer({name!r}): expected a "
                            f"Tensor that is not a Parameter, got {type(tensor).__name__}")
        setattr(self, name, tensor)
        self.__dict__.setdefault("_buffers", {})[name] = bool(persistent)

    def register_parameter(self, name, param):
        """Set a Parameter attribute; None leaves the slot empty (e.g. no bias)."""
        self._check_name("register_parameter", name,
                         lambda v: v is None or isinstance(v, Parameter))
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"{type(self).__name__}.register_parameter({name!r}): expected an "
                            f"nn.Parameter or None, got {type(param).__name__} (wrap it: "
                            "nn.Parameter(tensor))")
        setattr(self, name, param)

    def add_module(self, name, module):
        """Set a submodule attribute (None leaves the slot empty); `register_module` too."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.add_module({name!r}): "
                            f"{type(module).__name__} is not an nn.Module subclass")
        self._check_name("add_module", name, lambda v: v is None or isinstance(v, Module))
        setattr(self, name, module)

    register_module = add_module

    def get_submodule(self, target):
        """The submodule at a dotted path such as "encoder.layers.0" ("" is self)."""
        module, path = self, ""
        rest = target.split(".") if target else []
        while rest:
            entries = dict(module._entries())
            # a list or dict attribute holds its items under dotted names ("layers.0")
            n = next((i for i in range(1, len(rest) + 1) if ".".join(rest[:i]) in entries), 1)
            name = ".".join(rest[:n])
            value = entries[name] if name in entries else getattr(module, name, None)
            if not isinstance(value, Module):
                owner = type(module).__name__ + (f" at {path!r}" if path else "")
                problem = (f"{name!r} is a {type(value).__name__}, not an nn.Module"
                           if name in entries or hasattr(module, name) else
                           f"{owner} has no submodule {name!r}")
                raise AttributeError(f"{type(self).__name__}.get_submodule({target!r}): "
                                     f"{problem}; submodules there: "
                                     f"{[c for c, _ in module.named_children()]}")
            module, rest = value, rest[n:]
            path = f"{path}.{name}" if path else name
        return module

    # ---- modes and gradients -------------------------------------------------------------
    def train(self, mode=True):
        """Set `.training` on this module and every descendant (Dropout and BatchNorm read it)."""
        if not isinstance(mode, bool):
            raise ValueError(f"{type(self).__name__}.train: mode must be a bool, got {mode!r}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        """train(False): evaluation mode (Dropout off, BatchNorm uses running statistics)."""
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Forget accumulated gradients: set `.grad` to None, or with set_to_none=False zero
        each grad's array in place (p.grad stays the same Tensor, as in PyTorch)."""
        for p in self.parameters():
            p._forget_grad(set_to_none)

    def requires_grad_(self, requires_grad=True):
        """Freeze (False) or unfreeze every parameter."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def apply(self, fn):
        """Call fn on every submodule, then on self (as PyTorch: children first)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def num_parameters(self):
        """How many numbers the parameters hold in total."""
        return sum(p.numel() for p in self.parameters())

    # ---- dtype -----------------------------------------------------------------------------
    def to(self, *args, dtype=None, device=None):
        """`to(dtype)`, `to(device)` or both: convert every parameter and floating-point
        buffer to `dtype` in place (the tensors stay the same objects, so an optimizer built
        on them keeps working). Devices other than the CPU are accepted with a warning."""
        for arg in args:
            if devices.is_device(arg):
                device = arg
            else:
                dtype = arg
        if device is not None:
            devices.move(device, f"{type(self).__name__}.to")
        if dtype is None:
            return self
        dtype = dtypes.to_dtype(dtype, op=f"{type(self).__name__}.to")
        if not dtypes.is_floating(dtype):
            raise TypeError(f"{type(self).__name__}.to: expected a floating dtype (tl.float16, "
                            f"tl.float32 or tl.float64), got {dtype}")
        for t in list(self.parameters()) + list(self.buffers()):
            if dtypes.is_floating(t.dtype) and t.dtype != dtype:
                t._data = t._data.astype(dtype)
                increment_version(t)   # any graph built on the old array is stale
                if t.grad is not None:
                    t.grad = t.grad.detach().to(dtype)
        return self

    def cpu(self):
        return self

    def cuda(self, device=None):
        devices.move("cuda" if device is None else device, f"{type(self).__name__}.cuda")
        return self

    def double(self):
        """to(float64), e.g. for gradcheck."""
        return self.to(dtypes.float64)

    def float(self):
        """to(float32), the default dtype."""
        return self.to(dtypes.float32)

    def half(self):
        """to(float16): half the memory, about 3 significant digits."""
        return self.to(dtypes.float16)

    # ---- state dict ----------------------------------------------------------------------
    def _state_items(self, prefix=""):
        """(dotted name, live tensor): own parameters, own persistent buffers, then each
        child's, as PyTorch orders them; a module reachable under two names appears under
        both (as in PyTorch)."""
        buffers = self._buffer_names()
        entries = list(self._entries())
        yield from ((prefix + n, v) for n, v in entries if isinstance(v, Parameter))
        yield from ((prefix + n, v) for n, v in entries if isinstance(v, Tensor) and
                    not isinstance(v, Parameter) and buffers.get(n, False))
        for name, value in entries:
            if isinstance(value, Module):
                yield from value._state_items(f"{prefix}{name}.")

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """{prefix + dotted name: Tensor} for every parameter and persistent buffer, detached
        (sharing memory) unless keep_vars=True; written into `destination` if given."""
        destination = {} if destination is None else destination
        for name, t in self._state_items(prefix):
            destination[name] = t if keep_vars else t.detach()
        return destination

    def load_state_dict(self, state_dict, strict=True):
        """Copy values (Tensors or NumPy arrays) into the module's tensors, in place.
        Raises one error naming every missing, unexpected and wrongly shaped key; with
        strict=False only shape mismatches raise and (missing, unexpected) is returned."""
        if not hasattr(state_dict, "items"):
            raise TypeError(f"{type(self).__name__}.load_state_dict: expected a dict of name "
                            f"-> Tensor or array, got {type(state_dict).__name__}")
        own = dict(self._state_items())
        values = {k: np.asarray(v._data if isinstance(v, Tensor) else v)
                  for k, v in state_dict.items()}
        missing = [k for k in own if k not in values]
        unexpected = [k for k in values if k not in own]
        mismatched = [f"{k}: checkpoint shape {values[k].shape}, model shape {own[k].shape}"
                      for k in own if k in values and values[k].shape != own[k].shape]
        problems = []
        if strict and missing:
            problems.append("missing key(s): " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected key(s): " + ", ".join(unexpected))
        if mismatched:
            problems.append("shape mismatch for " + "; ".join(mismatched))
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(problems))
        with tl.no_grad():
            for name, t in own.items():
                if name in values:
                    t.copy_(values[name])
        return IncompatibleKeys(missing, unexpected)

    # ---- printing ------------------------------------------------------------------------
    def extra_repr(self):
        """The layer's settings inside the parentheses of its repr, e.g. "in_features=2"."""
        return ""

    def __repr__(self):
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ")
                 for name, m in self._entries() if isinstance(m, Module)]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        body = "\n  ".join(([extra] if extra else []) + lines)
        return f"{type(self).__name__}(\n  {body}\n)"
