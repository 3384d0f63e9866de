"""Time tools.graph: building the DOT of a 10,000-node graph (target < 1 s) and rendering a
~200-op model graph with `dot` (target < 5 s). Writes benchmarks/RESULTS_graph.md.

    python benchmarks/bench_graph.py [--date YYYY-MM-DD]
"""
import argparse
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # run from anywhere

from machine import cpu_model  # noqa: E402  (benchmarks/machine.py)
import tinygrad_lite as tl  # noqa: E402
from tinygrad_lite.scope import inside  # noqa: E402
from tools.graph import draw, to_dot  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS_graph.md")


def best_of(fn, repeat):
    """Smallest wall time of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def chain(n_nodes):
    """x -> n_nodes - 1 multiplies: a graph of exactly n_nodes tensors."""
    y = x = tl.randn(8, requires_grad=True)
    for _ in range(n_nodes - 1):
        y = y * 1.0001
    return x, y


class Layer:
    """Linear + tanh recorded inside its own module scope, like nn.Linear + nn.Tanh."""
    def __init__(self, n):
        self.weight = tl.randn(n, n, requires_grad=True)
        self.bias = tl.zeros(n, requires_grad=True)

    def __call__(self, x):
        with inside(self):
            return (x @ self.weight.T + self.bias).tanh()


def model_loss(n_layers):
    layers = [Layer(16) for _ in range(n_layers)]
    x = tl.randn(32, 16)
    for layer in layers:
        x = layer(x)
    params = {f"layers.{i}.{k}": getattr(layer, k) for i, layer in enumerate(layers)
              for k in ("weight", "bias")}
    return (x ** 2).mean(), params


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--date", default=time.strftime("%Y-%m-%d"))
    args = ap.parse_args()

    _, root = chain(10_000)
    dot_10k = best_of(lambda: to_dot(root, max_nodes=10_000), 3)
    dot_10k_capped = best_of(lambda: to_dot(root), 3)

    loss, params = model_loss(50)
    loss.backward(retain_graph=True)
    graph = draw(loss, params=params, show_grad=True)
    n_ops = graph.source.count("Backward\\n")
    rows = [("to_dot, 10,000-node chain (all nodes drawn)", dot_10k, 1.0),
            ("to_dot, 10,000-node chain, default max_nodes=500", dot_10k_capped, 1.0),
            (f"draw(show_grad=True), {n_ops}-op model", best_of(
                lambda: draw(loss, params=params, show_grad=True), 3), 1.0)]
    if shutil.which("dot"):
        with tempfile.TemporaryDirectory() as tmp:
            render = best_of(lambda: graph.render(Path(tmp) / "model", format="svg"), 3)
        rows.append((f"render to SVG with dot, {n_ops}-op model in module clusters",
                     render, 5.0))

    lines = [f"# tools.graph benchmark ({args.date})", "",
             f"CPU: {cpu_model()}; Python {platform.python_version()}; "
             f"dot: {'found' if shutil.which('dot') else 'not installed'}", "",
             "Best of 3 runs. Reproduce with `python benchmarks/bench_graph.py`.", "",
             "| what | seconds | target | ok |", "|---|---:|---:|---|"]
    lines += [f"| {what} | {t:.3f} | < {target:g} | {'yes' if t < target else 'NO'} |"
              for what, t, target in rows]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
