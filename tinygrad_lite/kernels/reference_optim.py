"""NumPy twins of the optimizer kernels in optim.py: the fallback when Numba is switched off,
the oracle the kernel tests compare against, and the "NumPy expressions" of the benchmark.

Same signatures and in-place contract as the kernels: `w` and the state arrays are updated in
place, `g` is only read, an unused state buffer is an empty array. Python-float scalars keep
float32 arrays in float32 (NumPy's weak scalar promotion).
"""
import numpy as np


def sgd_step(w, g, v, lr, mu, dampening, wd, nesterov, first):
    """g ← g + λw;  v ← μv + (1-dampening)g (v ← g first);  g ← g + μv or v;  w ← w - lr·g"""
    g = g + wd * w
    if mu != 0:
        v[...] = g if first else mu * v + (1 - dampening) * g
        g = g + mu * v if nesterov else v
    w -= lr * g


def adagrad_step(w, g, h, clr, wd, eps):
    """g ← g + λw;  h ← h + g²;  w ← w - clr·g / (√h + ε)"""
    g = g + wd * w
    h += g * g
    w -= clr * (g / (np.sqrt(h) + eps))


def rmsprop_step(w, g, s, g_avg, v, lr, rho, eps, wd, mu, centered):
    """g ← g + λw;  s ← ρs + (1-ρ)g²;  d = √(s - ḡ²) + ε (centered) or √s + ε;
    v ← μv + g/d, w ← w - lr·v (μ > 0) or w ← w - lr·g/d"""
    g = g + wd * w
    s[...] = rho * s + (1 - rho) * (g * g)
    var = s
    if centered:
        g_avg += (1 - rho) * (g - g_avg)
        var = s - g_avg * g_avg
    d = np.sqrt(var) + eps
    if mu > 0:
        v[...] = mu * v + g / d
        w -= lr * v
    else:
        w -= lr * (g / d)


def adam_step(w, g, m, v, v_max, step_size, bc2_sqrt, b1, b2, eps, wd, shrink, amsgrad):
    """g ← g + λw;  w ← shrink·w;  m ← β1m + (1-β1)g;  v ← β2v + (1-β2)g²;
    AMSGrad: v ← v_max ← max(v_max, v);  w ← w - step_size·m / (√v/bc2_sqrt + ε)"""
    g = g + wd * w
    m[...] = b1 * m + (1 - b1) * g
    v[...] = b2 * v + (1 - b2) * (g * g)
    if amsgrad:
        np.maximum(v_max, v, out=v_max)
        v = v_max
    w[...] = shrink * w - step_size * (m / (np.sqrt(v) / bc2_sqrt + eps))


def adamax_step(w, g, m, u, clr, b1, b2, eps, wd):
    """g ← g + λw;  m ← m + (1-β1)(g - m);  u ← max(β2u, |g| + ε);  w ← w - clr·m/u"""
    g = g + wd * w
    m += (1 - b1) * (g - m)
    np.maximum(b2 * u, np.abs(g) + eps, out=u)
    w -= clr * (m / u)


def nadam_step(w, g, m, v, c_grad, c_avg, bc2, b1, b2, eps, wd, shrink):
    """g ← g + λw;  w ← shrink·w;  m ← m + (1-β1)(g - m);  v ← β2v + (1-β2)g²;
    d = √(v/bc2) + ε;  w ← w - c_grad·g/d - c_avg·m/d"""
    g = g + wd * w
    m += (1 - b1) * (g - m)
    v[...] = b2 * v + (1 - b2) * (g * g)
    d = np.sqrt(v / bc2) + eps
    w[...] = shrink * w - c_grad * (g / d) - c_avg * (m / d)


def radam_step(w, g, m, v, lr, bc1, bc2_sqrt, rect, rectified, b1, b2, eps, wd, shrink):
    """g ← g + λw;  w ← shrink·w;  m ← m + (1-β1)(g - m);  v ← β2v + (1-β2)g²;
    w ← w - (m/bc1)·lr·(√bc2/(√v + ε))·rect if rectified, else w ← w - (m/bc1)·lr"""
    g = g + wd * w
    m += (1 - b1) * (g - m)
    v[...] = b2 * v + (1 - b2) * (g * g)
    step = (m / bc1) * lr
    if rectified:
        step = step * (bc2_sqrt / (np.sqrt(v) + eps)) * rect
    w[...] = shrink * w - step


def adadelta_step(w, g, s, a, lr, rho, eps, wd):
    """g ← g + λw;  s ← ρs + (1-ρ)g²;  δ = √(a+ε)/√(s+ε)·g;  a ← ρa + (1-ρ)δ²;  w ← w - lr·δ"""
    g = g + wd * w
    s[...] = rho * s + (1 - rho) * (g * g)
    delta = np.sqrt(a + eps) / np.sqrt(s + eps) * g
    a[...] = rho * a + (1 - rho) * (delta * delta)
    w -= lr * delta


def rprop_step(w, g, prev, step_size, eta_minus, eta_plus, step_min, step_max):
    """η = η+ / η- / 1 where g·prev > 0 / < 0 / = 0;  step ← clamp(step·η, min, max);
    g ← 0 where η = η-;  w ← w - sign(g)·step;  prev ← g"""
    product = g * prev
    eta = np.where(product > 0, eta_plus, np.where(product < 0, eta_minus, 1.0))
    np.clip(step_size * eta.astype(w.dtype), step_min, step_max, out=step_size)
    g = np.where(product < 0, 0, g)
    w -= np.sign(g) * step_size
    prev[...] = g
