"""PyTorch habits: `.data` idioms, the one-word import swap, module buffers and dtypes."""
import subprocess
import sys

import numpy as np
import pytest

import nn
import tinygrad_lite as tl


def test_data_idioms_of_pytorch_tutorials():
    lin = nn.Linear(3, 2)
    lin.weight.data.normal_(0, 0.02)
    lin.bias.data.zero_()
    assert lin.bias.tolist() == [0.0, 0.0] and abs(lin.weight.data.numpy()).max() < 0.2
    assert not lin.weight.data.requires_grad and isinstance(lin.weight.data, tl.Tensor)
    other = nn.Linear(3, 2)
    other.weight.data.copy_(lin.weight.data)      # the target-network update idiom
    np.testing.assert_array_equal(other.weight.data.numpy(), lin.weight.data.numpy())
    x = tl.ones(4, 3)
    lin(x).sum().backward()
    before = lin.weight.data.numpy().copy()
    lin.weight.data -= 0.1 * lin.weight.grad.data          # the manual SGD step
    np.testing.assert_allclose(lin.weight.data.numpy(), before - 0.1 * lin.weight.grad.numpy())
    assert isinstance(x.data.numpy(), np.ndarray)


def test_data_shares_memory_and_is_outside_the_graph():
    w = tl.ones(3, requires_grad=True)
    y = (w * w).sum()
    w.data.mul_(2)                        # not seen by the version counter, as in PyTorch
    y.backward()
    assert w.grad.tolist() == [4.0, 4.0, 4.0]


def test_one_word_import_swap_runs_pytorch_code():
    code = """
import tinygrad_lite as torch
import tinygrad_lite.nn as nn
import tinygrad_lite.nn.functional as F
import tinygrad_lite.optim as optim
from tinygrad_lite.utils.data import DataLoader, TensorDataset
from tinygrad_lite.optim.lr_scheduler import StepLR
import nn as top_level_nn
assert nn is top_level_nn and torch.nn is nn and torch.optim is optim
model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 1))
opt = optim.Adam(model.parameters(), lr=0.01)
sched = StepLR(opt, step_size=1)
x, y = torch.randn(32, 2), torch.rand(32, 1)
for xb, yb in DataLoader(TensorDataset(x, y), batch_size=8):
    opt.zero_grad()
    loss = F.mse_loss(model(xb), yb)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0) if hasattr(torch.nn, "utils") else None
    opt.step()
sched.step()
print("ok", torch.autograd.grad is not None)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok True"


def test_engine_does_not_import_nn_or_optim():
    out = subprocess.run([sys.executable, "-c", "import sys, tinygrad_lite; "
                          "print('nn' in sys.modules, 'optim' in sys.modules)"],
                         capture_output=True, text=True)
    assert out.stdout.strip() == "False False", out.stderr


def test_unknown_submodule_of_the_facade_is_an_import_error():
    with pytest.raises(ImportError):
        import tinygrad_lite.nn.no_such_module  # noqa: F401


def test_float64_input_to_a_float32_layer_is_an_error():
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=2, out_features=3.*float64 but "
                                           r"the layer's weight is float32"):
        nn.Linear(2, 3)(tl.ones(4, 2, dtype=tl.float64))
    with pytest.raises(RuntimeError, match=r"Conv2d\(1, 1, kernel_size=\(3, 3\).*: expected the "
                                           "input and the parameters"):
        nn.Conv2d(1, 1, 3)(tl.ones(1, 1, 5, 5, dtype=tl.float64))
    with pytest.raises(RuntimeError, match="linear: expected the input and the parameters"):
        nn.functional.linear(tl.ones(1, 2, dtype=tl.float64), tl.ones(3, 2))
    assert nn.Linear(2, 3).double()(tl.ones(4, 2, dtype=tl.float64)).dtype == tl.float64


def test_loss_weight_is_a_buffer():
    loss = nn.CrossEntropyLoss(weight=tl.ones(3))
    assert [n for n, _ in loss.named_buffers()] == ["weight"]
