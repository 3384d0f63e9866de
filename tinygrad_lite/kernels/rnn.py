"""Recurrent-cell kernels: one time step of an LSTM or GRU cell, gate nonlinearities and state
update in a single pass over the (batch, hidden) arrays, forward and backward. The matrix
products (input and hidden projections) are done before, by BLAS; NumPy twins in
`reference_rnn.py`. Gate blocks are laid out as in PyTorch: LSTM (i, f, g, o), GRU (r, z, n),
each `hidden` columns wide; both cells take the input part x_gates = x W_ih^T + b_ih and the
hidden part h_gates = h W_hh^T + b_hh separately. Serial loops: a step is small (batch x
hidden ~ 10^3 - 10^4). sigmoid and tanh use the polynomial e^x of _exp.py (no libm call, so
the loops vectorize), computed in the arrays' dtype as the elementwise kernels do.
"""
import math

import numpy as np

from ._checks import contiguous
from ._exp import exp, expm1
from ._jit import njit
from .elementwise import TANH_CLAMP


@njit(fma=True)
def _sigmoid(x, one):
    """1 / (1 + e^-x) with e = e^-|x| <= 1, so nothing overflows (`one` carries the dtype)"""
    e = exp(-abs(x))
    return (one if x >= 0 else e) / (one + e)


@njit(fma=True)
def _tanh(x, two, big):
    """sign(x) u / (u + 2), u = e^(2|x|) - 1, |x| clamped at `big` (tanh rounds to 1 there)"""
    a = abs(x)
    u = expm1(two * (big if a > big else a))
    return math.copysign(u / (u + two), x)


@njit(fma=True)
def _lstm_gates(x_gates, h_gates, b, j, hidden, one, two, big):
    """(i, f, g, o) of row b, unit j: sigmoid, sigmoid, tanh, sigmoid of x_gates + h_gates"""
    i = _sigmoid(x_gates[b, j] + h_gates[b, j], one)
    f = _sigmoid(x_gates[b, hidden + j] + h_gates[b, hidden + j], one)
    g = _tanh(x_gates[b, 2 * hidden + j] + h_gates[b, 2 * hidden + j], two, big)
    o = _sigmoid(x_gates[b, 3 * hidden + j] + h_gates[b, 3 * hidden + j], one)
    return i, f, g, o


@njit(fma=True)
def _gru_gates(x_gates, h_gates, b, j, hidden, one, two, big):
    """(r, z, n) of row b, unit j: r, z = sigmoid(x + h), n = tanh(x_n + r h_n)"""
    r = _sigmoid(x_gates[b, j] + h_gates[b, j], one)
    z = _sigmoid(x_gates[b, hidden + j] + h_gates[b, hidden + j], one)
    n = _tanh(x_gates[b, 2 * hidden + j] + r * h_gates[b, 2 * hidden + j], two, big)
    return r, z, n


@njit(fma=True)
def _lstm_cell_fwd(x_gates, h_gates, c, out):
    """i, f, o = sigmoid(.), g = tanh(.) of the gate blocks of x_gates + h_gates;
    c' = f c + i g, h' = o tanh(c');  out = [h' | c']"""
    batch, hidden = c.shape
    one, two, big = c.dtype.type(1), c.dtype.type(2), c.dtype.type(TANH_CLAMP)
    for b in range(batch):
        for j in range(hidden):
            i, f, g, o = _lstm_gates(x_gates, h_gates, b, j, hidden, one, two, big)
            c_new = f * c[b, j] + i * g
            out[b, j] = o * _tanh(c_new, two, big)
            out[b, hidden + j] = c_new


@njit(fma=True)
def _lstm_cell_bwd(x_gates, h_gates, c, grad, out):
    """From grad = [dh' | dc']: dc_total = dc' + dh' o (1 - tanh(c')^2),
    d gates = [dc_total g i(1-i), dc_total c f(1-f), dc_total i (1-g^2), dh' tanh(c') o(1-o)],
    dc = dc_total f;  out = [d gates | dc] (d gates is the gradient of x_gates and h_gates)"""
    batch, hidden = c.shape
    one, two, big = c.dtype.type(1), c.dtype.type(2), c.dtype.type(TANH_CLAMP)
    for b in range(batch):
        for j in range(hidden):
            i, f, g, o = _lstm_gates(x_gates, h_gates, b, j, hidden, one, two, big)
            tanh_c = _tanh(f * c[b, j] + i * g, two, big)
            dh = grad[b, j]
            dc = grad[b, hidden + j] + dh * o * (one - tanh_c * tanh_c)
            out[b, j] = dc * g * i * (one - i)
            out[b, hidden + j] = dc * c[b, j] * f * (one - f)
            out[b, 2 * hidden + j] = dc * i * (one - g * g)
            out[b, 3 * hidden + j] = dh * tanh_c * o * (one - o)
            out[b, 4 * hidden + j] = dc * f


@njit(fma=True)
def _gru_cell_fwd(x_gates, h_gates, h, out):
    """r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n);
    h' = (1 - z) n + z h"""
    batch, hidden = h.shape
    one, two, big = h.dtype.type(1), h.dtype.type(2), h.dtype.type(TANH_CLAMP)
    for b in range(batch):
        for j in range(hidden):
            r, z, n = _gru_gates(x_gates, h_gates, b, j, hidden, one, two, big)
            out[b, j] = (one - z) * n + z * h[b, j]


@njit(fma=True)
def _gru_cell_bwd(x_gates, h_gates, h, grad, out):
    """From dh': dn = dh'(1-z)(1-n^2), dz = dh'(h-n) z(1-z), dr = dn h_n r(1-r);
    out = [dx_gates = (dr, dz, dn) | dh_gates = (dr, dz, dn r) | dh = dh' z]"""
    batch, hidden = h.shape
    one, two, big = h.dtype.type(1), h.dtype.type(2), h.dtype.type(TANH_CLAMP)
    for b in range(batch):
        for j in range(hidden):
            h_n = h_gates[b, 2 * hidden + j]
            r, z, n = _gru_gates(x_gates, h_gates, b, j, hidden, one, two, big)
            dh = grad[b, j]
            dn = dh * (one - z) * (one - n * n)
            dz = dh * (h[b, j] - n) * z * (one - z)
            dr = dn * h_n * r * (one - r)
            out[b, j] = dr
            out[b, hidden + j] = dz
            out[b, 2 * hidden + j] = dn
            out[b, 3 * hidden + j] = dr
            out[b, 4 * hidden + j] = dz
            out[b, 5 * hidden + j] = dn * r
            out[b, 6 * hidden + j] = dh * z


def _run(kernel, blocks, *arrays):
    """kernel(*arrays, out) on contiguous arrays, out of shape (batch, blocks * hidden), where
    the third array is the (batch, hidden) state."""
    arrays = [contiguous(a) for a in arrays]
    batch, hidden = arrays[2].shape
    out = np.empty((batch, blocks * hidden), arrays[2].dtype)
    kernel(*arrays, out)
    return out


def lstm_cell_fwd(x_gates, h_gates, c):
    """[h' | c'] of shape (batch, 2 hidden) from x_gates, h_gates (batch, 4 hidden) and c
    (batch, hidden)"""
    return _run(_lstm_cell_fwd, 2, x_gates, h_gates, c)


def lstm_cell_bwd(x_gates, h_gates, c, grad):
    """[d gates | dc] of shape (batch, 5 hidden) from grad = [dh' | dc']"""
    return _run(_lstm_cell_bwd, 5, x_gates, h_gates, c, grad)


def gru_cell_fwd(x_gates, h_gates, h):
    """h' of shape (batch, hidden) from x_gates, h_gates (batch, 3 hidden) and h (batch, hidden)"""
    return _run(_gru_cell_fwd, 1, x_gates, h_gates, h)


def gru_cell_bwd(x_gates, h_gates, h, grad):
    """[dx_gates | dh_gates | dh] of shape (batch, 7 hidden) from grad = dh'"""
    return _run(_gru_cell_bwd, 7, x_gates, h_gates, h, grad)
