"""Backprop by hand vs autograd: the lecture's one-layer sigmoid network (Unit 2.1).

    z = w . x + b,  a = sigmoid(z),  L = -(y log a + (1 - y) log(1 - a)),  J = mean over m
    dL/dz = a - y,  dJ/dw = (1/m) sum_i x_i (a_i - y_i),  dJ/db = (1/m) sum_i (a_i - y_i)

The hand-derived gradients are compared with the engine's `loss.backward()` (printed maximum
difference), a few steps of gradient descent are taken both ways, and the backward graph the
engine walked is drawn beside the numbers.

    python -m examples.backprop [--quick] [--out DIR]
"""
import numpy as np

import tinygrad_lite as tl
from examples._common import new_figure, parse_args, print_table, save_figure, seed_everything
from tinygrad_lite.data import make_moons
from tools.graph import GraphvizNotFoundError, draw


def hand_gradients(X, y, w, b):
    """The lecture's formulas in NumPy: returns J, dJ/dw, dJ/db."""
    a = 1 / (1 + np.exp(-(X @ w + b)))
    J = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    dz = a - y                          # dL/dz, one per example
    return J, X.T @ dz / len(X), dz.mean()


def engine_loss(X, y, w, b):
    """The same cost built from Tensor ops, so autograd can differentiate it."""
    a = (X @ w + b).sigmoid()
    return -(y * a.log() + (1 - y) * (1 - a).log()).mean()


def main(argv=None):
    args = parse_args(argv, __doc__)
    seed_everything(args.seed)
    m = 32 if args.quick else 300
    X, y = make_moons(m, noise=0.2, seed=args.seed)
    X, y = X.astype(np.float64), y.astype(np.float64)
    rng = np.random.default_rng(args.seed)
    w0, b0 = rng.normal(0, 0.5, 2), 0.1

    w = tl.tensor(w0, requires_grad=True)
    b = tl.tensor(b0, dtype=tl.float64, requires_grad=True)
    loss = engine_loss(tl.tensor(X), tl.tensor(y), w, b)
    loss.backward(retain_graph=True)
    J, dw, db = hand_gradients(X, y, w0, b0)
    rows = [("J", J, loss.item(), abs(J - loss.item()))]
    rows += [(f"dJ/dw{k + 1}", dw[k], w.grad.numpy()[k], abs(dw[k] - w.grad.numpy()[k]))
             for k in range(2)]
    rows.append(("dJ/db", db, b.grad.item(), abs(db - b.grad.item())))
    print_table(f"one sigmoid unit, binary cross-entropy, m = {m} examples (float64)",
                ("quantity", "by hand", "autograd", "|difference|"), rows)
    max_diff = max(r[3] for r in rows[1:])
    print(f"max |hand - autograd| over the gradients: {max_diff:.2e}")

    lr, steps = 0.5, 5 if args.quick else 50
    w_hand, b_hand = w0.copy(), b0
    w_t = tl.tensor(w0, requires_grad=True)
    b_t = tl.tensor(b0, dtype=tl.float64, requires_grad=True)
    curve, step_diff = [], 0.0
    for _ in range(steps):
        J_hand, dw, db = hand_gradients(X, y, w_hand, b_hand)
        w_hand, b_hand = w_hand - lr * dw, b_hand - lr * db
        step_loss = engine_loss(tl.tensor(X), tl.tensor(y), w_t, b_t)
        step_loss.backward()
        with tl.no_grad():
            w_t -= lr * w_t.grad
            b_t -= lr * b_t.grad
        w_t.grad = b_t.grad = None
        curve.append((J_hand, step_loss.item()))
        step_diff = max(step_diff, float(np.abs(w_hand - w_t.detach().numpy()).max()))
    print(f"after {steps} gradient-descent steps (lr {lr}): cost {curve[0][0]:.4f} -> "
          f"{curve[-1][0]:.4f}, max |w_hand - w_autograd| = {step_diff:.2e}")

    fig = new_figure(11, 6)
    if fig is not None:
        left, right = fig.subplots(1, 2, width_ratios=(1, 1.3))
        left.plot([c[0] for c in curve], "o-", label="by hand (NumPy formulas)")
        left.plot([c[1] for c in curve], "x--", label="autograd (loss.backward())")
        left.set(xlabel="gradient-descent step", ylabel="cost J",
                 title=f"same steps, max gradient difference {max_diff:.1e}")
        left.legend()
        _graph_panel(right, loss, {"w": w, "b": b}, args)
    save_figure(fig, args, "backprop")
    return dict(max_diff=max_diff, step_diff=step_diff, cost=[c[0] for c in curve])


def _graph_panel(ax, loss, params, args):
    """Render the backward graph with Graphviz and show it as an image on `ax`."""
    ax.axis("off")
    graph = draw(loss, params=params, show_grad=True)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        path = graph.render(args.out / "backprop_graph", format="png", cleanup=True)
    except GraphvizNotFoundError as e:
        print(f"backward graph not rendered ({e}); DOT source: "
              f"{graph.save_dot(args.out / 'backprop_graph.dot')}")
        ax.text(0.5, 0.5, "install Graphviz to see the backward graph", ha="center")
        return
    import matplotlib.image
    ax.imshow(matplotlib.image.imread(path))
    ax.set_title("the backward graph autograd walked (tools.graph.draw)")


if __name__ == "__main__":
    main()
