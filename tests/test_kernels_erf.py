"""The vectorizable erf of kernels/_erf.py (through the erf kernel) against math.erf, measured
in ulp of the dtype (the erf and GELU kernels against their twins: tests/test_kernels.py)."""
import math

import numpy as np
import pytest

pytest.importorskip("numba")
from tinygrad_lite.kernels import activation  # noqa: E402

DTYPES = [np.float32, np.float64]
MAX_ULP = 1.5  # measured: 1.00 (float64) and 1.05 (float32)


def ulp_error(y, x):
    """|y - erf(x)| in units of the spacing of the dtype at erf(x) (math.erf in float64)."""
    exact = np.array([math.erf(v) for v in x.astype(np.float64)])
    spacing = np.spacing(np.abs(exact).astype(x.dtype)).astype(np.float64)
    return np.abs(y.astype(np.float64) - exact) / spacing


def sample_points(dtype):
    """A dense grid over both pieces and their boundary at |x| = 1, random normal points,
    and |x| from 1e-30 to 10 spread over the exponents; both signs."""
    rng = np.random.default_rng(0)
    x = np.concatenate([np.linspace(0, 7, 200_001), np.linspace(0.99, 1.01, 20_001),
                        np.abs(rng.standard_normal(50_000)) * 2,
                        10.0 ** rng.uniform(-30, 1, 50_000)]).astype(dtype)
    return np.concatenate([x, -x])


@pytest.mark.parametrize("dtype", DTYPES)
def test_erf_within_ulp_of_math_erf(dtype):
    x = sample_points(dtype)
    err = ulp_error(activation.erf_fwd(x), x)
    assert err.max() <= MAX_ULP, f"{err.max():.2f} ulp at x = {x[err.argmax()]!r}"


@pytest.mark.parametrize("dtype", DTYPES)
def test_erf_is_odd_and_nondecreasing(dtype):
    x = np.linspace(0, 7, 100_001).astype(dtype)
    y = activation.erf_fwd(x)
    np.testing.assert_array_equal(activation.erf_fwd(-x), -y)
    assert np.all(np.diff(y) >= 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_erf_special_values(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30, 7.0, -20.0], dtype)
    y = activation.erf_fwd(x)             # +-1 from |x| = 3.92 (float32), 5.93 (float64)
    assert y[0] == 0 and not np.signbit(y[0]) and y[1] == 0 and np.signbit(y[1])
    np.testing.assert_array_equal(y[2:], [1, -1, np.nan, 1, -1, 1, -1])
    small = np.array([tiny, 1000 * tiny, np.finfo(dtype).tiny, 1e-20, 1e-9], dtype)
    small = np.concatenate([small, -small])           # erf(x) = 2x/sqrt(pi) here
    assert ulp_error(activation.erf_fwd(small), small).max() <= MAX_ULP


@pytest.mark.parametrize("dtype", DTYPES)
def test_serial_and_parallel_builds_agree(dtype):
    x = sample_points(dtype)[::4]                       # over the parallel threshold
    np.testing.assert_array_equal(activation.erf_fwd(x[:500]), activation.erf_fwd(x)[:500])
