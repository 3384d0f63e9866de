"""Single-step recurrent cells RNNCell, LSTMCell and GRUCell: one time step of the layers in
nn/rnn.py, for loops the user writes. PyTorch's parameter names (weight_ih, weight_hh, bias_ih,
bias_hh), gate order and U(-1/sqrt(hidden), 1/sqrt(hidden)) initialization."""
import numpy as np

from tinygrad_lite.dtypes import get_default_dtype
from tinygrad_lite.function import constant

from . import functional as F
from .module import Module, Parameter
from .rnn import GATES, RNNBase, _check_size, _step


class RNNCellBase(Module):
    """Shared by the cells: parameters, checks and the call of the fused step."""

    def __init__(self, mode, input_size, hidden_size, bias):
        super().__init__()
        name = type(self).__name__
        _check_size(name, "input_size", input_size, 0)
        _check_size(name, "hidden_size", hidden_size, 1)
        self.mode, self.input_size, self.hidden_size = mode, int(input_size), int(hidden_size)
        self.bias = bool(bias)
        gates = GATES[mode] * self.hidden_size
        self.weight_ih = Parameter(np.empty((gates, self.input_size), get_default_dtype()))
        self.weight_hh = Parameter(np.empty((gates, self.hidden_size), get_default_dtype()))
        self.bias_ih = Parameter(np.empty(gates, get_default_dtype())) if bias else None
        self.bias_hh = Parameter(np.empty(gates, get_default_dtype())) if bias else None
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def _run(self, input, states):
        """(h', c') from input (B, in) or (in,) and states (each (B, H) or (H,), or None)."""
        name = f"{type(self).__name__}({self.extra_repr()})"
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected an input of shape (batch, {self.input_size}) or "
                             f"({self.input_size},), got {tuple(input.shape)}")
        unbatched = input.ndim == 1
        x = input.unsqueeze(0) if unbatched else input
        expected = (x.shape[0], self.hidden_size)
        checked = []
        for state in states:
            if state is None:
                state = constant(np.zeros(expected, x.dtype))
            state = state.unsqueeze(0) if unbatched and state.ndim == 1 else state
            if tuple(state.shape) != expected:
                raise ValueError(f"{name}: expected a hidden state of shape {expected}, got "
                                 f"{tuple(state.shape)}")
            checked.append(state)
        c = checked[1] if len(checked) == 2 else None
        x_gates = F.linear(x, self.weight_ih, self.bias_ih)
        h, c = _step(self.mode, x_gates, checked[0], c, self.weight_hh, self.bias_hh)
        if unbatched:
            h, c = h.squeeze(0), None if c is None else c.squeeze(0)
        return h, c

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        return text


class RNNCell(RNNCellBase):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act tanh or relu; forward(input, hx=None)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh"):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got "
                             f"{nonlinearity!r}")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, bias)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._run(input, (hx,))[0]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o); forward(input, (h, c)=None) -> (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__("LSTM", input_size, hidden_size, bias)

    def forward(self, input, hx=None):
        if hx is not None and (not isinstance(hx, tuple) or len(hx) != 2):
            raise TypeError(f"LSTMCell({self.extra_repr()}): hx must be a tuple (h, c), got "
                            f"{type(hx).__name__}")
        return self._run(input, (None, None) if hx is None else hx)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n); forward(input, hx=None) -> h'."""

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__("GRU", input_size, hidden_size, bias)

    def forward(self, input, hx=None):
        return self._run(input, (hx,))[0]
