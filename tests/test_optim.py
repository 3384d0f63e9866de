"""Optimizers: every rule and option against PyTorch and against the formula written out here,
state_dict resume, frozen parameters and hyper-parameter checks."""
import numpy as np
import pytest

import nn
import optim
import tinygrad_lite as tl

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, eps=1e-6)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.5, amsgrad=True)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in CASES]
STEPS = 20


def mlp_arrays(seed=0):
    """Weights of a 3-8-2 tanh MLP and a regression batch, float64."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.5, (3, 8)), rng.normal(0, 0.1, 8), rng.normal(0, 0.5, (8, 2)),
               rng.normal(0, 0.1, 2)]
    return weights, rng.normal(size=(16, 3)), rng.normal(size=(16, 2))


def mlp_loss(params, x, y):
    w1, b1, w2, b2 = params
    return (((x @ w1 + b1).tanh() @ w2 + b2 - y) ** 2).mean()


def tl_grads(params, x, y):
    for p in params:
        p.grad = None
    mlp_loss(params, tl.tensor(x), tl.tensor(y)).backward()


def formula_step(name, hp, w, g, st, t):
    """One step written directly from each docstring's formula (PyTorch's form)."""
    lr, wd = hp.get("lr"), hp.get("weight_decay", 0.0 if name != "AdamW" else 1e-2)
    if name != "AdamW":
        g = g + wd * w
    if name == "SGD":
        mu, damp = hp.get("momentum", 0), hp.get("dampening", 0)
        if mu:
            st["v"] = g.copy() if t == 1 else mu * st["v"] + (1 - damp) * g
            g = g + mu * st["v"] if hp.get("nesterov") else st["v"]
        return w - lr * g
    if name == "Adagrad":
        st["h"] = st.get("h", np.full_like(w, hp.get("initial_accumulator_value", 0))) + g * g
        clr = lr / (1 + (t - 1) * hp.get("lr_decay", 0))
        return w - clr * g / (np.sqrt(st["h"]) + hp.get("eps", 1e-10))
    if name == "RMSprop":
        rho, mu, eps = hp.get("alpha", 0.99), hp.get("momentum", 0), hp.get("eps", 1e-8)
        st["s"] = rho * st.get("s", 0) + (1 - rho) * g * g
        var = st["s"]
        if hp.get("centered"):
            st["gbar"] = rho * st.get("gbar", 0) + (1 - rho) * g
            var = var - st["gbar"] ** 2
        step = g / (np.sqrt(var) + eps)
        if mu:
            st["v"] = mu * st.get("v", 0) + step
            step = st["v"]
        return w - lr * step
    b1, b2 = hp.get("betas", (0.9, 0.999))
    if name == "AdamW":
        w = w * (1 - lr * wd)
    st["m"] = b1 * st.get("m", 0) + (1 - b1) * g
    st["v"] = b2 * st.get("v", 0) + (1 - b2) * g * g
    v = st["v"]
    if hp.get("amsgrad"):
        v = st["vmax"] = np.maximum(st.get("vmax", 0), v)
    m_hat, v_hat = st["m"] / (1 - b1 ** t), v / (1 - b2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + hp.get("eps", 1e-8))


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_matches_the_formula(name, kw):
    assert_matches_the_formula(name, kw, formula_step)


def assert_matches_the_formula(name, kw, formula_step):
    """STEPS steps of optim.<name> equal `formula_step` applied to the same gradients."""
    weights, x, y = mlp_arrays()
    params = [tl.tensor(w.copy(), requires_grad=True) for w in weights]
    twins = [tl.tensor(w.copy(), requires_grad=True) for w in weights]
    opt = getattr(optim, name)(params, **kw)
    states = [{} for _ in twins]
    for t in range(1, STEPS + 1):
        tl_grads(params, x, y)
        opt.step()
        tl_grads(twins, x, y)
        for p, st in zip(twins, states):
            p.data = formula_step(name, kw, p._data, p.grad._data, st, t)
        for p, q in zip(params, twins):
            np.testing.assert_allclose(p._data, q._data, rtol=0, atol=1e-12)
    assert not np.allclose(params[0]._data, weights[0])


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_matches_pytorch(name, kw):
    assert_matches_pytorch(pytest.importorskip("torch"), name, kw)


def assert_matches_pytorch(torch, name, kw):
    """STEPS steps of optim.<name> and torch.optim.<name> agree to 1e-10."""
    weights, x, y = mlp_arrays()
    params = [tl.tensor(w.copy(), requires_grad=True) for w in weights]
    tparams = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
    opt = getattr(optim, name)(params, **kw)
    topt = getattr(torch.optim, name)(tparams, **kw)
    tx, ty = torch.tensor(x), torch.tensor(y)
    for _ in range(STEPS):
        tl_grads(params, x, y)
        opt.step()
        topt.zero_grad()
        mlp_loss(tparams, tx, ty).backward()
        topt.step()
        for p, q in zip(params, tparams):
            np.testing.assert_allclose(p._data, q.detach().numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_state_dict_resume_is_exact(name, kw):
    assert_state_dict_resume_is_exact(name, kw)


def assert_state_dict_resume_is_exact(name, kw):
    """10 steps, save, 10 more == load the saved state into a fresh optimizer, 10 steps."""
    weights, x, y = mlp_arrays(1)
    params = [tl.tensor(w.copy(), requires_grad=True) for w in weights]
    opt = getattr(optim, name)(params, **kw)
    for _ in range(10):
        tl_grads(params, x, y)
        opt.step()
    saved = opt.state_dict()
    copies = [tl.tensor(p._data.copy(), requires_grad=True) for p in params]
    resumed = getattr(optim, name)(copies, **kw)
    resumed.load_state_dict(saved)
    for model, o in ((params, opt), (copies, resumed)):
        for _ in range(10):
            tl_grads(model, x, y)
            o.step()
    for p, q in zip(params, copies):
        np.testing.assert_array_equal(p._data, q._data)


def test_state_dict_uses_positions_and_copies():
    a, b = tl.ones(2, requires_grad=True), tl.ones(3, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    b.grad = tl.ones(3)
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert list(sd["state"]) == [1] and sd["param_groups"][1]["lr"] == 0.5
    saved = sd["state"][1]["momentum_buffer"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][1]["momentum_buffer"], saved)


def test_load_state_dict_rejects_a_different_layout():
    a, b = tl.ones(2, requires_grad=True), tl.ones(3, requires_grad=True)
    sd = optim.Adam([a, b]).state_dict()
    with pytest.raises(ValueError, match=r"parameter group 0 has 1 parameter\(s\) of shapes "
                                         r"\[\(2,\)\], but the saved group 0 has 2"):
        optim.Adam([a]).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"saved state has 1 parameter group\(s\), this "
                                         "optimizer has 2"):
        optim.Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    b.grad = tl.ones(3)
    opt = optim.Adam([b])
    opt.step()
    with pytest.raises(ValueError, match=r"shape \(3,\), the parameter has shape \(2,\)"):
        optim.Adam([a]).load_state_dict(opt.state_dict())


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_params_without_grad_are_untouched(name, kw):
    used, frozen = tl.ones(3, requires_grad=True), tl.ones(2, requires_grad=True)
    opt = getattr(optim, name)([used, frozen], **kw)
    for _ in range(3):
        opt.zero_grad()
        (used * tl.tensor([1.0, -2.0, 3.0])).sum().backward()
        opt.step()
    np.testing.assert_array_equal(frozen._data, np.ones(2, np.float32))
    assert frozen._version == 0 and used._version == 3 and frozen not in opt.state
    assert not np.allclose(used._data, 1)


def test_a_subclass_writes_only_the_math():
    class GD(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def init_state(self, w, group):
            return {"steps": 0}

        def update(self, w, g, state, group):
            state["steps"] += 1
            w -= group["lr"] * g

    w = tl.tensor([1.0, -2.0], requires_grad=True)
    opt = GD([w], lr=0.25)
    for _ in range(2):
        opt.zero_grad()
        (w * w).sum().backward()                       # g = 2w: w <- w - 0.5w
        opt.step()
    np.testing.assert_allclose(w._data, [0.25, -0.5])
    assert opt.state_dict()["state"] == {0: {"steps": 2}}


def test_zero_grad_and_closure():
    w = tl.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss
    with tl.no_grad():
        loss = opt.step(closure)             # the closure runs with grad enabled
    assert loss.item() == 5.0
    np.testing.assert_allclose(w._data, [0.0, 0.0])
    grad, array = w.grad, w.grad._data
    opt.zero_grad(set_to_none=False)         # in place, as PyTorch: the same Tensor and array
    assert w.grad is grad and w.grad._data is array
    np.testing.assert_array_equal(w.grad._data, [0.0, 0.0])
    opt.zero_grad()
    assert w.grad is None
    ((w + 1) ** 3).sum().backward(create_graph=True)    # w.grad = 3 (w + 1)^2, with a graph
    g = w.grad
    opt.zero_grad(set_to_none=False)                     # can't be detached in place: replaced
    assert w.grad.grad_fn is None and not w.grad._data.any()
    np.testing.assert_array_equal(g._data, [3.0, 3.0])    # the graph's values stay intact


def test_param_groups_have_their_own_hyper_parameters():
    a, b = tl.ones(2, requires_grad=True), tl.ones(2, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 1.0}], lr=0.1)
    c = tl.ones(2, requires_grad=True)
    opt.add_param_group({"params": [c], "momentum": 0.9})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0, 0.1]
    assert opt.param_groups[2]["momentum"] == 0.9 and opt.param_groups[0]["momentum"] == 0
    for p in (a, b, c):
        p.grad = tl.ones(2)
    opt.step()
    np.testing.assert_allclose([a._data[0], b._data[0], c._data[0]], [0.9, 0.0, 0.9], rtol=1e-6)
    with pytest.raises(ValueError, match="appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_float32_parameters_stay_float32():
    w = tl.tensor(np.ones((4, 5), np.float32), requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    w.grad = tl.tensor(np.full((4, 5), 2.0))          # a float64 gradient is cast
    opt.step()
    assert w.dtype == np.float32 and opt.state[w]["exp_avg"].dtype == np.float32
    np.testing.assert_allclose(w._data, 0.9, rtol=1e-6)


def test_strided_or_read_only_parameter_data():
    base = np.ones((4, 6))
    w = tl.tensor(base, requires_grad=True)
    w.data = base[:, ::2]                               # a strided view
    w.grad = tl.tensor(np.ones((4, 3)))
    optim.SGD([w], lr=0.25).step()
    np.testing.assert_array_equal(base[:, ::2], 0.75)
    np.testing.assert_array_equal(base[:, 1::2], 1.0)
    frozen = np.ones(3)
    frozen.flags.writeable = False
    w._data, w.grad = frozen, tl.tensor(np.ones(3))
    optim.SGD([w], lr=0.25).step()
    np.testing.assert_array_equal(w._data, 0.75)
    np.testing.assert_array_equal(frozen, 1.0)


@pytest.mark.parametrize("make,match", [
    (lambda w: optim.SGD({w}, lr=0.1), "ordered collection"),
    (lambda w: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda w: optim.SGD(w, lr=0.1), "single Tensor"),
    (lambda w: optim.SGD([w], lr=-0.1), r"SGD: invalid lr=-0.1"),
    (lambda w: optim.SGD([w], lr=0.1, nesterov=True), "Nesterov momentum needs momentum > 0"),
    (lambda w: optim.SGD([w], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "dampening = 0"),
    (lambda w: optim.Adam([w], betas=(0.9, 1.0)), r"Adam: invalid betas\[1\]=1.0"),
    (lambda w: optim.AdamW([w], betas=(-0.1, 0.9)), r"AdamW: invalid betas\[0\]=-0.1"),
    (lambda w: optim.Adam([w], eps=-1e-8), "Adam: invalid eps"),
    (lambda w: optim.Adagrad([w], lr_decay=-1), "Adagrad: invalid lr_decay=-1"),
    (lambda w: optim.RMSprop([w], alpha=float("nan")), "RMSprop: invalid alpha=nan"),
    (lambda w: optim.RMSprop([w], weight_decay=-1), "RMSprop: invalid weight_decay=-1"),
    (lambda w: optim.Adam([w * 2]), "non-leaf"),
    (lambda w: optim.Adam([w._data]), "can only optimize Tensors"),
])
def test_bad_arguments_are_rejected(make, match):
    w = tl.ones(3, requires_grad=True)
    with pytest.raises((TypeError, ValueError), match=match):
        make(w)


def test_passing_the_model_instead_of_its_parameters_names_the_fix():
    linear = nn.Linear(2, 3)
    message = ("SGD: params must be an iterable of Tensors or of param-group dicts, got Linear; "
               "pass model.parameters()")
    with pytest.raises(TypeError) as info:
        optim.SGD(linear, lr=0.1)
    assert str(info.value) == message
    with pytest.raises(TypeError, match="Adam: .* got Sequential; pass model.parameters()"):
        optim.Adam(nn.Sequential(linear))               # iterable, but over modules
    with pytest.raises(TypeError, match="RMSprop: .* got float; pass model.parameters()"):
        optim.RMSprop(0.1)
    kept = optim.SGD(linear.parameters(), lr=0.1).param_groups[0]["params"]
    assert [id(p) for p in kept] == [id(linear.weight), id(linear.bias)]


def test_sgd_default_lr_is_pytorchs():
    torch = pytest.importorskip("torch")
    w = tl.ones(2, requires_grad=True)
    assert optim.SGD([w]).param_groups[0]["lr"] == 1e-3 == \
        torch.optim.SGD([torch.ones(2, requires_grad=True)]).param_groups[0]["lr"]


def test_parameter_listed_twice_warns_and_is_stepped_once():
    w, b = tl.ones((2, 3), requires_grad=True), tl.ones(3, requires_grad=True)
    with pytest.warns(UserWarning, match=r"SGD: a parameter of shape \(2, 3\) is listed 2 "
                                         r"times in one parameter group; it is kept once"):
        opt = optim.SGD([w, b, w], lr=0.5, momentum=0.9)
    assert [id(p) for p in opt.param_groups[0]["params"]] == [id(w), id(b)]
    w.grad, b.grad = tl.ones((2, 3)), tl.ones(3)
    opt.step()
    np.testing.assert_allclose(w._data, 0.5)          # one step of lr * g, not two
    assert len(opt.state_dict()["param_groups"][0]["params"]) == 2
