"""Dropout1d, Dropout2d, AlphaDropout, Bilinear and Unflatten: channel masks and scaling,
alpha dropout's two values against PyTorch's formula, Bilinear parity with copied weights in
float64 (outputs, input and parameter gradients), gradient checks, Unflatten shapes, errors."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl


@pytest.mark.parametrize("layer, shape", [(nn.Dropout1d(0.4), (8, 16, 5)),
                                          (nn.Dropout1d(0.4), (64, 5)),
                                          (nn.Dropout2d(0.4), (8, 16, 3, 3))])
def test_channel_dropout_drops_whole_channels(layer, shape):
    tl.manual_seed(0)
    x = tl.ones(*shape, dtype=tl.float64, requires_grad=True)
    out = layer(x)
    out.sum().backward()
    values = out.detach().numpy()
    channel_dims = 2 if len(shape) > 2 else 1           # (N, C, ...) or unbatched (C, L)
    per_channel = values.reshape(values.shape[:channel_dims] + (-1,))
    assert np.all(per_channel == per_channel[..., :1])          # one draw per channel
    assert set(np.unique(values)) <= {0.0, 1 / 0.6}
    assert 0.2 < (values == 0).mean() < 0.6
    np.testing.assert_array_equal(x.grad.numpy(), values)     # dy/dx = the mask
    layer.eval()
    assert layer(x) is x


def test_dropout2d_on_3d_input_warns_like_torch():
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(tl.ones(2, 3, 4))


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_values_follow_torch_formula(p):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(4000)
    tl.manual_seed(1)
    ours = F.alpha_dropout(tl.tensor(x), p, training=True).numpy()
    theirs = torch.nn.functional.alpha_dropout(torch.tensor(x), p, training=True).numpy()
    for out in (ours, theirs):     # each entry is a kept a x + b or the dropped constant
        a = 1 / np.sqrt((1.7580993408473766 ** 2 * p + 1) * (1 - p))
        kept = np.isclose(out, a * x + a * 1.7580993408473766 * p, rtol=1e-12)
        dropped = np.isclose(out, a * 1.7580993408473766 * (p - 1), rtol=1e-12)
        assert np.all(kept | dropped) and abs(dropped.mean() - p) < 0.05
    assert abs(ours.mean()) < 0.1 and abs(ours.std() - 1) < 0.1   # the SELU fixed point kept


def test_alpha_dropout_module_eval_and_gradient():
    layer = nn.AlphaDropout(0.3)
    x = tl.tensor(np.random.default_rng(2).standard_normal(100), requires_grad=True)
    layer(x).sum().backward()
    a = 1 / np.sqrt((1.7580993408473766 ** 2 * 0.3 + 1) * 0.7)
    assert set(np.round(np.unique(x.grad.numpy()), 12)) == {0.0, round(a, 12)}
    assert layer.eval()(x) is x


@pytest.mark.parametrize("shape1, shape2, bias", [((4, 3), (4, 5), True),
                                                  ((2, 3, 3), (2, 3, 5), False),
                                                  ((3,), (5,), True)])
def test_bilinear_matches_torch(shape1, shape2, bias):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Bilinear(3, 5, 2, bias).double(), torch.nn.Bilinear(3, 5, 2, bias).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for p, q in zip(ours.parameters(), theirs.parameters()):
        p._data[...] = q.detach().numpy()
    rng = np.random.default_rng(3)
    a1, a2 = rng.standard_normal(shape1), rng.standard_normal(shape2)
    x1, x2 = tl.tensor(a1, requires_grad=True), tl.tensor(a2, requires_grad=True)
    t1, t2 = torch.tensor(a1, requires_grad=True), torch.tensor(a2, requires_grad=True)
    out, expected = ours(x1, x2), theirs(t1, t2)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    weights = rng.standard_normal(expected.shape)
    (out * tl.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for a, b in [(x1, t1), (x2, t2)] + list(zip(ours.parameters(), theirs.parameters())):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_bilinear_gradcheck_and_errors():
    layer = nn.Bilinear(2, 3, 2).double()
    rng = np.random.default_rng(4)
    x1 = tl.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    x2 = tl.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    assert tl.gradcheck(lambda a, b, *p: layer(a, b), [x1, x2] + list(layer.parameters()))
    assert tl.gradgradcheck(lambda a, b: layer(a, b), [x1, x2])
    with pytest.raises(ValueError, match=r"^Bilinear\(in1_features=2, .*\): inputs of shapes "
                                         r"\(3, 3\) and \(3, 3\) do not fit"):
        layer(x2, x2)
    with pytest.raises(ValueError, match=r"bilinear: bias has shape \(3,\), expected \(2,\)"):
        F.bilinear(x1, x2, layer.weight, tl.zeros(3, dtype=tl.float64))


@pytest.mark.parametrize("dim, sizes, shape", [(1, (2, 3), (4, 6)), (-1, (2, -1), (4, 3, 8)),
                                               (0, [2, 2], (4,))])
def test_unflatten_matches_torch(dim, sizes, shape):
    torch = pytest.importorskip("torch")
    x = np.arange(np.prod(shape), dtype=float).reshape(shape)
    ours, theirs = nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes)
    np.testing.assert_array_equal(ours(tl.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())
    assert repr(ours) == repr(theirs)


def test_unflatten_errors():
    with pytest.raises(ValueError, match=r"^Unflatten\(dim=1, unflattened_size=\(4, 2\)\): "
                                         r"unflattened_size \(4, 2\) does not fit dim 1 of "
                                         r"size 6"):
        nn.Unflatten(1, (4, 2))(tl.zeros(2, 6))
    with pytest.raises(TypeError, match=r"Unflatten: unflattened_size must be a tuple"):
        nn.Unflatten(1, 6)


def test_dropout_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"Dropout2d: probability p must be between 0 and 1"):
        nn.Dropout2d(1.5)
    with pytest.raises(ValueError, match=r"dropout1d: expected a 2-D \(C, L\) or 3-D"):
        F.dropout1d(tl.zeros(2, 3, 4, 5))
