"""Adamax: Adam with the infinity norm in place of the root mean square."""
import numpy as np

from tinygrad_lite import kernels  # fused updates (or twins)

from .optimizer import Optimizer


class Adamax(Optimizer):
    """`Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)`.

    Adam's second moment, a running mean of g², becomes a running maximum of |g| (the limit
    of the p-norm as p → ∞, Kingma & Ba section 7.1), which needs no bias correction:
        m ← β1·m + (1-β1)·g           u ← max(β2·u, |g| + ε)
        w ← w - lr / (1-β1^t) · m / u
    weight_decay λ adds λw to g first.
    """

    elementwise = True   # see Optimizer.elementwise
    nonnegative = ("lr", "eps", "weight_decay")
    has_betas = True

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def init_state(self, w, group):
        return {"step": 0, "exp_avg": np.zeros_like(w), "exp_inf": np.zeros_like(w)}

    def update(self, w, g, state, group):
        b1, b2 = group["betas"]
        t = state["step"] = state["step"] + 1
        kernels.adamax_step(w, g, state["exp_avg"], state["exp_inf"], group["lr"] / (1 - b1 ** t),
                            b1, b2, group["eps"], group["weight_decay"])
