"""Tensor.register_hook, module forward-pre and full backward hooks, and the warning on
reading .grad of a non-leaf; PyTorch parity where torch is installed."""
import warnings

import numpy as np
import pytest

import nn
import tinygrad_lite as tl


def leaf(*shape):
    return tl.randn(*shape, dtype=tl.float64, requires_grad=True)


def test_tensor_hook_sees_and_replaces_the_gradient():
    x = leaf(3)
    h = x * 2
    seen = []
    h.register_hook(lambda g: seen.append(g.tolist()))
    handle = h.register_hook(lambda g: g * 10)
    (h * h).sum().backward()
    assert seen == [(2 * h).tolist()]
    np.testing.assert_allclose(x.grad.numpy(), 10 * 2 * 2 * h.detach().numpy())
    handle.remove()
    x.grad = None
    h2 = x * 2
    (h2 * h2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 2 * h2.detach().numpy())


def test_hook_on_a_leaf_runs_before_accumulation():
    x = leaf(2)
    x.register_hook(lambda g: g.clamp(-0.5, 0.5))
    (x * 100).sum().backward()
    assert x.grad.tolist() == [0.5, 0.5]


def test_retained_grad_is_the_hooked_one_and_grad_sees_hooks():
    x = leaf(2)
    h = x * 1
    h.retain_grad()
    h.register_hook(lambda g: g * 3)
    h.sum().backward()
    assert h.grad.tolist() == [3.0, 3.0] and x.grad.tolist() == [3.0, 3.0]


def test_hook_errors():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tl.ones(2).register_hook(lambda g: g)
    x = leaf(2)
    x.register_hook(lambda g: g[:1])
    with pytest.raises(RuntimeError, match=r"returned \(1,\).*gradient's shape \(2,\)"):
        (x * 1).sum().backward()


def test_hooks_go_away_with_their_tensor():
    from tinygrad_lite.autograd import engine
    before = len(engine.TENSOR_HOOKS)
    x = leaf(2)
    x.register_hook(lambda g: None)
    assert len(engine.TENSOR_HOOKS) == before + 1
    del x
    assert len(engine.TENSOR_HOOKS) == before


def test_reading_grad_of_a_non_leaf_warns_once_retained_it_does_not():
    x = leaf(2)
    h = x * 2
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert h.grad is None
    h.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert h.grad is None and x.grad is None


def test_forward_pre_hook_can_replace_the_input():
    lin = nn.Linear(2, 2)
    calls = []
    handle = lin.register_forward_pre_hook(lambda m, args: calls.append(args[0].shape))
    lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    out = lin(tl.ones(4, 2))
    assert calls == [(4, 2)]
    np.testing.assert_allclose(out.detach().numpy(), np.tile(lin.bias.detach().numpy(), (4, 1)))
    handle.remove()
    lin(tl.ones(1, 2))
    assert calls == [(4, 2)]


def _record_backward(model, lib):
    seen = []
    model.register_full_backward_pre_hook(
        lambda m, go: seen.append(("pre", [g.detach().numpy().copy() for g in go])))
    model.register_full_backward_hook(
        lambda m, gi, go: seen.append(([None if g is None else g.detach().numpy().copy() for g in gi],
                                       [g.detach().numpy().copy() for g in go])))
    return seen


def test_full_backward_hook_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w, b, x = rng.normal(size=(2, 3)), rng.normal(size=2), rng.normal(size=(4, 3))
    results = []
    for lib, nnlib in ((tl, nn), (torch, torch.nn)):
        lin = nnlib.Linear(3, 2).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(w))
            lin.bias.copy_(lib.tensor(b))
        seen = _record_backward(lin, lib)
        xt = lib.tensor(x, requires_grad=True)
        (lin(xt) ** 2).sum().backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")       # torch warns: no input requires grad
            (lin(lib.tensor(x)) ** 3).sum().backward()
        results.append(seen)
    ours, theirs = results
    assert len(ours) == len(theirs) == 4
    for a, b in zip(ours, theirs):
        if isinstance(a[0], str):
            assert b[0] == "pre"
        else:
            assert all((p is None and q is None) or np.allclose(p, q)
                       for p, q in zip(a[0], b[0]))
        assert all(np.allclose(p, q) for p, q in zip(a[1], b[1]))


def test_full_backward_hook_can_replace_grad_input():
    lin = nn.Linear(2, 1)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    x = tl.randn(3, 2, requires_grad=True)
    lin(x).sum().backward()
    assert np.all(x.grad.numpy() == 0) and lin.weight.grad is not None


def test_backward_hook_on_a_module_with_several_inputs_and_outputs():
    class Pair(nn.Module):
        def forward(self, a, b, scale):
            return a * b * scale, a + b

    seen = []
    pair = Pair()
    pair.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    a, b = leaf(2), tl.randn(2, dtype=tl.float64)
    first, second = pair(a, b, 2.0)
    (first.sum() + 3 * second.sum()).backward()
    (grad_input, grad_output) = seen[0]
    assert len(grad_input) == 2 and grad_input[1] is None and len(grad_output) == 2
    np.testing.assert_allclose(grad_input[0].numpy(), 2 * b.numpy() + 3)
    assert grad_output[1].tolist() == [3.0, 3.0]


def test_hook_must_be_callable():
    with pytest.raises(TypeError, match="must be callable"):
        nn.Linear(1, 1).register_full_backward_hook(3)
