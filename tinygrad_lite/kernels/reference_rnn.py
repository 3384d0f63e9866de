"""Plain-NumPy twins of the recurrent-cell kernels in `rnn.py`: the fallback when Numba is off
and the oracle tests/test_kernels.py compares the kernels with. Same names, arguments and
results; inputs never change.
"""
import numpy as np


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def lstm_cell_fwd(x_gates, h_gates, c):
    """[h' | c'] with c' = f c + i g, h' = o tanh(c')"""
    i, f, g, o = np.split(x_gates + h_gates, 4, axis=1)
    i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
    c_new = f * c + i * g
    return np.concatenate([o * np.tanh(c_new), c_new], axis=1)


def lstm_cell_bwd(x_gates, h_gates, c, grad):
    """[d gates | dc] from grad = [dh' | dc']"""
    i, f, g, o = np.split(x_gates + h_gates, 4, axis=1)
    i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
    tanh_c = np.tanh(f * c + i * g)
    dh, dc_new = np.split(grad, 2, axis=1)
    dc = dc_new + dh * o * (1 - tanh_c ** 2)
    return np.concatenate([dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g ** 2),
                           dh * tanh_c * o * (1 - o), dc * f], axis=1)


def gru_cell_fwd(x_gates, h_gates, h):
    """h' = (1 - z) n + z h"""
    x_r, x_z, x_n = np.split(x_gates, 3, axis=1)
    h_r, h_z, h_n = np.split(h_gates, 3, axis=1)
    r, z = _sigmoid(x_r + h_r), _sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


def gru_cell_bwd(x_gates, h_gates, h, grad):
    """[dx_gates | dh_gates | dh] from grad = dh'"""
    x_r, x_z, x_n = np.split(x_gates, 3, axis=1)
    h_r, h_z, h_n = np.split(h_gates, 3, axis=1)
    r, z = _sigmoid(x_r + h_r), _sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    dn = grad * (1 - z) * (1 - n ** 2)
    dz = grad * (h - n) * z * (1 - z)
    dr = dn * h_n * r * (1 - r)
    return np.concatenate([dr, dz, dn, dr, dz, dn * r, grad * z], axis=1)
