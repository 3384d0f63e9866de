"""Learning-rate schedules: change each group's `lr` once per epoch, as PyTorch's do.

Call `scheduler.step()` after `optimizer.step()`, once per epoch. `last_epoch` counts the
steps taken (0 after construction), `get_last_lr()` lists the current rates, and
`state_dict()`/`load_state_dict()` save and restore everything but the optimizer.
The multiplicative forms below are PyTorch's "chainable" ones, so sequences match it exactly.
"""
import math

from .optimizer import Optimizer


def _check_optimizer(scheduler, optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(scheduler).__name__}: expected an optim.Optimizer, got "
                        f"{type(optimizer).__name__}")


class LRScheduler:
    """Base class: `LRScheduler(optimizer, last_epoch=-1)`; subclasses write `get_lr()`.

    With last_epoch=-1 each group's starting rate is saved as `initial_lr`; a scheduler built
    with last_epoch >= 0 resumes and needs `initial_lr` to be there already.
    """

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(self, optimizer)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr'; "
                               "resuming with last_epoch >= 0 needs the optimizer state saved "
                               "while this schedule ran (load it first)")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        """The step every schedule takes when it is built: it sets the rates of epoch 0."""
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self):
        """The rates for the epoch `self.last_epoch` (just incremented)."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr(), the learning "
                                  "rate of each param group for epoch self.last_epoch")

    def get_last_lr(self):
        """The learning rate of each parameter group, as last set by this scheduler."""
        return self._last_lr

    def step(self):
        """Advance one epoch and write the new rate into every parameter group."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current()

    def state_dict(self):
        """Every attribute except the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)

    def _current(self):
        return [group["lr"] for group in self.optimizer.param_groups]


class StepLR(LRScheduler):
    """`StepLR(optimizer, step_size, gamma=0.1)`: lr = initial_lr · γ^⌊epoch / step_size⌋."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current()
        return [lr * self.gamma for lr in self._current()]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size)
                for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """`ExponentialLR(optimizer, gamma)`: lr = initial_lr · γ^epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current()
        return [lr * self.gamma for lr in self._current()]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """`CosineAnnealingLR(optimizer, T_max, eta_min=0)`:
    lr = eta_min + (initial_lr - eta_min)·(1 + cos(π·epoch / T_max)) / 2,
    computed step to step as the ratio of consecutive cosines (PyTorch's recursive form), so
    a rate changed by hand between steps is annealed from where it is."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        if not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current()
        if (t - 1 - T) % (2 * T) == 0:        # at the bottom of the cosine: step back up
            return [lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for lr, base in zip(self._current(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current()]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base in self.base_lrs]


class ReduceLROnPlateau(LRScheduler):
    """`ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
    threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8)`: `step(metric)` multiplies lr by
    `factor` once the metric has not improved for more than `patience` epochs.

    Improvement (mode="min", "rel"): metric < best·(1 - threshold); "abs": < best - threshold
    (mode="max" mirrors both). After a reduction, `cooldown` epochs are not counted; lr never
    goes below min_lr, and a change smaller than eps is skipped.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        _check_optimizer(self, optimizer)
        if not factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1, got {factor}")
        if mode not in ("min", "max") or threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max' and "
                             f"threshold_mode 'rel' or 'abs', got {mode!r}, {threshold_mode!r}")
        n_groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)) and len(min_lr) != n_groups:
            raise ValueError(f"ReduceLROnPlateau: expected {n_groups} min_lr values (one per "
                             f"parameter group), got {len(min_lr)}")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.min_lrs = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * n_groups
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = self._current()

    def _is_better(self, a, best):
        sign = 1 if self.mode == "min" else -1
        if self.threshold_mode == "rel":
            return sign * a < sign * best * (1 - sign * self.threshold)
        return sign * a < sign * best - self.threshold

    def step(self, metrics):
        """Record this epoch's metric (e.g. the validation loss) and reduce lr on a plateau."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0               # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = self._current()


# More schedules, in files of their own (they import LRScheduler from here).
from .lr_scheduler_basic import (ConstantLR, LambdaLR, LinearLR,  # noqa: E402
                                 MultiplicativeLR, MultiStepLR, PolynomialLR)
from .lr_scheduler_combined import ChainedScheduler, SequentialLR  # noqa: E402
from .lr_scheduler_cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR  # noqa: E402
