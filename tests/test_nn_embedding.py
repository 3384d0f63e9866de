"""nn.Embedding and F.embedding: the scatter-add kernel against its NumPy twin, PyTorch parity
of outputs and weight gradients (repeated indices, padding_idx), from_pretrained, max_norm,
gradient checks, errors."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl
from tinygrad_lite.kernels import reference_embedding as R

INDICES = np.array([[1, 4, 4, 0], [9, 4, 2, 1]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding_idx", [-1, 4])
def test_kernel_matches_reference(dtype, padding_idx):
    pytest.importorskip("numba")
    from tinygrad_lite.kernels import embedding as K
    rng = np.random.default_rng(0)
    indices = rng.integers(0, 50, 1000)
    g = rng.standard_normal((1000, 8)).astype(dtype)
    out = K.embedding_bwd(g, indices, 60, padding_idx)
    expected = np.zeros((60, 8))
    keep = indices != padding_idx
    np.add.at(expected, indices[keep], g[keep])
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out, expected, **tol)
    np.testing.assert_allclose(R.embedding_bwd(g, indices, 60, padding_idx), out, **tol)
    assert out.dtype == dtype and not out[50:].any()


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 4}, {"padding_idx": -1},
                                    {"max_norm": 1.5}, {"max_norm": 2.0, "norm_type": 1.0},
                                    {"scale_grad_by_freq": True, "padding_idx": 1}])
def test_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Embedding(10, 3, **kwargs).double(), torch.nn.Embedding(10, 3, **kwargs)
    theirs.double()
    assert repr(ours) == repr(theirs)
    if "padding_idx" in kwargs:
        assert not ours.weight.detach().numpy()[kwargs["padding_idx"]].any()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))
    out, expected = ours(tl.tensor(INDICES)), theirs(torch.tensor(INDICES))
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(),
                               rtol=1e-12)       # max_norm rescaled the same rows in place
    weights = np.random.default_rng(1).standard_normal(out.shape)
    (out * tl.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_gradcheck_first_and_second_order():
    weight = tl.tensor(np.random.default_rng(2).standard_normal((10, 3)), requires_grad=True)
    assert tl.gradcheck(lambda w: F.embedding(tl.tensor(INDICES), w) ** 2, [weight])
    assert tl.gradgradcheck(lambda w: F.embedding(tl.tensor(INDICES), w, padding_idx=4) ** 2,
                            [weight])


def test_from_pretrained():
    table = tl.tensor(np.arange(12.0).reshape(4, 3))
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad and frozen.weight is not table
    np.testing.assert_array_equal(frozen(tl.tensor([3, 0])).numpy(), [[9, 10, 11], [0, 1, 2]])
    trained = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
    assert trained.weight.requires_grad and trained.padding_idx == 0
    assert list(trained.parameters())[0] is trained.weight


def test_errors_name_the_layer():
    emb = nn.Embedding(10, 3)
    with pytest.raises(IndexError, match=r"^Embedding\(10, 3\): embedding: index 10 is out of "
                                         r"range for a table of 10 rows \(valid: 0 to 9\)$"):
        emb(tl.tensor([1, 10]))
    with pytest.raises(TypeError, match=r"^Embedding\(10, 3\): embedding: indices must be "
                                        r"integers"):
        emb(tl.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"Embedding: padding_idx must be an int within "
                                         r"num_embeddings \(10\), got 10"):
        nn.Embedding(10, 3, padding_idx=10)
    with pytest.raises(ValueError, match=r"Embedding: embedding_dim must be a positive int"):
        nn.Embedding(10, 0)
