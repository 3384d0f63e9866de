"""Batch size: batch, mini-batch and stochastic gradient descent (Unit 2.2).

Batch gradient descent takes one step per pass over all the data (exact gradient, slow
steps); stochastic gradient descent one step per example (batch size 1: fast, noisy steps);
mini-batch gradient descent, typically 32 to 512 (powers of two), is in between and the usual
choice. `DataLoader(dataset, batch_size=...)` sets it. The same digits network is trained for
the same number of epochs with each batch size; the loss on the whole training set is
measured along the way, against steps taken and against wall-clock time (evaluation time
excluded).

    python -m examples.batch_size [--quick] [--out DIR]
"""
import time

import numpy as np

import nn
import optim
import tinygrad_lite as tl
from examples._common import (accuracy, digits, loader, mlp, new_figure, parse_args,
                              print_table, save_figure, seed_everything)

LR = 0.1


def full_loss(model, X, y):
    with tl.no_grad():
        return nn.CrossEntropyLoss()(model(tl.tensor(X)), tl.tensor(y)).item()


def run(batch_size, X, y, epochs, seed, points=60):
    """Train; returns [(step, seconds of training so far, loss on all of X)] at about
    `points` moments, the first before any step."""
    tl.manual_seed(seed)
    model = mlp([64, 64, 10], nn.ReLU)
    optimizer = optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    data = loader(X, y, batch_size, shuffle=True)
    total = epochs * len(data)
    every = max(total // points, 1)
    trace, step, seconds = [(0, 0.0, full_loss(model, X, y))], 0, 0.0
    for _ in range(epochs):
        for xb, yb in data:
            start = time.perf_counter()
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
            seconds += time.perf_counter() - start
            step += 1
            if step % every == 0 or step == total:
                trace.append((step, seconds, full_loss(model, X, y)))
    return model, np.array(trace)


def main(argv=None):
    args = parse_args(argv, __doc__)
    seed_everything(args.seed)
    X_train, X_test, y_train, y_test = digits(args.seed, n=400 if args.quick else None)
    epochs = 2 if args.quick else 4
    sizes = {f"batch ({len(X_train)})": len(X_train), "mini-batch 512": 512,
             "mini-batch 128": 128, "mini-batch 64": 64, "mini-batch 32": 32,
             "stochastic (1)": 1}
    run(len(X_train), X_train, y_train, 1, args.seed)     # warm-up: compile the kernels first
    traces, rows = {}, []
    for name, batch_size in sizes.items():
        model, trace = run(batch_size, X_train, y_train, epochs, args.seed)
        traces[name] = trace
        rows.append((name, int(trace[-1, 0]), f"{trace[-1, 1]:.2f}", trace[-1, 2],
                     accuracy(model, X_test, y_test)))
    print_table(f"digits MLP 64-64-10, SGD lr {LR}, {epochs} epochs on {len(X_train)} "
                "images (wall time varies by machine)",
                ("batch size", "steps", "train seconds", "final train loss", "test accuracy"),
                rows)

    fig = new_figure(12, 4.5)
    if fig is not None:
        by_steps, by_time = fig.subplots(1, 2, sharey=True)
        for name, trace in traces.items():
            by_steps.plot(np.maximum(trace[:, 0], 1), trace[:, 2], ".-", label=name)
            by_time.plot(np.maximum(trace[:, 1], 1e-3), trace[:, 2], ".-", label=name)
        by_steps.set(xscale="log", xlabel="steps (log)", ylabel="loss on the training set",
                     title=f"same {epochs} epochs: loss against steps")
        by_time.set(xscale="log", xlabel="training wall time (s, log; the start at 1 ms)",
                    title="loss against wall time")
        by_steps.legend(fontsize=8)
    save_figure(fig, args, "batch_size")
    return {name: dict(steps=int(t[-1, 0]), loss=float(t[-1, 2])) for name, t in traces.items()}


if __name__ == "__main__":
    main()
