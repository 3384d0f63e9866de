"""Adadelta: an adaptive step with no learning rate to tune (Zeiler, 2012)."""
import numpy as np

from tinygrad_lite import kernels  # fused updates (or twins)

from .optimizer import Optimizer


class Adadelta(Optimizer):
    """`Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0)`.

    Like RMSprop it divides by a running RMS of the gradients, and it multiplies by a
    running RMS of its own past updates, so the step has the units of w:
        s ← ρ·s + (1-ρ)·g²
        δ = √(a + ε) / √(s + ε) · g
        a ← ρ·a + (1-ρ)·δ²
        w ← w - lr·δ
    The default lr=1.0 is Zeiler's rule; weight_decay λ adds λw to g first.
    """

    elementwise = True   # see Optimizer.elementwise
    nonnegative = ("lr", "eps", "weight_decay")

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))

    def _check(self, group):
        super()._check(group)
        rho = group["rho"]
        if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not 0 <= rho <= 1:
            self._fail("rho", rho, "it must be in [0, 1]")

    def init_state(self, w, group):
        return {"step": 0, "square_avg": np.zeros_like(w), "acc_delta": np.zeros_like(w)}

    def update(self, w, g, state, group):
        state["step"] += 1
        kernels.adadelta_step(w, g, state["square_avg"], state["acc_delta"], group["lr"],
                              group["rho"], group["eps"], group["weight_decay"])
