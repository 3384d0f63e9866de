"""ASGD: SGD that also keeps a running average of the weights (Polyak & Juditsky, 1992)."""
import numpy as np

from .optimizer import Optimizer


class ASGD(Optimizer):
    """`ASGD(params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0)`.

    Plain SGD on w with a decaying step η_t, and an average of the iterates in `ax` (read
    it from `optimizer.state[p]["ax"]`: averaged weights often generalize better):
        w ← (1 - λ·η)·w - η·g                               (λ = lambd)
        ax ← ax + μ·(w - ax)       (ax ← w while μ = 1)
        η ← lr / (1 + λ·lr·t)^α;   μ ← 1 / max(1, t - t0)
    so the average starts after t0 steps. weight_decay adds weight_decay·w to g first.
    A few NumPy expressions per parameter, no fused kernel.
    """

    elementwise = True   # see Optimizer.elementwise
    nonnegative = ("lr", "weight_decay")

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0):
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay))

    def init_state(self, w, group):
        return {"step": 0, "eta": group["lr"], "mu": 1.0, "ax": np.zeros_like(w)}

    def update(self, w, g, state, group):
        lr, lambd, eta = group["lr"], group["lambd"], state["eta"]
        t = state["step"] = state["step"] + 1
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * w
        w *= 1 - lambd * eta
        w -= eta * g
        ax = state["ax"]
        if state["mu"] != 1:
            ax += (w - ax) * state["mu"]
        else:
            ax[...] = w
        state["eta"] = lr / (1 + lambd * lr * t) ** group["alpha"]
        state["mu"] = 1 / max(1, t - group["t0"])
