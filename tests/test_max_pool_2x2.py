"""The written-out 2x2 max-pooling loop (kernels/pooling.py) against the general loop: the
same maxima and the same argmax positions (the last NaN of a window wins, as in PyTorch),
with ties, NaNs, -inf, odd sizes and strides; and against PyTorch."""
import numpy as np
import pytest

from tinygrad_lite.kernels import pooling
from tinygrad_lite.kernels.thresholds import POOL_PARALLEL_MIN


def _awkward(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 3, shape).astype(dtype)          # many ties
    x.reshape(-1)[rng.choice(x.size, x.size // 7, replace=False)] = np.nan
    x.reshape(-1)[rng.choice(x.size, x.size // 7, replace=False)] = -np.inf
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, stride, ceil_mode", [((2, 3, 8, 8), (2, 2), False),
                                                      ((2, 3, 7, 9), (2, 2), False),
                                                      ((1, 2, 7, 9), (2, 2), True),
                                                      ((2, 2, 6, 5), (1, 1), False),
                                                      ((1, 2, 9, 8), (3, 1), False),
                                                      ((16, 16, 32, 32), (2, 2), False)])
def test_2x2_windows_match_the_twin(dtype, shape, stride, ceil_mode):
    x = _awkward(shape, dtype, seed=sum(shape))
    out, idx = pooling.max_pool_fwd(x, (2, 2), stride, (0, 0), (1, 1), ceil_mode)
    planes = x.reshape(-1, *shape[2:])
    want_out, want_idx = np.empty_like(out), np.empty_like(idx)
    pooling._max_pool_fwd(planes, 2, 2, *stride, 0, 0, 1, 1,
                          want_out.reshape(planes.shape[0], *out.shape[2:]),
                          want_idx.reshape(planes.shape[0], *out.shape[2:]))
    np.testing.assert_array_equal(out, want_out)
    np.testing.assert_array_equal(idx, want_idx)


def test_a_case_runs_the_parallel_build():
    assert 16 * 16 * 32 * 32 >= POOL_PARALLEL_MIN


def test_2x2_windows_match_torch():
    torch = pytest.importorskip("torch")
    x = _awkward((4, 3, 10, 12), np.float32, seed=1)
    out, idx = pooling.max_pool_fwd(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
    want_out, want_idx = torch.nn.functional.max_pool2d(torch.from_numpy(x), 2,
                                                        return_indices=True)
    np.testing.assert_array_equal(out, want_out.numpy())
    np.testing.assert_array_equal(idx % (10 * 12), want_idx.numpy())
