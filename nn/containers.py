"""Containers: `Sequential` chains modules, `ModuleList` holds them. Children are stored as
attributes named "0", "1", ... so state-dict keys match PyTorch's ("0.weight")."""
import numbers

from .module import Module


class _Indexed(Module):
    """Modules stored under their positions; indexable, sized and iterable."""

    def _add(self, name, module):
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}: entry {name} is a "
                            f"{type(module).__name__}, not an nn.Module")
        setattr(self, name, module)

    def _items(self):
        """(name, module) for every slot, repeats included (Sequential(a, a) has two)."""
        return [(n, m) for n, m in self._entries() if isinstance(m, Module)]

    def __len__(self):
        return len(self._items())

    def __iter__(self):
        return iter([m for _, m in self._items()])

    def __getitem__(self, index):
        items = self._items()
        if isinstance(index, slice):
            return self._sliced(items[index])
        if not isinstance(index, numbers.Integral) or not -len(items) <= index < len(items):
            raise IndexError(f"{type(self).__name__}: index {index!r} is out of range for "
                             f"{len(items)} modules")
        return items[index][1]

    def append(self, module):
        """Add a module at the end; returns self."""
        self._add(str(len(self)), module)
        return self


class Sequential(_Indexed):
    """Calls its modules in order: forward(x) = m_n(...m_2(m_1(x))).
    `Sequential(m1, m2, ...)` or `Sequential({"name": m, ...})` (names kept, as PyTorch's
    OrderedDict form)."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, module in modules[0].items():
                self._add(str(name), module)
        else:
            for i, module in enumerate(modules):
                self._add(str(i), module)

    def _sliced(self, items):
        return Sequential(dict(items))   # a slice keeps the names, as in PyTorch

    def forward(self, x):
        for module in self:
            x = module(x)
        return x


class ModuleList(_Indexed):
    """A list of modules whose parameters the owner sees; it has no forward of its own."""

    def __init__(self, modules=()):
        super().__init__()
        self.extend(modules)

    def _sliced(self, items):
        return ModuleList(m for _, m in items)

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self
