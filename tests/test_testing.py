"""tl.testing: assert_close says what PyTorch's says; check_gradients passes correct code
(functions, Function classes, Modules with dropout and BatchNorm) and reports a wrong gradient
with the function's name, the input, the element and both values."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl
from tinygrad_lite.testing import GradientCheckFailure, assert_close, check_gradients
from user_ops_package import write_user_package

REPO = Path(__file__).resolve().parents[1]


def failure_message(actual, expected, **kwargs):
    with pytest.raises(AssertionError) as err:
        assert_close(actual, expected, **kwargs)
    return str(err.value)


# ---- assert_close ---------------------------------------------------------------------------
def three_off():
    """A 3 x 4 float32 pair differing at (0, 0) by 0.5, (1, 2) by 1 and (2, 3) by 2."""
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = a.copy()
    b[0, 0] += 0.5
    b[1, 2] += 1
    b[2, 3] -= 2
    return a, b


def test_message_counts_mismatches_and_names_the_greatest_differences():
    a, b = three_off()
    assert failure_message(tl.tensor(a), tl.tensor(b)) == (
        "Tensor-likes are not close!\n\n"
        "Mismatched elements: 3 / 12 (25.0%)\n"
        "Greatest absolute difference: 2.0 at index (2, 3) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 1.0 at index (0, 0) (up to 1.3e-06 allowed)")


def test_default_tolerances_follow_the_dtype():
    a, b = three_off()
    assert "(up to 1e-07 allowed)" in failure_message(a.astype(np.float64), b.astype(np.float64))
    assert "(up to 0.001 allowed)" in failure_message(a.astype(np.float16), b.astype(np.float16))
    assert_close(tl.tensor([1.0]), tl.tensor([1.0 + 5e-6]))            # within float32's atol
    with pytest.raises(AssertionError):
        assert_close(tl.tensor([1.0], dtype=tl.float64), tl.tensor([1.0 + 5e-6], dtype=tl.float64))


def test_integers_must_be_equal_and_say_so():
    assert failure_message(tl.tensor([1, 2, 3]), tl.tensor([1, 2, 4])) == (
        "Tensor-likes are not equal!\n\nMismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 1 at index (2,)\n"
        "Greatest relative difference: 0.25 at index (2,)")


def test_shape_then_dtype_mismatch_is_named():
    a, _ = three_off()
    assert failure_message(a, a.reshape(4, 3)) == (
        "The values for attribute 'shape' do not match: (3, 4) != (4, 3).")
    assert failure_message(tl.tensor(a), tl.tensor(a, dtype=tl.float64)) == (
        "The values for attribute 'dtype' do not match: float32 != float64.")
    assert_close(tl.tensor(a), tl.tensor(a, dtype=tl.float64), check_dtype=False)


def test_nested_containers_name_the_failing_item():
    a, b = three_off()
    assert failure_message([a, {"w": [a, a]}], [a, {"w": [a, b]}]).endswith(
        "\n\nThe failure occurred for item [1]['w'][1]")
    assert failure_message([a], [a, a]) == "The length of the sequences mismatch: 1 != 2"
    assert failure_message({"x": a}, {"y": a}) == (
        "The keys of the mappings do not match:\nMissing keys in the actual mapping: ['y']\n"
        "Additional keys in the actual mapping: ['x']")


def test_scalars_and_zero_dim_tensors():
    assert failure_message(1.0, 1.1) == (
        "Scalars are not close!\n\nExpected 1.1 but got 1.0.\n"
        "Absolute difference: 0.10000000000000009 (up to 1e-07 allowed)\n"
        "Relative difference: 0.09090909090909098 (up to 1e-07 allowed)")
    assert failure_message(1, 1.0) == "The (d)types do not match: <class 'int'> != <class 'float'>."
    assert failure_message(True, False) == "Booleans mismatch: True is not False"
    assert failure_message(tl.tensor(1.0), tl.tensor(2.0)).startswith(
        "Scalars are not close!\n\nExpected 2.0 but got 1.0.")


def test_nan_is_equal_only_when_asked():
    nan = np.array([np.nan, 1.0])
    assert "Mismatched elements: 1 / 2 (50.0%)" in failure_message(nan, nan.copy())
    assert_close(nan, nan.copy(), equal_nan=True)


def test_options_are_checked_and_msg_replaces_or_edits_the_message():
    with pytest.raises(ValueError, match="both 'rtol' and 'atol'"):
        assert_close(1.0, 1.0, rtol=1e-3)
    a, b = three_off()
    assert failure_message(a, b, msg="weights differ") == "weights differ"
    assert failure_message(a, b, msg=lambda m: "layer 1: " + m).startswith("layer 1: Tensor-likes")
    assert_close(a, b, rtol=0, atol=2.0)
    with pytest.raises(TypeError, match="cannot compare Tensor with float"):
        assert_close(tl.tensor([1.0]), 1.0)


TORCH_CASES = {
    "float32": lambda: three_off(),
    "float64": lambda: tuple(x.astype(np.float64) for x in three_off()),
    "int": lambda: (np.array([[1, 5], [3, 4]]), np.array([[1, 2], [3, 4]])),
    "bool": lambda: (np.array([True, False]), np.array([True, True])),
    "0-d": lambda: (np.array(1.0), np.array(2.0)),
    "inf": lambda: (np.array([0.0, 1.0]), np.array([0.0, np.inf])),
    "zero expected": lambda: (np.array([0.0, 1e-3], np.float32), np.zeros(2, np.float32)),
}


@pytest.mark.parametrize("case", sorted(TORCH_CASES))
def test_message_matches_torch(case):
    torch = pytest.importorskip("torch")
    actual, expected = TORCH_CASES[case]()
    with pytest.raises(AssertionError) as theirs:
        torch.testing.assert_close(torch.from_numpy(actual), torch.from_numpy(expected))
    assert failure_message(tl.tensor(actual), expected) == str(theirs.value)


def test_nested_message_matches_torch():
    torch = pytest.importorskip("torch")
    a, b = three_off()
    with pytest.raises(AssertionError) as theirs:
        torch.testing.assert_close({"w": [torch.from_numpy(a)]}, {"w": [torch.from_numpy(b)]})
    assert failure_message({"w": [a]}, {"w": [b]}) == str(theirs.value)


# ---- check_gradients -----------------------------------------------------------------------
class WrongSquare(tl.Function):
    """x^2 whose backward is off by a factor 1.25 at element [1, 2]."""
    def forward(ctx, x):
        return x * x

    def backward(ctx, g):
        (x,) = ctx.inputs
        factor = np.full(x.shape, 2.0)
        factor[1, 2] = 2.5
        return g * x * tl.tensor(factor, dtype=x.dtype)


class WrongSecondOrder(tl.Function):
    """x^3 with a correct first derivative 3x^2 whose own derivative is wrong (9x, not 6x)."""
    def forward(ctx, x):
        return x ** 3

    def backward(ctx, g):
        (x,) = ctx.inputs
        return g * ThreeSquared.apply(x)


class ThreeSquared(tl.Function):
    """3x^2 with a wrong backward: 9x instead of 6x."""
    def forward(ctx, x):
        return 3 * x * x

    def backward(ctx, g):
        (x,) = ctx.inputs
        return g * 9 * x


class Cube(tl.Function):
    def forward(ctx, x):
        return x ** 3

    def backward(ctx, g):
        (x,) = ctx.inputs
        return g * 3 * x * x


def test_correct_functions_pass():
    check_gradients(lambda x, w: (x @ w).tanh(), (2, 3), (3, 4))
    check_gradients(lambda x: x.log(), (5,), domains=("positive",))
    check_gradients(lambda x, p: x.pow(p), (3,), (), domains=("positive", None),
                    second_order=False)


def test_a_function_class_is_called_with_apply():
    check_gradients(Cube, (2, 3))
    with pytest.raises(GradientCheckFailure, match=r"^check_gradients\(WrongSquare\): "):
        check_gradients(WrongSquare, (2, 3))


class WrongSignExp(tl.autograd.Function):
    """PyTorch-style Function (static forward/backward on Tensors) with the sign flipped."""
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return -g * y


def test_a_pytorch_style_function_is_checked_too():
    with pytest.raises(GradientCheckFailure) as err:
        check_gradients(WrongSignExp, (4,), second_order=False)
    worst = err.value.mismatches[0]
    assert err.value.function == "WrongSignExp" and worst.analytic == pytest.approx(-worst.numeric)


def test_failure_names_input_element_and_both_values():
    x = tl.randn(2, 3, dtype=tl.float64)
    with pytest.raises(GradientCheckFailure) as err:
        check_gradients(WrongSquare, x)
    message, worst = str(err.value), err.value.mismatches[0]
    assert isinstance(err.value, AssertionError) and isinstance(err.value, tl.GradcheckError)
    assert err.value.order == 1 and err.value.function == "WrongSquare"
    assert (worst.input_name, worst.input_shape, worst.input_index) == ("input 0", (2, 3), (1, 2))
    assert worst.analytic == pytest.approx(2.5 * x.numpy()[1, 2])
    assert worst.numeric == pytest.approx(2 * x.numpy()[1, 2], rel=1e-6)
    assert "gradcheck (first derivatives) failed" in message
    assert "wrong gradient for input 0 (shape (2, 3))" in message
    assert f"d output[1, 2] / d input 0[1, 2] is {worst.analytic!r} analytically" in message
    assert f"but {worst.numeric!r} numerically" in message
    assert "1 of 36 Jacobian entries differ" in message


def test_the_table_lists_the_five_worst_entries_worst_first():
    with pytest.raises(GradientCheckFailure) as err:
        check_gradients(ScaleByTwoWrongly, (3, 4), second_order=False)
    lines = str(err.value).splitlines()
    assert "12 of 144 Jacobian entries differ" in lines[2]
    assert lines[3].split() == ["input", "input", "element", "output", "element", "analytic",
                                "numerical", "|difference|"]
    rows = [line.split() for line in lines[4:]]
    assert len(rows) == 5 and all(row[-3:] == ["1", "2", "1"] for row in rows)
    assert len(err.value.mismatches) == 12
    assert all(m.input_index == m.output_index for m in err.value.mismatches)   # the diagonal


class ScaleByTwoWrongly(tl.Function):
    """2x with backward g (not 2g): every diagonal entry is wrong."""
    def forward(ctx, x):
        return 2 * x

    def backward(ctx, g):
        return g


class NanGradient(tl.Function):
    def forward(ctx, x):
        return 2 * x

    def backward(ctx, g):
        return g * float("nan")


def test_a_nan_gradient_is_wrong():
    with pytest.raises(GradientCheckFailure, match="is nan analytically"):
        check_gradients(NanGradient, (3,))
    with pytest.raises(tl.GradcheckError):
        tl.gradcheck(NanGradient.apply, (tl.randn(3, dtype=tl.float64, requires_grad=True),))


def test_second_order_failure_is_named_as_such():
    check_gradients(WrongSecondOrder, (3,), second_order=False)
    with pytest.raises(GradientCheckFailure) as err:
        check_gradients(lambda a, b: WrongSecondOrder.apply(a) * b, (3,), (3,))
    assert err.value.order == 2
    message = str(err.value)
    assert message.startswith("check_gradients(<lambda>): gradgradcheck (second derivatives)")
    assert "d (grad of input 0)[" in message and "/ d input 0[" in message


def test_given_tensors_are_checked_as_float64_copies():
    x = tl.tensor([[0.5, -1.0, 2.0]], requires_grad=False)           # float32, no grad
    index = tl.tensor([2, 0])
    seen = []

    def gather(t, i):
        seen.append((t.dtype, t.requires_grad, i.dtype, i.requires_grad))
        return t[0, i.numpy()] * 2
    check_gradients(gather, x, index, second_order=False)
    assert seen[0] == (tl.float64, True, tl.int64, False)
    assert x.dtype == tl.float32 and x.grad is None and x.numpy()[0, 1] == -1.0


def test_bad_inputs_are_named():
    with pytest.raises(TypeError, match=r"input 1 is 3; expected a shape"):
        check_gradients(lambda a, b: a * b, (3,), 3)
    with pytest.raises(ValueError, match="got 1 domains for 2 inputs"):
        check_gradients(lambda a, b: a * b, (3,), (3,), domains=("real",))
    with pytest.raises(TypeError, match="expected a function of Tensors"):
        check_gradients("tanh", (3,))


def test_the_callers_random_state_is_kept():
    tl.manual_seed(5)
    expected = tl.randn(3).numpy()
    tl.manual_seed(5)
    check_gradients(lambda x: F.dropout(x, 0.5, True), (3,))     # re-seeded: one mask
    assert np.array_equal(tl.randn(3).numpy(), expected)


# ---- modules --------------------------------------------------------------------------------
def test_a_module_with_dropout_and_batchnorm_passes_in_train_and_eval_mode():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Dropout(0.5),
                          nn.Linear(4, 2))
    check_gradients(model, (5, 3))                  # train: batch statistics, one mask
    check_gradients(model.eval(), (5, 3))           # eval: running statistics, no dropout
    assert all(p.dtype == tl.float32 for p in model.parameters())     # the copy is float64


class BrokenLayer(nn.Module):
    """Linear, dropout, then an activation whose backward is wrong."""
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2)
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        return ThreeSquared.apply(self.drop(self.lin(x)))


def test_a_broken_module_names_the_parameter_and_the_mode():
    with pytest.raises(GradientCheckFailure) as err:
        check_gradients(BrokenLayer(), (4, 3), second_order=False)
    message = str(err.value)
    assert err.value.function == "BrokenLayer"
    assert err.value.mismatches[0].input_name.startswith("parameter 'lin.")
    assert "input 0" in {m.input_name for m in err.value.mismatches}
    assert "checked as a float64 copy in train mode" in message
    assert "tl.manual_seed(0) before every forward" in message


# ---- a user's package ------------------------------------------------------------------------
def test_user_package_ops_checked_from_a_script(tmp_path):
    """check_gradients on the ops of a package as a user's script would, in a fresh process
    (so the package's ops do not join this process's registry)."""
    write_user_package(tmp_path)
    script = tmp_path / "check.py"
    script.write_text(
        "import tinygrad_lite as tl\n"
        "from userops.ops import Cube\n"
        "from userops.broken import BrokenDouble\n"
        "tl.testing.check_gradients(Cube, (2, 3))\n"
        "print('Cube passed')\n"
        "tl.testing.check_gradients(BrokenDouble, (2, 3))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(tmp_path)]))
    run = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 1 and "Cube passed" in run.stdout
    assert "GradientCheckFailure: check_gradients(user_double): gradcheck" in run.stderr
    assert "d output[1, 2] / d input 0[1, 2] is 4.0 analytically but 1.99999" in run.stderr
