"""Transfer learning and saving models (Unit 4).

A small ResNet (the lecture's `BasicBlock`, global average pooling `nn.AdaptiveAvgPool2d`
instead of the fixed `F.avg_pool2d(out, 4)`, so any image size works) is trained on one half
of a data set, saved (`torch.save(model.state_dict(), path)`, a safetensors file) and loaded
into a fresh model. Two splits:
  same classes  pretrained on half of the images of all 10 digits; the other half's images
                are the new data
  new classes   pretrained on the digits 0-4; the digits 5-9 are the new task
On the new data, with only a few labelled images per class, three ways are compared:
  from scratch    the same network, randomly initialized, every weight trained
  frozen + head   the loaded network frozen (`requires_grad = False`), a new Linear head
                  trained: the lecture's advice for little data
  fine-tune all   the loaded network with a new head, every weight trained (lower lr)
What to look for: with the same classes, the frozen network plus a new head is best with
the fewest labels; for new classes, features learned on 0-4 are too specific for a frozen
network, and fine-tuning everything does better - transfer helps as far as the tasks agree.
With `--data DIR` holding CIFAR-10's binary files, a subset of CIFAR-10 is used instead.

    python -m examples.transfer_learning [--quick] [--out DIR] [--data DIR]
"""
import numpy as np

import nn
import nn.functional as F
import optim
import tinygrad_lite as torch            # the lecture's spelling: torch.save, torch.load
from examples._common import (loader, new_figure, parse_args, print_table, save_figure,
                              seed_everything, train_steps)


class BasicBlock(nn.Module):
    """The lecture's residual block: two 3x3 convolutions with BatchNorm, plus a shortcut
    (1x1 convolution when the shape changes): out = relu(bn2(conv2(relu(bn1(conv1 x)))) + x)."""
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super(BasicBlock, self).__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion*planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion*planes, kernel_size=1, stride=stride,
                          bias=False),
                nn.BatchNorm2d(self.expansion*planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class ResNet(nn.Module):
    """The lecture's ResNet layout, narrower (16-32-64 channels, three stages) for a CPU:
    conv-bn-relu, the stages of BasicBlocks, global average pooling, a Linear head."""

    def __init__(self, in_channels, num_classes, widths=(16, 32, 64)):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, widths[0], kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        blocks, planes = [], widths[0]
        for k, width in enumerate(widths):
            blocks.append(BasicBlock(planes, width, stride=1 if k == 0 else 2))
            planes = width
        self.layers = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.linear = nn.Linear(planes, num_classes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.pool(self.layers(out))
        return self.linear(out.view(out.size(0), -1))


def load(args):
    """(images (N, C, H, W) float32, labels, source name)."""
    if args.data is not None:
        try:
            cifar = torch.data.CIFAR10(args.data)
        except FileNotFoundError as error:
            print(f"{error}\n-> using the bundled 8x8 digits instead")
        else:
            n = 2000 if args.quick else 10000
            print(f"data: CIFAR-10 from {args.data} (first {n} training images)")
            X = cifar.data[:n].transpose(0, 3, 1, 2).astype(np.float32) / 255.0
            X = (X - X.mean(axis=(0, 2, 3), keepdims=True)) / X.std(axis=(0, 2, 3),
                                                                     keepdims=True)
            return X, cifar.targets[:n], "CIFAR-10"
    X, y = torch.data.load_digits()
    print("data: scikit-learn's 8x8 digits, as 1x8x8 images")
    return (X / 16.0).reshape(-1, 1, 8, 8), y, "digits"


def splits(X, y, seed):
    """{split: ((X, y) to pretrain on, (X, y) of the new data, number of classes)}."""
    order = np.random.default_rng(seed).permutation(len(X))
    first, second = order[:len(X) // 2], order[len(X) // 2:]
    low = y < 5
    return {"same classes": ((X[first], y[first]), (X[second], y[second]), 10),
            "new classes": ((X[low], y[low]), (X[~low], y[~low] - 5), 5)}


def few_per_class(X, y, n, classes, rng):
    """n images of each class for training, the rest for testing."""
    train = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:n]
                            for c in range(classes)])
    test = np.setdiff1d(np.arange(len(y)), train)
    return X[train], y[train], X[test], y[test]


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        _, predicted = torch.max(model(torch.tensor(X)), 1)
    model.train()
    return float((predicted.numpy() == y).mean())


def pretrain(X, y, classes, epochs, path, seed):
    """Train a ResNet on (X, y) and save its state_dict to `path`; returns the losses."""
    torch.manual_seed(seed)
    model = ResNet(X.shape[1], classes)
    losses = train_steps(model, optim.Adam(model.parameters(), lr=1e-2), nn.CrossEntropyLoss(),
                         loader(X, y, 32, shuffle=True), epochs)
    torch.save(model.state_dict(), path)
    return losses


def transfer(kind, path, pretrained_classes, classes, data, epochs, seed):
    """Train on the new data in one of the three ways; returns the test accuracy and the
    number of trained parameters."""
    torch.manual_seed(seed)
    X_train, y_train, X_test, y_test = data
    model = ResNet(X_train.shape[1], pretrained_classes)
    lr = 1e-2
    if kind == "from scratch":
        model.linear = nn.Linear(model.linear.in_features, classes)
    else:
        model.load_state_dict(torch.load(path))
        if kind == "frozen + head":
            for param in model.parameters():
                param.requires_grad = False
            model.eval()      # frozen BatchNorm too: its running statistics, not the batch's
        else:
            lr = 1e-3
        model.linear = nn.Linear(model.linear.in_features, classes)      # a new head
    trainable = [p for p in model.parameters() if p.requires_grad]
    train_steps(model, optim.Adam(trainable, lr=lr), nn.CrossEntropyLoss(),
                loader(X_train, y_train, 16, shuffle=True), epochs)
    return evaluate(model, X_test, y_test), sum(p.numel() for p in trainable)


def main(argv=None):
    args = parse_args(argv, __doc__, data=True)
    seed_everything(args.seed)
    X, y, source = load(args)
    args.out.mkdir(parents=True, exist_ok=True)
    kinds = ("from scratch", "frozen + head", "fine-tune all")
    shots = (5,) if args.quick else (2, 5, 10, 25)
    pre_epochs, epochs = (1, 10) if args.quick else (5, 30)
    curves, accuracies, rows = {}, {}, []
    for split, ((X_pre, y_pre), (X_new, y_new), classes) in splits(X, y, args.seed).items():
        n_pre = 300 if args.quick else len(X_pre)
        path = args.out / f"transfer_{split.replace(' ', '_')}.safetensors"
        curves[split] = pretrain(X_pre[:n_pre], y_pre[:n_pre], int(y_pre.max()) + 1,
                                 pre_epochs, path, args.seed)
        print(f"{split}: pretrained on {n_pre} images ({pre_epochs} epochs, last loss "
              f"{curves[split][-1]:.3f}), saved to {path}")
        rng = np.random.default_rng(args.seed)
        for n in shots:
            data = few_per_class(X_new, y_new, n, classes, rng)
            for kind in kinds:
                acc, trained = transfer(kind, path, int(y_pre.max()) + 1, classes, data,
                                        epochs, args.seed)
                accuracies.setdefault((split, kind), []).append(acc)
                rows.append((split, f"{n} per class", kind, trained, acc))
    print_table(f"{source}: a few labelled images per class of the new data, {epochs} epochs; "
                "test accuracy on the rest of it",
                ("split", "labelled", "method", "trained parameters", "test accuracy"), rows)

    fig = new_figure(12, 4.5)
    if fig is not None:
        for ax, split in zip(fig.subplots(1, 2, sharey=True), curves):
            for kind in kinds:
                ax.plot(shots, accuracies[(split, kind)], "o-", label=kind)
            ax.set(xscale="log", xlabel="labelled images per class", ylabel="test accuracy",
                   title=f"{source}, {split}")
            ax.set_xticks(shots, [str(n) for n in shots])
            ax.legend()
    save_figure(fig, args, "transfer_learning")
    return dict(accuracy=accuracies, shots=shots, source=source)


if __name__ == "__main__":
    main()
