"""tools/_cli.py, what `python -m tools.gradcheck` and `python -m tools.graph` share: the
MODULE:NAME argument (split at its last ':'), the usage error, the current directory on
sys.path."""
import os
import sys

import pytest

from tools._cli import UsageError, parse_target, with_cwd_on_path


@pytest.mark.parametrize("text, parts", [
    ("mypackage.ops:my_fn", ("mypackage.ops", "my_fn")),
    ("models/net.py:build", ("models/net.py", "build")),
    ("C:\\models\\net.py:build", ("C:\\models\\net.py", "build")),    # a Windows path
])
def test_a_target_splits_at_its_last_colon(text, parts):
    assert parse_target(text, "--function") == parts


@pytest.mark.parametrize("text", ["mypackage.ops", ":my_fn", "mypackage.ops:", ""])
def test_a_malformed_target_names_the_argument_and_the_form(text):
    with pytest.raises(UsageError) as err:
        parse_target(text, "--function")
    assert str(err.value) == (f"--function {text!r}: expected MODULE:NAME, e.g. "
                              "mypackage.ops:my_fn")


def test_the_form_and_example_are_the_callers():
    with pytest.raises(UsageError, match=r"^target 'net': expected MODULE:CALLABLE, e\.g\. "
                                         r"net:build$"):
        parse_target("net", "target", "MODULE:CALLABLE", "net:build")


def test_the_cwd_is_on_the_path_within_the_block_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(tmp_path)])
    before = list(sys.path)
    with with_cwd_on_path():
        assert sys.path[0] == os.getcwd() == str(tmp_path)
    assert sys.path == before


def test_a_cwd_already_on_the_path_stays(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path) + [str(tmp_path)])
    before = list(sys.path)
    with with_cwd_on_path():
        assert sys.path == before
    assert sys.path == before
