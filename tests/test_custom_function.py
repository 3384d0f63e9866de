"""tl.autograd.Function, PyTorch's way of writing a differentiable op: ctx, saved tensors,
several outputs, non-Tensor arguments, higher order, and the errors of its misuse."""
import numpy as np
import pytest

import tinygrad_lite as tl


def leaf(*shape):
    return tl.randn(*shape, dtype=tl.float64, requires_grad=True)


class Exp(tl.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y


class ScaledMul(tl.autograd.Function):
    """a * b * k with a non-Tensor argument k."""
    @staticmethod
    def forward(ctx, a, b, k):
        ctx.save_for_backward(a, b)
        ctx.k = k
        return a * b * k

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b, need_k = ctx.needs_input_grad
        assert need_k is False
        return (g * b * ctx.k if need_a else None), (g * a * ctx.k if need_b else None), None


class Halves(tl.autograd.Function):
    """Two outputs, and an integer output marked non-differentiable."""
    @staticmethod
    def forward(ctx, x):
        n = x.shape[0] // 2
        ctx.n = n
        ctx.save_for_backward(x)
        count = tl.tensor(n)
        ctx.mark_non_differentiable(count)
        return x[:n] * 2, x[n:] ** 2, count

    @staticmethod
    def backward(ctx, g_first, g_second, g_count):
        (x,) = ctx.saved_tensors
        assert g_count.shape == () and float(g_count) == 0.0   # zeros, as in PyTorch
        return tl.cat([g_first * 2, g_second * 2 * x[ctx.n:]])


def test_exp_matches_the_builtin_and_is_the_grad_fn():
    x = leaf(3, 4)
    y = Exp.apply(x)
    assert y.grad_fn.name == "ExpBackward" and y.requires_grad
    assert y.grad_fn.next_functions[0][0].name == "AccumulateGrad"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(x.detach().numpy()))


def test_gradcheck_and_second_order_through_a_custom_function():
    x = leaf(3, 2)
    assert tl.autograd.gradcheck(Exp.apply, (x,))
    assert tl.autograd.gradgradcheck(Exp.apply, (x,))
    a, b = leaf(2, 3), leaf(2, 3)
    assert tl.gradcheck(lambda a, b: ScaledMul.apply(a, b, 3.0), (a, b))
    assert tl.gradgradcheck(lambda a, b: ScaledMul.apply(a, b, 3.0), (a, b))


def test_non_tensor_arguments_and_needs_input_grad():
    a = leaf(3)
    b = tl.randn(3, dtype=tl.float64)              # needs no gradient
    ScaledMul.apply(a, b, 2.0).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2.0 * b.numpy())
    assert b.grad is None


def test_several_outputs_and_a_non_differentiable_one():
    x = leaf(6)
    first, second, count = Halves.apply(x)
    assert not count.requires_grad and count.item() == 3
    assert first.requires_grad and second.requires_grad
    (first.sum() + (second * 3).sum()).backward()
    data = x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), np.r_[np.full(3, 2.0), 6 * data[3:]])
    assert tl.gradcheck(lambda t: Halves.apply(t)[:2], (leaf(4),))
    assert tl.gradgradcheck(lambda t: Halves.apply(t)[:2], (leaf(4),))


def test_an_unused_output_gets_zeros_or_none():
    seen = []

    class Pair(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 1.0, x * 2.0

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append(g2)
            return g1, None

    x = leaf(2)
    Pair.apply(x, True)[0].sum().backward()
    Pair.apply(x, False)[0].sum().backward()
    assert seen[0].tolist() == [0.0, 0.0] and seen[1] is None


def test_setup_context_style():
    class Square(tl.autograd.Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = leaf(3)
    assert tl.gradcheck(Square.apply, (x,)) and tl.gradgradcheck(Square.apply, (x,))


def test_returning_an_input_gives_a_new_output():
    class Identity(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = leaf(2)
    y = Identity.apply(x)
    assert y is not x and y.grad_fn.name == "IdentityBackward"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_no_graph_without_grad():
    with tl.no_grad():
        y = Exp.apply(leaf(2))
    assert not y.requires_grad and y.grad_fn is None
    assert not Exp.apply(tl.randn(2)).requires_grad


@pytest.mark.parametrize("backward, message", [
    (lambda ctx, g: (g, g), r"BadBackward: backward returned 2 gradient\(s\) for 1 argument"),
    (lambda ctx, g: np.ones(3), r"BadBackward: backward returned a ndarray for argument 0"),
    (lambda ctx, g: g[:2], r"BadBackward: backward returned a gradient of shape \(2,\) for an "
                           r"input of shape \(3,\)"),
])
def test_wrong_gradients_name_the_function(backward, message):
    Bad = type("Bad", (tl.autograd.Function,), {
        "forward": staticmethod(lambda ctx, x: x * 2), "backward": staticmethod(backward)})
    with pytest.raises((RuntimeError, TypeError), match=message):
        Bad.apply(leaf(3)).sum().backward()


def test_gradient_for_a_non_tensor_argument_is_refused():
    class Bad(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="argument 1, which is not a Tensor"):
        Bad.apply(leaf(3), 2.0).sum().backward()


def test_saved_tensor_modified_in_place_is_caught():
    class Keep(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(w)
            return x * w

        @staticmethod
        def backward(ctx, g):
            (w,) = ctx.saved_tensors
            return g * w, None

    w = tl.ones(3, dtype=tl.float64)
    y = Keep.apply(leaf(3), w)
    w.add_(1)
    with pytest.raises(RuntimeError, match=r"KeepBackward: saved tensor 0 \(shape \(3,\)\) was "
                                           "modified by an in-place operation"):
        y.sum().backward()


def test_save_for_backward_takes_tensors_only():
    class Bad(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x * 1

    with pytest.raises(TypeError, match="argument 1 is a int"):
        Bad.apply(leaf(2))


def test_backward_twice_without_retain_graph():
    y = Exp.apply(leaf(2)).sum()
    y.backward()
    with pytest.raises(tl.GraphFreedError):
        y.backward()


def test_pytorch_style_on_tl_function_points_to_autograd_function():
    with pytest.raises(TypeError, match="subclass tl.autograd.Function"):
        class Exp2(tl.Function):
            @staticmethod
            def forward(ctx, x):
                return x


def test_variable_is_a_tensor():
    v = tl.autograd.Variable(tl.ones(2), requires_grad=True)
    assert isinstance(v, tl.Tensor) and v.requires_grad


def test_matches_torch_custom_function():
    torch = pytest.importorskip("torch")

    class TorchExp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    data = np.random.default_rng(0).normal(size=(3, 4))
    x, tx = tl.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    (g,) = tl.grad(Exp.apply(x).pow(2).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad(TorchExp.apply(tx).pow(2).sum(), tx, create_graph=True)
    g.sum().backward()
    tg.sum().backward()
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_both_op_forms_run_through_the_one_function_apply():
    """A tl.autograd.Function runs the same Function.apply as every built-in op; only
    run_forward (arrays vs Tensors) and link (packing several outputs) differ."""
    from tinygrad_lite.autograd.custom_function import FunctionCtx
    assert Exp._node_cls.apply.__func__ is tl.Function.apply.__func__
    assert tl.OPS["exp"].cls.apply.__func__ is tl.Function.apply.__func__
    assert "run_forward" in vars(FunctionCtx) and "run_forward" in vars(tl.Function)
    y = Exp.apply(leaf(3))
    assert isinstance(y.grad_fn, tl.Function) and y.grad_fn.parents is not None


class Log(tl.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.log()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


@pytest.mark.parametrize("requires_grad", [True, False])
def test_anomaly_mode_checks_custom_functions_recorded_or_not(requires_grad):
    """As for a built-in op: NaN made from finite inputs raises, with or without a graph;
    NaN that came in with an input does not."""
    finite = tl.tensor([-1.0, 2.0], dtype=tl.float64, requires_grad=requires_grad)
    nan_in = tl.tensor([float("nan"), 2.0], dtype=tl.float64, requires_grad=requires_grad)
    with tl.autograd.detect_anomaly():
        with pytest.raises(FloatingPointError, match="forward of (log|Log)"), \
                np.errstate(invalid="ignore"):
            Log.apply(finite)
        assert np.isnan(Log.apply(nan_in).detach().numpy()[0])


def test_anomaly_switches_are_spelled_as_in_torch_autograd():
    assert not tl.is_anomaly_enabled()
    with tl.autograd.set_detect_anomaly(True):
        assert tl.is_anomaly_enabled()
        with tl.autograd.set_detect_anomaly(False):
            assert not tl.is_anomaly_enabled()
        assert tl.is_anomaly_enabled()
    assert not tl.is_anomaly_enabled()
    with tl.autograd.detect_anomaly():
        assert tl.is_anomaly_enabled()


def test_extra_none_gradients_are_allowed_as_in_pytorch():
    class Twice(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    x = leaf(3)
    Twice.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_built_in_and_custom_ops_share_the_gradient_check_messages():
    """One check of what a backward returned, worded alike for both op forms."""
    class BadOp(tl.Function):
        def forward(ctx, a, b):
            return a + b

        def backward(ctx, g):
            return (g,)

    with pytest.raises(RuntimeError, match=r"BadOpBackward: backward returned 1 gradient\(s\) "
                                           r"for 2 input\(s\)"):
        BadOp.apply(leaf(2), leaf(2)).sum().backward()
