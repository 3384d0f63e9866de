"""nn.init's structured initializations: trunc_normal_, orthogonal_, eye_, dirac_, sparse_ —
their defining properties, agreement with PyTorch (exactly where the result is deterministic,
in distribution otherwise), reproducibility under tl.manual_seed, errors."""
import math

import numpy as np
import pytest

import nn
import tinygrad_lite as tl


def test_trunc_normal_stays_in_bounds_and_matches_torch_statistics():
    torch = pytest.importorskip("torch")
    w = nn.Parameter(np.empty((200, 500), np.float32))
    assert nn.init.trunc_normal_(w, mean=0.5, std=2.0, a=-1.0, b=3.0) is w
    values = w.detach().numpy()
    assert values.min() >= -1.0 and values.max() <= 3.0 and w.grad is None
    theirs = torch.nn.init.trunc_normal_(torch.empty(200, 500), 0.5, 2.0, -1.0, 3.0).numpy()
    assert abs(values.mean() - theirs.mean()) < 0.02
    assert abs(values.std() - theirs.std()) < 0.02


def test_trunc_normal_is_reproducible():
    a, b = tl.empty(10), tl.empty(10)
    tl.manual_seed(3)
    nn.init.trunc_normal_(a)
    tl.manual_seed(3)
    nn.init.trunc_normal_(b)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("shape", [(3, 5), (6, 2), (4, 2, 3, 3), (5, 5)])
def test_orthogonal(shape):
    w = tl.empty(*shape, dtype=tl.float64)
    nn.init.orthogonal_(w, gain=2.0)
    flat = w.numpy().reshape(shape[0], -1)
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(gram, 4.0 * np.eye(len(gram)), atol=1e-12)


def test_eye_and_dirac_match_torch():
    torch = pytest.importorskip("torch")
    for shape in ((3, 5), (4, 2)):
        np.testing.assert_array_equal(nn.init.eye_(tl.empty(*shape)).numpy(),
                                      torch.nn.init.eye_(torch.empty(shape)).numpy())
    for shape, groups in (((4, 2, 3), 1), ((4, 2, 3, 3), 2), ((6, 3, 3, 3, 3), 3),
                          ((2, 5, 4, 4), 1)):
        np.testing.assert_array_equal(nn.init.dirac_(tl.empty(*shape), groups).numpy(),
                                      torch.nn.init.dirac_(torch.empty(shape), groups).numpy())


def test_dirac_convolution_is_the_identity():
    import nn.functional as F
    w = nn.init.dirac_(tl.empty(3, 3, 3, 3, dtype=tl.float64))
    x = tl.randn(2, 3, 5, 5, dtype=tl.float64)
    np.testing.assert_allclose(F.conv2d(x, w, padding=1).numpy(), x.numpy(), atol=1e-12)


def test_sparse_zeros_the_given_fraction_of_each_column():
    w = nn.init.sparse_(tl.empty(10, 400, dtype=tl.float64), sparsity=0.25, std=0.5)
    values = w.numpy()
    assert np.all((values == 0).sum(0) == math.ceil(0.25 * 10))
    assert abs(values[values != 0].std() - 0.5) < 0.03


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"trunc_normal_: need std > 0 and a < b"):
        nn.init.trunc_normal_(tl.empty(3), a=1.0, b=0.0)
    with pytest.raises(ValueError, match=r"trunc_normal_: \[a, b\] = \[10.0, 11.0\] holds"):
        nn.init.trunc_normal_(tl.empty(3), a=10.0, b=11.0)
    with pytest.raises(ValueError, match=r"orthogonal_: only tensors with 2 or more"):
        nn.init.orthogonal_(tl.empty(3))
    with pytest.raises(ValueError, match=r"eye_: only 2-D tensors"):
        nn.init.eye_(tl.empty(3, 3, 3))
    with pytest.raises(ValueError, match=r"dirac_: dim 0 \(4\) must be divisible by groups"):
        nn.init.dirac_(tl.empty(4, 2, 3), groups=3)
    with pytest.raises(ValueError, match=r"sparse_: sparsity must be in \[0, 1\]"):
        nn.init.sparse_(tl.empty(3, 3), 1.5)
    with pytest.raises(TypeError, match=r"sparse_: expected a Tensor"):
        nn.init.sparse_(np.zeros((3, 3)), 0.5)
