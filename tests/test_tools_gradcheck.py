"""`python -m tools.gradcheck`: passes on correct ops, fails (exit 1) on an op whose backward
is wrong, exits 2 on an unknown name, and --no-jit switches the kernels off."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.function import Function, Sample, register
from tinygrad_lite.opcheck import CaseResult
from tools.gradcheck import CASE_WIDTH, format_table, main

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def wrong_op():
    """A multiply whose backward forgets the other factor; removed from tl.OPS afterwards."""
    name = "wrong_mul_for_gradcheck_test"

    @register(name, samples=[Sample(((3, 4), (3, 4)))], reference=np.multiply)
    class WrongMul(Function):
        def forward(ctx, a, b):
            return a * b

        def backward(ctx, g):
            return g, g                       # should be g * b, g * a

    try:
        yield name
    finally:
        del tl.OPS[name]


def test_passes_on_correct_ops(capsys):
    assert main(["--op", "add", "--op", "mul"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.startswith(("add ", "mul "))]
    cases = len(tl.OPS["add"].samples) + len(tl.OPS["mul"].samples)
    assert len(rows) == 2 * cases                          # first and second order per case
    assert all(row[-1] == "PASS" for row in rows)
    assert "FAIL" not in out and f"{2 * cases} checks, {2 * cases} passed, 0 failed" in out


def test_fails_with_exit_1_on_a_wrong_backward(wrong_op, capsys):
    assert main(["--op", wrong_op, "--no-second-order"]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith(wrong_op))
    assert row.split()[-1] == "FAIL" and float(row.split()[-3]) > 0.1   # max abs error
    assert f"FAIL {wrong_op} (3, 4) x (3, 4) (order 1)" in out and "1 failed" in out


def test_unknown_op_exits_2_and_lists_valid_names(capsys):
    assert main(["--op", "mul", "--op", "no_such_op"]) == 2
    err = capsys.readouterr().err
    assert "unknown op(s) no_such_op" in err and "matmul" in err


def test_list_prints_every_registered_op(capsys):
    assert main(["--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(tl.OPS)


def test_table_shows_a_dash_for_errors_not_measured():
    table = format_table([CaseResult("mul", "(3,)", 2, float("nan"), float("nan"), None),
                          CaseResult("mul", "(3,)", 1, 1e-3, 2e-2, "bad")])
    assert table.splitlines()[1].split() == ["mul", "(3,)", "2", "-", "-", "PASS"]
    assert table.splitlines()[2].split() == ["mul", "(3,)", "1", "1.0e-03", "2.0e-02", "FAIL"]


def test_long_cases_are_cut_so_rows_fit_100_columns():
    case = ("(1, 2, 3, 5) input_shape=(1, 2, 5, 4), kernel_size=(3, 2), stride=(2, 1), "
            "padding=(1, 1)")
    longest_op = max(tl.OPS, key=len)
    table = format_table([CaseResult(longest_op, case, 2, 1e-12, 1e-10, None),
                          CaseResult("mul", "(3,)", 1, 1e-12, 1e-10, None)])
    rows = table.splitlines()
    assert max(len(row) for row in rows) <= 100
    cell = rows[1][len(longest_op):].split("  ")[1].strip()
    assert len(cell) == CASE_WIDTH and cell == case[:CASE_WIDTH - 3] + "..."
    assert rows[2].split()[:2] == ["mul", "(3,)"]                 # short cases stay whole


def test_no_jit_runs_the_numpy_kernels_in_a_fresh_process():
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("TINYGRAD_LITE_JIT", None)
    run = subprocess.run([sys.executable, "-m", "tools.gradcheck", "--op", "relu", "--no-jit"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "JIT off" in run.stdout and "FAIL" not in run.stdout


# ---- the user's own code: --module and --function ---------------------------------------------
def run_cli(project, *args):
    """`python -m tools.gradcheck ...` in a fresh process, from the user's project directory."""
    from user_ops_package import write_user_package
    write_user_package(project)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "tools.gradcheck", *args], cwd=project,
                          env=env, capture_output=True, text=True, timeout=300)


def test_module_checks_only_the_ops_it_registers(tmp_path):
    run = run_cli(tmp_path, "--module", "userops")
    assert run.returncode == 1, run.stdout + run.stderr
    rows = [line.split() for line in run.stdout.splitlines() if line.startswith("user_")]
    assert [(row[0], row[-1]) for row in rows] == [      # submodules in alphabetical order
        ("user_double", "FAIL"), ("user_double", "PASS"), ("user_cube", "PASS"),
        ("user_cube", "PASS")]
    assert "gradcheck: 2 op(s)" in run.stdout and "\nmul " not in run.stdout
    failure = run.stdout[run.stdout.index("FAIL user_double (2, 3) (order 1):"):]
    assert ("gradcheck: wrong gradient for input 0 (shape (2, 3)): d output[1, 2] / "
            "d input 0[1, 2] is 4.0 analytically but 1.99999") in failure
    assert "4 checks, 3 passed, 1 failed" in run.stdout


def test_module_with_only_correct_ops_passes(tmp_path):
    run = run_cli(tmp_path, "--module", "userops.ops", "--no-second-order")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 checks, 1 passed, 0 failed" in run.stdout


def test_function_with_shapes(tmp_path):
    run = run_cli(tmp_path, "--function", "userops.ops:cube_sum", "--shapes", "2,3", "3,4")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "userops.ops:cube_sum  (2, 3) x (3, 4)  1" in run.stdout
    run = run_cli(tmp_path, "--function", "userops.broken:broken_sum", "--shapes", "2,3",
                  "--domains", "positive", "--no-second-order")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "FAIL userops.broken:broken_sum (2, 3) (order 1)" in run.stdout
    assert "d output / d input 0[1, 2] is 4.0 analytically" in run.stdout


@pytest.mark.parametrize("argv, complaint", [
    (["--module", "no_such_package_xyz"], "cannot import 'no_such_package_xyz'"),
    (["--module", "json"], "'json' registers no op"),
    (["--function", "operator:neg", "--shapes", "3,x"], "bad shape '3,x'"),
    (["--function", "operator:no_such_fn", "--shapes", "3"], "has no function 'no_such_fn'"),
    (["--function", "operator"], "needs --shapes"),
    (["--function", "operator", "--shapes", "3"], "expected MODULE:NAME"),
    (["--function", "operator:", "--shapes", "3"],
     "--function 'operator:': expected MODULE:NAME, e.g. mypackage.ops:my_fn"),
    (["--function", "operator:neg", "--shapes", "3", "--domains", "weird"],
     "unknown domain 'weird'"),
    (["--function", "operator:neg", "--shapes", "3", "--domains", "real", "real"],
     "got 2 domains for 1 shapes"),
    (["--shapes", "3"], "--shapes and --domains go with --function"),
    (["--function", "operator:neg", "--shapes", "3", "--op", "mul"], "cannot be combined")])
def test_usage_errors_exit_2_and_say_what_is_wrong(argv, complaint, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tools.gradcheck: error: ") and complaint in err


def test_function_from_an_installed_module_in_process(capsys):
    assert main(["--function", "operator:mul", "--shapes", "3", ""]) == 0
    out = capsys.readouterr().out
    assert "operator:mul  (3,) x ()" in out and "2 checks, 2 passed, 0 failed" in out


def test_a_function_called_with_the_wrong_number_of_inputs_fails_both_orders(capsys):
    assert main(["--function", "operator:neg", "--shapes", "3", "3"]) == 1
    out = capsys.readouterr().out
    assert out.count("takes exactly one argument (2 given)") == 2 and "2 failed" in out


def test_the_user_directory_leaves_sys_path_as_it_was(tmp_path, monkeypatch, capsys):
    (tmp_path / "userfns_for_path_test.py").write_text("def square(x):\n    return x * x\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(tmp_path)])
    monkeypatch.delitem(sys.modules, "userfns_for_path_test", raising=False)
    before = list(sys.path)
    assert main(["--function", "userfns_for_path_test:square", "--shapes", "2,3"]) == 0
    assert sys.path == before and "2 checks, 2 passed" in capsys.readouterr().out
