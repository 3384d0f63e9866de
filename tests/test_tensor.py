"""The Tensor API: creation, dtypes, conversion, operators, reductions, shapes, indexing,
and the errors a user meets."""
import numpy as np
import pytest

import tinygrad_lite as tl


def x64(*shape):
    return tl.randn(*shape, dtype=tl.float64, requires_grad=True)


# ---- creation and dtypes ------------------------------------------------------------------
@pytest.mark.parametrize("data, dtype", [
    (1.5, tl.float32), ([1.0, 2.0], tl.float32), (np.ones(2), tl.float64),
    (np.ones(2, np.float32), tl.float32), ([1, 2], tl.int64), (np.arange(3, dtype=np.int32),
                                                              tl.int32),
    ([True, False], tl.bool), (np.float64(2.0), tl.float64)])
def test_default_dtypes(data, dtype):
    assert tl.tensor(data).dtype == dtype


def test_explicit_dtype_and_bad_data():
    assert tl.tensor([1, 2], dtype=tl.float64).dtype == tl.float64
    assert tl.tensor([1, 2], dtype=np.float16).dtype == tl.float16
    with pytest.raises(TypeError, match="cannot make a tensor from str"):
        tl.tensor("abc")
    with pytest.raises(TypeError, match="not a dtype"):
        tl.tensor([1], dtype="nonsense")


@pytest.mark.parametrize("factory", [tl.zeros, tl.ones, tl.rand, tl.randn, tl.empty])
def test_factories_take_ints_or_a_tuple(factory):
    assert factory(2, 3).shape == (2, 3) == factory((2, 3)).shape
    assert factory(2, dtype=tl.float64).dtype == tl.float64
    assert factory(2, requires_grad=True).requires_grad


def test_other_factories():
    assert tl.arange(5).dtype == tl.int64 and tl.arange(0, 1, 0.25).shape == (4,)
    assert tl.full((2, 2), 7.0)._data.sum() == 28 and tl.eye(3)._data.trace() == 3
    r = tl.randint(0, 10, (100,))
    assert r.dtype == tl.int64 and 0 <= r._data.min() and r._data.max() < 10
    like = tl.zeros_like(tl.ones(2, 3, dtype=tl.float64))
    assert like.shape == (2, 3) and like.dtype == tl.float64
    with pytest.raises(ValueError, match="non-negative"):
        tl.zeros(-1)


def test_manual_seed_makes_draws_reproducible():
    tl.manual_seed(5)
    a = tl.randn(4)._data.copy()
    tl.manual_seed(5)
    np.testing.assert_array_equal(a, tl.randn(4)._data)


# ---- conversion ---------------------------------------------------------------------------
def test_conversions():
    t = tl.tensor([[1.0, 2.0]])
    assert t.tolist() == [[1.0, 2.0]] and np.asarray(t).shape == (1, 2)
    assert tl.tensor(3.0).item() == 3.0 and float(tl.tensor([2.5])) == 2.5
    assert t.double().dtype == tl.float64 and t.long().dtype == tl.int64
    assert t.to(tl.float64).dtype == tl.float64 and t.astype(np.float32) is t
    assert t.size() == (1, 2) and t.size(-1) == 2 and t.numel() == 2 and t.dim() == 2
    with pytest.raises(ValueError, match=r"one-element tensor.*\(1, 2\)"):
        t.item()
    with pytest.raises(RuntimeError, match="detach"):
        x64(2).numpy()


def test_iteration_and_use_as_a_list_index():
    counts = [0, 0, 0]
    for label in tl.tensor([2, 0, 2]):
        counts[label] += 1
    assert counts == [1, 0, 2]
    with pytest.raises(TypeError, match="one-element integer tensor"):
        counts[tl.tensor(1.0)]


def test_devices_are_accepted_and_everything_stays_on_the_cpu():
    t = tl.ones(2)
    device = tl.device("cuda" if tl.cuda.is_available() else "cpu")
    assert t.to(device) is t and t.cpu() is t and t.device == tl.device("cpu")
    assert t.to("cpu", tl.float64).dtype == tl.float64
    with pytest.warns(UserWarning, match="no cuda backend"):
        assert t.cuda() is t            # the lecture's `out = out.cuda()`
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        tl.device("tpu")


def test_cast_between_floats_is_differentiable():
    x = x64(3)
    y = x.float() * 2
    assert y.dtype == tl.float32
    y.sum().backward()
    assert x.grad.dtype == tl.float64
    np.testing.assert_allclose(x.grad._data, 2.0)


def test_detach_and_clone():
    x = x64(3)
    assert not x.detach().requires_grad and x.detach()._data is x._data
    c = x.clone()
    (c * 3).sum().backward()
    assert c._data is not x._data and np.allclose(x.grad._data, 3)


# ---- operators ----------------------------------------------------------------------------
def test_scalar_operands_keep_the_tensor_dtype():
    t = tl.ones(2)
    for result in (t + 1, 1 + t, t * 2.5, 2.5 * t, t / 2, 2 / t, t - 1, 1 - t, t ** 2, 2 ** t):
        assert result.dtype == tl.float32
    assert (tl.tensor([1, 2]) * 2.5).dtype == tl.float32
    assert (tl.tensor([1, 2]) / tl.tensor([2, 2])).dtype == tl.float32
    np.testing.assert_allclose((2 ** tl.tensor([1.0, 3.0]))._data, [2, 8])
    np.testing.assert_allclose((1 - t)._data, 0)


def test_mixed_float_dtypes_promote_like_torch():
    assert (tl.ones(2) + tl.ones(2, dtype=tl.float64)).dtype == tl.float64
    assert (tl.ones(2) + tl.tensor([1, 2])).dtype == tl.float32


def test_reflected_ops_with_numpy_arrays():
    t = tl.ones(2)
    result = np.array([1.0, 2.0]) + t
    assert isinstance(result, tl.Tensor)


def test_comparisons_give_bool_tensors_without_grad():
    x = x64(4)
    for mask in (x > 0, x >= 0, x < 0, x <= 0, x == x, x != 0):
        assert mask.dtype == tl.bool and not mask.requires_grad
    assert (~(x > 0))._data.tolist() == (x._data <= 0).tolist()


def test_broadcast_error_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"add: shapes \(3, 4\) and \(5,\) cannot be broadcast"):
        tl.ones(3, 4) + tl.ones(5)


@pytest.mark.parametrize("a, b", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
                                  ((5, 2, 3), (3, 4)), ((2, 1, 2, 3), (4, 3, 2)),
                                  ((3,), (2, 3, 4))])
def test_matmul_shapes_match_numpy(a, b):
    x, y = x64(*a), x64(*b)
    out = x @ y
    np.testing.assert_allclose(out._data, np.matmul(x._data, y._data))
    assert tl.gradcheck(lambda p, q: p @ q, (x, y))


def test_matmul_errors():
    with pytest.raises(ValueError, match=r"matmul: shapes \(64, 784\) and \(256, 128\) are "
                                         r"incompatible: 784 != 256"):
        tl.ones(64, 784) @ tl.ones(256, 128)
    with pytest.raises(ValueError, match="batch dims"):
        tl.ones(2, 3, 4) @ tl.ones(3, 4, 5)
    with pytest.raises(ValueError, match="at least 1 dim"):
        tl.tensor(2.0) @ tl.ones(2)
    assert tl.ones(3).dot(tl.ones(3)).item() == 3


# ---- reductions ---------------------------------------------------------------------------
@pytest.mark.parametrize("dim, keepdim", [(None, False), (0, False), (-1, True), ((0, 2), False),
                                          ((0, 2), True)])
@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "amax", "amin"])
def test_reductions_match_numpy_and_gradcheck(name, dim, keepdim):
    x = tl.tensor(np.random.default_rng(0).permutation(24).reshape(2, 3, 4) / 10.0,
                  dtype=tl.float64, requires_grad=True)
    reference = {"sum": np.sum, "mean": np.mean, "amax": np.amax, "amin": np.amin,
                 "var": lambda a, axis, keepdims: np.var(a, axis=axis, ddof=1, keepdims=keepdims),
                 "std": lambda a, axis, keepdims: np.std(a, axis=axis, ddof=1, keepdims=keepdims)}
    axis = dim if not isinstance(dim, tuple) else tuple(dim)
    out = getattr(x, name)(dim, keepdim=keepdim)
    np.testing.assert_allclose(out._data, reference[name](x._data, axis=axis, keepdims=keepdim))
    assert tl.gradcheck(lambda t: getattr(t, name)(dim, keepdim=keepdim), (x,))


def test_numpy_style_axis_keywords_and_biased_var():
    x = x64(3, 4)
    np.testing.assert_allclose(x.sum(axis=1, keepdims=True)._data, x._data.sum(1, keepdims=True))
    np.testing.assert_allclose(x.var(1, unbiased=False)._data, x._data.var(1))


def test_max_with_dim_returns_values_and_indices():
    x = tl.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    values, indices = x.max(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    _, pred = tl.max(x, 1)               # the lecture's `_, pred = torch.max(out, 1)`
    assert pred.tolist() == [1, 0]
    values.sum().backward()
    assert x.grad.tolist() == [[0, 1, 0], [1, 0, 0]]
    assert x.min(0, keepdim=True).values.shape == (1, 3)
    assert x.max().item() == 7.0 and x.argmax().item() == 3 and x.argmin(1).tolist() == [0, 1]


def test_softmax_family_is_stable_for_huge_logits():
    x = tl.tensor([[1e4, 0.0, -1e4], [5.0, 5.0, 5.0]])
    for out in (x.softmax(1), x.log_softmax(1), x.logsumexp(1)):
        assert np.isfinite(out._data).all()
    np.testing.assert_allclose(x.softmax(-1)._data.sum(1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(x.logsumexp(1)._data, [1e4, 5 + np.log(3)], rtol=1e-6)


def test_softmax_family_gradcheck_on_other_dims():
    x = x64(2, 3, 4)
    for fn in (lambda t: t.softmax(0), lambda t: t.log_softmax(-2),
               lambda t: t.logsumexp(2, keepdim=True)):
        assert tl.gradcheck(fn, (x,))


# ---- shapes -------------------------------------------------------------------------------
def test_shape_ops_values():
    x = tl.arange(24).reshape(2, 3, 4)
    assert x.reshape(-1, 4).shape == (6, 4) and x.view(4, -1).shape == (4, 6)
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12)
    assert x.transpose(0, 2).shape == (4, 3, 2) and x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.T.shape == (4, 3, 2)
    assert x.unsqueeze(0).shape == (1, 2, 3, 4) and x.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert tl.ones(1, 3, 1).squeeze().shape == (3,) and tl.ones(1, 3, 1).squeeze(0).shape == (3, 1)
    assert tl.ones(3, 1).expand(2, 3, 4).shape == (2, 3, 4)
    assert tl.ones(3, 1).expand(-1, 5).shape == (3, 5)
    assert [p.shape for p in x.split(2, dim=2)] == [(2, 3, 2), (2, 3, 2)]
    assert [p.shape for p in x.split([1, 2], dim=1)] == [(2, 1, 4), (2, 2, 4)]
    assert [p.shape for p in x.chunk(3, dim=1)] == [(2, 1, 4)] * 3
    assert tl.cat([x, x], dim=1).shape == (2, 6, 4) and tl.stack([x, x], 1).shape == (2, 2, 3, 4)
    assert tl.ones(2, 3).pad((1, 2)).shape == (2, 6) and tl.ones(2, 3).pad((1, 1, 2, 0)).shape == \
        (4, 5)


def test_shape_ops_gradcheck():
    x, y = x64(2, 3, 4), x64(2, 1, 4)
    cases = [lambda a: a.reshape(6, 4), lambda a: a.flatten(1), lambda a: a.transpose(0, 2),
             lambda a: a.T, lambda a: a.unsqueeze(1).squeeze(1), lambda a: a[:, :1].expand(2, 5, 4),
             lambda a: a.split([1, 2], 1)[1], lambda a: a.chunk(2, 2)[0],
             lambda a: a.pad((1, 2, 0, 1), value=3.0), lambda a: tl.cat([a, y], 1),
             lambda a: tl.stack([a, a * 2], 0)]
    for fn in cases:
        assert tl.gradcheck(fn, (x,))


def test_shape_errors_name_the_op():
    x = tl.ones(4, 4)
    with pytest.raises(ValueError, match=r"reshape: shape \(3, 5\) is invalid for input of shape "
                                         r"\(4, 4\) \(16 elements\)"):
        x.reshape(3, 5)
    with pytest.raises(IndexError, match=r"transpose: dim 2 is out of range .*valid: -2 to 1"):
        x.transpose(0, 2)
    with pytest.raises(ValueError, match="not a permutation"):
        x.permute(0, 0)
    with pytest.raises(ValueError, match="broadcast_to"):
        tl.ones(3).broadcast_to((4,))
    with pytest.raises(ValueError, match="cat: shapes"):
        tl.cat([tl.ones(2, 3), tl.ones(2, 4)], 0)
    with pytest.raises(ValueError, match="stack: all tensors need the same shape"):
        tl.stack([tl.ones(2), tl.ones(3)])
    with pytest.raises(ValueError, match="split: sections"):
        x.split([1, 2], 0)


# ---- indexing -----------------------------------------------------------------------------
def test_getitem_basic_advanced_and_mask():
    x = x64(4, 5)
    np.testing.assert_allclose(x[1]._data, x._data[1])
    np.testing.assert_allclose(x[1:3, ::2]._data, x._data[1:3, ::2])
    np.testing.assert_allclose(x[None, ..., 0]._data, x._data[None, ..., 0])
    idx = tl.tensor([0, 3, 0])
    np.testing.assert_allclose(x[idx]._data, x._data[[0, 3, 0]])
    mask = x > 0
    np.testing.assert_allclose(x[mask]._data, x._data[x._data > 0])
    np.testing.assert_allclose(x[[0, 1], [2, 3]]._data, x._data[[0, 1], [2, 3]])


def test_getitem_gradients_accumulate_repeated_indices():
    x = x64(4)
    x[tl.tensor([0, 0, 2])].sum().backward()
    np.testing.assert_allclose(x.grad._data, [2, 0, 1, 0])
    for index in (1, slice(1, 3), (tl.tensor([1, 1]),), x.detach() > 0):
        assert tl.gradcheck(lambda t: t[index], (x64(4),))


def test_getitem_errors_name_the_shape():
    with pytest.raises(IndexError, match=r"getitem: .*out of bounds.*\(tensor shape \(3,\)\)"):
        tl.ones(3)[5]


def test_setitem_only_outside_the_graph():
    x = tl.zeros(3)
    x[1] = 5.0
    assert x.tolist() == [0, 5, 0]
    w = x64(3)
    with pytest.raises(RuntimeError, match="__setitem__: in-place operation on a leaf"):
        w[0] = 1.0
    with tl.no_grad():
        w[0] = 1.0
    assert w._data[0] == 1.0


def test_gather_matches_torch_semantics():
    x = x64(2, 3)
    index = tl.tensor([[2, 0], [1, 1]])
    np.testing.assert_allclose(x.gather(1, index)._data, np.take_along_axis(x._data, index._data, 1))
    assert tl.gradcheck(lambda t: t.gather(1, index), (x,))


def test_where_and_elementwise_functions():
    a, b = x64(3), x64(3)
    out = tl.where(a > 0, a, b)
    np.testing.assert_allclose(out._data, np.where(a._data > 0, a._data, b._data))
    np.testing.assert_allclose(tl.where(a > 0, a, 0.0)._data, np.where(a._data > 0, a._data, 0))
    for name in ("exp", "sin", "cos", "tanh", "sigmoid", "relu", "abs"):
        np.testing.assert_allclose(getattr(tl, name)(a)._data, getattr(a, name)()._data)
    np.testing.assert_allclose(a.clamp(min=0)._data, np.clip(a._data, 0, None))
    np.testing.assert_allclose(tl.maximum(a, b)._data, np.maximum(a._data, b._data))
    with pytest.raises(TypeError, match="where: condition must be a bool"):
        tl.where(a, a, b)
    with pytest.raises(ValueError, match="clamp: give at least one"):
        a.clamp()


def test_repr():
    assert repr(tl.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert "requires_grad=True" in repr(x64(2))
    assert "grad_fn=<MulBackward>" in repr(x64(2) * 2)
    assert "dtype=float64" in repr(tl.tensor(np.ones(1)))


# ---- PyTorch's finer points ----------------------------------------------------------------
def test_weak_scalars_and_zero_dim_tensors_do_not_upcast():
    assert (tl.ones(2) * np.float64(2)).dtype == tl.float32
    assert (tl.ones(3) + tl.tensor(np.array(1.0))).dtype == tl.float32
    assert (tl.tensor([1, 2]) + tl.tensor(np.array(1.5))).dtype == tl.float64
    assert (tl.tensor([True]) + tl.tensor(2)).dtype == tl.int64
    assert (tl.tensor([1, 2]) * np.int64(3)).dtype == tl.int64


def test_float_functions_of_integers_give_float32():
    ints = tl.tensor([1, 2, 3])
    for name in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid"):
        assert getattr(ints, name)().dtype == tl.float32
    assert ints.softmax(0).dtype == tl.float32 and ints.relu().dtype == tl.int64
    assert tl.tensor([2, 1, 0]).clamp(0.5, 2).tolist() == [2.0, 1.0, 0.5]
    assert (ints @ ints).item() == 14


def test_zero_dim_edge_cases():
    x = tl.tensor(2.0)
    assert x.softmax(0).item() == 1.0 and x.log_softmax(0).item() == 0.0
    values, index = x.max(0)
    assert values.item() == 2.0 and index.item() == 0


def test_logsumexp_over_a_tuple_of_dims():
    x = tl.randn(2, 3, 4, dtype=tl.float64, requires_grad=True)
    expected = np.log(np.exp(x._data).sum(axis=(0, 2)))
    np.testing.assert_allclose(x.logsumexp((0, 2))._data, expected)
    assert x.logsumexp((0, 2), keepdim=True).shape == (1, 3, 1)
    assert tl.gradcheck(lambda t: t.logsumexp((0, 2)), (x,))


def test_assigning_data_swaps_the_array():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.data -= 0.5 * x.grad              # the manual SGD line of many PyTorch tutorials
    assert isinstance(x._data, np.ndarray) and x.tolist() == [0.0, 0.0]
    x.data = tl.tensor([5.0, 6.0])
    assert x.tolist() == [5.0, 6.0]
    with pytest.raises(TypeError, match="assign a NumPy array or a Tensor"):
        x.data = [1.0]


def test_more_torch_functions():
    y = tl.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert y.flip(0).tolist() == [[3, 4], [1, 2]] and y.cumsum(1).tolist() == [[1, 3], [3, 7]]
    assert y.norm().item() == pytest.approx(np.sqrt(30)) and y.norm(p=1, dim=0).tolist() == [4, 6]
    assert y.masked_fill(y > 2, 0.0).tolist() == [[1, 2], [0, 0]]
    assert tl.mm(y, y).tolist() == [[7, 10], [15, 22]] and tl.bmm(y[None], y[None]).shape == \
        (1, 2, 2)
    assert tl.tensor([np.nan, 1.0]).isnan().tolist() == [True, False]
    assert tl.randint(10, (3,)).shape == (3,) and sorted(tl.randperm(4).tolist()) == [0, 1, 2, 3]
    assert tl.linspace(0, 1, 5).tolist() == [0, 0.25, 0.5, 0.75, 1]
    shared = np.zeros(2)
    tl.from_numpy(shared)[0] = 1.0
    assert shared[0] == 1.0
    x = tl.randn(3, 4, dtype=tl.float64, requires_grad=True)
    assert tl.gradcheck(lambda t: t.flip(1).cumsum(0).norm() + t.masked_fill(t > 0, 1.0).sum(),
                        (x,))
    with pytest.raises(ValueError, match="mm: expects two 2-D tensors"):
        tl.mm(tl.ones(3), tl.ones(3))


def test_no_grad_as_a_bare_decorator():
    @tl.no_grad
    def double(t):
        return t * 2
    assert not double(tl.ones(2, requires_grad=True)).requires_grad


def test_torch_conveniences_match_numpy_and_gradcheck():
    x = tl.randn(2, 3, dtype=tl.float64, requires_grad=True)
    assert x.t().shape == (3, 2) and x.mT.shape == (3, 2) and x.view_as(tl.ones(3, 2)).shape == \
        (3, 2)
    assert x.expand_as(tl.ones(4, 2, 3)).shape == (4, 2, 3) and x.type_as(tl.ones(1)).dtype == \
        tl.float32
    np.testing.assert_allclose(x.repeat(2, 1, 3)._data, np.tile(x._data, (2, 1, 3)))
    assert [u.shape for u in x.unbind(1)] == [(2,)] * 3
    np.testing.assert_allclose(x.square()._data, x._data ** 2)
    assert tl.tensor([[True, False], [True, True]]).all(1).tolist() == [False, True]
    assert tl.tensor([[0, 0], [0, 1]]).any(0, keepdim=True).tolist() == [[False, True]]
    import math
    np.testing.assert_allclose(x.erf()._data, np.vectorize(math.erf)(x._data), rtol=1e-14)
    for fn in (lambda t: t.repeat(2, 2), lambda t: t.unbind(0)[1], lambda t: t.t().square(),
               lambda t: t.erf()):
        assert tl.gradcheck(fn, (x,))
    with pytest.raises(ValueError, match="repeat: needs at least 2 sizes"):
        x.repeat(2)
