"""Weight initialization: all zeros, small random, Xavier, He (Unit 2.1).

A deep ReLU network (8 hidden layers) on the digits, four ways to start it:
  zeros         every unit computes the same thing and gets the same update: they stay
                identical (here: one distinct unit per layer, forever)
  small random  w ~ N(0, 0.01^2): the signal shrinks layer after layer, so do the gradients
  Xavier        w = randn(n) / sqrt(n), n = fan-in  (`nn.init.xavier_normal_`)
  He            w = randn(n) * sqrt(2 / n), for ReLU (`nn.init.kaiming_normal_`)
Forward hooks (`Module.register_forward_hook`) record the spread (standard deviation) of
every hidden layer's activations; then each network is trained the same way.

    python -m examples.initialization [--quick] [--out DIR]
"""
import numpy as np

import nn
import optim
import tinygrad_lite as tl
from examples._common import (accuracy, digits, loader, mlp, new_figure, parse_args,
                              print_table, save_figure, seed_everything)
from tinygrad_lite.train import fit

INITS = {
    "zeros": lambda w: nn.init.zeros_(w),
    "small random (0.01)": lambda w: nn.init.normal_(w, std=0.01),
    "Xavier": lambda w: nn.init.normal_(w, std=1 / np.sqrt(w.shape[1])),
    "He": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
}


def initialized_network(init, depth, width):
    model = mlp([64] + [width] * depth + [10], nn.ReLU)
    for layer in model:
        if isinstance(layer, nn.Linear):
            init(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def activation_spread(model, X):
    """Standard deviation of each ReLU's output on X, recorded by forward hooks."""
    spreads, handles = [], []
    for layer in model:
        if isinstance(layer, nn.ReLU):
            handles.append(layer.register_forward_hook(
                lambda module, inputs, output: spreads.append(float(output.numpy().std()))))
    with tl.no_grad():
        model(tl.tensor(X))
    for handle in handles:
        handle.remove()
    return spreads


def distinct_units(model):
    """How many different rows (units) the first hidden layer's weight matrix has."""
    w = model[0].weight.detach().numpy()
    return len(np.unique(np.round(w, 6), axis=0))


def main(argv=None):
    args = parse_args(argv, __doc__)
    seed_everything(args.seed)
    depth, width = 8, 64
    epochs = 3 if args.quick else 20
    X_train, X_test, y_train, y_test = digits(args.seed, n=400 if args.quick else None)
    rows, results = [], {}
    for name, init in INITS.items():
        tl.manual_seed(args.seed)               # the same draws for every run
        model = initialized_network(init, depth, width)
        spread = activation_spread(model, X_train[:256])
        history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.02,
                                                              momentum=0.9),
                      loader(X_train, y_train, 32, shuffle=True), epochs, progress=False)
        test = accuracy(model, X_test, y_test)
        results[name] = dict(spread=spread, loss=history["loss"], test_accuracy=test,
                             distinct_units=distinct_units(model))
        rows.append((name, spread[0], spread[-1], history["loss"][-1], test,
                     results[name]["distinct_units"]))
    print_table(f"{depth} hidden ReLU layers of {width}, SGD momentum 0.9, lr 0.02, "
                f"{epochs} epochs on {len(X_train)} digits",
                ("initialization", "std layer 1", f"std layer {depth}", "final loss",
                 "test accuracy", "distinct units in layer 1"), rows)

    fig = new_figure(12, 4.5)
    if fig is not None:
        left, right = fig.subplots(1, 2)
        for name, r in results.items():
            spread = np.maximum(r["spread"], 1e-30)      # zeros: plot at the floor
            left.semilogy(range(1, depth + 1), spread, "o-", label=name)
            right.plot(range(1, epochs + 1), r["loss"], "o-",
                       label=f"{name} (test acc {r['test_accuracy']:.2f})")
        left.set(xlabel="hidden layer", ylabel="std of activations (log)",
                 title="activation spread at initialization (forward hooks)")
        right.set(xlabel="epoch", ylabel="training loss", title="training")
        left.legend()
        right.legend()
    save_figure(fig, args, "initialization")
    return results


if __name__ == "__main__":
    main()
