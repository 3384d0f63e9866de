"""tl.gradcheck / tl.gradgradcheck must catch wrong gradients and say where they are."""
import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.function import Function
from tinygrad_lite.opcheck import check_op
from tinygrad_lite.function import OpSpec, Sample


class WrongSquare(Function):
    """x^2 with a backward that is off by a factor at one element."""
    def forward(ctx, x):
        return x * x

    def backward(ctx, g):
        (x,) = ctx.inputs
        factor = np.full(x.shape, 2.0)
        factor.reshape(-1)[-1] = 2.5
        return g * x * tl.tensor(factor, dtype=x.dtype)


class WrongSecondOrder(Function):
    """x^3 with a correct first derivative whose own derivative is wrong (9x, not 6x)."""
    def forward(ctx, x):
        return x ** 3

    def backward(ctx, g):
        (x,) = ctx.inputs
        return g * WrongSquareGrad.apply(x)


class WrongSquareGrad(Function):
    def forward(ctx, x):
        return 3 * x * x

    def backward(ctx, g):
        (x,) = ctx.inputs
        return g * 9 * x


def x64(*shape):
    return tl.randn(*shape, dtype=tl.float64, requires_grad=True)


def test_gradcheck_passes_correct_gradients():
    assert tl.gradcheck(lambda a, b: (a * b.exp()).sum(), (x64(3, 4), x64(4)))


def test_gradcheck_names_input_index_and_both_values():
    x = x64(2, 3)
    with pytest.raises(tl.GradcheckError) as err:
        tl.gradcheck(WrongSquare.apply, (x,))
    message = str(err.value)
    assert "input 0" in message and "d output[5] / d input 0[5]" in message
    assert repr(float(2.5 * x._data.reshape(-1)[5])) in message
    assert not tl.gradcheck(WrongSquare.apply, (x,), raise_exception=False)


def test_fast_mode_catches_the_same_error():
    with pytest.raises(tl.GradcheckError, match="projection"):
        tl.gradcheck(WrongSquare.apply, (x64(2, 3),), fast_mode=True)
    assert tl.gradcheck(lambda a: a.tanh() * a, (x64(2, 3),), fast_mode=True)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    x = x64(3)
    assert tl.gradcheck(WrongSecondOrder.apply, (x,))
    with pytest.raises(tl.GradcheckError):
        tl.gradgradcheck(WrongSecondOrder.apply, (x,))


def test_gradgradcheck_names_its_failure_as_second_order():
    with pytest.raises(tl.GradcheckError, match="^gradgradcheck: "):
        tl.gradgradcheck(WrongSecondOrder.apply, (x64(3),))


def test_non_contiguous_inputs_are_perturbed_for_real():
    x = tl.tensor(np.random.default_rng(0).standard_normal((3, 4)).T, requires_grad=True)
    assert not x._data.flags.c_contiguous
    assert tl.gradcheck(lambda t: (t * t).sum(), (x,))


@pytest.mark.parametrize("kwargs, match", [({"eps": 0}, "eps must be > 0"),
                                           ({"atol": -1}, "atol must be >= 0")])
def test_bad_tolerances_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tl.gradcheck(lambda t: t * 2, (x64(2),), **kwargs)


def test_gradgradcheck_passes_correct_second_derivatives():
    assert tl.gradgradcheck(lambda a, b: (a @ b).sigmoid(), (x64(2, 3), x64(3, 2)))


def test_float32_inputs_warn():
    with pytest.warns(UserWarning, match="not float64"):
        tl.gradcheck(lambda a: a * 2, (tl.randn(3, requires_grad=True),), atol=1e-2, rtol=1e-2)


def test_no_input_requires_grad_is_an_error():
    with pytest.raises(ValueError, match="no input requires grad"):
        tl.gradcheck(lambda a: a * 2, (tl.randn(3, dtype=tl.float64),))


def test_opcheck_reports_a_wrong_registered_style_op():
    spec = OpSpec("wrong_square", WrongSquare, (Sample(((2, 2),)),), reference=None)
    results = check_op(spec)
    assert results and not results[0].ok and results[0].max_abs > 0.1
