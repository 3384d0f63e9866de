"""The schedules added next to StepLR & co.: the rate (and cycled momentum) sequences equal
PyTorch's over 50 steps, state_dict resume, closed forms, and argument checks."""
import math

import numpy as np
import pytest

import optim
import tinygrad_lite as tl
from optim import lr_scheduler

STEPS = 50


class Halving:
    """A callable object: LambdaLR saves its __dict__ (a plain lambda is not saved)."""

    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


SCHEDULES = {
    "LambdaLR": lambda L, o: L.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-per-group": lambda L, o: L.LambdaLR(o, [Halving(7), lambda e: 1 / (1 + e)]),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 1.0),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.5),
    "ConstantLR": lambda L, o: L.ConstantLR(o),
    "ConstantLR-8": lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=8),
    "LinearLR": lambda L, o: L.LinearLR(o),
    "LinearLR-down": lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.05,
                                             total_iters=30),
    "LinearLR-up": lambda L, o: L.LinearLR(o, start_factor=0.1, end_factor=0.8,
                                           total_iters=20),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o),
    "PolynomialLR-2": lambda L, o: L.PolynomialLR(o, total_iters=30, power=2.0),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=STEPS),
    "OneCycleLR-linear-3": lambda L, o: L.OneCycleLR(
        o, max_lr=[0.5, 0.2], epochs=10, steps_per_epoch=5, pct_start=0.25,
        anneal_strategy="linear", three_phase=True, div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR-no-momentum": lambda L, o: L.OneCycleLR(o, max_lr=0.3, total_steps=60,
                                                        cycle_momentum=False),
    "CyclicLR": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5),
    "CyclicLR-triangular2": lambda L, o: L.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=4, step_size_down=3,
        mode="triangular2", base_momentum=0.7, max_momentum=0.95),
    "CyclicLR-exp_range": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=6,
                                                  mode="exp_range", gamma=0.97),
    "CyclicLR-scale_fn": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                 scale_fn=lambda x: 0.9 ** x,
                                                 scale_mode="iterations",
                                                 cycle_momentum=False),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5),
    "CosineAnnealingWarmRestarts-T_mult": lambda L, o: L.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001),
    "SequentialLR": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=5),
            L.CosineAnnealingLR(o, T_max=20, eta_min=0.01)], milestones=[5]),
    "SequentialLR-3": lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, factor=0.3, total_iters=10), L.ExponentialLR(o, gamma=0.9),
            L.MultiplicativeLR(o, lambda e: 0.97), L.StepLR(o, step_size=4)],
        milestones=[3, 10, 25]),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.5, total_iters=4), L.ExponentialLR(o, gamma=0.9)]),
    "ChainedScheduler-warmup-cosine": lambda L, o: L.ChainedScheduler(
        [L.LinearLR(o, start_factor=0.2, total_iters=6), L.CosineAnnealingLR(o, T_max=10)],
        optimizer=o),
}
ADAM = {"OneCycleLR", "CyclicLR-triangular2"}     # these cycle Adam's beta1


def make_optimizer(module, adam=False):
    if module is tl:
        a, b = tl.ones(2, requires_grad=True), tl.ones(3, requires_grad=True)
        opt_module = optim
    else:
        a, b = module.ones(2, requires_grad=True), module.ones(3, requires_grad=True)
        opt_module = module.optim
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if adam:
        return opt_module.Adam(groups, lr=0.1)
    return opt_module.SGD(groups, lr=0.1, momentum=0.9)


def momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def run(scheduler, steps=STEPS):
    """[(lrs, momenta)] after construction and after each step."""
    trace = [(scheduler.get_last_lr(), momenta(scheduler.optimizer))]
    for _ in range(steps):
        scheduler.optimizer.step()
        scheduler.step()
        trace.append((scheduler.get_last_lr(), momenta(scheduler.optimizer)))
    return trace


def build(name, module):
    L = lr_scheduler if module is tl else module.optim.lr_scheduler
    opt = make_optimizer(module, adam=name in ADAM)
    return SCHEDULES[name](L, opt), opt


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    ours = run(build(name, tl)[0])
    theirs = run(build(name, torch)[0])
    for t, ((lr, mom), (t_lr, t_mom)) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(lr, t_lr, rtol=1e-15, atol=0, err_msg=f"lr at step {t}")
        np.testing.assert_allclose(mom, t_mom, rtol=1e-15, atol=0,
                                   err_msg=f"momentum at step {t}")
    assert len({tuple(lr) for lr, _ in ours}) > 1          # the rate did change


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_state_dict_resume(name):
    scheduler, opt = build(name, tl)
    run(scheduler, 7)
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    assert "optimizer" not in saved
    expected = run(scheduler, 12)
    scheduler2, opt2 = build(name, tl)
    opt2.load_state_dict(saved_opt)
    scheduler2.load_state_dict(saved)
    assert run(scheduler2, 12) == expected


def test_lambda_functions_are_not_saved_but_callable_objects_are():
    opt = make_optimizer(tl)
    halving = Halving(3)
    scheduler = lr_scheduler.LambdaLR(opt, [halving, lambda e: 1.0])
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [{"every": 3}, None]
    halving.every = 10
    scheduler.load_state_dict(saved)
    assert halving.every == 3 and "lr_lambdas" in saved


@pytest.mark.parametrize("T_mult", [1, 2])
def test_warm_restarts_with_fractional_epochs_match_pytorch(T_mult):
    torch = pytest.importorskip("torch")
    traces = []
    for module, L in ((tl, lr_scheduler), (torch, torch.optim.lr_scheduler)):
        scheduler = L.CosineAnnealingWarmRestarts(make_optimizer(module), T_0=3, T_mult=T_mult,
                                                  eta_min=0.002)
        trace = []
        for epoch in range(12):
            for i in range(4):                        # stepped after each of 4 batches
                scheduler.step(epoch + i / 4)
                trace.append(scheduler.get_last_lr() + [scheduler.T_cur, scheduler.T_i])
        traces.append(trace)
    np.testing.assert_allclose(traces[0], traces[1], rtol=1e-14)


def test_closed_forms():
    trace = run(build("LinearLR-up", tl)[0], 25)
    for t, (lr, _) in enumerate(trace):
        factor = 0.1 + (0.8 - 0.1) * min(t, 20) / 20
        assert lr == pytest.approx([0.1 * factor, 0.05 * factor], rel=1e-12)
    trace = run(build("PolynomialLR-2", tl)[0], 35)
    for t, (lr, _) in enumerate(trace):
        assert lr[0] == pytest.approx(0.1 * (1 - min(t, 30) / 30) ** 2, abs=1e-15)
    scheduler, _ = build("OneCycleLR", tl)
    trace = run(scheduler, STEPS - 1)
    lrs = [lr[0] for lr, _ in trace]
    assert lrs[0] == pytest.approx(0.5 / 25) and max(lrs) == pytest.approx(0.5)
    assert lrs[-1] == pytest.approx(0.5 / 25 / 1e4)
    assert int(np.argmax(lrs)) == 14                            # 0.3 * 50 - 1
    momentum = [m[0] for _, m in trace]
    assert momentum[0] == 0.95 and momentum[14] == pytest.approx(0.85)
    with pytest.raises(ValueError, match="tried to step 51 times; the specified number of "
                                         "total steps is 50"):
        for _ in range(2):
            scheduler.optimizer.step()
            scheduler.step()
    cyclic = [lr[0] for lr, _ in run(build("CyclicLR", tl)[0], 20)]
    assert cyclic[:6] == pytest.approx([0.01, 0.028, 0.046, 0.064, 0.082, 0.1])
    assert cyclic[10] == pytest.approx(0.01) and cyclic[15] == pytest.approx(0.1)


@pytest.mark.parametrize("make,error,match", [
    (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 1.0]), ValueError,
     "expected 2 lr_lambdas"),
    (lambda o: lr_scheduler.MultiplicativeLR(o, 0.9), TypeError,
     "lr_lambda should be a function, but got float"),
    (lambda o: lr_scheduler.ConstantLR(o, factor=2.0), ValueError, r"factor must be in \[0, 1\]"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError, "start_factor"),
    (lambda o: lr_scheduler.PolynomialLR(o, total_iters=0), ValueError, "total_iters"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1), ValueError, "either total_steps"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1),
     ValueError, "pct_start"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=[0.1], total_steps=10), ValueError,
     "max_lr must have the same length as optimizer.param_groups"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10,
                                       anneal_strategy="cosine"), ValueError, "'cos' or"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, mode="sine"), ValueError, "mode must be"),
    (lambda o: lr_scheduler.CyclicLR(optim.Adagrad(o.param_groups[0]["params"]), 0.01, 0.1),
     ValueError, "needs an optimizer with momentum or betas, Adagrad has neither"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), ValueError,
     "T_mult"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ConstantLR(o)], milestones=[2]),
     ValueError, "one milestone fewer than schedulers"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ReduceLROnPlateau(o)], []),
     ValueError, "does not support ReduceLROnPlateau"),
    (lambda o: lr_scheduler.ChainedScheduler([]), ValueError, "at least one scheduler"),
    (lambda o: lr_scheduler.ChainedScheduler(
        [lr_scheduler.ConstantLR(make_optimizer(tl)), lr_scheduler.ConstantLR(o)]),
     ValueError, "same optimizer, but the ConstantLR at index 1"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make(make_optimizer(tl))


def test_warm_restarts_negative_epoch():
    scheduler = lr_scheduler.CosineAnnealingWarmRestarts(make_optimizer(tl), T_0=2)
    with pytest.raises(ValueError, match="non-negative epoch"):
        scheduler.step(-1)
    assert math.isclose(scheduler.get_last_lr()[0], 0.1)
