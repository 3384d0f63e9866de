"""nn.Embedding and F.embedding: PyTorch parity of outputs and weight gradients (repeated
indices, padding_idx), from_pretrained, max_norm, gradient checks, errors."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl

INDICES = np.array([[1, 4, 4, 0], [9, 4, 2, 1]])


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
