"""Every kernel in tinygrad_lite.kernels against its NumPy twin in kernels/reference.py."""
import importlib
import inspect
import os
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_lite.kernels as K
from tinygrad_lite.kernels._jit import JIT_ENABLED
from tinygrad_lite.kernels import reference as R

# With TINYGRAD_LITE_JIT=0 every kernel name serves its NumPy twin, so a comparison of the
# two would compare the twin with itself: those tests skip instead of passing for nothing.
compiled = pytest.mark.skipif(not JIT_ENABLED, reason="TINYGRAD_LITE_JIT=0: the kernels are "
                              "their NumPy twins, there is nothing to compare")

DTYPES = [np.float32, np.float64]
RTOL = {np.float32: 1e-6, np.float64: 1e-12}
BIG = (600, 513)  # 307800 elements: over every parallel threshold (test_big_is_over_...)
# Parallel builds compile slowly (~1 s each), so the large size runs in float64 only, plus
# float32 for the kernels with float32-specific code (the polynomial exp).
LARGE_F32 = {"sigmoid_fwd", "tanh_fwd", "exp_fwd", "softmax_fwd", "log_softmax_bwd"}


def test_big_is_over_every_parallel_threshold():
    from tinygrad_lite.kernels import thresholds
    assert BIG[0] * BIG[1] >= max(thresholds.PARALLEL_MIN, thresholds.TRANSCENDENTAL_PARALLEL_MIN)


def tol(dtype, atol_scale=0.0):
    """rtol for the dtype; atol covers subnormals, or cancellation in O(1) results."""
    rtol = RTOL[np.dtype(dtype).type]
    return dict(rtol=rtol, atol=max(atol_scale * rtol, 1e3 * np.finfo(dtype).smallest_subnormal))


def make(shape, dtype, seed=0, scale=3.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def variants(shape, dtype, seed=0):
    """Contiguous, transposed and strided-slice versions of one random array."""
    x = make(shape, dtype, seed)
    out = [("contig", x)]
    if x.ndim == 2 and x.size:
        out.append(("transposed", make(shape[::-1], dtype, seed).T))
        out.append(("strided", make((shape[0], 2 * shape[1]), dtype, seed)[:, ::2]))
    return out


def check(name, *args, atol_scale=0.0):
    """kernel == twin, same dtype and shape, and no input modified."""
    before = [np.copy(a) for a in args]
    got, want = getattr(K, name)(*args), getattr(R, name)(*args)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, **tol(args[0].dtype, atol_scale))
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)


UNARY = ["relu_fwd", "sigmoid_fwd", "tanh_fwd", "exp_fwd"]
BACKWARD = {"relu_bwd": "relu_fwd", "sigmoid_bwd": "sigmoid_fwd", "tanh_bwd": "tanh_fwd"}
ROW = ["logsumexp_fwd", "log_softmax_fwd", "softmax_fwd"]
ROW_BACKWARD = {"log_softmax_bwd": "log_softmax_fwd", "softmax_bwd": "softmax_fwd"}
SHAPES = [(0,), (1, 1), (7,), (3, 5), (2, 3, 5), (40, 50)]


@compiled
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary(name, shape, dtype):
    for _, x in variants(shape, dtype):
        check(name, x)


@compiled
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", BACKWARD)
def test_backward(name, shape, dtype):
    for _, x in variants(shape, dtype):
        first = x if name == "relu_bwd" else getattr(R, BACKWARD[name])(x)  # relu_bwd takes x
        g = make(x.shape, dtype, seed=1)
        check(name, first, g, atol_scale=1)


LARGE = [(n, np.float64) for n in [*UNARY, *BACKWARD, *ROW, *ROW_BACKWARD]]
LARGE += [(n, np.float32) for n in sorted(LARGE_F32)]


@compiled
@pytest.mark.parametrize("name,dtype", LARGE)
def test_large_parallel(name, dtype):
    x, g = make(BIG, dtype), make(BIG, dtype, seed=1)
    twin = {**BACKWARD, **ROW_BACKWARD}.get(name)
    if twin is None:
        check(name, x, atol_scale=1)
    else:
        check(name, x if name == "relu_bwd" else getattr(R, twin)(x), g, atol_scale=10)


@compiled
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary_extremes(name, dtype):
    x = np.array([-1e4, -800, -745.5, -100, -88, -1e-8, -0.0, 0, 1e-30, 1e-8, 0.3, 30, 88.5,
                  100, 709, 1e4, np.inf, -np.inf, np.nan], dtype)
    with np.errstate(over="ignore"):
        check(name, x)
    assert np.isfinite(K.sigmoid_fwd(x[:-3])).all()


ROW_SHAPES = [(0, 5), (1, 1), (3, 7), (5, 1000)]


@compiled
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", ROW_SHAPES)
@pytest.mark.parametrize("name", ROW)
def test_rows(name, shape, dtype):
    for _, x in variants(shape, dtype):
        check(name, x, atol_scale=1)


@compiled
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", ROW_SHAPES)
@pytest.mark.parametrize("name", ROW_BACKWARD)
def test_rows_backward(name, shape, dtype):
    for _, x in variants(shape, dtype):
        y = getattr(R, ROW_BACKWARD[name])(x)
        check(name, y, make(shape, dtype, seed=1), atol_scale=10)


@compiled
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ROW)
def test_rows_extremes(name, dtype):
    x = np.array([[1e4, 1e4 - 1, 0, -np.inf],       # huge logits: shift by the max
                  [-1e4, -1e4, -1e4 + 2, -1e4],
                  [-np.inf, 1.0, -np.inf, 2.0]], dtype)
    check(name, x, atol_scale=1)
    assert np.isfinite(getattr(K, name)(x[:2, :3])).all()  # finite logits: finite output


@compiled
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,k,n", [(0, 3, 4), (1, 1, 1), (5, 7, 3), (64, 784, 256)])
def test_matmul(m, k, n, dtype):
    a, b = make((m, k), dtype), make((k, n), dtype, seed=1)
    check("matmul", a, b, atol_scale=k)
    check("matmul", np.ascontiguousarray(a.T).T, b[:, ::-1], atol_scale=k)  # non-contiguous


@compiled
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.parametrize("m,k,n", [(0, 3, 4), (1, 1, 1), (5, 7, 3), (30, 64, 25)])
def test_linear(m, k, n, activation, bias, dtype):
    x, w = make((m, k), dtype), make((n, k), dtype, seed=1)
    b = make((n,), dtype, seed=2) if bias else None
    for xv in (x, make((k, m), dtype).T):
        args = (xv, w) if b is None else (xv, w, b)
        before = [a.copy() for a in args]
        got = K.linear_fwd(*args, activation=activation)
        want = R.linear_fwd(*args, activation=activation)
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, **tol(dtype, atol_scale=k))
        for a, c in zip(args, before):
            np.testing.assert_array_equal(a, c)


@compiled
def test_linear_large_parallel():
    x, w, b = make((300, 64), np.float64), make((257, 64), np.float64, 1), make((257,), np.float64)
    check("linear_fwd", x, w, b, "relu", atol_scale=64)


def test_linear_rejects_unknown_activation():
    with pytest.raises(ValueError):
        K.linear_fwd(make((2, 3), np.float32), make((4, 3), np.float32), activation="gelu")


@pytest.mark.skipif(not JIT_ENABLED, reason="checks the compiled kernels' input validation")
def test_rejects_mismatched_inputs():
    with pytest.raises(ValueError):
        K.relu_bwd(make((3,), np.float32), make((4,), np.float32))
    from tinygrad_lite.kernels import elementwise     # the compiled kernel itself (K.relu_fwd
    with pytest.raises(TypeError):                   # hands integers to the NumPy twin)
        elementwise.relu_fwd(np.arange(3))


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
    """A public function in a kernel module that the table in kernels/__init__.py does not
    declare would be unreachable as `kernels.<name>` and untested against a twin."""
    pytest.importorskip("numba")
    for module in {declared.module for declared in K.KERNELS.values()}:
        loaded = importlib.import_module(module, "tinygrad_lite.kernels")
        public = {name for name, fn in vars(loaded).items() if inspect.isfunction(fn)
                  and fn.__module__ == loaded.__name__ and not name.startswith("_")}
        missing = public - {d.name for d in K.KERNELS.values() if d.module == module}
        assert not missing, f"{loaded.__name__} has undeclared kernels {sorted(missing)}"


def test_every_kernel_name_is_exported():
    assert set(K.KERNELS) <= set(K.__all__)
    for name, declared in K.KERNELS.items():
        export = getattr(K, name)
        assert export is declared.twin if not JIT_ENABLED else export.__wrapped__ is declared.twin


TESTED_HERE = {*UNARY, *BACKWARD, *ROW, *ROW_BACKWARD, "matmul", "linear_fwd"}


def test_this_file_compares_every_kernel_of_its_modules():
    """The elementwise, row and linear kernels are compared with their twins above: a new
    kernel in those modules must get inputs here too."""
    for declared in K.KERNELS.values():
        if declared.module in (".elementwise", ".softmax", ".linear"):
            assert declared.name in TESTED_HERE, declared.name


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
