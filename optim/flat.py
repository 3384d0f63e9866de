"""Stepping a group's small parameters as one flat vector: one kernel call per group.

For an elementwise rule (each weight's update reads only its own w, g and state, plus
scalars such as the step count), updating the concatenation of several parameters is the
same as updating each one. A network like the lecture's 2-5-2-1 has six parameters of 2 to
10 numbers each; one kernel call on their 27 numbers replaces six calls whose cost is
almost all call overhead. Large parameters keep one call each: copying them in and out of
a flat vector would cost more than the call saves.

The group's state lives in flat arrays; each parameter's `optimizer.state[p]` holds views of
its slice (so state_dict, load_state_dict and inspection see the usual per-parameter dicts).
When that no longer holds (a state was loaded or replaced, a parameter lost its gradient),
the flat state is rebuilt from the per-parameter dicts.
"""
import numpy as np

from tinygrad_lite.autograd.graph import increment_version

SMALL = 1 << 14   # parameters with at most this many elements are stepped together


class FlatGroup:
    """The flat state of some parameters of one group, and the views handed out of it."""

    def __init__(self, params, state):
        self.params = params
        self.ids = [id(p) for p in params]
        ends = np.cumsum([p._data.size for p in params])
        self.slices = [(int(end - p._data.size), int(end)) for p, end in zip(params, ends)]
        self.size = int(ends[-1])
        self.state = state
        self.views = {}            # state key -> [view for each parameter]

    def matches(self, params, states):
        """Whether `params` are this group's, and each one's state still holds our views."""
        if [id(p) for p in params] != self.ids:
            return False
        for key, views in self.views.items():
            for p, view in zip(params, views):
                state = states.get(p)
                if state is None or state.get(key) is not view:
                    return False
        return True

    def hand_out(self, states):
        """Put each parameter's views (once) and the shared scalars into its state dict."""
        if not self.views:                 # the first step: every parameter gets a state
            for p in self.params:
                states.setdefault(p, {})
        for key, value in self.state.items():
            if key in self.views:
                continue                   # handed out before (matches() checked them)
            if isinstance(value, np.ndarray) and value.shape == (self.size,):
                self.views[key] = [value[a:b].reshape(p.shape)
                                   for p, (a, b) in zip(self.params, self.slices)]
                for p, view in zip(self.params, self.views[key]):
                    states.setdefault(p, {})[key] = view
            else:
                for p in self.params:
                    states.setdefault(p, {})[key] = value


def flat_state(optimizer, params, group):
    """The flat state of `params`: fresh from init_state when none has one yet, else the
    concatenation of their states; None when their states cannot be joined (some have one
    and some not, or their scalars differ, e.g. different step counts)."""
    have = [optimizer.state.get(p) for p in params]
    if all(s is None for s in have):
        template = np.empty(sum(p._data.size for p in params), params[0].dtype)
        return optimizer.init_state(template, group)
    if any(s is None or s.keys() != have[0].keys() for s in have):
        return None
    joined = {}
    for key, first in have[0].items():
        values = [s[key] for s in have]
        if isinstance(first, np.ndarray) and first.ndim > 0:
            if any(not isinstance(v, np.ndarray) or v.shape != p.shape
                   for v, p in zip(values, params)):
                return None
            joined[key] = np.concatenate([v.ravel() for v in values], dtype=params[0].dtype)
        elif all(type(v) is type(first) and v == first for v in values):
            joined[key] = first
        else:
            return None
    return joined


def small_params(group):
    """The group's parameters that have a gradient and can join a flat step: small, of the
    first such parameter's dtype, writeable, with a gradient of their shape."""
    chosen = []
    for p in group["params"]:
        g = p._grad
        if g is None or p._data.size > SMALL or not p._data.flags.writeable:
            continue
        if g._data.shape != p._data.shape or chosen and p._data.dtype != chosen[0]._data.dtype:
            continue
        chosen.append(p)
    return chosen


def step_flat(optimizer, group, cache):
    """Step the group's small parameters with one `update` call on flat arrays; return the
    ids of the parameters it stepped (the caller steps the rest one by one). `cache` keeps the group's
    FlatGroup from step to step."""
    params = small_params(group)
    if len(params) < 2:
        return set()
    flat = cache.get("flat")
    if flat is None or not flat.matches(params, optimizer.state):
        state = flat_state(optimizer, params, group)
        if state is None:
            return set()
        flat = cache["flat"] = FlatGroup(params, state)
    dtype = params[0]._data.dtype
    w = np.concatenate([p._data.ravel() for p in params])
    g = np.concatenate([p._grad._data.ravel() for p in params]).astype(dtype, copy=False)
    optimizer.update(w, g, flat.state, group)
    for p, (a, b) in zip(params, flat.slices):
        p._data[...] = w[a:b].reshape(p._data.shape)
        increment_version(p)                       # an in-place change, as in PyTorch
    flat.hand_out(optimizer.state)
    return set(flat.ids)
