"""nn.RNN / LSTM / GRU and their cells against torch.nn with copied weights (float64): outputs,
final states and every gradient, across the options; packed sequences; state dicts both ways;
the fused cell ops through the registry; a small model that learns."""
import numpy as np
import pytest

import nn
import tinygrad_lite as tl
from nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
from tinygrad_lite.opcheck import check_op

torch = pytest.importorskip("torch")
LAYERS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]
IN, HID, T, B = 3, 4, 5, 2


def _twins(cls, **kwargs):
    """Our layer and torch's, in float64, ours holding torch's weights."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, cls)(**kwargs).double()
    ours = getattr(nn, cls)(**kwargs).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _leaves(arrays):
    return ([tl.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def _flatten(result):
    """The tensors in (output, state) with state a tensor or a tuple; packed output's data."""
    output, state = result
    output = output.data if hasattr(output, "batch_sizes") else output
    return [output] + (list(state) if isinstance(state, tuple) else [state])


def _check_same(ours_out, theirs_out, ours_leaves, theirs_leaves, ours_module, theirs_module):
    ours_out, theirs_out = _flatten(ours_out), _flatten(theirs_out)
    rng = np.random.default_rng(1)
    loss_ours = loss_theirs = 0
    for o, t in zip(ours_out, theirs_out, strict=True):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), atol=1e-12)
        w = rng.standard_normal(tuple(t.shape))
        loss_ours = loss_ours + (o * tl.tensor(w)).sum()
        loss_theirs = loss_theirs + (t * torch.tensor(w)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    for o, t in zip(ours_leaves, theirs_leaves):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), atol=1e-11)
    theirs_params = dict(theirs_module.named_parameters())
    for name, p in ours_module.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs_params[name].grad.numpy(), atol=1e-11,
                                   err_msg=name)


def _states(cls, layers, batch, rng):
    shape = (layers, batch, HID)
    return [rng.standard_normal(shape)] * (2 if cls == "LSTM" else 1)


@pytest.mark.parametrize("cls,extra", LAYERS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_layers_match_torch(cls, extra, bidirectional, batch_first, with_state):
    kwargs = dict(input_size=IN, hidden_size=HID, num_layers=2, bidirectional=bidirectional,
                  batch_first=batch_first, **extra)
    ours, theirs = _twins(cls, **kwargs)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((B, T, IN) if batch_first else (T, B, IN))]
    if with_state:
        arrays += _states(cls, 2 * (2 if bidirectional else 1), B, rng)
    ours_in, theirs_in = _leaves(arrays)

    def call(module, xs):
        if not with_state:
            return module(xs[0])
        return module(xs[0], tuple(xs[1:]) if cls == "LSTM" else xs[1])
    _check_same(call(ours, ours_in), call(theirs, theirs_in), ours_in, theirs_in, ours, theirs)


@pytest.mark.parametrize("cls,extra", LAYERS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_packed_sequences_match_torch(cls, extra, bidirectional, enforce_sorted):
    ours, theirs = _twins(cls, input_size=IN, hidden_size=HID, num_layers=2, batch_first=True,
                          bidirectional=bidirectional, **extra)
    lengths = [5, 3, 2] if enforce_sorted else [2, 5, 3]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, T, IN))] + _states(cls, 2 * (1 + bidirectional), 3, rng)
    ours_in, theirs_in = _leaves(arrays)
    state = (lambda xs: tuple(xs[1:])) if cls == "LSTM" else (lambda xs: xs[1])
    ours_out = ours(pack_padded_sequence(ours_in[0], lengths, True, enforce_sorted),
                    state(ours_in))
    theirs_out = theirs(torch.nn.utils.rnn.pack_padded_sequence(
        theirs_in[0], lengths, True, enforce_sorted), state(theirs_in))
    padded, out_lengths = pad_packed_sequence(ours_out[0], batch_first=True)
    assert out_lengths.tolist() == lengths
    assert not padded.detach().numpy()[lengths.index(2), 2:].any()  # zero past the end
    _check_same(ours_out, theirs_out, ours_in, theirs_in, ours, theirs)


@pytest.mark.parametrize("cls,extra", LAYERS)
def test_unbatched_input_no_bias_and_eval_dropout(cls, extra):
    ours, theirs = _twins(cls, input_size=IN, hidden_size=HID, num_layers=2, bias=False,
                          dropout=0.5, **extra)
    ours.eval()
    theirs.eval()
    ours_in, theirs_in = _leaves([np.random.default_rng(0).standard_normal((T, IN))])
    _check_same(ours(ours_in[0]), theirs(theirs_in[0]), ours_in, theirs_in, ours, theirs)


def test_dropout_acts_between_layers_only_in_training():
    tl.manual_seed(0)
    gru = nn.GRU(IN, HID, num_layers=2, dropout=0.9).double()
    x = tl.tensor(np.random.default_rng(0).standard_normal((T, B, IN)))
    gru.requires_grad_(False)
    first, h_first = gru(x)
    second, h_second = gru(x)
    assert not np.allclose(first.numpy(), second.numpy())     # layer 2 sees dropped inputs
    np.testing.assert_allclose(h_first.numpy()[0], h_second.numpy()[0])  # layer 1 does not
    gru.eval()
    np.testing.assert_allclose(gru(x)[0].numpy(), gru(x)[0].numpy())


@pytest.mark.parametrize("cls,extra", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                       ("LSTMCell", {}), ("GRUCell", {})])
@pytest.mark.parametrize("with_state", [False, True])
def test_cells_match_torch(cls, extra, with_state):
    ours, theirs = _twins(cls, input_size=IN, hidden_size=HID, **extra)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((B, IN))]
    if with_state:
        arrays += [rng.standard_normal((B, HID)) for _ in range(2 if cls == "LSTMCell" else 1)]
    ours_in, theirs_in = _leaves(arrays)

    def call(module, xs):
        out = module(xs[0], (tuple(xs[1:]) if cls == "LSTMCell" else xs[1])) if with_state \
            else module(xs[0])
        return (out[0], out[1]) if isinstance(out, tuple) else (out, out * 1)
    _check_same(call(ours, ours_in), call(theirs, theirs_in), ours_in, theirs_in, ours, theirs)


def test_state_dicts_load_both_ways():
    for cls in ("RNN", "LSTM", "GRU"):
        kwargs = dict(input_size=IN, hidden_size=HID, num_layers=2, bidirectional=True)
        ours, theirs = getattr(nn, cls)(**kwargs), getattr(torch.nn, cls)(**kwargs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
        for k, v in ours.state_dict().items():
            np.testing.assert_array_equal(v.numpy(), theirs.state_dict()[k].numpy())


def test_initialization_is_uniform_within_one_over_sqrt_hidden():
    lstm = nn.LSTM(10, 16, num_layers=2)
    values = np.concatenate([p.detach().numpy().ravel() for p in lstm.parameters()])
    assert np.abs(values).max() <= 0.25 and np.abs(values).max() > 0.24
    assert lstm.weight_ih_l0.shape == (64, 10) and lstm.weight_ih_l1.shape == (64, 16)


@pytest.mark.parametrize("op", ["lstm_cell", "lstm_cell_backward", "gru_cell",
                                "gru_cell_backward"])
def test_fused_cell_ops_pass_the_gradient_check(op):
    assert all(r.ok for r in check_op(tl.OPS[op])), [r.error for r in check_op(tl.OPS[op])]


def test_second_order_through_an_lstm():
    lstm = nn.LSTM(2, 3).double()
    x = tl.tensor(np.random.default_rng(0).standard_normal((4, 1, 2)), requires_grad=True)
    assert tl.gradgradcheck(lambda x: lstm(x)[0], [x])


def test_pad_sequence_matches_torch():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 2)) for n in (3, 1, 4)]
    for batch_first in (False, True):
        for side in ("right", "left"):
            ours = pad_sequence([tl.tensor(a) for a in arrays], batch_first, -1.0, side)
            theirs = torch.nn.utils.rnn.pad_sequence([torch.tensor(a) for a in arrays],
                                                     batch_first, -1.0, side)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_pad_packed_sequence_options_match_torch():
    x = np.random.default_rng(0).standard_normal((4, 3, 2))
    ours = pack_padded_sequence(tl.tensor(x), [2, 4, 1], enforce_sorted=False)
    theirs = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), [2, 4, 1],
                                                     enforce_sorted=False)
    assert ours.batch_sizes.tolist() == theirs.batch_sizes.tolist()
    assert ours.sorted_indices.tolist() == theirs.sorted_indices.tolist()
    for batch_first in (False, True):
        a, la = pad_packed_sequence(ours, batch_first, padding_value=7.0, total_length=6)
        b, lb = torch.nn.utils.rnn.pad_packed_sequence(theirs, batch_first, 7.0, 6)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert la.tolist() == lb.tolist()


def test_learns_the_sign_of_a_sum():
    import optim
    tl.manual_seed(0)
    rng = np.random.default_rng(0)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(1, 8, batch_first=True)
            self.head = nn.Linear(8, 2)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.head(h[0])
    model = Model()
    opt = optim.Adam(model.parameters(), lr=0.02)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(150):
        x = rng.standard_normal((32, 6, 1)).astype(np.float32)
        y = (x.sum((1, 2)) > 0).astype(np.int64)
        loss = loss_fn(model(tl.tensor(x)), tl.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
    x = rng.standard_normal((256, 6, 1)).astype(np.float32)
    accuracy = (model(tl.tensor(x)).argmax(1).numpy() == (x.sum((1, 2)) > 0)).mean()
    assert loss.item() < 0.2 and accuracy > 0.93


def test_errors_name_the_layer():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match=r"LSTM\(3, 4\): input has 5 features"):
        lstm(tl.randn(2, 1, 5))
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(1, 1, 4\)"):
        lstm(tl.randn(2, 1, 3), (tl.zeros(2, 1, 4), tl.zeros(2, 1, 4)))
    with pytest.raises(TypeError, match="hx must be a tuple"):
        lstm(tl.randn(2, 1, 3), tl.zeros(1, 1, 4))
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="GRUCell\\(3, 4\\): expected an input of shape"):
        nn.GRUCell(3, 4)(tl.randn(2, 5))
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        pack_padded_sequence(tl.randn(4, 2, 1), [2, 4])
    with pytest.raises(ValueError, match="total_length=2 is shorter"):
        pad_packed_sequence(pack_padded_sequence(tl.randn(4, 2, 1), [4, 2]), total_length=2)
