"""PyTorch's factory keywords, default dtype and device, new_* methods, legacy constructors,
mm/bmm methods and the in-place forms of the elementwise and shape ops."""
import numpy as np
import pytest

import nn
import tinygrad_lite as tl


@pytest.mark.parametrize("make", [
    lambda **k: tl.zeros(2, 3, **k), lambda **k: tl.ones((2, 3), **k),
    lambda **k: tl.empty(2, 3, **k), lambda **k: tl.full((2, 3), 1.5, **k),
    lambda **k: tl.rand(2, 3, **k), lambda **k: tl.randn(2, 3, **k),
    lambda **k: tl.linspace(0, 1, 6, **k).reshape(2, 3), lambda **k: tl.eye(2, 3, **k),
    lambda **k: tl.arange(0.0, 6.0, **k).reshape(2, 3), lambda **k: tl.tensor([[1.0] * 3] * 2, **k),
    lambda **k: tl.zeros_like(tl.ones(2, 3), **k), lambda **k: tl.empty_like(tl.ones(2, 3), **k),
    lambda **k: tl.full_like(tl.ones(2, 3), 2.0, **k), lambda **k: tl.randn_like(tl.ones(2, 3), **k),
])
def test_every_factory_takes_dtype_device_requires_grad(make):
    t = make(dtype=tl.float64, device="cpu", requires_grad=True)
    assert t.dtype == tl.float64 and t.requires_grad and t.shape == (2, 3)
    assert make(device=tl.device("cpu")).dtype == tl.float32
    with pytest.warns(UserWarning, match="no cuda backend"):
        make(device="cuda")


def test_default_dtype():
    assert tl.get_default_dtype() == tl.float32
    tl.set_default_dtype(tl.float64)
    try:
        assert tl.zeros(2).dtype == tl.float64 and tl.tensor(1.5).dtype == tl.float64
        assert (tl.tensor([1, 2]) * 0.5).dtype == tl.float64 and tl.arange(3).dtype == tl.int64
        assert (tl.tensor([1, 2]) / 2).dtype == tl.float64
    finally:
        tl.set_default_dtype(tl.float32)
    assert tl.tensor(1.5).dtype == tl.float32
    with pytest.raises(TypeError, match="only floating-point dtypes"):
        tl.set_default_dtype(tl.int64)


def test_default_device():
    tl.set_default_device("cpu")
    assert tl.get_default_device() == tl.device("cpu")
    with pytest.warns(UserWarning):
        tl.set_default_device("cuda")
    assert tl.get_default_device() == tl.device("cpu")


def test_new_methods_take_the_dtype_of_their_tensor():
    x = tl.ones(2, dtype=tl.float64)
    assert x.new_zeros(3).dtype == tl.float64 and x.new_ones((2, 2)).shape == (2, 2)
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0] and x.new_empty(4).shape == (4,)
    assert x.new_tensor([1, 2]).dtype == tl.float64
    assert x.new_zeros(2, dtype=tl.int64, requires_grad=False).dtype == tl.int64
    assert x.new_ones(2, requires_grad=True).requires_grad


def test_legacy_constructors():
    assert tl.FloatTensor([1, 2]).dtype == tl.float32 and tl.FloatTensor(2, 3).shape == (2, 3)
    assert tl.LongTensor([1, 2]).dtype == tl.int64 and tl.DoubleTensor(2).dtype == tl.float64
    assert tl.BoolTensor([True]).dtype == tl.bool


def test_mm_and_bmm_methods():
    a, b = tl.randn(2, 3), tl.randn(3, 4)
    np.testing.assert_allclose(a.mm(b).numpy(), a.numpy() @ b.numpy(), rtol=1e-6)
    assert tl.randn(5, 2, 3).bmm(tl.randn(5, 3, 1)).shape == (5, 2, 1)
    assert tl.mm(a, b).shape == (2, 4)
    with pytest.raises(ValueError, match="mm: expects two 2-D"):
        a.mm(tl.randn(3))
    with pytest.raises(ValueError, match="bmm: expects"):
        a.bmm(b)


def test_inplace_elementwise_forms():
    x = tl.tensor([0.5, 1.0])
    data = x._data
    assert x.exp_() is x and x._data is data          # the same memory, overwritten
    np.testing.assert_allclose(x.numpy(), np.exp([0.5, 1.0]), rtol=1e-6)
    assert x._version == 1
    x.sin_().abs_().sqrt_().neg_()
    np.testing.assert_allclose(x.numpy(), -np.sqrt(np.abs(np.sin(np.exp([0.5, 1.0])))),
                               rtol=1e-6)
    y = tl.tensor([-1.0, 2.0])
    y.clip_(0, 1).pow_(2)
    assert y.tolist() == [0.0, 1.0]


def test_inplace_shape_forms():
    x = tl.zeros(2, 3)
    x.unsqueeze_(0)
    assert x.shape == (1, 2, 3)
    x.squeeze_().t_()
    assert x.shape == (3, 2)
    x.transpose_(0, 1)
    assert x.shape == (2, 3)
    x.swapaxes_(0, 1)
    assert x.shape == (3, 2) and x.swapdims(0, 1).shape == (2, 3)


def test_every_inplace_form_pytorch_has_for_our_ops():
    torch = pytest.importorskip("torch")
    ours = {n for n in dir(tl.Tensor) if n.endswith("_") and not n.startswith("_")}
    methods = {n for n in dir(tl.Tensor) if not n.startswith("_") and not n.endswith("_")}
    missing = sorted(n + "_" for n in methods
                     if hasattr(torch.Tensor, n + "_") and n + "_" not in ours)
    assert not missing, missing
    x = tl.tensor([1.0, -2.0])
    x.gt_(0)
    assert x.tolist() == [1.0, 0.0] and x.dtype == tl.float32


def test_inplace_forms_are_refused_in_a_graph_and_caught_after_saving():
    w = tl.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="exp_: in-place operation on a leaf"):
        w.exp_()
    h = w * 2
    with pytest.raises(RuntimeError, match="sin_: in-place operation on a tensor that is part"):
        h.sin_()
    x = tl.ones(2)
    y = w * x                                      # saves x for backward
    x.exp_()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_inplace_that_would_change_the_dtype_is_refused():
    with pytest.raises(RuntimeError, match="exp_: the result is float32"):
        tl.tensor([1, 2]).exp_()


def test_nn_init_under_no_grad_still_works():
    lin = nn.Linear(2, 2)
    with tl.no_grad():
        lin.weight.exp_()
    assert (lin.weight.detach().numpy() > 0).all()


def test_layers_are_built_in_the_default_dtype():
    tl.set_default_dtype(tl.float64)
    try:
        layers = [nn.Linear(2, 3), nn.Conv2d(1, 2, 3), nn.BatchNorm1d(3), nn.LayerNorm(4),
                  nn.LSTM(2, 3), nn.Embedding(5, 2), nn.PReLU(), nn.MultiheadAttention(4, 2)]
        for layer in layers:
            assert {t.dtype for t in layer.state_dict().values() if t.dtype.kind == "f"} == \
                {tl.float64}, layer
    finally:
        tl.set_default_dtype(tl.float32)
    assert nn.Linear(2, 3).weight.dtype == tl.float32


@pytest.mark.parametrize("name", ["floor_divide", "remainder", "fmod"])
@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_integer_division_and_remainders_match_torch(name, dtype):
    torch = pytest.importorskip("torch")
    a = np.array([5, -5, 7, -7, 6], dtype) * (1.5 if dtype == "float64" else 1)
    b = np.array([3, 3, -2, -2, 4], dtype)
    ours = getattr(tl, name)(tl.tensor(a), tl.tensor(b))
    theirs = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


def test_division_operators():
    x = tl.tensor([5, -5])
    assert (x // 3).tolist() == [1, -2] and (x % 3).tolist() == [2, 1]
    assert (7 // tl.tensor([2])).tolist() == [3] and (7 % tl.tensor([3.0])).tolist() == [1.0]
    with pytest.raises(ZeroDivisionError, match="floor_divide: integer division by zero"):
        x // 0
