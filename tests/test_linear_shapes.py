"""The one shape check of a linear layer (nn/_checks.check_linear_shapes), as the
module nn.Linear and the function F.linear report it."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl
from tinygrad_lite.errors import ShapeError


def _randn(*shape):
    return tl.tensor(np.random.default_rng(0).standard_normal(shape))


def test_module_names_the_layer_and_the_feature_counts():
    layer = nn.Linear(4, 3).double()
    with pytest.raises(ShapeError, match=r"^Linear\(in_features=4, out_features=3\): input has "
                                         r"5 features, expected 4 \(input shape \(2, 5\)"):
        layer(_randn(2, 5))


def test_function_gives_the_same_message_under_its_own_name():
    with pytest.raises(ShapeError, match=r"^linear: input has 5 features, expected 4"):
        F.linear(_randn(2, 5), _randn(3, 4))


@pytest.mark.parametrize("x_shape, w_shape, b_shape, message", [
    ((), (3, 4), None, "input has 0 features, expected 4"),
    ((2, 4), (3, 4, 1), None, r"weight must be 2-D \(out_features, in_features\), got shape "
                              r"\(3, 4, 1\)"),
    ((2, 4), (3, 4), (4,), r"bias has shape \(4,\), expected \(3,\)"),
])
def test_function_rejects_shapes_that_do_not_fit(x_shape, w_shape, b_shape, message):
    bias = None if b_shape is None else _randn(*b_shape)
    with pytest.raises(ShapeError, match="^linear: " + message):
        F.linear(_randn(*x_shape), _randn(*w_shape), bias)


def test_module_checks_a_replaced_bias_too():
    layer = nn.Linear(4, 3).double()
    layer.bias = nn.Parameter(_randn(4))
    with pytest.raises(ShapeError, match=r"^Linear\(in_features=4, out_features=3\): bias has "
                                         r"shape \(4,\), expected \(3,\)"):
        layer(_randn(2, 4))
