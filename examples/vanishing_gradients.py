"""Vanishing and exploding gradients in a deep network (Unit 2.1).

Backprop multiplies, layer after layer, by the activation's slope and by the weights:
dL/dh_(l-1) = W_l^T (f'(z_l) * dL/dh_l). Sigmoid's slope is at most 1/4, so in a 12-layer
sigmoid network the gradient reaching the first layers is many orders of magnitude smaller
than at the last (vanishing); weights a little too large make it grow instead (exploding).
Measured here: ||dL/dW|| of every layer for sigmoid, tanh, ReLU, LeakyReLU and ELU (PyTorch's
default initialization), the backward graph coloured by gradient norm
(`tools.graph.draw(..., show_grad=True)`), and an exploding ReLU network trained with and
without gradient clipping (`nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)`).

    python -m examples.vanishing_gradients [--quick] [--out DIR]
"""
import warnings

import numpy as np

import nn
import optim
import tinygrad_lite as tl
from examples._common import (digits, loader, mlp, new_figure, parse_args, print_table,
                              save_figure, seed_everything)
from tools.graph import GraphvizNotFoundError, draw

DEPTH, WIDTH = 12, 64
ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "ReLU": nn.ReLU,
               "LeakyReLU": nn.LeakyReLU, "ELU": nn.ELU}


def deep(activation, depth=DEPTH, width=WIDTH):
    return mlp([64] + [width] * depth + [10], activation)


def layer_gradient_norms(model, x, y):
    """||dL/dW|| of each Linear layer, input side first, after one backward."""
    model.zero_grad()
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.backward(retain_graph=True)
    norms = [float(np.linalg.norm(m.weight.grad.numpy())) for m in model
             if isinstance(m, nn.Linear)]
    return loss, norms


def exploding_network(seed, std_scale=1.8):
    """A deep ReLU network whose weights are std_scale times He's: each layer multiplies the
    signal (and the gradient) by about std_scale."""
    tl.manual_seed(seed)
    model = deep(nn.ReLU)
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=std_scale * np.sqrt(2 / m.in_features))
            nn.init.zeros_(m.bias)
    return model


def train_exploding(seed, data, epochs, clip):
    model = exploding_network(seed)
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    losses, norms = [], []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(epochs):
            for x, y in data:
                optimizer.zero_grad()
                loss = nn.CrossEntropyLoss()(model(x), y)
                loss.backward()
                if clip:
                    norms.append(float(nn.utils.clip_grad_norm_(model.parameters(), 1.0)))
                optimizer.step()
                losses.append(loss.item())
                if not np.isfinite(losses[-1]):
                    return losses, norms
    return losses, norms


def main(argv=None):
    args = parse_args(argv, __doc__)
    seed_everything(args.seed)
    X_train, _, y_train, _ = digits(args.seed, n=400 if args.quick else None)
    x, y = tl.tensor(X_train[:128]), tl.tensor(y_train[:128])
    norms, rows = {}, []
    for name, activation in ACTIVATIONS.items():
        tl.manual_seed(args.seed)
        model = deep(activation)
        loss, norms[name] = layer_gradient_norms(model, x, y)
        if name == "sigmoid":
            sigmoid_loss, sigmoid_model = loss, model
        rows.append((name, norms[name][0], norms[name][-1], norms[name][0] / norms[name][-1]))
    loss, norms["ReLU, weights 1.8x He (exploding)"] = layer_gradient_norms(
        exploding_network(args.seed), x, y)
    rows.append(("ReLU, weights 1.8x He", norms["ReLU, weights 1.8x He (exploding)"][0],
                 norms["ReLU, weights 1.8x He (exploding)"][-1],
                 norms["ReLU, weights 1.8x He (exploding)"][0] /
                 norms["ReLU, weights 1.8x He (exploding)"][-1]))
    print_table(f"{DEPTH} hidden layers of {WIDTH}: ||dL/dW|| of the first and the last layer",
                ("activation", "first layer", "last layer", "first / last"), rows)

    epochs = 1 if args.quick else 5
    data = loader(X_train, y_train, 32, shuffle=True)
    plain, _ = train_exploding(args.seed, data, epochs, clip=False)
    clipped, clip_norms = train_exploding(args.seed, data, epochs, clip=True)
    print_table(f"training the exploding network, SGD lr 0.01, up to {epochs} epochs",
                ("", "steps", "first loss", "last loss", "largest gradient norm"),
                [("no clipping", len(plain), plain[0], plain[-1], "-"),
                 ("clip_grad_norm_(max_norm=1.0)", len(clipped), clipped[0], clipped[-1],
                  max(clip_norms))])

    fig = new_figure(13, 8)
    if fig is not None:
        axes = fig.subplot_mosaic([["norms", "clip"], ["graph", "graph"]],
                                  height_ratios=(1.4, 1))
        left, middle, right = axes["norms"], axes["clip"], axes["graph"]
        for name, n in norms.items():
            left.semilogy(range(1, len(n) + 1), n, "o-", ms=3, label=name)
        left.set(xlabel="layer (input side first)", ylabel="||dL/dW|| (log)",
                 title="gradient norm per layer")
        left.legend(fontsize=8)
        for label, curve in (("no clipping", plain), ("clip_grad_norm_ 1.0", clipped)):
            curve = np.array(curve)
            middle.plot(np.where(np.isfinite(curve), curve, np.nan), label=label)
        if not np.isfinite(plain[-1]):
            middle.axvline(len(plain) - 1, color="r", ls=":", label="no clipping: loss NaN/inf")
        middle.set(xlabel="step", ylabel="training loss", yscale="log",
                   title="exploding network: clipping rescues it")
        middle.legend(fontsize=8)
        _graph_panel(right, sigmoid_loss, sigmoid_model, args)
    save_figure(fig, args, "vanishing_gradients")
    return dict(norms=norms, plain=plain, clipped=clipped)


def _graph_panel(ax, loss, model, args):
    """The sigmoid network's backward graph, coloured by gradient norm (blue: vanishing)."""
    ax.axis("off")
    graph = draw(loss, params=model, show_grad=True, show_shapes=False, group_modules=False)
    graph.attr(rankdir="LR")                    # left to right: fits under the plots
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        path = graph.render(args.out / "vanishing_gradients_graph", format="png", cleanup=True)
    except GraphvizNotFoundError as e:
        print(f"backward graph not rendered ({e})")
        return
    import matplotlib.image
    ax.imshow(matplotlib.image.imread(path))
    ax.set_title("the sigmoid network's backward graph, draw(loss, show_grad=True): blue = "
                 "vanishing")


if __name__ == "__main__":
    main()
