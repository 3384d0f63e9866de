"""The one place where Numba options are written, and the TINYGRAD_LITE_JIT switch.

Kernels are compiled lazily: Numba compiles a kernel on its first call, once per dtype, and
caches the machine code on disk (`cache=True`), so importing this package compiles nothing.
"""
import importlib.util
import os
import types

from .thresholds import PARALLEL_MIN

# Off with TINYGRAD_LITE_JIT=0 or without Numba; then __init__ serves the NumPy twins and
# Numba is never imported (this file imports it only inside the decorators below).
JIT_ENABLED = (os.environ.get("TINYGRAD_LITE_JIT", "1") != "0"
               and importlib.util.find_spec("numba") is not None)

# Numba's parallel kernels run on GNU OpenMP threads, which by default spin for a while after
# each kernel. On 2 cores they then fight OpenBLAS's threads in the next GEMM: a ReLU right
# after a 256x256 matmul took 8 ms instead of 0.01 ms (measured). A short spin keeps
# back-to-back kernels fast and lets BLAS have the cores. Read when libgomp first loads, so it
# is set here, before any kernel runs; a value the user exported is kept.
os.environ.setdefault("GOMP_SPINCOUNT", "1000")

# error_model="numpy": x / 0 gives inf/nan as in NumPy instead of raising ZeroDivisionError.
# The check behind the Python error model is a branch that stops LLVM from vectorizing loops.
OPTIONS = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")


def jit_options(*, fma=False, parallel=False, reassoc=False):
    """Numba options; fma=True allows only a*b+c -> fma contraction, reassoc=True lets a sum
    be reordered into vectorized partial sums (neither assumes anything about NaN/Inf)."""
    flags = ({"contract"} if fma else set()) | ({"reassoc"} if reassoc else set())
    return dict(OPTIONS, parallel=parallel, fastmath=flags or False)


def njit(*, fma=False, reassoc=False):
    """Decorator for a serial helper called from other kernels: `@njit()` or `@njit(fma=True)`
    (`reassoc=True` for a helper that only sums)."""
    import numba

    def deco(fn):
        return numba.njit(**jit_options(fma=fma, reassoc=reassoc))(fn)
    return deco


class Kernel:
    """A loop written once with `prange`, compiled twice: serial for small arrays, parallel
    (one thread per core) once the first array has at least `parallel_min` elements
    (the thresholds are in thresholds.py).

    Call it like the loop function: `kernel(x, out)`.
    """

    def __init__(self, fn, fma, parallel_min):
        import numba

        self.parallel_min = parallel_min
        self.serial = numba.njit(**jit_options(fma=fma))(fn)
        # Numba's disk cache is keyed by function name, not by options, so the parallel build
        # gets its own name; otherwise it would load the serial machine code from the cache.
        twin = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                                  fn.__closure__)
        twin.__qualname__ = fn.__qualname__ + "_parallel"
        self.parallel = numba.njit(**jit_options(fma=fma, parallel=True))(twin)
        self.__doc__ = fn.__doc__

    def __call__(self, *arrays):
        run = self.parallel if arrays[0].size >= self.parallel_min else self.serial
        run(*arrays)


def kernel(*, fma=False, parallel_min=PARALLEL_MIN):
    """Decorator: `@kernel()` turns a prange loop into a serial/parallel `Kernel` pair."""
    def deco(fn):
        return Kernel(fn, fma, parallel_min)
    return deco
