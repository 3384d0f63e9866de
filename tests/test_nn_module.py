"""nn.Module and the containers: parameter discovery by walking __dict__, buffers, shared
submodules, train/eval, state_dict round trips and their errors, dtype conversion in place,
freezing, repr."""
import numpy as np
import pytest

import nn
import tinygrad_lite as tl


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.act = nn.RReLU()
        self.scale = nn.Parameter(np.ones(4, np.float32))
        self.register_buffer("running", tl.zeros(4))
        self.plain = tl.ones(3)              # a plain Tensor: neither parameter nor buffer
        self.register_buffer("steps", tl.tensor(0))     # an int64 buffer
        self.register_buffer("cache", tl.zeros(2), persistent=False)

    def forward(self, x):
        return self.act(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.heads = [nn.Linear(4, 2), nn.Linear(4, 1)]   # a plain list is walked too
        self.extra = {"out": nn.Sequential(nn.Linear(2, 2), nn.ELU())}

    def forward(self, x):
        h = self.block(x)
        return self.extra["out"](self.heads[0](h)).sum() + self.heads[1](h).sum()


def test_parameters_in_attribute_order_with_dotted_names():
    names = [n for n, _ in Net().named_parameters()]
    # PyTorch's order: a module's own parameters, then its children's
    assert names == ["block.scale", "block.fc.weight", "block.fc.bias", "heads.0.weight",
                     "heads.0.bias", "heads.1.weight", "heads.1.bias", "extra.out.0.weight",
                     "extra.out.0.bias"]
    net = Net()
    assert net.num_parameters() == 12 + 4 + 4 + 8 + 2 + 4 + 1 + 4 + 2
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())


def test_buffers_are_state_but_not_parameters():
    block = Block()
    assert [n for n, _ in block.named_buffers()] == ["running", "steps", "cache"]
    assert list(block.state_dict()) == ["scale", "running", "steps", "fc.weight", "fc.bias"]
    assert all(not isinstance(b, nn.Parameter) for b in block.buffers())
    block.running = tl.ones(4)                         # reassigned: still a buffer
    assert block.state_dict()["running"].tolist() == [1.0] * 4
    assert all(b is not block.plain for b in block.buffers())
    assert block.double().plain.dtype == tl.float32     # .to leaves plain attributes alone
    assert not any(b is p for b in block.buffers() for p in block.parameters())
    with pytest.raises(TypeError, match="not a Parameter"):
        block.register_buffer("w", nn.Parameter(np.ones(2)))
    with pytest.raises(KeyError, match="without '.'"):
        block.register_buffer("a.b", tl.zeros(1))
    block.register_buffer("running", None)             # PyTorch's optional buffer
    assert "running" not in block.state_dict() and block.running is None


def test_shared_submodule_and_parameter_yield_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.modules())) == 3 and len(model) == 3
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]  # PyTorch
    tied = nn.Module()
    tied.a, tied.b = nn.Linear(2, 2), nn.Linear(2, 2)
    tied.b.weight = tied.a.weight
    assert len(list(tied.parameters())) == 3


def test_train_eval_reach_nested_modules():
    net = Net()
    net.eval()
    assert all(not m.training for m in net.modules())
    assert not net.extra["out"][1].training and not net.block.act.training
    assert net.train() is net and all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="must be a bool"):
        net.train("no")


def test_module_without_super_init_still_has_training_and_params():
    class Bare(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 1)

        def forward(self, x):
            return self.fc(x)

    bare = Bare()
    assert bare.training and len(list(bare.parameters())) == 2
    assert not bare.eval().training


def test_zero_grad_and_freezing():
    net = Net()
    net(tl.randn(5, 3)).backward()
    assert all(p.grad is not None for p in net.parameters())
    grads = [p.grad for p in net.parameters()]
    net.zero_grad(set_to_none=False)                    # in place: the same grad Tensors
    assert all(p.grad is g and not g._data.any() for p, g in zip(net.parameters(), grads))
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.block.requires_grad_(False)                     # transfer learning: freeze the body
    net(tl.randn(5, 3)).backward()
    assert all(p.grad is None for p in net.block.parameters())
    assert all(p.grad is not None for n, p in net.named_parameters() if not n.startswith("block"))


def test_state_dict_round_trip_and_detached_values():
    a, b = Net(), Net()
    a.block.running.fill_(3.0)
    state = a.state_dict()
    assert all(not t.requires_grad and t.grad_fn is None for t in state.values())
    b.load_state_dict(state)
    x = tl.randn(4, 3)
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x)._data, b(x)._data)
    np.testing.assert_array_equal(b.block.running._data, 3.0)
    c = Net()
    c.load_state_dict({k: v.numpy() for k, v in state.items()})   # NumPy arrays work too
    np.testing.assert_array_equal(c.heads[1].weight._data, a.heads[1].weight._data)


def test_load_state_dict_lists_every_bad_key():
    net = Net()
    state = net.state_dict()
    del state["block.fc.bias"], state["heads.1.weight"]
    state["bogus"] = tl.zeros(1)
    state["other.weight"] = tl.zeros(1)
    state["heads.0.weight"] = tl.zeros(5, 4)
    before = net.block.fc.weight._data.copy()
    state["block.fc.weight"] = tl.ones(4, 3)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(state)
    message = str(info.value)
    for part in ["Net", "missing key(s): block.fc.bias, heads.1.weight",
                 "unexpected key(s): bogus, other.weight",
                 "heads.0.weight: checkpoint shape (5, 4), model shape (2, 4)"]:
        assert part in message
    np.testing.assert_array_equal(net.block.fc.weight._data, before)  # nothing was copied
    state["heads.0.weight"] = tl.zeros(2, 4)
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["block.fc.bias", "heads.1.weight"]
    assert result.unexpected_keys == ["bogus", "other.weight"]
    np.testing.assert_array_equal(net.block.fc.weight._data, 1.0)


def test_double_keeps_identity_and_converts_grads_and_float_buffers():
    net = Net()
    params = list(net.parameters())
    net(tl.randn(2, 3)).backward()
    assert net.double() is net
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert all(p.dtype == tl.float64 and p.grad.dtype == tl.float64 for p in params)
    assert net.block.running.dtype == tl.float64 and net.block.steps.dtype == tl.int64
    assert net(tl.randn(2, 3, dtype=tl.float64)).dtype == tl.float64
    net.float()
    assert all(p.dtype == tl.float32 for p in params)
    with pytest.raises(TypeError, match="floating dtype"):
        net.to(tl.int64)


def test_apply_visits_children_first():
    seen = []
    model = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_call_records_the_module_scope_and_forward_is_required():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer)
    out = model(tl.randn(1, 2))
    assert out.grad_fn.modules == (model, layer)
    with pytest.raises(NotImplementedError, match="Module: define forward"):
        nn.Module()(tl.zeros(1))


def test_sequential_indexing_slicing_and_module_list():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == [b, c]
    assert list(tail.state_dict()) == ["2.weight", "2.bias"]    # names kept, as in PyTorch
    with pytest.raises(IndexError, match="index 3 is out of range for 3 modules"):
        seq[3]
    with pytest.raises(TypeError, match="entry 1 is a int, not an nn.Module"):
        nn.Sequential(a, 3)
    named = nn.Sequential({"fc": nn.Linear(2, 2), "act": nn.Tanh()})
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"] and named.act is named[1]
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers.append(nn.Linear(2, 1))
    assert len(layers) == 4 and len(list(layers.parameters())) == 8
    assert list(layers[2:].state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_repr_matches_pytorch():
    torch = pytest.importorskip("torch")

    def build(m):
        return m.Sequential(m.Linear(8, 4), m.Sequential(m.LeakyReLU(), m.Linear(4, 2)),
                            m.Softmax(dim=1))
    assert repr(build(nn)) == repr(build(torch.nn))


def test_repr_snapshot_and_parameter_repr():
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 2))
    assert repr(model) == ("Sequential(\n"
                           "  (0): Linear(in_features=2, out_features=5, bias=True)\n"
                           "  (1): ReLU()\n"
                           "  (2): Linear(in_features=5, out_features=2, bias=True)\n"
                           ")")
    assert repr(nn.Parameter(np.zeros(2, np.float32))) == \
        "Parameter containing:\ntensor([0., 0.], requires_grad=True)"
    assert nn.Parameter(np.zeros(2)).dtype == tl.float64        # float64 arrays stay float64
    assert not nn.Parameter(tl.ones(2), requires_grad=False).requires_grad


def test_register_by_name_and_get_submodule():
    net = Net()
    net.add_module("head", nn.Linear(4, 1))
    net.register_module("skip", None)                 # an empty slot, as PyTorch allows
    net.register_parameter("temperature", nn.Parameter(np.ones(1)))
    net.register_parameter("offset", None)
    names = [n for n, _ in net.named_parameters()]
    assert names[-2:] == ["head.weight", "head.bias"] and "temperature" in names
    assert "offset" not in net.state_dict() and "skip" not in dict(net.named_children())
    assert net.get_submodule("") is net
    assert net.get_submodule("heads.1") is net.heads[1]          # an item of a plain list
    assert net.get_submodule("extra.out.1") is net.extra["out"][1]
    with pytest.raises(AttributeError, match=r"get_submodule\('block.nope.x'\): Block at "
                                             r"'block' has no submodule 'nope'; submodules "
                                             r"there: \['fc', 'act'\]"):
        net.get_submodule("block.nope.x")
    with pytest.raises(AttributeError, match="'weight' is a Parameter, not an nn.Module"):
        net.get_submodule("block.fc.weight")
    with pytest.raises(KeyError, match=r"add_module: name must be a non-empty string without "
                                       r"'.'"):
        net.add_module("a.b", nn.ReLU())
    with pytest.raises(KeyError, match="register_buffer: attribute 'temperature' already "
                                       "exists"):
        net.register_buffer("temperature", tl.zeros(1))       # a parameter's slot
    with pytest.raises(KeyError, match="attribute 'forward' already exists"):
        net.add_module("forward", nn.ReLU())
    with pytest.raises(TypeError, match=r"register_parameter\('w'\): expected an "
                                        r"nn.Parameter or None, got Tensor"):
        net.register_parameter("w", tl.zeros(1))
    with pytest.raises(TypeError, match="int is not an nn.Module subclass"):
        net.add_module("m", 3)


def test_module_dict_behaves_like_pytorchs():
    torch = pytest.importorskip("torch")
    ours = nn.ModuleDict({"enc": nn.Linear(3, 4), "act": nn.ReLU()})
    theirs = torch.nn.ModuleDict({"enc": torch.nn.Linear(3, 4), "act": torch.nn.ReLU()})
    for d, m in ((ours, nn), (theirs, torch.nn)):
        d["dec"] = m.Linear(4, 2)
        d.update([("act", m.Tanh())])                  # replacing keeps the key's place
        d.update({"extra": m.Identity()})
        del d["extra"]
    assert list(ours) == list(theirs) == ["enc", "act", "dec"]
    assert ours.keys() == list(theirs.keys()) and len(ours) == len(theirs) == 3
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    assert "dec" in ours and "nope" not in ours and isinstance(ours["act"], nn.Tanh)
    assert [k for k, _ in ours.items()] == ["enc", "act", "dec"]
    assert ours.values()[0] is ours.enc
    assert len(list(ours.parameters())) == 4
    assert isinstance(ours.pop("act"), nn.Tanh) and ours.keys() == ["enc", "dec"]
    holder = nn.Sequential(ours)
    assert holder.get_submodule("0.dec") is ours["dec"]
    with pytest.raises(KeyError, match=r"ModuleDict has no key 'nope'; keys: \['enc', 'dec'\]"):
        ours["nope"]
    with pytest.raises(TypeError, match="the value for key 'x' is a int, not an nn.Module"):
        ours["x"] = 3
    with pytest.raises(ValueError, match="element #0 must be a \\(key, module\\) pair"):
        ours.update([("a", nn.ReLU(), 1)])
    ours.clear()
    assert len(ours) == 0 and not list(ours.parameters())


def test_state_dict_prefix_keep_vars_and_non_persistent_buffers():
    torch = pytest.importorskip("torch")
    net = Block()
    assert "cache" not in net.state_dict() and "cache" in dict(net.named_buffers())
    state = net.state_dict(prefix="model.")
    assert list(state) == ["model.scale", "model.running", "model.steps", "model.fc.weight",
                           "model.fc.bias"]
    live = net.state_dict(keep_vars=True)
    assert live["scale"] is net.scale and live["fc.weight"].requires_grad
    into = {"other": tl.zeros(1)}
    assert net.state_dict(destination=into) is into and "fc.bias" in into
    # named_parameters(prefix, recurse) as in PyTorch
    tnet = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sequential(torch.nn.Linear(3, 1)))
    ours = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 1)))
    for kwargs in ({"prefix": "m"}, {"prefix": "m", "recurse": False}, {}):
        assert [n for n, _ in ours.named_parameters(**kwargs)] == \
            [n for n, _ in tnet.named_parameters(**kwargs)]
    assert [n for n, _ in ours[0].named_parameters("lin", False)] == ["lin.weight", "lin.bias"]


def test_forward_hooks_run_after_forward_and_can_be_removed():
    layer = nn.Linear(3, 2)
    seen = []
    handle = layer.register_forward_hook(lambda m, args, out: seen.append((m, args[0].shape,
                                                                           out.shape)))
    layer(tl.ones(4, 3))
    assert seen == [(layer, (4, 3), (4, 2))]
    handle.remove()
    layer(tl.ones(4, 3))
    assert len(seen) == 1
    doubled = layer.register_forward_hook(lambda m, args, out: out * 2)
    np.testing.assert_allclose(layer(tl.ones(1, 3))._data,
                               2 * (tl.ones(1, 3) @ layer.weight.T + layer.bias)._data)
    doubled.remove()


def test_summary_lists_layers_shapes_and_parameters_without_side_effects(capsys):
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    running = model[1].running_mean._data.copy()
    text = nn.summary(model, (5, 4))
    lines = text.splitlines()
    assert lines[2].split() == ["0", "Linear", "(5,", "8)", "40"]
    assert lines[-2].split()[:2] == ["(model)", "Sequential"]
    assert lines[-1] == "total parameters: 74 (trainable 74)"    # 40 + 16 + 18
    assert model.training and model[1].training          # mode restored
    np.testing.assert_array_equal(model[1].running_mean._data, running)
    assert capsys.readouterr().out.strip() == text
