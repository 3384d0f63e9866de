"""A helper for layer tests: run one of our layers and its PyTorch twin on the same input
with the same weights, and compare outputs, input gradients, parameter gradients and
state_dict keys and shapes. Imported by the test files next to it."""
import numpy as np

import tinygrad_lite as tl

TOLERANCE = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-4, atol=2e-5)}


def first(out):
    """The tensor output of a layer that may also return indices."""
    return out[0] if isinstance(out, tuple) else out


def check_against_torch(torch, ours, theirs, x, dtype=np.float64, forward_kwargs=None):
    """ours and theirs in `dtype`, theirs loaded with our state_dict (and the keys and
    shapes compared both ways); then out, dL/dx and dL/dparam for L = sum(out * weights)."""
    forward_kwargs = forward_kwargs or {}
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    ours = ours.to(tl.float64 if dtype == np.float64 else tl.float32)
    theirs = theirs.to(torch_dtype)
    state = ours.state_dict()
    assert {k: tuple(v.shape) for k, v in state.items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    theirs.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in state.items()})
    ours.load_state_dict({k: tl.tensor(v.detach().numpy())       # and back again
                          for k, v in theirs.state_dict().items()})
    x = np.asarray(x, dtype=dtype)
    tx, tx_t = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, out_t = first(ours(tx, **forward_kwargs)), first(theirs(tx_t, **forward_kwargs))
    tol = TOLERANCE[dtype]
    assert out.dtype == (tl.float64 if dtype == np.float64 else tl.float32)
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), **tol)
    weights = np.random.default_rng(7).standard_normal(out.shape).astype(dtype)
    (out * tl.tensor(weights)).sum().backward()
    (out_t * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(tx.grad.numpy(), tx_t.grad.numpy(), **tol)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs.get_parameter(name).grad.numpy(),
                                   err_msg=name, **{**tol, "atol": tol["atol"] * 50})
    return out
