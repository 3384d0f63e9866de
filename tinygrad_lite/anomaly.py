"""`tl.detect_anomaly()` (also `tl.autograd.detect_anomaly`, `set_detect_anomaly`): find the first op whose forward or backward made a NaN or an Inf,
and the line of user code that created it."""
import contextvars
import os

import numpy as np

_enabled = contextvars.ContextVar("detect_anomaly", default=False)
_in_backward = contextvars.ContextVar("anomaly_in_backward", default=False)
_LIBRARY_DIR = os.path.dirname(os.path.abspath(__file__))


def is_enabled():
    return _enabled.get()


class detect_anomaly:
    """Context manager: inside it, every op checks its output (forward) and the gradients
    it returns (backward) and raises FloatingPointError naming the op, the shapes and the
    user's line that created the op. It slows everything down; use it to debug."""

    def __enter__(self):
        self._token = _enabled.set(True)
        return self

    def __exit__(self, *exc):
        _enabled.reset(self._token)
        return False


class set_detect_anomaly:
    """PyTorch's switch: `set_detect_anomaly(True)` turns anomaly detection on from here on
    (False: off); used as `with set_detect_anomaly(mode):`, the previous mode comes back
    when the block ends."""

    def __init__(self, mode):
        self._token = _enabled.set(bool(mode))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _enabled.reset(self._token)
        return False


def is_anomaly_enabled():
    """Whether anomaly detection is on (torch.is_anomaly_enabled)."""
    return _enabled.get()


class backward_phase:
    """Set by the engine while it runs backward functions: their results are checked by
    check_backward, which names the op being differentiated, not the ops inside it."""

    def __enter__(self):
        self._token = _in_backward.set(True)

    def __exit__(self, *exc):
        _in_backward.reset(self._token)
        return False


def user_frame(stack):
    """The innermost frame outside this library (nn, optim and tools count as library)."""
    library = (_LIBRARY_DIR, os.path.join(os.path.dirname(_LIBRARY_DIR), "nn"),
               os.path.join(os.path.dirname(_LIBRARY_DIR), "optim"))
    for frame in reversed(stack):
        if not os.path.abspath(frame.filename).startswith(library):
            return f'File "{frame.filename}", line {frame.lineno}: {frame.line}'
    return "<inside the library>"


def _bad(array):
    return array.dtype.kind == "f" and not np.isfinite(array).all()


def check_forward(op_name, inputs, result, created_at):
    """Raise when the op turned finite inputs into NaN/Inf."""
    if _in_backward.get():
        return
    if _bad(result._data) and not any(_bad(t._data) for t in inputs):
        shapes = ", ".join(str(t.shape) for t in inputs)
        raise FloatingPointError(f"detect_anomaly: forward of {op_name} (inputs {shapes}) "
                                 f"produced NaN/Inf; created at {created_at}")


def check_backward(ctx, g, grads):
    """Raise when the op's backward returned a NaN/Inf gradient from a finite one."""
    if _bad(g._data):
        return
    for position, pg in enumerate(grads):
        if pg is not None and _bad(pg._data):
            where = getattr(ctx, "created_at", "<created before detect_anomaly was on>")
            raise FloatingPointError(
                f"detect_anomaly: backward of {ctx.op_name} produced NaN/Inf in the gradient "
                f"of input {position} (shape {pg.shape}); the op was created at {where}")
