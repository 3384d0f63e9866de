"""Benchmark whole training steps of the lecture's models against PyTorch on the CPU, each
library in its own processes, the processes taking turns (interleaved), so that a changing
load on a shared machine hits both alike:

    W1   MLP 784-256-128-10, ReLU, CrossEntropyLoss, Adam, batch 64 (and batch 512)
    W2   the lecture's moons net 2-5-2-1 (ReLU, ReLU, Sigmoid), BCELoss, Adam, batch 64
    W5   the lecture's CNN (tests/test_lecture_cnn.py), batch 32 of 3x32x32, Adam
    W7   MLP 784-1000-10, sigmoid, CrossEntropyLoss, SGD, batch 100: one epoch of 60,000
         random examples of MNIST's shape (no download)

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_workloads.py
    python benchmarks/bench_workloads.py --tiny      # a couple of steps each, in seconds

A step is zero_grad + forward + loss + backward + optimizer step (W7: a whole epoch of them).
Prints minimum and median times and the ratios ours / PyTorch, and writes the table into
benchmarks/RESULTS_workloads.md and into BENCHMARKS.md's section between the markers
`<!-- bench_workloads: begin/end -->` (not with --tiny, which only checks that all of it runs).
A target counts as met when the ratio of medians is at or below it (the issue that set the
targets compared medians); the ratio of minimums is shown beside it.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from machine import cpu_model, write_results, write_section  # noqa: E402  (benchmarks/)

DATE = datetime.date.today().isoformat()
THREADS = 2
LOAD = " ".join(f"{x:.2f}" for x in os.getloadavg())
OPENBLAS_PINS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")   # unset them to measure
# name -> (description, target ratio ours / PyTorch, timed steps per process, tiny steps)
WORKLOADS = {
    "W1": ("MLP 784-256-128-10, ReLU, CE, Adam, batch 64", 0.45, 60, 2),
    "W1-512": ("MLP 784-256-128-10, ReLU, CE, Adam, batch 512", 0.6, 20, 2),
    "W2": ("moons net 2-5-2-1, ReLU/Sigmoid, BCE, Adam, batch 64", 0.5, 400, 2),
    "W5": ("lecture CNN, batch 32 of 3x32x32, CE, Adam", 1.3, 10, 1),
    "W7": ("MLP 784-1000-10, sigmoid, CE, SGD, batch 100, one 60k epoch", 1.0, 1, 1),
}


# ---- the workloads, written once for both libraries -------------------------------------
def mlp_step(lib, batch):
    """W1: one Adam step of a 784-256-128-10 ReLU MLP on a fixed random batch."""
    nn, optim = lib.nn, lib.optim
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    return _step(model, optim.Adam(model.parameters(), lr=1e-3), nn.CrossEntropyLoss(), x, y)


def moons_step(lib, batch=64):
    """W2: one Adam step of the lecture's 2-5-2-1 moons net on a fixed random batch."""
    nn, optim = lib.nn, lib.optim
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 2)).astype(np.float32))
    y = lib.tensor((rng.random((batch, 1)) > 0.5).astype(np.float32))
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 2), nn.ReLU(),
                          nn.Linear(2, 1), nn.Sigmoid())
    return _step(model, optim.Adam(model.parameters(), lr=1e-3), nn.BCELoss(), x, y)


def cnn_step(lib, batch=32):
    """W5: one Adam step of the lecture's CNN on a fixed random batch of 3x32x32 images."""
    from test_lecture_cnn import lecture_classes
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    model = lecture_classes(lib.nn, lib.F)["CNN"]()
    return _step(model, lib.optim.Adam(model.parameters(), lr=1e-3), lib.nn.CrossEntropyLoss(),
                 x, y)


def epoch_step(lib, examples=60_000, batch=100):
    """W7: one epoch of SGD over `examples` random MNIST-shaped examples, in a fixed
    shuffled order, of a 784-1000-10 sigmoid MLP."""
    nn = lib.nn
    rng = np.random.default_rng(0)
    images = rng.random((examples, 784), dtype=np.float32)
    labels = rng.integers(0, 10, examples)
    order = rng.permutation(examples)
    batches = [(lib.tensor(images[order[i:i + batch]]), lib.tensor(labels[order[i:i + batch]]))
               for i in range(0, examples, batch)]
    model = nn.Sequential(nn.Linear(784, 1000), nn.Sigmoid(), nn.Linear(1000, 10))
    steps = [_step(model, lib.optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(),
                   x, y) for x, y in batches]

    def epoch():
        for step in steps:
            step()
    return epoch


def _step(model, optimizer, criterion, x, y):
    def step():
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    return step


BUILDERS = {"W1": lambda lib, tiny: mlp_step(lib, 64),
            "W1-512": lambda lib, tiny: mlp_step(lib, 512),
            "W2": lambda lib, tiny: moons_step(lib),
            "W5": lambda lib, tiny: cnn_step(lib),
            "W7": lambda lib, tiny: epoch_step(lib, examples=200 if tiny else 60_000)}


# ---- one process: one library, one workload ----------------------------------------------
class Library:
    """The names a workload needs (tensor, nn, F, optim) from one library."""

    def __init__(self, name):
        if name == "torch":
            import torch
            torch.set_num_threads(THREADS)
            self.tensor, self.nn, self.optim = torch.tensor, torch.nn, torch.optim
            self.F, self.version = torch.nn.functional, torch.__version__
        else:
            import nn
            import nn.functional as F
            import optim
            import tinygrad_lite
            self.tensor, self.nn, self.F, self.optim = tinygrad_lite.tensor, nn, F, optim
            self.version = "tinygrad_lite (this checkout)"


def threads_report(library):
    """Thread counts and the BLAS kernels threadpoolctl sees in this process (PyTorch's own
    MKL is linked into it, invisible to threadpoolctl: reported from torch.backends)."""
    from threadpoolctl import threadpool_info
    report = {"threadpoolctl": [f"{i.get('internal_api')} {i.get('version')} "
                                f"{i.get('architecture') or ''} ({i.get('num_threads')} "
                                "threads)" for i in threadpool_info()]}
    if library == "torch":
        import torch
        report["torch threads"] = torch.get_num_threads()
        report["torch BLAS"] = "MKL" if torch.backends.mkl.is_available() else "not MKL"
        report["oneDNN"] = torch.backends.mkldnn.is_available()
    else:
        import numba
        report["numba threads"] = numba.get_num_threads()
    return report


def worker(library, workloads, steps, tiny):
    """Build each workload, warm it up, time `steps` steps (or each one's tiny count); print
    {workload: times in ms} with the library's version and threads as JSON."""
    lib = Library(library)
    times = {}
    for workload in workloads.split(","):
        step = BUILDERS[workload](lib, tiny)
        for _ in range(1 if tiny or workload == "W7" else 3):
            step()
        count = WORKLOADS[workload][3] if tiny else steps
        times[workload] = []
        for _ in range(count):
            start = time.perf_counter()
            step()
            times[workload].append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"times": times, "version": lib.version,
                      "threads": threads_report(library)}))


def run_worker(library, workloads, steps, tiny):
    command = [sys.executable, __file__, "--worker", library, workloads, "--steps", str(steps)]
    out = subprocess.run(command + (["--tiny"] if tiny else []), capture_output=True,
                         text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"bench_workloads: the {library} process for {workloads} failed:\n"
                           f"{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- the driver: interleaved processes, one table ----------------------------------------
def measure(libraries, rounds, tiny):
    """{(workload, library): result}, each library's process of a workload taking turns with
    the other's for `rounds` rounds; the times of all rounds pooled. --tiny: one process per
    library runs every workload once, to check that all of it works."""
    if tiny:
        runs = [(",".join(WORKLOADS), 0)]
    else:
        runs = [(workload, steps) for workload, (_, _, steps, _) in WORKLOADS.items()]
    results = {}
    for workloads, steps in runs:
        for _ in range(1 if tiny else rounds):
            for library in libraries:
                result = run_worker(library, workloads, steps, tiny)
                for workload, times in result["times"].items():
                    pooled = results.setdefault((workload, library), dict(result, times=[]))
                    pooled["times"] += times
    return results


def table(results, libraries, rounds, command, tiny=False):
    ours = results[("W1", "ours")]
    lines = [f"# Training-step workloads, ours vs PyTorch ({DATE})", "",
             f"Wall time per step in ms (W7: per epoch), minimum and median over {rounds} "
             "rounds; in each round every library runs the workload in a fresh process, "
             "the libraries taking turns. Ratios are ours / PyTorch.", "",
             f"- CPU: {cpu_model()}",
             f"- Python {platform.python_version()}, NumPy {np.__version__}, "
             f"Numba {__import__('numba').__version__}",
             f"- Command: `{command}`",
             f"- Load average when it started (a shared machine): {LOAD}",
             "- OpenBLAS pins: " + ", ".join(f"{name}={os.environ.get(name, 'unset')}"
                                             for name in OPENBLAS_PINS),
             f"- ours: {ours['threads']}"]
    if "torch" in libraries:
        theirs = results[("W1", "torch")]
        lines.append(f"- torch {theirs['version']}: {theirs['threads']}")
    lines += ["", "| workload | ours min | ours median | torch min | torch median | "
              "ratio (min) | ratio (median) | target | met |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for workload, (description, target, _, _) in WORKLOADS.items():
        ours_t = results[(workload, "ours")]["times"]
        row = [f"{workload} {description}", f"{min(ours_t):.3f}",
               f"{statistics.median(ours_t):.3f}"]
        if "torch" in libraries:
            theirs_t = results[(workload, "torch")]["times"]
            median_ratio = statistics.median(ours_t) / statistics.median(theirs_t)
            row += [f"{min(theirs_t):.3f}", f"{statistics.median(theirs_t):.3f}",
                    f"{min(ours_t) / min(theirs_t):.2f}", f"{median_ratio:.2f}",
                    f"<= {target}", "-" if tiny else "yes" if median_ratio <= target else "no"]
        else:
            row += ["-"] * 4 + [f"<= {target}", "-"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tiny", action="store_true",
                        help="a couple of steps per workload, one round, no results file")
    parser.add_argument("--worker", nargs=2, metavar=("LIBRARY", "WORKLOAD"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker, args.steps, args.tiny)
        return
    try:
        import torch  # noqa: F401
        libraries = ("ours", "torch")
    except ImportError:
        libraries = ("ours",)
    rounds = 1 if args.tiny else args.rounds
    text = table(measure(libraries, rounds, args.tiny), libraries, rounds,
                 "python benchmarks/bench_workloads.py " + " ".join(sys.argv[1:]), args.tiny)
    if args.tiny:
        print(text)
    else:
        write_results("workloads", text)
        write_section("bench_workloads", text.replace("# Training-step", "### Training-step", 1))


if __name__ == "__main__":
    main()
