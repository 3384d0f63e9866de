"""Resizing images and signals, as torch.nn.functional.interpolate (re-exported by
nn.functional): modes 'nearest' (3-D or 4-D input), 'linear' (3-D: (N, C, L)) and 'bilinear'
(4-D: (N, C, H, W)), to a given `size` or by a `scale_factor`.

Each output position along a resized dim reads from a source position in the input:
    scale = in / out, or 1 / scale_factor when a scale_factor is given
    nearest:                  src = min(floor(dst * scale), in - 1)
    linear, align_corners=False: src = max((dst + 0.5) * scale - 0.5, 0)   (pixel centres)
    linear, align_corners=True:  src = dst * (in - 1) / (out - 1)          (corner pixels)
and a linear mode mixes the two neighbours: out = (1 - t) x[floor(src)] + t x[floor(src) + 1],
t = src - floor(src). Bilinear is linear along H, then along W. The resize is built from
gathers (x[..., index]) and products, so the gradient (a scatter-add back to the source
positions) and higher derivatives come from those ops.
"""
import math
import numbers

import numpy as np

from tinygrad_lite.errors import ShapeError
from tinygrad_lite.tensor import Tensor

from ._checks import check_float

MODES = {"nearest": (3, 4), "linear": (3,), "bilinear": (4,)}


def _output_sizes(x, size, scale_factor, recompute_scale_factor, caller):
    """(out sizes, scales): the output size of each resized dim, and the scale that maps an
    output position back to the input (in / out, or 1 / scale_factor)."""
    dims, spatial = x.ndim - 2, x.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{caller}: give exactly one of size and scale_factor, got "
                         f"size={size!r}, scale_factor={scale_factor!r}")
    if size is not None:
        sizes = (size,) * dims if isinstance(size, numbers.Integral) else tuple(size)
        if len(sizes) != dims or any(not isinstance(s, numbers.Integral) or s < 1
                                     for s in sizes):
            raise ValueError(f"{caller}: size must be an int >= 1 or {dims} of them for an "
                             f"input of shape {x.shape} ({dims} resized dims), got {size!r}")
        return tuple(int(s) for s in sizes), tuple(i / o for i, o in zip(spatial, sizes))
    factors = ((scale_factor,) * dims if isinstance(scale_factor, numbers.Real)
               else tuple(scale_factor))
    if len(factors) != dims or any(not isinstance(f, numbers.Real) or f <= 0 for f in factors):
        raise ValueError(f"{caller}: scale_factor must be a positive number or {dims} of them "
                         f"for an input of shape {x.shape}, got {scale_factor!r}")
    sizes = tuple(int(math.floor(i * float(f))) for i, f in zip(spatial, factors))
    if min(sizes) < 1:
        raise ValueError(f"{caller}: scale_factor {scale_factor!r} shrinks the input of shape "
                         f"{x.shape} to nothing (output size {sizes})")
    if recompute_scale_factor:
        return sizes, tuple(i / o for i, o in zip(spatial, sizes))
    return sizes, tuple(1 / float(f) for f in factors)


def _nearest_index(in_size, out_size, scale):
    """min(floor(dst * scale), in - 1), computed in float32 as PyTorch does"""
    src = np.floor(np.arange(out_size, dtype=np.float32) * np.float32(scale))
    return np.minimum(src.astype(np.int64), in_size - 1)


def _linear_taps(in_size, out_size, scale, align_corners):
    """(i0, i1, t): each output reads (1 - t) x[i0] + t x[i1]"""
    dst = np.arange(out_size, dtype=np.float64)
    if align_corners:
        src = dst * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    else:
        src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    i1 = np.minimum(i0 + 1, in_size - 1)
    return i0, i1, src - i0


def _gather(x, axis, index):
    """x with `index` taken along `axis` (a differentiable gather)"""
    return x[(slice(None),) * axis + (index,)]


def _linear_along(x, axis, i0, i1, t):
    """(1 - t) x[i0] + t x[i1] along `axis`"""
    shape = (-1,) + (1,) * (x.ndim - axis - 1)
    t = Tensor(t.reshape(shape), dtype=x.dtype)
    return _gather(x, axis, i0) * (1 - t) + _gather(x, axis, i1) * t


def interpolate_(input, size, scale_factor, mode, align_corners, recompute_scale_factor,
                 caller):
    """interpolate with the name `caller` in its errors (nn.Upsample passes its repr)."""
    check_float(input, caller)
    if mode not in MODES:
        raise ValueError(f"{caller}: mode must be one of {tuple(MODES)}, got {mode!r}")
    if input.ndim not in MODES[mode]:
        ranks = " or ".join(f"{r}-D" for r in MODES[mode])
        raise ShapeError(f"{caller}: mode {mode!r} needs a {ranks} input ((N, C, L) is 3-D, "
                         f"(N, C, H, W) is 4-D), got shape {input.shape}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError(f"{caller}: align_corners can only be set with the modes 'linear' "
                         "and 'bilinear'")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor, caller)
    spatial = input.shape[2:]
    if mode == "nearest":
        index = [_nearest_index(i, o, s) for i, o, s in zip(spatial, sizes, scales)]
        if len(index) == 2:                          # one gather: rows x columns
            index = [index[0][:, None], index[1][None, :]]
        return input[(slice(None), slice(None)) + tuple(index)]
    out = input
    for d, (i, o, s) in enumerate(zip(spatial, sizes, scales)):
        out = _linear_along(out, 2 + d, *_linear_taps(i, o, s, bool(align_corners)))
    return out


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None):
    """Resize the last dims of `input` to `size` or by `scale_factor` (see the module
    docstring for the formulas): mode 'nearest' (3-D or 4-D input), 'linear' (3-D) or
    'bilinear' (4-D); align_corners (linear modes) maps the corner pixels onto each other."""
    return interpolate_(input, size, scale_factor, mode, align_corners,
                        recompute_scale_factor, "interpolate")
