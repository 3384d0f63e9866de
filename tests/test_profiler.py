"""tl.autograd.profiler: op counts of a known model, self vs total time, the table, and that
nothing stays patched when no profile is active."""
import json

import pytest

import nn
import tinygrad_lite as tl
from tinygrad_lite.autograd import profiler


def moons_step(model, x, y):
    loss = nn.BCELoss()(model(x), y)
    loss.backward()


def lecture_net():
    return nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 2), nn.ReLU(),
                         nn.Linear(2, 1), nn.Sigmoid())


def test_counts_of_a_known_model():
    model, x, y = lecture_net(), tl.randn(16, 2), tl.rand(16, 1)
    moons_step(model, x, y)                       # compile the kernels outside the profile
    with profiler.profile(record_shapes=True) as prof:
        with profiler.record_function("train_step"):
            moons_step(model, x, y)
    counts = {row.key: row.count for row in prof.key_averages()}
    assert counts["linear"] == 3 and counts["LinearBackward"] == 3
    assert counts["relu"] == 2 and counts["ReLUBackward"] == 2
    assert counts["sigmoid"] == 1 and counts["train_step"] == 1
    step = next(e for e in prof.events() if e.name == "train_step")
    inner = sum(e.self_cpu_time_total for e in prof.events() if e is not step)
    assert step.cpu_time_total >= inner and step.self_cpu_time_total >= 0
    by_shape = {(r.key, r.input_shapes) for r in prof.key_averages(group_by_input_shape=True)}
    assert ("linear", "[[16, 2], [5, 2], [5]]") in by_shape
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=5)
    assert "Self CPU %" in table and "# of Calls" in table and len(table.splitlines()) == 10


def test_backward_of_the_ops_inside_a_backward_is_nested():
    x = tl.randn(3, dtype=tl.float64, requires_grad=True)
    with profiler.profile() as prof:
        (g,) = tl.grad((x * x).sum(), x, create_graph=True)
    mul_backward = next(e for e in prof.events() if e.name == "MulBackward")
    assert mul_backward.cpu_time_total > mul_backward.self_cpu_time_total


def test_nothing_is_patched_outside_a_profile():
    original = tl.Function.__dict__["apply"]
    with profiler.profile():
        assert tl.Function.__dict__["apply"] is not original
        with profiler.profile():
            pass
        assert tl.Function.__dict__["apply"] is not original   # the outer one still records
    assert tl.Function.__dict__["apply"].__func__ is original.__func__
    from tinygrad_lite.autograd import engine
    assert engine._backward_observer is None


def test_disabled_profile_and_bad_sort_key(tmp_path):
    with profiler.profile(enabled=False) as prof:
        tl.ones(2) + 1
    assert len(prof.events()) == 0
    with profiler.profile() as prof:
        tl.ones(2) + 1
    with pytest.raises(ValueError, match="sort_by must be one of"):
        prof.key_averages().table(sort_by="cuda_time")
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    assert json.loads(path.read_text())["traceEvents"][0]["name"] == "add"


def test_record_function_as_a_decorator():
    @profiler.record_function("mine")
    def work():
        return tl.ones(2) * 2

    with profiler.profile() as prof:
        work()
    assert [e.name for e in prof.events()][-1] == "mine"
