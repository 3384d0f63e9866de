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
