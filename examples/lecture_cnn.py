"""Unit 4 of the lecture on tinygrad_lite: its PyTorch code with only the imports changed.

The lecture trains on CIFAR-10 through torchvision, which needs a download; this script makes a
small CIFAR-shaped data set instead (3x32x32 images in 10 classes, each class a noisy pattern of
its own colour and stripes) and then runs the lecture's model, training loop, evaluation loop,
checkpoint and transfer learning as written.

    python examples/lecture_cnn.py
"""
import os

import numpy as np

import nn                                    # was: import torch.nn as nn
import optim                                 # was: import torch.optim as optim
import tinygrad_lite as torch                # was: import torch
from tinygrad_lite.data import DataLoader, TensorDataset   # was: from torch.utils.data ...

classes = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def cifar_like(n, seed):
    """n images (n, 3, 32, 32) float32 and labels (n,): class c is colour c plus stripes of
    frequency c, under noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    colours = np.random.default_rng(0).uniform(-1, 1, (10, 3))
    rows = np.arange(32)
    stripes = np.sin(np.outer(np.arange(1, 11), rows) * np.pi / 16)        # (10, 32)
    images = 0.3 * (colours[labels][:, :, None, None] + stripes[labels][:, None, :, None])
    images = images + rng.normal(0, 1.0, (n, 3, 32, 32))
    return images.astype(np.float32), labels


# ---- the lecture's code, unchanged below this line but for the imports above and the ---------
# ---- per-class loop in test() (see its comment) ------------------------------------------------
class CNN(nn.Module):
    def __init__(self, num_classes=10):
        super(CNN, self).__init__()
        self.block1 = nn.Sequential(
            # kernel_size = (5X5)
            nn.Conv2d(in_channels=3, out_channels=16, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(num_features=16, momentum=0.1),
            nn.LeakyReLU(),
            nn.Conv2d(in_channels=16, out_channels=16, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(num_features=16, momentum=0.1),
            nn.LeakyReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.block2 = nn.Sequential(
            nn.Conv2d(in_channels=16, out_channels=32, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(num_features=32, momentum=0.1),
            nn.LeakyReLU(),
            nn.Conv2d(in_channels=32, out_channels=32, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(num_features=32, momentum=0.1),
            nn.LeakyReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.fc = nn.Linear(8*8*32, num_classes)

    def forward(self, x):
        x = self.block1(x)
        x = self.block2(x)
        x = x.view(x.size(0), -1)
        output = self.fc(x)
        return output


def train(model, trainloader, criterion, optimizer, device, epochs=1):
    for epoch in range(epochs):
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            # get the inputs
            inputs, labels = data
            inputs, labels = inputs.to(device), labels.to(device)
            # zero the parameter gradients
            optimizer.zero_grad()
            # forward + backward + optimize
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            # print statistics
            running_loss += loss.item()
            print_op = 10
            if (i + 1) % print_op == 0:    # print every `print_op` mini-batches
                print('[%d, %5d] loss: %.3f' % (epoch + 1, i + 1, running_loss / print_op))
                running_loss = 0.0
    print('Finished Training')


def test(model, test_loader, device):
    correct = 0
    total = 0
    class_correct = list(0.0 for i in range(10))
    class_total = list(0.0 for i in range(10))
    with torch.no_grad():
        for data in test_loader:
            inputs, labels = data
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            _, predicted = torch.max(outputs.data, 1)
            c = (predicted == labels).squeeze()
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
            # The lecture's loop read `for i in range(4)`: its tutorial used batches of 4, so
            # with bigger batches only the first 4 images of each were counted per class.
            # Fixed here (the only change to the lecture's code): every image of the batch.
            for i in range(labels.size(0)):
                label = labels[i]
                class_correct[label] += c[i].item()
                class_total[label] += 1
    for i in range(10):
        if class_total[i]:
            print('Accuracy of %5s: %2d %%' % (classes[i], 100 * class_correct[i] / class_total[i]))
    print('Accuracy of the network on the %d test images: %d %%' % (total, 100 * correct / total))
    return correct / total


def main(n_train=640, n_test=256, epochs=2):
    """Train, evaluate, save, reload and fine-tune; returns the two test accuracies."""
    torch.manual_seed(0)
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    x_train, y_train = cifar_like(n_train, seed=1)
    x_test, y_test = cifar_like(n_test, seed=2)
    trainloader = DataLoader(TensorDataset(torch.tensor(x_train), torch.tensor(y_train)),
                             batch_size=32, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.tensor(x_test), torch.tensor(y_test)),
                             batch_size=32)

    model = CNN().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    train(model, trainloader, criterion, optimizer, device, epochs=epochs)
    model.eval()
    accuracy = test(model, test_loader, device)

    # save the model, load it into a fresh one (safetensors: loading runs no code)
    os.makedirs("demo_output", exist_ok=True)
    torch.save(model.state_dict(), "demo_output/lecture_cnn.safetensors")
    restored = CNN()
    restored.load_state_dict(torch.load("demo_output/lecture_cnn.safetensors"))
    restored.eval()

    # transfer learning: freeze everything, replace the classifier, train only the new one
    for param in restored.parameters():
        param.requires_grad = False
    restored.fc = nn.Linear(8*8*32, 10)
    optimizer = optim.Adam(restored.fc.parameters(), lr=0.001)
    restored.train()
    train(restored, trainloader, criterion, optimizer, device, epochs=1)
    restored.eval()
    return accuracy, test(restored, test_loader, device)


if __name__ == "__main__":
    main()
