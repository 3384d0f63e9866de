"""kernels/_memory.py: glibc keeps freed memory (no page faults per training step), unless the
process chose its own malloc thresholds in the environment."""
import os
import platform
import subprocess
import sys

import pytest

from tinygrad_lite.kernels import _memory

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only")


@glibc
def test_thresholds_are_set(monkeypatch):
    for name in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_"):
        monkeypatch.delenv(name, raising=False)
    assert _memory.keep_freed_memory() is True


@glibc
def test_the_environment_wins():
    env = dict(os.environ, MALLOC_TRIM_THRESHOLD_="131072")
    code = "from tinygrad_lite.kernels import _memory; print(_memory.keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@glibc
def test_a_repeated_large_allocation_stops_faulting():
    code = ("import resource, numpy as np, tinygrad_lite\n"
            "def step():\n"
            "    arrays = [np.ones(1 << 20, np.float32) for _ in range(16)]\n"
            "    del arrays\n"
            "step()\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
            "for _ in range(5): step()\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert int(out.stdout) < 1000      # without it: ~41,000 (glibc 2.36)
