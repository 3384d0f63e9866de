"""Property-based tests (hypothesis): random shapes that broadcast, random dims and keepdim,
random basic and advanced indexing. The forward must equal NumPy's, and the gradients must
pass gradcheck in float64."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tl

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def leaf(array):
    return tl.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def values(shape, seed):
    """Values away from 0 (|x| in [0.5, 1.5], random sign): no kink or pole of the ops below."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                 max_side=3),
       op=st.sampled_from(["add", "sub", "mul", "div", "maximum"]),
       seed=st.integers(0, 2**16))
def test_broadcasting_binary_ops(shapes, op, seed):
    a_shape, b_shape = shapes.input_shapes
    a, b = values(a_shape, seed), values(b_shape, seed + 1) * 1.7   # no ties for maximum
    expected = getattr(np, {"sub": "subtract", "mul": "multiply", "div": "divide"}.get(op, op))(a, b)
    result = getattr(tl, op)(leaf(a), leaf(b))
    np.testing.assert_allclose(result.detach().numpy(), expected, rtol=1e-12)
    assert tl.gradcheck(lambda x, y: getattr(tl, op)(x, y), (leaf(a), leaf(b)))


@st.composite
def shape_and_dims(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    ndim = len(shape)
    dims = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1),
                          st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                                   unique=True).map(tuple)))
    return shape, dims


@SETTINGS
@given(case=shape_and_dims(), keepdim=st.booleans(),
       op=st.sampled_from(["sum", "mean", "amax", "logsumexp", "var"]), seed=st.integers(0, 99))
def test_reductions_over_random_dims(case, keepdim, op, seed):
    shape, dims = case
    x = values(shape, seed)
    if op == "logsumexp" and dims is None:
        return                                # PyTorch's logsumexp needs a dim
    reference = {"sum": np.sum, "mean": np.mean, "amax": np.max,
                 "var": lambda a, axis, keepdims: np.var(a, axis=axis, keepdims=keepdims,
                                                         ddof=1),
                 "logsumexp": lambda a, axis, keepdims: np.log(np.sum(
                     np.exp(a), axis=axis, keepdims=keepdims))}[op]
    count = x.size if dims is None else int(np.prod([shape[d] for d in np.atleast_1d(dims)]))
    if op == "var" and count < 2:
        return                                # unbiased variance of one number is undefined
    axis = dims if dims is None or isinstance(dims, int) else tuple(dims)
    expected = reference(x, axis=axis, keepdims=keepdim)

    def fn(t):
        return getattr(t, op)(dim=dims, keepdim=keepdim) if dims is not None else \
            getattr(t, op)()

    result = fn(leaf(x))
    if not keepdim or dims is not None:
        np.testing.assert_allclose(result.detach().numpy(), expected, rtol=1e-10)
    assert tl.gradcheck(fn, (leaf(x),))


@st.composite
def basic_index(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    index = draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True))
    return shape, index


@SETTINGS
@given(case=basic_index(), seed=st.integers(0, 99))
def test_basic_indexing_matches_numpy_and_gradchecks(case, seed):
    shape, index = case
    x = values(shape, seed)
    expected = x[index]
    result = leaf(x)[index]
    np.testing.assert_array_equal(result.detach().numpy(), expected)
    if expected.size:
        assert tl.gradcheck(lambda t: t[index], (leaf(x),))


@st.composite
def advanced_index(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    index = draw(hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(
        min_dims=1, max_dims=2, max_side=4)))
    return shape, index


@SETTINGS
@given(case=advanced_index(), seed=st.integers(0, 99))
def test_integer_array_indexing_accumulates_repeated_indices(case, seed):
    """Integer arrays on leading dims (the same in PyTorch and NumPy): repeated indices
    must add up in the gradient."""
    shape, index = case
    x = values(shape, seed)
    index_tensors = tuple(tl.tensor(i.astype(np.int64)) for i in index)
    result = leaf(x)[index_tensors]
    np.testing.assert_array_equal(result.detach().numpy(), x[index])
    t = leaf(x)
    t[index_tensors].sum().backward()
    expected_grad = np.zeros(shape)
    np.add.at(expected_grad, index, 1.0)
    np.testing.assert_array_equal(t.grad.numpy(), expected_grad)
    assert tl.gradcheck(lambda a: a[index_tensors] * 2, (leaf(x),))


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       seed=st.integers(0, 99))
def test_boolean_mask_indexing(shape, seed):
    x = values(shape, seed)
    mask = np.random.default_rng(seed).random(shape) > 0.5
    np.testing.assert_array_equal(leaf(x)[tl.tensor(mask)].detach().numpy(), x[mask])
    if mask.any():
        assert tl.gradcheck(lambda a: a[tl.tensor(mask)], (leaf(x),))

