"""`x.new_zeros(...)` and friends, a mixin `Tensor` inherits: factories whose dtype (unless
given) is that of an existing tensor, as in PyTorch (`x.new_ones(3)` matches x's dtype)."""


def _creation():
    from . import creation      # creation imports Tensor: load it at call time
    return creation


class NewMethods:
    __slots__ = ()

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A copy of `data` as a tensor of this tensor's dtype (unless given)."""
        return _creation().tensor(data, dtype=self.dtype if dtype is None else dtype,
                                  device=device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation().zeros(*size, dtype=self.dtype if dtype is None else dtype,
                                 device=device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation().ones(*size, dtype=self.dtype if dtype is None else dtype,
                                device=device, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation().empty(*size, dtype=self.dtype if dtype is None else dtype,
                                 device=device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return _creation().full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                                device=device, requires_grad=requires_grad)
