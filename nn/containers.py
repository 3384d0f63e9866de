"""Containers: `Sequential` chains modules, `ModuleList` holds them, `ModuleDict` names them.
Children are stored as attributes named "0", "1", ... (or by their keys) so state-dict keys
match PyTorch's ("0.weight", "encoder.weight")."""
import numbers
from collections.abc import Mapping

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
        for name, module in vars(self).items():   # the children, in order (as _items, faster)
            if isinstance(module, Module) and not name.startswith("_"):
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


class ModuleDict(Module):
    """Modules under string keys, used like a dict (PyTorch's ModuleDict): the owner sees
    their parameters, keys keep insertion order and name the state-dict entries
    ("key.weight"). `ModuleDict({"enc": m, ...})` or `ModuleDict([("enc", m), ...])`; it has
    no forward of its own."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        if key not in self:
            raise KeyError(f"ModuleDict has no key {key!r}; keys: {self.keys()}")
        return getattr(self, key)

    def __setitem__(self, key, module):
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict: the value for key {key!r} is a "
                            f"{type(module).__name__}, not an nn.Module")
        self.add_module(key, module)

    def __delitem__(self, key):
        self.pop(key)

    def __len__(self):
        return len(self.keys())

    def __iter__(self):
        return iter(self.keys())

    def __contains__(self, key):
        return isinstance(key, str) and isinstance(vars(self).get(key), Module)

    def keys(self):
        """The keys, in insertion order."""
        return [k for k, v in vars(self).items() if isinstance(v, Module)]

    def values(self):
        """The modules, in key order."""
        return [self[k] for k in self.keys()]

    def items(self):
        """(key, module) pairs, in insertion order."""
        return [(k, self[k]) for k in self.keys()]

    def pop(self, key):
        """Remove the entry `key` and return its module."""
        module = self[key]
        delattr(self, key)
        return module

    def clear(self):
        """Remove every entry."""
        for key in self.keys():
            del self[key]

    def update(self, modules):
        """Add or replace entries from a mapping (a dict or ModuleDict) or from an iterable
        of (key, module) pairs; an existing key keeps its place, as in a dict."""
        if isinstance(modules, (Mapping, ModuleDict)):
            modules = modules.items()
        for i, pair in enumerate(modules):
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or \
                    len(pair) != 2:
                raise ValueError(f"ModuleDict.update: element #{i} must be a (key, module) "
                                 f"pair, got {pair!r}")
            self[pair[0]] = pair[1]
