"""Small gaps a PyTorch user meets on day one, found by trying tutorials side by side."""
import numpy as np
import pytest

import tinygrad_lite as tl


def test_builtin_abs_is_tensor_abs():
    t = tl.tensor([-1.5, 2.0, -0.0], requires_grad=True)
    y = abs(t)
    np.testing.assert_array_equal(y.detach().numpy(), [1.5, 2.0, 0.0])
    y.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [-1.0, 1.0, 0.0])
    assert abs(tl.tensor([-3, 4])).tolist() == [3, 4]


@pytest.mark.parametrize("values, dtype, expected", [
    ([1.0], None, True), ([1.0], "float64", True), ([1.0], "float16", True),
    ([1], None, False), ([1], "int32", False), ([True], None, False)])
def test_is_floating_point(values, dtype, expected):
    t = tl.tensor(values) if dtype is None else tl.tensor(values, dtype=getattr(tl, dtype))
    assert t.is_floating_point() is expected
    assert tl.is_floating_point(t) is expected


def test_against_torch():
    torch = pytest.importorskip("torch")
    x = np.array([-2.5, 0.0, 3.0])
    np.testing.assert_array_equal(abs(tl.tensor(x)).numpy(), abs(torch.tensor(x)).numpy())
    for values in ([1.0], [1], [True]):
        assert tl.tensor(values).is_floating_point() == torch.tensor(values).is_floating_point()


def test_hook_handle_as_context_manager_removes_the_hook():
    import tinygrad_lite.nn as nn
    layer = nn.Identity()
    with layer.register_forward_hook(lambda module, args, output: output * 0):
        assert layer(tl.tensor([2.0])).tolist() == [0.0]
    assert layer(tl.tensor([2.0])).tolist() == [2.0]
    a = tl.ones(2, requires_grad=True)
    with a.register_hook(lambda g: g * 10) as handle:
        (a * 1).sum().backward()
    handle.remove()   # removing again is harmless, as in PyTorch
    (a * 1).sum().backward()
    assert a.grad.tolist() == [11.0, 11.0]


@pytest.mark.parametrize("dtype, update", [
    ("int64", lambda x: x.__iadd__(0.5)), ("int32", lambda x: x.__itruediv__(2)),
    ("int64", lambda x: x.mul_(tl.tensor([1.5, 1.5]))), ("int64", lambda x: x.add_(1, alpha=0.5)),
    ("bool", lambda x: x.add_(1))])
def test_inplace_arithmetic_does_not_silently_truncate(dtype, update):
    x = tl.ones(2, dtype=getattr(tl, dtype))
    with pytest.raises(RuntimeError, match="can't be written into this"):
        update(x)
    assert x.tolist() == tl.ones(2, dtype=getattr(tl, dtype)).tolist()   # left unchanged


def test_inplace_arithmetic_keeps_allowed_casts():
    x = tl.ones(2, dtype=tl.int32)
    x += tl.tensor([1, 2])                      # int64 into int32: same kind, allowed
    assert x.dtype == tl.int32 and x.tolist() == [2, 3]
    y = tl.ones(2)
    y.mul_(tl.tensor(2.0, dtype=tl.float64))    # float64 into float32: allowed
    assert y.dtype == tl.float32 and y.tolist() == [2.0, 2.0]
    z = tl.zeros(2, dtype=tl.int64)
    z.fill_(1.7)                                # fill_ and copy_ cast, as in PyTorch
    assert z.tolist() == [1, 1]


def test_inplace_arithmetic_errors_where_torch_does():
    torch = pytest.importorskip("torch")
    for lib in (tl, torch):
        x = lib.ones(2, dtype=lib.int64)
        with pytest.raises(RuntimeError):
            x += 0.5


@pytest.mark.parametrize("expression", [
    "L.tensor([1, 2]).mean(dtype=L.float32)", "L.tensor([1, 2]).sum(dtype=L.float32)",
    "L.tensor([1, 2], dtype=L.int32).sum(dtype=L.int32)", "L.tensor([True, True]).sum(dtype=L.float64)",
    "L.tensor([[1, 2], [3, 4]]).mean(1, dtype=L.float64)",
    "L.tensor([[1, 2], [3, 4]]).sum(dim=0, keepdim=True, dtype=L.float32)",
    "L.sum(L.tensor([1, 2]), dtype=L.float32)", "L.tensor([1.5, 2.5]).sum(dtype=L.int64)"])
def test_sum_and_mean_dtype_match_torch(expression):
    torch = pytest.importorskip("torch")
    ours, theirs = eval(expression, {"L": tl}), eval(expression, {"L": torch})
    assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_sum_and_mean_dtype_gradients():
    x = tl.tensor([1.0, 2.0, 4.0], dtype=tl.float64, requires_grad=True)
    assert tl.gradcheck(lambda t: t.mean(dtype=tl.float64), (x,))
    assert tl.gradgradcheck(lambda t: (t * t).sum(0, dtype=tl.float64), (x,))
    y = tl.tensor([1.0, 2.0], requires_grad=True)
    y.sum(dtype=tl.float64).backward()
    assert y.grad.dtype == tl.float32 and y.grad.tolist() == [1.0, 1.0]


def test_unary_plus_is_the_tensor_and_refused_on_bool():
    x = tl.tensor([1.0, -2.0])
    assert +x is x
    with pytest.raises(TypeError, match="bool"):
        +tl.tensor([True])
