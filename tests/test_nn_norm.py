"""LayerNorm, GroupNorm, InstanceNorm1d/2d and the BatchNorm options (affine=False,
track_running_stats=False, momentum=None, bias=False): PyTorch parity with copied weights in
float64 (outputs, input and parameter gradients, running statistics, state_dict keys), gradient
checks of first and second order, F. forms, errors and reprs."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl


def _copy_parameters(ours, theirs, rng):
    """Random parameters (away from 1 and 0, so every term matters) on both modules."""
    torch = pytest.importorskip("torch")
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        values = rng.uniform(0.5, 1.5, p.shape)
        p._data[...] = values
        with torch.no_grad():
            q.copy_(torch.tensor(values))


def _compare(ours, theirs, shape, steps=1, training=True, seed=0):
    """Run both modules (float64) on the same inputs; compare outputs, input and parameter
    gradients, buffers and state_dict keys."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    ours.double().train(training)
    theirs.double().train(training)
    _copy_parameters(ours, theirs, rng)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for _ in range(steps):
        x = rng.standard_normal(shape) * 2 + 0.5
        a, b = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = ours(a), theirs(b)
        np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)
        weights = rng.standard_normal(shape)
        (out * tl.tensor(weights)).sum().backward()
        (expected * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=name)
    for (name, buf), (_, twin) in zip(ours.named_buffers(), theirs.named_buffers()):
        np.testing.assert_allclose(buf.numpy(), twin.numpy(), rtol=1e-10, err_msg=name)


@pytest.mark.parametrize("args, kwargs, shape", [
    ((5,), {}, (4, 5)), (((3, 4),), {}, (2, 3, 4)), ((4,), {"eps": 1e-3}, (2, 3, 4)),
    ((6,), {"elementwise_affine": False}, (3, 6)), ((6,), {"bias": False}, (2, 2, 6)),
    ((1,), {}, (3, 1))])
def test_layer_norm_matches_torch(args, kwargs, shape):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.LayerNorm(*args, **kwargs), torch.nn.LayerNorm(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, shape)


@pytest.mark.parametrize("args, kwargs, shape", [
    ((2, 4), {}, (3, 4, 5)), ((1, 3), {}, (2, 3, 2, 2)), ((3, 3), {"affine": False}, (2, 3, 4)),
    ((2, 6), {"eps": 0.1}, (2, 6)), ((2, 4), {"bias": False}, (2, 4, 3))])
def test_group_norm_matches_torch(args, kwargs, shape):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.GroupNorm(*args, **kwargs), torch.nn.GroupNorm(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, shape)


@pytest.mark.parametrize("name, kwargs, shape", [
    ("InstanceNorm1d", {}, (2, 3, 5)), ("InstanceNorm1d", {"affine": True}, (3, 5)),
    ("InstanceNorm2d", {"affine": True, "bias": False}, (2, 3, 2, 3)),
    ("InstanceNorm2d", {}, (3, 4, 4)),
    ("InstanceNorm1d", {"track_running_stats": True}, (4, 3, 6)),
    ("InstanceNorm2d", {"track_running_stats": True, "affine": True, "momentum": 0.3},
     (2, 3, 2, 2))])
@pytest.mark.parametrize("training", [True, False])
def test_instance_norm_matches_torch(name, kwargs, shape, training):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(3, **kwargs), getattr(torch.nn, name)(3, **kwargs)
    assert repr(ours) == repr(theirs)
    if kwargs.get("track_running_stats"):    # move the running statistics first
        _compare(ours, theirs, shape, steps=3, training=True)
    _compare(ours, theirs, shape, steps=2, training=training, seed=1)


@pytest.mark.parametrize("name, kwargs, shape", [
    ("BatchNorm1d", {"affine": False}, (5, 3)),
    ("BatchNorm1d", {"track_running_stats": False}, (4, 3, 2)),
    ("BatchNorm2d", {"momentum": None}, (2, 3, 2, 2)),
    ("BatchNorm2d", {"bias": False}, (2, 3, 2, 2)),
    ("BatchNorm1d", {"affine": False, "track_running_stats": False}, (6, 3))])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_options_match_torch(name, kwargs, shape, training):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(3, **kwargs), getattr(torch.nn, name)(3, **kwargs)
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, shape, steps=3, training=True)
    _compare(ours, theirs, shape, steps=2, training=training, seed=1)


@pytest.mark.parametrize("make, shape", [
    (lambda: nn.LayerNorm(4), (3, 4)), (lambda: nn.LayerNorm((2, 3)), (2, 2, 3)),
    (lambda: nn.LayerNorm(3, bias=False), (2, 3)), (lambda: nn.GroupNorm(2, 4), (2, 4, 3)),
    (lambda: nn.InstanceNorm1d(2, affine=True), (2, 2, 4))])
def test_gradcheck_first_and_second_order(make, shape):
    layer = make().double()
    rng = np.random.default_rng(4)
    for p in layer.parameters():
        p._data[...] = rng.uniform(0.5, 1.5, p.shape)
    x = tl.tensor(rng.standard_normal(shape), requires_grad=True)
    inputs = [x] + list(layer.parameters())
    assert tl.gradcheck(lambda x, *p: layer(x), inputs)
    assert tl.gradgradcheck(lambda x, *p: layer(x), inputs)


def test_functional_forms_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((2, 4, 3)), rng.standard_normal(4), rng.standard_normal(4)
    rm, rv = rng.standard_normal(4), rng.uniform(0.5, 2, 4)
    T, t = tl.tensor, torch.tensor
    pairs = [
        (F.layer_norm(T(x), (4, 3)), tf.layer_norm(t(x), (4, 3))),
        (F.layer_norm(T(x), [3], bias=T(b[:3])), tf.layer_norm(t(x), [3], bias=t(b[:3]))),
        (F.layer_norm(T(x), 3, T(w[:3]), eps=0.1), tf.layer_norm(t(x), (3,), t(w[:3]), eps=0.1)),
        (F.group_norm(T(x), 2, T(w), T(b)), tf.group_norm(t(x), 2, t(w), t(b))),
        (F.instance_norm(T(x), weight=T(w)), tf.instance_norm(t(x), weight=t(w))),
        (F.instance_norm(T(x), T(rm), T(rv), use_input_stats=False),
         tf.instance_norm(t(x), t(rm), t(rv), use_input_stats=False)),
        (F.batch_norm(T(x), T(rm), T(rv), T(w)), tf.batch_norm(t(x), t(rm), t(rv), t(w))),
        (F.batch_norm(T(x), None, None, bias=T(b), training=True),
         tf.batch_norm(t(x), None, None, bias=t(b), training=True)),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_float32_layer_norm_is_accurate_far_from_zero():
    torch = pytest.importorskip("torch")
    x = (np.random.default_rng(6).standard_normal((8, 256)) + 1e4).astype(np.float32)
    out = nn.LayerNorm(256)(tl.tensor(x))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.detach().numpy(),
                               torch.nn.functional.layer_norm(torch.tensor(x).double(), (256,)),
                               atol=2e-3)


def test_state_dict_keys_match_torch():
    torch = pytest.importorskip("torch")
    for name, args in (("LayerNorm", (3,)), ("GroupNorm", (1, 3)), ("InstanceNorm1d", (3,)),
                       ("BatchNorm1d", (3,))):
        for kwargs in ({}, {"bias": False}):
            assert list(getattr(nn, name)(*args, **kwargs).state_dict()) == \
                list(getattr(torch.nn, name)(*args, **kwargs).state_dict()), (name, kwargs)
    assert list(nn.BatchNorm1d(3, track_running_stats=False).state_dict()) == ["weight", "bias"]
    assert list(nn.InstanceNorm2d(3, track_running_stats=True).state_dict()) == \
        ["running_mean", "running_var", "num_batches_tracked"]


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"^LayerNorm\(\(4,\), .*\): input of shape \(2, 3\) "
                                         r"does not end with normalized_shape \(4,\)$"):
        nn.LayerNorm(4)(tl.zeros(2, 3))
    with pytest.raises(ValueError, match=r"LayerNorm: normalized_shape must be"):
        nn.LayerNorm(0)
    with pytest.raises(ValueError, match=r"GroupNorm: num_channels \(5\) must be divisible by "
                                         r"num_groups \(2\)"):
        nn.GroupNorm(2, 5)
    with pytest.raises(ValueError, match=r"^GroupNorm\(2, 4, .*\): expected an input "
                                         r"\(N, 4, \.\.\.\)"):
        nn.GroupNorm(2, 4)(tl.zeros(2, 6))
    with pytest.raises(ValueError, match=r"^InstanceNorm1d\(3, .*\): expected a 3-D "
                                         r"\(N, C, L\) or 2-D \(C, L\) input, got shape "
                                         r"\(2, 3, 4, 4\)"):
        nn.InstanceNorm1d(3)(tl.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"^InstanceNorm2d\(3, .*affine=True.*\): expected "
                                         r"input with 3 channels"):
        nn.InstanceNorm2d(3, affine=True)(tl.zeros(2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"instance_norm: expected more than 1 spatial "
                                         r"element"):
        nn.InstanceNorm1d(3)(tl.zeros(2, 3, 1))
    with pytest.warns(UserWarning, match=r"InstanceNorm1d\(3.*input has 4 channels"):
        nn.InstanceNorm1d(3)(tl.randn(2, 4, 5))
    with pytest.raises(ValueError, match=r"layer_norm: weight has shape \(3,\), expected "
                                         r"normalized_shape \(4,\)"):
        F.layer_norm(tl.zeros(2, 4), (4,), tl.ones(3))
    with pytest.raises(ValueError, match=r"group_norm: num_groups=3 must be a positive int "
                                         r"that divides the 4 channels"):
        F.group_norm(tl.zeros(2, 4, 3), 3)
