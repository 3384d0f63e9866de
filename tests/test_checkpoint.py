"""Full checkpoints with tl.save / tl.load (no pickle): nested structures come back with
their types, resuming training from a checkpoint is bit-exact, and unsupported objects are
refused with their path inside the structure."""
import json
import math

import numpy as np
import pytest
from safetensors import safe_open

import nn
import optim
import tinygrad_lite as tl
from optim import lr_scheduler


def test_nested_structure_comes_back_with_its_types(tmp_path):
    shared = tl.randn(3)
    obj = {"tensor": tl.tensor([[1.0, 2.0]], dtype=tl.float64), "array": np.arange(4),
           "ints": {0: "zero", 7: [1, 2.5, True, None]}, "pair": (0.9, 0.999),
           "nested": [{"a": (shared, shared)}, []], "inf": math.inf, "empty": {},
           "numpy_scalar": np.float32(0.25), "param": tl.ones(2, requires_grad=True)}
    path = tmp_path / "ckpt.pt"
    tl.save(obj, path)
    back = tl.load(path)
    assert list(back) == list(obj)
    assert isinstance(back["tensor"], tl.Tensor) and back["tensor"].dtype == tl.float64
    np.testing.assert_array_equal(back["tensor"].numpy(), [[1.0, 2.0]])
    assert type(back["array"]) is np.ndarray and back["array"].dtype == np.int64
    assert back["ints"] == {0: "zero", 7: [1, 2.5, True, None]}
    assert type(back["ints"][7][0]) is int and type(back["ints"][7][2]) is bool
    assert back["pair"] == (0.9, 0.999) and isinstance(back["pair"], tuple)
    first, second = back["nested"][0]["a"]
    assert first is second                                  # one object saved twice
    np.testing.assert_array_equal(first.numpy(), shared.numpy())
    assert back["nested"][1] == [] and back["empty"] == {} and back["inf"] == math.inf
    assert type(back["numpy_scalar"]) is np.float32 and back["numpy_scalar"] == 0.25
    assert back["param"].requires_grad and not back["tensor"].requires_grad


def test_arrays_are_named_by_their_place_and_the_structure_is_json(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    model = nn.Linear(2, 1)
    tl.save({"model": model.state_dict(), "steps": [tl.zeros(1)], "a.b": tl.ones(1),
             "a": {"b": tl.zeros(1)}}, path)
    with safe_open(str(path), "numpy") as f:
        assert set(f.keys()) == {"model.weight", "model.bias", "steps.0", "a.b", "a.b#1"}
        structure = json.loads(f.metadata()["structure"])
    assert structure["dict"][0] == ["model", {"dict": [["weight", {"tensor": "model.weight"}],
                                                      ["bias", {"tensor": "model.bias"}]]}]
    back = tl.load(path)
    assert back["a.b"].item() == 1 and back["a"]["b"].item() == 0


def test_a_flat_state_dict_is_still_a_plain_safetensors_file(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    path = tmp_path / "model.pt"
    tl.save(model, path)                                     # a Module: its state_dict
    with safe_open(str(path), "numpy") as f:
        assert set(f.metadata()) == {"order"}
    assert list(tl.load(path)) == list(model.state_dict())


def test_save_names_the_path_of_what_it_cannot_save(tmp_path):
    path = tmp_path / "x.pt"
    opt_state = {"state": {0: {"step": {1, 2}}}, "param_groups": []}
    with pytest.raises(TypeError, match=r"save: obj\['optimizer'\]\['state'\]\[0\]\['step'\] "
                                        r"is a set; save takes dicts, lists and tuples .* "
                                        r"\(save it as a list"):
        tl.save({"optimizer": opt_state}, path)
    with pytest.raises(TypeError, match=r"obj\['models'\]\[1\] is a Linear; .*save its "
                                        r"state_dict\(\) instead"):
        tl.save({"models": [nn.Linear(1, 1).state_dict(), nn.Linear(1, 1)]}, path)
    with pytest.raises(TypeError, match=r"obj\[0\]\['fn'\] is a function; .*code is never"):
        tl.save([{"fn": lambda x: x}], path)
    with pytest.raises(TypeError, match=r"a key of obj is a tuple \(\(1, 2\)\); dict keys"):
        tl.save({(1, 2): 3}, path)
    with pytest.raises(TypeError, match=r"obj\['s'\] has dtype <U1"):
        tl.save({"s": np.array(["a"])}, path)
    loop = [1]
    loop.append({"again": loop})
    with pytest.raises(ValueError, match=r"obj\[1\]\['again'\] contains itself"):
        tl.save(loop, path)
    assert not path.exists()


def test_damaged_structure_metadata_names_the_path(tmp_path):
    from safetensors.numpy import save_file
    path = tmp_path / "bad.pt"
    save_file({"x": np.zeros(1)}, str(path), metadata={"structure": '{"set": [1]}'})
    with pytest.raises(ValueError, match=r"load: .*bad.pt.*structure in its metadata is "
                                         r"damaged"):
        tl.load(path)
    save_file({"x": np.zeros(1)}, str(path), metadata={"structure": '{"tensor": "y"}'})
    with pytest.raises(ValueError, match=r"bad.pt.* is not a readable safetensors file"):
        tl.load(path)


# ---- resuming: 10 steps, checkpoint, 10 more == 20 uninterrupted steps, bit for bit -------
def make_run(optimizer, seed):
    tl.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
    kw = dict(lr=0.01) if optimizer == "Adam" else dict(lr=0.05, momentum=0.9, nesterov=True)
    opt = getattr(optim, optimizer)(
        [{"params": model[0].parameters()},
         {"params": list(model[1].parameters()) + list(model[3].parameters()), "lr": 0.02}],
        **kw)
    return model, opt, lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)


def train(model, opt, sched, steps):
    data = np.random.default_rng(0).standard_normal((20, 16, 5)).astype(np.float32)
    for step in steps:
        x, y = tl.tensor(data[step, :, :4]), tl.tensor(data[step, :, 4:])
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        sched.step()


@pytest.mark.parametrize("optimizer", ["Adam", "SGD"])
def test_resuming_from_a_checkpoint_is_exact(tmp_path, optimizer):
    straight = make_run(optimizer, seed=0)
    train(*straight, range(20))

    model, opt, sched = make_run(optimizer, seed=0)
    train(model, opt, sched, range(10))
    tl.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
             "scheduler": sched.state_dict(), "epoch": 10}, tmp_path / "ckpt.pt")

    model, opt, sched = make_run(optimizer, seed=1)          # fresh objects, other weights
    ckpt = tl.load(tmp_path / "ckpt.pt")
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    sched.load_state_dict(ckpt["scheduler"])
    assert ckpt["epoch"] == 10
    assert sched.last_epoch == 10 and sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
    train(model, opt, sched, range(10, 20))
    expected = straight[0].state_dict()
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), expected[name].numpy(), err_msg=name)
    assert sched.get_last_lr() == straight[2].get_last_lr()


def test_optimizer_state_keeps_int_keys_tuples_and_arrays(tmp_path):
    w = tl.ones(3, requires_grad=True)
    opt = optim.Adam([w], betas=(0.8, 0.9))
    w.grad = tl.ones(3)
    opt.step()
    tl.save(opt.state_dict(), tmp_path / "opt.pt")
    back = tl.load(tmp_path / "opt.pt")
    assert list(back["state"]) == [0] and back["state"][0]["step"] == 1
    assert type(back["state"][0]["exp_avg"]) is np.ndarray
    assert back["param_groups"][0]["betas"] == (0.8, 0.9)
    assert back["param_groups"][0]["params"] == [0]


@pytest.mark.parametrize("make", [
    lambda opt: lr_scheduler.StepLR(opt, step_size=2),
    lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.9),
    lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=0.01),
    lambda opt: lr_scheduler.ReduceLROnPlateau(opt, patience=1)],
    ids=["StepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau"])
def test_every_scheduler_state_survives_save_and_load(tmp_path, make):
    def fresh():
        opt = optim.SGD([tl.ones(2, requires_grad=True)], lr=0.1)
        return opt, make(opt)

    def steps(opt, sched, metrics):
        lrs = []
        for metric in metrics:
            opt.step()
            sched.step(metric) if isinstance(sched, lr_scheduler.ReduceLROnPlateau) \
                else sched.step()
            lrs.append(sched.get_last_lr())
        return lrs

    opt, sched = fresh()
    saved_state = sched.state_dict()                          # ReduceLROnPlateau: best = inf
    assert "optimizer" not in saved_state
    steps(opt, sched, [1.0, 2.0, 3.0])
    tl.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()},
            tmp_path / "s.pt")
    expected = steps(opt, sched, [3.0, 4.0, 0.5, 0.6])
    opt2, sched2 = fresh()
    ckpt = tl.load(tmp_path / "s.pt")
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    assert steps(opt2, sched2, [3.0, 4.0, 0.5, 0.6]) == expected
    tl.save(saved_state, tmp_path / "initial.pt")
    assert tl.load(tmp_path / "initial.pt") == saved_state


def test_load_takes_torch_load_arguments(tmp_path):
    tl.save({"w": tl.ones(2)}, tmp_path / "m.pt")
    for where in ("cpu", "cuda:0", tl.device("cpu"), None):
        assert tl.load(tmp_path / "m.pt", map_location=where, weights_only=True)["w"].shape \
            == (2,)
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        tl.load(tmp_path / "m.pt", map_location="tpu")
    with pytest.raises(ValueError, match="weights_only=False is not supported: tl.load never "
                                         "runs code"):
        tl.load(tmp_path / "m.pt", weights_only=False)


def test_parameters_kept_as_variables_keep_requires_grad(tmp_path):
    model = nn.Linear(2, 1)
    tl.save(model.state_dict(keep_vars=True), tmp_path / "vars.pt")
    back = tl.load(tmp_path / "vars.pt")
    assert list(back) == ["weight", "bias"] and back["weight"].requires_grad
    np.testing.assert_array_equal(back["bias"].detach().numpy(), model.bias.detach().numpy())
