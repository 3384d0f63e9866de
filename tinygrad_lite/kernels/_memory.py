"""Keep freed memory in the process instead of handing it back to the OS after every step.

A training step allocates and frees the same large arrays each time (activations, gradients,
the convolutions' im2col scratch). glibc's malloc gives freed memory back to the OS once more
than a few MB lie free at the top of its heap, so the next step takes a page fault (the
kernel zeroing a fresh 4 KB page) for every page of those arrays again: 3,900 page faults
and ~7 ms of system time per step of the lecture's CNN (benchmarks/bench_workloads.py W5),
~15% of the step. With malloc serving arrays below 32 MB from its heap and keeping up to
TRIM_THRESHOLD bytes of free memory, a step takes ~1 page fault.

Set once when the kernels load, on glibc only; a process that set MALLOC_TRIM_THRESHOLD_ or
MALLOC_MMAP_THRESHOLD_ in its environment keeps its own choice.
"""
import ctypes
import os
import platform

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3      # mallopt's parameter numbers (malloc.h)
MMAP_THRESHOLD = 32 << 20                         # glibc's largest allowed value on 64 bits
TRIM_THRESHOLD = 1 << 30


def keep_freed_memory():
    """Raise glibc malloc's trim and mmap thresholds; True if they were set."""
    if platform.libc_ver()[0] != "glibc" or any(
            name in os.environ for name in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")):
        return False
    mallopt = ctypes.CDLL(None).mallopt
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and
                mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
