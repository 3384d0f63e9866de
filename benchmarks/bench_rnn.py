"""Benchmark the recurrent layers against PyTorch on the CPU (torch limited to the same 2
threads): LSTM and GRU, 1 layer, sequence 50, batch 32, input 32, hidden 64, float32,
forward + backward.

    python benchmarks/bench_rnn.py [--repeat 20]

Prints minimum and median times and the ratios ours / PyTorch, and writes
benchmarks/RESULTS_rnn.md.
"""
import argparse
import os
import pathlib
import platform
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_nn import timings  # noqa: E402  (turn-taking min/median timer)
from machine import cpu_model, ratio_table, write_results  # noqa: E402  (benchmarks/machine.py)
import nn  # noqa: E402
import tinygrad_lite as tl  # noqa: E402

DATE = "2026-11-30"
SEQ, BATCH, INPUT, HIDDEN = 50, 32, 32, 64


def rnn_step(layer, tensor):
    """Forward + backward of one recurrent layer on a fixed input that requires grad,
    the loss weighting the output sequence with fixed random numbers."""
    rng = np.random.default_rng(0)
    x = tensor(rng.standard_normal((SEQ, BATCH, INPUT)).astype(np.float32))
    x.requires_grad_(True)
    weights = tensor(rng.standard_normal((SEQ, BATCH, HIDDEN)).astype(np.float32))

    def step():
        x.grad = None
        for p in layer.parameters():
            p.grad = None
        output, _ = layer(x)
        (output * weights).sum().backward()
    return step


def single_threaded_blas(step):
    """The step with OpenBLAS limited to 1 thread (threadpoolctl): for comparison, since the
    per-step GEMMs are small and a second BLAS thread can cost more than it saves."""
    from threadpoolctl import ThreadpoolController
    controller = ThreadpoolController()

    def limited():
        with controller.limit(limits=1, user_api="blas"):
            step()
    return limited


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    import torch
    torch.set_num_threads(2)
    shape = f"seq {SEQ}, batch {BATCH}, input {INPUT}, hidden {HIDDEN}"
    cases = [(f"{name} forward+backward ({shape})",
              rnn_step(getattr(nn, name)(INPUT, HIDDEN), tl.tensor),
              rnn_step(getattr(torch.nn, name)(INPUT, HIDDEN), torch.tensor))
             for name in ("LSTM", "GRU")]
    cases += [(f"{name} forward+backward, ours with OpenBLAS at 1 thread",
               single_threaded_blas(rnn_step(getattr(nn, name)(INPUT, HIDDEN), tl.tensor)),
               rnn_step(getattr(torch.nn, name)(INPUT, HIDDEN), torch.tensor))
              for name in ("LSTM", "GRU")]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results = timings([s for _, ours, theirs in cases for s in (ours, theirs)], args.repeat)
    lines = [f"# Recurrent layer benchmark ({DATE})", "",
             f"Wall time per call in ms, minimum and median of {args.repeat} calls taken in 4 "
             "rounds in which the implementations take turns (3 warm-up calls per block). "
             "PyTorch runs on the CPU with `torch.set_num_threads(2)`.", "",
             f"- CPU: {cpu_model()}",
             f"- Python {platform.python_version()}, NumPy {np.__version__}, "
             f"Numba {__import__('numba').__version__}, torch {torch.__version__}",
             f"- Command: `python benchmarks/bench_rnn.py --repeat {args.repeat}`",
             f"- Load average when it started (a shared machine): {load}",
             "- Method: ours = one input-projection GEMM per layer and direction, then a Python "
             "loop over time: a hidden GEMM and one fused cell op (Numba) per step, and the "
             "fused cell backward per step; PyTorch's CPU LSTM/GRU run a fused C++ loop.", "",
             ] + ratio_table([name for name, _, _ in cases], results)
    write_results("rnn", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
