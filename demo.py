"""The lecture, run: train the moons network with plain gradient descent and with Adam,
measure vanishing gradients in a deep sigmoid network, and draw the backward graph.

    python demo.py            # writes demo_output/moons_backward_graph.svg (or .dot)
"""
import pathlib

import numpy as np

import nn
import optim
import tinygrad_lite as tl
from tinygrad_lite.data import DataLoader, TensorDataset, make_moons, train_test_split
from tinygrad_lite.train import fit
from tools.graph import GraphvizNotFoundError, draw

OUT = pathlib.Path("demo_output")


def moons_network():
    """The lecture's 2-5-2-1 network: ReLU hidden layers, one logit out."""
    return nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 2), nn.ReLU(),
                         nn.Linear(2, 1))


def train_moons(optimizer_name, batch_size, epochs):
    """Train on 225 moons points, report train/validation loss and accuracy."""
    tl.manual_seed(0)
    X, y = make_moons(300, noise=0.2, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    as_column = lambda labels: labels.reshape(-1, 1).astype(np.float32)  # noqa: E731
    train = DataLoader(TensorDataset(tl.tensor(X_train), tl.tensor(as_column(y_train))),
                       batch_size=batch_size, shuffle=True)
    test = DataLoader(TensorDataset(tl.tensor(X_test), tl.tensor(as_column(y_test))),
                      batch_size=len(X_test))
    model = moons_network()
    optimizer = (optim.Adam(model.parameters(), lr=0.01) if optimizer_name == "Adam"
                 else optim.SGD(model.parameters(), lr=0.5))
    history = fit(model, nn.BCEWithLogitsLoss(), optimizer, train, epochs, val_loader=test,
                  progress=False)
    print(f"\n{optimizer_name}, batch size {batch_size}, {epochs} epochs")
    for epoch in range(0, epochs, max(epochs // 5, 1)):
        print(f"  epoch {epoch + 1:4d}: loss {history['loss'][epoch]:.4f}  "
              f"accuracy {history['accuracy'][epoch]:.3f}  "
              f"val_loss {history['val_loss'][epoch]:.4f}  "
              f"val_accuracy {history['val_accuracy'][epoch]:.3f}")
    print(f"  final     : loss {history['loss'][-1]:.4f}  accuracy {history['accuracy'][-1]:.3f}"
          f"  val_accuracy {history['val_accuracy'][-1]:.3f}")
    return model, X_train, y_train


def gradient_norms_by_layer(activation, depth=8, width=32):
    """||dL/dW|| of each Linear layer of a deep net, first layer first (lecture 2.1)."""
    tl.manual_seed(1)
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), activation()]
    model = nn.Sequential(*layers, nn.Linear(width, 1))
    loss = model(tl.randn(64, width)).pow(2).mean()
    loss.backward()
    return [float(np.linalg.norm(m.weight.grad.numpy())) for m in model
            if isinstance(m, nn.Linear)]


def draw_backward_graph(model, X, y):
    """Render the graph that backprop walks for one mini-batch, coloured by gradient norm."""
    OUT.mkdir(exist_ok=True)
    x = tl.tensor(X[:32])
    target = tl.tensor(y[:32].reshape(-1, 1).astype(np.float32))
    loss = nn.BCEWithLogitsLoss()(model(x), target)
    loss.backward(retain_graph=True)
    graph = draw(loss, params=model, show_grad=True)
    try:
        path = graph.render(OUT / "moons_backward_graph", format="svg", cleanup=True)
    except GraphvizNotFoundError as e:
        path = OUT / "moons_backward_graph.dot"
        graph.save_dot(path)
        print(f"\n(Graphviz not installed: {e})")
    print(f"\nbackward graph of the moons network: {path}")


def main():
    train_moons("SGD (plain gradient descent)", batch_size=225, epochs=200)
    model, X_train, y_train = train_moons("Adam", batch_size=32, epochs=100)
    print("\nvanishing gradients: ||dL/dW|| per layer, input side first")
    for name, activation in (("sigmoid", nn.Sigmoid), ("relu", nn.ReLU)):
        norms = gradient_norms_by_layer(activation)
        print(f"  {name:7s} " + " ".join(f"{n:8.1e}" for n in norms))
    draw_backward_graph(model, X_train, y_train)


if __name__ == "__main__":
    main()
