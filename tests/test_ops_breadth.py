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
        tl.ones(3, 4).scatter(0, tl.tensor([0]), 1.0)
    with pytest.raises(IndexError, match="index_select: dim 2 is out of range"):
        tl.ones(3, 4).index_select(2, tl.tensor([0]))
    with pytest.raises(tl.ShapeError, match="scatter_add: index of shape"):
        tl.ones(3, 4).scatter_add(1, tl.tensor([[0, 1, 2]]), tl.ones(3, 2))
    with pytest.raises(tl.ShapeError, match="index_add: source of shape"):
        tl.ones(3, 4).index_add(0, tl.tensor([0, 1]), tl.ones(3, 4))
    with pytest.raises(TypeError, match="same dtype"):
        tl.ones(3, 4).index_add(0, tl.tensor([0]), tl.ones(1, 4, dtype=tl.float64))
