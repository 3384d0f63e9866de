"""RMSprop: divide the step by a running root-mean-square of the gradient."""
import numpy as np

from tinygrad_lite import kernels  # fused updates (or twins)

from .optimizer import Optimizer


class RMSprop(Optimizer):
    """`RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False)`.

    The lecture: G ← γG + (1-γ)g²;  θ ← θ - η/√(G + ε)·g. PyTorch's form, followed here so
    results match it step for step, calls γ `alpha` (ρ below) and puts ε outside the root:
        s ← ρs + (1-ρ)g²;   w ← w - lr·g / (√s + ε)
    centered=True divides by the gradient's variance instead, √(s - ḡ²) + ε with
    ḡ ← ρḡ + (1-ρ)g; momentum μ > 0 keeps v ← μv + g/(√s + ε) and steps w ← w - lr·v;
    weight_decay λ adds λw to g first.
    """

    elementwise = True   # see Optimizer.elementwise
    nonnegative = ("lr", "alpha", "eps", "weight_decay", "momentum")

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def init_state(self, w, group):
        return {"step": 0, "square_avg": np.zeros_like(w)}  # v and ḡ: on first use

    def update(self, w, g, state, group):
        state["step"] += 1
        mu, centered = group["momentum"], group["centered"]
        v = self._buffer(state, "momentum_buffer", w, mu > 0)
        g_avg = self._buffer(state, "grad_avg", w, centered)
        kernels.rmsprop_step(w, g, state["square_avg"], g_avg, v, group["lr"], group["alpha"],
                             group["eps"], group["weight_decay"], mu, centered)
