"""Benchmark the convolution-network layers against PyTorch on the CPU (torch limited to the
same 2 threads): the lecture CNN's training step (batch 32 of 3x32x32, CrossEntropyLoss,
Adam), BatchNorm2d, Conv2d, LeakyReLU and GELU forward+backward.

    python benchmarks/bench_nn.py [--repeat 40]

Prints minimum and median times and the ratios ours / PyTorch, and writes
benchmarks/RESULTS_nn.md. Both libraries run the same model code (tests/test_lecture_cnn.py).
"""
import argparse
import os
import pathlib
import platform
import statistics
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from machine import cpu_model, write_results  # noqa: E402  (benchmarks/machine.py)
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import optim  # noqa: E402
import tinygrad_lite as tl  # noqa: E402
from test_lecture_cnn import lecture_classes  # noqa: E402

DATE = "2026-11-27"
BATCH = 32


def timings(steps, repeat, rounds=4, warmup=3):
    """(min, median) wall time of one call of each step in ms. The steps take turns in
    `rounds` blocks of repeat/rounds calls (after `warmup` untimed calls), so changing load
    on a shared machine hits all of them alike; the minimum is the least disturbed run."""
    spent = [[] for _ in steps]
    for _ in range(rounds):
        for step, times in zip(steps, spent):
            for _ in range(warmup):
                step()
            for _ in range(max(1, repeat // rounds)):
                start = time.perf_counter()
                step()
                times.append((time.perf_counter() - start) * 1e3)
    return [(min(t), statistics.median(t)) for t in spent]


def cnn_step(lib, torch=None):
    """One training step of the lecture CNN: zero_grad, forward, loss, backward, Adam."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, BATCH)
    if torch is None:
        model = lecture_classes(nn, F)["CNN"]()
        optimizer, criterion = optim.Adam(model.parameters(), lr=1e-3), nn.CrossEntropyLoss()
        x, y = lib.tensor(x), lib.tensor(y)
    else:
        model = lecture_classes(torch.nn, torch.nn.functional)["CNN"]()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        criterion = torch.nn.CrossEntropyLoss()
        x, y = torch.tensor(x), torch.tensor(y)

    def step():
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    return step


def layer_step(make_layer, shape, tensor):
    """Forward + backward of one layer on a fixed input that requires grad."""
    layer = make_layer()
    x = tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32))
    x.requires_grad_(True)
    grad = tensor(np.random.default_rng(2).standard_normal(layer(x).shape).astype(np.float32))

    def step():
        x.grad = None
        layer(x).backward(grad)
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    import torch
    torch.set_num_threads(2)
    bn_shape, conv_shape = (BATCH, 16, 32, 32), (BATCH, 16, 32, 32)
    cases = [
        ("lecture CNN training step (Adam)", cnn_step(tl), cnn_step(tl, torch), 2.0),
        (f"BatchNorm2d(16) forward+backward {bn_shape}",
         layer_step(lambda: nn.BatchNorm2d(16), bn_shape, tl.tensor),
         layer_step(lambda: torch.nn.BatchNorm2d(16), bn_shape, torch.tensor), 1.5),
        (f"Conv2d(16, 16, 5, padding=2) forward+backward {conv_shape}",
         layer_step(lambda: nn.Conv2d(16, 16, 5, padding=2), conv_shape, tl.tensor),
         layer_step(lambda: torch.nn.Conv2d(16, 16, 5, padding=2), conv_shape, torch.tensor),
         None),
        (f"LeakyReLU() forward+backward {conv_shape}",
         layer_step(nn.LeakyReLU, conv_shape, tl.tensor),
         layer_step(torch.nn.LeakyReLU, conv_shape, torch.tensor), None),
        (f"GELU() forward+backward {conv_shape}",
         layer_step(nn.GELU, conv_shape, tl.tensor),
         layer_step(torch.nn.GELU, conv_shape, torch.tensor), None),
    ]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    steps = [s for _, ours, theirs, _ in cases for s in (ours, theirs)]
    results = timings(steps, args.repeat)
    lines = [f"# nn layer benchmark ({DATE})", "",
             f"Wall time per call in ms, minimum and median of {args.repeat} calls taken in 4 "
             "rounds in which the implementations take turns (3 warm-up calls per block). "
             "PyTorch runs on the CPU with `torch.set_num_threads(2)`. Ours: convolutions "
             "split the batch over one thread per core (OpenBLAS limited to 1 thread "
             "meanwhile), other GEMMs use OpenBLAS's 2 threads.", "",
             f"- CPU: {cpu_model()}",
             f"- Python {platform.python_version()}, NumPy {np.__version__}, "
             f"Numba {__import__('numba').__version__}, torch {torch.__version__}",
             f"- Command: `python benchmarks/bench_nn.py --repeat {args.repeat}`",
             f"- Load average when it started (a shared machine): {load}",
             "- Method: ours = channels-last im2col/col2im (Numba) + OpenBLAS SGEMM per "
             "L2-sized batch chunk; PyTorch's CPU convolutions are oneDNN's direct kernels.",
             "",
             "| case | ours min | ours median | torch min | torch median | ratio (min) | "
             "ratio (median) | target |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for i, (name, _, _, target) in enumerate(cases):
        (ours_min, ours_med), (torch_min, torch_med) = results[2 * i], results[2 * i + 1]
        lines.append(f"| {name} | {ours_min:.2f} | {ours_med:.2f} | {torch_min:.2f} | "
                     f"{torch_med:.2f} | {ours_min / torch_min:.2f} | "
                     f"{ours_med / torch_med:.2f} | {f'<= {target}' if target else '-'} |")
    text = "\n".join(lines) + "\n"
    write_results("nn", text)


if __name__ == "__main__":
    main()
