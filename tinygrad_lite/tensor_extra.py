"""More of PyTorch's Tensor methods (elementwise math, logical ops, indexing by index tensors,
sorting, searching), as the mixin `ExtraMethods` that `Tensor` inherits from.

It is part of `Tensor`, split off only to keep each file short: the methods are thin calls into
the ops in ops/unary_math.py, ops/indexing.py, ops/sorting.py, ops/einsum.py, or compositions
of other Tensor methods. They rely on the core helpers `_dim` and `_floating` of tensor.py."""
import numpy as np

from . import function
from .function import constant


class ExtraMethods:
    """The extra methods of `Tensor` (see the module docstring)."""
    __slots__ = ()  # Tensor has __slots__; a base without them would give tensors a __dict__

    # ---- searching: int64 results, no gradient ----------------------------------------
    def nonzero(self, *, as_tuple=False):
        """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with
        as_tuple=True one 1-D tensor per dim (what `x[cond.nonzero(as_tuple=True)]` needs)."""
        if as_tuple:    # a 0-d tensor counts as 1-D here, as in PyTorch
            positions = np.nonzero(self._data.reshape(-1) if self.ndim == 0 else self._data)
            return tuple(constant(p.astype(np.int64)) for p in positions)
        return constant(np.argwhere(self._data).astype(np.int64))

    def argwhere(self):
        """torch.argwhere: the same as nonzero()."""
        return self.nonzero()
