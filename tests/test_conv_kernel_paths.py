"""The convolution kernels' code paths (kernels/conv.py) against their NumPy twins, at sizes
the registry's small samples do not reach: tap-row unrolling (vertical stride 1) and full
im2col, GEMMs cut into several pieces per sample, several chunks per thread, the input
gradient as a convolution with the flipped kernel (stride 1) and by col2im, the weight
gradient's GEMMs in several batches of samples per chunk."""
import numpy as np
import pytest

from tinygrad_lite.kernels import conv, reference_nn

CASES = {   # (N, C, H, W), (O, KH, KW), stride, padding, dilation, groups
    "tap rows, 4 pieces": ((3, 16, 32, 32), (16, 5, 5), (1, 1), (2, 2), (1, 1), 1),
    "tap rows, width stride": ((2, 8, 20, 21), (6, 3, 3), (1, 2), (1, 0), (1, 1), 2),
    "tap rows, dilation": ((2, 12, 17, 15), (6, 3, 2), (1, 1), (2, 1), (3, 2), 3),
    "tap rows, prime height": ((2, 64, 31, 30), (8, 3, 3), (1, 1), (1, 1), (1, 1), 2),
    "full im2col, pieces": ((2, 32, 40, 40), (8, 3, 3), (2, 2), (1, 1), (1, 1), 1),
    "full im2col, groups": ((3, 6, 13, 11), (9, 3, 2), (3, 2), (0, 1), (1, 2), 3),
    "many chunks": ((70, 3, 12, 12), (4, 3, 3), (1, 1), (1, 1), (1, 1), 1),
    "weight gradient in batches": ((20, 128, 8, 8), (128, 3, 3), (1, 1), (1, 1), (1, 1), 1),
    "padding beyond the kernel": ((2, 4, 7, 7), (4, 3, 3), (1, 1), (3, 2), (1, 1), 1),
    "one output channel per group": ((2, 6, 9, 9), (3, 3, 3), (1, 1), (1, 1), (1, 1), 3),
}


@pytest.mark.parametrize("case", CASES)
def test_kernels_match_their_twins(case):
    x_shape, (o, kh, kw), stride, padding, dilation, groups = CASES[case]
    rng = np.random.default_rng(len(case))
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal((o, x_shape[1] // groups, kh, kw))
    b = rng.standard_normal(o)
    geometry = (stride, padding, dilation, groups)
    out = conv.conv2d_fwd(x, w, b, *geometry)
    np.testing.assert_allclose(out, reference_nn.conv2d_fwd(x, w, b, *geometry), atol=1e-10)
    g = rng.standard_normal(out.shape)
    np.testing.assert_allclose(conv.conv2d_input_grad(g, w, x_shape, *geometry),
                               reference_nn.conv2d_input_grad(g, w, x_shape, *geometry),
                               atol=1e-10)
    np.testing.assert_allclose(conv.conv2d_weight_grad(x, g, (kh, kw), *geometry),
                               reference_nn.conv2d_weight_grad(x, g, (kh, kw), *geometry),
                               atol=1e-9)


def test_the_cases_reach_the_paths():
    pieces = [conv._Unrolled(CASES[c][0], CASES[c][1][1:], *CASES[c][2:], out_hw=out_hw)
              for c, out_hw in [("tap rows, 4 pieces", (32, 32)),
                                ("full im2col, pieces", (20, 20)),
                                ("weight gradient in batches", (8, 8))]]
    assert [(u.taps, u.pieces) for u in pieces] == [(5, 4), (1, 2), (3, 1)]
    big = pieces[2]       # conv2d_weight_grad's batch of samples is smaller than its chunk
    assert conv.CONV_CHUNK // (128 * big.k) < conv.CONV_CHUNK // big.per_sample
