"""Overfitting on a small training set, and five ways to fight it (Unit 2.3).

40 noisy moons points train a big network (2-200-200-1; 2-100-100-1 with --quick); 500 fresh points validate it.
  none            training loss goes to zero while validation loss turns back up
  L2              cost + (lambda / 2) * sum w^2         (`nn.l2_penalty`, or weight_decay)
  L1              cost + lambda * sum |w|: weights pushed to exactly zero (`nn.l1_penalty`)
  dropout         each hidden unit kept with probability 1 - p while training, scaled by
                  1 / (1 - p) (inverted dropout), untouched at test time (`nn.Dropout(p)`)
  early stopping  stop when validation loss has not improved for `patience` epochs and go
                  back to the best epoch's weights (`tl.train.EarlyStopping`)

    python -m examples.overfitting [--quick] [--out DIR]
"""
import numpy as np

import nn
import optim
import tinygrad_lite as tl
from examples._common import (as_column, loader, new_figure, parse_args, print_table,
                              save_figure, seed_everything)
from tinygrad_lite.train import EarlyStopping, fit

L2, L1, DROP = 1e-2, 3e-4, 0.5
REGULARIZERS = ("none", "L2", "L1", "dropout", "early stopping")


def network(dropout, width=200):
    extra = [nn.Dropout(DROP)] if dropout else []
    return nn.Sequential(nn.Linear(2, width), nn.ReLU(), *extra, nn.Linear(width, width),
                         nn.ReLU(), *extra, nn.Linear(width, 1))


def weights(model):
    return [p for name, p in model.named_parameters() if name.endswith("weight")]


def penalized(model, penalty, strength):
    """The data loss plus strength * penalty(weights) while training (the cost the lecture
    regularizes); the plain data loss in eval mode, so validation losses compare."""
    data_loss = nn.BCEWithLogitsLoss()

    def loss(output, target):
        data_term = data_loss(output, target)
        return data_term + strength * penalty(weights(model)) if model.training else data_term
    return loss


def main(argv=None):
    args = parse_args(argv, __doc__)
    seed_everything(args.seed)
    X_train, y_train = tl.data.make_moons(40, noise=0.35, seed=args.seed)
    X_val, y_val = tl.data.make_moons(500, noise=0.35, seed=args.seed + 1)
    train = loader(X_train, as_column(y_train), 40)
    val = loader(X_val, as_column(y_val), 500)
    epochs = 60 if args.quick else 400
    results, rows = {}, []
    for name in REGULARIZERS:
        tl.manual_seed(args.seed)
        model = network(dropout=name == "dropout", width=100 if args.quick else 200)
        loss_fn = {"L2": penalized(model, nn.l2_penalty, L2 / 2),
                   "L1": penalized(model, nn.l1_penalty, L1)}.get(name, nn.BCEWithLogitsLoss())
        callbacks = []
        if name == "early stopping":
            callbacks = [EarlyStopping(monitor="val_loss", patience=20)]
            print("\nearly stopping:")
        history = fit(model, loss_fn, optim.Adam(model.parameters(), lr=0.01), train, epochs,
                      val_loader=val, callbacks=callbacks, progress=False)
        model.eval()
        with tl.no_grad():
            val_loss = nn.BCEWithLogitsLoss()(model(tl.tensor(X_val)),
                                              tl.tensor(as_column(y_val))).item()
            val_acc = float(((model(tl.tensor(X_val)).numpy()[:, 0] > 0) == y_val).mean())
        w = np.concatenate([p.detach().numpy().ravel() for p in weights(model)])
        results[name] = dict(history=history, val_loss=val_loss, val_accuracy=val_acc,
                             small_weights=float(np.mean(np.abs(w) < 1e-3)),
                             restored=callbacks[0].best_epoch if callbacks else None)
        rows.append((name, len(history.epochs), history["loss"][-1], val_loss,
                     history["accuracy"][-1], val_acc, f"{results[name]['small_weights']:.1%}"))
    print_table(f"40 training points, 500 validation points, Adam lr 0.01, up to {epochs} "
                f"full-batch epochs (L2 lambda {L2}, L1 lambda {L1}, dropout p {DROP}); "
                "the model as returned",
                ("regularization", "epochs", "train loss", "val loss", "train acc", "val acc",
                 "|w| < 1e-3"), rows)

    fig = new_figure(16, 3.8)
    if fig is not None:
        axes = fig.subplots(1, 5, sharey=True)
        for ax, (name, r) in zip(axes, results.items()):
            h = r["history"]
            ax.plot(h.epochs, h["loss"], label="train loss")
            ax.plot(h.epochs, h["val_loss"], label="validation loss")
            if r["restored"] is not None:
                ax.axvline(r["restored"], color="k", ls=":", label="restored epoch")
            ax.set(title=f"{name}: val acc {r['val_accuracy']:.3f}", xlabel="epoch",
                   yscale="log")
        axes[0].set_ylabel("loss (log)")
        axes[-1].legend(fontsize=8)
    save_figure(fig, args, "overfitting")
    return results


if __name__ == "__main__":
    main()
