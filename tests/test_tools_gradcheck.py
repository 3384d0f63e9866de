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
