"""Hand-written digits: a small MLP, and the lecture's own CNN (Unit 4) unchanged.

The bundled data is scikit-learn's 8x8 digits (1797 images). The lecture's CNN expects
3x32x32 images (CIFAR-10), so each digit is upsampled 4x (every pixel becomes a 4x4 block)
and repeated over 3 channels; the class itself is `CNN` from examples/lecture_cnn.py as the
lecture wrote it. With `--data DIR` holding the MNIST files (see `tl.data.MNIST`), a subset
of MNIST is used instead (28x28 padded to 32x32).

    python -m examples.digits [--quick] [--out DIR] [--data DIR]
"""
import numpy as np

import nn
import optim
import tinygrad_lite as tl
from examples._common import (accuracy, digits, loader, mlp, new_figure, parse_args,
                              print_table, save_figure, seed_everything)
from examples.lecture_cnn import CNN
from tinygrad_lite.train import fit


def load(args):
    """(X_train, X_test, y_train, y_test, name): images (N, side, side) in [0, 1]."""
    if args.data is not None:
        try:
            train, test = tl.data.MNIST(args.data), tl.data.MNIST(args.data, train=False)
        except FileNotFoundError as error:
            print(f"{error}\n-> using the bundled 8x8 digits instead")
        else:
            n_train, n_test = (1000, 500) if args.quick else (10000, 2000)
            print(f"data: MNIST from {args.data} (first {n_train} training and {n_test} test "
                  "images)")
            return (train.data[:n_train] / 255.0, test.data[:n_test] / 255.0,
                    train.targets[:n_train], test.targets[:n_test], "MNIST")
    X_train, X_test, y_train, y_test = digits(args.seed, n=500 if args.quick else None)
    print(f"data: scikit-learn's 8x8 digits ({len(X_train)} training, {len(X_test)} test)")
    return (X_train.reshape(-1, 8, 8), X_test.reshape(-1, 8, 8), y_train, y_test, "digits")


def as_cifar_shape(images):
    """(N, side, side) -> (N, 3, 32, 32) float32: 8x8 upsampled 4x, 28x28 padded by 2."""
    side = images.shape[1]
    if side == 8:
        images = np.kron(images, np.ones((4, 4)))
    elif side == 28:
        images = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    return np.repeat(images[:, None], 3, axis=1).astype(np.float32)


def predict(model, X, batch_size=256):
    model.eval()
    with tl.no_grad():
        out = np.concatenate([model(tl.tensor(X[i:i + batch_size])).numpy()
                              for i in range(0, len(X), batch_size)])
    model.train()
    return out.argmax(1)


def main(argv=None):
    args = parse_args(argv, __doc__, data=True)
    seed_everything(args.seed)
    X_train, X_test, y_train, y_test, source = load(args)
    flat = X_train.shape[1] * X_train.shape[2]

    tl.manual_seed(args.seed)
    model = mlp([flat, 128, 10], nn.ReLU)
    mlp_epochs = 5 if args.quick else 30
    mlp_history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                      loader(X_train.reshape(len(X_train), -1).astype(np.float32), y_train, 32,
                             shuffle=True), mlp_epochs, progress=False)
    mlp_test = accuracy(model, X_test.reshape(len(X_test), -1).astype(np.float32), y_test)

    tl.manual_seed(args.seed)
    cnn = CNN()
    cnn_epochs = 1 if args.quick else 3
    X_cnn = as_cifar_shape(X_train)
    n_cnn = 200 if args.quick else len(X_cnn)
    cnn_history = fit(cnn, nn.CrossEntropyLoss(), optim.Adam(cnn.parameters(), lr=1e-3),
                      loader(X_cnn[:n_cnn], y_train[:n_cnn], 32, shuffle=True), cnn_epochs,
                      progress=False)
    predicted = predict(cnn, as_cifar_shape(X_test))
    cnn_test = float((predicted == y_test).mean())
    print_table(f"{source}: test accuracy on {len(X_test)} held-out images",
                ("model", "parameters", "epochs", "train images", "final train loss",
                 "test accuracy"),
                [(f"MLP {flat}-128-10", model.num_parameters(), mlp_epochs, len(X_train),
                  mlp_history["loss"][-1], mlp_test),
                 ("lecture CNN (2 conv blocks)", cnn.num_parameters(), cnn_epochs, n_cnn,
                  cnn_history["loss"][-1], cnn_test)])

    fig = new_figure(12, 4.5)
    if fig is not None:
        left, right = fig.subplots(1, 2)
        left.plot(mlp_history.epochs, mlp_history["loss"], "o-", label=f"MLP (test {mlp_test:.3f})")
        left.plot(cnn_history.epochs, cnn_history["loss"], "s-",
                  label=f"lecture CNN (test {cnn_test:.3f})")
        left.set(xlabel="epoch", ylabel="training loss", yscale="log", title=source)
        left.legend()
        confusion = np.zeros((10, 10), int)
        np.add.at(confusion, (y_test, predicted), 1)
        right.imshow(confusion, cmap="Blues")
        for (i, j), n in np.ndenumerate(confusion):
            if n:
                right.text(j, i, n, ha="center", va="center", fontsize=7,
                           color="white" if n > confusion.max() / 2 else "black")
        right.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true",
                  title="lecture CNN: confusion matrix (test)")
    save_figure(fig, args, "digits")
    return dict(mlp_test=mlp_test, cnn_test=cnn_test, source=source)


if __name__ == "__main__":
    main()
