"""RAdam: Adam whose adaptive step is switched on gradually (Liu et al., 2019)."""
import numpy as np

from tinygrad_lite import kernels  # fused updates (or twins)

from .optimizer import Optimizer


class RAdam(Optimizer):
    """`RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    decoupled_weight_decay=False)`.

    In the first steps v (the running mean of g²) rests on a few gradients, so Adam's
    1/√v̂ varies wildly; that is why Adam often needs a learning-rate warm-up. RAdam
    estimates the length ρ_t of the average behind v and only uses v once ρ_t > 5, scaled by
    a rectification r_t that grows towards 1:
        m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²;  m̂ = m / (1-β1^t)
        ρ_∞ = 2/(1-β2) - 1;   ρ_t = ρ_∞ - 2t·β2^t / (1-β2^t)
        ρ_t > 5:  r_t = √((ρ_t-4)(ρ_t-2)ρ_∞ / ((ρ_∞-4)(ρ_∞-2)ρ_t))
                  w ← w - lr·m̂ · r_t·√(1-β2^t) / (√v + ε)
        else:     w ← w - lr·m̂           (plain momentum SGD)
    weight_decay λ adds λw to g, or with decoupled_weight_decay=True shrinks the weights
    first, w ← (1 - lr·λ)·w.
    """

    elementwise = True   # see Optimizer.elementwise
    nonnegative = ("lr", "eps", "weight_decay")
    has_betas = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def init_state(self, w, group):
        return {"step": 0, "exp_avg": np.zeros_like(w), "exp_avg_sq": np.zeros_like(w)}

    def update(self, w, g, state, group):
        b1, b2 = group["betas"]
        lr, wd = group["lr"], group["weight_decay"]
        t = state["step"] = state["step"] + 1
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2 ** t / bc2
        rectified = rho_t > 5.0
        rect = (((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                ** 0.5 if rectified else 0.0)
        shrink, wd = (1 - lr * wd, 0.0) if group["decoupled_weight_decay"] else (1.0, wd)
        kernels.radam_step(w, g, state["exp_avg"], state["exp_avg_sq"], lr, bc1, bc2 ** 0.5,
                           rect, rectified, b1, b2, group["eps"], wd, shrink)
