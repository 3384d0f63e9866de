"""Adamax, NAdam, RAdam, Adadelta, ASGD, Rprop and LBFGS: step for step against PyTorch in
float64, against the docstring formulas, state_dict resume and argument checks."""
import numpy as np
import pytest

import optim
import tinygrad_lite as tl
from test_optim import (STEPS, assert_matches_pytorch, assert_matches_the_formula,
                        assert_state_dict_resume_is_exact, mlp_arrays, mlp_loss, tl_grads)

CASES = [
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, eps=1e-6)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1)),  # rectified from step 6
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.8), weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.06))),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in CASES]
LBFGS_CASES = [dict(), dict(line_search_fn="strong_wolfe"),
               dict(lr=0.5, max_iter=5, history_size=3),
               dict(max_iter=7, history_size=2, line_search_fn="strong_wolfe"),
               dict(lr=3, line_search_fn="strong_wolfe"),       # the zoom phase runs
               dict(lr=0.1, line_search_fn="strong_wolfe")]     # the bracket grows


@pytest.fixture
def torch64():
    """torch with float64 scalar state (NAdam's mu_product, ASGD's eta and mu are tensors of
    the default dtype there; here they are Python floats)."""
    torch = pytest.importorskip("torch")
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(old)


def formula_step(name, hp, w, g, st, t):
    """One step written directly from each class docstring."""
    lr = hp.get("lr", {"Adamax": 2e-3, "NAdam": 2e-3, "RAdam": 1e-3, "Adadelta": 1.0}.get(
        name, 1e-2))
    wd = hp.get("weight_decay", 0.0)
    if name == "Rprop":
        eta_minus, eta_plus = hp.get("etas", (0.5, 1.2))
        lo, hi = hp.get("step_sizes", (1e-6, 50))
        prev, step = st.get("prev", np.zeros_like(w)), st.get("step", np.full_like(w, lr))
        eta = np.where(g * prev > 0, eta_plus, np.where(g * prev < 0, eta_minus, 1.0))
        st["step"] = np.clip(step * eta, lo, hi)
        g = np.where(g * prev < 0, 0.0, g)
        st["prev"] = g
        return w - np.sign(g) * st["step"]
    decoupled = hp.get("decoupled_weight_decay", False)
    if decoupled:
        w = w * (1 - lr * wd)
    else:
        g = g + wd * w
    if name == "ASGD":
        lambd, alpha, t0 = hp.get("lambd", 1e-4), hp.get("alpha", 0.75), hp.get("t0", 1e6)
        eta = st.get("eta", lr)
        w = (1 - lambd * eta) * w - eta * g
        st["ax"] = w if st.get("mu", 1) == 1 else st["ax"] + st["mu"] * (w - st["ax"])
        st["eta"] = lr / (1 + lambd * lr * t) ** alpha
        st["mu"] = 1 / max(1, t - t0)
        return w
    if name == "Adadelta":
        rho, eps = hp.get("rho", 0.9), hp.get("eps", 1e-6)
        st["s"] = rho * st.get("s", 0) + (1 - rho) * g * g
        delta = np.sqrt(st.get("a", 0) + eps) / np.sqrt(st["s"] + eps) * g
        st["a"] = rho * st.get("a", 0) + (1 - rho) * delta ** 2
        return w - lr * delta
    b1, b2 = hp.get("betas", (0.9, 0.999))
    eps = hp.get("eps", 1e-8)
    st["m"] = b1 * st.get("m", 0) + (1 - b1) * g
    if name == "Adamax":
        st["u"] = np.maximum(b2 * st.get("u", 0), np.abs(g) + eps)
        return w - lr / (1 - b1 ** t) * st["m"] / st["u"]
    st["v"] = b2 * st.get("v", 0) + (1 - b2) * g * g
    if name == "NAdam":
        psi = hp.get("momentum_decay", 4e-3)
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        st["prod"] = st.get("prod", 1.0) * mu
        d = np.sqrt(st["v"] / (1 - b2 ** t)) + eps
        return (w - lr * (1 - mu) / (1 - st["prod"]) * g / d
                - lr * mu_next / (1 - st["prod"] * mu_next) * st["m"] / d)
    m_hat = st["m"] / (1 - b1 ** t)
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
    if rho_t <= 5:
        return w - lr * m_hat
    r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    return w - lr * m_hat * r * np.sqrt(1 - b2 ** t) / (np.sqrt(st["v"]) + eps)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_matches_the_formula(name, kw):
    assert_matches_the_formula(name, kw, formula_step)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_matches_pytorch(name, kw, torch64):
    assert_matches_pytorch(torch64, name, kw)


def test_asgd_averaged_weights_match_pytorch(torch64):
    torch = torch64
    weights, x, y = mlp_arrays()
    params = [tl.tensor(w.copy(), requires_grad=True) for w in weights]
    tparams = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
    kw = dict(lr=0.05, lambd=0.01, t0=5)
    opt, topt = optim.ASGD(params, **kw), torch.optim.ASGD(tparams, **kw)
    for _ in range(STEPS):
        tl_grads(params, x, y)
        opt.step()
        topt.zero_grad()
        mlp_loss(tparams, torch.tensor(x), torch.tensor(y)).backward()
        topt.step()
    for p, q in zip(params, tparams):
        np.testing.assert_allclose(opt.state[p]["ax"], topt.state[q]["ax"].numpy(), rtol=0,
                                   atol=1e-10)
        assert not np.allclose(opt.state[p]["ax"], p.detach().numpy())   # t0 = 5 < 20 steps


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_defaults_and_state_keys_are_pytorchs(name, kw, torch64):
    torch = torch64
    ours = getattr(optim, name)([tl.ones(2, requires_grad=True)])
    theirs = getattr(torch.optim, name)([torch.ones(2, requires_grad=True)])
    internal = {"foreach", "maximize", "capturable", "differentiable"}
    expected = {k: v for k, v in theirs.defaults.items() if k not in internal}
    assert ours.defaults == expected
    ours.param_groups[0]["params"][0].grad = tl.ones(2)
    ours.step()
    theirs.param_groups[0]["params"][0].grad = torch.ones(2)
    theirs.step()
    assert set(ours.state_dict()["state"][0]) == set(theirs.state_dict()["state"][0])


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_state_dict_resume_is_exact(name, kw):
    assert_state_dict_resume_is_exact(name, kw)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_float32_parameters_stay_float32(name, kw):
    w = tl.tensor(np.linspace(-1, 1, 6, dtype=np.float32), requires_grad=True)
    opt = getattr(optim, name)([w], **kw)
    for _ in range(3):
        w.grad = tl.tensor(np.linspace(2, -1, 6))          # float64 grads are cast
        opt.step()
    assert w.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[w].values()
               if isinstance(v, np.ndarray))


def quadratic(module, x):
    A = module.tensor([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]], dtype=x.dtype)
    b = module.tensor([1.0, -2.0, 0.5], dtype=x.dtype)
    return 0.5 * (x * (A @ x)).sum() - (b * x).sum()


def rosenbrock(module, x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


@pytest.mark.parametrize("problem", [quadratic, rosenbrock])
@pytest.mark.parametrize("kw", LBFGS_CASES)
def test_lbfgs_matches_pytorch(problem, kw, torch64):
    torch = torch64
    start = np.array([-1.2, 1.0, 0.8, -0.5]) if problem is rosenbrock else np.zeros(3)
    halves = [start[:2], start[2:]]                     # two parameters, one flat vector
    ours = [tl.tensor(h.copy(), requires_grad=True) for h in halves]
    theirs = [torch.tensor(h.copy(), requires_grad=True) for h in halves]
    runs = []
    for module, params, opt_class in ((tl, ours, optim.LBFGS), (torch, theirs,
                                                                torch.optim.LBFGS)):
        opt = opt_class(params, **kw)
        calls = []

        def closure():
            opt.zero_grad()
            loss = problem(module, module.cat(params))
            loss.backward()
            calls.append(float(loss.detach()))
            return loss
        steps = [float(opt.step(closure).detach()) for _ in range(5)]
        state = opt.state[params[0]]
        runs.append((steps, calls, state["n_iter"], state["func_evals"],
                     np.concatenate([p.detach().numpy() for p in params])))
    (steps, calls, n_iter, evals, x), (t_steps, t_calls, t_n_iter, t_evals, t_x) = runs
    assert (n_iter, evals, len(calls)) == (t_n_iter, t_evals, len(t_calls))
    np.testing.assert_allclose(calls, t_calls, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(steps, t_steps, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(x, t_x, rtol=0, atol=1e-10)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_solves_the_quadratic(line_search_fn):
    x = tl.zeros(3, dtype=tl.float64, requires_grad=True)
    opt = optim.LBFGS([x], line_search_fn=line_search_fn, max_iter=50, tolerance_grad=1e-12,
                      tolerance_change=1e-15)

    def closure():
        opt.zero_grad()
        loss = quadratic(tl, x)
        loss.backward()
        return loss
    for _ in range(3):
        opt.step(closure)
    A = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
    np.testing.assert_allclose(x.detach().numpy(), np.linalg.solve(A, [1.0, -2.0, 0.5]),
                               atol=1e-10)


def test_lbfgs_state_dict_resume_is_exact():
    def make():
        x = tl.tensor([-1.2, 1.0, 0.5], dtype=tl.float64, requires_grad=True)
        opt = optim.LBFGS([x], max_iter=3, history_size=4, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = rosenbrock(tl, x)
            loss.backward()
            return loss
        return x, opt, closure
    x, opt, closure = make()
    for _ in range(3):
        opt.step(closure)
    saved = opt.state_dict()
    x2, opt2, closure2 = make()
    x2.data = tl.tensor(x.detach().numpy().copy())
    opt2.load_state_dict(saved)
    assert len(saved["state"][0]["old_dirs"]) == 4
    for _ in range(3):
        opt.step(closure)
        opt2.step(closure2)
    np.testing.assert_array_equal(x.detach().numpy(), x2.detach().numpy())


def test_lbfgs_arguments():
    a, b = tl.ones(2, requires_grad=True), tl.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(ValueError, match="LBFGS: invalid line_search_fn='wolfe'; only None "
                                         "and 'strong_wolfe'"):
        optim.LBFGS([a], line_search_fn="wolfe")
    with pytest.raises(ValueError, match="LBFGS: invalid history_size=0"):
        optim.LBFGS([a], history_size=0)
    opt = optim.LBFGS([a], max_iter=8)
    assert opt.param_groups[0]["max_eval"] == 10                 # max_iter * 5 // 4
    with pytest.raises(TypeError):
        opt.step()                                               # a closure is required


@pytest.mark.parametrize("make,match", [
    (lambda w: optim.Adamax([w], betas=(0.9, 1.0)), r"Adamax: invalid betas\[1\]=1.0"),
    (lambda w: optim.NAdam([w], momentum_decay=-1), "NAdam: invalid momentum_decay=-1"),
    (lambda w: optim.RAdam([w], eps=-1), "RAdam: invalid eps=-1"),
    (lambda w: optim.Adadelta([w], rho=1.5), r"Adadelta: invalid rho=1.5; it must be in \[0, 1\]"),
    (lambda w: optim.ASGD([w], lr=-1), "ASGD: invalid lr=-1"),
    (lambda w: optim.Rprop([w], etas=(1.5, 2.0)), r"Rprop: invalid etas=\(1.5, 2.0\)"),
    (lambda w: optim.Rprop([w], step_sizes=1e-6), "Rprop: invalid step_sizes=1e-06"),
])
def test_bad_arguments_are_rejected(make, match):
    w = tl.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match=match):
        make(w)
