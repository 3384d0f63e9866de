"""tl.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp against closed forms and
against torch.autograd.functional."""
import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.autograd import functional as AF


def t(*shape):
    return tl.tensor(np.random.default_rng(sum(shape)).normal(size=shape))


def test_jacobian_of_elementwise_and_matmul():
    x = t(3)
    np.testing.assert_allclose(AF.jacobian(lambda a: a.sin(), x).numpy(),
                               np.diag(np.cos(x.numpy())))
    W = t(2, 3)
    jw, jx = AF.jacobian(lambda w, a: w @ a, (W, x))
    assert jw.shape == (2, 2, 3) and jx.shape == (2, 3)
    np.testing.assert_allclose(jx.numpy(), W.numpy())
    assert not jx.requires_grad


def test_jacobian_structure_for_tuple_outputs_and_unused_inputs():
    x, y = t(2), t(3)
    rows = AF.jacobian(lambda a, b: (a * 2, a.sum() * 0 + 1), (x, y))
    assert len(rows) == 2 and len(rows[0]) == 2
    assert rows[0][1].shape == (2, 3) and np.all(rows[0][1].numpy() == 0)
    with pytest.raises(RuntimeError, match="does not depend on input 1"):
        AF.jacobian(lambda a, b: a * 2, (x, y), strict=True)


def test_hessian_vjp_jvp_hvp_closed_forms():
    x = t(3)
    cube = lambda a: (a ** 3).sum()                          # noqa: E731
    np.testing.assert_allclose(AF.hessian(cube, x).numpy(), np.diag(6 * x.numpy()))
    v = t(3) * 0 + tl.tensor([1.0, 2.0, 3.0], dtype=tl.float64)
    out, hv = AF.hvp(cube, x, v)
    np.testing.assert_allclose(hv.numpy(), 6 * x.numpy() * v.numpy())
    np.testing.assert_allclose(AF.vhp(cube, x, v)[1].numpy(), hv.numpy())
    out, jv = AF.jvp(lambda a: a * a, x, v)
    np.testing.assert_allclose(jv.numpy(), 2 * x.numpy() * v.numpy())
    out, vj = AF.vjp(lambda a: a * a, x, v)
    np.testing.assert_allclose(vj.numpy(), 2 * x.numpy() * v.numpy())
    with pytest.raises(RuntimeError, match="single number"):
        AF.vjp(lambda a: a * a, x)


def test_create_graph_keeps_results_differentiable():
    x = tl.tensor([1.0, 2.0], dtype=tl.float64, requires_grad=True)
    jac = AF.jacobian(lambda a: a ** 3, x, create_graph=True)
    jac.sum().backward()                      # d/dx sum(diag(3x^2)) = 6x
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])


def test_matches_torch_autograd_functional():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(1).normal(size=(3,))
    vec = np.random.default_rng(2).normal(size=(3,))

    def f(lib):
        return lambda a: (a.sin() * a.exp()).sum() + (a[0] * a[1] * a[2])

    for name in ("hessian", "jacobian"):
        ours = getattr(AF, name)(f(tl), tl.tensor(data))
        theirs = getattr(torch.autograd.functional, name)(f(torch), torch.tensor(data))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    for name in ("hvp", "vhp", "vjp"):
        ours = getattr(AF, name)(f(tl), tl.tensor(data), tl.tensor(vec) if name != "vjp" else None)
        theirs = getattr(torch.autograd.functional, name)(
            f(torch), torch.tensor(data), torch.tensor(vec) if name != "vjp" else None)
        np.testing.assert_allclose(ours[1].numpy(), theirs[1].numpy(), rtol=1e-12)
    g = lambda a: a.sin() * a                                # noqa: E731
    ours = AF.jvp(g, tl.tensor(data), tl.tensor(vec))[1]
    theirs = torch.autograd.functional.jvp(g, torch.tensor(data), torch.tensor(vec))[1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
