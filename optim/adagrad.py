"""Adagrad: a per-weight learning rate that shrinks with the gradients seen so far."""
import numpy as np

from tinygrad_lite import kernels  # fused updates (or twins)

from .optimizer import Optimizer


class Adagrad(Optimizer):
    """`Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10)`.

    The lecture: G ← G + g²;  θ ← θ - η/√(G + ε)·g (the rate decays too fast for deep nets).
    PyTorch, followed here so results match it step for step, puts ε outside the root and can
    also decay the rate with the step count t:
        h ← h + g²;   w ← w - clr·g / (√h + ε),   clr = lr / (1 + (t-1)·lr_decay)
    h starts at initial_accumulator_value; weight_decay λ adds λw to g first.
    """

    elementwise = True   # see Optimizer.elementwise
    nonnegative = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps))

    def init_state(self, w, group):
        return {"step": 0, "sum": np.full_like(w, group["initial_accumulator_value"])}

    def update(self, w, g, state, group):
        t = state["step"] = state["step"] + 1
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        kernels.adagrad_step(w, g, state["sum"], clr, group["weight_decay"], group["eps"])
