"""Benchmark the convolution variants against PyTorch on the CPU (torch limited to the same
2 threads): depthwise 3x3 Conv2d, grouped Conv2d, Conv1d and ConvTranspose2d, each forward
+ backward (input and parameter gradients) in float32.

    python benchmarks/bench_conv.py [--repeat 20]

Prints minimum and median times and the ratios ours / PyTorch, and writes
benchmarks/RESULTS_conv.md. The timing loop and the layer step are bench_nn.py's.
"""
import argparse
import os
import platform
import sys

import numpy as np

from bench_nn import layer_step, timings  # (importing bench_nn puts the repo on sys.path)
from machine import cpu_model, ratio_table, write_results
import nn  # noqa: E402
import tinygrad_lite as tl  # noqa: E402

DATE = "2026-11-30"


def cases(torch):
    """(name, our step, torch's step) for each convolution variant."""
    image, signal, small = (16, 64, 32, 32), (16, 64, 256), (16, 32, 16, 16)
    layers = [
        (f"depthwise Conv2d(64, 64, 3, padding=1, groups=64) {image}",
         lambda m: m.Conv2d(64, 64, 3, padding=1, groups=64), image),
        (f"grouped Conv2d(64, 64, 3, padding=1, groups=4) {image}",
         lambda m: m.Conv2d(64, 64, 3, padding=1, groups=4), image),
        (f"Conv1d(64, 64, 5, padding=2) {signal}",
         lambda m: m.Conv1d(64, 64, 5, padding=2), signal),
        (f"ConvTranspose2d(32, 16, 4, stride=2, padding=1) {small}",
         lambda m: m.ConvTranspose2d(32, 16, 4, stride=2, padding=1), small),
    ]
    return [(name, layer_step(lambda: make(nn), shape, tl.tensor),
             layer_step(lambda: make(torch.nn), shape, torch.tensor))
            for name, make, shape in layers]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    import torch
    torch.set_num_threads(2)
    steps = cases(torch)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results = timings([s for _, ours, theirs in steps for s in (ours, theirs)], args.repeat)
    lines = [f"# convolution benchmark ({DATE})", "",
             f"Wall time per forward+backward call in ms, minimum and median of {args.repeat} "
             "calls taken in 4 rounds in which the implementations take turns (3 warm-up "
             "calls per block). PyTorch runs on the CPU with `torch.set_num_threads(2)`.", "",
             f"- CPU: {cpu_model()}",
             f"- Python {platform.python_version()}, NumPy {np.__version__}, "
             f"Numba {__import__('numba').__version__}, torch {torch.__version__}",
             f"- Command: `python benchmarks/bench_conv.py --repeat {args.repeat}`",
             f"- Load average when it started (a shared machine): {load}",
             "- Method: ours = grouped channels-last im2col (Numba) + one OpenBLAS GEMM per "
             "group and batch chunk; depthwise = direct Numba loops; Conv1d = Conv2d of "
             "height 1; ConvTranspose2d = the convolution's input gradient (GEMM + col2im).",
             ""] + ratio_table([name for name, _, _ in steps], results)
    write_results("conv", "\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
