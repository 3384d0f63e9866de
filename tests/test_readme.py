"""README's Python examples run as written, in order, in one namespace (as a reader would paste
them into one session)."""
import os
import pathlib
import re
import shutil

import pytest

import tinygrad_lite as tl

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


@pytest.mark.skipif(shutil.which("dot") is None, reason="the graph example renders with dot")
def test_readme_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks()
    assert len(blocks) >= 4
    namespace = {}
    registered_before = set(tl.OPS)
    try:
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)
    finally:                      # the README registers an example op: keep the registry as it was
        for name in set(tl.OPS) - registered_before:
            del tl.OPS[name]
    assert (tmp_path / "graph.svg").exists() and (tmp_path / "graph.dot").exists()
    assert namespace["W"].grad.shape == (784, 256)


def test_custom_ops_page_runs(tmp_path):
    """docs/custom_ops.md's examples run as written (in a fresh interpreter: the page
    registers an op, which must not join this process's registry)."""
    import subprocess
    import sys
    page = README.parent / "docs" / "custom_ops.md"
    code = "\n".join(re.findall(r"```python\n(.*?)```", page.read_text(), re.S))
    code += "\nimport tinygrad_lite as tl\nassert 'my_exp' in tl.OPS and y.grad_fn.name == 'ExpBackward'\n"
    env = {**os.environ, "PYTHONPATH": str(README.parent)}   # this checkout, installed or not
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
