"""Recurrent layers RNN, LSTM and GRU (stacked, optionally bidirectional, over padded or packed
batches) and their single-step cells RNNCell, LSTMCell and GRUCell, with PyTorch's parameter
names, shapes, gate order and initialization, so state dicts move between the two.

For each layer l and direction (suffix "" or "_reverse"), with G gates (RNN 1, GRU 3, LSTM 4):
    weight_ih_l{l} (G*hidden, input), weight_hh_l{l} (G*hidden, hidden), bias_ih_l{l},
    bias_hh_l{l} (G*hidden), all ~ U(-1/sqrt(hidden), 1/sqrt(hidden)).
A Python loop over time does, per step, x_t W_ih^T + b_ih and h W_hh^T + b_hh and one fused
cell op (tanh / relu for RNN, `lstm_cell` / `gru_cell` for the others, see
tinygrad_lite/ops/rnn_cell.py); the layers hand each other lists of time steps, so backward
never slices a whole sequence per step.
"""
import math

import numpy as np

from tinygrad_lite.dtypes import get_default_dtype
import tinygrad_lite as tl
from tinygrad_lite.function import constant
from tinygrad_lite.ops.rnn_cell import GRUCell as GRUCellOp
from tinygrad_lite.ops.rnn_cell import LSTMCell as LSTMCellOp

from . import functional as F
from . import init
from .module import Module, Parameter
from .utils.rnn import PackedSequence, pack_time_major, packed_lengths, unpack_time_major

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _check_size(owner, name, value, minimum):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an int >= {minimum}, got {value!r}")


def _step(mode, x_gates, h, c, weight_hh, bias_hh):
    """One time step: (h', c') from the input projection x_gates and the state (c: LSTM)."""
    h_gates = F.linear(h, weight_hh, bias_hh)
    if mode == "LSTM":
        packed = LSTMCellOp.apply(x_gates, h_gates, c)
        size = h.shape[1]
        return packed[:, :size], packed[:, size:]
    if mode == "GRU":
        return GRUCellOp.apply(x_gates, h_gates, h), None
    pre = x_gates + h_gates
    return (pre.tanh() if mode == "RNN_TANH" else pre.relu()), None


def _keep_where(mask, new, old):
    """new where mask (B, 1) is 1, old where it is 0: the state of a finished sequence stays."""
    return new * mask + old * (1 - mask)


def _run_direction(mode, xs, h, c, weights, reverse, masks):
    """Run one layer in one direction over the time steps xs (a list of T tensors (B, in)):
    (outputs, a list of T tensors (B, H), h, c). masks[t] (B, 1) is 0 where step t is past a
    sequence's end (None: all sequences full).
    Each step projects its own input, x_t W_ih^T + b_ih: one product for the whole sequence,
    sliced per step, would cost its backward a full-size gradient per slice (T^2 work)."""
    weight_ih, weight_hh, bias_ih, bias_hh = weights
    steps = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    outputs = [None] * len(xs)
    for t in steps:
        x_gates = F.linear(xs[t], weight_ih, bias_ih)
        h_new, c_new = _step(mode, x_gates, h, c, weight_hh, bias_hh)
        if masks is None:
            h, c, outputs[t] = h_new, c_new, h_new
        else:
            h = _keep_where(masks[t], h_new, h)
            c = None if c is None else _keep_where(masks[t], c_new, c)
            outputs[t] = h_new * masks[t]                      # zero past the end
    return outputs, h, c


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU (see the module docstring)."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False):
        super().__init__()
        name = type(self).__name__
        _check_size(name, "input_size", input_size, 0)
        _check_size(name, "hidden_size", hidden_size, 1)
        _check_size(name, "num_layers", num_layers, 1)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or \
                not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a number in [0, 1], got {dropout!r}")
        self.mode, self.input_size, self.hidden_size = mode, int(input_size), int(hidden_size)
        self.num_layers, self.bias, self.batch_first = int(num_layers), bool(bias), batch_first
        self.dropout, self.bidirectional = float(dropout), bool(bidirectional)
        gates = GATES[mode] * self.hidden_size
        directions = 2 if self.bidirectional else 1
        for layer in range(self.num_layers):
            width = self.input_size if layer == 0 else self.hidden_size * directions
            for suffix in ("", "_reverse")[:directions]:
                shapes = [("weight_ih", (gates, width)), ("weight_hh", (gates, self.hidden_size))]
                if self.bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                for kind, shape in shapes:
                    setattr(self, f"{kind}_l{layer}{suffix}",
                            Parameter(np.empty(shape, get_default_dtype())))
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _weights(self, layer, suffix):
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return tuple(getattr(self, f"{n}_l{layer}{suffix}", None) for n in names)

    def _describe(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def _initial_state(self, hx, batch, dtype, unbatched):
        """hx checked and given a batch dim (zeros when None): (L*D, B, H) tensors."""
        directions = 2 if self.bidirectional else 1
        expected = (self.num_layers * directions, batch, self.hidden_size)
        if hx is None:
            zeros = constant(np.zeros(expected, dtype))
            return (zeros, zeros) if self.mode == "LSTM" else (zeros, None)
        states = hx if self.mode == "LSTM" else (hx,)
        if self.mode == "LSTM" and (not isinstance(hx, tuple) or len(hx) != 2):
            raise TypeError(f"{self._describe()}: hx must be a tuple (h_0, c_0), got "
                            f"{type(hx).__name__}")
        checked = []
        for name, state in zip(("h_0", "c_0"), states):
            state = state.unsqueeze(1) if unbatched and state.ndim == 2 else state
            if tuple(state.shape) != expected:
                raise ValueError(f"{self._describe()}: expected {name} of shape {expected} "
                                 f"(num_layers * num_directions, batch, hidden_size), got "
                                 f"{tuple(state.shape)}")
            checked.append(state)
        return (checked[0], checked[1] if self.mode == "LSTM" else None)

    def forward(self, input, hx=None):
        packed = isinstance(input, PackedSequence)
        if packed:
            lengths = packed_lengths(input)
            x = unpack_time_major(input)
            unbatched = False
        else:
            if input.ndim not in (2, 3):
                layout = "(batch, seq, input_size)" if self.batch_first else \
                    "(seq, batch, input_size)"
                raise ValueError(f"{self._describe()}: expected an input of shape {layout} or "
                                 f"unbatched (seq, input_size), got {tuple(input.shape)}")
            unbatched = input.ndim == 2
            x = input.unsqueeze(1) if unbatched else \
                input.transpose(0, 1) if self.batch_first else input
            lengths = None
        if x.shape[-1] != self.input_size:
            raise ValueError(f"{self._describe()}: input has {x.shape[-1]} features (last dim), "
                             f"expected input_size={self.input_size}")
        h0, c0 = self._initial_state(hx, x.shape[1], x.dtype, unbatched)
        masks = None if lengths is None else [
            constant((t < lengths).astype(x.dtype)[:, None]) for t in range(x.shape[0])]
        directions = 2 if self.bidirectional else 1
        h_n, c_n = [], []
        xs = list(x.unbind(0))                     # the layers pass lists of time steps
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0:     # between layers, not after the last one
                xs = [F.dropout(x_t, self.dropout, self.training) for x_t in xs]
            outputs = []
            for d, suffix in enumerate(("", "_reverse")[:directions]):
                k = layer * directions + d
                out, h, c = _run_direction(self.mode, xs, h0[k], None if c0 is None else c0[k],
                                           self._weights(layer, suffix), d == 1, masks)
                outputs.append(out)
                h_n.append(h)
                c_n.append(c)
            xs = outputs[0] if directions == 1 else [tl.cat(pair, -1) for pair in zip(*outputs)]
        x = tl.stack(xs, 0)
        h_n = tl.stack(h_n, 0)
        state = (h_n, tl.stack(c_n, 0)) if self.mode == "LSTM" else h_n
        if packed:
            output = PackedSequence(pack_time_major(x, input.batch_sizes, input.sorted_indices),
                                    input.batch_sizes, input.sorted_indices,
                                    input.unsorted_indices)
        elif unbatched:
            output = x.squeeze(1)
            state = tuple(s.squeeze(1) for s in state) if self.mode == "LSTM" else \
                state.squeeze(1)
        else:
            output = x.transpose(0, 1) if self.batch_first else x
        return output, state

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        for name, default in (("num_layers", 1), ("bias", True), ("batch_first", False),
                              ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or relu.
    forward(input, h_0=None) -> (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory: gates (i, f, g, o) = x W_ih^T + b_ih + h W_hh^T + b_hh,
    c_t = sigmoid(f) c_{t-1} + sigmoid(i) tanh(g), h_t = sigmoid(o) tanh(c_t).
    forward(input, (h_0, c_0)=None) -> (output, (h_n, c_n)). (No proj_size.)"""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional)


class GRU(RNNBase):
    """Gated recurrent unit: r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z likewise,
    n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h_t = (1 - z) n + z h_{t-1}.
    forward(input, h_0=None) -> (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional)
