"""Every registered op, enumerated from the registry: gradient check in float64 (first and
second order), forward against its NumPy reference, and values and gradients against
PyTorch when it is installed. Registering an op adds it here automatically. The checks are
tinygrad_lite.opcheck's, the ones `pytest --tl-gradcheck` runs on a user's ops."""
import pytest

import tinygrad_lite as tl
from tinygrad_lite.opcheck import CheckSkipped, check_gradcheck, check_gradgradcheck, \
    check_reference, check_torch

OP_NAMES = sorted(tl.OPS)


def test_registry_is_populated():
    assert {"add", "mul", "matmul", "relu", "sum", "getitem", "log_softmax"} <= set(OP_NAMES)
    # and the ops written as compositions of those (tinygrad_lite/ops/composites.py)
    assert {"log2", "gather", "scatter", "sort", "cdist", "var", "tril"} <= set(OP_NAMES)


@pytest.mark.parametrize("name", OP_NAMES)
def test_every_op_has_an_oracle(name):
    """Each op's forward is checked against an independent NumPy reference, or (where NumPy's
    code would be the forward itself, as for indexing) against its PyTorch twin."""
    spec = tl.OPS[name]
    assert spec.reference is not None or spec.torch is not None, \
        f"op {name} has neither a NumPy reference nor a PyTorch twin"


def check_every_sample(check, name):
    """Run an opcheck check on every sample of the op; CheckSkipped becomes a skip."""
    spec = tl.OPS[name]
    try:
        for sample in spec.samples:
            check(spec, sample)
    except CheckSkipped as e:
        pytest.skip(str(e))


@pytest.mark.parametrize("name", OP_NAMES)
def test_gradcheck(name):
    check_every_sample(check_gradcheck, name)
    if tl.OPS[name].second_order:
        check_every_sample(check_gradgradcheck, name)


@pytest.mark.parametrize("name", OP_NAMES)
def test_forward_matches_reference(name):
    check_every_sample(check_reference, name)


@pytest.mark.parametrize("name", OP_NAMES)
def test_matches_torch(name):
    check_every_sample(check_torch, name)
