"""nn.utils: gradient clipping and parameter vectors, against PyTorch and the formulas."""
import math

import numpy as np
import pytest

import nn
import tinygrad_lite as tl

SHAPES = [(3, 4), (4,), (2, 2, 2)]
NORMS = [2.0, 1.0, 3.0, 0.5, math.inf, "inf", -math.inf, 0.0]


def grads_arrays(seed=0, scale=1.0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [(scale * rng.normal(size=s)).astype(dtype) for s in SHAPES]


def with_grads(module, arrays, none_at=None):
    params = []
    for i, g in enumerate(arrays):
        p = module.zeros(g.shape, dtype=module.float64 if g.dtype == np.float64
                         else module.float32, requires_grad=True)
        if i != none_at:
            p.grad = module.tensor(g.copy())
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", NORMS)
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    arrays = grads_arrays()
    ours, theirs = with_grads(tl, arrays, none_at=1), with_grads(torch, arrays, none_at=1)
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, tl.Tensor) and total.shape == ()
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-13)
    for p, q in zip(ours, theirs):
        assert (p.grad is None) == (q.grad is None)
        if p.grad is not None:
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-13, atol=0)


def test_clip_grad_norm_formula_and_in_place():
    arrays = grads_arrays(scale=10.0)
    params = with_grads(tl, arrays)
    grad, array = params[0].grad, params[0].grad._data
    total = nn.utils.clip_grad_norm_(params, max_norm=2.0)
    norm = np.sqrt(sum((a ** 2).sum() for a in arrays))
    assert total.item() == pytest.approx(norm, rel=1e-14)
    coef = 2.0 / (norm + 1e-6)
    for p, a in zip(params, arrays):
        np.testing.assert_allclose(p.grad.numpy(), a * coef, rtol=1e-14)
    assert params[0].grad is grad and params[0].grad._data is array     # changed in place
    new_total = nn.utils.get_total_norm([p.grad for p in params])
    assert new_total.item() == pytest.approx(2.0, rel=1e-6)


def test_small_gradients_are_not_scaled_up():
    arrays = grads_arrays(scale=1e-3)
    params = with_grads(tl, arrays)
    nn.utils.clip_grad_norm_(params, max_norm=100.0)
    for p, a in zip(params, arrays):
        np.testing.assert_array_equal(p.grad.numpy(), a)


def test_float32_matches_pytorch():
    torch = pytest.importorskip("torch")
    arrays = grads_arrays(2, scale=5.0, dtype=np.float32)
    ours, theirs = with_grads(tl, arrays), with_grads(torch, arrays)
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert total.dtype == np.float32
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-6)
    for p, q in zip(ours, theirs):
        assert p.grad.dtype == np.float32
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6)


def test_single_tensor_generator_and_empty():
    w = tl.zeros(3, requires_grad=True)
    w.grad = tl.tensor([3.0, 4.0, 0.0])
    assert nn.utils.clip_grad_norm_(w, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(w.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-6)
    model = nn.Linear(2, 2)
    assert nn.utils.clip_grad_norm_(model.parameters(), 1.0).item() == 0.0   # no grads yet
    with pytest.warns(UserWarning, match="empty generator"):
        nn.utils.clip_grad_norm_((p for p in []), 1.0)


def test_nonfinite_norm():
    w = tl.zeros(2, requires_grad=True)
    w.grad = tl.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 .* is non-finite"):
        nn.utils.clip_grad_norm_(w, 1.0, error_if_nonfinite=True)
    assert math.isinf(nn.utils.clip_grad_norm_(w, 1.0).item())   # scaled anyway, as torch


@pytest.mark.parametrize("clip_value", [0.3, 2])
def test_clip_grad_value_matches_pytorch(clip_value):
    torch = pytest.importorskip("torch")
    arrays = grads_arrays(3)
    ours, theirs = with_grads(tl, arrays, none_at=0), with_grads(torch, arrays, none_at=0)
    assert nn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for p, q in zip(ours[1:], theirs[1:]):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
        assert np.abs(p.grad.numpy()).max() <= clip_value
    assert ours[0].grad is None


def test_get_total_norm_and_clip_grads_with_norm_match_pytorch():
    torch = pytest.importorskip("torch")
    arrays = grads_arrays(4)
    for norm_type in (2.0, math.inf):
        ours = nn.utils.get_total_norm([tl.tensor(a) for a in arrays], norm_type)
        theirs = torch.nn.utils.get_total_norm([torch.tensor(a) for a in arrays], norm_type)
        assert ours.item() == pytest.approx(theirs.item(), rel=1e-14)
    params = with_grads(tl, arrays)
    nn.utils.clip_grads_with_norm_(params, 1.0, tl.tensor(4.0, dtype=tl.float64))
    np.testing.assert_allclose(params[0].grad.numpy(), arrays[0] / (4.0 + 1e-6), rtol=1e-14)


def test_parameters_to_vector_and_back_match_pytorch():
    torch = pytest.importorskip("torch")
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    vec = nn.utils.parameters_to_vector(model.parameters())
    expected = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    np.testing.assert_array_equal(vec.detach().numpy(), expected)
    assert vec.shape == (26,) and vec.requires_grad
    (vec * tl.arange(26, dtype=tl.float32)).sum().backward()    # gradients reach the weights
    np.testing.assert_array_equal(model[0].weight.grad.numpy().ravel(), np.arange(12))
    new = tl.arange(26, dtype=tl.float32) / 10
    weight = model[0].weight
    nn.utils.vector_to_parameters(new, model.parameters())
    assert model[0].weight is weight
    np.testing.assert_allclose(model[1].bias.detach().numpy(), [2.4, 2.5], rtol=1e-6)
    flat = nn.utils.parameters_to_vector(model.parameters())
    np.testing.assert_array_equal(flat.detach().numpy(), new.numpy())
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    torch.nn.utils.vector_to_parameters(torch.arange(26.0) / 10, tmodel.parameters())
    for p, q in zip(model.parameters(), tmodel.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-6)


def test_vector_to_parameters_checks_the_length():
    model = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"vec has 7 elements but the 2 parameters have 8 "
                                         r"\(sizes \[6, 2\]\)"):
        nn.utils.vector_to_parameters(tl.zeros(7), model.parameters())
    with pytest.raises(TypeError, match="expected a Tensor, but got ndarray"):
        nn.utils.vector_to_parameters(np.zeros(8), model.parameters())
    with pytest.raises(ValueError, match="must be 1-D"):
        nn.utils.vector_to_parameters(tl.zeros(2, 4), model.parameters())
