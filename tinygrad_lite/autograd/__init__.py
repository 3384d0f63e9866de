"""`tl.autograd`, spelled like `torch.autograd`: the backward walk (`backward`, `grad`), custom
differentiable ops written PyTorch's way (`Function`), whole-function derivatives
(`functional.jacobian`, `hessian`, `vjp`, `jvp`, `hvp`, `vhp`) and the gradient checks.

engine.py walks the graph; custom_function.py holds `Function` and its `ctx`."""
from . import functional, graph, profiler
from ..anomaly import detect_anomaly, set_detect_anomaly
from .custom_function import Function, FunctionCtx
from .engine import RemovableHandle, backward, grad, run_backward, topo_order


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802  (PyTorch's legacy name)
    """The pre-0.4 wrapper old tutorials use; as in PyTorch today it returns a Tensor."""
    from ..tensor import Tensor
    tensor = data if isinstance(data, Tensor) else Tensor(data)
    return tensor.requires_grad_(requires_grad) if requires_grad else tensor


def __getattr__(name):
    # gradcheck imports Tensor, which imports this package: load it on first use
    if name in ("gradcheck", "gradgradcheck"):
        from .. import gradient_check
        return getattr(gradient_check, name)
    raise AttributeError(f"module 'tinygrad_lite.autograd' has no attribute {name!r}")


__all__ = ["Function", "FunctionCtx", "RemovableHandle", "Variable", "backward", "functional",
           "grad", "profiler", "gradcheck", "gradgradcheck", "detect_anomaly",
           "set_detect_anomaly"]
