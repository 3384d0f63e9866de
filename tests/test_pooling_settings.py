"""Pooling layers and functions check their window settings with one helper
(nn/functional_pooling.window_settings): the same rules, an error naming the caller."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl


@pytest.mark.parametrize("make", [
    lambda m: m.MaxPool2d(2, stride=()), lambda m: m.MaxPool1d(3, stride=()),
    lambda m: m.AvgPool2d(2, stride=()), lambda m: m.AvgPool1d(3, stride=()),
])
def test_empty_stride_means_kernel_size_as_in_pytorch(make):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((1, 2, 6, 6))
    layer = make(nn)
    x = x[:, :, 0] if "1d" in type(layer).__name__ else x
    expected = make(torch.nn)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(layer(tl.tensor(x)).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("make, message", [
    (lambda: nn.MaxPool2d(0), r"^MaxPool2d: kernel_size must be an int >= 1 or a pair"),
    (lambda: nn.MaxPool1d(2, stride=0), r"^MaxPool1d: stride must be an int >= 1"),
    (lambda: nn.AvgPool2d(2, padding=-1), r"^AvgPool2d: padding must be an int >= 0"),
    (lambda: nn.AvgPool1d(2, padding=(1, 1)), r"^AvgPool1d: padding must be an int >= 0"),
    (lambda: nn.MaxUnpool2d(2, stride=(1, 0)), r"^MaxUnpool2d: stride must be an int >= 1"),
])
def test_layers_reject_bad_settings_when_built(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("call, message", [
    (lambda x: F.max_pool2d(x, 2, stride=0), r"^max_pool2d: stride must be an int >= 1"),
    (lambda x: F.avg_pool2d(x, 2, padding=-1), r"^avg_pool2d: padding must be an int >= 0"),
    (lambda x: F.max_pool1d(x[:, :, 0], 0), r"^max_pool1d: kernel_size must be an int >= 1"),
    (lambda x: F.avg_pool1d(x[:, :, 0], 2, stride=(1, 1)), r"^avg_pool1d: stride must be"),
])
def test_functions_reject_bad_settings(call, message):
    with pytest.raises(ValueError, match=message):
        call(tl.ones(1, 2, 4, 4))


def test_avg_pool1d_keeps_its_settings_as_1_tuples():
    layer = nn.AvgPool1d(3, padding=1)
    assert (layer.kernel_size, layer.stride, layer.padding) == ((3,), (3,), (1,))
    assert nn.MaxUnpool2d(2, padding=1).padding == (1, 1)
