"""Rprop: per-weight step sizes driven only by the sign of the gradient (Riedmiller, 1993)."""
import numbers

import numpy as np

from tinygrad_lite import kernels  # fused updates (or twins)

from .optimizer import Optimizer


class Rprop(Optimizer):
    """`Rprop(params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50))`.

    Each weight has its own step size Δ (starting at lr). The gradient's size is ignored,
    only its sign counts: while it keeps its sign Δ grows, when it flips (we jumped over a
    minimum) Δ shrinks and that weight pauses for one step:
        η = η+ if g·g_prev > 0,  η- if g·g_prev < 0,  1 otherwise    (etas = (η-, η+))
        Δ ← clamp(η·Δ, Δ_min, Δ_max)                                  (step_sizes)
        g ← 0 where the sign flipped;   w ← w - sign(g)·Δ;   g_prev ← g
    Meant for full-batch training: noisy mini-batch signs make Δ shrink.
    """

    elementwise = True   # see Optimizer.elementwise
    nonnegative = ("lr",)

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50)):
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes))

    def _check(self, group):
        super()._check(group)
        for key in ("etas", "step_sizes"):
            pair = group[key]
            if not isinstance(pair, (tuple, list)) or len(pair) != 2 or \
                    not all(isinstance(x, numbers.Real) for x in pair):
                self._fail(key, pair, "it must be a pair of numbers")
        eta_minus, eta_plus = group["etas"]
        if not 0 < eta_minus < 1 < eta_plus:
            self._fail("etas", group["etas"], "they must satisfy 0 < etas[0] < 1 < etas[1]")

    def init_state(self, w, group):
        return {"step": 0, "prev": np.zeros_like(w), "step_size": np.full_like(w, group["lr"])}

    def update(self, w, g, state, group):
        state["step"] += 1
        kernels.rprop_step(w, g, state["prev"], state["step_size"], *group["etas"],
                           *group["step_sizes"])
