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
