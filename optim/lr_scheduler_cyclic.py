"""Schedules that go up and down: CyclicLR, OneCycleLR (stepped once per batch) and
CosineAnnealingWarmRestarts. Reached as optim.lr_scheduler.X.

CyclicLR and OneCycleLR can also cycle the momentum against the rate (high rate, low
momentum): SGD's `momentum`, or β1 of Adam-like optimizers (`betas[0]`).
"""
import math
import types

from .lr_scheduler import LRScheduler, _check_optimizer


def _per_group(name, optimizer, value):
    """`value` for each parameter group: a list/tuple (one per group) or one number."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name} must have the same length as optimizer.param_groups: "
                             f"{name} has {len(value)} values, param_groups has {n}")
        return list(value)
    return [value] * n


class _MomentumCycle:
    """Writes the cycled momentum into a group: `momentum` (SGD, RMSprop) or `betas[0]`."""

    def _init_momentum(self, scheduler_name, optimizer, base_momentum, max_momentum,
                       last_epoch):
        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ValueError(f"{scheduler_name}: cycle_momentum=True needs an optimizer with "
                             f"momentum or betas, {type(optimizer).__name__} has neither; "
                             "pass cycle_momentum=False")
        self.use_beta1 = "betas" in optimizer.defaults
        base = _per_group("base_momentum", optimizer, base_momentum)
        top = _per_group("max_momentum", optimizer, max_momentum)
        if last_epoch == -1:
            for group, m_base, m_max in zip(optimizer.param_groups, base, top):
                self._set_momentum(group, m_max)
                group["max_momentum"], group["base_momentum"] = m_max, m_base
        return base, top

    def _set_momentum(self, group, momentum):
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum


class CyclicLR(_MomentumCycle, LRScheduler):
    """`CyclicLR(optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
    mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle", cycle_momentum=True,
    base_momentum=0.8, max_momentum=0.9)`; step() after every batch (Smith, 2017).

    The rate climbs from base_lr to max_lr in step_size_up steps and comes back down in
    step_size_down (default: the same), over and over. With t the step, L = up + down:
        cycle = ⌊1 + t/L⌋,  x = 1 + t/L - cycle  (position in the cycle, 0..1)
        h = x / (up/L) on the way up, (x - 1) / (up/L - 1) on the way down   (0..1..0)
        lr = base_lr + (max_lr - base_lr) · h · scale
    scale is 1 ("triangular"), 1/2^(cycle-1) ("triangular2": each cycle half as high), or
    γ^t ("exp_range"); or a custom scale_fn of the cycle (scale_mode="cycle") or of t
    ("iterations"). The momentum moves the other way, from max_momentum down to
    base_momentum:  momentum = max_momentum - (max_momentum - base_momentum) · h · scale.
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        _check_optimizer(self, optimizer)
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs):
                group["lr"] = lr
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"CyclicLR: mode must be 'triangular', 'triangular2' or "
                             f"'exp_range' (or pass scale_fn), got {mode!r}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"CyclicLR: scale_mode must be 'cycle' or 'iterations', got "
                             f"{scale_mode!r}")
        self.mode, self.gamma = mode, gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else (
            "iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = self._init_momentum(
                "CyclicLR", optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        """The height of cycle x (or at step x, in scale_mode "iterations")."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        if self.cycle_momentum:
            for group, m_base, m_max in zip(self.optimizer.param_groups, self.base_momentums,
                                            self.max_momentums):
                self._set_momentum(group, m_max - (m_max - m_base) * height * scale)
        return [base + (top - base) * height * scale
                for base, top in zip(self.base_lrs, self.max_lrs)]

    def state_dict(self):
        """Everything but the optimizer; a custom scale_fn is saved only if it is a callable
        object (its __dict__), not a function or lambda, as PyTorch does."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        keep = fn is not None and not isinstance(fn, types.FunctionType)
        state["_scale_fn_custom"] = fn.__dict__.copy() if keep else None
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        fn_state = state.pop("_scale_fn_custom")
        super().load_state_dict(state)
        if fn_state is not None:
            self._scale_fn_custom.__dict__.update(fn_state)


class OneCycleLR(_MomentumCycle, LRScheduler):
    """`OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
    pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
    max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False)`;
    step() after every batch, total_steps (or epochs·steps_per_epoch) times (Smith, 2018).

    One warm-up and one cool-down over the whole run:
        initial_lr = max_lr / div_factor  →  max_lr          (the first pct_start of steps)
        max_lr  →  min_lr = initial_lr / final_div_factor    (the rest)
    three_phase=True goes back down to initial_lr symmetrically, then to min_lr. Within a
    phase going from a to b, at fraction p of it:
        "cos":  b + (a - b)/2 · (1 + cos(πp))          "linear":  a + (b - a)·p
    The momentum runs the opposite way (max_momentum → base_momentum → max_momentum).
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True,
                 base_momentum=0.85, max_momentum=0.95, div_factor=25.0,
                 final_div_factor=1e4, three_phase=False, last_epoch=-1):
        _check_optimizer(self, optimizer)
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"OneCycleLR: expected a positive int total_steps, but got "
                                 f"{total_steps!r}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            for name, value in (("epochs", epochs), ("steps_per_epoch", steps_per_epoch)):
                if not isinstance(value, int) or value <= 0:
                    raise ValueError(f"OneCycleLR: expected a positive int {name}, but got "
                                     f"{value!r}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR: you must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: expected a float between 0 and 1 pct_start, but "
                             f"got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got "
                             f"{anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        warm_end = float(pct_start * self.total_steps) - 1
        # each phase: (last step, start lr key, end lr key, start momentum, end momentum)
        if three_phase:
            self._phases = [
                (warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                 "base_momentum", "max_momentum"),
                (self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self._phases = [
                (warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        max_lrs = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self._init_momentum("OneCycleLR", optimizer, base_momentum, max_momentum,
                                last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times; the specified number of "
                             f"total steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr_a, lr_b, m_a, m_b) in enumerate(self._phases):
                if step <= end or i == len(self._phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[lr_a], group[lr_b], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[m_a], group[m_b], pct))
                    break
                start = end
        return lrs


class CosineAnnealingWarmRestarts(LRScheduler):
    """`CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1, eta_min=0.0)` (SGDR, Loshchilov
    & Hutter): a cosine from initial_lr down to eta_min over T_i epochs, then a jump back up
    (a warm restart); the first period is T_0 and each next one T_mult times longer:
        lr = eta_min + (initial_lr - eta_min) · (1 + cos(π·T_cur / T_i)) / 2
    T_cur counts the epochs since the last restart. `step(epoch)` may be given a fractional
    epoch (e.g. epoch + i / batches_per_epoch, stepped after every batch)."""

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        if isinstance(T_0, bool) or not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: expected a positive int T_0, but "
                             f"got {T_0!r}")
        if isinstance(T_mult, bool) or not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"CosineAnnealingWarmRestarts: expected an int T_mult >= 1, but "
                             f"got {T_mult!r}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"CosineAnnealingWarmRestarts: expected a float or int eta_min, "
                             f"but got {eta_min!r} of type {type(eta_min).__name__}")
        self.T_0 = self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2 for base in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch, or jump to `epoch` (may be fractional)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:                   # restart
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
        elif epoch < 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: expected a non-negative epoch, "
                             f"but got {epoch}")
        elif epoch >= self.T_0:
            if self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            else:                                        # periods T_0·T_mult^k: which one?
                n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult ** n
        else:
            self.T_i, self.T_cur = self.T_0, epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current()
