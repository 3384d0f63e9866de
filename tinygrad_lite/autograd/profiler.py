"""`tl.autograd.profiler`: where a training step's time goes, op by op, PyTorch's names.

    with tl.autograd.profiler.profile(record_shapes=True) as prof:
        with tl.autograd.profiler.record_function("step"):
            loss = model(x).sum()
            loss.backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))

Every op's forward (`Function.apply`, named by the op: "mul", "linear", ...) and backward (the
engine's call of its node, named like the node: "MulBackward") is timed, as is every
`record_function` block. An event's total time includes the events that ran inside it (the
ops a backward is built from, the ops inside a `record_function`); its self time does not.

Nothing is paid when no profile is active: entering one swaps a timed version of
`Function.apply` (the one entry of the built-in ops and of `tl.autograd.Function`s alike) in,
and tells the engine to time backward calls; leaving it puts the original back.
"""
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field

from .. import function
from . import engine


@dataclass
class FunctionEvent:
    """One timed interval: an op's forward, a node's backward, or a record_function block."""
    name: str
    start_ns: int
    input_shapes: list = field(default_factory=list)
    end_ns: int = 0
    children_ns: int = 0

    @property
    def cpu_time_total(self):
        """Microseconds from start to end, the events inside it included."""
        return (self.end_ns - self.start_ns) / 1e3

    @property
    def self_cpu_time_total(self):
        """Microseconds spent in this event itself, the events inside it excluded."""
        return (self.end_ns - self.start_ns - self.children_ns) / 1e3


@dataclass
class FunctionEventAvg:
    """The events of one name (and input shapes, when grouped by them), added up."""
    key: str
    input_shapes: str = ""
    count: int = 0
    cpu_time_total: float = 0.0
    self_cpu_time_total: float = 0.0

    @property
    def cpu_time(self):
        """Average microseconds per call."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def add(self, event):
        self.count += 1
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total


class EventList(list):
    """A list of events or averages that prints as PyTorch's profiler table."""
    SORT_KEYS = ("self_cpu_time_total", "cpu_time_total", "cpu_time", "count")

    def table(self, sort_by=None, row_limit=100, header=None):
        if sort_by is not None and sort_by not in self.SORT_KEYS:
            raise ValueError(f"table: sort_by must be one of {self.SORT_KEYS} or None, got "
                             f"{sort_by!r}")
        rows = sorted(self, key=lambda e: -getattr(e, sort_by)) if sort_by else list(self)
        rows = rows[:row_limit] if row_limit and row_limit > 0 else rows
        total_self = sum(e.self_cpu_time_total for e in self) or 1.0
        with_shapes = any(getattr(e, "input_shapes", "") for e in rows)
        name_width = max([len("Name")] + [len(_key(e)) for e in rows]) + 2
        columns = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                   "# of Calls"] + (["Input Shapes"] if with_shapes else [])
        line = "-" * (name_width + 15 * len(columns))
        out = ([header] if header else []) + [line, "Name".ljust(name_width) +
                                               "".join(c.rjust(15) for c in columns), line]
        for e in rows:
            count = getattr(e, "count", 1)
            cells = [f"{100 * e.self_cpu_time_total / total_self:.2f}%",
                     _us(e.self_cpu_time_total),
                     f"{100 * e.cpu_time_total / total_self:.2f}%", _us(e.cpu_time_total),
                     _us(e.cpu_time_total / count), str(count)]
            if with_shapes:
                cells.append("  " + str(getattr(e, "input_shapes", "")))
            out.append(_key(e).ljust(name_width) + "".join(c.rjust(15) for c in cells))
        out += [line, f"Self CPU time total: {_us(sum(e.self_cpu_time_total for e in self))}"]
        return "\n".join(out)

    def __str__(self):
        return self.table()


def _key(event):
    return getattr(event, "key", None) or event.name


def _us(microseconds):
    if microseconds >= 1e6:
        return f"{microseconds / 1e6:.3f}s"
    if microseconds >= 1e3:
        return f"{microseconds / 1e3:.3f}ms"
    return f"{microseconds:.3f}us"


class profile:
    """Context manager that records every op's forward and backward (see the module
    docstring). `record_shapes=True` keeps the input shapes of each op. Other keywords of
    PyTorch's profiler (activities, profile_memory, with_stack, ...) are accepted; only the
    CPU is timed, as only the CPU computes."""
    _active = []   # the profiles currently recording (innermost last)

    def __init__(self, enabled=True, record_shapes=False, **pytorch_options):
        self.enabled, self.record_shapes = enabled, record_shapes
        self.function_events = EventList()
        self._open = []    # events started and not yet finished (a stack)

    # ---- recording ------------------------------------------------------------------------
    def __enter__(self):
        if self.enabled:
            if not profile._active:
                _install()
            profile._active.append(self)
        return self

    def __exit__(self, *exc):
        if self.enabled:
            profile._active.remove(self)
            if not profile._active:
                _uninstall()
        return False

    def begin(self, name, inputs=()):
        shapes = [list(t.shape) for t in inputs if isinstance(t, function.Tensor)] \
            if self.record_shapes else []
        event = FunctionEvent(name, time.perf_counter_ns(), shapes)
        self._open.append(event)
        return event

    def end(self, event):
        event.end_ns = time.perf_counter_ns()
        self._open.pop()
        if self._open:
            self._open[-1].children_ns += event.end_ns - event.start_ns
        self.function_events.append(event)

    # ---- reading ---------------------------------------------------------------------------
    def events(self):
        return self.function_events

    def key_averages(self, group_by_input_shape=False):
        """One row per op name (and per input shapes with group_by_input_shape=True)."""
        groups = defaultdict(lambda: None)
        for event in self.function_events:
            shapes = str(event.input_shapes) if group_by_input_shape else ""
            key = (event.name, shapes)
            if groups[key] is None:
                groups[key] = FunctionEventAvg(event.name, shapes)
            groups[key].add(event)
        return EventList(groups.values())

    def table(self, sort_by=None, row_limit=100):
        return self.key_averages().table(sort_by=sort_by, row_limit=row_limit)

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (open it at chrome://tracing or in Perfetto)."""
        trace = [{"name": e.name, "ph": "X", "ts": e.start_ns / 1e3,
                  "dur": (e.end_ns - e.start_ns) / 1e3, "pid": 0, "tid": 0,
                  "args": {"Input Shapes": e.input_shapes}} for e in self.function_events]
        with open(path, "w") as f:
            json.dump({"traceEvents": trace}, f)


class record_function:
    """Time a block of your own code under a name (context manager or decorator)."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self._events = [(p, p.begin(self.name)) for p in profile._active]
        return self

    def __exit__(self, *exc):
        for p, event in reversed(self._events):
            p.end(event)
        return False

    def __call__(self, fn):
        def wrapped(*args, **kwargs):
            with record_function(self.name):
                return fn(*args, **kwargs)
        wrapped.__name__, wrapped.__doc__ = fn.__name__, fn.__doc__
        return wrapped


# ---- swapping the timed entry points in and out ------------------------------------------
_ORIGINAL = {}


def _timed(name, run, args):
    events = [(p, p.begin(name, args)) for p in profile._active]
    try:
        return run()
    finally:
        for p, event in reversed(events):
            p.end(event)


def _install():
    apply = _ORIGINAL["apply"] = function.Function.__dict__["apply"].__func__

    def timed_apply(cls, *args, **kwargs):
        return _timed(cls.op_name, lambda: apply(cls, *args, **kwargs), args)

    function.Function.apply = classmethod(timed_apply)
    engine.set_backward_observer(
        lambda ctx, g, call: _timed(ctx.name, call, (g,)))


def _uninstall():
    function.Function.apply = classmethod(_ORIGINAL["apply"])
    engine.set_backward_observer(None)
