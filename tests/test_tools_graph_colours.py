"""tools.graph's gradient picture tells the truth: a gradient that is zero by construction (a
bias in front of BatchNorm) is grey, not "vanishing"; a loss's own gradient (1) is neutral,
not "large"; and the picture says which way its arrows point."""
import re

import nn
import tinygrad_lite as tl
from tools.graph import (ARROWS_NOTE, GRAD_COLORS, ZERO_COLOR, ZERO_TEXT, draw, to_dot)
from test_tools_graph import graph_nodes, parse


def fills_by_name(dot):
    nodes, edges, label = parse(dot)
    fills = {}
    for n in graph_nodes(nodes).values():
        fills.setdefault(n["lines"][0], []).append(
            (re.search(r'fillcolor="([^"]+)"', n["attrs"])[1], n["lines"][-1]))
    return fills, nodes, label


def test_bias_before_batchnorm_is_grey_not_vanishing():
    tl.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
    loss = model(tl.randn(16, 4)).pow(2).mean()
    loss.backward(retain_graph=True)
    assert 0 < abs(model[0].bias.grad.numpy()).max() < 1e-6     # rounding noise, not 0
    fills, nodes, _ = fills_by_name(to_dot(loss, params=model, show_grad=True))
    color, text = fills["0.bias"][0]
    assert color == ZERO_COLOR and text.endswith("(cancels to 0)")
    assert fills["0.weight"][0][0] not in (ZERO_COLOR, GRAD_COLORS[0])   # a real gradient
    assert fills["3.bias"][0][0] != ZERO_COLOR            # the last bias: BCE flows straight in
    assert any(ZERO_TEXT in n["lines"][0] for n in nodes.values())        # in the legend


def test_exactly_zero_gradient_is_grey_and_tiny_scaled_one_stays_vanishing():
    dead, tiny = tl.randn(3, requires_grad=True), tl.randn(3, requires_grad=True)
    loss = (dead * 0.0).sum() + (tiny * 1e-9).sum()
    loss.backward(retain_graph=True)
    fills, _, _ = fills_by_name(to_dot(loss, params={"dead": dead, "tiny": tiny},
                                       show_grad=True))
    assert fills["dead"][0] == (ZERO_COLOR, "grad norm 0")
    assert fills["tiny"][0][0] == GRAD_COLORS[0]      # scaled down, not cancelled: vanishing


def test_loss_gradient_one_is_neutral_and_bins_are_centred_on_one():
    w = tl.randn(5, requires_grad=True)
    loss = (w * 0.02).sum()
    loss.backward(retain_graph=True)
    fills, _, _ = fills_by_name(to_dot(loss, params={"w": w}, show_grad=True))
    assert fills["SumBackward"][0] == (GRAD_COLORS[3], "grad norm 1")    # the loss itself
    assert fills["w"][0][0] == GRAD_COLORS[2]                            # 0.02 * sqrt(5) = 0.045
    for norm, expected in ((0.099, 2), (0.1, 3), (9.9, 3), (10, 4), (1e5, 6), (9e-6, 0)):
        x = tl.ones(1, requires_grad=True)
        out = (x * norm).sum()
        out.backward(retain_graph=True)
        fills, _, _ = fills_by_name(to_dot(out, params={"x": x}, show_grad=True))
        assert fills["x"][0][0] == GRAD_COLORS[expected], norm


def test_the_picture_says_which_way_arrows_point():
    a = tl.randn(3, requires_grad=True)
    _, edges, label = parse(to_dot((a * 2).sum()))
    assert edges and ARROWS_NOTE in label
    assert "forward" in ARROWS_NOTE and "backprop runs against them" in ARROWS_NOTE
    _, edges, label = parse(to_dot(tl.randn(2)))                        # no edges, no note
    assert not edges and ARROWS_NOTE not in label
    assert ARROWS_NOTE in draw((a * 2).sum(), show_grad=False).source
