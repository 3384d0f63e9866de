"""NAdam: Adam with Nesterov momentum (Dozat, 2016)."""
import numpy as np

from tinygrad_lite import kernels  # fused updates (or twins)

from .optimizer import Optimizer


class NAdam(Optimizer):
    """`NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    momentum_decay=4e-3, decoupled_weight_decay=False)`.

    Nesterov's idea applied to Adam: step with the momentum the *next* step will have. The
    momentum coefficient warms up with the step t, μ_t = β1·(1 - ½·0.96^(t·ψ)) (ψ is
    momentum_decay), and Π_t = μ_1·μ_2···μ_t replaces Adam's β1^t in the bias correction:
        m ← β1·m + (1-β1)·g              v ← β2·v + (1-β2)·g²
        d = √(v / (1-β2^t)) + ε
        w ← w - lr·(1-μ_t)/(1-Π_t) · g/d - lr·μ_{t+1}/(1-Π_t·μ_{t+1}) · m/d
    weight_decay λ adds λw to g, or with decoupled_weight_decay=True shrinks the weights
    first, w ← (1 - lr·λ)·w, as AdamW does.
    """

    elementwise = True   # see Optimizer.elementwise
    nonnegative = ("lr", "eps", "weight_decay", "momentum_decay")
    has_betas = True

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def init_state(self, w, group):
        return {"step": 0, "mu_product": 1.0, "exp_avg": np.zeros_like(w),
                "exp_avg_sq": np.zeros_like(w)}

    def update(self, w, g, state, group):
        b1, b2 = group["betas"]
        lr, wd, psi = group["lr"], group["weight_decay"], group["momentum_decay"]
        t = state["step"] = state["step"] + 1
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        product = state["mu_product"] = state["mu_product"] * mu
        c_grad = lr * (1.0 - mu) / (1.0 - product)
        c_avg = lr * mu_next / (1.0 - product * mu_next)
        shrink, wd = (1 - lr * wd, 0.0) if group["decoupled_weight_decay"] else (1.0, wd)
        kernels.nadam_step(w, g, state["exp_avg"], state["exp_avg_sq"], c_grad, c_avg,
                           1 - b2 ** t, b1, b2, group["eps"], wd, shrink)
