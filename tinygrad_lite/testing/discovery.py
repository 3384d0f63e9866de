"""Find the ops a user's module or package registers: import it (every submodule of a
package), then keep the registry entries whose class was defined in those modules."""
import importlib
import pkgutil

from ..function import OPS


class DiscoveryError(Exception):
    """The module cannot be imported, or it registers no op; the message says which."""


def import_modules(name):
    """Import `name` and, for a package, all its submodules; return their names."""
    try:
        module = importlib.import_module(name)
        names = [module.__name__]
        if hasattr(module, "__path__"):           # a package: walk its submodules too
            for info in pkgutil.walk_packages(module.__path__, module.__name__ + "."):
                importlib.import_module(info.name)
                names.append(info.name)
    except Exception as e:  # noqa: BLE001 - any import failure is the user's to read
        raise DiscoveryError(f"cannot import {name!r}: {type(e).__name__}: {e}") from e
    return names


def registered_ops(module_names):
    """The OpSpecs (in registration order) whose op class was defined in one of the modules
    (a registered function's class lives in the function's module)."""
    wanted = set(module_names)
    return [spec for spec in OPS.values() if spec.cls.__module__ in wanted]


def ops_of(names):
    """Import each module or package in `names` and return the ops they register; a name
    that registers none is an error (ops are registered with @tl.register)."""
    found = {}                  # op name -> OpSpec, so a module named twice counts once
    for name in names:
        specs = registered_ops(import_modules(name))
        if not specs:
            raise DiscoveryError(f"{name!r} registers no op; ops are registered with "
                                 "@tl.register(name, samples=[tl.Sample(...)]) on a "
                                 "tl.Function subclass or on a function of Tensors")
        found.update((spec.name, spec) for spec in specs)
    return list(found.values())
