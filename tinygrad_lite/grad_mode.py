"""Whether operations record the graph: a context variable, so threads and async tasks each
have their own setting (no process-wide flag)."""
import contextvars
import functools

_grad_enabled = contextvars.ContextVar("grad_enabled", default=True)


def is_grad_enabled():
    """True when new operations record their backward graph."""
    return _grad_enabled.get()


class set_grad_enabled:
    """Context manager and decorator that turns graph recording on or off."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._tokens = []

    def __enter__(self):
        self._tokens.append(_grad_enabled.set(self.mode))
        return self

    def __exit__(self, *exc):
        _grad_enabled.reset(self._tokens.pop())
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.mode):
                return fn(*args, **kwargs)
        return wrapper


class no_grad(set_grad_enabled):
    """`with tl.no_grad():`, `@tl.no_grad()` or `@tl.no_grad`: operations inside record no
    graph."""
    mode = False

    def __new__(cls, fn=None):
        if fn is not None:                    # used bare, as `@tl.no_grad`
            return set_grad_enabled(cls.mode)(fn)
        return super().__new__(cls)

    def __init__(self, fn=None):
        super().__init__(self.mode)

    def __call__(self, fn):
        return set_grad_enabled(self.mode)(fn)


class enable_grad(no_grad):
    """Re-enables recording inside a `no_grad` block (same three forms)."""
    mode = True
