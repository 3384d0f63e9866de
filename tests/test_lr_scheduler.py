"""Learning-rate schedules: closed forms, PyTorch's sequences, state_dict and resuming."""
import math

import pytest

import optim
import tinygrad_lite as tl
from optim import lr_scheduler

EPOCHS = 25
SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
]
IDS = [f"{name}-{kw}" for name, kw in SCHEDULES]
PLATEAU = [dict(), dict(mode="max", factor=0.5, patience=1, threshold=0.1),
           dict(patience=0, cooldown=2, min_lr=[0.02, 0.001], threshold_mode="abs",
                threshold=0.05)]
METRIC = [1.0, 0.9, 0.95, 0.97, 0.99, 0.8, 0.8, 0.81, 0.85, 0.7, 0.71, 0.72, 0.73, 0.74,
          0.6, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68, 0.69, 0.70]


def make_optimizer():
    a, b = tl.ones(2, requires_grad=True), tl.ones(3, requires_grad=True)
    return optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1, momentum=0.9)


def run(scheduler, epochs=EPOCHS, metrics=None):
    lrs = [scheduler.get_last_lr()]
    for epoch in range(epochs):
        scheduler.optimizer.step()
        scheduler.step(*([metrics[epoch]] if metrics else []))
        lrs.append(scheduler.get_last_lr())
    return lrs


def closed_form(name, kw, base, t):
    if name == "StepLR":
        return base * kw["gamma"] ** (t // kw["step_size"])
    if name == "ExponentialLR":
        return base * kw["gamma"] ** t
    eta_min = kw.get("eta_min", 0.0)
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / kw["T_max"])) / 2


@pytest.mark.parametrize("name,kw", SCHEDULES, ids=IDS)
def test_schedule_follows_the_closed_form(name, kw):
    opt = make_optimizer()
    lrs = run(getattr(lr_scheduler, name)(opt, **kw))
    for t, (lr0, lr1) in enumerate(lrs):
        assert lr0 == pytest.approx(closed_form(name, kw, 0.1, t), rel=1e-9, abs=1e-15)
        assert lr1 == pytest.approx(closed_form(name, kw, 0.05, t), rel=1e-9, abs=1e-15)
    assert [g["lr"] for g in opt.param_groups] == lrs[-1]
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]


@pytest.mark.parametrize("name,kw", SCHEDULES, ids=IDS)
def test_schedule_matches_pytorch(name, kw):
    torch = pytest.importorskip("torch")
    ours = run(getattr(lr_scheduler, name)(make_optimizer(), **kw))
    a, b = torch.ones(2, requires_grad=True), torch.ones(3, requires_grad=True)
    topt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1)
    theirs = run(getattr(torch.optim.lr_scheduler, name)(topt, **kw))
    assert ours == theirs


@pytest.mark.parametrize("kw", PLATEAU)
def test_plateau_matches_pytorch(kw):
    torch = pytest.importorskip("torch")
    ours = run(lr_scheduler.ReduceLROnPlateau(make_optimizer(), **kw), metrics=METRIC)
    a, b = torch.ones(2, requires_grad=True), torch.ones(3, requires_grad=True)
    topt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1)
    theirs = run(torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw), metrics=METRIC)
    assert ours == theirs


def test_plateau_reduces_after_patience_and_respects_min_lr():
    opt = make_optimizer()
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5, min_lr=0.03)
    lrs = run(sched, epochs=8, metrics=[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    # bad epochs 1, 2, 3 -> the third exceeds patience=2: halve (0.05 is already above 0.03)
    assert [lr[0] for lr in lrs] == [0.1] * 4 + [0.05] * 3 + [0.03] * 2
    assert [lr[1] for lr in lrs] == [0.05] * 4 + [0.03] * 5
    assert sched.last_epoch == 8


@pytest.mark.parametrize("name,kw", SCHEDULES, ids=IDS)
def test_state_dict_resume(name, kw):
    opt = make_optimizer()
    sched = getattr(lr_scheduler, name)(opt, **kw)
    run(sched, epochs=4)
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 4
    expected = run(sched, epochs=6)
    opt2 = make_optimizer()
    opt2.load_state_dict(saved_opt)
    sched2 = getattr(lr_scheduler, name)(opt2, **kw, last_epoch=saved["last_epoch"] - 1)
    sched2.load_state_dict(saved)
    assert run(sched2, epochs=6) == expected


def test_resuming_needs_initial_lr_and_an_optimizer():
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(make_optimizer(), step_size=2, last_epoch=3)
    with pytest.raises(TypeError, match="expected an optim.Optimizer"):
        lr_scheduler.ExponentialLR("sgd", gamma=0.9)
    with pytest.raises(ValueError, match="factor must be < 1"):
        lr_scheduler.ReduceLROnPlateau(make_optimizer(), factor=1.5)
    with pytest.raises(ValueError, match="expected 2 min_lr values"):
        lr_scheduler.ReduceLROnPlateau(make_optimizer(), min_lr=[0.1])
