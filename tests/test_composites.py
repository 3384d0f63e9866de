"""Ops written as functions of registered ops, registered with @tl.register on the function
(a Composite): the registry entry, and that what enumerates tl.OPS (opcheck, tools.gradcheck,
tl.testing.check_gradients, the pytest plugin) takes them as it takes a Function op. The
library's own composites (log2, gather, scatter, sort, cdist, ...) are checked with every
other op in test_ops.py and test_dtypes.py."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.function import Composite
from tinygrad_lite.opcheck import check_op

from test_pytest_plugin import REPO, run_pytest


@pytest.fixture
def registered():
    """Register functions for one test (by name), removed from tl.OPS afterwards."""
    names = []

    def register(name, fn, **spec):
        names.append(name)
        return tl.register(name, samples=[tl.Sample(((2, 3),))], **spec)(fn)
    yield register
    for name in names:
        tl.OPS.pop(name, None)


def softplus(x):
    """log(1 + e^x)"""
    return (1 + x.exp()).log()


def test_a_registered_function_is_returned_unchanged_and_checked_as_an_op(registered):
    assert registered("test_softplus", softplus,
                      reference=lambda x: np.log1p(np.exp(x))) is softplus
    spec = tl.OPS["test_softplus"]
    assert issubclass(spec.cls, Composite) and spec.cls.op_name == "test_softplus"
    assert spec.cls.__module__ == __name__ and spec.source is softplus
    assert spec.cls.__doc__ == "log(1 + e^x)"
    x = tl.tensor([0.0, 1.0], dtype=tl.float64, requires_grad=True)
    out = spec.cls.apply(x)
    assert out.grad_fn.name == "LogBackward"        # recorded by the ops it calls
    np.testing.assert_allclose(out.detach().numpy(), np.log1p(np.exp([0.0, 1.0])))
    assert [r.order for r in check_op(spec) if r.ok] == [1, 2]
    tl.testing.check_gradients(spec.cls, (2, 3))


def test_a_name_is_registered_once(registered):
    registered("test_softplus", softplus)
    with pytest.raises(ValueError, match="'test_softplus' is registered twice"):
        tl.register("test_softplus", samples=[tl.Sample(((2,),))])(softplus)
    with pytest.raises(ValueError, match="'log2' is registered twice"):
        tl.register("log2", samples=[tl.Sample(((2,),))])(softplus)


def test_a_wrong_composition_fails_its_gradient_check(registered):
    """x * x.detach() has the value x^2 but the gradient x: gradcheck catches it."""
    registered("test_square_detached", lambda x: x * x.detach())
    failures = [r for r in check_op(tl.OPS["test_square_detached"]) if not r.ok]
    assert failures and failures[0].order == 1 and "wrong gradient" in failures[0].error


def test_the_library_composites_are_registered_with_their_module():
    for name in ["log2", "gather", "scatter", "index_add_dim", "sort", "cdist", "var"]:
        spec = tl.OPS[name]
        assert issubclass(spec.cls, Composite), name
        assert spec.cls.__module__ == "tinygrad_lite.ops.composites"
        assert spec.reference is not None and spec.torch is not None
    assert not issubclass(tl.OPS["log"].cls, Composite)     # a Function op
    assert tl.OPS["log"].source is tl.OPS["log"].cls


USER_MODULE = '''
    import numpy as np

    import tinygrad_lite as tl


    @tl.register("user_softplus", samples=[tl.Sample(((2, 3),))],
                 reference=lambda x: np.log1p(np.exp(x)))
    def softplus(x):
        return (1 + x.exp()).log()


    @tl.register("user_square", samples=[tl.Sample(((2, 3),))], reference=np.square)
    def square_detached(x):
        return x * x.detach()
'''


@pytest.fixture
def user_project(tmp_path):
    (tmp_path / "usercomposites.py").write_text(textwrap.dedent(USER_MODULE).lstrip())
    return tmp_path


def test_the_pytest_plugin_checks_a_users_composites(user_project):
    run = run_pytest(user_project, "--tl-gradcheck", "usercomposites")
    out = run.stdout
    assert run.returncode == 1 and "2 failed, 4 passed" in out, out + run.stderr
    for kind in ["gradcheck", "gradgradcheck", "reference"]:
        assert f"PASSED usercomposites::{kind}[user_softplus-sample0]" in out
    for kind in ["gradcheck", "gradgradcheck"]:
        assert f"FAILED usercomposites::{kind}[user_square-sample0]" in out
    assert "PASSED usercomposites::reference[user_square-sample0]" in out
    assert "wrong gradient for input 0 (shape (2, 3))" in out


def test_tools_gradcheck_checks_a_users_composites(user_project):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = subprocess.run([sys.executable, "-m", "tools.gradcheck", "--module", "usercomposites"],
                         cwd=user_project, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "gradcheck: 2 op(s)" in run.stdout and "4 checks, 2 passed, 2 failed" in run.stdout
    assert "FAIL user_square (2, 3) (order 1):" in run.stdout
