"""Conv2d, MaxPool2d, AvgPool2d: gradient checks of the modules (input and parameters,
float64), PyTorch parity, errors and reprs."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl


def test_max_pool_takes_the_first_of_tied_maxima_and_pads_with_minus_inf():
    x = tl.tensor(-np.ones((1, 1, 2, 2)), requires_grad=True)
    out = F.max_pool2d(x, 2, stride=1, padding=1)        # every window holds padding too
    np.testing.assert_array_equal(out._data, -np.ones((1, 1, 3, 3)))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [[[[4.0, 2.0], [2.0, 1.0]]]])


@pytest.mark.parametrize("make, shape", [
    (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 5, 5)),
    (lambda: nn.Conv2d(2, 2, (2, 3), stride=(1, 2), bias=False), (1, 2, 4, 5)),
    (lambda: nn.MaxPool2d(2), (2, 2, 4, 4)),
    (lambda: nn.MaxPool2d(3, stride=2, padding=1), (1, 2, 5, 5)),
    (lambda: nn.AvgPool2d(2, stride=1, padding=1), (1, 2, 3, 4))])
def test_modules_gradcheck_input_and_parameters(make, shape):
    module = make().double()
    rng = np.random.default_rng(3)
    values = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1  # no ties for max
    x = tl.tensor(values, dtype=tl.float64, requires_grad=True)
    params = list(module.parameters())
    assert tl.gradcheck(lambda x, *p: module(x), [x] + params)


def test_conv_second_derivative():
    conv = nn.Conv2d(2, 2, 3, padding=1).double()
    x = tl.randn(1, 2, 4, 4, dtype=tl.float64, requires_grad=True)
    assert tl.gradgradcheck(lambda x, w, b: (conv(x) ** 2).sum(), [x, conv.weight, conv.bias])


@pytest.mark.parametrize("in_c, out_c, kernel, stride, padding, bias, shape", [
    (3, 16, 5, 1, 2, True, (4, 3, 12, 12)),
    (4, 6, (3, 2), (2, 1), (1, 0), False, (3, 4, 9, 7))])
def test_conv2d_matches_torch(in_c, out_c, kernel, stride, padding, bias, shape):
    torch = pytest.importorskip("torch")
    ours = nn.Conv2d(in_c, out_c, kernel, stride=stride, padding=padding, bias=bias)
    theirs = torch.nn.Conv2d(in_c, out_c, kernel, stride=stride, padding=padding, bias=bias)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    tx, tx_t = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, out_t = ours(tx), theirs(tx_t)
    np.testing.assert_allclose(out._data, out_t.detach().numpy(), rtol=1e-4, atol=1e-5)
    weights = np.random.default_rng(5).standard_normal(out.shape).astype(np.float32)
    (out * tl.tensor(weights)).sum().backward()
    (out_t * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(tx.grad._data, tx_t.grad.numpy(), rtol=1e-4, atol=1e-4)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad._data, getattr(theirs, name).grad.numpy(),
                                   rtol=1e-4, atol=1e-3, err_msg=name)


@pytest.mark.parametrize("fn, kwargs", [("max_pool2d", dict(kernel_size=2)),
                                        ("max_pool2d", dict(kernel_size=3, stride=2, padding=1)),
                                        ("avg_pool2d", dict(kernel_size=4)),
                                        ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1))])
def test_pooling_matches_torch(fn, kwargs):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(6).standard_normal((2, 3, 8, 8))
    ours, theirs = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, out_t = getattr(F, fn)(ours, **kwargs), getattr(torch.nn.functional, fn)(theirs,
                                                                                   **kwargs)
    np.testing.assert_allclose(out._data, out_t.detach().numpy(), rtol=1e-12)
    (out ** 2).sum().backward()
    (out_t ** 2).sum().backward()
    np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-12)


def test_conv_initialization_bounds_follow_pytorch():
    tl.manual_seed(0)
    conv = nn.Conv2d(4, 8, 3)
    bound = 1 / np.sqrt(4 * 3 * 3)  # kaiming_uniform_(a=sqrt 5) gives 1/sqrt(fan_in) too
    for p in (conv.weight, conv.bias):
        assert np.abs(p._data).max() <= bound and np.abs(p._data).max() > 0.8 * bound
    assert conv.weight.dtype == tl.float32
    tl.manual_seed(0)
    np.testing.assert_array_equal(nn.Conv2d(4, 8, 3).weight._data, conv.weight._data)


def test_three_dim_input_is_one_image():
    conv = nn.Conv2d(2, 3, 3, padding=1)
    x = tl.randn(2, 5, 5)
    np.testing.assert_allclose(conv(x)._data, conv(x.unsqueeze(0))._data[0], rtol=1e-6)
    assert F.max_pool2d(x, 2).shape == (2, 2, 2)


def test_reprs_follow_pytorch():
    assert repr(nn.Conv2d(3, 16, 5, padding=2)) == \
        "Conv2d(3, 16, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"
    assert repr(nn.Conv2d(3, 64, 3, bias=False)) == \
        "Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), bias=False)"
    assert repr(nn.MaxPool2d(kernel_size=2, stride=2)) == \
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(4)) == "AvgPool2d(kernel_size=4, stride=4, padding=0)"


def test_errors_name_the_layer_and_shapes():
    conv = nn.Conv2d(3, 16, kernel_size=5, stride=1, padding=2)
    with pytest.raises(ValueError, match=r"^Conv2d\(3, 16, kernel_size=\(5, 5\), stride=\(1, 1\)"
                                         r", padding=\(2, 2\)\): expected input with 3 channels, "
                                         r"got shape \(8, 4, 32, 32\)$"):
        conv(tl.zeros(8, 4, 32, 32))
    with pytest.raises(ValueError, match=r"Conv2d.*4-D input.*got shape \(3, 32\)"):
        conv(tl.zeros(3, 32))
    with pytest.raises(ValueError, match=r"Conv2d\(3, 2, kernel_size=\(5, 5\).*bigger than the "
                                         r"padded input \(3, 3\)"):
        nn.Conv2d(3, 2, 5)(tl.zeros(1, 3, 3, 3))
    with pytest.raises(ValueError, match=r"MaxPool2d\(kernel_size=4.*window \(4, 4\) is bigger "
                                         r"than the padded input \(2, 2\)"):
        nn.MaxPool2d(4)(tl.zeros(1, 1, 2, 2))
    with pytest.raises(ValueError, match=r"avg_pool2d: padding \(2, 2\) must be at most half"):
        F.avg_pool2d(tl.zeros(1, 1, 8, 8), 2, padding=2)
    with pytest.raises(ValueError, match=r"conv2d: weight of shape \(2, 3, 3, 3\) does not fit "
                                         r"input of shape \(1, 2, 5, 5\)"):
        F.conv2d(tl.zeros(1, 2, 5, 5), tl.zeros(2, 3, 3, 3))
    with pytest.raises(ValueError, match=r"Conv2d\(1, 1, kernel_size=\(3, 3\), stride=0\): stride "
                                         r"must be an int >= 1"):
        nn.Conv2d(1, 1, 3, stride=0)
