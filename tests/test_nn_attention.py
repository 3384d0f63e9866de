"""F.scaled_dot_product_attention, nn.MultiheadAttention, nn.TransformerEncoderLayer and
nn.TransformerEncoder: PyTorch parity with copied weights in float64 (outputs, attention
weights, input and parameter gradients, state_dict keys), gradient checks, masks, errors."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl

RNG = np.random.default_rng(0)


def _copy_from(ours, theirs):
    """ours (float64) takes theirs' parameters, matched by their PyTorch names."""
    ours.double()
    theirs.double()
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    for name, p in ours.named_parameters():
        p._data[...] = state[name].numpy()


def _check_grads(ours_inputs, theirs_inputs, ours, theirs, rtol=1e-9):
    for a, b in zip(ours_inputs, theirs_inputs):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=1e-12)
    if ours is None:
        return
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs_params[name].grad.numpy(), rtol=rtol,
                                   atol=1e-12, err_msg=name)


def _run(ours_fn, theirs_fn, arrays, ours=None, theirs=None):
    """Call both on the same float64 arrays; compare every output, then the gradients of a
    random projection of the first output."""
    torch = pytest.importorskip("torch")
    a = [tl.tensor(x, requires_grad=True) for x in arrays]
    b = [torch.tensor(x, requires_grad=True) for x in arrays]
    out, expected = ours_fn(*a), theirs_fn(*b)
    out, expected = (out, expected) if isinstance(out, tuple) else ((out,), (expected,))
    for o, e in zip(out, expected):
        if e is None:
            assert o is None
            continue
        np.testing.assert_allclose(o.detach().numpy(), e.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)
    weights = RNG.standard_normal(expected[0].shape)
    (out[0] * tl.tensor(weights)).sum().backward()
    (expected[0] * torch.tensor(weights)).sum().backward()
    _check_grads(a, b, ours, theirs)


# ---- scaled_dot_product_attention ---------------------------------------------------------
Q, K, V = (RNG.standard_normal(s) for s in ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)))
BOOL_MASK = RNG.random((4, 6)) < 0.7
BOOL_MASK[:, 0] = True                       # every query keeps at least one key


@pytest.mark.parametrize("kwargs", [{}, {"is_causal": True}, {"attn_mask": BOOL_MASK},
                                    {"attn_mask": RNG.standard_normal((3, 4, 6))},
                                    {"scale": 0.3}])
def test_sdpa_matches_torch(kwargs):
    torch = pytest.importorskip("torch")

    def call(lib, fn):
        masks = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v
                 for k, v in kwargs.items()}
        return lambda q, k, v: fn(q, k, v, **masks)
    _run(call(tl, F.scaled_dot_product_attention),
         call(torch, torch.nn.functional.scaled_dot_product_attention), (Q, K, V))


def test_sdpa_query_with_every_key_masked_gets_zero():
    torch = pytest.importorskip("torch")
    mask = np.array([[True, True, False], [False, False, False]])
    q, k, v = Q[0, 0, :2], K[0, 0, :3], V[0, 0, :3]
    _run(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=tl.tensor(mask)),
         lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(
             q, k, v, attn_mask=torch.tensor(mask)), (q, k, v))


def test_sdpa_gradcheck():
    q, k, v = (tl.tensor(x[:1, :2], requires_grad=True) for x in (Q, K, V))
    assert tl.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                        [q, k, v])
    assert tl.gradgradcheck(F.scaled_dot_product_attention, [q, k, v])


def test_sdpa_dropout_drops_weights_and_keeps_expectation():
    tl.manual_seed(0)
    q, k, v = tl.zeros(1, 1, 4), tl.zeros(1, 200, 4), tl.ones(1, 200, 1)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).item()
    assert out != 1.0 and abs(out - 1.0) < 0.3          # uniform weights, half dropped x2


def test_sdpa_errors():
    with pytest.raises(ValueError, match=r"scaled_dot_product_attention: query .* do not fit"):
        F.scaled_dot_product_attention(tl.zeros(2, 3), tl.zeros(4, 5), tl.zeros(4, 5))
    with pytest.raises(ValueError, match=r"either attn_mask or is_causal"):
        F.scaled_dot_product_attention(tl.zeros(2, 3), tl.zeros(2, 3), tl.zeros(2, 3),
                                       attn_mask=tl.zeros(2, 2), is_causal=True)
    with pytest.raises(ValueError, match=r"attn_mask of shape \(3, 3\) does not broadcast"):
        F.scaled_dot_product_attention(tl.zeros(2, 3), tl.zeros(4, 3), tl.zeros(4, 3),
                                       attn_mask=tl.zeros(3, 3))


# ---- MultiheadAttention -------------------------------------------------------------------
MHA_CASES = [  # constructor kwargs, query/key/value shapes, forward kwargs (masks as arrays)
    ({}, ((3, 2, 8), (5, 2, 8), (5, 2, 8)), {}),
    ({"batch_first": True}, ((2, 3, 8), (2, 5, 8), (2, 5, 8)), {"average_attn_weights": False}),
    ({"kdim": 3, "vdim": 6}, ((3, 2, 8), (5, 2, 3), (5, 2, 6)), {}),
    ({"bias": False}, ((4, 8), (5, 8), (5, 8)), {}),
    ({}, ((3, 2, 8), (5, 2, 8), (5, 2, 8)),
     {"key_padding_mask": np.array([[False] * 4 + [True], [False] * 5])}),
    ({}, ((3, 2, 8), (5, 2, 8), (5, 2, 8)), {"attn_mask": ~BOOL_MASK[:3, :5]}),
    ({"batch_first": True}, ((2, 3, 8), (2, 5, 8), (2, 5, 8)),
     {"attn_mask": RNG.standard_normal((8, 3, 5)), "need_weights": False}),
    ({"dropout": 0.5}, ((3, 2, 8), (5, 2, 8), (5, 2, 8)), {"eval": True}),
    ({"add_bias_kv": True}, ((3, 2, 8), (5, 2, 8), (5, 2, 8)),
     {"key_padding_mask": np.array([[False] * 4 + [True], [False] * 5])}),
    ({"add_zero_attn": True, "batch_first": True}, ((2, 3, 8), (2, 5, 8), (2, 5, 8)),
     {"attn_mask": ~BOOL_MASK[:3, :5]}),
    ({"add_bias_kv": True, "add_zero_attn": True, "kdim": 3, "vdim": 6},
     ((4, 8), (5, 3), (5, 6)), {"attn_mask": RNG.standard_normal((4, 4, 5))}),
]


@pytest.mark.parametrize("kwargs, shapes, call", MHA_CASES)
def test_multihead_attention_matches_torch(kwargs, shapes, call):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    ours, theirs = nn.MultiheadAttention(8, 4, **kwargs), torch.nn.MultiheadAttention(
        8, 4, **kwargs)
    _copy_from(ours, theirs)
    call = dict(call)
    if call.pop("eval", False):
        ours.eval()
        theirs.eval()

    def forward(module, lib):
        masks = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()}
        return lambda q, k, v: module(q, k, v, **masks)
    arrays = [RNG.standard_normal(s) for s in shapes]
    _run(forward(ours, tl), forward(theirs, torch), arrays, ours, theirs)


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_self_attention_matches_torch(batch_first):
    """query is key is value: one fused input projection"""
    torch = pytest.importorskip("torch")
    ours = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=batch_first)
    _copy_from(ours, theirs)
    _run(lambda x: ours(x, x, x), lambda x: theirs(x, x, x), [RNG.standard_normal((3, 4, 8))],
         ours, theirs)


def test_multihead_attention_gradcheck():
    mha = nn.MultiheadAttention(4, 2).double()
    x = tl.tensor(RNG.standard_normal((3, 1, 4)), requires_grad=True)
    params = list(mha.parameters())
    assert tl.gradcheck(lambda x, *p: mha(x, x, x)[0], [x] + params)
    assert tl.gradgradcheck(lambda x: mha(x, x, x)[0], [x])


def test_multihead_attention_errors():
    with pytest.raises(ValueError, match=r"embed_dim \(6\) must be divisible by num_heads "
                                         r"\(4\)"):
        nn.MultiheadAttention(6, 4)
    mha = nn.MultiheadAttention(8, 2)
    with pytest.raises(ValueError, match=r"^MultiheadAttention\(embed_dim=8, num_heads=2\): "
                                         r"key of shape \(5, 2, 6\) does not fit"):
        mha(tl.zeros(3, 2, 8), tl.zeros(5, 2, 6), tl.zeros(5, 2, 8))
    with pytest.raises(ValueError, match=r"attn_mask of shape \(2, 2\) should be \(3, 5\)"):
        mha(tl.zeros(3, 2, 8), tl.zeros(5, 2, 8), tl.zeros(5, 2, 8), attn_mask=tl.zeros(2, 2))
    with pytest.raises(ValueError, match=r"key_padding_mask of shape \(5,\) should be"):
        mha(tl.zeros(3, 2, 8), tl.zeros(5, 2, 8), tl.zeros(5, 2, 8),
            key_padding_mask=tl.zeros(5).bool())


# ---- Transformer encoder ------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"activation": "gelu", "norm_first": True},
                                    {"batch_first": True, "bias": False},
                                    {"layer_norm_eps": 1e-3, "dim_feedforward": 7}])
@pytest.mark.parametrize("training", [False, True])
def test_encoder_layer_matches_torch(kwargs, training):
    torch = pytest.importorskip("torch")
    torch.backends.mha.set_fastpath_enabled(False)    # the fused eval path: compare the math
    try:
        torch.manual_seed(1)
        # dropout only in eval: in training the random masks would differ
        dropout = 0.1 if not training else 0.0
        ours = nn.TransformerEncoderLayer(8, 2, dropout=dropout, **{
            "dim_feedforward": 16, **kwargs})
        theirs = torch.nn.TransformerEncoderLayer(8, 2, dropout=dropout, **{
            "dim_feedforward": 16, **kwargs})
        _copy_from(ours, theirs)
        ours.train(training)
        theirs.train(training)
        shape = (2, 5, 8) if kwargs.get("batch_first") else (5, 2, 8)
        padding = np.array([[False] * 4 + [True], [False] * 5])
        _run(lambda x: ours(x, src_key_padding_mask=tl.tensor(padding)),
             lambda x: theirs(x, src_key_padding_mask=torch.tensor(padding)),
             [RNG.standard_normal(shape)], ours, theirs)
    finally:
        torch.backends.mha.set_fastpath_enabled(True)


def test_encoder_stack_matches_torch():
    torch = pytest.importorskip("torch")
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        torch.manual_seed(2)
        ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, activation=nn.GELU()),
                                     num_layers=2, norm=nn.LayerNorm(8))
        theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(
            8, 2, 16, activation=torch.nn.GELU()), num_layers=2, norm=torch.nn.LayerNorm(8),
            enable_nested_tensor=False)
        _copy_from(ours, theirs)
        ours.eval()
        theirs.eval()
        causal = np.triu(np.ones((4, 4), bool), 1)        # True above the diagonal: masked out
        _run(lambda x: ours(x, mask=tl.tensor(causal)),
             lambda x: theirs(x, mask=torch.tensor(causal)),
             [RNG.standard_normal((4, 3, 8))], ours, theirs)
    finally:
        torch.backends.mha.set_fastpath_enabled(True)


def test_encoder_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(4, 2, 8)
    encoder = nn.TransformerEncoder(layer, 3)
    weights = [m.linear1.weight for m in encoder.layers]
    assert len({id(w) for w in weights}) == 3 and all(w is not layer.linear1.weight
                                                      for w in weights)


def test_encoder_layer_errors():
    with pytest.raises(ValueError, match=r"TransformerEncoderLayer: activation should be"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    with pytest.raises(ValueError, match=r"TransformerEncoder: num_layers must be"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2), 0)
