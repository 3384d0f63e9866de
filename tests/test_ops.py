"""Every registered op, enumerated from the registry: gradient check in float64 (first and
second order), forward against its NumPy reference, and values and gradients against
PyTorch when it is installed. Registering an op adds it here automatically."""
import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.opcheck import check_op, sample_inputs

OP_NAMES = sorted(tl.OPS)


def test_registry_is_populated():
    assert {"add", "mul", "matmul", "relu", "sum", "getitem", "log_softmax"} <= set(OP_NAMES)


@pytest.mark.parametrize("name", OP_NAMES)
def test_every_op_has_an_oracle(name):
    """Each op's forward is checked against an independent NumPy reference, or (where NumPy's
    code would be the forward itself, as for indexing) against its PyTorch twin."""
    spec = tl.OPS[name]
    assert spec.reference is not None or spec.torch is not None, \
        f"op {name} has neither a NumPy reference nor a PyTorch twin"


@pytest.mark.parametrize("name", OP_NAMES)
def test_gradcheck(name):
    failures = [r for r in check_op(tl.OPS[name]) if not r.ok]
    assert not failures, "\n".join(f"{r.case} (order {r.order}): {r.error}" for r in failures)


@pytest.mark.parametrize("name", OP_NAMES)
def test_forward_matches_reference(name):
    spec = tl.OPS[name]
    if spec.reference is None:
        pytest.skip(f"{name}: no independent NumPy reference; its torch twin is the oracle")
    rng = np.random.default_rng(1)
    for sample in spec.samples:
        inputs = sample_inputs(sample, rng)
        out = spec.cls.apply(*inputs, **sample.kwargs)
        expected = spec.reference(*[t._data for t in inputs], **sample.kwargs)
        np.testing.assert_allclose(out._data, expected, rtol=1e-12, atol=1e-12,
                                   err_msg=f"{name} {sample.shapes}")
        assert out.shape == np.shape(expected)


@pytest.mark.parametrize("name", OP_NAMES)
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    spec = tl.OPS[name]
    if spec.torch is None:
        pytest.skip(f"{name} has no PyTorch twin")
    rng = np.random.default_rng(2)
    for sample in spec.samples:
        inputs = sample_inputs(sample, rng)
        out = spec.cls.apply(*inputs, **sample.kwargs)
        weights = rng.standard_normal(out.shape)
        (out * tl.tensor(weights)).sum().backward()
        twins = [torch.tensor(t._data, requires_grad=t.requires_grad) for t in inputs]
        expected = spec.torch(torch, *twins, **sample.kwargs)
        np.testing.assert_allclose(out._data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        (expected * torch.tensor(weights)).sum().backward()
        for t, twin in zip(inputs, twins):
            if t.requires_grad:  # None means zero: the op has no path to that input
                ours = np.zeros(t.shape) if t.grad is None else t.grad._data
                theirs = np.zeros(t.shape) if twin.grad is None else twin.grad.numpy()
                np.testing.assert_allclose(ours, theirs, rtol=1e-10,
                                           atol=1e-12, err_msg=f"{name} {sample.shapes}")
