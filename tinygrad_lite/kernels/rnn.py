"""Recurrent-cell kernels: one time step of an LSTM or GRU cell, gate nonlinearities and state
update in a single pass over the (batch, hidden) arrays, forward and backward. The matrix
products (input and hidden projections) are done before, by BLAS; NumPy twins in
`reference_rnn.py`. Gate blocks are laid out as in PyTorch: LSTM (i, f, g, o), GRU (r, z, n),
each `hidden` columns wide. Serial loops: a step is small (batch x hidden ~ 10^3 - 10^4).
"""
import math

import numpy as np

from ._jit import njit


@njit()
def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


@njit(fma=True)
def _lstm_cell_fwd(gates, c, out):
    """i, f, o = sigmoid(.), g = tanh(.) of the gate blocks; c' = f c + i g, h' = o tanh(c');
    out = [h' | c']"""
    batch, hidden = c.shape
    for b in range(batch):
        for j in range(hidden):
            i = _sigmoid(gates[b, j])
            f = _sigmoid(gates[b, hidden + j])
            g = math.tanh(gates[b, 2 * hidden + j])
            o = _sigmoid(gates[b, 3 * hidden + j])
            c_new = f * c[b, j] + i * g
            out[b, j] = o * math.tanh(c_new)
            out[b, hidden + j] = c_new


@njit(fma=True)
def _lstm_cell_bwd(gates, c, grad, out):
    """From dh', dc' (grad = [dh' | dc']): dc_total = dc' + dh' o (1 - tanh(c')^2),
    d gates = [dc_total g i(1-i), dc_total c f(1-f), dc_total i (1-g^2), dh' tanh(c') o(1-o)],
    dc = dc_total f;  out = [d gates | dc]"""
    batch, hidden = c.shape
    for b in range(batch):
        for j in range(hidden):
            i = _sigmoid(gates[b, j])
            f = _sigmoid(gates[b, hidden + j])
            g = math.tanh(gates[b, 2 * hidden + j])
            o = _sigmoid(gates[b, 3 * hidden + j])
            tanh_c = math.tanh(f * c[b, j] + i * g)
            dh = grad[b, j]
            dc = grad[b, hidden + j] + dh * o * (1.0 - tanh_c * tanh_c)
            out[b, j] = dc * g * i * (1.0 - i)
            out[b, hidden + j] = dc * c[b, j] * f * (1.0 - f)
            out[b, 2 * hidden + j] = dc * i * (1.0 - g * g)
            out[b, 3 * hidden + j] = dh * tanh_c * o * (1.0 - o)
            out[b, 4 * hidden + j] = dc * f


@njit(fma=True)
def _gru_cell_fwd(x_gates, h_gates, h, out):
    """r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n);
    h' = (1 - z) n + z h"""
    batch, hidden = h.shape
    for b in range(batch):
        for j in range(hidden):
            r = _sigmoid(x_gates[b, j] + h_gates[b, j])
            z = _sigmoid(x_gates[b, hidden + j] + h_gates[b, hidden + j])
            n = math.tanh(x_gates[b, 2 * hidden + j] + r * h_gates[b, 2 * hidden + j])
            out[b, j] = (1.0 - z) * n + z * h[b, j]


@njit(fma=True)
def _gru_cell_bwd(x_gates, h_gates, h, grad, out):
    """From dh': dn = dh'(1-z)(1-n^2), dz = dh'(h-n) z(1-z), dr = dn h_n r(1-r);
    out = [dx_gates = (dr, dz, dn) | dh_gates = (dr, dz, dn r) | dh = dh' z]"""
    batch, hidden = h.shape
    for b in range(batch):
        for j in range(hidden):
            h_n = h_gates[b, 2 * hidden + j]
            r = _sigmoid(x_gates[b, j] + h_gates[b, j])
            z = _sigmoid(x_gates[b, hidden + j] + h_gates[b, hidden + j])
            n = math.tanh(x_gates[b, 2 * hidden + j] + r * h_n)
            dh = grad[b, j]
            dn = dh * (1.0 - z) * (1.0 - n * n)
            dz = dh * (h[b, j] - n) * z * (1.0 - z)
            dr = dn * h_n * r * (1.0 - r)
            out[b, j] = dr
            out[b, hidden + j] = dz
            out[b, 2 * hidden + j] = dn
            out[b, 3 * hidden + j] = dr
            out[b, 4 * hidden + j] = dz
            out[b, 5 * hidden + j] = dn * r
            out[b, 6 * hidden + j] = dh * z


def _contiguous(*arrays):
    return [np.ascontiguousarray(a) for a in arrays]


def lstm_cell_fwd(gates, c):
    """[h' | c'] of shape (batch, 2 hidden) from gates (batch, 4 hidden) and c (batch, hidden)"""
    gates, c = _contiguous(gates, c)
    out = np.empty((c.shape[0], 2 * c.shape[1]), c.dtype)
    _lstm_cell_fwd(gates, c, out)
    return out


def lstm_cell_bwd(gates, c, grad):
    """[d gates | dc] of shape (batch, 5 hidden) from grad = [dh' | dc']"""
    gates, c, grad = _contiguous(gates, c, grad)
    out = np.empty((c.shape[0], 5 * c.shape[1]), c.dtype)
    _lstm_cell_bwd(gates, c, grad, out)
    return out


def gru_cell_fwd(x_gates, h_gates, h):
    """h' of shape (batch, hidden) from the input and hidden gate projections (batch, 3 hidden)"""
    x_gates, h_gates, h = _contiguous(x_gates, h_gates, h)
    out = np.empty_like(h)
    _gru_cell_fwd(x_gates, h_gates, h, out)
    return out


def gru_cell_bwd(x_gates, h_gates, h, grad):
    """[dx_gates | dh_gates | dh] of shape (batch, 7 hidden) from grad = dh'"""
    x_gates, h_gates, h, grad = _contiguous(x_gates, h_gates, h, grad)
    out = np.empty((h.shape[0], 7 * h.shape[1]), h.dtype)
    _gru_cell_bwd(x_gates, h_gates, h, grad, out)
    return out
