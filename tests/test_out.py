"""`out=` on tl.add, sub, mul, div, matmul, mm, bmm, cat, stack (and add/sub's `alpha=`),
checked against PyTorch: values, in-place write, resizing, dtype casting rules, autograd."""
import warnings

import numpy as np
import pytest

import tinygrad_lite as tl

torch = pytest.importorskip("torch")

A = np.arange(6, dtype=np.float32).reshape(2, 3) + 1
B = np.full((2, 3), 2.0, dtype=np.float32)
SQUARE = np.arange(4, dtype=np.float32).reshape(2, 2)
CALLS = {  # name -> (args for our function, args for torch's), from arrays
    "add": lambda lib, t: (t(A), t(B)),
    "sub": lambda lib, t: (t(A), t(B)),
    "mul": lambda lib, t: (t(A), t(B)),
    "div": lambda lib, t: (t(A), t(B)),
    "matmul": lambda lib, t: (t(A), t(A.T)),
    "mm": lambda lib, t: (t(SQUARE), t(SQUARE)),
    "bmm": lambda lib, t: (t(np.stack([SQUARE] * 3)), t(np.stack([SQUARE.T] * 3))),
    "cat": lambda lib, t: ([t(A), t(B)],),
    "stack": lambda lib, t: ([t(A), t(B)],),
}


def run(name, out_shape, dtype="float32"):
    """Our call and torch's, each writing into a fresh zeros `out` of out_shape."""
    results = []
    for lib, make in ((tl, tl.tensor), (torch, torch.tensor)):
        out = lib.zeros(out_shape, dtype=getattr(lib, dtype))
        returned = getattr(lib, name)(*CALLS[name](lib, make), out=out)
        assert returned is out
        results.append(out)
    return results


@pytest.mark.parametrize("name", sorted(CALLS))
def test_out_is_written_in_place_like_torch(name):
    expected_shape = getattr(torch, name)(*CALLS[name](torch, torch.tensor)).shape
    ours, theirs = run(name, tuple(expected_shape))
    before = ours.numpy()
    assert ours._version == 1
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    assert ours.numpy() is before                  # the same array, written into


@pytest.mark.parametrize("name", sorted(CALLS))
def test_wrong_shape_is_resized_with_torchs_warning(name):
    with pytest.warns(UserWarning, match="resized since it had shape"):
        ours, theirs = run(name, (7,))
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_empty_out_is_resized_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = tl.add(tl.ones(2, 3), 1, out=tl.empty(0))
    assert out.shape == (2, 3) and out.tolist() == [[2.0] * 3] * 2


@pytest.mark.parametrize("name", ["add", "sub"])
@pytest.mark.parametrize("alpha", [3, -0.5])
def test_alpha_matches_torch(name, alpha):
    a, b = tl.tensor(A), tl.tensor(B)
    expected = getattr(torch, name)(torch.tensor(A), torch.tensor(B), alpha=alpha)
    np.testing.assert_allclose(getattr(tl, name)(a, b, alpha=alpha).numpy(), expected.numpy())
    np.testing.assert_allclose(getattr(a, name)(b, alpha=alpha).numpy(), expected.numpy())
    out = tl.zeros(2, 3)
    getattr(tl, name)(a, b, alpha=alpha, out=out)
    np.testing.assert_allclose(out.numpy(), expected.numpy())


def test_alpha_is_differentiable():
    a, b = tl.tensor(A, requires_grad=True), tl.tensor(B, requires_grad=True)
    tl.add(a, b, alpha=3).sum().backward()
    assert b.grad.tolist() == [[3.0] * 3] * 2 and a.grad.tolist() == [[1.0] * 3] * 2


def test_float_alpha_on_integers_is_refused_like_torch():
    with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
        torch.add(torch.ones(2, dtype=torch.long), torch.ones(2, dtype=torch.long), alpha=1.5)
    with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
        tl.add(tl.ones(2, dtype=tl.long), tl.ones(2, dtype=tl.long), alpha=1.5)


@pytest.mark.parametrize("result, out_dtype", [("float32", "int64"), ("int64", "bool"),
                                               ("float64", "int32"), ("float16", "uint8")])
def test_result_that_out_cannot_hold_is_refused_like_torch(result, out_dtype):
    messages = []
    for lib in (torch, tl):
        x = lib.ones(2, dtype=getattr(lib, result))
        with pytest.raises(RuntimeError) as error:
            lib.add(x, x, out=lib.zeros(2, dtype=getattr(lib, out_dtype)))
        messages.append(str(error.value))
    assert messages[1].endswith(messages[0])        # ours names the op first


@pytest.mark.parametrize("result, out_dtype", [("int64", "float32"), ("int64", "int32"),
                                               ("float64", "float16"), ("bool", "uint8")])
def test_casts_torch_allows(result, out_dtype):
    values = [True, False] if result == "bool" else [3, 4]
    ours = tl.mul(tl.tensor(values, dtype=getattr(tl, result)), 1,
                  out=tl.zeros(2, dtype=getattr(tl, out_dtype)))
    theirs = torch.mul(torch.tensor(values, dtype=getattr(torch, result)), 1,
                       out=torch.zeros(2, dtype=getattr(torch, out_dtype)))
    assert ours.dtype == getattr(tl, out_dtype)
    assert ours.tolist() == theirs.tolist()


def test_autograd_is_refused_like_torch():
    expected = "functions with out=... arguments don't support automatic differentiation"
    with pytest.raises(RuntimeError, match=expected):
        tl.add(tl.ones(2), tl.ones(2), out=tl.zeros(2, requires_grad=True))
    with pytest.raises(RuntimeError, match=expected):
        tl.matmul(tl.ones(2, 2, requires_grad=True), tl.ones(2, 2), out=tl.zeros(2, 2))
    with pytest.raises(RuntimeError, match=expected):
        torch.add(torch.ones(2), torch.ones(2), out=torch.zeros(2, requires_grad=True))


def test_out_that_requires_grad_is_fine_under_no_grad():
    out = tl.zeros(2, requires_grad=True)
    with tl.no_grad():
        tl.add(tl.ones(2), 1, out=out)
    assert out.tolist() == [2.0, 2.0] and out.requires_grad


def test_out_may_alias_an_input():
    a = tl.tensor([1.0, 2.0])
    assert tl.mul(a, a, out=a) is a and a.tolist() == [1.0, 4.0]


def test_out_must_be_a_tensor():
    with pytest.raises(TypeError, match="argument 'out' must be Tensor, not ndarray"):
        tl.add(tl.ones(2), 1, out=np.zeros(2))


def test_a_saved_out_is_caught_by_the_version_counter():
    w = tl.ones(2, requires_grad=True)
    x = tl.tensor([1.0, 2.0])
    y = (w * x).sum()
    tl.add(x, 1, out=x)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()
