"""Places where tinygrad_lite used to differ from PyTorch: where() with numbers, PyTorch's
indexing rules, shape errors catchable as RuntimeError, negative padding, the norm's gradient
at zero, clamp with tensor bounds, split(split_size=), comparisons with None and strings."""
import warnings

import numpy as np
import pytest

import nn.functional as F
import tinygrad_lite as tl


def _t(data, **kw):
    return tl.tensor(np.asarray(data, dtype=np.float64), dtype=tl.float64, **kw)


# ---- where ---------------------------------------------------------------------------------
def test_where_with_two_numbers():
    cond = tl.tensor([True, False, True])
    assert tl.where(cond, 4, 2).tolist() == [4, 2, 4]
    assert tl.where(cond, 4, 2).dtype == tl.int64
    out = tl.where(cond, 4.5, 2)
    assert out.dtype == tl.float32 and out.tolist() == [4.5, 2.0, 4.5]


def test_where_with_only_a_condition_is_nonzero_as_tuple():
    cond = tl.tensor([[True, False], [False, True]])
    rows, cols = tl.where(cond)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]
    with pytest.raises(TypeError, match="where: give both"):
        tl.where(cond, tl.ones(2, 2))


# ---- indexing: PyTorch's rules ---------------------------------------------------------------
INDEX_CASES = ["0, :, [1, 2]", "[0, 1], :, [1, 2]", "..., 0, [1, 2]", "None, 0, :, [1, 2]",
               "[[0]]", "[[2, 1]]", "[[0, 2]]", "[I, 1]", "[I, 1, 2]", "0, M, 1", ":, M, 1",
               "1, M", "J, 1, :, J", "1, [[0, 1], [1, 0]], 2", "S, :, [1, 2]", "I, ..., S",
               "[1, 0, 1], 2, [0, 0, 2]", "0, [1, 1, 1]", "[1, 1], 2, 3, [0, 0]"]


def _index_env(lib):
    return dict(I=lib.tensor([0, 2, 0]), M=lib.tensor([True, False, True, True, False]),
                J=lib.tensor([[0, 1]]), S=lib.tensor(1))


@pytest.mark.parametrize("case", INDEX_CASES)
def test_indexing_matches_torch_forward_backward_and_setitem(case):
    torch = pytest.importorskip("torch")
    x = np.arange(3 * 5 * 4 * 7, dtype=np.float64).reshape(3, 5, 4, 7)
    xt, xl = torch.tensor(x, requires_grad=True), tl.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # torch warns about list-as-tuple indices
        yt = eval(f"xt[{case}]", dict(_index_env(torch), xt=xt))
        yl = eval(f"xl[{case}]", dict(_index_env(tl), xl=xl))
        assert yl.shape == tuple(yt.shape)
        np.testing.assert_array_equal(yl.detach().numpy(), yt.detach().numpy())
        weights = np.random.default_rng(0).standard_normal(yl.shape)
        (yt * torch.tensor(weights)).sum().backward()
        (yl * tl.tensor(weights)).sum().backward()   # repeated indices accumulate
        np.testing.assert_allclose(xl.grad.numpy(), xt.grad.numpy())
        at, al = torch.tensor(x), tl.tensor(x)
        exec(f"at[{case}] = -1.0", dict(_index_env(torch), at=at))
        exec(f"al[{case}] = -1.0", dict(_index_env(tl), al=al))
    np.testing.assert_array_equal(al.numpy(), at.numpy())


def test_int_beside_a_list_is_basic_indexing():
    x = tl.zeros(3, 5, 4, 7)
    assert x[0, :, [1, 2]].shape == (5, 2, 7)
    assert x[[[0]]].shape == (1, 5, 4, 7)


def test_index_gradient_second_order():
    x = _t(np.random.default_rng(0).standard_normal((3, 4, 5)), requires_grad=True)
    assert tl.gradcheck(lambda t: t[1, :, [0, 0, 3]] ** 2, [x])
    assert tl.gradgradcheck(lambda t: t[1, :, [0, 0, 3]] ** 2, [x])


def test_float_index_is_refused():
    with pytest.raises(IndexError, match="getitem"):
        tl.zeros(3)[tl.tensor([0.5])]


# ---- shape errors ------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: tl.ones(2, 3) @ tl.ones(2, 3),
                                  lambda: tl.ones(2, 3) + tl.ones(2, 4),
                                  lambda: tl.ones(2, 3).reshape(4, 2),
                                  lambda: tl.cat([tl.ones(2, 3), tl.ones(2, 4)]),
                                  lambda: F.linear(tl.ones(2, 3), tl.ones(4, 5))])
def test_shape_errors_are_runtime_and_value_errors(make):
    with pytest.raises(RuntimeError):
        make()
    with pytest.raises(ValueError):
        make()
    with pytest.raises(tl.ShapeError):
        make()


# ---- pad ---------------------------------------------------------------------------------
def test_negative_pad_crops_like_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((3, 4, 5))
    for pad in [(-1, 2), (-1, 2, 0, -2), (1, -2, -1, -1, 1, 0), (-2, -3)]:
        xt, xl = torch.tensor(x, requires_grad=True), tl.tensor(x, requires_grad=True)
        yt, yl = torch.nn.functional.pad(xt, pad, value=0.5), F.pad(xl, pad, value=0.5)
        np.testing.assert_array_equal(yl.detach().numpy(), yt.detach().numpy())
        weights = np.random.default_rng(2).standard_normal(yl.shape)
        (yt * torch.tensor(weights)).sum().backward()
        (yl * tl.tensor(weights)).sum().backward()
        np.testing.assert_array_equal(xl.grad.numpy(), xt.grad.numpy())
    assert tl.pad(tl.ones(3, 4), (-2, -2)).shape == (3, 0)


def test_pad_that_crops_too_much_is_refused():
    with pytest.raises(tl.ShapeError, match="crops"):
        tl.ones(3, 4).pad((-3, -2))
    with pytest.raises(ValueError, match="mode"):
        F.pad(tl.ones(3, 4), (1, 1), mode="mirror")


# ---- norm at zero ------------------------------------------------------------------------
def test_norm_gradient_at_zero_is_zero():
    x = _t(np.zeros(3), requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    rows = _t([[0.0, 0.0], [3.0, 4.0]], requires_grad=True)
    (g,) = tl.grad(rows.norm(dim=1).sum(), [rows], create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), [[0, 0], [0.6, 0.8]])
    (h,) = tl.grad((g * _t([[1.0, 2.0], [1.0, 2.0]])).sum(), [rows])
    assert h.numpy()[0].tolist() == [0.0, 0.0]  # torch gives NaN on the zero row
    # w/|x| - (w.x) x/|x|^3 with w = (1, 2), x = (3, 4), as torch gives
    np.testing.assert_allclose(h.numpy()[1], [-0.064, 0.048])


# ---- clamp with tensor bounds -------------------------------------------------------------
@pytest.mark.parametrize("which", ["both", "min", "max"])
def test_clamp_tensor_bounds_gradients_match_torch(which):
    torch = pytest.importorskip("torch")
    x = [1.0, 2, 3, 4, 5, 0.5, -3]          # ties at both bounds, low > high, low == high
    low = [1.0, 1, 1, 5, 6, 1, -2] if which != "max" else None
    high = [3.0, 3, 3, 4, 4, 1, 2] if which != "min" else None
    tt = [None if a is None else torch.tensor(a, dtype=torch.float64, requires_grad=True)
          for a in (x, low, high)]
    ll = [None if a is None else _t(a, requires_grad=True) for a in (x, low, high)]
    yt, yl = torch.clamp(*tt), tl.clamp(*ll)
    np.testing.assert_array_equal(yl.detach().numpy(), yt.detach().numpy())
    yt.sum().backward()
    yl.sum().backward()
    for a, b in zip(tt, ll):
        if a is not None:
            np.testing.assert_array_equal(b.grad.numpy(), a.grad.numpy())


def test_clamp_tensor_bounds_gradcheck():
    rng = np.random.default_rng(3)
    x, low, high = (_t(rng.uniform(-2, 2, 6), requires_grad=True) for _ in range(3))
    high = _t(low.detach().numpy() + 1.5, requires_grad=True)
    assert tl.gradcheck(lambda a, b, c: a.clamp(b, c), [x, low, high])
    assert tl.gradgradcheck(lambda a, b, c: (a.clamp(b, c)) ** 2, [x, low, high])


# ---- split and comparisons -----------------------------------------------------------------
def test_split_takes_the_split_size_keyword():
    parts = tl.arange(5).split(split_size=2)
    assert [p.tolist() for p in parts] == [[0, 1], [2, 3], [4]]


def test_comparing_with_none_or_a_string_gives_a_python_bool():
    t = tl.tensor([1.0, 2.0])
    assert (t == None) is False          # noqa: E711
    assert (t != None) is True           # noqa: E711
    assert (t != "a") is True
    with pytest.raises(TypeError):
        t < "a"
