"""Which nn.Module call is running: ops record it so tools can group a drawn graph by module.
A context variable, so nothing global is mutated."""
import contextlib
import contextvars

module_stack = contextvars.ContextVar("module_stack", default=())


@contextlib.contextmanager
def inside(module):
    """`with inside(m):` ops created in the block record (..., m) as their module stack."""
    token = module_stack.set(module_stack.get() + (module,))
    try:
        yield
    finally:
        module_stack.reset(token)
