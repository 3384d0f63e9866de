"""Pooling beyond the basics: adaptive average and max pooling, MaxPool2d with dilation,
ceil_mode and return_indices, AvgPool2d with ceil_mode, count_include_pad and divisor_override,
MaxPool1d and AvgPool1d: PyTorch parity (float64 and float32), gradient checks in float64,
errors and reprs."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl
from torch_parity import check_against_torch



def _distinct(shape):
    """Well-separated values (no ties for max), the same on every call."""
    return np.random.default_rng(1).permutation(int(np.prod(shape))).reshape(shape) * 0.01


# (our layer, torch layer (from torch.nn), input shape)
LAYERS = [
    (lambda m: m.AdaptiveAvgPool2d((1, 1)), (2, 3, 7, 5)),
    (lambda m: m.AdaptiveAvgPool2d(3), (2, 3, 7, 5)),
    (lambda m: m.AdaptiveAvgPool2d((None, 2)), (2, 3, 7, 5)),
    (lambda m: m.AdaptiveAvgPool2d((5, 9)), (1, 2, 3, 4)),         # upsampling windows
    (lambda m: m.AdaptiveMaxPool2d((2, 3)), (2, 3, 7, 5)),
    (lambda m: m.AdaptiveMaxPool2d((4, None)), (3, 7, 5)),
    (lambda m: m.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 8, 9)),
    (lambda m: m.MaxPool2d((3, 2), stride=(1, 2), dilation=(2, 3)), (2, 3, 9, 8)),
    (lambda m: m.MaxPool2d(2, ceil_mode=True), (3, 7, 5)),
    (lambda m: m.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 8, 9)),
    (lambda m: m.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 8, 9)),
    (lambda m: m.AvgPool2d((2, 3), stride=2, padding=1, ceil_mode=True,
                           count_include_pad=False), (1, 2, 7, 6)),
    (lambda m: m.AvgPool2d(2, divisor_override=3, ceil_mode=True), (1, 2, 5, 5)),
    (lambda m: m.MaxPool1d(3, stride=2, padding=1, dilation=1, ceil_mode=True), (2, 3, 10)),
    (lambda m: m.MaxPool1d(2, dilation=2), (3, 9)),
    (lambda m: m.AvgPool1d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 10)),
    (lambda m: m.AvgPool1d(4, ceil_mode=True), (3, 9)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("make, shape", LAYERS)
def test_layers_match_torch(make, shape, dtype):
    torch = pytest.importorskip("torch")
    check_against_torch(torch, make(nn), make(torch.nn), _distinct(shape), dtype)


@pytest.mark.parametrize("make, shape", LAYERS)
def test_layers_gradcheck(make, shape):
    layer = make(nn)
    x = tl.tensor(_distinct(shape), dtype=tl.float64, requires_grad=True)
    assert tl.gradcheck(layer, [x])
    assert tl.gradgradcheck(lambda x: layer(x) ** 2, [x])


@pytest.mark.parametrize("fn, args, kwargs", [
    ("max_pool2d", (3,), dict(stride=2, padding=1, dilation=2, return_indices=True)),
    ("max_pool2d", ((2, 3),), dict(ceil_mode=True, return_indices=True)),
    ("max_pool1d", (3,), dict(stride=2, ceil_mode=True, return_indices=True)),
    ("adaptive_max_pool2d", ((4, 3),), dict(return_indices=True)),
    ("adaptive_max_pool2d", (1,), dict(return_indices=True)),
    ("avg_pool2d", (3,), dict(stride=2, padding=1, ceil_mode=True, divisor_override=2)),
    ("avg_pool1d", (2,), dict(padding=1, count_include_pad=False)),
    ("adaptive_avg_pool2d", ((3, None),), {})])
@pytest.mark.parametrize("batched", [True, False])
def test_functions_and_indices_match_torch(fn, args, kwargs, batched):
    torch = pytest.importorskip("torch")
    shape = (2, 3, 9, 8) if "2d" in fn else (2, 3, 11)
    x = _distinct(shape if batched else shape[1:])
    ours = getattr(F, fn)(tl.tensor(x), *args, **kwargs)
    theirs = getattr(torch.nn.functional, fn)(torch.tensor(x), *args, **kwargs)
    ours, theirs = (ours, theirs) if isinstance(ours, tuple) else ((ours,), (theirs,))
    for a, b in zip(ours, theirs):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    if len(ours) == 2:
        assert ours[1].dtype == tl.int64


def test_global_average_pooling_ends_a_resnet():
    head = nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(4, 2))
    x = tl.randn(3, 4, 7, 7)
    assert head(x).shape == (3, 2)
    np.testing.assert_allclose(nn.AdaptiveAvgPool2d(1)(x).numpy()[..., 0, 0],
                               x.numpy().mean(axis=(2, 3)), rtol=1e-5)


def test_reprs_follow_pytorch():
    assert repr(nn.AdaptiveAvgPool2d((1, None))) == "AdaptiveAvgPool2d(output_size=(1, None))"
    assert repr(nn.AdaptiveMaxPool2d(3, return_indices=True)) == \
        "AdaptiveMaxPool2d(output_size=3)"
    assert repr(nn.MaxPool1d(3)) == \
        "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool1d(3, 2)) == "AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))"
    assert repr(nn.AvgPool2d(2, ceil_mode=True, divisor_override=2)) == \
        "AvgPool2d(kernel_size=2, stride=2, padding=0)"


def test_errors_name_the_layer_and_what_is_valid():
    with pytest.raises(ValueError, match=r"^AdaptiveAvgPool2d: output_size must be an int >= 1 "
                                         r"or a pair of them.*got 0$"):
        nn.AdaptiveAvgPool2d(0)
    with pytest.raises(ValueError, match=r"AdaptiveMaxPool2d: output_size.*got \(1, 2, 3\)"):
        nn.AdaptiveMaxPool2d((1, 2, 3))
    with pytest.raises(ValueError, match=r"^AdaptiveAvgPool2d\(output_size=\(1, 1\)\): expected a "
                                         r"4-D input or a 3-D one \(N, C, H, W\) or \(C, H, W\), got "
                                         r"shape \(5,\)$"):
        nn.AdaptiveAvgPool2d((1, 1))(tl.zeros(5))
    with pytest.raises(ValueError, match=r"^MaxPool1d\(kernel_size=2.*expected a 3-D input or a 2-D one "
                                         r"\(N, C, L\) or \(C, L\), got shape \(1, 2, 3, 4\)$"):
        nn.MaxPool1d(2)(tl.zeros(1, 2, 3, 4))
    with pytest.raises(ValueError, match=r"^MaxPool2d\(kernel_size=3, .*dilation=2.*: the pooling "
                                         r"window \(5, 5\) is bigger than the padded input "
                                         r"\(4, 4\)"):
        nn.MaxPool2d(3, dilation=2)(tl.zeros(1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"AvgPool1d: kernel_size must be an int >= 1 or a "
                                         r"1-tuple of them, got \(2, 2\)"):
        nn.AvgPool1d((2, 2))
    with pytest.raises(ValueError, match=r"max_pool2d: dilation must be an int >= 1"):
        F.max_pool2d(tl.zeros(1, 1, 4, 4), 2, dilation=0)
    with pytest.raises(ValueError, match=r"avg_pool2d: divisor_override must be a nonzero int"):
        F.avg_pool2d(tl.zeros(1, 1, 4, 4), 2, divisor_override=0)
    with pytest.raises(TypeError, match=r"adaptive_avg_pool2d: expected a floating-point"):
        F.adaptive_avg_pool2d(tl.zeros(1, 1, 4, 4, dtype=tl.int64), 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("pool, unpool, shape, output_size", [
    (dict(kernel_size=2), dict(kernel_size=2), (2, 3, 6, 6), None),
    (dict(kernel_size=2), dict(kernel_size=2), (2, 3, 7, 5), (7, 5)),
    (dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=3, stride=2, padding=1),
     (3, 7, 6), (1, 3, 7, 6))])
def test_max_unpool_matches_torch(pool, unpool, shape, output_size, dtype):
    torch = pytest.importorskip("torch")
    x = _distinct(shape).astype(dtype)
    out, index = F.max_pool2d(tl.tensor(x), return_indices=True, **pool)
    out_t, index_t = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **pool)
    y = tl.tensor(out.numpy(), requires_grad=True)
    y_t = torch.tensor(out_t.numpy(), requires_grad=True)
    back = nn.MaxUnpool2d(**unpool)(y, index, output_size=output_size)
    back_t = torch.nn.MaxUnpool2d(**unpool)(y_t, index_t, output_size=output_size)
    np.testing.assert_array_equal(back.detach().numpy(), back_t.detach().numpy())
    weights = np.random.default_rng(8).standard_normal(back.shape).astype(dtype)
    (back * tl.tensor(weights)).sum().backward()
    (back_t * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), y_t.grad.numpy())


def test_max_unpool_gradcheck():
    x = tl.tensor(_distinct((2, 2, 6, 4)))
    out, index = F.max_pool2d(x, 2, return_indices=True)
    y = tl.tensor(out.numpy(), requires_grad=True)
    assert tl.gradcheck(lambda y: F.max_unpool2d(y, index, 2), [y])
    assert tl.gradgradcheck(lambda y: F.max_unpool2d(y, index, 2) ** 2, [y])
    assert repr(nn.MaxUnpool2d(2)) == \
        "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"


def test_max_unpool_errors_say_what_is_valid():
    y, index = F.max_pool2d(tl.randn(1, 2, 4, 4), 2, return_indices=True)
    with pytest.raises(ValueError, match=r"^MaxUnpool2d\(kernel_size=\(2, 2\).*\): invalid "
                                         r"output_size \(7, 7\): each of the last two dims must "
                                         r"be within the stride \(2, 2\) of \(4, 4\), exclusive$"):
        nn.MaxUnpool2d(2)(y, index, output_size=(7, 7))
    with pytest.raises(ValueError, match=r"max_unpool2d: found an invalid max index 19 \(the "
                                         r"output planes are 4x4, so indices must be below 16\)"):
        F.max_unpool2d(y, index + 4, 2)
    with pytest.raises(ValueError, match=r"max_unpool2d: indices must be an integer Tensor of "
                                         r"the input's shape \(1, 2, 2, 2\)"):
        F.max_unpool2d(y, index.float(), 2)
