"""`check_gradients(target, *shapes_or_tensors)`: gradcheck (and gradgradcheck) of your own
function, op or layer, done the way the library checks its own ops:

- inputs in float64 (finite differences in float32 are too coarse to trust), drawn from the
  registry's Sample domains ("real" keeps |x| >= 0.2, away from the kinks of relu/abs);
- the gradients of every input (and of every parameter, for a Module) compared with central
  differences (f(x + eps) - f(x - eps)) / (2 eps), then the second derivatives likewise;
- on failure one AssertionError that names the function, the input, the worst element and
  both values, with a table of the worst entries.

The library generator is re-seeded with `seed` before every evaluation of the target, so
random layers (dropout) draw the same mask each time; the caller's random state is restored.
"""
import copy

import numpy as np

from .. import dtypes, opcheck
from ..function import Sample
from ..gradient_check import ATOL, EPS, RTOL
from ..opcheck import GradientCheck, GradientCheckFailure  # noqa: F401 - tl.testing's names
from ..tensor import Tensor


def _is_shape(arg):
    return isinstance(arg, (tuple, list)) and all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in arg)


def _leaf(arg):
    """A float64 copy requiring grad of a floating tensor or array; other dtypes (indices,
    masks) stay constants."""
    array = arg._data if isinstance(arg, Tensor) else np.asarray(arg)
    if array.dtype.kind == "f":
        return Tensor(array.astype(np.float64), dtype=dtypes.float64, requires_grad=True)
    return Tensor(array.copy(), dtype=array.dtype)


def make_inputs(args, domains, seed):
    """Tensors for `args`: a shape (a tuple or list of ints) is drawn from its domain (default
    "real") with numpy's default_rng(seed); a Tensor or array becomes a float64 leaf."""
    if domains is None:
        domains = ("real",) * len(args)
    if len(domains) != len(args):
        raise ValueError(f"check_gradients: got {len(domains)} domains for {len(args)} inputs; "
                         "give one per input (None for a given tensor)")
    shapes, shape_domains = [], []
    for position, (arg, domain) in enumerate(zip(args, domains)):
        if isinstance(arg, (Tensor, np.ndarray)):
            continue
        if not _is_shape(arg):
            raise TypeError(f"check_gradients: input {position} is {arg!r}; expected a shape "
                            "(a tuple of ints, e.g. (3, 4)), a Tensor or a NumPy array; pass "
                            "other arguments with kwargs={...}")
        shapes.append(tuple(int(n) for n in arg))
        shape_domains.append("real" if domain is None else domain)
    drawn = iter(opcheck.sample_inputs(Sample(tuple(shapes), tuple(shape_domains)),
                                       np.random.default_rng(seed)))
    return [_leaf(arg) if isinstance(arg, (Tensor, np.ndarray)) else next(drawn)
            for arg in args]


def _is_module(target):
    return not isinstance(target, type) and hasattr(target, "named_parameters")


def prepare(target, *args, domains=None, kwargs=None, seed=opcheck.SEED):
    """A GradientCheck for a function of Tensors, a Function class (called with `.apply`) or
    an nn.Module (its float64 copy; the parameters are checked after the inputs)."""
    kwargs = kwargs or {}
    inputs = make_inputs(args, domains, seed)
    names = opcheck.input_names(inputs)
    if _is_module(target):
        module = copy.deepcopy(target).double()
        params = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        mode = "train" if module.training else "eval"
        note = (f"\n(module {type(target).__name__} checked as a float64 copy in {mode} mode, "
                f"re-seeded with tl.manual_seed({seed}) before every forward so dropout masks "
                "repeat)")
        count = len(inputs)
        return GradientCheck(type(target).__name__,
                             lambda *xs: module(*xs[:count], **kwargs),
                             inputs + [p for _, p in params],
                             names + [f"parameter '{n}'" for n, _ in params], seed, note)
    if isinstance(target, type) and hasattr(target, "apply"):
        name = getattr(target, "op_name", None) or target.__name__
        return GradientCheck(name, lambda *xs: target.apply(*xs, **kwargs), inputs, names, seed)
    if callable(target):
        name = getattr(target, "__name__", None) or type(target).__name__
        return GradientCheck(name, lambda *xs: target(*xs, **kwargs), inputs, names, seed)
    raise TypeError(f"check_gradients: expected a function of Tensors, a Function class or an "
                    f"nn.Module, got {type(target).__name__}")


def check_gradients(target, *shapes_or_tensors, domains=None, kwargs=None, second_order=True,
                    eps=EPS, atol=ATOL, rtol=RTOL, seed=opcheck.SEED):
    """Gradient-check `target` on float64 inputs; raise GradientCheckFailure if it is wrong.

        check_gradients(lambda x, w: (x @ w).tanh(), (2, 3), (3, 4))
        check_gradients(MyOp, (5,), domains=("positive",))       # a Function class
        check_gradients(nn.Sequential(nn.Linear(3, 4), nn.Tanh()), (2, 3))   # a Module

    target: a function of Tensors (kwargs are passed to it), a Function class (called as
      `Op.apply(*tensors, **kwargs)`) or an nn.Module, whose inputs and every parameter are
      checked on a float64 deep copy (`copy.deepcopy(module).double()`), in the module's own
      mode (train unless you called .eval()); dropout draws the same mask in every evaluation
      because the library generator is re-seeded with `seed` before each forward, and
      BatchNorm in train mode normalizes with the batch statistics, which are differentiated.
    shapes_or_tensors: per input, a shape such as (3, 4), drawn from its domain in `domains`
      ("real" by default; "positive", "unit", "distinct", "bool" or a callable
      (rng, shape) -> array, as in tl.Sample), or a Tensor/array, used as a float64 copy
      (integer and bool tensors stay constants).
    second_order: also run gradgradcheck. eps, atol, rtol: as tl.gradcheck. seed: for the
      drawn inputs and the re-seeding."""
    check = prepare(target, *shapes_or_tensors, domains=domains, kwargs=kwargs, seed=seed)
    check.first_order(eps, atol, rtol)
    if second_order:
        check.second_order(eps, atol, rtol)
