"""The backward engine: accumulation, graph shapes, freeing, errors, higher order."""
import gc
import weakref

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.function import Function


def leaf(*shape, dtype=tl.float64):
    return tl.randn(*shape, dtype=dtype, requires_grad=True)


def test_node_used_twice_accumulates():
    x = leaf(3)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad._data, 2 * x._data)


def test_two_paths_add_up():
    x = leaf(3)
    (2 * x + 5 * x).sum().backward()
    np.testing.assert_allclose(x.grad._data, 7.0)


def test_diamond():
    a = leaf(4)
    b, c = a.exp(), a * 3
    (b * c).sum().backward()
    expected = np.exp(a._data) * 3 * a._data + np.exp(a._data) * 3
    np.testing.assert_allclose(a.grad._data, expected)


def test_gradients_accumulate_across_backward_calls_until_zeroed():
    x = leaf(2)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad._data, 6.0)
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad._data, 3.0)


def test_chain_of_100000_ops_has_no_recursion_limit():
    x = leaf(2)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, 1.0)


def test_broadcast_gradients_are_summed_back_to_each_input_shape():
    a, b = leaf(2, 1, 3), leaf(5, 1)
    (a * b).sum().backward()
    assert a.grad.shape == (2, 1, 3) and b.grad.shape == (5, 1)
    np.testing.assert_allclose(a.grad._data, np.broadcast_to(b._data.sum(), (2, 1, 3)))
    np.testing.assert_allclose(b.grad._data, np.full((5, 1), a._data.sum()))


def test_leaf_gradients_are_writable_arrays_of_their_own():
    x = leaf(3, 4)
    x.sum().backward()                 # sum's gradient is a broadcast of one number
    x.grad.zero_()
    assert x.grad._data.flags.writeable and x.grad._data.sum() == 0


def test_leaves_never_share_a_gradient_array():
    a, b = leaf(3), leaf(3)
    seed = tl.ones(3, dtype=tl.float64)
    (a + b.reshape(3)).backward(seed)
    a.grad.zero_()
    assert b.grad.tolist() == [1, 1, 1] and seed.tolist() == [1, 1, 1]


def test_retain_grad_fills_the_grad_of_an_intermediate_tensor():
    x = leaf(3)
    h = x * 2
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad._data, 2 * h._data)
    with pytest.warns(UserWarning, match=r"not a leaf.*retain_grad\(\).*MulBackward"):
        assert (x * 3).grad is None         # PyTorch's warning: only leaves get a .grad


def test_gradient_has_the_dtype_of_its_leaf():
    x = leaf(3, dtype=tl.float32)
    (x * tl.ones(3, dtype=tl.float64)).sum().backward()
    assert x.grad.dtype == tl.float32


def test_graph_is_freed_after_backward_and_second_backward_is_an_error():
    x = leaf(3)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf(3)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad._data, 4 * x._data)


def test_intermediate_tensors_are_released_after_backward():
    x = leaf(100)
    hidden = x.exp()
    ref = weakref.ref(hidden)
    loss = (hidden * 2).sum()
    del hidden
    gc.collect()
    assert ref() is not None          # the graph holds it before backward
    loss.backward()
    gc.collect()
    assert ref() is None              # and lets go after


def test_backward_of_non_scalar_needs_a_gradient():
    x = leaf(2, 3)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*shape \(2, 3\)"):
        y.backward()
    y.backward(tl.ones(2, 3, dtype=tl.float64))
    np.testing.assert_allclose(x.grad._data, 2.0)


def test_gradient_of_wrong_shape_is_rejected():
    y = leaf(2, 3) * 2
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\) but the output"):
        y.backward(tl.ones(3, dtype=tl.float64))


def test_backward_without_graph_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tl.ones(3).sum().backward()


def test_modifying_a_saved_input_in_place_is_detected():
    a, b = leaf(3), leaf(3)
    y = (a * b).sum()
    with tl.no_grad():
        b.add_(1.0)
    with pytest.raises(RuntimeError, match=r"MulBackward: input 1 \(shape \(3,\)\) was modified"):
        y.backward()


def test_modifying_a_saved_output_in_place_is_detected():
    x = leaf(3)
    e = x.exp()
    y = e.sum()          # sum's backward does not read e; exp's does
    with tl.no_grad():
        e.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"ExpBackward: output 0 \(shape \(3,\)\) was modified"):
        y.backward()


def test_in_place_on_a_leaf_that_requires_grad_is_refused_in_grad_mode():
    x = leaf(3)
    with pytest.raises(RuntimeError, match="in-place operation on a leaf tensor"):
        x += 1
    with tl.no_grad():
        x -= 0.5 * tl.ones(3, dtype=tl.float64)   # the manual SGD step
    assert x.requires_grad and x._version == 1


def test_augmented_assignment_inside_the_graph_is_out_of_place():
    x = leaf(3)
    h = x * 2
    first_use = h * 3
    h += x                          # the ResNet block's `out += self.shortcut(x)`
    (first_use.sum() + h.sum()).backward()
    np.testing.assert_allclose(x.grad._data, 6 + 3)   # d(6x)/dx + d(2x + x)/dx
    assert first_use._data == pytest.approx(6 * x._data)


def test_in_place_method_with_a_graph_operand_is_refused():
    plain = tl.zeros(3, dtype=tl.float64)
    with pytest.raises(RuntimeError, match="add_: in-place operation on a tensor that is part"):
        plain.add_(leaf(3))


def test_no_grad_records_nothing_and_enable_grad_reenables():
    x = leaf(3)
    with tl.no_grad():
        y = x * 2
        with tl.enable_grad():
            z = x * 2
    assert y.grad_fn is None and not y.requires_grad
    assert z.grad_fn is not None and tl.is_grad_enabled()


def test_no_grad_as_decorator():
    @tl.no_grad()
    def double(t):
        return t * 2
    assert double(leaf(2)).grad_fn is None
    assert tl.is_grad_enabled()


def test_grad_fn_exposes_name_and_next_functions():
    a, b = leaf(2), tl.ones(2, dtype=tl.float64)
    y = (a.exp() * b).sum()
    assert y.grad_fn.name == "SumBackward"
    (mul, _), = y.grad_fn.next_functions
    assert mul.name == "MulBackward"
    (exp, _), (const, _) = mul.next_functions
    assert exp.name == "ExpBackward" and const is None
    (acc, _), = exp.next_functions
    assert acc.name == "AccumulateGrad" and acc.variable is a


def test_backward_on_a_scalar_leaf():
    x = tl.tensor(3.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_only_float_tensors_can_require_grad():
    with pytest.raises(RuntimeError, match="only floating-point tensors"):
        tl.tensor([1, 2], requires_grad=True)


# ---- tl.grad and higher order -------------------------------------------------------------
def test_grad_returns_gradients_without_touching_dot_grad():
    x, y = leaf(3), leaf(3)
    gx, gy = tl.grad((x * y).sum(), (x, y))
    np.testing.assert_allclose(gx._data, y._data)
    np.testing.assert_allclose(gy._data, x._data)
    assert x.grad is None and y.grad is None


def test_grad_of_an_intermediate_tensor():
    x = leaf(3)
    h = x * 2
    (gh,) = tl.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh._data, 2 * h._data)


def test_grad_unused_input():
    x, unused = leaf(3), leaf(3)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        tl.grad(x.sum(), (x, unused))
    gx, gu = tl.grad(x.sum(), (x, unused), allow_unused=True)
    assert gu is None


def test_hessian_vector_product():
    x, v = leaf(4), tl.randn(4, dtype=tl.float64)
    (g,) = tl.grad((x ** 3).sum(), x, create_graph=True)
    (hv,) = tl.grad((g * v).sum(), x)
    np.testing.assert_allclose(hv._data, 6 * x._data * v._data)


def test_backward_create_graph_gives_differentiable_grad():
    x = leaf(3)
    (x.sin() * x).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (second,) = tl.grad(x.grad.sum(), x)
    np.testing.assert_allclose(second._data, 2 * np.cos(x._data) - x._data * np.sin(x._data))


def test_gradient_penalty_trains_through_the_gradient_norm():
    w, x = leaf(3, 2), leaf(5, 3)
    out = (x @ w).tanh().sum()
    (gx,) = tl.grad(out, x, create_graph=True)
    penalty = (gx * gx).sum()
    penalty.backward()
    assert w.grad is not None and np.isfinite(w.grad._data).all()
    assert tl.gradcheck(lambda w_: (tl.grad((x @ w_).tanh().sum(), x, create_graph=True)[0] ** 2)
                        .sum(), (w,))


def test_without_create_graph_backward_records_nothing():
    x = leaf(3)
    (x * x).sum().backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad


# ---- anomaly detection --------------------------------------------------------------------
def test_detect_anomaly_names_the_forward_op_and_the_user_line():
    x = tl.tensor([1.0, -1.0], dtype=tl.float64, requires_grad=True)
    with tl.detect_anomaly(), np.errstate(invalid="ignore"):
        with pytest.raises(FloatingPointError, match=r"forward of log .*test_autograd\.py"):
            x.log()


def test_detect_anomaly_names_the_backward_op():
    x = tl.tensor([0.0, 4.0], dtype=tl.float64, requires_grad=True)
    with tl.detect_anomaly(), np.errstate(divide="ignore"):
        y = x.sqrt().sum()
        with pytest.raises(FloatingPointError, match=r"backward of sqrt .*test_autograd\.py"):
            y.backward()


def test_without_detect_anomaly_nan_passes_silently():
    x = tl.tensor([-1.0], dtype=tl.float64, requires_grad=True)
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.log().item())


# ---- a user-defined op ----------------------------------------------------------------------
class Cube(Function):
    def forward(ctx, x):
        return x ** 3

    def backward(ctx, g):
        (x,) = ctx.inputs
        return g * 3 * x * x


def test_user_function_works_with_the_engine():
    x = leaf(3)
    Cube.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad._data, 3 * x._data ** 2)
    assert tl.gradgradcheck(lambda t: Cube.apply(t), (leaf(3),))
