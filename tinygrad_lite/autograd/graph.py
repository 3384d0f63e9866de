"""`tl.autograd.graph.increment_version(tensor)`, as in torch.autograd.graph: tell autograd
that code which writes into a tensor's array directly (an optimizer step, a buffer update
inside a kernel) changed it in place, so a graph that saved the old values raises instead of
computing a wrong gradient."""


def increment_version(tensor):
    """Bump the version counter of `tensor` (or of each tensor in an iterable)."""
    for t in (tensor if isinstance(tensor, (list, tuple)) else (tensor,)):
        t._version += 1
