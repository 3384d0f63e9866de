"""nn.init: gains, fan computation, the statistics of every initializer on large tensors,
reproducibility under tl.manual_seed, in-place filling without a graph, and errors."""
import math

import numpy as np
import pytest

import nn
import nn.init as init
import tinygrad_lite as tl

SHAPE = (600, 400)          # fan_out = 600, fan_in = 400
CONV = (64, 32, 3, 3)       # fan_in = 32 * 9, fan_out = 64 * 9


def _std(fn, shape=SHAPE, **kwargs):
    return fn(tl.zeros(*shape), **kwargs)._data.std()


@pytest.mark.parametrize("fn, kwargs, expected", [
    (init.xavier_uniform_, {}, math.sqrt(2 / 1000)),
    (init.xavier_normal_, {}, math.sqrt(2 / 1000)),
    (init.xavier_normal_, {"gain": 5 / 3}, 5 / 3 * math.sqrt(2 / 1000)),
    (init.kaiming_uniform_, {}, math.sqrt(2 / 400)),
    (init.kaiming_normal_, {}, math.sqrt(2 / 400)),
    (init.kaiming_normal_, {"nonlinearity": "relu", "mode": "fan_out"}, math.sqrt(2 / 600)),
    (init.kaiming_uniform_, {"a": math.sqrt(5)}, 1 / math.sqrt(3 * 400)),
    (init.lecun_normal_, {}, 1 / math.sqrt(400)),
    (init.normal_, {"std": 0.02}, 0.02),
    (init.uniform_, {"a": -1, "b": 1}, 1 / math.sqrt(3)),
])
def test_std_of_large_tensors(fn, kwargs, expected):
    assert abs(_std(fn, **kwargs) / expected - 1) < 0.02


def test_conv_shapes_use_the_receptive_field():
    assert abs(_std(init.kaiming_normal_, CONV) / math.sqrt(2 / (32 * 9)) - 1) < 0.03
    assert abs(_std(init.xavier_uniform_, CONV) / math.sqrt(2 / (96 * 9)) - 1) < 0.03


def test_uniform_bounds_and_constants():
    w = init.xavier_uniform_(tl.zeros(*SHAPE))
    bound = math.sqrt(6 / 1000)
    assert -bound <= w._data.min() and w._data.max() <= bound and w._data.max() > 0.99 * bound
    np.testing.assert_array_equal(init.constant_(tl.zeros(3), 0.5)._data, 0.5)
    np.testing.assert_array_equal(init.ones_(tl.zeros(3))._data, 1.0)
    np.testing.assert_array_equal(init.zeros_(tl.ones(3))._data, 0.0)


def test_in_place_on_parameters_without_a_graph():
    p = nn.Parameter(np.zeros((4, 3), np.float32))
    out = init.kaiming_normal_(p)
    assert out is p and p.requires_grad and p.grad_fn is None and p.dtype == tl.float32
    assert p._data.any()


def test_reproducible_under_manual_seed():
    tl.manual_seed(42)
    a = init.xavier_normal_(tl.zeros(5, 5))._data.copy()
    b = nn.Linear(5, 5).weight._data.copy()
    tl.manual_seed(42)
    np.testing.assert_array_equal(a, init.xavier_normal_(tl.zeros(5, 5))._data)
    np.testing.assert_array_equal(b, nn.Linear(5, 5).weight._data)
    assert not np.array_equal(a, init.xavier_normal_(tl.zeros(5, 5))._data)


def test_calculate_gain_matches_pytorch_and_names_valid_values():
    expected = {"linear": 1, "sigmoid": 1, "tanh": 5 / 3, "relu": math.sqrt(2), "selu": 0.75,
                "conv2d": 1}
    for name, gain in expected.items():
        assert init.calculate_gain(name) == pytest.approx(gain)
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    torch = pytest.importorskip("torch")
    for name in list(expected) + ["leaky_relu"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    with pytest.raises(ValueError, match="unknown nonlinearity 'relu6'; valid: conv1d, .*relu"):
        init.calculate_gain("relu6")


def test_errors():
    with pytest.raises(ValueError, match=r"xavier_uniform_: fan in and fan out need a tensor "
                                         r"with at least 2 dims, got shape \(5,\)"):
        init.xavier_uniform_(tl.zeros(5))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan'"):
        init.kaiming_normal_(tl.zeros(3, 3), mode="fan")
    with pytest.raises(TypeError, match="normal_: expected a Tensor, got ndarray"):
        init.normal_(np.zeros(3))
