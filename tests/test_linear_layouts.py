"""linear_fwd computes W @ x^T when a batch has fewer rows than output features (OpenBLAS is
faster that way round) and transposes the product back in its epilogue: the result must be
the same C-contiguous x @ W^T + b either way."""
import numpy as np
import pytest

from tinygrad_lite import kernels as K
from tinygrad_lite.kernels import reference as R


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("rows,features", [(1, 2), (7, 33), (64, 256), (300, 1000),
                                           (33, 7), (256, 64)])
def test_linear_fwd_either_layout(rows, features, bias, activation, dtype):
    rng = np.random.default_rng(rows * features)
    x = rng.standard_normal((rows, 20)).astype(dtype)
    w = rng.standard_normal((features, 20)).astype(dtype)
    b = rng.standard_normal(features).astype(dtype) if bias else None
    for xv in (x, np.asfortranarray(x)):          # a strided input too
        got = K.linear_fwd(xv, w, b, activation)
        assert got.flags.c_contiguous and got.dtype == dtype and got.shape == (rows, features)
        tol = 1e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, R.linear_fwd(x, w, b, activation), rtol=tol, atol=tol)


def test_linear_fwd_transposed_relu_zeroes_negatives():
    x = np.array([[1.0, -1.0]], np.float32)             # 1 row, 3 features
    w = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], np.float32)
    np.testing.assert_array_equal(K.linear_fwd(x, w, None, "relu"), [[1.0, 0.0, 0.0]])
