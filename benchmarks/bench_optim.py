"""Benchmark one Adam step over the parameters of a 784-256-128-10 MLP (float32, 235,146
weights): our fused Numba kernels vs the same update as NumPy array expressions vs
torch.optim.Adam (fused=True, and foreach=True), torch limited to 2 threads.

    python benchmarks/bench_optim.py [--repeat 300]

Prints median times and ratios and writes benchmarks/RESULTS_optim.md.
"""
import argparse
import contextlib
import os
import pathlib
import platform
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import optim  # noqa: E402
import optim.adam  # noqa: E402
from machine import cpu_model, write_results  # noqa: E402  (benchmarks/machine.py)
import tinygrad_lite as tl  # noqa: E402
from tinygrad_lite.kernels import optim as fused  # noqa: E402
from tinygrad_lite.kernels import reference_optim  # noqa: E402

SHAPES = [(784, 256), (256,), (256, 128), (128,), (128, 10), (10,)]
DATE = "2026-11-27"


def median_times(steps, repeat, rounds=5, warmup=20):
    """Median wall time of one call of each step, in microseconds. The steps take turns in
    blocks of repeat/rounds calls, each block after `warmup` untimed calls, so changing load
    on a shared machine hits all of them alike."""
    times = [[] for _ in steps]
    for _ in range(rounds):
        for step, spent in zip(steps, times):
            for _ in range(warmup):
                step()
            for _ in range(repeat // rounds):
                start = time.perf_counter()
                step()
                spent.append(time.perf_counter() - start)
    return [statistics.median(spent) * 1e6 for spent in times]


def our_step(kernels, parallel_min=None):
    """optim.Adam.step() with the given kernel module (and parallel threshold)."""
    rng = np.random.default_rng(0)
    params = [tl.tensor(rng.normal(size=s).astype(np.float32), requires_grad=True)
              for s in SHAPES]
    for p in params:
        p.grad = tl.tensor(rng.normal(size=p.shape).astype(np.float32))
    opt = optim.Adam(params, lr=1e-3)

    def step():
        with swapped(kernels, parallel_min):
            opt.step()
    return step


@contextlib.contextmanager
def swapped(kernels, parallel_min):
    old_kernels, old_min = optim.adam.kernels, fused._adam.parallel_min
    optim.adam.kernels = kernels
    if parallel_min is not None:
        fused._adam.parallel_min = parallel_min
    try:
        yield
    finally:
        optim.adam.kernels, fused._adam.parallel_min = old_kernels, old_min


def torch_step(torch, **kwargs):
    gen = torch.Generator().manual_seed(0)
    params = [torch.randn(*s, generator=gen, requires_grad=True) for s in SHAPES]
    for p in params:
        p.grad = torch.randn(*p.shape, generator=gen)
    opt = torch.optim.Adam(params, lr=1e-3, **kwargs)
    return opt.step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    rows = [
        ("ours: fused Numba kernel (serial/parallel by size)", our_step(fused)),
        ("ours: fused Numba kernel, serial only", our_step(fused, parallel_min=1 << 62)),
        ("ours: fused Numba kernel, parallel for every param", our_step(fused, parallel_min=0)),
        ("NumPy array expressions (reference_optim)", our_step(reference_optim)),
    ]
    try:
        import torch
        torch.set_num_threads(2)
        rows += [("torch.optim.Adam(fused=True), 2 threads", torch_step(torch, fused=True)),
                 ("torch.optim.Adam(foreach=True), 2 threads", torch_step(torch, foreach=True))]
        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results = list(zip([name for name, _ in rows],
                       median_times([step for _, step in rows], args.repeat)))
    ours = results[0][1]
    lines = [f"# Adam step benchmark ({DATE})", "",
             f"One `optimizer.step()` over a 784-256-128-10 MLP's parameters "
             f"({sum(int(np.prod(s)) for s in SHAPES):,} float32 weights, 6 tensors); "
             f"median of {args.repeat} steps, taken in 5 rounds in which the implementations "
             "take turns, each block after 20 warm-up steps.", "",
             f"- CPU: {cpu_model()}",
             f"- Python {platform.python_version()}, NumPy {np.__version__}, "
             f"Numba {__import__('numba').__version__}, torch {torch_version}",
             f"- Command: `python benchmarks/bench_optim.py --repeat {args.repeat}`",
             f"- Load average when it started (a shared machine): {load}", "",
             "| implementation | median (µs) | time / ours |", "|---|---:|---:|"]
    lines += [f"| {name} | {t:.1f} | {t / ours:.2f} |" for name, t in results]
    text = "\n".join(lines) + "\n"
    write_results("optim", text)


if __name__ == "__main__":
    main()
