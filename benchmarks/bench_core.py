"""Kernel and per-op overhead benchmarks: `python benchmarks/bench_core.py`.

Prints Markdown tables: our Numba kernels vs NumPy, vs a parallel memory copy of the same
bytes, and vs PyTorch when it is installed (same thread count). Every timing is the median
of several repeats after a warm-up call (which also compiles the kernels); with `--best` it
is the fastest repeat instead, a steadier number on a machine shared with other jobs.
"""
import os
import statistics
import subprocess
import sys
import time

# Torch's Intel OpenMP threads spin ~200 ms after each parallel region by default; on 2 cores
# they then starve Numba's and BLAS's threads (measured 24x slowdowns). Let them sleep at once.
os.environ.setdefault("KMP_BLOCKTIME", "0")

import numba  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import tinygrad_lite as tl  # noqa: E402
from tinygrad_lite import kernels as K  # noqa: E402
from tinygrad_lite.kernels import reference as R  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

THREADS = numba.get_num_threads()
STAT = min if "--best" in sys.argv else statistics.median
N = 1 << 22  # 4M float32 elements = 16 MB per array


def bench(fn, repeats=25, warmup=3):
    """Median seconds per call of fn()."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return STAT(times)


def interleaved(fns, rounds=5, repeats=5):
    """{key: time} for several functions measured in alternating rounds, so that a burst of
    load on this shared machine hits all of them rather than one."""
    times = {key: [] for key in fns}
    for _ in range(rounds):
        for key, fn in fns.items():
            times[key].append(bench(fn, repeats, warmup=1))
    return {key: STAT(t) for key, t in times.items()}


def bench_small(fn, calls=2000, repeats=7):
    """Median seconds per call for a very cheap fn (timed in batches)."""
    return bench(lambda: [fn() for _ in range(calls)], repeats, warmup=1) / calls


@numba.njit(parallel=True, cache=True)
def _copy(src, dst):
    for i in numba.prange(src.size):
        dst[i] = src[i]


def parallel_copy(src):
    dst = np.empty_like(src)  # fresh output, like every kernel returns
    _copy(src, dst)
    return dst


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def ms(t):
    return f"{t * 1e3:.3f}" if t is not None else "n/a"


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "n/a"


def elementwise():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(N) * 3).astype(np.float32)
    g = rng.standard_normal(N).astype(np.float32)
    y = K.sigmoid_fwd(x)
    # fwd reads x and writes y, bwd reads 2 arrays and writes 1: 5 arrays of N. The baseline
    # copies one array of 2.5 N (read 2.5 N, write 2.5 N): the same bytes in one pass.
    big = rng.standard_normal(5 * N // 2).astype(np.float32)
    nbytes = 5 * N * 4
    cases = {
        "relu fwd+bwd": (lambda: (K.relu_fwd(x), K.relu_bwd(x, g)),
                         lambda: (R.relu_fwd(x), R.relu_bwd(x, g)),
                         lambda: (torch.relu(tx), torch.ops.aten.threshold_backward(tg, tx, 0))),
        "sigmoid fwd+bwd": (lambda: (K.sigmoid_fwd(x), K.sigmoid_bwd(y, g)),
                            lambda: (R.sigmoid_fwd(x), R.sigmoid_bwd(y, g)),
                            lambda: (torch.sigmoid(tx), torch.ops.aten.sigmoid_backward(tg, ty))),
    }
    if torch is not None:
        tx, tg, ty = torch.from_numpy(x), torch.from_numpy(g), torch.from_numpy(y)
    print(f"### Elementwise forward+backward, {N:,} float32 elements ({nbytes / 1e6:.0f} MB "
          f"moved), {THREADS} threads\n")
    fns = {"copy": lambda: parallel_copy(big)}
    for name, (ours, numpy_fn, torch_fn) in cases.items():
        fns.update({(name, "ours"): ours, (name, "numpy"): numpy_fn})
        if torch is not None:
            fns[name, "torch"] = torch_fn
    times = interleaved(fns)
    t_copy = times["copy"]
    print(f"Parallel copy of the same {nbytes / 1e6:.0f} MB (a Numba prange copy of "
          f"{big.nbytes / 1e6:.0f} MB into a fresh array): "
          f"{ms(t_copy)} ms = {nbytes / t_copy / 1e9:.1f} GB/s\n")
    rows = []
    for name in cases:
        t, t_np, t_torch = (times.get((name, who)) for who in ("ours", "numpy", "torch"))
        rows.append([name, ms(t), f"{nbytes / t / 1e9:.1f}", ratio(t_copy, t), ms(t_np),
                     ratio(t_np, t), ms(t_torch), ratio(t_torch, t)])
    table(["op", "ours ms", "ours GB/s", "bandwidth vs copy", "numpy ms", "numpy/ours",
           "torch ms", "torch/ours"], rows)


def transcendental():
    print(f"### Transcendental forward, {N:,} elements, {THREADS} threads\n")
    rows = []
    for dtype in (np.float32, np.float64):
        x = (np.random.default_rng(1).standard_normal(N) * 3).astype(dtype)
        tx = torch.from_numpy(x) if torch is not None else None
        for name, ours, numpy_fn, torch_name in [
                ("exp", K.exp_fwd, R.exp_fwd, "exp"), ("sigmoid", K.sigmoid_fwd, R.sigmoid_fwd,
                                                      "sigmoid"),
                ("tanh", K.tanh_fwd, R.tanh_fwd, "tanh")]:
            t, t_np = bench(lambda: ours(x)), bench(lambda: numpy_fn(x))
            t_torch = bench(lambda: getattr(torch, torch_name)(tx)) if torch is not None else None
            rows.append([name, np.dtype(dtype).name, ms(t), ms(t_np), ratio(t_np, t),
                         ms(t_torch), ratio(t, t_torch)])
    table(["op", "dtype", "ours ms", "numpy ms", "numpy/ours", "torch ms", "ours/torch"], rows)


def matmuls():
    print(f"### Matmul (float32, BLAS via np.dot), {THREADS} threads\n")
    rows = []
    for m, k, n in [(64, 784, 256), (512, 512, 512), (1024, 1024, 1024)]:
        rng = np.random.default_rng(2)
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        flop = 2 * m * k * n
        reps = 50 if flop < 1e9 else 10
        t, t_np = bench(lambda: K.matmul(a, b), reps), bench(lambda: np.dot(a, b), reps)
        t_torch = None
        if torch is not None:
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            t_torch = bench(lambda: ta @ tb, reps)
        rows.append([f"{m}x{k}x{n}", f"{flop / t / 1e9:.1f}", f"{flop / t_np / 1e9:.1f}",
                     ratio(t_np, t), f"{flop / t_torch / 1e9:.1f}" if t_torch else "n/a"])
    table(["m x k x n", "ours GFLOP/s", "numpy GFLOP/s", "ours/numpy speed", "torch GFLOP/s"],
          rows)
    x = np.random.default_rng(3).standard_normal((64, 784)).astype(np.float32)
    w = np.random.default_rng(4).standard_normal((256, 784)).astype(np.float32)
    b = np.zeros(256, np.float32)
    t = bench(lambda: K.linear_fwd(x, w, b, "relu"), 50)
    t_np = bench(lambda: np.maximum(x @ w.T + b, 0), 50)
    print(f"linear_fwd 64x784 -> 256 with bias+relu: ours {ms(t)} ms, NumPy "
          f"(x @ w.T + b then maximum) {ms(t_np)} ms\n")
    gemm_then_kernel()


def gemm_then_kernel():
    """A GEMM followed by a parallel elementwise kernel, as in every MLP layer: the two thread
    pools (OpenBLAS, Numba's OpenMP) must hand the cores over quickly."""
    rng = np.random.default_rng(5)
    a, b = (rng.standard_normal((512, 512)).astype(np.float32) for _ in range(2))
    t = bench(lambda: K.relu_bwd(K.matmul(a, b), a), 50)
    t_np = bench(lambda: R.relu_bwd(a @ b, a), 50)
    line = (f"512x512 matmul, then relu_bwd on its 262,144 outputs: ours {ms(t)} ms, "
            f"NumPy {ms(t_np)} ms")
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        t_torch = bench(lambda: torch.ops.aten.threshold_backward(ta @ tb, ta, 0), 50)
        line += f", torch {ms(t_torch)} ms"
    print(line + "\n")


def overhead():
    print("### Per-op overhead: `a + b` on 8x8 float32, both requiring grad\n")
    rows = []
    a, b = np.ones((8, 8), np.float32), np.ones((8, 8), np.float32)
    rows.append(["numpy a + b", f"{bench_small(lambda: a + b) * 1e6:.2f}"])
    rows.append(["kernels.relu_fwd (8x8)", f"{bench_small(lambda: K.relu_fwd(a)) * 1e6:.2f}"])
    ta, tb = tl.randn(8, 8, requires_grad=True), tl.randn(8, 8, requires_grad=True)
    rows.append(["tinygrad_lite a + b", f"{bench_small(lambda: ta + tb) * 1e6:.2f}"])
    loss_fn = lambda: (ta + tb).sum().backward()  # noqa: E731
    rows.append(["tinygrad_lite (a + b).sum().backward()",
                 f"{bench_small(loss_fn, calls=500) * 1e6:.2f}"])
    if torch is not None:
        pa, pb = torch.ones(8, 8, requires_grad=True), torch.ones(8, 8, requires_grad=True)
        rows.append(["torch a + b", f"{bench_small(lambda: pa + pb) * 1e6:.2f}"])
        rows.append(["torch (a + b).sum().backward()",
                     f"{bench_small(lambda: (pa + pb).sum().backward(), 500) * 1e6:.2f}"])
    table(["op", "us per call"], rows)


def import_time():
    code = ("import time; t = time.perf_counter(); import tinygrad_lite; "
            "print(time.perf_counter() - t)")
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(5)]
    print(f"### Import\n\n`import tinygrad_lite` in a fresh interpreter (median of 5): "
          f"{statistics.median(times) * 1e3:.0f} ms\n")


def main():
    if torch is not None:
        torch.set_num_threads(THREADS)
    print(f"numpy {np.__version__}, numba {numba.__version__}, "
          f"torch {torch.__version__ if torch else 'not installed'}, threads {THREADS}, "
          f"{STAT.__name__} of repeats, load average at start {os.getloadavg()[0]:.2f}\n")
    elementwise()
    transcendental()
    matmuls()
    overhead()
    import_time()


if __name__ == "__main__":
    main()
