"""What the command-line tools (`python -m tools.gradcheck`, `python -m tools.graph`) share:
their usage error, how they read a MODULE:NAME argument, and making the current directory
importable (as `python -m` does, and a console script such as tinygrad-graph does not)."""
import contextlib
import os
import sys


class UsageError(Exception):
    """A command line that cannot run; the tool prints `<tool>: error: <message>` on stderr
    and exits with status 2."""


def parse_target(text, argument, form="MODULE:NAME", example="mypackage.ops:my_fn"):
    """'package.module:name' -> ('package.module', 'name'). It splits at the LAST ':', as a
    Python name never contains one but a Windows path does ('C:\\models\\net.py:build').
    `argument` names the bad argument in the error, `form` and `example` what is expected."""
    module, colon, name = text.rpartition(":")
    if not colon or not module or not name:
        raise UsageError(f"{argument} {text!r}: expected {form}, e.g. {example}")
    return module, name


@contextlib.contextmanager
def with_cwd_on_path():
    """Within the block, modules in the current directory are importable (the user's code);
    sys.path is restored afterwards."""
    cwd = os.getcwd()
    added = cwd not in sys.path
    if added:
        sys.path.insert(0, cwd)
    try:
        yield
    finally:
        if added:
            sys.path.remove(cwd)
