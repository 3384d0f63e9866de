"""Stochastic gradient descent, with momentum and Nesterov momentum (lecture Unit 2.2)."""
from tinygrad_lite import kernels  # fused updates (or twins)

from .optimizer import Optimizer


class SGD(Optimizer):
    """`SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False)`.

    Plain (and mini-batch, stochastic) gradient descent: w ← w - lr·g, with g + λw for
    weight_decay λ (the gradient of the L2 penalty λ/2·||w||²).

    Momentum. The lecture writes v ← γv + η·g; θ ← θ - v. PyTorch, followed here so results
    match it step for step, keeps the learning rate out of the buffer:
        v ← μ·v + (1 - dampening)·g   (v ← g on the first step);   w ← w - lr·v
    For a constant lr the lecture's v is lr times this one, so both trace the same path.

    Nesterov. The lecture's v ← γv + η·∇(θ - γv) evaluates the gradient at the look-ahead
    point; cs231n's x += -μ·v_prev + (1+μ)·v rewrites it at the current point. PyTorch's form
    of the same rewrite: v ← μ·v + g;  w ← w - lr·(g + μ·v). It needs momentum > 0 and
    dampening = 0.
    """

    elementwise = True   # see Optimizer.elementwise
    nonnegative = ("lr", "momentum", "dampening", "weight_decay")

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _check(self, group):
        super()._check(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            self._fail("nesterov", True, "Nesterov momentum needs momentum > 0 and "
                       f"dampening = 0 (got momentum={group['momentum']}, "
                       f"dampening={group['dampening']})")

    def update(self, w, g, state, group):
        mu = group["momentum"]
        first = "momentum_buffer" not in state        # then the kernel sets v ← g
        v = self._buffer(state, "momentum_buffer", w, mu != 0)
        kernels.sgd_step(w, g, v, group["lr"], mu, group["dampening"], group["weight_decay"],
                         group["nesterov"], first)
