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

from ._checks import flat_views
from ._jit import kernel, njit
from .thresholds import OPTIM_PARALLEL_MIN

@kernel(parallel_min=OPTIM_PARALLEL_MIN)
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


@kernel(parallel_min=OPTIM_PARALLEL_MIN)
def _adagrad(w, g, h, clr, wd, eps):
    """g ← g + λw;  h ← h + g²;  w ← w - clr·g / (√h + ε)"""
    for i in prange(w.size):
        gi = g[i] + wd * w[i]
        hi = h[i] + gi * gi
        h[i] = hi
        w[i] = w[i] - clr * (gi / (np.sqrt(hi) + eps))


@kernel(parallel_min=OPTIM_PARALLEL_MIN)
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


@kernel(parallel_min=OPTIM_PARALLEL_MIN)
def _adam(w, g, m, v, v_max, step_size, inv_bc2_sqrt, b1, b1_c, b2, b2_c, eps, wd, shrink,
          amsgrad):
    """g ← g + λw (Adam's L2);  w ← shrink·w (AdamW: shrink = 1 - lr·λ);
    m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²;  AMSGrad: v ← v_max ← max(v_max, v);
    w ← w - step_size·m / (√v / bc2_sqrt + ε),  step_size = lr/(1-β1^t), bc2_sqrt = √(1-β2^t),
    computed as √v·inv_bc2_sqrt (a division per element costs more than the rest of the
    loop); b1_c = 1-β1, b2_c = 1-β2"""
    for i in prange(w.size):
        gi = g[i] + wd * w[i]
        mi = b1 * m[i] + b1_c * gi
        vi = b2 * v[i] + b2_c * (gi * gi)
        m[i] = mi
        v[i] = vi
        if amsgrad:
            vi = max(v_max[i], vi)
            v_max[i] = vi
        w[i] = shrink * w[i] - step_size * (mi / (np.sqrt(vi) * inv_bc2_sqrt + eps))


@kernel(parallel_min=OPTIM_PARALLEL_MIN)
def _adamax(w, g, m, u, clr, b1_c, b2, eps, wd):
    """g ← g + λw;  m ← m + (1-β1)(g - m);  u ← max(β2·u, |g| + ε);  w ← w - clr·m/u,
    clr = lr/(1-β1^t);  b1_c = 1-β1"""
    for i in prange(w.size):
        gi = g[i] + wd * w[i]
        mi = m[i] + b1_c * (gi - m[i])
        ui = max(b2 * u[i], abs(gi) + eps)
        m[i] = mi
        u[i] = ui
        w[i] = w[i] - clr * (mi / ui)


@njit()
def _moments(m, v, i, gi, b1_c, b2, b2_c):
    """NAdam's and RAdam's running moments at i, as PyTorch computes them (a lerp for m):
    m ← m + (1-β1)(g - m);  v ← β2·v + (1-β2)·g².  Returns the new m[i], v[i]."""
    mi = m[i] + b1_c * (gi - m[i])
    vi = b2 * v[i] + b2_c * (gi * gi)
    m[i] = mi
    v[i] = vi
    return mi, vi


@kernel(parallel_min=OPTIM_PARALLEL_MIN)
def _nadam(w, g, m, v, c_grad, c_avg, bc2, b1_c, b2, b2_c, eps, wd, shrink):
    """g ← g + λw (NAdam's L2);  w ← shrink·w (decoupled: shrink = 1 - lr·λ);
    m ← m + (1-β1)(g - m);  v ← β2·v + (1-β2)·g²;  d = √(v / bc2) + ε, bc2 = 1-β2^t;
    w ← w - c_grad·g/d - c_avg·m/d"""
    for i in prange(w.size):
        gi = g[i] + wd * w[i]
        mi, vi = _moments(m, v, i, gi, b1_c, b2, b2_c)
        d = np.sqrt(vi / bc2) + eps
        wi = shrink * w[i] - c_grad * (gi / d)
        w[i] = wi - c_avg * (mi / d)


@kernel(parallel_min=OPTIM_PARALLEL_MIN)
def _radam(w, g, m, v, lr, bc1, bc2_sqrt, rect, rectified, b1_c, b2, b2_c, eps, wd, shrink):
    """g ← g + λw (L2);  w ← shrink·w (decoupled);  m ← m + (1-β1)(g - m);
    v ← β2·v + (1-β2)·g²;  m̂ = m / bc1;
    rectified (ρ_t > 5):  w ← w - m̂·lr·(√bc2 / (√v + ε))·rect;   else  w ← w - m̂·lr"""
    for i in prange(w.size):
        gi = g[i] + wd * w[i]
        mi, vi = _moments(m, v, i, gi, b1_c, b2, b2_c)
        step = (mi / bc1) * lr
        if rectified:
            step = step * (bc2_sqrt / (np.sqrt(vi) + eps)) * rect
        w[i] = shrink * w[i] - step


@kernel(parallel_min=OPTIM_PARALLEL_MIN)
def _adadelta(w, g, s, a, lr, rho, rho_c, eps, wd):
    """g ← g + λw;  s ← ρs + (1-ρ)g²;  δ = √(a + ε) / √(s + ε) · g;  a ← ρa + (1-ρ)δ²;
    w ← w - lr·δ;  rho_c = 1-ρ"""
    for i in prange(w.size):
        gi = g[i] + wd * w[i]
        si = rho * s[i] + rho_c * (gi * gi)
        s[i] = si
        delta = np.sqrt(a[i] + eps) / np.sqrt(si + eps) * gi
        a[i] = rho * a[i] + rho_c * (delta * delta)
        w[i] = w[i] - lr * delta


@kernel(parallel_min=OPTIM_PARALLEL_MIN)
def _rprop(w, g, prev, step_size, eta_minus, eta_plus, step_min, step_max):
    """η = η+ if g·prev > 0, η- if g·prev < 0, else 1;  step ← clamp(step·η, min, max);
    g ← 0 where the sign flipped (η = η-);  w ← w - sign(g)·step;  prev ← g"""
    for i in prange(w.size):
        gi = g[i]
        product = gi * prev[i]
        eta = eta_plus if product > 0 else (eta_minus if product < 0 else 1.0)
        si = min(max(step_size[i] * eta, step_min), step_max)
        step_size[i] = si
        if product < 0:
            gi = 0.0
        w[i] = w[i] - np.sign(gi) * si
        prev[i] = gi


def sgd_step(w, g, v, lr, mu, dampening, wd, nesterov, first):
    """SGD with momentum μ (v empty when μ = 0), in place: w ← w - lr·(v or g + μv)."""
    s = w.dtype.type
    w, g, v = flat_views(w, g, v)
    _sgd(w, g, v, s(lr), s(mu), s(1 - dampening), s(wd), bool(nesterov), bool(first))


def adagrad_step(w, g, h, clr, wd, eps):
    """Adagrad in place: h ← h + g²;  w ← w - clr·g / (√h + ε)."""
    s = w.dtype.type
    w, g, h = flat_views(w, g, h)
    _adagrad(w, g, h, s(clr), s(wd), s(eps))


def rmsprop_step(w, g, s, g_avg, v, lr, rho, eps, wd, mu, centered):
    """RMSprop in place (g_avg empty unless centered, v empty unless μ > 0):
    s ← ρs + (1-ρ)g²;  w ← w - lr·g / (√s + ε)."""
    t = w.dtype.type
    w, g, s, g_avg, v = flat_views(w, g, s, g_avg, v)
    _rmsprop(w, g, s, g_avg, v, t(lr), t(rho), t(1 - rho),
             t(eps), t(wd), t(mu), bool(centered))


def adam_step(w, g, m, v, v_max, step_size, bc2_sqrt, b1, b2, eps, wd, shrink, amsgrad):
    """Adam/AdamW in place (v_max empty unless amsgrad):
    m ← β1m + (1-β1)g;  v ← β2v + (1-β2)g²;  w ← shrink·w - step_size·m / (√v/bc2_sqrt + ε)."""
    s = w.dtype.type
    w, g, m, v, v_max = flat_views(w, g, m, v, v_max)
    _adam(w, g, m, v, v_max, s(step_size), s(1 / bc2_sqrt),
          s(b1), s(1 - b1), s(b2), s(1 - b2), s(eps), s(wd), s(shrink), bool(amsgrad))


def adamax_step(w, g, m, u, clr, b1, b2, eps, wd):
    """Adamax in place: m ← β1m + (1-β1)g;  u ← max(β2u, |g| + ε);  w ← w - clr·m/u."""
    s = w.dtype.type
    w, g, m, u = flat_views(w, g, m, u)
    _adamax(w, g, m, u, s(clr), s(1 - b1), s(b2), s(eps), s(wd))


def nadam_step(w, g, m, v, c_grad, c_avg, bc2, b1, b2, eps, wd, shrink):
    """NAdam in place: m, v as Adam;  w ← shrink·w - (c_grad·g + c_avg·m) / (√(v/bc2) + ε)."""
    s = w.dtype.type
    w, g, m, v = flat_views(w, g, m, v)
    _nadam(w, g, m, v, s(c_grad), s(c_avg), s(bc2), s(1 - b1),
           s(b2), s(1 - b2), s(eps), s(wd), s(shrink))


def radam_step(w, g, m, v, lr, bc1, bc2_sqrt, rect, rectified, b1, b2, eps, wd, shrink):
    """RAdam in place: m, v as Adam;  w ← shrink·w - lr·m̂·(rect·√bc2/(√v + ε) if rectified)."""
    s = w.dtype.type
    w, g, m, v = flat_views(w, g, m, v)
    _radam(w, g, m, v, s(lr), s(bc1), s(bc2_sqrt), s(rect),
           bool(rectified), s(1 - b1), s(b2), s(1 - b2), s(eps), s(wd), s(shrink))


def adadelta_step(w, g, s, a, lr, rho, eps, wd):
    """Adadelta in place: s ← ρs + (1-ρ)g²;  δ = √(a+ε)/√(s+ε)·g;  a ← ρa + (1-ρ)δ²;
    w ← w - lr·δ."""
    t = w.dtype.type
    w, g, s, a = flat_views(w, g, s, a)
    _adadelta(w, g, s, a, t(lr), t(rho), t(1 - rho), t(eps), t(wd))


def rprop_step(w, g, prev, step_size, eta_minus, eta_plus, step_min, step_max):
    """Rprop in place: per-weight steps grow by η+ while the gradient keeps its sign and
    shrink by η- when it flips;  w ← w - sign(g)·step."""
    s = w.dtype.type
    w, g, prev, step_size = flat_views(w, g, prev, step_size)
    _rprop(w, g, prev, step_size, s(eta_minus), s(eta_plus),
           s(step_min), s(step_max))
