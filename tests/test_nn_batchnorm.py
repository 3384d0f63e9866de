"""BatchNorm1d / BatchNorm2d: gradient checks in training and eval mode (first and second
order), PyTorch parity of outputs, gradients and running statistics over several steps, buffers,
errors and reprs."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl


def test_variance_is_accurate_far_from_zero():
    x = np.random.default_rng(1).standard_normal((64, 2, 50)).astype(np.float32) + 1e4
    out = F.batch_norm(tl.tensor(x), None, None, training=True)
    np.testing.assert_allclose(out._data.std(axis=(0, 2)), 1.0, rtol=2e-3)


@pytest.mark.parametrize("make, shape", [(lambda: nn.BatchNorm1d(3), (5, 3)),
                                         (lambda: nn.BatchNorm1d(2), (3, 2, 4)),
                                         (lambda: nn.BatchNorm2d(2), (2, 2, 3, 3)),
                                         (lambda: nn.BatchNorm2d(2, affine=False), (3, 2, 2, 2))])
@pytest.mark.parametrize("training", [True, False])
def test_gradcheck_input_and_parameters(make, shape, training):
    bn = make().double().train(training)
    rng = np.random.default_rng(2)
    for p in bn.parameters():   # away from gamma=1, beta=0 so every term matters
        p._data[...] = rng.uniform(0.5, 1.5, p.shape)
    bn.running_var._data[...] = rng.uniform(0.5, 2.0, bn.num_features)
    x = tl.tensor(rng.standard_normal(shape), requires_grad=True)
    assert tl.gradcheck(lambda x, *p: bn(x), [x] + list(bn.parameters()))


def test_second_derivatives_in_training_mode():
    bn = nn.BatchNorm2d(2).double()
    rng = np.random.default_rng(3)
    bn.weight._data[...] = rng.uniform(0.5, 1.5, 2)
    x = tl.tensor(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
    assert tl.gradgradcheck(lambda x, w, b: bn(x) ** 3, [x, bn.weight, bn.bias])


def _copy_to_torch(ours, torch, cls):
    theirs = getattr(torch.nn, cls)(ours.num_features, momentum=ours.momentum,
                                    affine=ours.affine)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return theirs


@pytest.mark.parametrize("cls, shape, momentum", [("BatchNorm2d", (8, 3, 5, 4), 0.1),
                                                  ("BatchNorm1d", (16, 4), 0.3),
                                                  ("BatchNorm1d", (6, 2, 7), None)])
def test_training_steps_then_eval_match_torch(cls, shape, momentum):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, cls)(shape[1], momentum=momentum)
    rng = np.random.default_rng(4)
    ours.weight._data[...] = rng.uniform(0.5, 1.5, shape[1])
    ours.bias._data[...] = rng.standard_normal(shape[1])
    theirs = _copy_to_torch(ours, torch, cls)
    for step in range(4):
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(np.float32)
        up = rng.standard_normal(shape).astype(np.float32)
        tx, tx_t = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, out_t = ours(tx), theirs(tx_t)
        np.testing.assert_allclose(out._data, out_t.detach().numpy(), rtol=1e-4, atol=1e-4)
        (out * tl.tensor(up)).sum().backward()
        (out_t * torch.tensor(up)).sum().backward()
        np.testing.assert_allclose(tx.grad._data, tx_t.grad.numpy(), rtol=1e-3, atol=1e-4)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(getattr(ours, name).grad._data,
                                   getattr(theirs, name).grad.numpy(), rtol=1e-4, atol=1e-4)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(ours, name)._data, getattr(theirs, name).numpy(),
                                   rtol=1e-5, atol=1e-6, err_msg=name)
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 4
    ours.eval()
    theirs.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(ours(tl.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_running_statistics_formula():
    bn = nn.BatchNorm1d(2, momentum=0.25)
    x = np.array([[1.0, 10.0], [3.0, 20.0], [8.0, 0.0]], np.float32)
    with tl.no_grad():                    # training mode updates the buffers under no_grad too
        bn(tl.tensor(x))
    np.testing.assert_allclose(bn.running_mean._data, 0.25 * x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(bn.running_var._data, 0.75 + 0.25 * x.var(0, ddof=1), rtol=1e-6)
    bn.eval()
    out = bn(tl.tensor(x))
    expected = (x - bn.running_mean._data) / np.sqrt(bn.running_var._data + 1e-5)
    np.testing.assert_allclose(out._data, expected, rtol=1e-5)
    np.testing.assert_allclose(bn.running_mean._data, 0.25 * x.mean(0), rtol=1e-6)  # unchanged


def test_track_running_stats_false_always_uses_the_batch():
    bn = nn.BatchNorm2d(2, track_running_stats=False).eval()
    x = tl.randn(4, 2, 3, 3) * 5 + 2
    out = bn(x)._data
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    assert bn.running_mean is None and "running_mean" not in bn.state_dict()


def test_state_dict_uses_pytorch_names():
    bn = nn.BatchNorm2d(4)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    assert bn.num_batches_tracked.dtype == tl.int64


def test_repr_and_errors():
    bn = nn.BatchNorm2d(16)
    assert repr(bn) == "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, " \
                       "track_running_stats=True)"
    with pytest.raises(ValueError, match=r"^BatchNorm2d\(16, .*\): expected input with 16 "
                                         r"channels \(dim 1\), got shape \(2, 8, 4, 4\)$"):
        bn(tl.zeros(2, 8, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(16.*expected a 4-D \(N, C, H, W\) "
                                         r"input, got shape \(2, 16\)"):
        bn(tl.zeros(2, 16))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3.*expected a 2-D \(N, C\) or 3-D "
                                         r"\(N, C, L\) input, got shape \(2, 3, 4, 4\)"):
        nn.BatchNorm1d(3)(tl.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"^BatchNorm1d\(3, .*\): expected more than 1 value "
                                         r"per channel when training, got input of shape "
                                         r"\(1, 3\)$"):
        nn.BatchNorm1d(3)(tl.zeros(1, 3))
    with pytest.raises(ValueError, match=r"batch_norm: weight has shape \(2,\), expected \(3,\)"):
        F.batch_norm(tl.zeros(4, 3), None, None, tl.ones(2), tl.zeros(2), training=True)
    with pytest.raises(ValueError, match=r"batch_norm: pass both running_mean and running_var"):
        F.batch_norm(tl.zeros(4, 3), tl.zeros(3), None, training=True)
