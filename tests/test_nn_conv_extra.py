"""Convolution beyond the basics: Conv2d with groups (depthwise included), dilation,
padding='same'/'valid' and the padding modes; Conv1d; ConvTranspose2d (stride, padding,
output_padding, groups, dilation, output_size=); F.conv1d, F.conv2d, F.conv_transpose2d,
F.unfold and F.fold. PyTorch parity with copied weights (float64 and float32: outputs,
input and parameter gradients, state_dict keys and shapes), gradient checks in float64,
initialization, reprs and errors."""
import math

import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl
from torch_parity import check_against_torch

# torch warns that its padding='same' with an even kernel copies the input (so do we)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

# (layer built from a module namespace (ours: nn, theirs: torch.nn), input shape)
LAYERS = [
    (lambda m: m.Conv2d(4, 6, 3, padding=1, groups=2), (2, 4, 6, 5)),
    (lambda m: m.Conv2d(4, 8, 3, stride=2, padding=2, dilation=2), (2, 4, 7, 8)),
    (lambda m: m.Conv2d(3, 6, 3, stride=2, padding=1, groups=3), (2, 3, 7, 6)),  # depthwise x2
    (lambda m: m.Conv2d(4, 4, (3, 5), padding=1, groups=4, dilation=(1, 2)), (2, 4, 6, 11)),
    (lambda m: m.Conv2d(3, 4, 4, padding="same"), (2, 3, 6, 5)),       # asymmetric padding
    (lambda m: m.Conv2d(3, 4, 3, padding="valid", bias=False), (2, 3, 5, 5)),
    (lambda m: m.Conv2d(3, 4, 3, padding=2, padding_mode="reflect"), (2, 3, 5, 6)),
    (lambda m: m.Conv2d(3, 4, 3, padding=(1, 3), padding_mode="replicate"), (2, 3, 4, 4)),
    (lambda m: m.Conv2d(3, 4, 3, stride=2, padding=2, padding_mode="circular"), (2, 3, 5, 6)),
    (lambda m: m.Conv2d(2, 4, (2, 3), padding="same", dilation=(2, 1), groups=2,
                        padding_mode="reflect"), (2, 2, 5, 6)),
    (lambda m: m.Conv2d(3, 4, 3, padding=1), (3, 5, 5)),                # one unbatched image
    (lambda m: m.Conv1d(3, 6, 3, stride=2, padding=1), (2, 3, 9)),
    (lambda m: m.Conv1d(4, 4, 5, groups=4, padding="same"), (2, 4, 9)),   # depthwise
    (lambda m: m.Conv1d(4, 6, 4, padding="same", dilation=2, groups=2,
                        padding_mode="circular"), (2, 4, 9)),
    (lambda m: m.Conv1d(3, 2, 3, padding=2, padding_mode="reflect", bias=False), (3, 7)),
    (lambda m: m.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1), (2, 4, 4, 5)),
    (lambda m: m.ConvTranspose2d(4, 4, 3, groups=2, dilation=2), (2, 4, 3, 4)),
    (lambda m: m.ConvTranspose2d(3, 6, (4, 3), stride=(2, 3), padding=1, groups=3,
                                 bias=False), (2, 3, 4, 3)),              # depthwise
    (lambda m: m.ConvTranspose2d(2, 3, 3, stride=2), (2, 4, 4)),           # unbatched
]


def _input(shape):
    return np.random.default_rng(3).standard_normal(shape)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("make, shape", LAYERS)
def test_layers_match_torch(make, shape, dtype):
    torch = pytest.importorskip("torch")
    check_against_torch(torch, make(nn), make(torch.nn), _input(shape), dtype)


@pytest.mark.parametrize("make, shape", LAYERS)
def test_layers_gradcheck(make, shape):
    layer = make(nn).double()
    x = tl.tensor(_input(shape), requires_grad=True)
    assert tl.gradcheck(lambda x, *params: layer(x), [x] + list(layer.parameters()))


@pytest.mark.parametrize("make, shape", [LAYERS[2], LAYERS[9], LAYERS[13], LAYERS[16]])
def test_layers_second_derivatives(make, shape):
    layer = make(nn).double()
    x = tl.tensor(_input(shape), requires_grad=True)
    assert tl.gradgradcheck(lambda x, *params: (layer(x) ** 2).sum(),
                            [x] + list(layer.parameters()))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("output_size", [(9, 11), (10, 12), [2, 4, 10, 11]])
def test_conv_transpose_output_size_matches_torch(output_size, dtype):
    torch = pytest.importorskip("torch")
    make = lambda m: m.ConvTranspose2d(4, 3, 3, stride=2, padding=1)  # noqa: E731
    out = check_against_torch(torch, make(nn), make(torch.nn), _input((2, 4, 5, 6)), dtype,
                              forward_kwargs=dict(output_size=output_size))
    assert out.shape[-2:] == tuple(output_size)[-2:]


@pytest.mark.parametrize("fn, x_shape, w_shape, kwargs", [
    ("conv2d", (2, 4, 6, 5), (6, 2, 3, 3), dict(stride=(2, 1), padding=1, dilation=(1, 2),
                                               groups=2)),
    ("conv2d", (4, 6, 5), (4, 1, 2, 2), dict(padding="same", groups=4)),
    ("conv2d", (2, 3, 6, 5), (2, 3, 3, 3), dict(padding="valid")),
    ("conv1d", (2, 4, 9), (6, 2, 3), dict(stride=2, padding=1, groups=2)),
    ("conv1d", (4, 9), (4, 4, 4), dict(padding="same", dilation=2)),
    ("conv_transpose2d", (2, 4, 4, 5), (4, 3, 3, 3), dict(stride=2, padding=1,
                                                          output_padding=(1, 0), groups=2)),
    ("conv_transpose2d", (4, 3, 3), (4, 2, 2, 3), dict(stride=(1, 2), dilation=2))])
def test_functions_match_torch(fn, x_shape, w_shape, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    out_channels = w_shape[1] * kwargs.get("groups", 1) if "transpose" in fn else w_shape[0]
    b = rng.standard_normal(out_channels)
    ours = [tl.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out, out_t = getattr(F, fn)(*ours, **kwargs), getattr(torch.nn.functional, fn)(*theirs,
                                                                                   **kwargs)
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(tl.tensor(g))
    out_t.backward(torch.tensor(g))
    for a, a_t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), a_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert tl.gradcheck(lambda *t: getattr(F, fn)(*t, **kwargs), ours)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape, kwargs", [
    ((2, 3, 6, 5), dict(kernel_size=3)),
    ((2, 2, 7, 6), dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(2, 1))),
    ((3, 5, 5), dict(kernel_size=2, stride=2))])
def test_unfold_and_fold_match_torch(shape, kwargs, dtype):
    torch = pytest.importorskip("torch")
    x = _input(shape).astype(dtype)
    ours, theirs = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    cols, cols_t = F.unfold(ours, **kwargs), torch.nn.functional.unfold(theirs, **kwargs)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12)
    np.testing.assert_allclose(cols.detach().numpy(), cols_t.detach().numpy(), **tol)
    back = F.fold(cols * 2, shape[-2:], **kwargs)
    back_t = torch.nn.functional.fold(cols_t * 2, shape[-2:], **kwargs)
    np.testing.assert_allclose(back.detach().numpy(), back_t.detach().numpy(), **tol)
    (back ** 2).sum().backward()
    (back_t ** 2).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), **tol)
    x64 = tl.tensor(_input(shape), requires_grad=True)
    assert tl.gradcheck(lambda x: F.fold(F.unfold(x, **kwargs) ** 2, shape[-2:], **kwargs),
                        [x64])


@pytest.mark.parametrize("make, fan_in", [
    (lambda: nn.Conv2d(4, 8, 3, groups=2), 2 * 9), (lambda: nn.Conv1d(6, 3, 5), 6 * 5),
    (lambda: nn.ConvTranspose2d(4, 6, (2, 3), groups=2), 3 * 6)])
def test_initialization_follows_pytorch(make, fan_in):
    layer = make()
    bound = 1 / math.sqrt(fan_in)       # kaiming_uniform_(a=sqrt 5) gives 1/sqrt(fan_in) too
    for p in (layer.weight, layer.bias):
        values = np.abs(p.detach().numpy())
        assert values.max() <= bound and values.max() > 0.7 * bound
        assert p.dtype == tl.float32


def test_weight_shapes_and_state_dict_keys_follow_pytorch():
    torch = pytest.importorskip("torch")
    for make in (lambda m: m.Conv1d(4, 6, 3, groups=2), lambda m: m.Conv2d(4, 6, (2, 3), groups=2),
                 lambda m: m.ConvTranspose2d(4, 6, 3, groups=2, bias=False)):
        ours, theirs = make(nn), make(torch.nn)
        assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
            {k: tuple(v.shape) for k, v in theirs.state_dict().items()}


def test_reprs_follow_pytorch():
    assert repr(nn.Conv2d(4, 8, 3, padding=1, dilation=2, groups=2, bias=False,
                          padding_mode="reflect")) == (
        "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(2, 2), "
        "groups=2, bias=False, padding_mode=reflect)")
    assert repr(nn.Conv2d(4, 8, 3, padding="same")) == \
        "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=same)"
    assert repr(nn.Conv1d(4, 8, 3, stride=2, padding=1, groups=4)) == \
        "Conv1d(4, 8, kernel_size=(3,), stride=(2,), padding=(1,), groups=4)"
    assert repr(nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1,
                                   groups=2)) == (
        "ConvTranspose2d(4, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), "
        "output_padding=(1, 1), groups=2)")
    assert repr(nn.ConvTranspose2d(4, 8, 3, dilation=2, bias=False)) == \
        "ConvTranspose2d(4, 8, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2), bias=False)"


@pytest.mark.parametrize("build, message", [
    (lambda: nn.Conv2d(3, 8, kernel_size=3, groups=2),
     r"^Conv2d\(3, 8, kernel_size=\(3, 3\), groups=2\): in_channels \(3\) must be divisible "
     r"by groups \(2\)$"),
    (lambda: nn.Conv1d(4, 6, 3, groups=4),
     r"^Conv1d\(4, 6, kernel_size=\(3,\), groups=4\): out_channels \(6\) must be divisible"),
    (lambda: nn.Conv2d(3, 8, 3, padding="full"),
     r"^Conv2d\(3, 8, kernel_size=\(3, 3\), padding='full'\): invalid padding string 'full'; "
     r"use 'same', 'valid', an int or a tuple of ints$"),
    (lambda: nn.Conv2d(3, 8, 3, stride=2, padding="same"),
     r"^Conv2d\(3, 8, .*stride=2, padding='same'\): padding='same' needs stride 1"),
    (lambda: nn.Conv2d(3, 8, 3, padding_mode="mirror"),
     r"Conv2d\(.*\): padding_mode must be one of \('zeros', 'reflect', 'replicate', "
     r"'circular'\), got 'mirror'"),
    (lambda: nn.ConvTranspose2d(3, 8, 3, padding_mode="reflect"),
     r"ConvTranspose2d\(.*\): only padding_mode='zeros' is supported"),
    (lambda: nn.Conv1d(3, 8, (3, 3)),
     r"Conv1d\(3, 8, kernel_size=\(3, 3\)\): kernel_size must be an int >= 1 or a 1-tuple"),
    (lambda: nn.Conv2d(3, 8, 3, dilation=0), r"Conv2d\(.*\): dilation must be an int >= 1"),
])
def test_construction_errors_name_the_layer(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_forward_errors_name_the_layer_and_shapes():
    conv = nn.Conv2d(4, 8, 3, groups=2)
    with pytest.raises(ValueError, match=r"^Conv2d\(4, 8, kernel_size=\(3, 3\), stride=\(1, 1\), "
                                         r"groups=2\): expected input with 4 channels, got "
                                         r"shape \(1, 3, 5, 5\)$"):
        conv(tl.zeros(1, 3, 5, 5))
    with pytest.raises(ValueError, match=r"^Conv2d\(4, 8.*\): expected a 4-D input or a 3-D one "
                                         r"\(N, C, H, W\) or \(C, H, W\), got shape \(4, 5\)$"):
        conv(tl.zeros(4, 5))
    with pytest.raises(ValueError, match=r"^Conv1d\(2, 2.*\): expected a 3-D input or a 2-D one "
                                         r"\(N, C, L\) or \(C, L\), got shape \(1, 2, 3, 4\)$"):
        nn.Conv1d(2, 2, 3)(tl.zeros(1, 2, 3, 4))
    with pytest.raises(ValueError, match=r"^Conv1d\(2, 3.*\): expected input with 2 channels"):
        nn.Conv1d(2, 3, 3)(tl.zeros(4, 7))
    with pytest.raises(ValueError, match=r"Conv2d\(.*padding_mode=reflect\): padding \(3, 3\) is "
                                         r"too large for padding_mode='reflect' on a dim of "
                                         r"size 3.*at most 2"):
        nn.Conv2d(1, 1, 3, padding=3, padding_mode="reflect")(tl.zeros(1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"ConvTranspose2d\(.*\): requested an output size of "
                                         r"\(12, 12\), but valid sizes range from \(9, 9\) to "
                                         r"\(10, 10\)"):
        nn.ConvTranspose2d(3, 8, 3, stride=2)(tl.zeros(1, 3, 4, 4), output_size=(12, 12))
    with pytest.raises(ValueError, match=r"conv_transpose2d: output_padding \(2, 2\) must be "
                                         r"smaller than the stride \(2, 2\)"):
        F.conv_transpose2d(tl.zeros(1, 3, 4, 4), tl.zeros(3, 2, 3, 3), stride=2,
                           output_padding=2)
    with pytest.raises(ValueError, match=r"conv2d: weight of shape \(4, 2, 3, 3\) does not fit "
                                         r"input of shape \(1, 6, 5, 5\) with groups=2: "
                                         r"expected \(out_channels, in_channels/groups = 3"):
        F.conv2d(tl.zeros(1, 6, 5, 5), tl.zeros(4, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"conv2d: groups=4 must be a positive int that divides "
                                         r"the 6 input channels"):
        F.conv2d(tl.zeros(1, 6, 5, 5), tl.zeros(4, 2, 3, 3), groups=4)
    with pytest.raises(ValueError, match=r"fold: input of shape \(1, 8, 5\) does not fit"):
        F.fold(tl.zeros(1, 8, 5), (4, 4), 2)


@pytest.mark.parametrize("mode, pad, shape", [("reflect", (2, 1, 1, 3), (2, 3, 5, 6)),
                                              ("replicate", (3, 0), (2, 3, 4)),
                                              ("circular", (1, 2, 0, 4), (1, 2, 4, 5))])
def test_pad_modes_match_torch(mode, pad, shape):
    torch = pytest.importorskip("torch")
    x = _input(shape)
    ours, theirs = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, out_t = F.pad(ours, pad, mode=mode), torch.nn.functional.pad(theirs, pad, mode=mode)
    np.testing.assert_array_equal(out.detach().numpy(), out_t.detach().numpy())
    (out ** 2).sum().backward()
    (out_t ** 2).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match=r"pad: mode 'reflect' needs pad"):
        F.pad(ours, (-1, 1), mode="reflect")
    with pytest.raises(ValueError, match=r"pad: mode must be 'constant', 'reflect'"):
        F.pad(ours, (1, 1), mode="mirror")
