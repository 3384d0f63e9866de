"""Unit 4 of the lecture: its CNN (two Conv-BatchNorm-LeakyReLU blocks with max pooling and a
Linear(8*8*32, 10) head) and a ResNet of BasicBlocks run on this project with only the
imports changed. The model code is one source text executed twice, once with our `nn`/`F`
and once with PyTorch's, so both run literally the same code; then outputs, gradients,
optimizer steps and evaluation are compared."""
import ast
import pathlib

import numpy as np
import pytest

import nn
import nn.functional as F
import optim
import tinygrad_lite as tl

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _example_source(name, example="lecture_cnn.py"):
    """The source of a class in an example: examples/lecture_cnn.py holds the lecture's CNN
    verbatim (its `return` indentation fixed), examples/transfer_learning.py its BasicBlock:
    one copy of the lecture's code for the examples and here."""
    text = (ROOT / "examples" / example).read_text()
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.ClassDef) and n.name == name)
    return ast.get_source_segment(text, node)


# The lecture's code: its CNN, and BasicBlock as in the standard CIFAR ResNet it uses,
# `out += self.shortcut(x)` included.
LECTURE_CODE = _example_source("CNN") + "\n\n\n" + _example_source(
    "BasicBlock", "transfer_learning.py") + '''

class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super(ResNet, self).__init__()
        self.in_channel = 64
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=64, kernel_size=3, stride=1,
                               padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(num_features=64)
        self.layer1 = self.MakeLayer(block=block, out_channel=64, num_blocks=num_blocks[0],
                                     stride=1)
        self.layer2 = self.MakeLayer(block=block, out_channel=128, num_blocks=num_blocks[1],
                                     stride=2)
        self.layer3 = self.MakeLayer(block=block, out_channel=256, num_blocks=num_blocks[2],
                                     stride=2)
        self.layer4 = self.MakeLayer(block=block, out_channel=512, num_blocks=num_blocks[3],
                                     stride=2)
        self.linear = nn.Linear(512, num_classes)

    def MakeLayer(self, block, out_channel, num_blocks, stride):
        strides = [stride] + [1]*(num_blocks-1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_channel, out_channel, stride))
            self.in_channel = out_channel
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = self.layer4(out)
        out = F.avg_pool2d(out, 4)
        out = out.view(out.size(0), -1)
        out = self.linear(out)
        return out
'''


def lecture_classes(nn_module, functional):
    """The classes of LECTURE_CODE, built on the given `nn` and `F`."""
    namespace = {"nn": nn_module, "F": functional}
    exec(LECTURE_CODE, namespace)
    return namespace


def _twin(model, torch, double=False):
    """The same model in PyTorch, with our weights and buffers copied in."""
    classes = lecture_classes(torch.nn, torch.nn.functional)
    twin = (classes["CNN"]() if type(model).__name__ == "CNN" else
            classes["ResNet"](classes["BasicBlock"], [1, 1, 1, 1]))
    twin.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    return twin.double() if double else twin


def _grads_match(model, twin, rtol, atol):
    theirs = dict(twin.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad._data, theirs[name].grad.numpy(), rtol=rtol,
                                   atol=atol, err_msg=name)


def test_cnn_trains_and_evaluates_like_torch():
    # SGD here: under Adam the conv biases in front of BatchNorm (true gradient 0, computed
    # as rounding noise) take full lr-sized steps in different directions in each library
    torch = pytest.importorskip("torch")
    ours = lecture_classes(nn, F)
    model = ours["CNN"]()
    twin = _twin(model, torch)
    criterion, twin_criterion = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    twin_optimizer = torch.optim.SGD(twin.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    for step in range(3):
        inputs = rng.standard_normal((4, 3, 32, 32)).astype(np.float32)
        labels = rng.integers(0, 10, 4)
        optimizer.zero_grad()
        outputs = model(tl.tensor(inputs))
        loss = criterion(outputs, tl.tensor(labels))
        loss.backward()
        twin_optimizer.zero_grad()
        twin_outputs = twin(torch.tensor(inputs))
        twin_loss = twin_criterion(twin_outputs, torch.tensor(labels))
        twin_loss.backward()
        np.testing.assert_allclose(outputs._data, twin_outputs.detach().numpy(), rtol=1e-3,
                                   atol=1e-5)
        assert loss.item() == pytest.approx(twin_loss.item(), rel=1e-5)
        _grads_match(model, twin, rtol=1e-2, atol=2e-5)
        optimizer.step()
        twin_optimizer.step()
    for name, t in model.state_dict().items():
        np.testing.assert_allclose(t.numpy(), twin.state_dict()[name].numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=name)
    model.eval()
    twin.eval()
    images = rng.standard_normal((6, 3, 32, 32)).astype(np.float32)
    with tl.no_grad():
        outputs = model(tl.tensor(images))
        _, predicted = tl.max(outputs, 1)
    twin_outputs = twin(torch.tensor(images)).detach()
    np.testing.assert_allclose(outputs._data, twin_outputs.numpy(), rtol=1e-3, atol=1e-5)
    np.testing.assert_array_equal(predicted.numpy(), torch.max(twin_outputs, 1)[1].numpy())


def test_resnet_forward_backward_matches_torch():
    torch = pytest.importorskip("torch")
    ours = lecture_classes(nn, F)
    model = ours["ResNet"](block=ours["BasicBlock"], num_blocks=[1, 1, 1, 1]).double()
    twin = _twin(model, torch, double=True)
    x = np.random.default_rng(1).standard_normal((2, 3, 32, 32))
    out, twin_out = model(tl.tensor(x)), twin(torch.tensor(x))
    assert out.shape == (2, 10)
    np.testing.assert_allclose(out._data, twin_out.detach().numpy(), rtol=1e-9, atol=1e-10)
    nn.CrossEntropyLoss()(out, tl.tensor([3, 7])).backward()
    torch.nn.CrossEntropyLoss()(twin_out, torch.tensor([3, 7])).backward()
    _grads_match(model, twin, rtol=1e-7, atol=1e-9)
    for name, buffer in model.named_buffers():
        np.testing.assert_allclose(buffer.numpy(), dict(twin.named_buffers())[name].numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=name)


def test_lecture_training_loop_runs_without_torch():
    ours = lecture_classes(nn, F)
    model = ours["CNN"]()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    inputs, labels = tl.randn(8, 3, 32, 32), tl.tensor([0, 1, 2, 3, 4, 5, 6, 7])
    losses = []
    for epoch in range(3):          # the lecture's loop, on one fixed batch
        running_loss = 0.0
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        losses.append(running_loss)
    assert losses[-1] < losses[0]
    with tl.no_grad():
        _, predicted = tl.max(model(inputs), 1)
    assert predicted.shape == (8,)
    resnet = ours["ResNet"](ours["BasicBlock"], [1, 1, 1, 1])
    assert resnet(tl.randn(1, 3, 32, 32)).shape == (1, 10)
