"""Every op's NumPy reference must be able to disagree with its forward: a reference that is
the very function the forward calls (np.log for a forward of np.log, a kernel's NumPy twin
that the forward runs when the JIT is off) checks nothing. Ops whose forward is a plain
NumPy call get a reference computed another way (ops/references.py) or none, the torch twin
then being their oracle."""
import inspect
import types

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite import kernels as K

OP_NAMES = sorted(tl.OPS)
TWINS = {id(declared.twin) for declared in K.KERNELS.values()}


def _names_used(function):
    """Every global or attribute name the function's code (and its nested code) mentions."""
    names, stack = set(), [function.__code__]
    while stack:
        code = stack.pop()
        names |= set(code.co_names)
        stack += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return names


def _forward_functions(cls):
    """The NumPy functions the op's class holds as attributes (a `rule` or `pick`)."""
    return {id(v.__func__ if isinstance(v, staticmethod) else v)
            for klass in cls.__mro__ for v in vars(klass).values()}


def _twins_called(reference):
    """The kernel twins a reference function reaches through a module it names (R.conv2d_fwd)."""
    if not isinstance(reference, types.FunctionType):
        return []
    names = _names_used(reference)
    modules = [reference.__globals__.get(n) for n in names]
    return [f"{module.__name__}.{n}" for module in modules if isinstance(module, types.ModuleType)
            for n in names if id(getattr(module, n, None)) in TWINS]


@pytest.mark.parametrize("name", OP_NAMES)
def test_reference_is_not_the_forwards_own_code(name):
    spec = tl.OPS[name]
    reference = spec.reference
    if reference is None:
        return
    assert id(reference) not in TWINS, (
        f"{name}: its reference is a kernel's NumPy twin, which is the forward itself when "
        "TINYGRAD_LITE_JIT=0; compute it another way (ops/references.py) or leave it out")
    assert not _twins_called(reference), (
        f"{name}: its reference calls {_twins_called(reference)}, a kernel's NumPy twin")
    forward = getattr(spec.cls, "forward", None)
    name_in_numpy = getattr(reference, "__name__", "")
    if forward is None or getattr(np, name_in_numpy, None) is not reference:
        return                                     # not a NumPy function: written for the op
    assert id(reference) not in _forward_functions(spec.cls), (
        f"{name}: its reference np.{name_in_numpy} is the function its forward applies")
    assert f"np.{name_in_numpy}(" not in inspect.getsource(forward) and \
        name_in_numpy not in _names_used(forward), (
            f"{name}: its reference np.{name_in_numpy} is what its forward calls")
