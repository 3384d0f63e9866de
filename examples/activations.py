"""Activations and their derivatives, as the engine computes them (Unit 2.1).

Each derivative is what autograd returns: for y = f(x) elementwise, `y.sum().backward()` leaves
f'(x) in x.grad. The lecture's activations: sigmoid (slope at most 1/4, outputs not centred on
0), tanh = 2 sigmoid(2x) - 1 with tanh' = 1 - tanh^2, ReLU = max(0, x), Leaky ReLU =
max(0.01x, x), PReLU (slope learned, starts at 0.25), RReLU (slope drawn from [1/8, 1/3] while
training, their mean at test time), ELU = x or alpha (e^x - 1); and newer ones: SELU, GELU,
Softplus.

    python -m examples.activations [--quick] [--out DIR]
"""
import numpy as np

import nn
import tinygrad_lite as tl
from examples._common import new_figure, parse_args, print_table, save_figure, seed_everything

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "ReLU": nn.ReLU,
               "LeakyReLU": nn.LeakyReLU, "PReLU": nn.PReLU, "RReLU": nn.RReLU, "ELU": nn.ELU,
               "SELU": nn.SELU, "GELU": nn.GELU, "Softplus": nn.Softplus}


def value_and_derivative(activation, x):
    """f(x) and f'(x) from autograd, as NumPy arrays."""
    x = tl.tensor(x, requires_grad=True)
    y = activation(x)
    y.sum().backward()
    return y.detach().numpy(), x.grad.numpy()


def main(argv=None):
    args = parse_args(argv, __doc__)
    seed_everything(args.seed)
    x = np.linspace(-4, 4, 81 if args.quick else 801)
    curves, rows = {}, []
    for name, layer in ACTIVATIONS.items():
        activation = layer().eval()            # RReLU: its fixed test-time slope
        y, dy = value_and_derivative(activation, x)
        curves[name] = (y, dy)
        at = lambda v, arr: float(np.interp(v, x, arr))   # noqa: E731
        rows.append((name, at(-2, y), at(2, y), at(-2, dy), at(2, dy), float(dy.max())))
    print_table("value and autograd derivative at x = -2 and 2, largest slope on [-4, 4]",
                ("activation", "f(-2)", "f(2)", "f'(-2)", "f'(2)", "max f'"), rows)
    sig, tanh = curves["sigmoid"][0], curves["tanh"][0]
    identity = float(np.abs(tanh - (2 * (2 * tl.tensor(x)).sigmoid().numpy() - 1)).max())
    tanh_rule = float(np.abs(curves["tanh"][1] - (1 - tanh ** 2)).max())
    sigmoid_rule = float(np.abs(curves["sigmoid"][1] - sig * (1 - sig)).max())
    print(f"max sigmoid' = {curves['sigmoid'][1].max():.4f} (the lecture's 1/4)")
    print(f"|sigmoid' - a(1 - a)| <= {sigmoid_rule:.1e},  |tanh' - (1 - tanh^2)| <= "
          f"{tanh_rule:.1e},  |tanh(x) - (2 sigmoid(2x) - 1)| <= {identity:.1e} "
          "")
    rrelu = nn.RReLU().train()
    slopes = value_and_derivative(rrelu, -np.ones(1000))[1]
    print(f"RReLU while training: slopes for x < 0 drawn from [{slopes.min():.3f}, "
          f"{slopes.max():.3f}] (lecture: random), at test time {curves['RReLU'][1][0]:.3f}")

    fig = new_figure(14, 6)
    if fig is not None:
        axes = fig.subplots(2, 5, sharex=True).ravel()
        for ax, (name, (y, dy)) in zip(axes, curves.items()):
            ax.plot(x, y, label="f(x)")
            ax.plot(x, dy, "--", label="f'(x) (autograd)")
            ax.axhline(0, color="grey", lw=0.5)
            ax.axvline(0, color="grey", lw=0.5)
            ax.set_title(name)
            ax.set_ylim(-2, 4)
        axes[0].legend(loc="upper left", fontsize=8)
    save_figure(fig, args, "activations")
    return dict(max_sigmoid_slope=float(curves["sigmoid"][1].max()), tanh_rule=tanh_rule,
                sigmoid_rule=sigmoid_rule, rows=rows)


if __name__ == "__main__":
    main()
