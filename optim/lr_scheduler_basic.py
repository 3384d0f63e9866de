"""Schedules that scale the rate by a rule of the epoch: LambdaLR, MultiplicativeLR,
MultiStepLR, ConstantLR, LinearLR (warm-up), PolynomialLR. Reached as optim.lr_scheduler.X.

Like PyTorch's, most are written in "chainable" form: each step multiplies the current rate
by a factor, so two schedules can act on one optimizer (ChainedScheduler). The formula in
each docstring is the closed form they follow when used alone.
"""
import collections
import types

from .lr_scheduler import LRScheduler, _check_optimizer


class _LambdaSchedule(LRScheduler):
    """A schedule driven by one function of the epoch per parameter group.

    state_dict saves the functions' state only if they are callable objects (their
    __dict__), not plain functions or lambdas (they can't be pickled), as PyTorch does; so a
    lambda must be passed again to the constructor when resuming."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        _check_optimizer(self, optimizer)
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"{type(self).__name__}: expected {n} lr_lambdas (one per "
                                 f"parameter group), but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"{type(self).__name__}: lr_lambda should be a function, but "
                                f"got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for fn, fn_state in zip(self.lr_lambdas, saved):
            if fn_state is not None:
                fn.__dict__.update(fn_state)


class LambdaLR(_LambdaSchedule):
    """`LambdaLR(optimizer, lr_lambda, last_epoch=-1)`: lr = initial_lr · λ(epoch).

    lr_lambda is a function of the epoch, or a list with one per parameter group, e.g. a
    linear warm-up: `LambdaLR(opt, lambda epoch: min(1.0, (epoch + 1) / 5))`."""

    def get_lr(self):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaSchedule):
    """`MultiplicativeLR(optimizer, lr_lambda, last_epoch=-1)`: each step multiplies the
    current rate by λ(epoch):  lr_t = lr_{t-1} · λ(t)  (lr_0 = initial_lr)."""

    def get_lr(self):
        if self._is_initial:
            return self._current()
        return [group["lr"] * fn(self.last_epoch)
                for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups)]


class MultiStepLR(LRScheduler):
    """`MultiStepLR(optimizer, milestones, gamma=0.1)`: lr = initial_lr · γ^(number of
    milestones ≤ epoch); a milestone listed twice counts twice."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = collections.Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._current()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._current()]

    def _get_closed_form_lr(self):
        passed = sum(n for epoch, n in self.milestones.items() if epoch <= self.last_epoch)
        return [base * self.gamma ** passed for base in self.base_lrs]


class ConstantLR(LRScheduler):
    """`ConstantLR(optimizer, factor=1/3, total_iters=5)`: lr = initial_lr · factor for the
    first total_iters epochs, then initial_lr (a crude warm-up)."""

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if not 0 <= factor <= 1:
            raise ValueError(f"ConstantLR: factor must be in [0, 1], got {factor}")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current()]
        if self.last_epoch != self.total_iters:
            return self._current()
        return [lr * (1.0 / self.factor) for lr in self._current()]

    def _get_closed_form_lr(self):
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """`LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5)`: the factor
    goes linearly from start_factor to end_factor over total_iters epochs (a warm-up):
        lr = initial_lr · (s + (e - s) · min(epoch, total_iters) / total_iters)
    Each step multiplies by the ratio of consecutive factors, 1 + (e-s) / (T·s + (t-1)(e-s))."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor}")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        s, e, t = self.start_factor, self.end_factor, self.last_epoch
        if t == 0:
            return [lr * s for lr in self._current()]
        if self._is_initial or t > self.total_iters:
            return self._current()
        ratio = 1.0 + (e - s) / (self.total_iters * s + (t - 1) * (e - s))
        return [lr * ratio for lr in self._current()]

    def _get_closed_form_lr(self):
        s, e = self.start_factor, self.end_factor
        return [base * (s + (e - s) * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """`PolynomialLR(optimizer, total_iters=5, power=1.0)`:
    lr = initial_lr · (1 - min(epoch, total_iters) / total_iters)^power, reaching 0 at
    total_iters (power=1: a straight line down)."""

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(f"PolynomialLR: total_iters must be a positive int, got "
                             f"{total_iters!r}")
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T = self.last_epoch, self.total_iters
        if self._is_initial or t > T:
            return self._current()
        factor = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power
        return [lr * factor for lr in self._current()]

    def _get_closed_form_lr(self):
        return [base * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
                ** self.power for base in self.base_lrs]
