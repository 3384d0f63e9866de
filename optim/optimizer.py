"""`Optimizer`: the bookkeeping every update rule shares, written once.

Parameter groups with their own hyper-parameters (PyTorch's `param_groups`), per-parameter
state created on the first step (keyed by the parameter: a Tensor hashes by identity),
skipping parameters whose `grad` is None, and a `state_dict` that stores positions, not ids,
so it can be saved and loaded into a fresh optimizer. A subclass writes only its math,
`init_state(w, group)` and `update(w, g, state, group)` on plain arrays; the built-in ones
call one fused in-place kernel from `tinygrad_lite.kernels.optim`. A plain-NumPy rule works
too, as long as it changes `w` in place:

    class GD(Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def update(self, w, g, state, group):
            w -= group["lr"] * g          # not `w = w - ...`: that only rebinds the name
"""
import collections
import numbers
import warnings

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite.tensor import Tensor
from tinygrad_lite.autograd.graph import increment_version

from .flat import step_flat


class Optimizer:
    """Base class: `Optimizer(params, defaults)`.

    `params` is an ordered iterable of Tensors, or of dicts `{"params": [...], "lr": ...}`
    (one parameter group each; missing keys come from `defaults`).
    """

    # True for a rule whose update of each weight reads only that weight's w, g and state
    # (and scalars shared by the group): its small parameters are then stepped together as
    # one flat vector, one kernel call per group (optim/flat.py)
    elementwise = False

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}
        self._flat_groups = collections.defaultdict(dict)   # group position -> flat cache
        name = type(self).__name__
        expected = f"{name}: params must be an iterable of Tensors or of param-group dicts"
        if isinstance(params, Tensor):
            raise TypeError(f"{expected}, got a single Tensor of shape {params.shape}; pass "
                            "[tensor] or model.parameters()")
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: params must be an ordered collection (a list), not a "
                            "set: a set's order changes between runs, and so would state_dict")
        # a model itself (even an iterable Sequential) is the usual slip for model.parameters()
        if hasattr(params, "parameters") or not hasattr(params, "__iter__"):
            raise TypeError(f"{expected}, got {type(params).__name__}; pass "
                            "model.parameters()")
        groups = list(params)
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list; pass model.parameters() "
                             "of a model that has parameters")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines + [")"])

    def add_param_group(self, param_group):
        """Add a group `{"params": [...], **hyper_parameters}`; unset keys take the defaults."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}.add_param_group: expected a dict with a 'params' key, got "
                            f"{type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: a group's params must be a list, not a set (unordered)")
        params = [params] if isinstance(params, Tensor) else list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: can only optimize Tensors, but param {i} is a "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor (param {i}, shape "
                                 f"{p.shape}); use a leaf created with requires_grad=True")
        counts = collections.Counter(id(p) for p in params)   # by identity: == is elementwise
        params = list(dict.fromkeys(params))                   # first occurrences, in order
        for p in params:
            if counts[id(p)] > 1:   # PyTorch warns too (and plans an error); one step each
                warnings.warn(f"{name}: a parameter of shape {p.shape} is listed "
                              f"{counts[id(p)]} times in one parameter group; it is kept once",
                              UserWarning, stacklevel=2)
        seen = {p for group in self.param_groups for p in group["params"]}
        if seen.intersection(params):
            raise ValueError(f"{name}: some parameters appear in more than one parameter "
                             "group; each parameter may belong to one group only")
        group = {**param_group, "params": params}
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check(group)
        self.param_groups.append(group)

    # ---- hyper-parameter checks --------------------------------------------------------
    # A rule names its hyper-parameters that must be numbers >= 0, and whether it has
    # `betas`; one with more rules extends _check (calling super()._check first).
    nonnegative = ()        # e.g. ("lr", "eps", "weight_decay")
    has_betas = False       # group["betas"] must be a pair (beta1, beta2), each in [0, 1)

    def _check(self, group):
        """Raise ValueError for an invalid hyper-parameter of `group`."""
        self._check_nonnegative(group, *self.nonnegative)
        if self.has_betas:
            self._check_betas(group)

    def _fail(self, key, value, valid):
        raise ValueError(f"{type(self).__name__}: invalid {key}={value!r}; {valid}")

    def _check_nonnegative(self, group, *keys):
        for key in keys:
            value = group[key]
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
                    not value >= 0:
                self._fail(key, value, "it must be a number >= 0")

    def _check_betas(self, group):
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            self._fail("betas", betas, "it must be a pair (beta1, beta2)")
        for i, beta in enumerate(betas):
            self._check_unit(f"betas[{i}]", beta)

    def _check_unit(self, key, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
                not 0 <= value < 1:
            self._fail(key, value, "it must be in [0, 1)")

    # ---- the training-loop calls --------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Forget the gradients: `grad = None` (default), or with set_to_none=False zero each
        grad's array in place (p.grad stays the same Tensor, as in PyTorch)."""
        for group in self.param_groups:
            for p in group["params"]:
                p._forget_grad(set_to_none)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure() (with grad on)."""
        loss = None
        if closure is not None:
            with tl.enable_grad():
                loss = closure()
        for position, group in enumerate(self.param_groups):
            stepped = step_flat(self, group, self._flat_groups[position]) \
                if self.elementwise else set()
            for p in group["params"]:
                if p._grad is None or id(p) in stepped:
                    continue                   # frozen or unused: leave it untouched
                self._step_param(p, group)
        return loss

    def _step_param(self, p, group):
        w = p._data
        if not (w.flags.c_contiguous and w.flags.writeable):
            w = np.array(w, order="C")           # update a contiguous copy, then write back
        g = p._grad._data
        if g.shape != w.shape:
            raise RuntimeError(f"{type(self).__name__}: parameter of shape {w.shape} has a "
                               f"gradient of shape {g.shape}; they must match")
        g = np.asarray(g, dtype=w.dtype, order="C")   # (ascontiguousarray makes 0-d 1-d)
        state = self.state.get(p)
        if state is None:
            state = self.state[p] = self.init_state(w, group)
        self.update(w, g, state, group)
        if w is not p._data:
            if p._data.flags.writeable:
                p._data[...] = w                    # views of the parameter see the step too
            else:
                p._data = w                         # a read-only array is replaced
        increment_version(p)                       # an in-place change, as in PyTorch

    def init_state(self, w, group):
        """The state of a parameter before its first step (Chainer's lazy init_state)."""
        return {}

    def update(self, w, g, state, group):
        """Change the array `w` in place, one step, given its gradient `g` (a contiguous array
        of w's dtype), its `state` dict and its group's hyper-parameters."""
        raise NotImplementedError(f"{type(self).__name__} must implement update")

    # ---- saving and resuming --------------------------------------------------------------
    def state_dict(self):
        """`{"state": {position: {...}}, "param_groups": [{..., "params": [positions]}]}`.

        Parameters are numbered by position over all groups (PyTorch's format); arrays are
        copies, so training on after saving does not change the saved dict.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(p, len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[p]: {k: np.copy(v) if isinstance(v, np.ndarray) else v
                            for k, v in s.items()} for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a `state_dict()` saved from an optimizer with the same groups and sizes;
        hyper-parameters and state come from the saved dict, parameters stay this one's.
        Checks everything before changing anything; an error names the group, the counts and
        the shapes that differ."""
        name = f"{type(self).__name__}.load_state_dict"
        saved, saved_state = state_dict["param_groups"], state_dict["state"]
        if len(saved) != len(self.param_groups):
            raise ValueError(f"{name}: the saved state has {len(saved)} parameter group(s), "
                             f"this optimizer has {len(self.param_groups)}")
        by_position = {}
        for i, (group, packed) in enumerate(zip(self.param_groups, saved)):
            ours, theirs = group["params"], packed["params"]
            if len(ours) != len(theirs):
                shapes = [tuple(p.shape) for p in ours]
                saved_shapes = [self._saved_shape(saved_state, position) for position in theirs]
                raise ValueError(f"{name}: parameter group {i} has {len(ours)} parameter(s) "
                                 f"of shapes {shapes}, but the saved group {i} has "
                                 f"{len(theirs)} (parameters {list(theirs)}, shapes from "
                                 f"their saved state: {saved_shapes}; '?' = no state yet)")
            by_position.update((position, (i, p)) for position, p in zip(theirs, ours))
        state = {}
        for position, values in saved_state.items():
            if int(position) not in by_position:
                raise ValueError(f"{name}: the saved state has an entry for parameter "
                                 f"{position}, which no saved parameter group lists")
            i, p = by_position[int(position)]
            state[p] = {key: self._load_value(key, value, p, position, i)
                        for key, value in values.items()}
        self.state = state
        self.param_groups = [{**packed, "params": group["params"]}
                             for group, packed in zip(self.param_groups, saved)]

    @staticmethod
    def _saved_shape(saved_state, position):
        """The shape of a saved parameter, read off its first saved array ('?' if none)."""
        for value in saved_state.get(position, {}).values():
            if isinstance(value, (np.ndarray, Tensor)) and value.ndim > 0:
                return tuple(value.shape)
        return "?"

    def _load_value(self, key, value, p, position, group):
        """A saved state value for parameter `p`: an array (or Tensor) of p's shape becomes
        a copy in p's dtype; a 0-d one (PyTorch keeps Adam's `step` as a tensor) a number."""
        if isinstance(value, Tensor):
            value = value._data
        if not isinstance(value, np.ndarray):
            return value
        if value.ndim == 0 and p.ndim > 0:
            return value.item()
        if value.shape != p.shape:
            raise ValueError(f"{type(self).__name__}.load_state_dict: state {key!r} of "
                             f"parameter {position} (group {group}) has shape {value.shape}, "
                             f"the parameter has shape {p.shape}")
        return np.array(value, dtype=p.dtype)   # a copy, in the parameter's dtype

    @staticmethod
    def _buffer(state, key, w, used):
        """`state[key]` (zeros on first use) if the rule uses it, else an empty placeholder."""
        if not used:
            return np.empty(0, w.dtype)
        if key not in state:
            state[key] = np.zeros_like(w)
        return state[key]
