"""Every kernel of the table in kernels/__init__.py against its NumPy twin.

`ARGS` gives, for each declared kernel, the inputs it is compared on: small and odd shapes,
transposed and strided arrays, special values, and sizes over the kernel's parallel
threshold (kernels/thresholds.py), in float32 and float64. `test_kernel_matches_twin`
compares outputs and every array the kernel writes in place (or must leave alone);
`test_every_kernel_has_args` makes a kernel added to the table without inputs here fail.
"""
import importlib
import inspect
import os
import pkgutil
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_lite.kernels as K
from tinygrad_lite.kernels import thresholds
from tinygrad_lite.kernels._jit import JIT_ENABLED
from tinygrad_lite.kernels.geometry import out_size

# With TINYGRAD_LITE_JIT=0 every kernel name serves its NumPy twin, so a comparison of the
# two would compare the twin with itself: those tests skip instead of passing for nothing.
compiled = pytest.mark.skipif(not JIT_ENABLED, reason="TINYGRAD_LITE_JIT=0: the kernels are "
                              "their NumPy twins, there is nothing to compare")

DTYPES = [np.float32, np.float64]
BIG = (600, 513)  # 307800 elements: over the loops' parallel thresholds (test_big_is_...)
OPTIM_BIG = 1_100_000   # over the optimizer kernels' one


def test_big_is_over_every_parallel_threshold():
    assert BIG[0] * BIG[1] >= max(thresholds.PARALLEL_MIN,
                                  thresholds.TRANSCENDENTAL_PARALLEL_MIN)
    assert OPTIM_BIG >= thresholds.OPTIM_PARALLEL_MIN


def twin(name):
    return K.KERNELS[name].twin


def normal(rng, dtype, *shape, scale=3.0, shift=0.0):
    return (rng.standard_normal(shape) * scale + shift).astype(dtype)


def layouts(rng, dtype, shape):
    """The same kind of array contiguous, transposed and as a strided slice."""
    rows, cols = shape
    return [normal(rng, dtype, rows, cols), normal(rng, dtype, cols, rows).T,
            normal(rng, dtype, rows, 2 * cols)[:, ::2]]


def extremes(dtype):
    """Where exp overflows and underflows, signed zeros, tiny values, infinities and NaN."""
    return np.array([-1e4, -800, -745.5, -100, -88, -1e-8, -0.0, 0, 1e-30, 1e-8, 0.3, 30, 88.5,
                     100, 709, 1e4, np.inf, -np.inf, np.nan], dtype)


def elementwise_inputs(rng, dtype):
    """Empty, odd, 3-D, three layouts, extremes, GELU's tails, and over the threshold."""
    return [normal(rng, dtype, 0), normal(rng, dtype, 7), normal(rng, dtype, 2, 3, 5),
            *layouts(rng, dtype, (3, 5)), extremes(dtype),
            np.linspace(-40, 40, 2001).astype(dtype), normal(rng, dtype, *BIG)]


def unary(rng, dtype):
    return [(x,) for x in elementwise_inputs(rng, dtype)]


def with_grad(forward=None):
    """(forward(x) or x, g) pairs: the backward kernels take the forward's output or input."""
    def make(rng, dtype):
        cases = []
        for x in elementwise_inputs(rng, dtype):
            with np.errstate(all="ignore"):
                first = x if forward is None else twin(forward)(x)
            cases.append((first, normal(rng, dtype, *x.shape, scale=1.0)))
        return cases
    return make


def row_inputs(rng, dtype):
    """Rows of one, odd and long rows, three layouts, huge and infinite logits, over the
    threshold."""
    huge = np.array([[1e4, 1e4 - 1, 0, -np.inf], [-1e4, -1e4, -1e4 + 2, -1e4],
                     [-np.inf, 1.0, -np.inf, 2.0]], dtype)
    return [normal(rng, dtype, 0, 5), normal(rng, dtype, 1, 1), normal(rng, dtype, 3, 7),
            normal(rng, dtype, 5, 1000), *layouts(rng, dtype, (4, 9)), huge,
            normal(rng, dtype, *BIG)]


def rows(rng, dtype):
    return [(x,) for x in row_inputs(rng, dtype)]


def rows_with_grad(forward):
    def make(rng, dtype):
        return [(twin(forward)(x), normal(rng, dtype, *x.shape, scale=1.0))
                for x in row_inputs(rng, dtype)]
    return make


def matmul(rng, dtype):
    return [(normal(rng, dtype, m, k), normal(rng, dtype, k, n))
            for m, k, n in [(0, 3, 4), (1, 1, 1), (5, 7, 3), (64, 300, 70)]] + [
        (normal(rng, dtype, 7, 5).T, normal(rng, dtype, 7, 6)[:, ::-1])]   # not contiguous


def linear_fwd(rng, dtype):
    """With and without bias and relu; fewer rows than outputs take the transposed product;
    1100 x 257 outputs (either way round) the parallel epilogue."""
    cases = []
    for m, k, n in [(0, 3, 4), (1, 1, 1), (5, 7, 3), (70, 16, 60), (60, 16, 70),
                    (1100, 16, 257), (257, 16, 1100)]:
        for bias in (None, normal(rng, dtype, n)):
            for activation in (None, "relu"):
                cases.append((normal(rng, dtype, m, k), normal(rng, dtype, n, k), bias,
                              activation))
    cases.append((normal(rng, dtype, 16, 70).T, normal(rng, dtype, 60, 16), None, "relu"))
    return cases


def leaky_relu_fwd(rng, dtype):
    return [(x, slope) for (x,), slope in zip(unary(rng, dtype), [0.01, 0.2, 1.5] * 10)]


def leaky_relu_bwd(rng, dtype):
    return [(x, g, slope) for (x, g), slope in zip(with_grad()(rng, dtype), [0.01, 0.2] * 10)]


# (input shape, kernel, stride, padding, dilation, groups, out channels): odd sizes, 1x1,
# strides that skip pixels, dilation, groups, depthwise (groups = in channels, the direct
# loops of kernels/_depthwise.py) with stride 1 and 2, and sizes that make several batch
# chunks (CONV_CHUNK) and thread shares.
CONV = [((2, 3, 7, 6), (3, 2), (2, 1), (1, 0), (1, 1), 1, 4),
        ((1, 1, 1, 1), (1, 1), (1, 1), (0, 0), (1, 1), 1, 2),
        ((3, 2, 9, 9), (5, 5), (1, 1), (2, 2), (2, 1), 1, 3),
        ((2, 4, 8, 9), (2, 3), (3, 2), (1, 1), (1, 2), 2, 4),
        ((2, 3, 7, 6), (3, 3), (1, 1), (1, 1), (1, 1), 3, 6),
        ((3, 4, 9, 8), (3, 2), (2, 2), (1, 0), (2, 1), 4, 4),
        ((9, 8, 40, 40), (3, 3), (1, 1), (1, 1), (1, 1), 1, 8),
        ((5, 8, 30, 30), (3, 3), (1, 1), (1, 1), (1, 1), 8, 8)]


def conv_out_shape(shape, out_channels, kernel, stride, padding, dilation):
    return (shape[0], out_channels) + tuple(
        out_size(shape[2 + d], kernel[d], stride[d], padding[d], dilation[d]) for d in range(2))


def im2col(rng, dtype):
    return [(normal(rng, dtype, *shape), kernel, stride, padding, dilation, groups)
            for shape, kernel, stride, padding, dilation, groups, _ in CONV]


def col2im(rng, dtype):
    cases = []
    for shape, kernel, stride, padding, dilation, _, _ in CONV:
        col_shape = twin("im2col")(np.zeros(shape), kernel, stride, padding, dilation, 1).shape
        cases.append((normal(rng, dtype, *col_shape), shape, kernel, stride, padding, dilation))
    return cases


def conv_weight(rng, dtype, shape, kernel, groups, out_channels):
    return normal(rng, dtype, out_channels, shape[1] // groups, *kernel, scale=1.0)


def conv2d_fwd(rng, dtype):
    cases = []
    for shape, kernel, stride, padding, dilation, groups, o in CONV:
        bias = normal(rng, dtype, o) if o % 2 == 0 else None
        cases.append((normal(rng, dtype, *shape), conv_weight(rng, dtype, shape, kernel, groups, o),
                      bias, stride, padding, dilation, groups))
    x = normal(rng, dtype, 3, 2, 5, 6).transpose(0, 1, 3, 2)                # not contiguous
    cases.append((x, normal(rng, dtype, 2, 2, 3, 3), None, (1, 1), (1, 1), (1, 1), 1))
    return cases


def conv2d_input_grad(rng, dtype):
    cases = []
    for shape, kernel, stride, padding, dilation, groups, o in CONV:
        g = normal(rng, dtype, *conv_out_shape(shape, o, kernel, stride, padding, dilation))
        cases.append((g, conv_weight(rng, dtype, shape, kernel, groups, o), shape, stride,
                      padding, dilation, groups))
    return cases


def conv2d_weight_grad(rng, dtype):
    cases = []
    for shape, kernel, stride, padding, dilation, groups, o in CONV:
        g = normal(rng, dtype, *conv_out_shape(shape, o, kernel, stride, padding, dilation))
        cases.append((normal(rng, dtype, *shape), g, kernel, stride, padding, dilation, groups))
    return cases


BN_SHAPES = [(4, 3, 5), (7, 2, 1), (2, 16, 64), (1, 1, 2), (33, 5, 17)]


def bn_inputs(rng, dtype):
    """(x, g, weight, bias) per shape, with affine parameters and without (None, None)"""
    for i, shape in enumerate(BN_SHAPES):
        x, g = normal(rng, dtype, *shape, scale=2.0, shift=5.0), normal(rng, dtype, *shape)
        affine = (None, None) if i % 2 else tuple(normal(rng, dtype, 2, shape[1], scale=1.0))
        yield x, g, *affine


def bn_fwd(rng, dtype):
    return [(x, weight, bias, 1e-5) for x, _, weight, bias in bn_inputs(rng, dtype)]


def bn_stats(x):
    _, mean, var = twin("bn_fwd")(x, None, None, 1e-5)
    return mean, 1 / np.sqrt(var + 1e-5)


def bn_grad_sums(rng, dtype):
    return [(x, g, *bn_stats(x)) for x, g, _, _ in bn_inputs(rng, dtype)]


def bn_bwd(rng, dtype):
    cases = []
    for x, g, weight, _ in bn_inputs(rng, dtype):
        mean, invstd = bn_stats(x)
        cases.append((x, g, weight, mean, invstd, *twin("bn_grad_sums")(x, g, mean, invstd)))
    return cases


LN_SHAPES = [(4, 5), (1, 1), (3, 1000), (140000, 2)]    # the last over PARALLEL_MIN


def ln_fwd(rng, dtype):
    cases = []
    for i, (r, d) in enumerate(LN_SHAPES):
        affine = (None, None) if i % 2 else tuple(normal(rng, dtype, 2, d, scale=1.0))
        cases.append((normal(rng, dtype, r, d, scale=2.0, shift=3.0), *affine, 1e-5))
    return cases


def ln_with_stats(rng, dtype):
    cases = []
    for r, d in LN_SHAPES:
        x = normal(rng, dtype, r, d, scale=2.0, shift=3.0)
        _, mean, rstd = twin("ln_fwd")(x, None, None, 1e-5)
        cases.append((x, normal(rng, dtype, r, d), mean, rstd))
    return cases


# (input shape, kernel, stride, padding, dilation, ceil_mode): odd sizes, dilation,
# ceil_mode, a 1x1 window, and 2x2 windows over PARALLEL_MIN inputs
POOL = [((2, 3, 7, 6), (3, 2), (2, 1), (1, 0), (1, 1), False),
        ((2, 3, 9, 10), (3, 3), (2, 2), (1, 1), (1, 1), True),
        ((2, 3, 9, 10), (2, 3), (1, 2), (1, 0), (3, 2), False),
        ((2, 3, 9, 10), (2, 2), (3, 3), (1, 1), (2, 1), True),
        ((1, 1, 1, 1), (1, 1), (1, 1), (0, 0), (1, 1), False),
        ((2, 4, 100, 90), (2, 2), (2, 2), (0, 0), (1, 1), False)]


def ties_and_nan(rng, dtype):
    """Small integers (the first of equal maxima wins) and a NaN (it wins, as in PyTorch)"""
    x = rng.integers(-2, 3, (2, 2, 6, 6)).astype(dtype)
    x[1, 0, 2, 3] = np.nan
    return x


def max_pool_fwd(rng, dtype):
    cases = [(normal(rng, dtype, *shape), *window) for shape, *window in POOL]
    return cases + [(ties_and_nan(rng, dtype), (2, 2), (1, 1), (0, 0), (1, 1), False)]


def max_pool_bwd(rng, dtype):
    cases = []
    for x, *window in max_pool_fwd(rng, dtype):
        out, index = twin("max_pool_fwd")(x, *window)
        cases.append((normal(rng, dtype, *out.shape), index, x.shape))
    return cases


# (ceil_mode, count_include_pad, divisor_override): each with the first four POOL windows
# (without their dilation), PyTorch's defaults (the first) with the others
AVG = [(False, True, None), (True, True, None), (True, False, None), (False, False, None),
       (True, True, 5)]


def avg_pool_fwd(rng, dtype):
    return [(normal(rng, dtype, *shape), kernel, stride, padding, *options)
            for i, (shape, kernel, stride, padding, _, _) in enumerate(POOL)
            for options in (AVG if i < 4 else AVG[:1])]


def avg_pool_bwd(rng, dtype):
    cases = []
    for x, kernel, stride, padding, ceil_mode, include_pad, divisor in avg_pool_fwd(rng, dtype):
        out = twin("avg_pool_fwd")(x, kernel, stride, padding, ceil_mode, include_pad, divisor)
        cases.append((normal(rng, dtype, *out.shape), x.shape, kernel, stride, padding,
                      include_pad, divisor))
    return cases


ADAPTIVE = [((2, 3, 7, 5), (3, 2)), ((1, 1, 3, 4), (5, 9)), ((2, 2, 6, 6), (1, 1)),
            ((1, 2, 8, 8), (4, 4)), ((2, 4, 100, 90), (7, 6))]


def adaptive_pool(rng, dtype):
    cases = [(normal(rng, dtype, *shape), size) for shape, size in ADAPTIVE]
    return cases + [(ties_and_nan(rng, dtype), (4, 3))]


def adaptive_avg_pool_bwd(rng, dtype):
    return [(normal(rng, dtype, *shape[:2], *size), shape) for shape, size in ADAPTIVE]


# optimizer kernel -> (number of state arrays after w and g, the scalar arguments to try)
OPTIM = {
    "sgd_step": (1, [(0.1, 0.9, 0.1, 0.01, False, True), (0.1, 0.9, 0.0, 0.0, True, False),
                     (0.1, 0.0, 0.0, 0.1, False, False)]),
    "adagrad_step": (1, [(0.1, 0.01, 1e-10)]),
    "rmsprop_step": (3, [(0.01, 0.99, 1e-8, 0.0, 0.0, False), (0.01, 0.9, 1e-8, 0.1, 0.9, True)]),
    "adam_step": (3, [(0.1, 0.5, 0.9, 0.999, 1e-8, 0.1, 1.0, False),
                      (0.1, 0.5, 0.9, 0.999, 1e-8, 0.0, 0.99, True)]),
    "adamax_step": (2, [(0.1, 0.9, 0.999, 1e-8, 0.1)]),
    "nadam_step": (2, [(0.01, 0.02, 0.5, 0.9, 0.999, 1e-8, 0.1, 1.0),
                       (0.01, 0.02, 0.5, 0.9, 0.999, 1e-8, 0.0, 0.99)]),
    "radam_step": (2, [(0.01, 0.5, 0.7, 0.8, True, 0.9, 0.999, 1e-8, 0.1, 1.0),
                       (0.01, 0.5, 0.7, 0.0, False, 0.9, 0.999, 1e-8, 0.0, 0.99)]),
    "adadelta_step": (2, [(1.0, 0.9, 1e-6, 0.1)]),
    "rprop_step": (2, [(0.5, 1.2, 1e-6, 50.0), (0.3, 1.5, 0.2, 0.5)]),
}


def optim_step(name):
    """(w, g, *state, *scalars): w and the state arrays are updated in place."""
    n_state, scalar_sets = OPTIM[name]

    def make(rng, dtype):
        cases = []
        for scalars in scalar_sets:
            for shape in [(0,), (1,), (7, 5), (OPTIM_BIG,)]:      # the last over the threshold
                w, g = normal(rng, dtype, *shape, scale=1.0), normal(rng, dtype, *shape, scale=1.0)
                state = [np.abs(normal(rng, dtype, *shape, scale=1.0)) for _ in range(n_state)]
                if name == "rmsprop_step":
                    state[0] += state[1] ** 2                     # s >= g_avg², a variance >= 0
                    if not scalars[-1]:
                        state[1] = np.empty(0, dtype)             # grad_avg unused uncentered
                if name == "rprop_step":
                    state[0] = normal(rng, dtype, *shape, scale=1.0)   # prev: both signs and 0
                    state[0].reshape(-1)[::3] = 0
                cases.append((w, g, *state, *scalars))
        return cases
    return make


RNN_SIZES = [(1, 1), (3, 5), (4, 33), (64, 128)]     # (batch, hidden)


def rnn_cell(gates, grad_blocks=None):
    """(x_gates, h_gates, state[, grad]) with `gates` blocks; saturated gates (|.| ~ 30) in
    the last case, transposed x_gates in the second."""
    def make(rng, dtype):
        cases = []
        for i, (batch, hidden) in enumerate(RNN_SIZES + [(5, 7)]):
            scale = 30.0 if i == len(RNN_SIZES) else 1.5
            x_gates = normal(rng, dtype, batch, gates * hidden, scale=scale)
            if i == 1:
                x_gates = normal(rng, dtype, gates * hidden, batch, scale=scale).T
            case = (x_gates, normal(rng, dtype, batch, gates * hidden, scale=scale),
                    normal(rng, dtype, batch, hidden))
            if grad_blocks:
                case += (normal(rng, dtype, batch, grad_blocks * hidden),)
            cases.append(case)
        return cases
    return make


def embedding_bwd(rng, dtype):
    """Repeated indices, padding_idx or none (-1), rows never looked up, empty and single."""
    cases = []
    for n, dim, num, padding_idx in [(1000, 8, 60, -1), (1000, 8, 60, 4), (0, 3, 5, -1),
                                     (1, 1, 1, 0), (37, 5, 11, 2)]:
        indices = rng.integers(0, min(num, 50), n)
        cases.append((normal(rng, dtype, n, dim), indices, num, padding_idx))
    return cases


# Every kernel of the table: name -> function(rng, dtype) returning a list of argument tuples.
ARGS = {
    **{name: unary for name in ["relu_fwd", "sigmoid_fwd", "tanh_fwd", "exp_fwd", "erf_fwd",
                                "gelu_fwd"]},
    "relu_bwd": with_grad(), "sigmoid_bwd": with_grad("sigmoid_fwd"),
    "tanh_bwd": with_grad("tanh_fwd"), "gelu_bwd": with_grad(),
    "leaky_relu_fwd": leaky_relu_fwd, "leaky_relu_bwd": leaky_relu_bwd,
    **{name: rows for name in ["logsumexp_fwd", "log_softmax_fwd", "softmax_fwd"]},
    "log_softmax_bwd": rows_with_grad("log_softmax_fwd"),
    "softmax_bwd": rows_with_grad("softmax_fwd"),
    "matmul": matmul, "linear_fwd": linear_fwd,
    "im2col": im2col, "col2im": col2im, "conv2d_fwd": conv2d_fwd,
    "conv2d_input_grad": conv2d_input_grad, "conv2d_weight_grad": conv2d_weight_grad,
    "bn_fwd": bn_fwd, "bn_grad_sums": bn_grad_sums, "bn_bwd": bn_bwd,
    "ln_fwd": ln_fwd, "ln_bwd": ln_with_stats, "ln_grad_sums": ln_with_stats,
    "max_pool_fwd": max_pool_fwd, "max_pool_bwd": max_pool_bwd,
    "avg_pool_fwd": avg_pool_fwd, "avg_pool_bwd": avg_pool_bwd,
    "adaptive_max_pool_fwd": adaptive_pool, "adaptive_avg_pool_fwd": adaptive_pool,
    "adaptive_avg_pool_bwd": adaptive_avg_pool_bwd,
    **{name: optim_step(name) for name in OPTIM},
    "lstm_cell_fwd": rnn_cell(4), "lstm_cell_bwd": rnn_cell(4, grad_blocks=2),
    "gru_cell_fwd": rnn_cell(3), "gru_cell_bwd": rnn_cell(3, grad_blocks=1),
    "embedding_bwd": embedding_bwd,
}


def test_every_kernel_has_args():
    missing, stale = set(K.KERNELS) - set(ARGS), set(ARGS) - set(K.KERNELS)
    assert not missing, (f"kernels {sorted(missing)} are declared in kernels/__init__.py but "
                         "never compared with their twins: add an entry to ARGS in "
                         "tests/test_kernels.py giving the arguments to compare them on")
    assert not stale, f"ARGS in tests/test_kernels.py has entries for no kernel: {sorted(stale)}"


RTOL = {np.float32: 1e-5, np.float64: 1e-12}
# Kernels that sum in another order than their twins (or evaluate a sum of many terms with
# fused multiply-adds), so their results differ by more than a rounding or two: rtol and
# atol are multiplied by these factors.
LOOSER = {
    "conv2d_fwd": 10,            # BLAS GEMM vs einsum: sums of up to 72 products of size ~3
    "conv2d_input_grad": 10,     # with stride 1 a convolution (flipped kernel), as conv2d_fwd
    "conv2d_weight_grad": 1000,  # sums of 9 x 40 x 40 = 14400 products: results up to ~400
}


def assert_same(got, want, rtol, where):
    """Same type, dtype, shape and values (NaN where the twin has NaN; integers exact)."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), where
        for i, (a, b) in enumerate(zip(got, want)):
            assert_same(a, b, rtol, f"{where}[{i}]")
    elif isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), where
        assert (got.dtype, got.shape) == (want.dtype, want.shape), where
        if np.issubdtype(want.dtype, np.integer):
            np.testing.assert_array_equal(got, want, err_msg=where)
        else:
            np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol, err_msg=where)
    else:
        assert got == want, where


def describe(args):
    return ", ".join(f"{a.dtype}{list(a.shape)}" if isinstance(a, np.ndarray) else repr(a)
                     for a in args)


@compiled
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ARGS))
def test_kernel_matches_twin(name, dtype):
    """The compiled kernel and its twin, each on its own copy of the same arguments (made
    twice from one seed, so strides are kept): the same results, and the same argument
    arrays afterwards (the in-place updates of the optimizers; untouched inputs elsewhere)."""
    declared = K.KERNELS[name]
    kernel = declared.compiled()
    rtol = RTOL[dtype] * LOOSER.get(name, 1)
    ours, theirs = (ARGS[name](np.random.default_rng(0), dtype) for _ in range(2))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        where = f"{name} case {i}: ({describe(b)})"
        with np.errstate(all="ignore"):            # overflow and inf - inf, in both
            got, want = kernel(*a), declared.twin(*b)
        assert_same(got, want, rtol, where)
        assert_same(a, b, rtol, where + " arguments after the call")


def test_linear_rejects_unknown_activation():
    with pytest.raises(ValueError):
        K.linear_fwd(np.ones((2, 3), np.float32), np.ones((4, 3), np.float32), activation="gelu")


@pytest.mark.skipif(not JIT_ENABLED, reason="checks the compiled kernels' input validation")
def test_rejects_mismatched_inputs():
    with pytest.raises(ValueError):
        K.relu_bwd(np.ones(3, np.float32), np.ones(4, np.float32))
    from tinygrad_lite.kernels import elementwise     # the compiled kernel itself (K.relu_fwd
    with pytest.raises(TypeError):                   # hands integers to the NumPy twin)
        elementwise.relu_fwd(np.arange(3))
    from tinygrad_lite.kernels import optim          # state updated in place must be contiguous
    with pytest.raises(ValueError, match="C-contiguous"):
        optim.adagrad_step(np.ones((4, 4))[:, ::2], np.ones((4, 2)), np.ones((4, 2)), 0.1, 0.0,
                           1e-10)


def test_jit_switch_serves_reference():
    code = ("import tinygrad_lite.kernels as K, tinygrad_lite.kernels.reference as R, sys;"
            "assert K.relu_fwd is R.relu_fwd and K.linear_fwd is R.linear_fwd;"
            "K.relu_fwd(R.np.ones(3));"
            "assert 'numba' not in sys.modules")
    env = dict(os.environ, TINYGRAD_LITE_JIT="0")
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def test_import_defers_kernel_modules():
    """No kernel module (and not Numba) loads at import, not even with nn and optim: each
    loads on the first call of one of its kernels."""
    code = ("import sys, tinygrad_lite, nn, optim;"
            "from tinygrad_lite.kernels import KERNELS;"
            "loaded = [d.module for d in KERNELS.values()"
            "          if 'tinygrad_lite.kernels' + d.module in sys.modules];"
            "assert not loaded and 'numba' not in sys.modules, loaded")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", sorted(K.KERNELS))
def test_every_kernel_has_a_numpy_twin_with_its_signature(name):
    """Each declared kernel exists in its module, with the same arguments as its twin."""
    pytest.importorskip("numba")
    declared = K.KERNELS[name]
    kernel = declared.compiled()
    assert kernel.__name__ == declared.twin.__name__ == name
    assert list(inspect.signature(declared.twin).parameters) == \
        list(inspect.signature(kernel).parameters), name


def test_every_public_kernel_function_is_declared():
    """Every module of tinygrad_lite/kernels is scanned, except the `_` ones (_exp, _erf,
    _depthwise, ...: helpers that only other kernel modules call). In a module that compiles
    Numba functions, every public (no leading underscore) function, whether @njit, @kernel or
    the plain wrapper the table points at, must be declared in the table of
    kernels/__init__.py: anything else would be unreachable as `kernels.<name>` and never
    compared with a twin."""
    pytest.importorskip("numba")
    from numba.core.dispatcher import Dispatcher
    from tinygrad_lite.kernels._jit import Kernel
    declared = {(d.module, d.name) for d in K.KERNELS.values()}
    undeclared = []
    for info in pkgutil.iter_modules(K.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{K.__name__}.{info.name}")
        own = {name: value for name, value in vars(module).items()    # not imported ones
               if getattr(value.serial if isinstance(value, Kernel) else value, "__module__",
                          None) == module.__name__}
        if not any(isinstance(value, (Dispatcher, Kernel)) for value in own.values()):
            continue                                  # twins, thresholds, geometry
        undeclared += [f"{info.name}.{name}" for name, value in own.items()
                       if (inspect.isfunction(value) or isinstance(value, (Dispatcher, Kernel)))
                       and not name.startswith("_") and (f".{info.name}", name) not in declared]
    assert not undeclared, (f"{undeclared} are public kernel functions that kernels/__init__.py "
                            "does not declare: declare them there with a NumPy twin (and add "
                            "their ARGS here), or name them with a leading underscore")


def test_every_kernel_name_is_exported():
    assert set(K.KERNELS) <= set(K.__all__)
    for name, declared in K.KERNELS.items():
        export = getattr(K, name)
        assert export is declared.twin if not JIT_ENABLED else export.__wrapped__ is declared.twin


def test_input_checks_name_what_was_expected():
    """kernels/_checks.py: the one place kernel inputs are checked."""
    from tinygrad_lite.kernels._checks import check_float, contiguous, flat, flat_views
    with pytest.raises(TypeError, match="float32 or float64"):
        check_float(np.arange(3))
    with pytest.raises(TypeError, match="one dtype"):
        flat(np.ones(3, np.float32), np.ones(3, np.float64))
    with pytest.raises(ValueError, match="one shape"):
        flat(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=r"layer-norm kernels take \(R, D\) arrays, got shape "
                                         r"\(2, 3, 4\)"):
        contiguous(np.ones((2, 3, 4)), "(R, D)", "layer-norm kernels")
    with pytest.raises(ValueError, match="C-contiguous"):
        flat_views(np.ones(4), np.ones((4, 2))[:, 0])
    strided = np.ones((3, 4))[:, ::2]
    assert contiguous(strided).flags.c_contiguous and flat(strided)[0].shape == (6,)
