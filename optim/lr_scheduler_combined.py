"""Schedules made of schedules: SequentialLR (one after another) and ChainedScheduler (all
at once, their factors multiplied). Reached as optim.lr_scheduler.X.

    warmup = LinearLR(opt, start_factor=0.1, total_iters=5)
    decay = CosineAnnealingLR(opt, T_max=95)
    schedule = SequentialLR(opt, [warmup, decay], milestones=[5])
"""
import bisect

from .lr_scheduler import LRScheduler, ReduceLROnPlateau, _check_optimizer


def _check_schedulers(combined, optimizer, schedulers):
    name = type(combined).__name__
    if len(schedulers) < 1:
        raise ValueError(f"{name} expects at least one scheduler, but got none")
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{name}: the scheduler at index {i} should have `optimizer` as "
                            f"its attribute, got {type(scheduler).__name__}")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{name} does not support ReduceLROnPlateau (its step needs the "
                             f"metric), but got one at index {i}")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{name} expects all schedulers to belong to the same optimizer, "
                             f"but the {type(scheduler).__name__} at index {i} has another one")


class _Combined(LRScheduler):
    """state_dict holds the inner schedulers' state_dicts under "_schedulers"."""

    def state_dict(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        inner = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, saved in zip(self._schedulers, inner):
            scheduler.load_state_dict(saved)


class SequentialLR(_Combined):
    """`SequentialLR(optimizer, schedulers, milestones)`: schedulers[0] until epoch
    milestones[0], then schedulers[1] (started afresh, at its epoch 0) until milestones[1],
    and so on; len(milestones) = len(schedulers) - 1."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        _check_optimizer(self, optimizer)
        _check_schedulers(self, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR expects one milestone fewer than schedulers, but "
                             f"got {len(schedulers)} schedulers and {len(milestones)} "
                             "milestones")
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:          # undo what building them did
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)
        first = self._schedulers[bisect.bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo_initial_steps(self, scheduler):
        """Each scheduler stepped once when it was built; take that step back (recursively
        for nested combined schedulers, as PyTorch does)."""
        if hasattr(scheduler, "_schedulers"):
            for inner in scheduler._schedulers:
                self._undo_initial_steps(inner)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self):
        self.last_epoch += 1
        i = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            self._restart(scheduler)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    @staticmethod
    def _restart(scheduler):
        """Put `scheduler` at its epoch 0: its closed form there if it has one, else get_lr."""
        scheduler.last_epoch = 0
        closed_form = getattr(scheduler, "_get_closed_form_lr", None)
        lrs = closed_form() if closed_form is not None else scheduler.get_lr()
        for group, lr in zip(scheduler.optimizer.param_groups, lrs):
            group["lr"] = lr
        scheduler._last_lr = scheduler._current()


class ChainedScheduler(_Combined):
    """`ChainedScheduler(schedulers, optimizer=None)`: step() steps every scheduler in turn,
    so their multiplicative factors combine (e.g. a warm-up with a decay)."""

    def __init__(self, schedulers, optimizer=None):
        optimizer = optimizer or (schedulers[0].optimizer if schedulers else None)
        _check_schedulers(self, optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = self._current()

    def step(self):
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current()
