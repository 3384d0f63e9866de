"""The ops that are compositions of registered ops (so not in the registry's own checks):
each against PyTorch (values and gradients) and gradient-checked to second order in float64.
Each case is written once as `fn(lib, *tensors)` and run with lib = torch and lib = tl."""
import numpy as np
import pytest

import tinygrad_lite as tl

RNG = np.random.default_rng(0)


def real(*shape):
    """Values away from 0 (|x| in [0.3, 1.5]), so no op sits on a kink."""
    return RNG.uniform(0.3, 1.5, shape) * RNG.choice([-1.0, 1.0], shape)


def positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def distinct(*shape):
    return RNG.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 0.3


IDX = [[0, 1, 2], [3, 2, 0], [1, 0, 2]]          # scatter targets without repeats
IDX_REPEATED = [[0, 1, 1], [3, 3, 0], [1, 0, 2]]

CASES = {
    "frac": (lambda lib, a: lib.frac(a * 3), [real(3, 4)]),
    "log2": (lambda lib, a: lib.log2(a), [positive(3, 4)]),
    "log10": (lambda lib, a: a.log10(), [positive(3, 4)]),
    "reciprocal": (lambda lib, a: lib.reciprocal(a), [real(3, 4)]),
    "rsqrt": (lambda lib, a: lib.rsqrt(a), [positive(3, 4)]),
    "logaddexp": (lambda lib, a, b: lib.logaddexp(a, b), [real(3, 4), real(4)]),
    "logaddexp_large": (lambda lib, a, b: lib.logaddexp(a * 800, b * 800), [real(5), real(5)]),
    "hypot": (lambda lib, a, b: lib.hypot(a, b), [real(3, 4), real(3, 4)]),
    "lerp_scalar": (lambda lib, a, b: lib.lerp(a, b, 0.3), [real(3, 4), real(3, 4)]),
    "lerp_tensor": (lambda lib, a, b, w: lib.lerp(a, b, w), [real(3, 4), real(4), real(3, 1)]),
    "prod_all": (lambda lib, a: lib.prod(a), [real(3, 4)]),
    "prod_dim": (lambda lib, a: a.prod(1, keepdim=True), [real(3, 4)]),
    "prod_one_zero": (lambda lib, a: (a * lib.tensor([1.0, 0, 1, 1], dtype=a.dtype)).prod(1),
                      [real(3, 4)]),
    "prod_two_zeros": (lambda lib, a: (a * lib.tensor([1.0, 0, 1, 0], dtype=a.dtype)).prod(),
                       [real(3, 4)]),
    "index_select": (lambda lib, a: a.index_select(1, lib.tensor([3, 0, 3])), [real(3, 4)]),
    "index_add": (lambda lib, a, s: a.index_add(1, lib.tensor([3, 0, 3, 1, 1]), s, alpha=2),
                  [real(3, 4), real(3, 5)]),
    "scatter": (lambda lib, a, s: a.scatter(1, lib.tensor(IDX), s), [real(3, 4), real(3, 3)]),
    "scatter_value": (lambda lib, a: a.scatter(1, lib.tensor(IDX), 2.5), [real(3, 4)]),
    "scatter_add": (lambda lib, a, s: lib.scatter_add(a, 1, lib.tensor(IDX_REPEATED), s),
                    [real(3, 4), real(3, 3)]),
    "gather": (lambda lib, a: lib.gather(a, 0, lib.tensor([[2, 0, 1, 1], [0, 0, 2, 1]])),
               [real(3, 4)]),
    "masked_select": (lambda lib, a: a.masked_select(lib.tensor([[True, False, True, True]])),
                      [real(3, 4)]),
    "cumprod": (lambda lib, a: lib.cumprod(a, 1), [real(3, 4)]),
    "cumprod_zeros": (lambda lib, a: (a * lib.tensor([1.0, 0, 1, 0], dtype=a.dtype)).cumprod(1),
                      [real(3, 4)]),
    "movedim": (lambda lib, a: lib.movedim(a, (0, 1), (2, 0)), [real(2, 3, 4)]),
    "moveaxis": (lambda lib, a: a.moveaxis(-1, 0), [real(2, 3, 4)]),
    "unflatten": (lambda lib, a: a.unflatten(1, (2, -1)), [real(3, 4)]),
    "tile": (lambda lib, a: lib.tile(a, (2,)), [real(3, 4)]),
    "tile_more_dims": (lambda lib, a: a.tile((2, 1, 2)), [real(3, 4)]),
    "repeat_interleave": (lambda lib, a: a.repeat_interleave(2), [real(3, 4)]),
    "repeat_interleave_dim": (lambda lib, a: lib.repeat_interleave(a, lib.tensor([1, 0, 3]),
                                                                   dim=0), [real(3, 4)]),
    "roll_flat": (lambda lib, a: lib.roll(a, 5), [real(3, 4)]),
    "roll_dims": (lambda lib, a: a.roll((1, -1), (0, 1)), [real(3, 4)]),
    "diagonal": (lambda lib, a: lib.diagonal(a), [real(3, 4)]),
    "diagonal_offset": (lambda lib, a: a.diagonal(1, 2, 0), [real(3, 4, 5)]),
    "diagonal_negative": (lambda lib, a: a.diagonal(-2), [real(4, 3)]),
    "tril": (lambda lib, a: lib.tril(a), [real(2, 3, 4)]),
    "triu": (lambda lib, a: a.triu(1), [real(3, 4)]),
    "tril_negative": (lambda lib, a: a.tril(-1), [real(4, 3)]),
    "outer": (lambda lib, a, b: lib.outer(a, b), [real(3), real(4)]),
    "sort": (lambda lib, a: lib.sort(a, 1, descending=True).values, [distinct(3, 4)]),
    "sort_dim0": (lambda lib, a: a.sort(0)[0], [distinct(3, 4)]),
    "topk": (lambda lib, a: lib.topk(a, 2).values, [distinct(3, 4)]),
    "topk_smallest": (lambda lib, a: a.topk(3, dim=0, largest=False)[0], [distinct(3, 4)]),
    "einsum_matmul": (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [real(3, 4), real(4, 2)]),
    "einsum_list": (lambda lib, a, b: lib.einsum("bij,bjk", [a, b]),
                    [real(2, 3, 4), real(2, 4, 2)]),
    "einsum_ellipsis": (lambda lib, a, b: lib.einsum("...ij,...jk->...ik", a, b),
                        [real(2, 1, 3, 4), real(5, 4, 2)]),
    "einsum_implicit": (lambda lib, a: lib.einsum("ba", a), [real(3, 4)]),
    "einsum_trace": (lambda lib, a: lib.einsum("ii", a), [real(3, 3)]),
    "einsum_diagonal_ellipsis": (lambda lib, a: lib.einsum("i...i->...i", a), [real(3, 2, 3)]),
    "einsum_dot": (lambda lib, a: lib.einsum("i,i->", a, a), [real(4)]),
    "einsum_three": (lambda lib, a, b, c: lib.einsum("ij,jk,kl->li", a, b, c),
                     [real(2, 3), real(3, 4), real(4, 2)]),
    "einsum_spaces": (lambda lib, a, b: lib.einsum("b i , b i -> b", a, b),
                      [real(2, 3), real(2, 3)]),
    "meshgrid_ij": (lambda lib, a, b: lib.stack(lib.meshgrid(a, b, indexing="ij")) *
                    lib.arange(24.0, dtype=a.dtype).reshape(2, 3, 4), [real(3), real(4)]),
    "meshgrid_xy": (lambda lib, a, b, c: lib.stack(lib.meshgrid([a, b, c], indexing="xy")) *
                    lib.arange(72.0, dtype=a.dtype).reshape(3, 4, 3, 2),
                    [real(3), real(4), real(2)]),
    "cdist_p2": (lambda lib, a, b: lib.cdist(a, b), [real(3, 4), real(5, 4)]),
    "cdist_p1": (lambda lib, a, b: lib.cdist(a, b, p=1), [real(2, 3, 4), real(2, 5, 4)]),
    "cdist_p3": (lambda lib, a, b: lib.cdist(a, b, p=3.0), [real(3, 4), real(5, 4)]),
    "cdist_inf": (lambda lib, a, b: lib.cdist(a, b, p=float("inf")),    # no ties in |diff|
                  [distinct(3, 4) * 3 + 0.05, real(5, 4) * 0.01]),
    "var_correction": (lambda lib, a: lib.var(a, 1, correction=2), [real(3, 5)]),
    "std_correction": (lambda lib, a: a.std(dim=0, correction=0, keepdim=True), [real(3, 5)]),
}


def _run(lib, fn, arrays, **kw):
    tensors = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
    return tensors, fn(lib, *tensors)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    fn, arrays = CASES[name]
    ours, out = _run(tl, fn, arrays)
    theirs, expected = _run(torch, fn, arrays)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    weights = RNG.standard_normal(out.shape)
    (out * tl.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_first_and_second_order(name):
    fn, arrays = CASES[name]
    tensors = [tl.tensor(a, dtype=tl.float64, requires_grad=True) for a in arrays]
    assert tl.gradcheck(lambda *ts: fn(tl, *ts), tensors)
    assert tl.gradgradcheck(lambda *ts: fn(tl, *ts), tensors)


# ---- non-differentiable results --------------------------------------------------------
def test_rounding_keeps_requires_grad_with_a_zero_gradient():
    x = tl.tensor([1.5, -2.7], requires_grad=True)
    for name in ["floor", "ceil", "trunc", "round"]:
        out = getattr(x, name)()
        assert out.requires_grad
        (g,) = tl.grad(out.sum(), [x])
        assert g.tolist() == [0.0, 0.0]
    assert tl.tensor([1, 2]).floor().dtype == tl.int64


def test_round_decimals_and_halves_to_even():
    assert tl.tensor([0.5, 1.5, 2.5, -0.5]).round().tolist() == [0.0, 2.0, 2.0, -0.0]
    np.testing.assert_allclose(tl.tensor([1.234, 5.678]).round(decimals=2).numpy(),
                               [1.23, 5.68], rtol=1e-6)


def test_logical_and_bitwise_ops():
    a, b = tl.tensor([1, 2, 3]), tl.tensor([3, 2, 0])
    assert (a & b).tolist() == [1, 2, 0] and (a | b).tolist() == [3, 2, 3]
    assert (a ^ b).tolist() == [2, 0, 3] and (~a).tolist() == [-2, -3, -4]
    assert tl.bitwise_xor(a, 1).tolist() == [0, 3, 2]
    t, f = tl.tensor([True, True, False]), tl.tensor([True, False, False])
    assert (~t).tolist() == [False, False, True] and (t ^ f).tolist() == [False, True, False]
    assert tl.logical_and(a, b).tolist() == [True, True, False]
    assert tl.logical_or(a, b).dtype == tl.bool
    assert tl.logical_xor(a, b).tolist() == [False, False, True]
    assert tl.logical_not(b).tolist() == [False, False, True]
    with pytest.raises(TypeError, match="bitwise_and"):
        tl.ones(2) & tl.ones(2)
    with pytest.raises(TypeError, match="bitwise_not"):
        ~tl.ones(2)


def test_isclose_allclose_equal():
    a = tl.tensor([1.0, 2.0, float("nan")])
    b = tl.tensor([1.0 + 1e-7, 2.1, float("nan")])
    assert a.isclose(b).tolist() == [True, False, False]
    assert tl.isclose(a, b, equal_nan=True).tolist() == [True, False, True]
    assert tl.allclose(a[:1], b[:1]) is True and tl.allclose(a, b) is False
    assert tl.equal(tl.tensor([1, 2]), tl.tensor([1, 2])) is True
    assert tl.equal(tl.tensor([1, 2]), tl.tensor([[1, 2]])) is False


def test_nonzero_and_argwhere_match_torch():
    torch = pytest.importorskip("torch")
    for data in [[[1, 0], [0, 2]], [0, 0], 3, 0]:
        assert tl.nonzero(tl.tensor(data)).tolist() == torch.nonzero(torch.tensor(data)).tolist()
        assert tl.argwhere(tl.tensor(data)).shape == tuple(torch.argwhere(
            torch.tensor(data)).shape)
        ours = tl.tensor(data).nonzero(as_tuple=True)
        theirs = torch.tensor(data).nonzero(as_tuple=True)
        assert [t.tolist() for t in ours] == [t.tolist() for t in theirs]


# ---- argument errors ----------------------------------------------------------------------
def test_gather_out_of_range_names_the_op_and_the_range():
    with pytest.raises(IndexError, match=r"gather: index values must lie in \[-3, 2\]"):
        tl.ones(3, 4).gather(0, tl.tensor([[0, 3]]))
    with pytest.raises(IndexError, match=r"scatter_add: index values"):
        tl.ones(3, 4).scatter_add(1, tl.tensor([[4]]), tl.ones(1, 1))
    with pytest.raises(IndexError, match=r"index_select: index values"):
        tl.ones(3, 4).index_select(1, tl.tensor([7]))


def test_index_dtype_and_dim_errors():
    with pytest.raises(TypeError, match="gather: index must be an integer"):
        tl.ones(3, 4).gather(0, tl.tensor([[0.0, 1.0]]))
    with pytest.raises(TypeError, match="scatter: index must be an integer"):
        tl.ones(3, 4).scatter(0, tl.tensor([[0.0]]), 1.0)
    with pytest.raises(tl.ShapeError, match="scatter: index must have 2 dims"):
        tl.ones(3, 4).scatter(0, tl.tensor([0]), 1.0)
    with pytest.raises(IndexError, match="index_select: dim 2 is out of range"):
        tl.ones(3, 4).index_select(2, tl.tensor([0]))
    with pytest.raises(tl.ShapeError, match="scatter_add: index of shape"):
        tl.ones(3, 4).scatter_add(1, tl.tensor([[0, 1, 2]]), tl.ones(3, 2))
    with pytest.raises(tl.ShapeError, match="index_add: source of shape"):
        tl.ones(3, 4).index_add(0, tl.tensor([0, 1]), tl.ones(3, 4))
    with pytest.raises(TypeError, match="same dtype"):
        tl.ones(3, 4).index_add(0, tl.tensor([0]), tl.ones(1, 4, dtype=tl.float64))


# ---- ordering, unique, one_hot: indices and counts ----------------------------------------
def test_sort_argsort_topk_indices_match_torch():
    torch = pytest.importorskip("torch")
    data = [[3.0, 1.0, 2.0, 1.0], [0.5, -1.0, 4.0, 2.0]]
    for kwargs in [{}, {"descending": True}, {"dim": 0}, {"dim": 0, "descending": True}]:
        ours, theirs = tl.tensor(data).sort(stable=True, **kwargs), \
            torch.tensor(data).sort(stable=True, **kwargs)
        assert ours.values.tolist() == theirs.values.tolist()
        assert ours.indices.tolist() == theirs.indices.tolist()
        assert tl.argsort(tl.tensor(data), stable=True, **kwargs).tolist() == \
            torch.argsort(torch.tensor(data), stable=True, **kwargs).tolist()
    values, indices = tl.tensor(data).topk(2)
    assert indices.tolist() == torch.tensor(data).topk(2).indices.tolist()
    assert not indices.requires_grad and indices.dtype == tl.int64
    assert tl.tensor([3, 1, 2]).sort().values.tolist() == [1, 2, 3]


def test_topk_k_out_of_range():
    with pytest.raises(IndexError, match=r"topk: k=5 is out of range .* \(valid: 0 to 4\)"):
        tl.ones(4).topk(5)


def test_unique_matches_torch():
    torch = pytest.importorskip("torch")
    data = [[3, 1, 3], [2, 1, 5]]
    ours = tl.unique(tl.tensor(data), return_inverse=True, return_counts=True)
    theirs = torch.unique(torch.tensor(data), return_inverse=True, return_counts=True)
    for a, b in zip(ours, theirs):
        assert a.tolist() == b.tolist()
    assert tl.tensor([2.0, 1.0, 2.0]).unique().tolist() == [1.0, 2.0]
    assert tl.unique(tl.tensor(data), return_counts=True)[1].tolist() == [2, 1, 2, 1]
    rows = [[1, 2], [0, 5], [1, 2]]
    for dim in (0, 1):
        ours = tl.tensor(rows).unique(dim=dim, return_inverse=True, return_counts=True)
        theirs = torch.tensor(rows).unique(dim=dim, return_inverse=True, return_counts=True)
        for a, b in zip(ours, theirs):
            assert a.tolist() == b.tolist()


def test_one_hot_matches_torch():
    torch = pytest.importorskip("torch")
    import nn.functional as F
    for labels, n in [([0, 2, 1], -1), ([[0, 3]], 5)]:
        ours = F.one_hot(tl.tensor(labels), n)
        theirs = torch.nn.functional.one_hot(torch.tensor(labels), n)
        assert ours.tolist() == theirs.tolist() and ours.dtype == tl.int64
    with pytest.raises(ValueError, match=r"one_hot: class values must lie in \[0, 2\]"):
        F.one_hot(tl.tensor([0, 5]), 3)
    with pytest.raises(TypeError, match="one_hot"):
        F.one_hot(tl.tensor([0.0, 1.0]))


def test_repeat_interleave_of_counts():
    assert tl.repeat_interleave(tl.tensor([1, 2])).tolist() == [0, 1, 1]
    with pytest.raises(ValueError, match="repeat_interleave"):
        tl.ones(3).repeat_interleave(tl.tensor([1, 2]))


def test_meshgrid_defaults_to_ij_and_checks_its_arguments():
    a, b = tl.meshgrid(tl.arange(3), tl.arange(2))
    assert a.shape == (3, 2) and a[:, 0].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="indexing"):
        tl.meshgrid(tl.arange(3), indexing="yx")


def test_cdist_zero_distance_has_zero_gradient_and_p0_counts():
    x = tl.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=tl.float64, requires_grad=True)
    tl.cdist(x, x.detach()).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    assert tl.cdist(tl.tensor([[1.0, 2.0]]), tl.tensor([[1.0, 5.0]]), p=0).tolist() == [[1.0]]
    with pytest.raises(tl.ShapeError, match="cdist"):
        tl.cdist(tl.ones(3, 4), tl.ones(3, 5))


def test_einsum_errors_name_the_equation():
    with pytest.raises(ValueError, match="names 2 operands but 1"):
        tl.einsum("ij,jk->ik", tl.ones(2, 3))
    with pytest.raises(tl.ShapeError, match="letter 'j'"):
        tl.einsum("ij,jk->ik", tl.ones(2, 3), tl.ones(4, 2))
    with pytest.raises(tl.ShapeError, match="has 2 letters"):
        tl.einsum("ij->", tl.ones(2, 3, 4))
    with pytest.raises(ValueError, match="output"):
        tl.einsum("ij->k", tl.ones(2, 3))


def test_shape_method_errors():
    with pytest.raises(IndexError, match="movedim: dim 3 is out of range"):
        tl.ones(2, 3).movedim(3, 0)
    with pytest.raises(ValueError, match="tril: needs a tensor with at least 2 dims"):
        tl.ones(3).tril()
    with pytest.raises(ValueError, match="outer: expects two 1-D"):
        tl.ones(3, 1).outer(tl.ones(2))
    with pytest.raises(ValueError, match="diagonal: dim1 and dim2 must differ"):
        tl.ones(3, 3).diagonal(0, 1, 1)
    with pytest.raises(ValueError, match="roll: 2 shifts for 1 dims"):
        tl.ones(3, 3).roll((1, 2), 0)


def test_zero_dim_inputs_match_torch():
    torch = pytest.importorskip("torch")
    for name, fn in [("sort", lambda lib, x: x.sort()[0]), ("topk", lambda lib, x: x.topk(1)[0]),
                     ("cumprod", lambda lib, x: x.cumprod(0)), ("prod", lambda lib, x: x.prod()),
                     ("roll", lambda lib, x: x.roll(1)), ("frac", lambda lib, x: x.frac())]:
        ours = fn(tl, tl.tensor(2.5, requires_grad=True))
        theirs = fn(torch, torch.tensor(2.5, requires_grad=True))
        assert ours.shape == tuple(theirs.shape) and ours.item() == theirs.item(), name


def test_in_place_scatter_index_add_masked_fill():
    torch = pytest.importorskip("torch")
    for lib in (torch, tl):
        labels = lib.tensor([[2], [0]])
        one_hot = lib.zeros(2, 3).scatter_(1, labels, 1.0)
        assert one_hot.tolist() == [[0, 0, 1], [1, 0, 0]]
        assert lib.zeros(2, 3).scatter_add_(1, lib.tensor([[1, 1]]), lib.ones(1, 2)).tolist() \
            == [[0, 2, 0], [0, 0, 0]]
        assert lib.zeros(3).index_add_(0, lib.tensor([2, 2]), lib.ones(2), alpha=3).tolist() \
            == [0, 0, 6]
        assert lib.zeros(2).masked_fill_(lib.tensor([True, False]), 5.0).tolist() == [5, 0]
        assert lib.ones(2, 2).triu_(1).tolist() == [[0, 1], [0, 0]]
        assert lib.tensor([1.5, -0.5]).floor_().tolist() == [1, -1]
    leaf = tl.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="index_add_: in-place operation on a leaf"):
        leaf.index_add_(0, tl.tensor([0]), tl.ones(1))
