"""Small parameters of an elementwise rule are stepped as one flat vector (optim/flat.py):
the result must equal stepping them one by one, for every such optimizer, through a
parameter losing its gradient, state_dict / load_state_dict, and lazily created state."""
import numpy as np
import pytest

import optim
import tinygrad_lite as tl
from optim.flat import SMALL

CASES = [(optim.SGD, {"lr": 0.1}), (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
         (optim.Adam, {"lr": 0.01}), (optim.Adam, {"lr": 0.01, "amsgrad": True}),
         (optim.AdamW, {"lr": 0.01}), (optim.Adamax, {}), (optim.Adagrad, {"lr_decay": 0.1}),
         (optim.RMSprop, {"momentum": 0.5, "centered": True}), (optim.NAdam, {}),
         (optim.RAdam, {}), (optim.Adadelta, {}), (optim.Rprop, {}), (optim.ASGD, {"t0": 2})]
SHAPES = [(3, 4), (4,), (), (2, 1, 3), (SMALL + 1,)]   # the last is stepped on its own


def _params(dtype=np.float32):
    rng = np.random.default_rng(0)
    return [tl.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in SHAPES]


def _run(cls, kwargs, flat, steps=6):
    params = _params()
    optimizer = cls(params, **kwargs)
    optimizer.elementwise = flat
    rng = np.random.default_rng(1)
    for step in range(steps):
        for i, p in enumerate(params):
            skipped = step == 3 and i == 1          # this parameter gets no gradient once
            p.grad = None if skipped else tl.tensor(rng.standard_normal(p.shape)
                                                    .astype(np.float32))
        optimizer.step()
    return params, optimizer


@pytest.mark.parametrize("cls, kwargs", CASES, ids=lambda c: getattr(c, "__name__", str(c)))
def test_flat_step_equals_one_by_one(cls, kwargs):
    assert cls.elementwise
    flat_params, flat_opt = _run(cls, kwargs, True)
    own_params, own_opt = _run(cls, kwargs, False)
    for a, b in zip(flat_params, own_params):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6,
                                   atol=1e-7)
        assert a._version == b._version
    flat_state, own_state = flat_opt.state_dict()["state"], own_opt.state_dict()["state"]
    assert flat_state.keys() == own_state.keys()
    for position in own_state:
        assert flat_state[position].keys() == own_state[position].keys()
        for key, value in own_state[position].items():
            np.testing.assert_allclose(flat_state[position][key], value, rtol=1e-6, atol=1e-7,
                                       err_msg=f"{cls.__name__} {position} {key}")


def test_loaded_state_is_used_by_the_flat_step():
    params, optimizer = _run(optim.Adam, {"lr": 0.01}, True, steps=2)
    twins = [tl.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    resumed = optim.Adam(twins, lr=0.01)
    resumed.load_state_dict(optimizer.state_dict())
    for step in range(2):
        for p, twin in zip(params, twins):
            p.grad = tl.ones_like(p) * (step + 1)
            twin.grad = tl.ones_like(twin) * (step + 1)
        optimizer.step()
        resumed.step()
    for p, twin in zip(params, twins):
        np.testing.assert_array_equal(p.detach().numpy(), twin.detach().numpy())
    assert resumed.state[twins[0]]["step"] == 4


def test_per_parameter_state_is_a_view_that_follows_the_steps():
    params, optimizer = _run(optim.Adam, {"lr": 0.01}, True, steps=1)
    state = optimizer.state[params[0]]
    before = state["exp_avg"].copy()
    for p in params:
        p.grad = tl.ones_like(p)
    optimizer.step()
    assert state is optimizer.state[params[0]] and state["step"] == 2
    assert not np.allclose(state["exp_avg"], before)
    assert state["exp_avg"].shape == params[0].shape
