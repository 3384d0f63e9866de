"""Adam (momentum + RMSprop with bias correction) and AdamW (decoupled weight decay)."""
import numpy as np

from tinygrad_lite import kernels  # fused updates (or twins)

from .optimizer import Optimizer


class Adam(Optimizer):
    """`Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)`.

    The lecture (defaults β1 = 0.9, β2 = 0.999, ε = 1e-8; usually only lr is tuned):
        m ← β1·m + (1-β1)·g          v ← β2·v + (1-β2)·g²
        m̂ = m / (1-β1^t)             v̂ = v / (1-β2^t)
        w ← w - lr·m̂ / (√v̂ + ε)
    PyTorch's form, followed here so results match it step for step, moves the corrections
    into two scalars computed once per step:
        w ← w - (lr / (1-β1^t))·m / (√v / √(1-β2^t) + ε)
    which is the same expression with ε in the same place (added to √v̂). weight_decay λ adds
    λw to g (L2 through the gradient); amsgrad=True uses v_max ← max(v_max, v) in place of v.
    """
    decoupled = False
    elementwise = True   # see Optimizer.elementwise
    nonnegative = ("lr", "eps", "weight_decay")
    has_betas = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad))

    def init_state(self, w, group):
        return {"step": 0, "exp_avg": np.zeros_like(w), "exp_avg_sq": np.zeros_like(w)}

    def update(self, w, g, state, group):
        b1, b2 = group["betas"]
        lr, wd, amsgrad = group["lr"], group["weight_decay"], group["amsgrad"]
        t = state["step"] = state["step"] + 1
        shrink, wd = (1 - lr * wd, 0.0) if self.decoupled else (1.0, wd)
        v_max = self._buffer(state, "max_exp_avg_sq", w, amsgrad)
        kernels.adam_step(w, g, state["exp_avg"], state["exp_avg_sq"], v_max,
                          lr / (1 - b1 ** t), (1 - b2 ** t) ** 0.5, b1, b2, group["eps"], wd,
                          shrink, amsgrad)


class AdamW(Adam):
    """`AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
    amsgrad=False)`: Adam with decoupled weight decay (Loshchilov & Hutter).

    Instead of adding λw to the gradient (where Adam's 1/√v̂ rescales it), the weights shrink
    directly before the Adam step:  w ← (1 - lr·λ)·w;  then w ← w - lr·m̂ / (√v̂ + ε).
    """
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
