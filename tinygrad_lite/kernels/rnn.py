"""Recurrent-cell kernels: one time step of an LSTM or GRU cell, gate nonlinearities and state
update in a single pass over the (batch, hidden) arrays, forward and backward. The matrix
products (input and hidden projections) are done before, by BLAS; NumPy twins in
`reference_rnn.py`. Gate blocks are laid out as in PyTorch: LSTM (i, f, g, o), GRU (r, z, n),
each `hidden` columns wide; both cells take the input part x_gates = x W_ih^T + b_ih and the
hidden part h_gates = h W_hh^T + b_hh separately. Serial loops: a step is small (batch x
hidden ~ 10^3 - 10^4). sigmoid and tanh use the polynomial e^x of _exp.py (no libm call), and
the loop over hidden units reads one row of each array at a time (1-D views), so LLVM
vectorizes it: 66 -> 5 us for an LSTM step of batch 32, hidden 64 in float32, measured; with
2-D indexing inside the loop it stayed scalar. Computed in the arrays' dtype as the
elementwise kernels do.
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
def _lstm_cell_fwd(x_gates, h_gates, c, out):
    """i, f, o = sigmoid(.), g = tanh(.) of the gate blocks of x_gates + h_gates;
    c' = f c + i g, h' = o tanh(c');  out = [h' | c']"""
    batch, hidden = c.shape
    one, two, big = c.dtype.type(1), c.dtype.type(2), c.dtype.type(TANH_CLAMP)
    for b in range(batch):
        xg, hg, cb, ob = x_gates[b], h_gates[b], c[b], out[b]     # rows: the j loop vectorizes
        for j in range(hidden):
            i = _sigmoid(xg[j] + hg[j], one)      # the gates, written out in the loop: a
            f = _sigmoid(xg[hidden + j] + hg[hidden + j], one)     # helper returning a tuple
            g = _tanh(xg[2 * hidden + j] + hg[2 * hidden + j], two, big)  # stops vectorizing
            o = _sigmoid(xg[3 * hidden + j] + hg[3 * hidden + j], one)
            c_new = f * cb[j] + i * g
            ob[j] = o * _tanh(c_new, two, big)
            ob[hidden + j] = c_new


@njit(fma=True)
def _lstm_cell_bwd(x_gates, h_gates, c, grad, out):
    """From grad = [dh' | dc']: dc_total = dc' + dh' o (1 - tanh(c')^2),
    d gates = [dc_total g i(1-i), dc_total c f(1-f), dc_total i (1-g^2), dh' tanh(c') o(1-o)],
    dc = dc_total f;  out = [d gates | dc] (d gates is the gradient of x_gates and h_gates)"""
    batch, hidden = c.shape
    one, two, big = c.dtype.type(1), c.dtype.type(2), c.dtype.type(TANH_CLAMP)
    for b in range(batch):
        xg, hg, cb, gb, ob = x_gates[b], h_gates[b], c[b], grad[b], out[b]
        # one view per output block: with ob[k * hidden + j] stores the loop stays scalar
        di, df, dg, do = ob[:hidden], ob[hidden:2 * hidden], ob[2 * hidden:3 * hidden], \
            ob[3 * hidden:4 * hidden]
        dc_prev = ob[4 * hidden:]
        for j in range(hidden):
            i = _sigmoid(xg[j] + hg[j], one)      # the gates, written out in the loop: a
            f = _sigmoid(xg[hidden + j] + hg[hidden + j], one)     # helper returning a tuple
            g = _tanh(xg[2 * hidden + j] + hg[2 * hidden + j], two, big)  # stops vectorizing
            o = _sigmoid(xg[3 * hidden + j] + hg[3 * hidden + j], one)
            tanh_c = _tanh(f * cb[j] + i * g, two, big)
            dh = gb[j]
            dc = gb[hidden + j] + dh * o * (one - tanh_c * tanh_c)
            di[j] = dc * g * i * (one - i)
            df[j] = dc * cb[j] * f * (one - f)
            dg[j] = dc * i * (one - g * g)
            do[j] = dh * tanh_c * o * (one - o)
            dc_prev[j] = dc * f


@njit(fma=True)
def _gru_cell_fwd(x_gates, h_gates, h, out):
    """r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n);
    h' = (1 - z) n + z h"""
    batch, hidden = h.shape
    one, two, big = h.dtype.type(1), h.dtype.type(2), h.dtype.type(TANH_CLAMP)
    for b in range(batch):
        xg, hg, hb, ob = x_gates[b], h_gates[b], h[b], out[b]
        for j in range(hidden):
            r = _sigmoid(xg[j] + hg[j], one)      # the gates, written out (see the LSTM's)
            z = _sigmoid(xg[hidden + j] + hg[hidden + j], one)
            n = _tanh(xg[2 * hidden + j] + r * hg[2 * hidden + j], two, big)
            ob[j] = (one - z) * n + z * hb[j]


@njit(fma=True)
def _gru_cell_bwd(x_gates, h_gates, h, grad, out):
    """From dh': dn = dh'(1-z)(1-n^2), dz = dh'(h-n) z(1-z), dr = dn h_n r(1-r);
    out = [dx_gates = (dr, dz, dn) | dh_gates = (dr, dz, dn r) | dh = dh' z]"""
    batch, hidden = h.shape
    one, two, big = h.dtype.type(1), h.dtype.type(2), h.dtype.type(TANH_CLAMP)
    for b in range(batch):
        xg, hg, hb, gb, ob = x_gates[b], h_gates[b], h[b], grad[b], out[b]
        dxr, dxz, dxn = ob[:hidden], ob[hidden:2 * hidden], ob[2 * hidden:3 * hidden]
        dhr, dhz, dhn = ob[3 * hidden:4 * hidden], ob[4 * hidden:5 * hidden], \
            ob[5 * hidden:6 * hidden]
        dh_prev = ob[6 * hidden:]                     # one view per block, as in the LSTM's
        for j in range(hidden):
            h_n = hg[2 * hidden + j]
            r = _sigmoid(xg[j] + hg[j], one)      # the gates, written out (see the LSTM's)
            z = _sigmoid(xg[hidden + j] + hg[hidden + j], one)
            n = _tanh(xg[2 * hidden + j] + r * hg[2 * hidden + j], two, big)
            dh = gb[j]
            dn = dh * (one - z) * (one - n * n)
            dz = dh * (hb[j] - n) * z * (one - z)
            dr = dn * h_n * r * (one - r)
            dxr[j] = dr
            dxz[j] = dz
            dxn[j] = dn
            dhr[j] = dr
            dhz[j] = dz
            dhn[j] = dn * r
            dh_prev[j] = dh * z


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
