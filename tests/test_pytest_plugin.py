"""The pytest plugin, run as a user runs it: pytest in a fresh process with
`-p tinygrad_lite.pytest_plugin` (what the pytest11 entry point does once installed; entry
point plugins are switched off there, so an installed copy is not loaded twice) on a
temporary package with a correct op (user_cube) and a broken one (user_double)."""
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from user_ops_package import write_user_package

REPO = Path(__file__).resolve().parents[1]

USER_TESTS = '''
import tinygrad_lite as tl
from userops.broken import BrokenDouble
from userops.ops import Cube, cube_sum


def test_cube_with_the_fixture(tl_gradcheck):
    tl_gradcheck(Cube, (2, 3))
    tl_gradcheck(cube_sum, (2, 3), (3, 4))


def test_broken_with_the_fixture(tl_gradcheck):
    tl_gradcheck(BrokenDouble, (2, 3))
'''


@pytest.fixture
def user_project(tmp_path):
    """The package `userops` plus a test file using the fixture, in tmp_path."""
    write_user_package(tmp_path)
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    return tmp_path


def run_pytest(project, *args, plugin_flag=("-p", "tinygrad_lite.pytest_plugin"),
               autoload=False, pythonpath_first=None):
    """pytest in `project` with the plugin; `pythonpath_first`, a directory searched before
    every other (to shadow an installed module)."""
    path = [str(REPO), str(project)]
    if pythonpath_first is not None:
        path.insert(0, str(pythonpath_first))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    if autoload:
        env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    else:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", *plugin_flag, "-p", "no:cacheprovider",
                           "-rA", *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=600)


def test_the_pyproject_entry_point_loads_the_plugin(user_project):
    """pytest finds plugins through installed distributions' entry points: a stand-in
    dist-info on the path carries the one pyproject.toml declares, without pip install."""
    entry_points = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]
    assert entry_points["pytest11"] == {"tinygrad_lite": "tinygrad_lite.pytest_plugin"}
    dist_info = user_project / "tinygrad_lite_stand_in-0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinygrad-lite-stand-in\n"
                                        "Version: 0\n")
    (dist_info / "entry_points.txt").write_text(
        "[pytest11]\ntinygrad_lite = tinygrad_lite.pytest_plugin\n")
    run = run_pytest(user_project, "--collect-only", "-q", "--tl-gradcheck", "userops.ops",
                     plugin_flag=(), autoload=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "userops.ops::gradcheck[user_cube-sample0]" in run.stdout


def test_generated_test_ids(user_project):
    run = run_pytest(user_project, "--collect-only", "-q", "--tl-gradcheck", "userops")
    assert run.returncode == 0, run.stdout + run.stderr
    ids = [line for line in run.stdout.splitlines() if "::" in line]
    assert ids == ["test_user.py::test_cube_with_the_fixture",
                   "test_user.py::test_broken_with_the_fixture",
                   "userops.broken::gradcheck[user_double-sample0]",
                   "userops.broken::gradgradcheck[user_double-sample0]",
                   "userops.broken::reference[user_double-sample0]",
                   "userops.ops::gradcheck[user_cube-sample0]",
                   "userops.ops::gradgradcheck[user_cube-sample0]",
                   "userops.ops::reference[user_cube-sample0]"]
    assert "mul" not in run.stdout                     # the library's own ops are not added


def test_the_broken_op_fails_with_its_name_input_element_and_values(user_project):
    run = run_pytest(user_project, "--tl-gradcheck", "userops")
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "2 failed, 6 passed" in out
    for passed in ["test_user.py::test_cube_with_the_fixture",
                   "userops.ops::gradcheck[user_cube-sample0]",
                   "userops.ops::gradgradcheck[user_cube-sample0]",
                   "userops.ops::reference[user_cube-sample0]",
                   "userops.broken::gradgradcheck[user_double-sample0]",
                   "userops.broken::reference[user_double-sample0]"]:
        assert f"PASSED {passed}" in out
    assert "FAILED userops.broken::gradcheck[user_double-sample0]" in out
    assert "FAILED test_user.py::test_broken_with_the_fixture" in out
    report = out[out.index("_ gradcheck[user_double-sample0] _"):]
    assert report.splitlines()[1] == ("check_gradients(user_double): gradcheck (first "
                                      "derivatives) failed")
    assert "wrong gradient for input 0 (shape (2, 3)): d output[1, 2] / d input 0[1, 2] " \
           "is 4.0 analytically but 1.99999" in report


def test_k_selects_generated_tests_and_a_module_selects_its_ops(user_project):
    run = run_pytest(user_project, "-q", "--tl-gradcheck", "userops.ops", "-k", "user_cube")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed, 2 deselected" in run.stdout and "user_double" not in run.stdout


def test_without_the_option_the_plugin_adds_nothing(user_project):
    run = run_pytest(user_project, "--collect-only", "-q")
    ids = [line for line in run.stdout.splitlines() if "::" in line]
    assert ids == ["test_user.py::test_cube_with_the_fixture",
                   "test_user.py::test_broken_with_the_fixture"]


@pytest.mark.parametrize("module, complaint", [
    ("no_such_package", "--tl-gradcheck: cannot import 'no_such_package': ModuleNotFoundError"),
    ("json", "--tl-gradcheck: 'json' registers no op")])
def test_a_bad_module_is_a_usage_error(user_project, module, complaint):
    run = run_pytest(user_project, "--tl-gradcheck", module)
    assert run.returncode == 4 and complaint in run.stderr, run.stdout + run.stderr
