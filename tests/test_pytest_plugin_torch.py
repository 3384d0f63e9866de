"""The pytest plugin's torch[...] items: a user's op against its PyTorch twin (forward and
first derivatives), run as a user runs pytest; skipped, saying why, without torch."""
import textwrap

import pytest

from test_pytest_plugin import run_pytest

USER_MODULE = '''
    import tinygrad_lite as tl


    @tl.register("user_tanh", samples=[tl.Sample(((2, 3),))],
                 torch=lambda torch, x: torch.tanh(x))
    def user_tanh(x):
        return x.tanh()


    @tl.register("user_sinh", samples=[tl.Sample(((2, 3),))],
                 torch=lambda torch, x: torch.cosh(x))          # the wrong twin
    def user_sinh(x):
        return (x.exp() - (-x).exp()) / 2


    @tl.register("user_double", samples=[tl.Sample(((2, 3),))], second_order=False,
                 torch=lambda torch, x: 2 * x)
    class WrongDouble(tl.Function):
        """y = 2x, but backward forgets the 2: the forward agrees with the twin, the
        gradient does not."""
        def forward(ctx, x):
            return 2 * x

        def backward(ctx, g):
            return g
'''

HIDE_TORCH = 'raise ImportError("torch is hidden by this test")\n'


@pytest.fixture
def user_project(tmp_path):
    (tmp_path / "usertwins.py").write_text(textwrap.dedent(USER_MODULE).lstrip())
    return tmp_path


def test_torch_items_are_generated_for_ops_with_a_twin(user_project):
    run = run_pytest(user_project, "--collect-only", "-q", "--tl-gradcheck", "usertwins")
    ids = [line for line in run.stdout.splitlines() if "::" in line]
    kinds = {"user_tanh": ["gradcheck", "gradgradcheck", "torch"],
             "user_sinh": ["gradcheck", "gradgradcheck", "torch"],
             "user_double": ["gradcheck", "torch"]}          # second_order=False
    assert ids == [f"usertwins::{kind}[{op}-sample0]" for op in kinds for kind in kinds[op]], \
        run.stdout + run.stderr


def test_a_wrong_twin_or_a_wrong_gradient_fails_the_torch_item(user_project):
    pytest.importorskip("torch")
    run = run_pytest(user_project, "--tl-gradcheck", "usertwins")
    out = run.stdout
    assert run.returncode == 1 and "3 failed, 5 passed" in out, out + run.stderr
    for kind in ["gradcheck", "gradgradcheck", "torch"]:
        assert f"PASSED usertwins::{kind}[user_tanh-sample0]" in out
    assert "PASSED usertwins::gradcheck[user_sinh-sample0]" in out
    assert "FAILED usertwins::torch[user_sinh-sample0]" in out
    assert "FAILED usertwins::gradcheck[user_double-sample0]" in out
    assert "FAILED usertwins::torch[user_double-sample0]" in out
    sinh = out[out.index("_ torch[user_sinh-sample0] _"):]
    assert sinh.splitlines()[1] == ("user_sinh on (2, 3): forward differs from its PyTorch "
                                    "twin")
    double = out[out.index("_ torch[user_double-sample0] _"):]
    assert double.splitlines()[1] == ("user_double on (2, 3): gradient of input 0 differs "
                                      "from its PyTorch twin's")
    assert "Mismatched elements: 6 / 6 (100.0%)" in double


def test_without_torch_the_torch_items_skip_and_say_why(user_project):
    hidden = user_project / "hide_torch"
    hidden.mkdir()
    (hidden / "torch.py").write_text(HIDE_TORCH)
    run = run_pytest(user_project, "--tl-gradcheck", "usertwins", "-k", "user_tanh",
                     pythonpath_first=hidden)
    out = run.stdout
    assert run.returncode == 0 and "2 passed, 1 skipped" in out, out + run.stderr
    skipped = next(line for line in out.splitlines() if line.startswith("SKIPPED [1]"))
    assert skipped.endswith(": user_tanh: torch is not installed, so its PyTorch twin cannot "
                            "run (pip install torch)")
    assert "PASSED usertwins::gradgradcheck[user_tanh-sample0]" in out
