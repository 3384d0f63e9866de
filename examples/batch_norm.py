"""Batch Normalization: the same deep network with and without it (Unit 2.1).

Per mini-batch B, for each feature: mu_B = mean, sigma_B^2 = variance,
x_hat = (x - mu_B) / sqrt(sigma_B^2 + eps), y = gamma * x_hat + beta (gamma, beta learned),
placed before the activation (`nn.BatchNorm1d`). The lecture's claims, tried here:
it allows a larger learning rate, and it makes training robust to a bad initialization.

    python -m examples.batch_norm [--quick] [--out DIR]
"""
import numpy as np

import nn
import optim
import tinygrad_lite as tl
from examples._common import (accuracy, digits, epoch_means, loader, mlp, new_figure,
                              parse_args, print_table, save_figure, seed_everything,
                              train_steps)

SETTINGS = {
    "high learning rate (SGD lr 0.5), He init": dict(lr=0.5, std=None),
    "bad init (w ~ N(0, 0.01^2)), SGD lr 0.1": dict(lr=0.1, std=0.01),
}


def network(batch_norm, std, depth=8, width=64):
    model = mlp([64] + [width] * depth + [10], nn.ReLU, batch_norm=batch_norm)
    for layer in model:
        if isinstance(layer, nn.Linear):
            if std is None:
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            else:
                nn.init.normal_(layer.weight, std=std)
            nn.init.zeros_(layer.bias)
    return model


def main(argv=None):
    args = parse_args(argv, __doc__)
    seed_everything(args.seed)
    epochs = 3 if args.quick else 15
    X_train, X_test, y_train, y_test = digits(args.seed, n=400 if args.quick else None)
    data = loader(X_train, y_train, 64, shuffle=True, drop_last=True)  # no tiny last batch
    rows, curves = [], {}
    for setting, s in SETTINGS.items():
        for batch_norm in (False, True):
            tl.manual_seed(args.seed)
            model = network(batch_norm, s["std"])
            losses = train_steps(model, optim.SGD(model.parameters(), lr=s["lr"]),
                                 nn.CrossEntropyLoss(), data, epochs)
            per_epoch = epoch_means(losses, len(data))
            finite = bool(np.isfinite(losses[-1]))
            test = accuracy(model, X_test, y_test) if finite else float("nan")
            label = "with BatchNorm" if batch_norm else "without"
            curves[(setting, label)] = per_epoch
            rows.append((setting, label, per_epoch[-1] if finite else "diverged (NaN)",
                         test))
    print_table(f"8 hidden ReLU layers of 64, {epochs} epochs on {len(X_train)} digits, "
                "batch 64 (SGD, no momentum)", ("setting", "BatchNorm", "final loss", "test accuracy"), rows)

    fig = new_figure(12, 4.5)
    if fig is not None:
        for ax, setting in zip(fig.subplots(1, 2), SETTINGS):
            for label in ("without", "with BatchNorm"):
                curve = np.array(curves[(setting, label)])
                ax.plot(range(1, len(curve) + 1), np.where(np.isfinite(curve), curve, np.nan),
                        "o-", label=label + (" (diverged)" if not np.isfinite(curve[-1])
                                             else ""))
            ax.set(xlabel="epoch", ylabel="training loss", title=setting, yscale="log")
            ax.legend()
    save_figure(fig, args, "batch_norm")
    return {f"{setting} / {label}": dict(loss=row[2], test_accuracy=row[3])
            for row in rows for setting, label in [row[:2]]}


if __name__ == "__main__":
    main()
