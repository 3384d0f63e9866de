"""tl.linalg against torch.linalg: values and gradients of the public functions (the ops'
own gradient checks run in test_ops.py), options, batching, and the errors."""
import numpy as np
import pytest

import tinygrad_lite as tl

torch = pytest.importorskip("torch")
INF = float("inf")


def _matrix(shape, seed=0, kind="general"):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, shape)
    n = shape[-1]
    if kind == "general":
        return a + n * np.eye(shape[-2], n)
    if kind == "spd":
        return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)
    if kind == "symmetric":
        q = np.linalg.qr(rng.standard_normal(shape))[0]
        return (q * (np.arange(n) + 0.5)) @ np.swapaxes(q, -1, -2)
    return a


def _compare(ours_fn, torch_fn, *arrays, atol=1e-9):
    """Same values and the same gradients (for a random weighting of the outputs)."""
    ours_in = [tl.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = ours_fn(*ours_in), torch_fn(*theirs_in)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    rng = np.random.default_rng(5)
    loss_ours, loss_theirs = 0, 0
    for o, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), atol=atol)
        if t.requires_grad:
            w = rng.standard_normal(tuple(t.shape))
            loss_ours = loss_ours + (o * tl.tensor(w)).sum()
            loss_theirs = loss_theirs + (t * torch.tensor(w)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    for o, t in zip(ours_in, theirs_in):
        ours_grad = np.zeros(o.shape) if o.grad is None else o.grad.numpy()  # None: no path
        theirs_grad = np.zeros(o.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(ours_grad, theirs_grad, atol=atol)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "matrix_power"])
def test_square_functions(name, shape):
    a = _matrix(shape)
    if name == "matrix_power":
        for n in (-2, 0, 1, 3):
            _compare(lambda x: tl.linalg.matrix_power(x, n) + x * 0,
                     lambda x: torch.linalg.matrix_power(x, n) + x * 0, a)
        return
    _compare(getattr(tl.linalg, name), getattr(torch.linalg, name), a)


@pytest.mark.parametrize("b_shape,left", [((3,), True), ((3, 2), True), ((2, 3, 3), True),
                                          ((2, 3), False), ((4, 3), False)])
def test_solve(b_shape, left):
    a, b = _matrix((3, 3)), _matrix(b_shape, 1, "raw")
    _compare(lambda x, y: tl.linalg.solve(x, y, left=left),
             lambda x, y: torch.linalg.solve(x, y, left=left), a, b)


def test_solve_batched_vectors():
    _compare(tl.linalg.solve, torch.linalg.solve, _matrix((2, 3, 3)), _matrix((2, 3), 1, "raw"))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(upper):
    _compare(lambda x: tl.linalg.cholesky(x, upper=upper),
             lambda x: torch.linalg.cholesky(x, upper=upper), _matrix((2, 4, 4), kind="spd"))


def test_cholesky_reads_the_lower_triangle_only():
    a = _matrix((4, 4), kind="spd")
    a[0, 3] += 5.0                        # the upper triangle is ignored, as in torch
    _compare(tl.linalg.cholesky, torch.linalg.cholesky, a)


def _fix_qr_signs(q, r):
    """torch's Q, R with R's diagonal made non-negative (our convention)."""
    k = min(r.shape[-2:])
    s = torch.sign(torch.diagonal(r, dim1=-2, dim2=-1)[..., :k]).detach()
    q = torch.cat([q[..., :k] * s.unsqueeze(-2), q[..., k:]], -1)
    return q, torch.cat([r[..., :k, :] * s.unsqueeze(-1), r[..., k:, :]], -2)


@pytest.mark.parametrize("shape,mode", [((5, 3), "reduced"), ((3, 5), "reduced"),
                                        ((2, 4, 4), "complete"), ((3, 5), "complete")])
def test_qr(shape, mode):
    _compare(lambda x: tuple(tl.linalg.qr(x, mode)),
             lambda x: _fix_qr_signs(*torch.linalg.qr(x, mode)), _matrix(shape))


def test_qr_modes_r_and_complete_tall():
    a = _matrix((5, 3))
    q, r = tl.linalg.qr(tl.tensor(a), mode="r")
    assert q.numel() == 0
    np.testing.assert_allclose(np.abs(r.numpy()), np.abs(np.linalg.qr(a)[1]), atol=1e-12)
    q, r = tl.linalg.qr(tl.tensor(a, requires_grad=True), mode="complete")
    assert q.shape == (5, 5) and r.shape == (5, 3)
    np.testing.assert_allclose((q @ r).detach().numpy(), a, atol=1e-12)
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete'"):
        q.sum().backward()


def _fix_vector_signs(u, axis=-2):
    index = u.detach().abs().argmax(axis, keepdim=True)
    return torch.sign(torch.take_along_dim(u.detach(), index, axis))


@pytest.mark.parametrize("UPLO", ["L", "U"])
def test_eigh(UPLO):
    def theirs(x):
        values, vectors = torch.linalg.eigh(x, UPLO)
        return values, vectors * _fix_vector_signs(vectors)
    _compare(lambda x: tuple(tl.linalg.eigh(x, UPLO)), theirs, _matrix((2, 4, 4), kind="symmetric"))
    _compare(lambda x: tl.linalg.eigvalsh(x, UPLO), lambda x: torch.linalg.eigvalsh(x, UPLO),
             _matrix((3, 3), kind="symmetric"))


def test_eigh_reads_one_triangle():
    a = _matrix((4, 4), kind="symmetric")
    a[3, 0] += 1.0                        # only the lower triangle changed
    for UPLO in ("L", "U"):
        np.testing.assert_allclose(tl.linalg.eigvalsh(tl.tensor(a), UPLO).numpy(),
                                   torch.linalg.eigvalsh(torch.tensor(a), UPLO).numpy())


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (3, 3)])
@pytest.mark.parametrize("full_matrices", [False, True])
def test_svd(shape, full_matrices):
    a = _matrix(shape, kind="raw")

    def theirs(x):
        u, s, vh = torch.linalg.svd(x, full_matrices=full_matrices)
        k = s.shape[-1]
        signs = _fix_vector_signs(u[..., :k])
        u = torch.cat([u[..., :k] * signs, u[..., k:]], -1)
        vh = torch.cat([vh[..., :k, :] * signs.mT, vh[..., k:, :]], -2)
        if full_matrices and shape[-1] != shape[-2]:   # extra vectors: not unique, not compared
            return s, u[..., :k], vh[..., :k, :]
        return u, s, vh

    def ours(x):
        u, s, vh = tl.linalg.svd(x, full_matrices=full_matrices)
        k = s.shape[-1]
        if full_matrices and shape[-1] != shape[-2]:
            return s, u[..., :k], vh[..., :k, :]
        return u, s, vh
    _compare(ours, theirs, a)
    _compare(tl.linalg.svdvals, torch.linalg.svdvals, a)
    _compare(tl.linalg.pinv, torch.linalg.pinv, a)


def test_torch_svd_signature():
    a = tl.tensor(_matrix((4, 3), kind="raw"))
    U, S, V = tl.svd(a)
    assert U.shape == (4, 3) and V.shape == (3, 3)
    np.testing.assert_allclose((U * S.unsqueeze(0) @ V.transpose(0, 1)).numpy(), a.numpy(),
                               atol=1e-12)
    assert tl.svd(a, some=False).U.shape == (4, 4)
    U, S, V = tl.svd(a, compute_uv=False)
    assert U.shape == (4, 4) and V.shape == (3, 3) and not U.numpy().any()


@pytest.mark.parametrize("dim", [-1, 1])
def test_cross(dim):
    a, b = _matrix((1, 3, 3), 1, "raw"), _matrix((2, 3, 3), 2, "raw")
    _compare(lambda x, y: tl.linalg.cross(x, y, dim=dim),
             lambda x, y: torch.linalg.cross(x, y, dim=dim), a, b)
    _compare(tl.cross, lambda x, y: torch.cross(x, y, dim=1), _matrix((4, 3), 3, "raw"),
             _matrix((4, 3), 4, "raw"))


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, INF, -INF, 0])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, True), ((0, 2), False)])
def test_vector_norm(ord, dim, keepdim):
    a = _matrix((2, 3, 4), kind="raw")
    _compare(lambda x: tl.linalg.vector_norm(x, ord, dim, keepdim),
             lambda x: torch.linalg.vector_norm(x, ord, dim, keepdim), a)


@pytest.mark.parametrize("ord", [2, 1, 3])
def test_vector_norm_of_a_zero_vector_has_gradient_zero(ord):
    a = _matrix((2, 3), kind="raw")
    a[1] = 0
    _compare(lambda x: tl.linalg.vector_norm(x, ord, 1),
             lambda x: torch.linalg.vector_norm(x, ord, 1), a)
    _compare(lambda x: tl.linalg.matrix_norm(x), lambda x: torch.linalg.matrix_norm(x),
             np.zeros((3, 3)))


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, INF, -INF])
@pytest.mark.parametrize("dim,keepdim", [((-2, -1), False), ((2, 0), True)])
def test_matrix_norm(ord, dim, keepdim):
    a = _matrix((3, 2, 4), kind="raw")
    _compare(lambda x: tl.linalg.matrix_norm(x, ord, dim, keepdim),
             lambda x: torch.linalg.matrix_norm(x, ord, dim, keepdim), a)


@pytest.mark.parametrize("shape,ord,dim", [((5,), None, None), ((2, 3, 4), None, None),
                                           ((3, 4), 1, None), ((4,), INF, None),
                                           ((3, 4), "nuc", None), ((2, 3, 4), 3, 2),
                                           ((2, 3, 4), -2, (0, 1))])
def test_norm(shape, ord, dim):
    _compare(lambda x: tl.linalg.norm(x, ord, dim), lambda x: torch.linalg.norm(x, ord, dim),
             _matrix(shape, kind="raw"))


def test_second_order_through_the_public_functions():
    a = tl.tensor(_matrix((3, 3), kind="spd"), requires_grad=True)
    assert tl.gradgradcheck(lambda x: tl.linalg.cholesky(x + x.transpose(0, 1)), [a])
    assert tl.gradgradcheck(lambda x: tl.linalg.slogdet(x).logabsdet, [a])


def test_singular_and_indefinite_inputs_raise_linalg_errors():
    assert issubclass(tl.linalg.LinAlgError, RuntimeError)
    with pytest.raises(tl.linalg.LinAlgError, match="linalg.inv: .*singular"):
        tl.linalg.inv(tl.zeros(2, 2))
    with pytest.raises(tl.linalg.LinAlgError, match="linalg.solve: .*singular"):
        tl.linalg.solve(tl.zeros(2, 2), tl.ones(2))
    with pytest.raises(tl.linalg.LinAlgError, match="linalg.cholesky: .*not positive-definite"):
        tl.linalg.cholesky(-tl.eye(3))
    with pytest.raises(tl.linalg.LinAlgError, match="linalg.inv"):
        tl.linalg.matrix_power(tl.zeros(2, 2), -1)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="linalg.inv: expected a batch of square matrices"):
        tl.linalg.inv(tl.ones(2, 3))
    with pytest.raises(TypeError, match="linalg.det: expected a floating point"):
        tl.linalg.det(tl.tensor([[1, 2], [3, 4]]))
    with pytest.raises(ValueError, match="linalg.solve: A of shape"):
        tl.linalg.solve(tl.eye(3), tl.ones(2, 2))
    with pytest.raises(ValueError, match="linalg.qr: mode must be"):
        tl.linalg.qr(tl.eye(3), mode="full")
    with pytest.raises(ValueError, match="linalg.matrix_norm: ord must be one of"):
        tl.linalg.matrix_norm(tl.eye(3), ord=3)
    with pytest.raises(ValueError, match="linalg.cross: dim 0 .* must have size 3"):
        tl.linalg.cross(tl.ones(2, 3), tl.ones(2, 3), dim=0)
    with pytest.raises(ValueError, match="linalg.cross: inputs must have the same number"):
        tl.linalg.cross(tl.ones(3), tl.ones(2, 3))
    with pytest.raises(ValueError, match="linalg.eigh: UPLO must be"):
        tl.linalg.eigh(tl.eye(3), UPLO="X")
