"""The one-word import swap: `tinygrad_lite.nn` and `tinygrad_lite.optim` are the top-level
packages `nn` and `optim` under a second name, so PyTorch code runs with `torch` replaced by
`tinygrad_lite`:

    import tinygrad_lite.nn as nn                 # was: import torch.nn as nn
    import tinygrad_lite.nn.functional as F       # was: import torch.nn.functional as F
    import tinygrad_lite.optim as optim           # was: import torch.optim as optim
    tinygrad_lite.nn.Linear, tinygrad_lite.optim.Adam

The engine never imports `nn` or `optim` itself (they are built on it); a finder on
`sys.meta_path` loads them the first time one of these names is imported, and both names then
refer to the same module objects (`tinygrad_lite.nn.Linear is nn.Linear`)."""
import importlib
import importlib.abc
import importlib.util
import sys

ALIASES = {"tinygrad_lite.nn": "nn", "tinygrad_lite.optim": "optim"}


def real_name(name):
    """'nn.functional' for 'tinygrad_lite.nn.functional'; None for names not aliased."""
    for alias, target in ALIASES.items():
        if name == alias or name.startswith(alias + "."):
            return target + name[len(alias):]
    return None


class AliasLoader(importlib.abc.Loader):
    """Hands the import system the already imported real module."""

    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass                             # the real module ran when it was imported


class AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        target_name = real_name(fullname)
        if target_name is None:
            return None
        if importlib.util.find_spec(target_name) is None:
            return None                  # `tinygrad_lite.nn.nothing`: the usual ImportError
        return importlib.util.spec_from_loader(fullname, AliasLoader(target_name))


def install():
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())


def load(name):
    """`tl.nn` / `tl.optim` attribute access: import the alias on first use."""
    return importlib.import_module(f"tinygrad_lite.{name}")
