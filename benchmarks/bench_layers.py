"""Benchmark the transformer-side layers against PyTorch on the CPU (torch limited to the same
2 threads): LayerNorm, scaled dot-product attention, MultiheadAttention self-attention and
the Embedding lookup with its scatter-add backward, each forward+backward.

    python benchmarks/bench_layers.py [--repeat 12]

Prints minimum and median times and the ratios ours / PyTorch, and writes
benchmarks/RESULTS_layers.md. Timing as in bench_nn.py (the implementations take turns).
"""
import argparse
import os
import platform

import numpy as np

from bench_nn import layer_step, timings  # noqa: E402  (also puts the repo on sys.path)
from machine import cpu_model, ratio_table, write_results  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import tinygrad_lite as tl  # noqa: E402

DATE = "2026-11-30"


def attention_step(tensor, sdpa, shape):
    """Forward + backward of scaled dot-product attention on q, k, v of `shape`."""
    rng = np.random.default_rng(1)
    q, k, v = (tensor(rng.standard_normal(shape).astype(np.float32)).requires_grad_(True)
               for _ in range(3))
    grad = tensor(rng.standard_normal(shape).astype(np.float32))

    def step():
        q.grad = k.grad = v.grad = None
        sdpa(q, k, v).backward(grad)
    return step


def self_attention_step(module, tensor, shape):
    """Forward + backward of a batch-first MultiheadAttention on x of `shape` (no weights)."""
    rng = np.random.default_rng(2)
    x = tensor(rng.standard_normal(shape).astype(np.float32)).requires_grad_(True)
    grad = tensor(rng.standard_normal(shape).astype(np.float32))

    def step():
        x.grad = None
        module.zero_grad()
        module(x, x, x, need_weights=False)[0].backward(grad)
    return step


def embedding_step(module, tensor, indices):
    """Lookup + backward (the scatter-add into the table's gradient)."""
    index = tensor(indices)
    grad = tensor(np.random.default_rng(3).standard_normal(
        indices.shape + (module.embedding_dim,)).astype(np.float32))

    def step():
        module.weight.grad = None
        module(index).backward(grad)
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=12)
    args = parser.parse_args()
    import torch
    torch.set_num_threads(2)
    torch.backends.mha.set_fastpath_enabled(False)  # grads are needed: no fused eval path
    ln_shape, qkv_shape, x_shape = (16, 128, 512), (8, 8, 128, 32), (8, 128, 256)
    indices = np.random.default_rng(0).integers(0, 10000, (64, 128))
    cases = [
        (f"LayerNorm(512) forward+backward {ln_shape}",
         layer_step(lambda: nn.LayerNorm(512), ln_shape, tl.tensor),
         layer_step(lambda: torch.nn.LayerNorm(512), ln_shape, torch.tensor)),
        (f"scaled_dot_product_attention forward+backward q, k, v {qkv_shape}",
         attention_step(tl.tensor, F.scaled_dot_product_attention, qkv_shape),
         attention_step(torch.tensor, torch.nn.functional.scaled_dot_product_attention,
                        qkv_shape)),
        (f"MultiheadAttention(256, 8) self-attention forward+backward {x_shape}",
         self_attention_step(nn.MultiheadAttention(256, 8, batch_first=True), tl.tensor,
                             x_shape),
         self_attention_step(torch.nn.MultiheadAttention(256, 8, batch_first=True),
                             torch.tensor, x_shape)),
        (f"Embedding(10000, 256) lookup+backward, indices {indices.shape}",
         embedding_step(nn.Embedding(10000, 256), tl.tensor, indices),
         embedding_step(torch.nn.Embedding(10000, 256), torch.tensor, indices)),
    ]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results = timings([s for _, ours, theirs in cases for s in (ours, theirs)], args.repeat)
    lines = [f"# transformer layer benchmark ({DATE})", "",
             f"Wall time per call in ms, minimum and median of {args.repeat} calls taken in 4 "
             "rounds in which the implementations take turns (3 warm-up calls per block). "
             "PyTorch runs on the CPU with `torch.set_num_threads(2)`, float32 both.", "",
             f"- CPU: {cpu_model()}",
             f"- Python {platform.python_version()}, NumPy {np.__version__}, "
             f"Numba {__import__('numba').__version__}, torch {torch.__version__}",
             f"- Command: `python benchmarks/bench_layers.py --repeat {args.repeat}`",
             f"- Load average when it started (a shared machine): {load}", "",
             ] + ratio_table([name for name, _, _ in cases], results)
    write_results("layers", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
