"""The activations beyond the classic ones (SiLU, Mish, Hardtanh, ReLU6, Hardsigmoid, Hardswish,
Softsign, LogSigmoid, CELU, Softmin, Tanhshrink, Threshold, GLU): PyTorch parity of values and
input gradients for modules and F. functions, first and second order gradient checks in
float64, stability of logsigmoid, errors and reprs."""
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl

# (our module, torch's module name, constructor args): the same on both sides
CASES = [("SiLU", ()), ("Mish", ()), ("Hardtanh", ()), ("Hardtanh", (-2.0, 0.5)), ("ReLU6", ()),
         ("Hardsigmoid", ()), ("Hardswish", ()), ("Softsign", ()), ("LogSigmoid", ()),
         ("CELU", ()), ("CELU", (0.5,)), ("Softmin", (1,)), ("Softmin", (0,)),
         ("Tanhshrink", ()), ("Threshold", (0.3, -2.0)), ("GLU", ()), ("GLU", (0,))]
KINKS = np.array([-3.0, -2.0, -1.0, 0.0, 0.3, 0.5, 1.0, 3.0, 6.0])


def _input(shape=(4, 6), seed=0):
    """Values in [-8, 8], at least 0.05 away from every activation's kinks."""
    x = np.random.default_rng(seed).uniform(-8, 8, shape)
    near = np.abs(x[..., None] - KINKS).min(-1) < 0.05
    return np.where(near, x + 0.1, x)


@pytest.mark.parametrize("name, args", CASES)
def test_module_matches_torch(name, args):
    torch = pytest.importorskip("torch")
    x = _input()
    ours = tl.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out, expected = getattr(nn, name)(*args)(ours), getattr(torch.nn, name)(*args)(theirs)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    weights = np.random.default_rng(1).standard_normal(expected.shape)
    (out * tl.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    # torch's hardsigmoid backward multiplies by the float32 constant 1.0f / 6.0f
    rtol = 1e-7 if name in ("Hardsigmoid", "Hardswish") else 1e-10
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=rtol, atol=1e-12)
    assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


@pytest.mark.parametrize("name, args", CASES)
def test_gradcheck_first_and_second_order(name, args):
    layer = getattr(nn, name)(*args)
    x = tl.tensor(_input((4, 4), seed=2), requires_grad=True)
    assert tl.gradcheck(layer, [x])
    assert tl.gradgradcheck(layer, [x])


@pytest.mark.parametrize("fn, kwargs", [("silu", {}), ("mish", {}),
                                        ("hardtanh", {"min_val": -0.5, "max_val": 2.0}),
                                        ("relu6", {}), ("hardsigmoid", {}), ("hardswish", {}),
                                        ("softsign", {}), ("logsigmoid", {}),
                                        ("celu", {"alpha": 2.0}), ("softmin", {"dim": -1}),
                                        ("tanhshrink", {}),
                                        ("threshold", {"threshold": 1.0, "value": 5.0}),
                                        ("glu", {"dim": 1})])
def test_functional_matches_torch(fn, kwargs):
    torch = pytest.importorskip("torch")
    x = _input((2, 4, 3), seed=3)
    np.testing.assert_allclose(getattr(F, fn)(tl.tensor(x), **kwargs).numpy(),
                               getattr(torch.nn.functional, fn)(torch.tensor(x), **kwargs),
                               rtol=1e-12, atol=1e-12)


def test_float32_stays_float32():
    x = tl.tensor(_input().astype(np.float32))
    for fn in (F.silu, F.mish, F.hardswish, F.logsigmoid, F.celu, F.glu, F.softsign):
        assert fn(x).dtype == np.float32, fn.__name__


def test_logsigmoid_is_stable_for_large_inputs():
    torch = pytest.importorskip("torch")
    x = np.array([-1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0])
    t = tl.tensor(x, requires_grad=True)
    out = F.logsigmoid(t)
    out.sum().backward()
    out = out.detach()
    assert np.isfinite(out.numpy()).all() and np.isfinite(t.grad.numpy()).all()
    theirs = torch.tensor(x, requires_grad=True)
    torch.nn.functional.logsigmoid(theirs).sum().backward()
    np.testing.assert_allclose(out.numpy(), torch.nn.functional.logsigmoid(torch.tensor(x)))
    np.testing.assert_allclose(t.grad.numpy(), theirs.grad.numpy())


def test_mish_is_finite_for_large_inputs():
    out = F.mish(tl.tensor([-1000.0, 1000.0]))
    np.testing.assert_allclose(out.numpy(), [0.0, 1000.0], atol=1e-300)


def test_softmin_without_dim_warns_at_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.Softmin()(tl.randn(2, 3))
    assert caught and caught[0].filename == __file__


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"glu: halving dimension must be even.*size 3"):
        F.glu(tl.randn(2, 3))
    with pytest.raises(ValueError, match="Hardtanh: min_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(ValueError, match="CELU: alpha"):
        nn.CELU(0.0)
    with pytest.raises(TypeError, match="silu: expected a floating-point tensor"):
        F.silu(tl.tensor([1, 2]))
    with pytest.raises(IndexError, match="glu: dim 2 is out of range"):
        F.glu(tl.randn(2, 4), dim=2)
