"""An op's `backward_arrays` (the engine's path when create_graph=False) must give the same
gradients as its `backward` on Tensors (the path when create_graph=True): checked for every
registered op that has one, on its gradient-check samples, in float64, float32 and float16
(equal up to rounding: the two paths may round in a different order)."""
import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.opcheck import sample_inputs

TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5, np.float16: 1e-2}
FAST_OPS = sorted(name for name, spec in tl.OPS.items()
                  if getattr(spec.cls, "backward_arrays", None) is not None)


def _grads(spec, sample, inputs, seed, create_graph):
    out = spec.cls.apply(*inputs, **sample.kwargs)
    wanted = [t for t in inputs if t.requires_grad]
    grads = tl.autograd.grad(out, wanted, tl.tensor(seed, dtype=out.dtype),
                             create_graph=create_graph, allow_unused=True)
    return [None if g is None else (g.dtype, g.detach().numpy()) for g in grads]


def test_the_hot_ops_have_an_array_backward():
    assert {"linear", "relu", "sigmoid", "log_softmax", "mul", "sum", "reshape", "getitem",
            "binary_cross_entropy", "leaky_relu", "matmul", "conv2d"} <= set(FAST_OPS)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("name", FAST_OPS)
def test_array_backward_matches_tensor_backward(name, dtype):
    spec = tl.OPS[name]
    rng = np.random.default_rng(3)
    for sample in spec.samples:
        inputs = [t if t.dtype == bool else tl.tensor(t._data.astype(dtype), requires_grad=True)
                  for t in sample_inputs(sample, rng)]
        out = spec.cls.apply(*inputs, **sample.kwargs)
        seed = rng.standard_normal(out.shape)
        on_arrays = _grads(spec, sample, inputs, seed, create_graph=False)
        on_tensors = _grads(spec, sample, inputs, seed, create_graph=True)
        for fast, slow in zip(on_arrays, on_tensors):
            assert (fast is None) == (slow is None), f"{name} {sample.shapes}"
            if fast is not None:
                assert fast[0] == slow[0] == dtype, f"{name} {sample.shapes}: dtypes"
                tol = TOLERANCE[dtype]
                np.testing.assert_allclose(fast[1], slow[1], rtol=tol, atol=tol,
                                           err_msg=f"{name} {sample.shapes}")


def test_array_backward_keeps_hooks_and_retain_grad():
    x = tl.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    seen = []
    hidden = x.relu()
    hidden.retain_grad()
    hidden.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 2)
    (hidden * hidden).sum().backward()
    np.testing.assert_allclose(hidden.grad.numpy(), [[4.0, 0.0], [12.0, 16.0]])  # as torch
    np.testing.assert_allclose(x.grad.numpy(), [[4.0, 0.0], [12.0, 16.0]])
    np.testing.assert_allclose(seen[0], [[2.0, 0.0], [6.0, 8.0]])


def test_leaf_grads_never_share_memory():
    # a leaf may keep a new array from backward_arrays as its .grad; shared ones are copied
    w = tl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = tl.tensor([0.5, -0.5], requires_grad=True)
    x = tl.tensor([[1.0, -1.0]], requires_grad=True)
    y = x @ w + b                       # mul/add paths: the add hands g to both of its inputs
    z = y + y
    loss = (z * z).sum()
    loss.backward(retain_graph=True)
    first = {name: t.grad.numpy().copy() for name, t in (("w", w), ("b", b), ("x", x))}
    arrays = [t.grad.numpy() for t in (w, b, x)]
    assert len({id(a) for a in arrays}) == 3
    assert not any(np.shares_memory(a, c) for i, a in enumerate(arrays) for c in arrays[i + 1:])
    for t in (w, b, x):
        t.grad.zero_()                  # in place, as zero_grad(set_to_none=False)
    loss.backward()                     # the retained graph still gives the same gradients
    for name, t in (("w", w), ("b", b), ("x", x)):
        np.testing.assert_allclose(t.grad.numpy(), first[name], err_msg=name)
