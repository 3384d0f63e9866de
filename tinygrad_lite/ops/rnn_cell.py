"""One time step of an LSTM or GRU cell as a single fused op (gate nonlinearities and state
update), forward and backward each one kernel pass (`kernels/rnn.py`). The matrix products
that make the gate pre-activations are ordinary matmuls done before the op.

    LSTM: gates = x_gates + h_gates (x W_ih^T + b_ih and h W_hh^T + b_hh), blocks (i, f, g, o):
          c' = sigmoid(f) c + sigmoid(i) tanh(g),  h' = sigmoid(o) tanh(c')
    GRU:  x_gates = x W_ih^T + b_ih, h_gates = h W_hh^T + b_hh, blocks (r, z, n):
          r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n),
          h' = (1 - z) n + z h

The backward of each cell is a registered op too (`lstm_cell_backward`, `gru_cell_backward`),
so second derivatives work. Its own backward (the cell's second derivative) differentiates the
same formulas written with Tensor ops twice; that result is not differentiable again (no
third derivatives: the backward ops are registered with second_order=False).
"""
import numpy as np

from .. import autograd, function
from ..function import Function, Sample, register
from ..grad_mode import enable_grad
from .. import kernels as K
from .movement import Cat

H = 2   # hidden size of the gradient-check samples


# ---- the cell formulas with Tensor ops (the second derivatives differentiate these) --------
def lstm_cell_composed(x_gates, h_gates, c):
    """[h' | c'] from the LSTM gate projections and cell state, with Tensor ops."""
    i, f, g, o = (x_gates + h_gates).chunk(4, 1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return Cat.apply(o.sigmoid() * c_new.tanh(), c_new, dim=1)


def gru_cell_composed(x_gates, h_gates, h):
    """h' from the GRU input and hidden gate projections and the hidden state."""
    x_r, x_z, x_n = x_gates.chunk(3, 1)
    h_r, h_z, h_n = h_gates.chunk(3, 1)
    r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return (1 - z) * n + z * h


def _second_derivative(composed, primals, grad, gg, needs, packed):
    """The gradient of <gg, vjp(primals, grad)> for each input of a cell's backward op, where
    vjp is the backward of `composed` and the op's output packs the gradients of the primals
    numbered in `packed`: computed on detached copies by differentiating the Tensor formula
    twice; None where `needs` is False."""
    with enable_grad():
        leaves = [function.Tensor._make(p._data, True, None) for p in (*primals, grad)]
        out = composed(*leaves[:-1])
        vjp = autograd.grad(out, leaves[:-1], leaves[-1], create_graph=True)
        flat = Cat.apply(*[vjp[k] for k in packed], dim=1)
        grads = autograd.grad(flat, leaves, gg.detach(), allow_unused=True)
    return tuple(function.constant(g._data) if need and g is not None else None
                 for g, need in zip(grads, needs))


# ---- independent NumPy references and torch twins for the registry ------------------------
def _np_sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _np_lstm(x_gates, h_gates, c):
    gates, h = x_gates + h_gates, c.shape[1]
    gate = [gates[:, k * h:(k + 1) * h] for k in range(4)]
    c_new = _np_sigmoid(gate[1]) * c + _np_sigmoid(gate[0]) * np.tanh(gate[2])
    return np.hstack([_np_sigmoid(gate[3]) * np.tanh(c_new), c_new])


def _np_gru(x_gates, h_gates, h):
    size = h.shape[1]
    r = _np_sigmoid(x_gates[:, :size] + h_gates[:, :size])
    z = _np_sigmoid(x_gates[:, size:2 * size] + h_gates[:, size:2 * size])
    n = np.tanh(x_gates[:, 2 * size:] + r * h_gates[:, 2 * size:])
    return n + z * (h - n)


def _torch_lstm(torch, x_gates, h_gates, c):
    i, f, g, o = (x_gates + h_gates).chunk(4, 1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return torch.cat([o.sigmoid() * c_new.tanh(), c_new], 1)


def _torch_gru(torch, x_gates, h_gates, h):
    x_r, x_z, x_n = x_gates.chunk(3, 1)
    h_r, h_z, h_n = h_gates.chunk(3, 1)
    r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return (1 - z) * n + z * h


def _np_lstm_backward(x_gates, h_gates, c, grad):
    gates, h = x_gates + h_gates, c.shape[1]
    i, f, o = (_np_sigmoid(gates[:, k * h:(k + 1) * h]) for k in (0, 1, 3))
    g = np.tanh(gates[:, 2 * h:3 * h])
    tanh_c = np.tanh(f * c + i * g)
    grad_h, grad_c = grad[:, :h], grad[:, h:]
    total_c = grad_c + grad_h * o * (1 - tanh_c * tanh_c)
    return np.hstack([total_c * g * i * (1 - i), total_c * c * f * (1 - f),
                      total_c * i * (1 - g * g), grad_h * tanh_c * o * (1 - o), total_c * f])


def _np_gru_backward(x_gates, h_gates, h, grad):
    size = h.shape[1]
    r = _np_sigmoid(x_gates[:, :size] + h_gates[:, :size])
    z = _np_sigmoid(x_gates[:, size:2 * size] + h_gates[:, size:2 * size])
    h_n = h_gates[:, 2 * size:]
    n = np.tanh(x_gates[:, 2 * size:] + r * h_n)
    d_n = grad * (1 - z) * (1 - n * n)
    d_z = grad * (h - n) * z * (1 - z)
    d_r = d_n * h_n * r * (1 - r)
    return np.hstack([d_r, d_z, d_n, d_r, d_z, d_n * r, grad * z])


def _torch_vjp(torch, composed, primals, grad, packed):
    out = composed(torch, *primals)
    grads = torch.autograd.grad(out, primals, grad, create_graph=True)
    return torch.cat([grads[k] for k in packed], 1)


# ---- the ops -------------------------------------------------------------------------------
def _unpack_grads(ctx, packed, *blocks):
    """Each input's gradient from the backward op's packed output: columns
    [start * hidden, stop * hidden) for each (start, stop) in blocks; None if not needed."""
    hidden = ctx.inputs[2].shape[1]
    return tuple(packed[:, start * hidden:stop * hidden] if need else None
                 for (start, stop), need in zip(blocks, ctx.needs_input_grad))


@register("lstm_cell", samples=[Sample(((3, 4 * H), (3, 4 * H), (3, H))),
                                Sample(((1, 12), (1, 12), (1, 3)))],
          reference=_np_lstm, torch=_torch_lstm)
class LSTMCell(Function):
    """[h' | c'] (batch, 2 hidden) from x_gates, h_gates (batch, 4 hidden) and c (batch, hidden)"""
    def forward(ctx, x_gates, h_gates, c):
        return K.lstm_cell_fwd(x_gates, h_gates, c)

    def backward(ctx, g):   # d gates is the gradient of both x_gates and h_gates
        return _unpack_grads(ctx, LSTMCellBackward.apply(*ctx.inputs, g), (0, 4), (0, 4), (4, 5))


@register("lstm_cell_backward", samples=[Sample(((3, 4 * H), (3, 4 * H), (3, H), (3, 2 * H)))],
          reference=_np_lstm_backward, second_order=False,
          torch=lambda torch, x_gates, h_gates, c, grad: _torch_vjp(
              torch, _torch_lstm, (x_gates, h_gates, c), grad, (0, 2)))
class LSTMCellBackward(Function):
    """[d gates | dc] (batch, 5 hidden) from grad = [dh' | dc'], in one kernel pass:
    dc_total = dc' + dh' o (1 - tanh(c')^2), d(i, f, g, o) = dc_total (g, c, i, -) times the
    gate derivatives, d o = dh' tanh(c') o (1 - o), dc = dc_total f. d gates is the gradient
    of both x_gates and h_gates (their sum is what the cell reads)."""
    def forward(ctx, x_gates, h_gates, c, grad):
        return K.lstm_cell_bwd(x_gates, h_gates, c, grad)

    def backward(ctx, gg):
        return _second_derivative(lstm_cell_composed, ctx.inputs[:3], ctx.inputs[3], gg,
                                  ctx.needs_input_grad, (0, 2))


@register("gru_cell", samples=[Sample(((3, 3 * H), (3, 3 * H), (3, H))),
                               Sample(((1, 9), (1, 9), (1, 3)))],
          reference=_np_gru, torch=_torch_gru)
class GRUCell(Function):
    """h' (batch, hidden) from x_gates, h_gates (batch, 3 hidden) and h (batch, hidden)"""
    def forward(ctx, x_gates, h_gates, h):
        return K.gru_cell_fwd(x_gates, h_gates, h)

    def backward(ctx, g):
        return _unpack_grads(ctx, GRUCellBackward.apply(*ctx.inputs, g), (0, 3), (3, 6), (6, 7))


@register("gru_cell_backward", samples=[Sample(((3, 3 * H), (3, 3 * H), (3, H), (3, H)))],
          reference=_np_gru_backward, second_order=False,
          torch=lambda torch, x_gates, h_gates, h, grad: _torch_vjp(
              torch, _torch_gru, (x_gates, h_gates, h), grad, (0, 1, 2)))
class GRUCellBackward(Function):
    """[dx_gates | dh_gates | dh] (batch, 7 hidden) from grad = dh', in one kernel pass:
    dn = dh'(1-z)(1-n^2), dz = dh'(h-n) z(1-z), dr = dn h_n r(1-r);
    dx_gates = (dr, dz, dn), dh_gates = (dr, dz, dn r), dh = dh' z"""
    def forward(ctx, x_gates, h_gates, h, grad):
        return K.gru_cell_bwd(x_gates, h_gates, h, grad)

    def backward(ctx, gg):
        return _second_derivative(gru_cell_composed, ctx.inputs[:3], ctx.inputs[3], gg,
                                  ctx.needs_input_grad, (0, 1, 2))
