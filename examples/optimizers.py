"""Optimizers: SGD, Momentum, Nesterov, Adagrad, RMSProp, Adam (Unit 2.2).

    Momentum   v = mu v + g;            theta -= lr v          (`optim.SGD(momentum=0.9)`)
    Nesterov   the gradient taken at the looked-ahead point    (`nesterov=True`)
    Adagrad    G += g^2;                theta -= lr g / (sqrt(G) + eps)     (`optim.Adagrad`)
    RMSProp    G = a G + (1 - a) g^2;   theta -= lr g / (sqrt(G) + eps)     (`optim.RMSprop`)
    Adam       m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, bias-corrected m_hat, v_hat;
               theta -= lr m_hat / (sqrt(v_hat) + eps)                      (`optim.Adam`)

(a) Each optimizer walks the elongated bowl f(x, y) = x^2 / 20 + y^2 from (-7, 2): the
contour lines and the path of every step. (b) Each trains the lecture's moons network
(2-5-2-1, ReLU, He initialization, batch 32, the same learning rate 0.01 for all) on the
300 moons points, from three seeds: loss curves and final training accuracy. The lecture
quotes about 94% for Adam against about 80% for plain gradient descent.

    python -m examples.optimizers [--quick] [--out DIR]
"""
import numpy as np

import nn
import optim
import tinygrad_lite as tl
from examples._common import (accuracy, as_column, epoch_means, loader, mlp, new_figure,
                              parse_args, print_table, save_figure, seed_everything,
                              train_steps)

# name: (constructor, learning rate on the bowl)
OPTIMIZERS = {
    "SGD": (lambda p, lr: optim.SGD(p, lr=lr), 0.9),
    "Momentum": (lambda p, lr: optim.SGD(p, lr=lr, momentum=0.9), 0.1),
    "Nesterov": (lambda p, lr: optim.SGD(p, lr=lr, momentum=0.9, nesterov=True), 0.1),
    "Adagrad": (lambda p, lr: optim.Adagrad(p, lr=lr), 1.5),
    "RMSProp": (lambda p, lr: optim.RMSprop(p, lr=lr, alpha=0.9), 0.2),
    "Adam": (lambda p, lr: optim.Adam(p, lr=lr), 0.3),
}
MOONS_LR = 0.01


def bowl(point):
    """f(x, y) = x^2 / 20 + y^2: twenty times steeper along y than along x."""
    return point[0] ** 2 / 20 + point[1] ** 2


def trajectory(make, lr, steps, start=(-7.0, 2.0)):
    point = nn.Parameter(tl.tensor(start, dtype=tl.float64))
    optimizer = make([point], lr)
    path = [point.detach().numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        bowl(point).backward()
        optimizer.step()
        path.append(point.detach().numpy().copy())
    return np.array(path)


def moons_network():
    """The lecture's 2-5-2-1 network, He-initialized, zero biases."""
    model = mlp([2, 5, 2, 1], nn.ReLU)
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            nn.init.zeros_(layer.bias)
    return model


def main(argv=None):
    args = parse_args(argv, __doc__)
    seed_everything(args.seed)
    steps = 30
    paths = {name: trajectory(make, lr, steps) for name, (make, lr) in OPTIMIZERS.items()}
    print_table(f"(a) f(x, y) = x^2/20 + y^2 from (-7, 2), {steps} steps",
                ("optimizer", "lr", "final x", "final y", "final f"),
                [(name, OPTIMIZERS[name][1], p[-1][0], p[-1][1], float(bowl(p[-1])))
                 for name, p in paths.items()])

    epochs = 20 if args.quick else 200
    seeds = [args.seed] if args.quick else [args.seed, args.seed + 1, args.seed + 2]
    X, y = tl.data.make_moons(300, noise=0.2, seed=args.seed)
    data = loader(X, as_column(y), 32, shuffle=True)
    curves, accuracies = {}, {}
    for name, (make, _) in OPTIMIZERS.items():
        for seed in seeds:
            tl.manual_seed(seed)
            model = moons_network()
            losses = train_steps(model, make(model.parameters(), MOONS_LR),
                                 nn.BCEWithLogitsLoss(), data, epochs)
            curves.setdefault(name, []).append(epoch_means(losses, len(data)))
            accuracies.setdefault(name, []).append(accuracy(model, X, y))
    rows = [(name, *accuracies[name], float(np.mean(accuracies[name])),
             float(np.mean([c[-1] for c in curves[name]]))) for name in OPTIMIZERS]
    print_table(f"(b) moons 2-5-2-1, 300 points, batch 32, lr {MOONS_LR}, {epochs} epochs: "
                "training accuracy", ("optimizer", *(f"seed {s}" for s in seeds),
                                      "mean accuracy", "mean final loss"), rows)

    fig = new_figure(13, 5)
    if fig is not None:
        left, right = fig.subplots(1, 2)
        xs, ys = np.meshgrid(np.linspace(-8, 8, 200), np.linspace(-3, 3, 200))
        left.contour(xs, ys, xs ** 2 / 20 + ys ** 2, levels=np.geomspace(0.01, 10, 12),
                     colors="grey", linewidths=0.6)
        for name, path in paths.items():
            left.plot(path[:, 0], path[:, 1], ".-", lw=1, ms=3, label=name)
        left.plot(0, 0, "k+", ms=12)
        left.set(xlim=(-8, 8), ylim=(-3, 3), xlabel="x", ylabel="y",
                 title=f"(a) {steps} steps on x^2/20 + y^2")
        left.legend(fontsize=8)
        for name, runs in curves.items():
            right.plot(range(1, epochs + 1), np.mean(runs, axis=0),
                       label=f"{name}: accuracy {np.mean(accuracies[name]):.2f}")
        right.set(xlabel="epoch", ylabel="training loss (mean over seeds)", yscale="log",
                  title=f"(b) moons 2-5-2-1, lr {MOONS_LR}, batch 32")
        right.legend(fontsize=8)
    save_figure(fig, args, "optimizers")
    return dict(paths=paths, accuracy={k: float(np.mean(v)) for k, v in accuracies.items()})


if __name__ == "__main__":
    main()
