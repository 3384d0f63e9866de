"""Fused in-place optimizer updates: one pass over a parameter, its gradient and its state.

Each loop reads w[i], g[i] and the state at i once and writes them back, so a step makes no
temporary arrays (the NumPy twins in reference_optim.py make several). The public functions
take C-contiguous arrays of one shape and dtype (float32 or float64) and update `w` and the
state arrays in place; an unused state buffer is passed as an empty array. Scalars (decayed
lr, bias corrections) are computed in Python by the optimizer and cast here to the arrays'
dtype, so float32 parameters are updated in float32 arithmetic, as PyTorch does (which
also takes 1 - β as a Python float, rounded once).
"""
import numpy as np
from numba import prange

from ._jit import kernel

# Adam on float32, 2 cores: serial 11 µs vs parallel 14 µs at 2^14 elements, 23 vs 18 µs at
# 2^15, 92 vs 54 µs at 784*256; so the parallel loop (one thread per core) from 2^15 on.
# benchmarks/bench_optim.py compares the whole step with serial-only and parallel-only.
PARALLEL_MIN = 1 << 15


@kernel(parallel_min=PARALLEL_MIN)
def _sgd(w, g, v, lr, mu, undamped, wd, nesterov, first):
    """g ← g + λw;  v ← μv + undamped·g, undamped = 1 - dampening (v ← g on the first step);
    g ← g + μv (Nesterov) or g ← v;  w ← w - lr·g.  With μ = 0 there is no v."""
    for i in prange(w.size):
        gi = g[i] + wd * w[i]
        if mu != 0:
            vi = gi if first else mu * v[i] + undamped * gi
            v[i] = vi
            gi = gi + mu * vi if nesterov else vi
        w[i] = w[i] - lr * gi


@kernel(parallel_min=PARALLEL_MIN)
def _adagrad(w, g, h, clr, wd, eps):
    """g ← g + λw;  h ← h + g²;  w ← w - clr·g / (√h + ε)"""
    for i in prange(w.size):
        gi = g[i] + wd * w[i]
        hi = h[i] + gi * gi
        h[i] = hi
        w[i] = w[i] - clr * (gi / (np.sqrt(hi) + eps))


@kernel(parallel_min=PARALLEL_MIN)
def _rmsprop(w, g, s, g_avg, v, lr, rho, rho_c, eps, wd, mu, centered):
    """g ← g + λw;  s ← ρs + (1-ρ)g²;  d = √(s - ḡ²) + ε with ḡ ← ρḡ + (1-ρ)g (centered)
    or d = √s + ε;  v ← μv + g/d, w ← w - lr·v (μ > 0) or w ← w - lr·g/d;  rho_c = 1-ρ"""
    for i in prange(w.size):
        gi = g[i] + wd * w[i]
        si = rho * s[i] + rho_c * (gi * gi)
        s[i] = si
        if centered:
            ai = g_avg[i] + rho_c * (gi - g_avg[i])  # PyTorch's lerp
            g_avg[i] = ai
            si = si - ai * ai
        d = np.sqrt(si) + eps
        if mu > 0:
            vi = mu * v[i] + gi / d
            v[i] = vi
            w[i] = w[i] - lr * vi
        else:
            w[i] = w[i] - lr * (gi / d)


@kernel(parallel_min=PARALLEL_MIN)
def _adam(w, g, m, v, v_max, step_size, bc2_sqrt, b1, b1_c, b2, b2_c, eps, wd, shrink,
          amsgrad):
    """g ← g + λw (Adam's L2);  w ← shrink·w (AdamW: shrink = 1 - lr·λ);
    m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²;  AMSGrad: v ← v_max ← max(v_max, v);
    w ← w - step_size·m / (√v / bc2_sqrt + ε),  step_size = lr/(1-β1^t), bc2_sqrt = √(1-β2^t);
    b1_c = 1-β1, b2_c = 1-β2"""
    for i in prange(w.size):
        gi = g[i] + wd * w[i]
        mi = b1 * m[i] + b1_c * gi
        vi = b2 * v[i] + b2_c * (gi * gi)
        m[i] = mi
        v[i] = vi
        if amsgrad:
            vi = max(v_max[i], vi)
            v_max[i] = vi
        w[i] = shrink * w[i] - step_size * (mi / (np.sqrt(vi) / bc2_sqrt + eps))


def _flat(a):
    """The 1-D view of a C-contiguous array (a kernel writing into a copy would be lost)."""
    if not a.flags.c_contiguous:
        raise ValueError(f"optimizer kernels need C-contiguous arrays, got strides {a.strides}")
    return a.reshape(-1)


def sgd_step(w, g, v, lr, mu, dampening, wd, nesterov, first):
    """SGD with momentum μ (v empty when μ = 0), in place: w ← w - lr·(v or g + μv)."""
    s = w.dtype.type
    _sgd(_flat(w), _flat(g), _flat(v), s(lr), s(mu), s(1 - dampening), s(wd), bool(nesterov),
         bool(first))


def adagrad_step(w, g, h, clr, wd, eps):
    """Adagrad in place: h ← h + g²;  w ← w - clr·g / (√h + ε)."""
    s = w.dtype.type
    _adagrad(_flat(w), _flat(g), _flat(h), s(clr), s(wd), s(eps))


def rmsprop_step(w, g, s, g_avg, v, lr, rho, eps, wd, mu, centered):
    """RMSprop in place (g_avg empty unless centered, v empty unless μ > 0):
    s ← ρs + (1-ρ)g²;  w ← w - lr·g / (√s + ε)."""
    t = w.dtype.type
    _rmsprop(_flat(w), _flat(g), _flat(s), _flat(g_avg), _flat(v), t(lr), t(rho), t(1 - rho),
             t(eps), t(wd), t(mu), bool(centered))


def adam_step(w, g, m, v, v_max, step_size, bc2_sqrt, b1, b2, eps, wd, shrink, amsgrad):
    """Adam/AdamW in place (v_max empty unless amsgrad):
    m ← β1m + (1-β1)g;  v ← β2v + (1-β2)g²;  w ← shrink·w - step_size·m / (√v/bc2_sqrt + ε)."""
    s = w.dtype.type
    _adam(_flat(w), _flat(g), _flat(m), _flat(v), _flat(v_max), s(step_size), s(bc2_sqrt),
          s(b1), s(1 - b1), s(b2), s(1 - b2), s(eps), s(wd), s(shrink), bool(amsgrad))


KERNELS = {"sgd_step": sgd_step, "adagrad_step": adagrad_step, "rmsprop_step": rmsprop_step,
           "adam_step": adam_step}
