"""tinygrad_lite.opcheck, the checks of a registered op that tests/test_ops.py, the pytest
plugin and `python -m tools.gradcheck` share: each kind catches what it is for, says which
op and case, and skips (saying why) when it cannot run."""
import inspect
import sys

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite import gradient_check, opcheck
from tinygrad_lite.function import OpSpec, Sample
from tinygrad_lite.opcheck import CHECKS, CheckSkipped, GradientCheckFailure, kinds_of


class Double(tl.Function):
    def forward(ctx, x):
        return 2 * x

    def backward(ctx, g):
        return 2 * g


class DoubleForgettingTheTwo(tl.Function):
    def forward(ctx, x):
        return 2 * x

    def backward(ctx, g):
        return g


def spec(cls=Double, **entries):
    entries.setdefault("reference", lambda x: 2 * x)
    entries.setdefault("torch", lambda torch, x: 2 * x)
    return OpSpec("double", cls, (Sample(((2, 3),)),), **entries)


def run(kind, op_spec):
    CHECKS[kind](op_spec, op_spec.samples[0])


@pytest.mark.parametrize("kind", ["gradcheck", "gradgradcheck", "reference", "torch"])
def test_a_correct_op_passes_every_kind(kind):
    if kind == "torch":
        pytest.importorskip("torch")
    run(kind, spec())


def test_kinds_follow_what_the_op_registers():
    assert kinds_of(spec()) == ["gradcheck", "gradgradcheck", "reference", "torch"]
    assert kinds_of(spec(reference=None, torch=None, second_order=False)) == ["gradcheck"]


def test_a_wrong_backward_fails_gradcheck_and_torch():
    with pytest.raises(GradientCheckFailure, match=r"^check_gradients\(double\): gradcheck "
                                                   r"\(first derivatives\) failed\nwrong "
                                                   r"gradient for input 0 \(shape \(2, 3\)\)"):
        run("gradcheck", spec(DoubleForgettingTheTwo))
    pytest.importorskip("torch")
    with pytest.raises(AssertionError, match=r"^double on \(2, 3\): gradient of input 0 "
                                             r"differs from its PyTorch twin's\n"):
        run("torch", spec(DoubleForgettingTheTwo))


def test_a_wrong_reference_or_twin_fails_naming_the_op_and_case():
    with pytest.raises(AssertionError, match=r"^double on \(2, 3\): forward differs from its "
                                             r"NumPy reference\nTensor-likes are not close"):
        run("reference", spec(reference=lambda x: 3 * x))
    pytest.importorskip("torch")
    with pytest.raises(AssertionError, match=r"^double on \(2, 3\): forward differs from its "
                                             r"PyTorch twin\n"):
        run("torch", spec(torch=lambda torch, x: 3 * x))


def test_a_difference_above_the_forward_tolerance_fails():
    nudge = 10 * opcheck.FORWARD_RTOL
    with pytest.raises(AssertionError, match="forward differs from its NumPy reference"):
        run("reference", spec(reference=lambda x: 2 * x * (1 + nudge)))
    run("reference", spec(reference=lambda x: 2 * x * (1 + opcheck.FORWARD_RTOL / 10)))


def test_missing_oracles_and_a_missing_torch_skip_with_the_reason(monkeypatch):
    with pytest.raises(CheckSkipped, match="double has no NumPy reference"):
        run("reference", spec(reference=None))
    with pytest.raises(CheckSkipped, match="double has no PyTorch twin"):
        run("torch", spec(torch=None))
    with pytest.raises(CheckSkipped, match="double is registered with second_order=False"):
        run("gradgradcheck", spec(second_order=False))
    monkeypatch.setitem(sys.modules, "torch", None)           # `import torch` fails
    with pytest.raises(CheckSkipped, match="double: torch is not installed"):
        run("torch", spec())


def test_one_set_of_gradient_tolerances():
    """Every gradient check defaults to gradient_check's EPS, ATOL and RTOL."""
    named = {"eps": gradient_check.EPS, "atol": gradient_check.ATOL, "rtol": gradient_check.RTOL}
    for fn in (tl.gradcheck, tl.gradgradcheck, opcheck.gradient_report,
               opcheck.GradientCheck.first_order, opcheck.GradientCheck.second_order,
               tl.testing.check_gradients):
        parameters = inspect.signature(fn).parameters
        assert {k: parameters[k].default for k in named} == named, fn.__qualname__


def test_the_table_measures_both_orders_and_names_a_wrong_one():
    results = opcheck.check_op(spec(DoubleForgettingTheTwo))
    assert [(r.order, r.ok) for r in results] == [(1, False), (2, True)]
    assert results[0].max_abs == pytest.approx(1.0)
    assert results[0].error.startswith("gradcheck: wrong gradient for input 0")
    assert [r.ok for r in opcheck.check_op(spec())] == [True, True]


def test_inputs_come_from_the_seed_alone():
    """Every kind draws from default_rng(seed) afresh, so each sample's inputs do not depend
    on the samples before it."""
    sample = Sample(((2, 3),))
    first = opcheck.sample_inputs(sample, np.random.default_rng(opcheck.SEED))[0]
    again = opcheck.gradient_check_of(spec(), sample).inputs[0]
    assert np.array_equal(first._data, again._data)
