"""The nine dtypes (bool, uint8, int8, int16, int32, int64, float16, float32, float64): type
promotion checked pair by pair against PyTorch, conversions, legacy constructors, integer
tensors as indices and in reductions, float16 through every registered op and a small MLP."""
import warnings

import numpy as np
import pytest

import nn
import tinygrad_lite as tl
import tinygrad_lite.kernels as K
from tinygrad_lite.kernels import reference as R
from tinygrad_lite.opcheck import sample_inputs

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
VALUES = {"bool": [True, False, True]}          # everything else: [1, 2, 3]


def ours(name, values=None, shape=(3,)):
    values = VALUES.get(name, [1, 2, 3]) if values is None else values
    return tl.tensor(np.reshape(values, shape), dtype=getattr(tl, name))


def theirs(torch, name, values=None, shape=(3,)):
    values = VALUES.get(name, [1, 2, 3]) if values is None else values
    return torch.tensor(np.reshape(values, shape).tolist(), dtype=getattr(torch, name))


def assert_same(result, expected):
    """Same dtype (by name) and same values as the torch result."""
    assert str(result.dtype) == str(expected.dtype).removeprefix("torch."), \
        f"dtype {result.dtype}, PyTorch gives {expected.dtype}"
    np.testing.assert_allclose(result.numpy().astype(np.float64),
                               expected.numpy().astype(np.float64), rtol=1e-3)


BINARY = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
          "lt": lambda a, b: a < b, "eq": lambda a, b: a == b}
PAIRS = [(a, b) for a in NAMES for b in NAMES]


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("left, right", PAIRS)
def test_binary_promotion_matches_torch(op, left, right):
    torch = pytest.importorskip("torch")
    fn = BINARY[op]
    divisor = [True, True, True] if right == "bool" else None   # no 0/0 in the table
    assert_same(fn(ours(left), ours(right, divisor)),
                fn(theirs(torch, left), theirs(torch, right, divisor)))


@pytest.mark.parametrize("left, right", PAIRS)
def test_zero_dim_tensor_promotion_matches_torch(left, right):
    """A 0-d tensor decides the dtype only when its category is higher (int8 vector +
    0-d int64 stays int8; int8 vector + 0-d float64 is float64)."""
    torch = pytest.importorskip("torch")
    for op in ("add", "mul", "div"):
        fn = BINARY[op]
        assert_same(fn(ours(left), ours(right, [True], ())),
                    fn(theirs(torch, left), theirs(torch, right, [True], ())))


@pytest.mark.filterwarnings("ignore:divide by zero")     # 2 / False is inf, as in PyTorch
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("scalar", [True, 2, 2.5])
def test_python_scalar_promotion_matches_torch(name, scalar):
    torch = pytest.importorskip("torch")
    for op in ("add", "mul", "div", "lt"):
        fn = BINARY[op]
        assert_same(fn(ours(name), scalar), fn(theirs(torch, name), scalar))
        assert_same(fn(scalar, ours(name)), fn(scalar, theirs(torch, name)))


@pytest.mark.parametrize("left, right", PAIRS)
def test_where_and_cat_promote_like_torch(left, right):
    torch = pytest.importorskip("torch")
    condition = [True, False, True]
    assert_same(tl.where(tl.tensor(condition), ours(left), ours(right)),
                torch.where(torch.tensor(condition), theirs(torch, left), theirs(torch, right)))
    assert_same(tl.cat([ours(left), ours(right)]),
                torch.cat([theirs(torch, left), theirs(torch, right)]))


def test_int8_plus_out_of_range_scalar_wraps_like_torch():
    torch = pytest.importorskip("torch")
    assert_same(ours("int8") + 1000, theirs(torch, "int8") + 1000)
    assert_same(ours("uint8") - 5, theirs(torch, "uint8") - 5)


def test_out_of_range_python_int_is_refused_when_making_a_tensor():
    with pytest.raises(RuntimeError, match="Tensor: value cannot be converted to type int8"):
        tl.tensor([1000], dtype=tl.int8)


def test_promotion_rules_by_name():
    assert tl.dtypes.promote(tl.int8, tl.uint8) == tl.int16
    assert tl.dtypes.promote(tl.float16, tl.int64) == tl.float16
    assert tl.dtypes.promote(tl.uint8, tl.bool) == tl.uint8
    assert tl.dtypes.promote(tl.float16, tl.float32) == tl.float32
    assert (ours("int32") / ours("int32")).dtype == tl.get_default_dtype()


# ---- names, conversions, constructors ---------------------------------------------------
def test_aliases_are_torchs():
    assert (tl.int, tl.long, tl.short, tl.half, tl.float, tl.double) == \
        (tl.int32, tl.int64, tl.int16, tl.float16, tl.float32, tl.float64)
    assert tl.uint8 == np.uint8 and tl.int8 == np.int8


@pytest.mark.parametrize("method, name", [("int", "int32"), ("long", "int64"),
                                          ("short", "int16"), ("char", "int8"),
                                          ("byte", "uint8"), ("half", "float16"),
                                          ("float", "float32"), ("double", "float64"),
                                          ("bool", "bool")])
def test_conversion_methods_match_torch(method, name):
    torch = pytest.importorskip("torch")
    x = tl.tensor([0.0, 1.5, -2.5, 300.0])
    expected = getattr(torch.tensor([0.0, 1.5, -2.5, 300.0]), method)()
    result = getattr(x, method)()
    assert str(result.dtype) == name == str(expected.dtype).removeprefix("torch.")
    if name != "uint8":                 # -2.5 as uint8 is platform-dependent in C
        np.testing.assert_allclose(result.numpy().astype(float),
                                   expected.numpy().astype(float))


@pytest.mark.parametrize("constructor, name", [("HalfTensor", "float16"), ("IntTensor", "int32"),
                                               ("ShortTensor", "int16"), ("CharTensor", "int8"),
                                               ("ByteTensor", "uint8")])
def test_legacy_constructors(constructor, name):
    make = getattr(tl, constructor)
    assert make([1, 2]).dtype == getattr(tl, name)
    assert make(2, 3).shape == (2, 3) and make(2, 3).dtype == getattr(tl, name)


@pytest.mark.parametrize("name", NAMES)
def test_arrays_keep_their_dtype_and_from_numpy_shares(name):
    array = np.array(VALUES.get(name, [1, 2, 3]), dtype=name)
    assert tl.tensor(array).dtype == array.dtype
    assert tl.Tensor(array).dtype == array.dtype
    shared = tl.from_numpy(array)
    assert shared.dtype == array.dtype and np.shares_memory(shared.numpy(), array)


def test_python_numbers_keep_their_default_dtypes():
    assert tl.tensor([1, 2]).dtype == tl.int64
    assert tl.tensor([1.0, 2.0]).dtype == tl.get_default_dtype()


@pytest.mark.parametrize("name", NAMES)
def test_repr_names_non_default_dtypes_like_torch(name):
    torch = pytest.importorskip("torch")
    text, expected = repr(ours(name)), repr(theirs(torch, name))
    assert ("dtype=" in text) == ("dtype=" in expected)
    if "dtype=" in text:
        assert text.endswith(f"dtype={name})")


def test_requires_grad_for_float16_but_not_integers():
    assert tl.ones(2, dtype=tl.float16, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="int32"):
        tl.ones(2, dtype=tl.int32).requires_grad_()


# ---- integer tensors of every width -----------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_sum_argmax_tolist_item_match_torch(name):
    torch = pytest.importorskip("torch")
    x, t = ours(name, shape=(3, 1)), theirs(torch, name, shape=(3, 1))
    assert_same(x.sum(), t.sum())
    assert_same(x.sum(0), t.sum(0))
    assert_same(x.cumsum(0), t.cumsum(0))
    assert_same(x.prod(), t.prod())
    assert_same(x.cumprod(0), t.cumprod(0))
    if name != "bool":                  # PyTorch has no argmax of bool
        assert_same(x.argmax(), t.argmax())
        assert_same(x.max(0).indices, t.max(0).indices)
    assert x.tolist() == t.tolist() and x[1, 0].item() == t[1, 0].item()
    assert type(x[1, 0].item()) is type(t[1, 0].item())


@pytest.mark.parametrize("name", ["int32", "int64"])
def test_int32_and_int64_tensors_index(name):
    x = tl.arange(10.0)
    index = tl.tensor([3, 1], dtype=getattr(tl, name))
    assert x[index].tolist() == [3.0, 1.0]
    x[index] = 0.0
    assert x[3].item() == 0.0


def test_uint8_index_is_a_mask_as_in_torch():
    torch = pytest.importorskip("torch")
    mask = [1, 0, 1, 0, 1]
    with pytest.warns(UserWarning, match="uint8"):
        result = tl.arange(5.0)[tl.tensor(mask, dtype=tl.uint8)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.arange(5.0)[torch.tensor(mask, dtype=torch.uint8)]
    assert_same(result, expected)


@pytest.mark.parametrize("name", ["int8", "int16", "float32"])
def test_other_dtypes_are_refused_as_indices_as_in_torch(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(IndexError, match="long, int, byte or bool"):
        tl.arange(5.0)[tl.tensor([1, 2], dtype=getattr(tl, name))]
    with pytest.raises(IndexError, match="long, int, byte or bool"):
        torch.arange(5.0)[torch.tensor([1, 2], dtype=getattr(torch, name))]


@pytest.mark.parametrize("name", ["int8", "uint8", "int16", "int32", "int64"])
def test_gather_and_index_select_take_int32_and_int64_as_torch(name):
    torch = pytest.importorskip("torch")
    calls = (lambda x, i: x.gather(0, i), lambda x, i: x.index_select(0, i))
    for call in calls:
        expected = None
        try:
            expected = call(torch.arange(4.0), theirs(torch, name, [2, 0, 1]))
        except RuntimeError:
            pass
        index = ours(name, [2, 0, 1])
        if expected is None:
            with pytest.raises(TypeError, match="int64 or int32"):
                call(tl.arange(4.0), index)
        else:
            assert_same(call(tl.arange(4.0), index), expected)


# ---- float16 ----------------------------------------------------------------------------
def test_kernels_hand_dtypes_numba_lacks_to_their_twins():
    half = np.array([-1.0, 2.0], np.float16)
    assert K.relu_fwd(half).dtype == np.float16
    np.testing.assert_array_equal(K.relu_fwd(half), R.relu_fwd(half))
    assert K.relu_fwd(np.array([-1, 2], np.int8)).tolist() == [0, 2]
    assert K.matmul(np.eye(2, dtype=np.int32), np.ones((2, 2), np.int32)).dtype == np.int32
    pooled = K.max_pool_fwd(np.ones((1, 1, 4, 4), np.float16), (2, 2), (2, 2),
                                         (0, 0), (1, 1), False)
    assert pooled[0].dtype == np.float16


@pytest.mark.parametrize("name", sorted(tl.OPS))
def test_every_op_forward_in_float16_matches_float32(name):
    """The first sample of each op, run in float16 and in float32: same values within
    float16's precision (about 3 significant digits), and a float16 result."""
    spec = tl.OPS[name]
    sample = spec.samples[0]
    inputs = [t.detach() for t in sample_inputs(sample, np.random.default_rng(3))]
    if any(t.dtype.kind in "iu" for t in inputs):
        pytest.skip(f"{name} takes integer inputs")
    if name.startswith("linalg_"):
        pytest.skip("LAPACK has no float16: tl.linalg refuses it, as torch.linalg does")

    def run(dtype):
        cast = [t.to(dtype) if t.dtype.kind == "f" else t for t in inputs]
        return spec.cls.apply(*cast, **sample.kwargs)

    half, single = run(tl.float16), run(tl.float32)
    assert half.dtype == tl.float16 or name == "cast", f"{name} gave {half.dtype}"
    np.testing.assert_allclose(half.numpy().astype(np.float32), single.numpy(),
                               rtol=1e-2, atol=1e-2, err_msg=name)


@pytest.mark.parametrize("name", ["inv", "det", "cholesky", "svd", "qr", "eigh", "pinv"])
def test_linalg_refuses_float16_as_torch_does(name):
    with pytest.raises(TypeError, match=f"linalg.{name}: .*low precision"):
        getattr(tl.linalg, name)(tl.eye(3, dtype=tl.float16))


def test_float16_mlp_backward_matches_float32():
    tl.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
    half = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
    half.load_state_dict(model.state_dict())
    half.half()
    assert all(p.dtype == tl.float16 for p in half.parameters())
    x, target = tl.randn(8, 6), tl.randint(0, 3, (8,))
    for m, inputs in ((model, x), (half, x.half())):
        out = m(inputs)
        assert out.dtype == inputs.dtype
        nn.functional.cross_entropy(out, target).backward()
    for p, q in zip(model.parameters(), half.parameters()):
        assert q.grad.dtype == tl.float16
        np.testing.assert_allclose(q.grad.numpy().astype(np.float32), p.grad.numpy(),
                                   rtol=2e-2, atol=2e-3)


def test_layers_keep_float32_parameters_and_half_converts_buffers():
    bn = nn.BatchNorm1d(4)
    assert bn.weight.dtype == tl.float32
    bn.half()
    assert bn.weight.dtype == bn.running_mean.dtype == tl.float16
    assert bn.num_batches_tracked.dtype == tl.int64          # not a floating buffer
    assert bn(tl.randn(5, 4).half()).dtype == tl.float16


def test_half_of_a_float32_leaf_sends_a_float32_gradient_back():
    x = tl.tensor([0.5, -1.0, 2.0], requires_grad=True)
    (x.half() * 3).relu().sum().backward()
    assert x.grad.dtype == tl.float32 and x.grad.tolist() == [3.0, 0.0, 3.0]
