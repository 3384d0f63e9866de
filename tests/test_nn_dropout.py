"""Dropout: inverted-dropout statistics on a large tensor, reproducibility from
tl.manual_seed, gradients through the mask, eval identity, argument checks and repr."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_keep_rate_and_mean_are_preserved(p):
    tl.manual_seed(123)
    x = tl.ones(1000, 1000)
    out = nn.Dropout(p)(x)._data
    kept = out != 0
    assert abs(kept.mean() - (1 - p)) < 0.01
    np.testing.assert_allclose(out[kept], 1 / (1 - p), rtol=1e-6)   # kept units are scaled
    assert abs(out.mean() - 1.0) < 0.01                              # so the mean is unchanged
    assert out.dtype == np.float32


def test_masks_come_from_the_library_seed():
    x = tl.ones(64, 64)
    tl.manual_seed(7)
    first = F.dropout(x, 0.5)._data
    second = F.dropout(x, 0.5)._data
    tl.manual_seed(7)
    np.testing.assert_array_equal(F.dropout(x, 0.5)._data, first)
    assert not np.array_equal(first, second)


def test_gradient_is_the_scaled_mask():
    x = tl.randn(50, 40, dtype=tl.float64, requires_grad=True)
    out = F.dropout(x, 0.25)
    out.sum().backward()
    mask = np.where(out._data != 0, 1 / 0.75, 0.0)
    np.testing.assert_allclose(x.grad._data, mask)
    np.testing.assert_allclose(out._data, x._data * mask)


def test_second_derivative_through_the_mask():
    x = tl.randn(6, 5, dtype=tl.float64, requires_grad=True)
    out = F.dropout(x, 0.5)
    (g,) = tl.grad((out ** 3).sum(), [x], create_graph=True)
    (gg,) = tl.grad(g.sum(), [x])
    mask = np.where(out._data != 0, 2.0, 0.0)
    np.testing.assert_allclose(gg._data, 6 * x._data * mask ** 3)   # d/dx sum 3 (m x)^2 m


def test_eval_mode_and_p_zero_are_the_identity():
    drop = nn.Dropout(0.5).eval()
    x = tl.randn(10, 10)
    np.testing.assert_array_equal(drop(x)._data, x._data)
    np.testing.assert_array_equal(F.dropout(x, 0.5, training=False)._data, x._data)
    np.testing.assert_array_equal(F.dropout(x, 0.0)._data, x._data)
    assert drop.train().training


def test_p_one_drops_everything():
    x = tl.randn(5, 5, requires_grad=True)
    out = F.dropout(x, 1.0)
    out.sum().backward()
    assert not out._data.any() and not x.grad._data.any()


def test_probability_is_validated_and_repr():
    for p in (-0.1, 1.5, "0.5", True):
        with pytest.raises(ValueError, match="Dropout: probability p must be between 0 and 1"):
            nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout: probability p must be between 0 and 1, "
                                         "got 2"):
        F.dropout(tl.ones(3), 2)
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Sequential(nn.Dropout(0.1))) == "Sequential(\n  (0): Dropout(p=0.1, " \
                                                   "inplace=False)\n)"
