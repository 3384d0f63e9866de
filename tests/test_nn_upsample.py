"""nn.Upsample (and UpsamplingNearest2d / UpsamplingBilinear2d) and F.interpolate: modes
'nearest', 'linear' and 'bilinear', align_corners, size= and scale_factor=. PyTorch parity
(float64 and float32, values and gradients), gradient checks in float64, errors, reprs."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl
from torch_parity import check_against_torch

LAYERS = [
    (lambda m: m.Upsample(scale_factor=2), (2, 3, 4, 5)),
    (lambda m: m.Upsample(scale_factor=(1.5, 0.7)), (2, 3, 5, 7)),
    (lambda m: m.Upsample(size=(7, 3)), (1, 2, 5, 4)),
    (lambda m: m.Upsample(scale_factor=3), (2, 3, 5)),                  # nearest in 1-D
    (lambda m: m.Upsample(scale_factor=2, mode="bilinear"), (2, 3, 4, 5)),
    (lambda m: m.Upsample(size=(7, 3), mode="bilinear"), (1, 2, 5, 4)),
    (lambda m: m.Upsample(scale_factor=1.6, mode="bilinear", align_corners=True), (2, 2, 4, 5)),
    (lambda m: m.Upsample(size=(1, 6), mode="bilinear", align_corners=True), (1, 2, 3, 4)),
    (lambda m: m.Upsample(scale_factor=2.5, mode="linear"), (2, 3, 5)),
    (lambda m: m.Upsample(size=4, mode="linear", align_corners=True), (2, 3, 7)),
    (lambda m: m.UpsamplingNearest2d(scale_factor=2), (1, 2, 3, 3)),
    (lambda m: m.UpsamplingBilinear2d(size=(5, 6)), (1, 2, 3, 4)),
]


def _input(shape):
    return np.random.default_rng(5).standard_normal(shape)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("make, shape", LAYERS)
def test_layers_match_torch(make, shape, dtype):
    torch = pytest.importorskip("torch")
    check_against_torch(torch, make(nn), make(torch.nn), _input(shape), dtype)


@pytest.mark.parametrize("make, shape", LAYERS)
def test_layers_gradcheck(make, shape):
    layer = make(nn)
    x = tl.tensor(_input(shape), requires_grad=True)
    assert tl.gradcheck(layer, [x])
    assert tl.gradgradcheck(lambda x: layer(x) ** 2, [x])


@pytest.mark.parametrize("kwargs", [
    dict(scale_factor=(0.5, 2.5), mode="bilinear", recompute_scale_factor=True),
    dict(scale_factor=1.3, recompute_scale_factor=True),
    dict(size=(3, 11), mode="bilinear", align_corners=False),
    dict(scale_factor=0.34)])
def test_interpolate_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    x = _input((2, 3, 6, 7))
    ours = F.interpolate(tl.tensor(x), **kwargs)
    theirs = torch.nn.functional.interpolate(torch.tensor(x), **kwargs)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14)


def test_nearest_upsampling_by_two_repeats_pixels():
    x = tl.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    np.testing.assert_array_equal(F.interpolate(x, scale_factor=2).numpy()[0, 0],
                                  [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])


def test_reprs_follow_pytorch():
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.Upsample(size=(4, 5), mode="bilinear", align_corners=True)) == \
        "Upsample(size=(4, 5), mode='bilinear')"
    assert repr(nn.Upsample(scale_factor=(2, 1.5), mode="bilinear")) == \
        "Upsample(scale_factor=(2.0, 1.5), mode='bilinear')"
    assert repr(nn.UpsamplingBilinear2d(size=3)) == "UpsamplingBilinear2d(size=3, mode='bilinear')"


def test_errors_name_the_layer_and_what_is_valid():
    x = tl.zeros(1, 1, 4, 4)
    with pytest.raises(ValueError, match=r"^interpolate: give exactly one of size and "
                                         r"scale_factor, got size=3, scale_factor=2$"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match=r"interpolate: give exactly one of size"):
        F.interpolate(x)
    with pytest.raises(ValueError, match=r"^Upsample\(scale_factor=2.0, mode='linear'\): mode "
                                         r"'linear' needs a 3-D input.*got shape "
                                         r"\(1, 1, 4, 4\)$"):
        nn.Upsample(scale_factor=2, mode="linear")(x)
    with pytest.raises(ValueError, match=r"mode 'bilinear' needs a 4-D input"):
        F.interpolate(tl.zeros(1, 1, 4), scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match=r"interpolate: mode must be one of \('nearest', "
                                         r"'linear', 'bilinear'\), got 'bicubic'"):
        F.interpolate(x, scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match=r"align_corners can only be set with the modes"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match=r"size must be an int >= 1 or 2 of them for an input "
                                         r"of shape \(1, 1, 4, 4\).*got \(2, 3, 4\)"):
        F.interpolate(x, size=(2, 3, 4))
    with pytest.raises(ValueError, match=r"scale_factor 0.1 shrinks the input"):
        F.interpolate(x, scale_factor=0.1)
    with pytest.raises(TypeError, match=r"interpolate: expected a floating-point tensor"):
        F.interpolate(tl.zeros(1, 1, 4, 4, dtype=tl.int64), scale_factor=2)
