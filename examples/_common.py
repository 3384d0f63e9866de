"""What every lecture example shares: its command line, the printed seed, the table of numbers
behind its figure, and writing the figure (matplotlib is optional: without it the table is
still printed and the script says how to get the picture)."""
import argparse
import pathlib

import numpy as np

import nn
import tinygrad_lite as tl

DEFAULT_OUT = pathlib.Path(__file__).resolve().parent / "output"


def parse_args(argv, doc, data=False):
    """--quick (seconds, smaller sizes), --out DIR for the PNG, --seed, --dpi; with data=True
    also --data DIR (a folder holding MNIST or CIFAR-10 files)."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: runs in seconds")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT,
                        help=f"folder for the figure (default {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--dpi", type=int, default=100, help="figure resolution (default 100)")
    if data:
        parser.add_argument("--data", type=pathlib.Path, default=None,
                            help="folder with the real data set files (see --help of the "
                                 "data set); without it the bundled data is used")
    args = parser.parse_args(argv)
    one_blas_thread()
    return args


def one_blas_thread():
    """Run NumPy's BLAS on one thread from here on. The examples' matrices are small: a
    second thread costs more than it saves, and far more when other programs share the cores."""
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=1, user_api="blas")


def seed_everything(seed):
    """Seed the library generator (initial weights, shuffling, dropout) and say so."""
    tl.manual_seed(seed)
    print(f"seed: {seed}")


def print_table(title, header, rows):
    """A plain-text table: floats with 4 significant digits, columns right-aligned."""
    def cell(v):
        if isinstance(v, (float, np.floating)):
            return f"{v:.4g}"
        return str(v)
    cells = [[cell(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[k]) for r in cells)) for k, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(str(h).rjust(w) for h, w in zip(header, widths)))
    for row in cells:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths)))


def new_figure(width, height):
    """A matplotlib Figure (no GUI backend needed), or None when matplotlib is missing."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig, args, name):
    """Write `fig` as args.out/name.png; with fig None say why there is no picture."""
    if fig is None:
        print(f"\nfigure skipped: matplotlib is not installed (pip install matplotlib, or "
              f"install this package with the `plot` extra: pip install -e \".[plot]\")")
        return None
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{name}.png"
    fig.savefig(path, dpi=args.dpi)
    print(f"\nfigure: {path}")
    return path


def as_column(labels):
    """Binary labels (n,) as the float column (n, 1) that BCE losses take."""
    return np.asarray(labels).reshape(-1, 1).astype(np.float32)


def loader(X, y, batch_size, shuffle=False, drop_last=False):
    """A DataLoader over NumPy arrays."""
    return tl.data.DataLoader(tl.data.TensorDataset(tl.tensor(X), tl.tensor(y)),
                              batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)


def accuracy(model, X, y):
    """Fraction of rows of X the model classifies as y (argmax, or logit > 0 for one column)."""
    model.eval()
    with tl.no_grad():
        out = model(tl.tensor(X)).numpy()
    model.train()
    predicted = out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] > 0).astype(np.int64)
    return float((predicted == np.asarray(y).reshape(-1)).mean())


def digits(seed, n=None):
    """scikit-learn's 8x8 digits, pixels scaled to [0, 1], split 75/25 (the first n images
    only, if n is given): X_train, X_test, y_train, y_test."""
    X, y = tl.data.load_digits()
    X, y = X[:n] / 16.0, y[:n]
    return tl.data.train_test_split(X, y, test_size=0.25, seed=seed)


def moons(seed, n=300):
    """The lecture's moons data (noise 0.2), split 75/25: X_train, X_test, y_train, y_test."""
    X, y = tl.data.make_moons(n, noise=0.2, seed=seed)
    return tl.data.train_test_split(X, y, test_size=0.25, seed=seed)


def mlp(sizes, activation, batch_norm=False):
    """Linear layers of the given sizes with `activation()` (and BatchNorm1d before it, if
    asked) between them; the last layer is linear."""
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers.append(nn.Linear(n_in, n_out))
        if batch_norm:
            layers.append(nn.BatchNorm1d(n_out))
        layers.append(activation())
    return nn.Sequential(*layers, nn.Linear(sizes[-2], sizes[-1]))


def train_steps(model, optimizer, loss_fn, data, epochs):
    """The lecture's loop (zero_grad, loss, backward, step) over `epochs` passes of `data`;
    returns the loss of every step. Stops at the first NaN or infinite loss (recorded).
    The model stays in the mode it is in (a new model is in training mode)."""
    losses = []
    for _ in range(epochs):
        for x, y in data:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            losses.append(loss.item())
            if not np.isfinite(losses[-1]):
                return losses
            loss.backward()
            optimizer.step()
    return losses


def epoch_means(losses, steps_per_epoch):
    """Mean loss per epoch from per-step losses (a diverged run's last epoch is NaN/inf)."""
    return [float(np.mean(losses[i:i + steps_per_epoch]))
            for i in range(0, len(losses), steps_per_epoch)]
