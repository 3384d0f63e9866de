"""The registry entries of the ops written as compositions of registered ops (log2 is
log(x) / ln 2, gather is a getitem with a computed index, ...): each is registered here once,
as a function calling the Tensor method or tl. function that implements it, with its
gradient-check samples, a NumPy reference and its torch twin, so the registry-wide tests
check them like every `Function` op (see `Composite` in function.py).

Integer arguments (indices, repeats, shifts, dims) are keyword attributes of the samples, as
NumPy arrays or ints. Ops returning several tensors are registered by their differentiable
part: sort and topk by their values, meshgrid by its grids stacked into one tensor. Ops
without a gradient (argsort, unique, nonzero, comparisons) are not registered.

Imported by tinygrad_lite/__init__.py after `Tensor` and the tl. functions exist."""
import numpy as np

from ..function import Sample, register
from ..functional import cdist as _cdist, meshgrid as _meshgrid, stack as _stack
from .samples import BROADCAST, UNARY, off_integers, samples


# ---- domains: inputs away from where a composition has a kink or a jump -------------------
def _signed(low, high):
    """|x| in [low, high] with a random sign."""
    return lambda rng, shape: rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def _negative(rng, shape):
    return -rng.uniform(0.5, 2.0, shape)


def _ladder(rng, shape):
    """A shuffled ladder 1, 1.3, 1.6, ...: no two elements of a row are close (no ties)."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.3 + 1.0


def _tiny_negative(rng, shape):
    return -rng.uniform(0.0, 0.01, shape)


# ---- elementwise math -------------------------------------------------------------------
@register("frac", samples=samples(UNARY, (off_integers,)),
          reference=lambda x: x - np.trunc(x), torch=lambda torch, x: torch.frac(x))
def frac(x):
    return x.frac()


@register("log2", samples=samples(UNARY, ("positive",)),
          reference=np.log2, torch=lambda torch, x: torch.log2(x))
def log2(x):
    return x.log2()


@register("log10", samples=samples(UNARY, ("positive",)),
          reference=np.log10, torch=lambda torch, x: torch.log10(x))
def log10(x):
    return x.log10()


@register("reciprocal", samples=samples(UNARY),
          reference=np.reciprocal, torch=lambda torch, x: torch.reciprocal(x))
def reciprocal(x):
    return x.reciprocal()


@register("rsqrt", samples=samples(UNARY, ("positive",)),
          reference=lambda x: 1 / np.sqrt(x), torch=lambda torch, x: torch.rsqrt(x))
def rsqrt(x):
    return x.rsqrt()


@register("logaddexp", samples=[Sample(((3, 4), (4,))),
                                Sample(((5,), (5,)), (_signed(300, 800), _signed(300, 800)))],
          reference=np.logaddexp, torch=lambda torch, x, y: torch.logaddexp(x, y))
def logaddexp(x, y):
    return x.logaddexp(y)


@register("hypot", samples=samples(BROADCAST),
          reference=np.hypot, torch=lambda torch, x, y: torch.hypot(x, y))
def hypot(x, y):
    return x.hypot(y)


@register("lerp", samples=[Sample(((3, 4), (3, 4)), (), {"weight": 0.3}),
                           Sample(((3, 4), (4,), (3, 1)))],
          reference=lambda start, end, weight: start + weight * (end - start),
          torch=lambda torch, start, end, weight: torch.lerp(start, end, weight))
def lerp(start, end, weight):
    return start.lerp(end, weight)


@register("square", samples=samples(UNARY),
          reference=np.square, torch=lambda torch, x: torch.square(x))
def square(x):
    return x.square()


@register("clamp_by_tensors", samples=[Sample(((3, 4), (3, 4), (3, 4))),
                                       Sample(((3, 4), (4,), (3, 1)))],
          reference=lambda x, low, high: np.minimum(np.maximum(x, low), high),
          torch=lambda torch, x, low, high: torch.clamp(x, low, high))
def clamp_by_tensors(x, low, high):
    """Tensor.clamp(low, high) with tensor bounds ("clamp" is the op of number bounds)."""
    return x.clamp(low, high)


@register("masked_fill", samples=[Sample(((3, 4), (3, 4)), ("real", "bool"), {"value": 0.5}),
                                  Sample(((3, 4), (4,)), ("real", "bool"), {"value": -2.0})],
          reference=lambda x, mask, value: np.where(mask, value, x),
          torch=lambda torch, x, mask, value: x.masked_fill(mask, value))
def masked_fill(x, mask, value):
    return x.masked_fill(mask, value)


# a / b stays between integers: |a / b| in [0.1, 0.9], or in [2.09, 2.4]
_QUOTIENTS = [Sample(((3, 4), (3, 4)), (_signed(0.1, 0.45), _signed(0.5, 1.0))),
              Sample(((3, 4), (4,)), (_signed(2.2, 2.4), _signed(1.0, 1.05)))]


@register("remainder", samples=_QUOTIENTS, reference=np.remainder,
          torch=lambda torch, a, b: torch.remainder(a, b))
def remainder(a, b):
    return a.remainder(b)


@register("fmod", samples=_QUOTIENTS, reference=np.fmod,
          torch=lambda torch, a, b: torch.fmod(a, b))
def fmod(a, b):
    return a.fmod(b)


# ---- reductions ------------------------------------------------------------------------
_OVER_DIMS = [Sample(((3, 4),), (), {"dim": None, "keepdim": False}),
              Sample(((2, 3, 4),), (), {"dim": (0, 2), "keepdim": False}),
              Sample(((3, 4),), (), {"dim": 1, "keepdim": True})]


@register("mean", samples=_OVER_DIMS,
          reference=lambda x, dim, keepdim: np.mean(x, axis=dim, keepdims=keepdim),
          torch=lambda torch, x, dim, keepdim: torch.mean(x, dim, keepdim))
def mean(x, dim, keepdim):
    return x.mean(dim, keepdim)


_CORRECTED = [Sample(((3, 5),), (), {"dim": None, "correction": 1, "keepdim": False}),
              Sample(((3, 5),), (), {"dim": 1, "correction": 2, "keepdim": False}),
              Sample(((3, 5),), (), {"dim": 0, "correction": 0, "keepdim": True})]


def _spread(name):
    """Register var or std: the same arguments, checked against NumPy's and torch's of the
    same name (NumPy's ddof is the correction)."""
    numpy_fn = getattr(np, name)

    @register(name, samples=_CORRECTED,
              reference=lambda x, dim, correction, keepdim: numpy_fn(
                  x, axis=dim, ddof=correction, keepdims=keepdim),
              torch=lambda torch, x, dim, correction, keepdim: getattr(torch, name)(
                  x, dim, correction=correction, keepdim=keepdim))
    def spread(x, dim, correction, keepdim):
        return getattr(x, name)(dim, correction=correction, keepdim=keepdim)
    return spread


var, std = _spread("var"), _spread("std")


@register("amin", samples=[Sample(((3, 4),), ("distinct",), {"dim": None, "keepdim": False}),
                           Sample(((3, 4),), ("distinct",), {"dim": 1, "keepdim": True})],
          reference=lambda x, dim, keepdim: np.amin(x, axis=dim, keepdims=keepdim),
          torch=lambda torch, x, dim, keepdim: torch.amin(x, () if dim is None else dim,
                                                          keepdim))
def amin(x, dim, keepdim):
    return x.amin(dim, keepdim)


_ALONG_DIM = [Sample(((3, 4),), ("distinct",), {"dim": 1, "keepdim": False}),
              Sample(((3, 4),), ("distinct",), {"dim": 0, "keepdim": True})]


@register("max", samples=_ALONG_DIM,
          reference=lambda x, dim, keepdim: np.max(x, axis=dim, keepdims=keepdim),
          torch=lambda torch, x, dim, keepdim: torch.max(x, dim, keepdim).values)
def max_along(x, dim, keepdim):
    """The values of Tensor.max(dim, keepdim) (max over everything is amax)."""
    return x.max(dim, keepdim).values


@register("min", samples=_ALONG_DIM,
          reference=lambda x, dim, keepdim: np.min(x, axis=dim, keepdims=keepdim),
          torch=lambda torch, x, dim, keepdim: torch.min(x, dim, keepdim).values)
def min_along(x, dim, keepdim):
    """The values of Tensor.min(dim, keepdim) (min over everything is amin)."""
    return x.min(dim, keepdim).values


# ---- indexing by index arrays -----------------------------------------------------------
_NO_REPEATS = np.array([[0, 1, 2], [3, 2, 0], [1, 0, 2]])
_REPEATS = np.array([[0, 1, 1], [3, 3, 0], [1, 0, 2]])


def _positions(dim, index):
    """The NumPy index of gather/scatter: element [i, j] of index addresses [i, index[i, j]]
    for dim=1."""
    grid = list(np.indices(index.shape))
    grid[dim] = index
    return tuple(grid)


@register("gather", samples=[Sample(((3, 4),), (), {"dim": 0, "index": np.array(
                                [[2, 0, 1, 1], [0, 0, 2, 1]])}),
                             Sample(((3, 4),), (), {"dim": 1, "index": _REPEATS[:, :2]})],
          reference=lambda x, dim, index: x[_positions(dim, index)],
          torch=lambda torch, x, dim, index: torch.gather(x, dim, torch.as_tensor(index)))
def gather(x, dim, index):
    return x.gather(dim, index)


@register("index_select", samples=[Sample(((3, 4),), (), {"dim": 1,
                                                          "index": np.array([3, 0, 3])})],
          reference=lambda x, dim, index: np.take(x, index, axis=dim),
          torch=lambda torch, x, dim, index: torch.index_select(x, dim,
                                                               torch.as_tensor(index)))
def index_select(x, dim, index):
    return x.index_select(dim, index)


def _index_add_reference(x, source, dim, index, alpha):
    out = x.copy()
    np.add.at(np.moveaxis(out, dim, 0), index, alpha * np.moveaxis(source, dim, 0))
    return out


# "index_add" is the registry name of the op behind indexing's gradient (ops/movement.py)
@register("index_add_dim", samples=[Sample(((3, 4), (3, 5)), (), {
                               "dim": 1, "index": np.array([3, 0, 3, 1, 1]), "alpha": 2})],
          reference=_index_add_reference,
          torch=lambda torch, x, source, dim, index, alpha: x.index_add(
              dim, torch.as_tensor(index), source, alpha=alpha))
def index_add_dim(x, source, dim, index, alpha):
    """Tensor.index_add(dim, index, source, alpha=alpha)."""
    return x.index_add(dim, index, source, alpha=alpha)


def _scatter_reference(x, src=None, *, dim, index, value=None, add=False):
    out = x.copy()
    where = _positions(dim, index)
    values = value if src is None else src[tuple(slice(n) for n in index.shape)]
    if add:
        np.add.at(out, where, values)
    else:
        out[where] = values
    return out


@register("scatter", samples=[Sample(((3, 4), (3, 3)), (), {"dim": 1, "index": _NO_REPEATS}),
                              Sample(((3, 4), (2, 2)), (), {"dim": 0,
                                                            "index": np.array([[2, 0],
                                                                               [0, 1]])}),
                              Sample(((3, 4),), (), {"dim": 1, "index": _NO_REPEATS,
                                                     "value": 2.5})],
          reference=_scatter_reference,
          torch=lambda torch, x, src=None, *, dim, index, value=None: x.scatter(
              dim, torch.as_tensor(index), src if value is None else value))
def scatter(x, src=None, *, dim, index, value=None):
    """Tensor.scatter(dim, index, src) or, without src, Tensor.scatter(dim, index,
    value=value)."""
    return x.scatter(dim, index, src, value=value)


@register("scatter_add", samples=[Sample(((3, 4), (3, 3)), (), {"dim": 1, "index": _REPEATS}),
                                  Sample(((3, 4), (2, 4)), (), {"dim": 0, "index": np.array(
                                      [[2, 0, 2, 1], [2, 1, 0, 1]])})],
          reference=lambda x, src, dim, index: _scatter_reference(x, src, dim=dim,
                                                                  index=index, add=True),
          torch=lambda torch, x, src, dim, index: x.scatter_add(dim, torch.as_tensor(index),
                                                                src))
def scatter_add(x, src, dim, index):
    return x.scatter_add(dim, index, src)


@register("masked_select", samples=[Sample(((3, 4),), (), {"mask": np.array(
                                        [[True, False, True, True]])}),
                                    Sample(((4,),), (), {"mask": np.array(
                                        [[True, False, False, True], [False] * 3 + [True]])})],
          reference=lambda x, mask: np.broadcast_to(x, np.broadcast_shapes(x.shape, mask.shape))[
              np.broadcast_to(mask, np.broadcast_shapes(x.shape, mask.shape))],
          torch=lambda torch, x, mask: torch.masked_select(x, torch.as_tensor(mask)))
def masked_select(x, mask):
    return x.masked_select(mask)


# ---- rearranging ------------------------------------------------------------------------
@register("flatten", samples=[Sample(((2, 3, 4),), (), {"start_dim": 1, "end_dim": -1}),
                              Sample(((2, 3, 4),), (), {"start_dim": 0, "end_dim": 1})],
          reference=lambda x, start_dim, end_dim: x.reshape(
              x.shape[:start_dim] + (-1,) + x.shape[end_dim % x.ndim + 1:]),
          torch=lambda torch, x, start_dim, end_dim: torch.flatten(x, start_dim, end_dim))
def flatten(x, start_dim, end_dim):
    return x.flatten(start_dim, end_dim)


@register("unsqueeze", samples=[Sample(((3, 4),), (), {"dim": -1}),
                                Sample(((3, 4),), (), {"dim": 1})],
          reference=lambda x, dim: np.expand_dims(x, dim),
          torch=lambda torch, x, dim: torch.unsqueeze(x, dim))
def unsqueeze(x, dim):
    return x.unsqueeze(dim)


@register("squeeze", samples=[Sample(((3, 1, 4, 1),), (), {"dim": None}),
                              Sample(((3, 1, 4, 1),), (), {"dim": (1,)})],
          reference=lambda x, dim: np.squeeze(x, axis=dim),
          torch=lambda torch, x, dim: x.squeeze() if dim is None else torch.squeeze(x, dim))
def squeeze(x, dim):
    return x.squeeze(dim)


@register("transpose", samples=[Sample(((2, 3, 4),), (), {"dim0": 0, "dim1": 2})],
          reference=lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1),
          torch=lambda torch, x, dim0, dim1: torch.transpose(x, dim0, dim1))
def transpose(x, dim0, dim1):
    return x.transpose(dim0, dim1)


@register("t", samples=[Sample(((3, 4),)), Sample(((4,),))],
          reference=np.transpose, torch=lambda torch, x: torch.t(x))
def t(x):
    return x.t()


@register("flip", samples=[Sample(((2, 3, 4),), (), {"dims": (0, 2)})],
          reference=lambda x, dims: np.flip(x, dims),
          torch=lambda torch, x, dims: torch.flip(x, dims))
def flip(x, dims):
    return x.flip(dims)


@register("repeat", samples=[Sample(((3, 4),), (), {"sizes": (2, 1, 3)})],
          reference=lambda x, sizes: np.tile(x, sizes),
          torch=lambda torch, x, sizes: x.repeat(*sizes))
def repeat(x, sizes):
    return x.repeat(sizes)


@register("movedim", samples=[Sample(((2, 3, 4),), (), {"source": (0, 1), "destination": (2, 0)}),
                              Sample(((2, 3, 4),), (), {"source": -1, "destination": 0})],
          reference=np.moveaxis,
          torch=lambda torch, x, source, destination: torch.movedim(x, source, destination))
def movedim(x, source, destination):
    return x.movedim(source, destination)


@register("unflatten", samples=[Sample(((3, 4),), (), {"dim": 1, "sizes": (2, -1)})],
          reference=lambda x, dim, sizes: x.reshape(x.shape[:dim] + sizes + x.shape[dim + 1:]),
          torch=lambda torch, x, dim, sizes: torch.unflatten(x, dim, sizes))
def unflatten(x, dim, sizes):
    return x.unflatten(dim, sizes)


@register("tile", samples=[Sample(((3, 4),), (), {"dims": (2,)}),
                           Sample(((3, 4),), (), {"dims": (2, 1, 2)})],
          reference=lambda x, dims: np.tile(x, dims),
          torch=lambda torch, x, dims: torch.tile(x, dims))
def tile(x, dims):
    return x.tile(dims)


@register("repeat_interleave", samples=[Sample(((3, 4),), (), {"repeats": 2, "dim": None}),
                                        Sample(((3, 4),), (), {"repeats": np.array([1, 0, 3]),
                                                               "dim": 0})],
          reference=lambda x, repeats, dim: np.repeat(x, repeats, axis=dim),
          torch=lambda torch, x, repeats, dim: torch.repeat_interleave(
              x, torch.as_tensor(repeats), dim=dim))
def repeat_interleave(x, repeats, dim):
    return x.repeat_interleave(repeats, dim)


@register("roll", samples=[Sample(((3, 4),), (), {"shifts": 5, "dims": None}),
                           Sample(((3, 4),), (), {"shifts": (1, -1), "dims": (0, 1)})],
          reference=lambda x, shifts, dims: np.roll(x, shifts, axis=dims),
          torch=lambda torch, x, shifts, dims: torch.roll(x, shifts, dims))
def roll(x, shifts, dims):
    return x.roll(shifts, dims)


@register("diagonal", samples=[Sample(((3, 4),), (), {"offset": 0, "dim1": 0, "dim2": 1}),
                               Sample(((3, 4, 5),), (), {"offset": 1, "dim1": 2, "dim2": 0}),
                               Sample(((4, 3),), (), {"offset": -2, "dim1": 0, "dim2": 1})],
          reference=lambda x, offset, dim1, dim2: np.diagonal(x, offset, dim1, dim2),
          torch=lambda torch, x, offset, dim1, dim2: torch.diagonal(x, offset, dim1, dim2))
def diagonal(x, offset, dim1, dim2):
    return x.diagonal(offset, dim1, dim2)


_TRIANGLES = [Sample(((2, 3, 4),), (), {"diagonal": 0}), Sample(((3, 4),), (), {"diagonal": 1}),
              Sample(((4, 3),), (), {"diagonal": -1})]


@register("tril", samples=_TRIANGLES, reference=lambda x, diagonal: np.tril(x, diagonal),
          torch=lambda torch, x, diagonal: torch.tril(x, diagonal))
def tril(x, diagonal):
    return x.tril(diagonal)


@register("triu", samples=_TRIANGLES, reference=lambda x, diagonal: np.triu(x, diagonal),
          torch=lambda torch, x, diagonal: torch.triu(x, diagonal))
def triu(x, diagonal):
    return x.triu(diagonal)


@register("outer", samples=[Sample(((3,), (4,)))],
          reference=np.outer, torch=lambda torch, x, y: torch.outer(x, y))
def outer(x, y):
    return x.outer(y)


# ---- ordering: the values (the indices have no gradient) ----------------------------------
def _sorted(x, dim, descending):
    return -np.sort(-x, axis=dim) if descending else np.sort(x, axis=dim)


@register("sort", samples=[Sample(((3, 4),), ("distinct",), {"dim": 1, "descending": True}),
                           Sample(((3, 4),), ("distinct",), {"dim": 0, "descending": False})],
          reference=_sorted,
          torch=lambda torch, x, dim, descending: torch.sort(x, dim, descending).values)
def sort(x, dim, descending):
    """The values of Tensor.sort(dim, descending)."""
    return x.sort(dim, descending).values


@register("topk", samples=[Sample(((3, 4),), ("distinct",), {"k": 2, "dim": -1,
                                                             "largest": True}),
                           Sample(((3, 4),), ("distinct",), {"k": 3, "dim": 0,
                                                             "largest": False})],
          reference=lambda x, k, dim, largest: np.take(_sorted(x, dim, largest), np.arange(k),
                                                       axis=dim),
          torch=lambda torch, x, k, dim, largest: torch.topk(x, k, dim, largest).values)
def topk(x, k, dim, largest):
    """The values of Tensor.topk(k, dim, largest)."""
    return x.topk(k, dim, largest).values


# ---- functions of several tensors -------------------------------------------------------
@register("stack", samples=[Sample(((3, 4), (3, 4), (3, 4)), (), {"dim": 1}),
                            Sample(((2,), (2,)), (), {"dim": -1})],
          reference=lambda *xs, dim: np.stack(xs, axis=dim),
          torch=lambda torch, *xs, dim: torch.stack(xs, dim))
def stack(*tensors, dim):
    return _stack(tensors, dim)


@register("dot", samples=[Sample(((4,), (4,)))],
          reference=np.dot, torch=lambda torch, x, y: torch.dot(x, y))
def dot(x, y):
    return x.dot(y)


@register("mm", samples=[Sample(((3, 4), (4, 2)))],
          reference=np.matmul, torch=lambda torch, x, y: torch.mm(x, y))
def mm(x, y):
    return x.mm(y)


@register("bmm", samples=[Sample(((2, 3, 4), (2, 4, 5)))],
          reference=np.matmul, torch=lambda torch, x, y: torch.bmm(x, y))
def bmm(x, y):
    return x.bmm(y)


@register("meshgrid", samples=[Sample(((3,), (4,)), (), {"indexing": "ij"}),
                               Sample(((3,), (4,), (2,)), (), {"indexing": "xy"})],
          reference=lambda *xs, indexing: np.stack(np.meshgrid(*xs, indexing=indexing)),
          torch=lambda torch, *xs, indexing: torch.stack(torch.meshgrid(*xs,
                                                                        indexing=indexing)))
def meshgrid(*tensors, indexing):
    """tl.meshgrid's grids, stacked into one tensor."""
    return _stack(_meshgrid(*tensors, indexing=indexing))


# x1 > 0 > x2: no zero distance, no zero coordinate difference (the kinks of p = 1 and 2)
_APART = ("positive", _negative)


@register("cdist", samples=[Sample(((3, 4), (5, 4)), _APART, {"p": 2.0}),
                            Sample(((2, 3, 4), (2, 5, 4)), _APART, {"p": 1.0}),
                            Sample(((3, 4), (5, 4)), _APART, {"p": 3.0}),
                            Sample(((3, 4), (5, 4)), (_ladder, _tiny_negative),   # no ties
                                   {"p": float("inf")})],
          reference=lambda x1, x2, p: np.linalg.norm(x1[..., :, None, :] - x2[..., None, :, :],
                                                     ord=p, axis=-1),
          torch=lambda torch, x1, x2, p: torch.cdist(x1, x2, p=p))
def cdist(x1, x2, p):
    return _cdist(x1, x2, p)
