"""One random generator for the whole library, so `tl.manual_seed(n)` makes every draw
(initialization, dropout masks, RReLU slopes, shuffling) reproducible."""
import contextlib
import copy

import numpy as np

_state = {"rng": np.random.default_rng()}


def manual_seed(seed):
    """Reseed the library's generator; returns it, as torch.manual_seed does."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _state["rng"] = np.random.default_rng(int(seed))
    return _state["rng"]


def generator():
    """The generator every random draw of the library uses."""
    return _state["rng"]


@contextlib.contextmanager
def fork_rng():
    """Run a block on a copy of the library's generator, then put the original back (as
    torch.random.fork_rng): seeding and drawing inside the block leave later draws unchanged."""
    saved = _state["rng"]
    _state["rng"] = copy.deepcopy(saved)
    try:
        yield
    finally:
        _state["rng"] = saved
