"""The last layer's activation and the loss must fit the problem (Units 2 and 3).

  one label out of many   softmax + cross-entropy  (`nn.CrossEntropyLoss` on raw scores:
                          the softmax is inside it)
  yes / no (or several    sigmoid + binary cross-entropy  (`nn.Sigmoid` + `nn.BCELoss`, or
  independent labels)     `nn.BCEWithLogitsLoss` on raw scores)
  a number (regression)   linear + mean squared error  (`nn.MSELoss`, targets normalized)

Each problem is trained with its matching pair and with pairs that do not match, the same
network and the same number of steps; what goes wrong is printed next to each.

    python -m examples.last_layer [--quick] [--out DIR]
"""
import numpy as np

import nn
import optim
import tinygrad_lite as tl
from examples._common import (as_column, digits, loader, new_figure, parse_args, print_table,
                              save_figure, seed_everything, train_steps)


def body(n_in, n_out, last=None):
    """Two ReLU hidden layers of 32 and a Linear output, then `last` (an activation) if given."""
    layers = [nn.Linear(n_in, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, n_out)]
    return nn.Sequential(*layers, *([last] if last is not None else []))


def classify_digits(X, y):
    return lambda out: float((out.argmax(1) == y).mean())


# (problem, pair, builds the model, loss, how targets are fed, is it the match?, the lesson)
PAIRS = [
    ("digits (10 classes)", "linear -> softmax + cross-entropy", lambda: body(64, 10),
     nn.CrossEntropyLoss(), "index", True, "matches: softmax inside CrossEntropyLoss"),
    ("digits (10 classes)", "softmax, then CrossEntropyLoss (softmax twice)",
     lambda: body(64, 10, nn.Softmax(dim=1)), nn.CrossEntropyLoss(), "index", False,
     "the scores are squashed into [0, 1], so the loss cannot go below ~1.46 however right "
     "the answers: the loss no longer tells you how well it learns"),
    ("digits (10 classes)", "linear + MSE on the class number", lambda: body(64, 1),
     nn.MSELoss(), "number", False,
     "treats '7' as closer to '8' than to '1': rounds to wrong neighbours"),
    ("moons (2 classes)", "sigmoid + binary cross-entropy", lambda: body(2, 1, nn.Sigmoid()),
     nn.BCELoss(), "column", True, "matches"),
    ("moons (2 classes)", "softmax over one output + BCE", lambda: body(2, 1, nn.Softmax(dim=1)),
     nn.BCELoss(), "column", False,
     "softmax of a single score is always 1: nothing to learn, gradients are zero"),
    ("moons (2 classes)", "linear (no sigmoid) + BCELoss", lambda: body(2, 1), nn.BCELoss(),
     "column", False, "BCELoss needs probabilities in [0, 1]: the engine refuses (error)"),
    ("regression sin", "linear + MSE", lambda: body(1, 1), nn.MSELoss(), "column", True,
     "matches (targets normalized to mean 0, std 1)"),
    ("regression sin", "sigmoid + MSE", lambda: body(1, 1, nn.Sigmoid()), nn.MSELoss(),
     "column", False, "outputs clipped to (0, 1): the negative half and the peaks are lost"),
    ("regression sin", "ReLU + MSE", lambda: body(1, 1, nn.ReLU()), nn.MSELoss(), "column",
     False, "outputs clipped at 0: the negative half is lost"),
]


def problems(seed, quick):
    """{problem: (X_train, y_train, X_test, y_test)} with y as class indices or numbers."""
    X_train, X_test, y_train, y_test = digits(seed, n=500 if quick else None)
    moons_X, moons_y = tl.data.make_moons(400, noise=0.2, seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-np.pi, np.pi, (400, 1)).astype(np.float32)
    target = 3 * np.sin(x) + rng.normal(0, 0.1, x.shape).astype(np.float32)
    target = (target - target.mean()) / target.std()          # normalize the targets
    return {"digits (10 classes)": (X_train, y_train, X_test, y_test),
            "moons (2 classes)": (moons_X[:300], moons_y[:300], moons_X[300:], moons_y[300:]),
            "regression sin": (x[:300], target[:300, 0], x[300:], target[300:, 0])}


def targets(y, how):
    return {"index": y, "number": as_column(y), "column": as_column(y)}[how]


def score(problem, how, output, y):
    """Accuracy for the classification problems, RMSE for the regression."""
    if problem == "regression sin":
        return "RMSE", float(np.sqrt(np.mean((output[:, 0] - y) ** 2)))
    if how == "number":
        predicted = np.clip(np.rint(output[:, 0]), 0, 9)
    elif output.shape[1] > 1:
        predicted = output.argmax(1)
    else:
        predicted = output[:, 0] > 0.5
    return "accuracy", float((predicted == y).mean())


def main(argv=None):
    args = parse_args(argv, __doc__)
    seed_everything(args.seed)
    data = problems(args.seed, args.quick)
    epochs = 5 if args.quick else 40
    rows, results, fits = [], {}, {}
    for problem, pair, build, loss_fn, how, match, lesson in PAIRS:
        X_train, y_train, X_test, y_test = data[problem]
        tl.manual_seed(args.seed)
        model = build()
        try:
            losses = train_steps(model, optim.Adam(model.parameters(), lr=0.01), loss_fn,
                                 loader(X_train, targets(y_train, how), 32, shuffle=True),
                                 epochs)
        except ValueError as error:
            print(f"\n{problem}, {pair}: the engine says\n  {type(error).__name__}: {error}")
            rows.append((problem, pair, "yes" if match else "no", "error", "-", "-"))
            results[pair] = dict(error=str(error))
            continue
        model.eval()
        with tl.no_grad():
            output = model(tl.tensor(X_test)).numpy()
        metric, value = score(problem, how, output, y_test)
        results[pair] = dict(metric=metric, value=value, final_loss=losses[-1])
        if problem == "regression sin":
            fits[pair] = (X_test[:, 0], output[:, 0])
        rows.append((problem, pair, "yes" if match else "no", metric, value, losses[-1]))
    print_table(f"same network (2 ReLU hidden layers of 32), Adam lr 0.01, {epochs} epochs, "
                "batch 32; metric on held-out data",
                ("problem", "last layer + loss", "match", "metric", "value", "final loss"), rows)
    print("\nwhat happens:")
    for _, pair, *_, lesson in PAIRS:
        print(f"  {pair}: {lesson}")

    fig = new_figure(13, 4.5)
    if fig is not None:
        left, right = fig.subplots(1, 2, width_ratios=(1.4, 1))
        names = [r[1] for r in rows if r[3] == "accuracy"]
        values = [r[4] for r in rows if r[3] == "accuracy"]
        colors = ["tab:green" if r[2] == "yes" else "tab:red" for r in rows
                  if r[3] == "accuracy"]
        left.barh(names, values, color=colors)
        left.invert_yaxis()
        left.set(xlim=(0, 1), xlabel="test accuracy (green: matching pair)",
                 title="classification")
        left.tick_params(axis="y", labelsize=7)
        X_test, y_test = data["regression sin"][2:]
        order = np.argsort(X_test[:, 0])
        right.plot(X_test[order, 0], y_test[order], "k.", ms=3, label="targets")
        for pair, (x, y) in fits.items():
            right.plot(x[order], y[order], label=pair)
        right.set(xlabel="x", ylabel="normalized 3 sin(x)", title="regression")
        right.legend(fontsize=8)
    save_figure(fig, args, "last_layer")
    return results


if __name__ == "__main__":
    main()
