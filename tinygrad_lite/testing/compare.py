"""`assert_close(actual, expected)`: PyTorch's `torch.testing.assert_close` for our tensors.

Two tensor-likes (Tensors or NumPy arrays) are close when every element satisfies

    |actual - expected| <= atol + rtol * |expected|

with the tolerances picked from the dtype unless given (integers and bools must be equal).
Lists, tuples and dicts are compared item by item; the message names the failing item.
"""
import collections.abc
import numbers

import numpy as np

from ..tensor import Tensor

# dtype -> (rtol, atol): PyTorch's defaults. Any other dtype compares exactly.
DEFAULT_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
    np.dtype(np.complex64): (1.3e-6, 1e-5),
    np.dtype(np.complex128): (1e-7, 1e-7),
}


def default_tolerances(*dtypes):
    """(rtol, atol) for comparing values of these dtypes: the loosest of their defaults."""
    pairs = [DEFAULT_TOLERANCES.get(np.dtype(d), (0.0, 0.0)) for d in dtypes]
    return max(rtol for rtol, _ in pairs), max(atol for _, atol in pairs)


def _is_tensor_like(value):
    return isinstance(value, (Tensor, np.ndarray, np.generic))


def _as_array(value):
    return value._data if isinstance(value, Tensor) else np.asarray(value)


def _mismatch_message(kind, extra, abs_diff, abs_index, rel_diff, rel_index, rtol, atol):
    """PyTorch's wording: a header, the statistics, then the two greatest differences
    (with 'at index' for tensors and '(up to tol allowed)' unless equality was required)."""
    equality = rtol == 0 and atol == 0
    lines = [f"{kind} are not {'equal' if equality else 'close'}!", "", extra]
    for what, diff, index, tol in (("absolute", abs_diff, abs_index, atol),
                                   ("relative", rel_diff, rel_index, rtol)):
        line = (f"{what.title()} difference: {diff}" if index is None else
                f"Greatest {what} difference: {diff} at index {index}")
        lines.append(line if equality else line + f" (up to {tol} allowed)")
    return "\n".join(lines)


def _compare_arrays(actual, expected, rtol, atol, equal_nan, check_dtype):
    """None when close, else the message (shape, then dtype, then values)."""
    if actual.shape != expected.shape:
        return (f"The values for attribute 'shape' do not match: {actual.shape} != "
                f"{expected.shape}.")
    if check_dtype and actual.dtype != expected.dtype:
        return (f"The values for attribute 'dtype' do not match: {actual.dtype} != "
                f"{expected.dtype}.")
    if rtol is None:
        rtol, atol = default_tolerances(actual.dtype, expected.dtype)
    common = np.result_type(actual, expected)
    if common.kind not in "fc":               # ints and bools: differences as int64
        common = np.dtype(np.int64)
    actual, expected = actual.astype(common), expected.astype(common)
    matches = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if matches.all():
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        abs_diff = np.where(matches, 0, np.abs(actual - expected))  # only mismatches
        rel_diff = np.where(matches, 0, abs_diff / np.abs(expected))  # compete for greatest
    if actual.ndim == 0:
        return _mismatch_message("Scalars", f"Expected {expected.item()} but got "
                                 f"{actual.item()}.", abs_diff.item(), None, rel_diff.item(),
                                 None, rtol, atol)
    mismatched, total = int((~matches).sum()), matches.size
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    abs_at = np.unravel_index(np.argmax(abs_diff), abs_diff.shape)   # NaN counts as greatest
    rel_at = np.unravel_index(np.argmax(rel_diff), rel_diff.shape)
    return _mismatch_message("Tensor-likes", extra, abs_diff[abs_at].item(),
                             tuple(int(i) for i in abs_at), rel_diff[rel_at].item(),
                             tuple(int(i) for i in rel_at), rtol, atol)


def _compare_scalars(actual, expected, rtol, atol, equal_nan, check_dtype):
    """Python numbers: same rule, float64 tolerances for floats, exact for ints."""
    if isinstance(actual, bool) and isinstance(expected, bool):
        return None if actual == expected else f"Booleans mismatch: {actual} is not {expected}"
    if check_dtype and type(actual) is not type(expected):
        return f"The (d)types do not match: {type(actual)} != {type(expected)}."
    return _compare_arrays(np.asarray(actual), np.asarray(expected), rtol, atol, equal_nan,
                           check_dtype=False)


def _first_failure(actual, expected, where, options):
    """(message, path of the failing item) for the first pair that is not close, or None."""
    if _is_tensor_like(actual) and _is_tensor_like(expected):
        message = _compare_arrays(_as_array(actual), _as_array(expected), **options)
        return None if message is None else (message, where)
    if isinstance(actual, numbers.Number) and isinstance(expected, numbers.Number):
        message = _compare_scalars(actual, expected, **options)
        return None if message is None else (message, where)
    sequence = (list, tuple)
    if isinstance(actual, sequence) and isinstance(expected, sequence):
        if len(actual) != len(expected):
            return (f"The length of the sequences mismatch: {len(actual)} != "
                    f"{len(expected)}", where)
        for i, (a, e) in enumerate(zip(actual, expected)):
            failure = _first_failure(a, e, where + f"[{i}]", options)
            if failure:
                return failure
        return None
    if (isinstance(actual, collections.abc.Mapping)
            and isinstance(expected, collections.abc.Mapping)):
        if set(actual) != set(expected):
            missing = sorted(set(expected) - set(actual), key=repr)
            extra = sorted(set(actual) - set(expected), key=repr)
            return ("The keys of the mappings do not match:\n"
                    f"Missing keys in the actual mapping: {missing}\n"
                    f"Additional keys in the actual mapping: {extra}", where)
        for key in expected:
            failure = _first_failure(actual[key], expected[key], where + f"[{key!r}]", options)
            if failure:
                return failure
        return None
    raise TypeError(f"assert_close: cannot compare {type(actual).__name__} with "
                    f"{type(expected).__name__}{' at item ' + where if where else ''}; "
                    "valid: two Tensors or NumPy arrays, two numbers, or lists/tuples/dicts "
                    "of these (wrap a number compared with a Tensor in tl.tensor(...))")


def assert_close(actual, expected, *, rtol=None, atol=None, equal_nan=False,
                 check_dtype=True, msg=None):
    """Raise AssertionError unless `actual` and `expected` have the same shape and dtype and
    |actual - expected| <= atol + rtol * |expected| holds everywhere.

    Default tolerances by dtype (PyTorch's): float32 rtol 1.3e-6 / atol 1e-5, float64 1e-7 /
    1e-7, float16 1e-3 / 1e-5; integers and bools must be equal. Give both rtol and atol or
    neither. NaNs are equal only with equal_nan=True. check_dtype=False compares a float32
    with a float64 (with the looser tolerances). `msg` replaces the message (a string), or
    edits it (a callable receiving the message)."""
    if (rtol is None) != (atol is None):
        raise ValueError("assert_close: give both 'rtol' and 'atol' or neither, but got "
                         f"{'no atol' if atol is None else 'no rtol'}")
    options = dict(rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=check_dtype)
    failure = _first_failure(actual, expected, "", options)
    if failure is None:
        return
    message, where = failure
    if where:
        message += f"\n\nThe failure occurred for item {where}"
    if callable(msg):
        message = msg(message)
    elif msg is not None:
        message = msg
    raise AssertionError(message)
