"""nn layers and activation modules: gradient checks in float64 for every module (input and
parameters), parity with the PyTorch twin (outputs, input grad, parameter grads), stability
at extreme inputs, RReLU statistics and the errors that name the layer."""
import math

import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl

# (our module factory, torch twin factory, input shape); torch side built from `torch.nn`
CASES = {
    "linear": (lambda: nn.Linear(4, 3), lambda t: t.Linear(4, 3), (5, 4)),
    "linear_3d": (lambda: nn.Linear(4, 3), lambda t: t.Linear(4, 3), (2, 3, 4)),
    "linear_1d": (lambda: nn.Linear(4, 3), lambda t: t.Linear(4, 3), (4,)),
    "linear_nobias": (lambda: nn.Linear(4, 3, bias=False), lambda t: t.Linear(4, 3, bias=False),
                      (5, 4)),
    "identity": (lambda: nn.Identity(), lambda t: t.Identity(), (3, 4)),
    "flatten": (lambda: nn.Flatten(), lambda t: t.Flatten(), (2, 3, 2, 2)),
    "sigmoid": (lambda: nn.Sigmoid(), lambda t: t.Sigmoid(), (3, 4)),
    "tanh": (lambda: nn.Tanh(), lambda t: t.Tanh(), (3, 4)),
    "relu": (lambda: nn.ReLU(), lambda t: t.ReLU(), (3, 4)),
    "leaky_relu": (lambda: nn.LeakyReLU(0.2), lambda t: t.LeakyReLU(0.2), (3, 4)),
    "prelu_shared": (lambda: nn.PReLU(), lambda t: t.PReLU(), (2, 3, 4)),
    "prelu_channels": (lambda: nn.PReLU(3, init=0.1), lambda t: t.PReLU(3, init=0.1),
                       (2, 3, 2, 2)),
    "rrelu_eval": (lambda: nn.RReLU().eval(), lambda t: t.RReLU().eval(), (3, 4)),
    "elu": (lambda: nn.ELU(0.7), lambda t: t.ELU(0.7), (3, 4)),
    "selu": (lambda: nn.SELU(), lambda t: t.SELU(), (3, 4)),
    "gelu": (lambda: nn.GELU(), lambda t: t.GELU(), (3, 4)),
    "gelu_tanh": (lambda: nn.GELU("tanh"), lambda t: t.GELU("tanh"), (3, 4)),
    "softplus": (lambda: nn.Softplus(), lambda t: t.Softplus(), (3, 4)),
    "softplus_threshold": (lambda: nn.Softplus(beta=2, threshold=1),
                           lambda t: t.Softplus(beta=2, threshold=1), (3, 4)),
    "softmax": (lambda: nn.Softmax(1), lambda t: t.Softmax(1), (3, 4)),
    "log_softmax": (lambda: nn.LogSoftmax(0), lambda t: t.LogSoftmax(0), (3, 4)),
    "mlp": (lambda: nn.Sequential(nn.Linear(4, 5), nn.ELU(), nn.Linear(5, 2), nn.Tanh()),
            lambda t: t.Sequential(t.Linear(4, 5), t.ELU(), t.Linear(5, 2), t.Tanh()), (3, 4)),
}


def _input(shape, seed=0):
    """float64 values with |x| in [0.2, 1.5], away from every kink (0, softplus's 0.5)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    return np.where(np.abs(x - 0.5) < 0.02, x + 0.1, x)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_input_and_parameters(name):
    make, _, shape = CASES[name]
    module = make().double()
    x = tl.tensor(_input(shape), requires_grad=True)
    params = list(module.parameters())
    assert all(p.dtype == tl.float64 for p in params)
    assert tl.gradcheck(lambda *ts: module(x), [x] + params)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_twin(name):
    torch = pytest.importorskip("torch")
    make, make_twin, shape = CASES[name]
    ours, theirs = make().double(), make_twin(torch.nn).double()
    # the same state-dict keys on both sides, so weights copy across by name
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x_np = _input(shape, seed=1)
    x, tx = tl.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    out, tout = ours(x), theirs(tx)
    np.testing.assert_allclose(out._data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(2).standard_normal(out.shape)
    (out * tl.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad._data, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    twin_params = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(twin_params)
    for n, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad._data, twin_params[n].grad.numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=n)


def test_linear_float32_forward_and_default_init_bounds():
    layer = nn.Linear(100, 50)
    assert layer.weight.dtype == tl.float32 and layer.weight.shape == (50, 100)
    bound = 1 / math.sqrt(100)
    assert np.abs(layer.weight._data).max() <= bound and np.abs(layer.bias._data).max() <= bound
    assert abs(layer.weight._data.std() - bound / math.sqrt(3)) < 0.05 * bound / math.sqrt(3)
    out = layer(tl.randn(8, 100))
    assert out.dtype == tl.float32 and out.shape == (8, 50)
    assert out.grad_fn.name == "LinearBackward" and layer in out.grad_fn.modules


def test_linear_names_itself_on_wrong_features():
    with pytest.raises(ValueError, match=r"Linear\(in_features=784, out_features=256\): input "
                                         r"has 300 features, expected 784"):
        nn.Linear(784, 256)(tl.randn(2, 300))
    with pytest.raises(ValueError, match="in_features must be a non-negative int"):
        nn.Linear(-1, 3)


EXTREME = [-1e4, -50.0, -1e-3, 0.0, 1e-3, 50.0, 1e4]


@pytest.mark.parametrize("module", [nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.LeakyReLU(),
                                    nn.PReLU(), nn.RReLU(), nn.ELU(), nn.SELU(), nn.GELU(),
                                    nn.GELU("tanh"), nn.Softplus(), nn.Softmax(0),
                                    nn.LogSoftmax(0)], ids=repr)
@pytest.mark.parametrize("dtype", [tl.float32, tl.float64])
def test_finite_at_extreme_inputs(module, dtype):
    x = tl.tensor(EXTREME, dtype=dtype, requires_grad=True)
    out = module.to(dtype)(x)
    assert np.isfinite(out._data).all(), out
    out.sum().backward()
    assert np.isfinite(x.grad._data).all(), x.grad


def test_softplus_values_at_extremes():
    out = F.softplus(tl.tensor([-1e4, 0.0, 30.0, 1e4], dtype=tl.float64), threshold=20)
    np.testing.assert_allclose(out._data, [0.0, math.log(2), 30.0, 1e4])


def test_rrelu_statistics_training_and_eval():
    lower, upper = 1 / 8, 1 / 3
    layer = nn.RReLU(lower, upper)
    x = -tl.ones(400_000, dtype=tl.float64)
    slopes = -layer(x)._data
    assert lower <= slopes.min() and slopes.max() <= upper
    assert abs(slopes.mean() - (lower + upper) / 2) < 1e-3
    assert abs(slopes.std() - (upper - lower) / math.sqrt(12)) < 1e-3
    assert not np.array_equal(slopes, -layer(x)._data)          # redrawn on every call
    tl.manual_seed(7)
    first = layer(x)._data
    tl.manual_seed(7)
    np.testing.assert_array_equal(first, layer(x)._data)        # reproducible under a seed
    positive = tl.tensor([0.5, 2.0])
    np.testing.assert_array_equal(layer(positive)._data, positive._data)
    layer.eval()
    np.testing.assert_allclose(layer(x)._data, -(lower + upper) / 2)


def test_rrelu_training_gradient_is_the_sampled_slope():
    x = tl.tensor(-np.ones(1000), requires_grad=True)
    out = nn.RReLU()(x)
    out.sum().backward()
    np.testing.assert_allclose(x.grad._data, out._data / x._data)


def test_prelu_learns_its_slope_and_checks_channels():
    layer = nn.PReLU(3)
    x = tl.tensor(-np.ones((2, 3, 4)))
    layer(x).sum().backward()
    np.testing.assert_allclose(layer.weight.grad._data, [-8.0, -8.0, -8.0])
    with pytest.raises(ValueError, match=r"prelu: weight has 3 slopes but the input of shape "
                                         r"\(2, 4\) has 4 channels"):
        layer(tl.randn(2, 4))


def test_activation_errors_name_valid_values():
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        nn.GELU("erf")
    with pytest.raises(ValueError, match="lower <= upper"):
        nn.RReLU(0.5, 0.1)
    with pytest.raises(TypeError, match="leaky_relu: expected a floating-point tensor"):
        F.leaky_relu(tl.tensor([1, 2]))


def test_reprs_match_pytorch():
    torch = pytest.importorskip("torch")
    pairs = [(nn.Linear(3, 2), torch.nn.Linear(3, 2)),
             (nn.LeakyReLU(), torch.nn.LeakyReLU()), (nn.PReLU(4), torch.nn.PReLU(4)),
             (nn.RReLU(), torch.nn.RReLU()), (nn.ELU(), torch.nn.ELU()),
             (nn.GELU("tanh"), torch.nn.GELU("tanh")), (nn.Softplus(), torch.nn.Softplus()),
             (nn.Softmax(1), torch.nn.Softmax(1)), (nn.LogSoftmax(1), torch.nn.LogSoftmax(1)),
             (nn.ReLU(inplace=True), torch.nn.ReLU(inplace=True)), (nn.Flatten(),
                                                                     torch.nn.Flatten()),
             (nn.Identity(), torch.nn.Identity()), (nn.SELU(), torch.nn.SELU())]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_functional_forms_match_modules():
    x = tl.tensor(_input((3, 4)))
    np.testing.assert_array_equal(F.elu(x, 0.5)._data, nn.ELU(0.5)(x)._data)
    np.testing.assert_array_equal(F.gelu(x)._data, nn.GELU()(x)._data)
    np.testing.assert_array_equal(F.relu(x)._data, nn.ReLU()(x)._data)
    np.testing.assert_array_equal(F.rrelu(x)._data, nn.RReLU().eval()(x)._data)
    np.testing.assert_allclose(F.selu(x)._data, 1.0507009873554805 * F.elu(x, 1.6732632423543772)
                               .data)


def test_leaky_relu_backward_is_a_fused_op_with_second_derivatives():
    x = tl.tensor(np.array([-2.0, -0.5, 0.5, 3.0]), requires_grad=True)
    v = tl.tensor(np.array([1.0, 2.0, 3.0, 4.0]), requires_grad=True)
    (g,) = tl.grad(F.leaky_relu(x, 0.1), [x], grad_outputs=v, create_graph=True)
    assert g.grad_fn.op_name == "leaky_relu_backward"
    np.testing.assert_allclose(g._data, [0.1, 0.2, 3.0, 4.0])
    (dv,) = tl.grad((g * g).sum(), [v])                   # d/dv sum(g^2) = 2 g slope
    np.testing.assert_allclose(dv._data, [0.02, 0.04, 6.0, 8.0])


@pytest.mark.parametrize("ndim, dim", [(0, 0), (1, 0), (2, 1), (3, 0), (4, 1)])
def test_softmax_without_dim_warns_and_picks_pytorchs_dim(ndim, dim):
    torch = pytest.importorskip("torch")
    x_np = np.random.default_rng(ndim).standard_normal((2, 3, 4, 5)[:ndim])
    for ours, theirs in ((nn.Softmax(), torch.nn.Softmax()),
                         (nn.LogSoftmax(), torch.nn.LogSoftmax()),
                         (F.softmax, torch.nn.functional.softmax),
                         (F.log_softmax, torch.nn.functional.log_softmax)):
        with pytest.warns(UserWarning, match="Implicit dimension choice for (log_)?softmax has "
                                             "been deprecated") as record:
            out = ours(tl.tensor(x_np))
        assert record[0].filename == __file__          # points at the caller's line
        with pytest.warns(UserWarning):
            expected = theirs(torch.tensor(x_np))
        np.testing.assert_allclose(out._data, expected.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out._data, F.log_softmax(tl.tensor(x_np), dim)._data)
    assert repr(nn.Softmax()) == "Softmax(dim=None)"
