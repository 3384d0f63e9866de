"""Convolution as functions (re-exported by nn.functional), with PyTorch's signatures:
conv1d, conv2d, conv_transpose2d, unfold and fold. They check shapes and arguments, then
call the registered ops in tinygrad_lite/ops (conv.py, unfold.py). conv1d is conv2d of a
height-1 image; conv_transpose2d is conv2d's input gradient (the adjoint of conv2d in x).

The layers in conv.py share the helpers here: `conv_padding` resolves padding='same' or
'valid' and ints into (before, after) pairs, and `pad_input` pads with the padding modes.
Each function has a twin ending in `_` that takes the name to put in its errors (a layer
passes its repr).
"""
import numbers

import numpy as np

from tinygrad_lite.errors import ShapeError
from tinygrad_lite.ops import conv as conv_ops
from tinygrad_lite.ops import unfold as unfold_ops

from ._checks import as_tuple, batched, check_float, same_dtype

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_NUMPY_PAD_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def conv_padding(padding, kernel_size, stride, dilation, caller):
    """((before, after), ...) per spatial dim from an int, a tuple, 'valid' (no padding) or
    'same' (output size = input size; stride 1 only): 'same' pads d(k - 1) in all, half of
    it before and the rest (one more when odd) after, as PyTorch does."""
    dims = len(kernel_size)
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"{caller}: invalid padding string {padding!r}; use 'same', "
                             "'valid', an int or a tuple of ints")
        if padding == "valid":
            return ((0, 0),) * dims
        if any(s != 1 for s in stride):
            raise ValueError(f"{caller}: padding='same' needs stride 1 (got stride {stride}); "
                             "use an int padding with a strided convolution")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel_size)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in as_tuple(padding, "padding", caller, 0, dims))


def pad_input(x, pads, mode, caller):
    """x padded on its last len(pads) dims by pads ((before, after), ...): with zeros, by
    mirroring without repeating the edge ('reflect'), by repeating the edge ('replicate')
    or by wrapping around ('circular'). The non-zero modes are a gather of x (an index per
    padded position), so the gradient flows back to the positions copied."""
    if all(p == (0, 0) for p in pads):
        return x
    if mode == "zeros":
        return x.pad(tuple(v for p in reversed(pads) for v in p))
    index = []
    for d, (before, after) in enumerate(pads):
        size = x.shape[x.ndim - len(pads) + d]
        limit = size - 1 if mode == "reflect" else size if mode == "circular" else None
        if limit is not None and max(before, after) > limit:
            raise ShapeError(f"{caller}: padding {before, after} is too large for "
                             f"padding_mode={mode!r} on a dim of size {size} (input shape "
                             f"{x.shape}); it must be at most {limit}")
        positions = np.pad(np.arange(size), (before, after), mode=_NUMPY_PAD_MODE[mode])
        index.append(positions.reshape((-1,) + (1,) * (len(pads) - 1 - d)))
    return x[(slice(None),) * (x.ndim - len(pads)) + tuple(index)]


def _check_weight(x, weight, bias, groups, caller, transposed=False):
    """weight (out, in/groups, *kernel) for conv, (in, out/groups, *kernel) transposed"""
    channels = x.shape[1]
    if (not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1
            or channels % groups):
        raise ShapeError(f"{caller}: groups={groups!r} must be a positive int that divides "
                         f"the {channels} input channels (input shape {x.shape})")
    expected = ("(in_channels, out_channels/groups, *kernel) with in_channels = "
                f"{channels}" if transposed else
                f"(out_channels, in_channels/groups = {channels // groups}, *kernel)")
    fits = (weight.ndim == x.ndim and
            (weight.shape[0] == channels if transposed
             else weight.shape[1] * groups == channels and weight.shape[0] % groups == 0))
    if not fits:
        raise ShapeError(f"{caller}: weight of shape {weight.shape} does not fit input of "
                         f"shape {x.shape} with groups={groups}: expected {expected}"
                         + ("" if transposed else ", out_channels divisible by groups"))
    out_channels = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias is not None and bias.shape != (out_channels,):
        raise ShapeError(f"{caller}: bias has shape {bias.shape}, expected ({out_channels},) "
                         f"for weight of shape {weight.shape}")


def _check_fits(x, kernel_size, padding, dilation, caller):
    span = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel_size))
    padded = tuple(x.shape[2 + d] + 2 * padding[d] for d in range(2))
    if padded[0] < span[0] or padded[1] < span[1]:
        raise ShapeError(f"{caller}: the kernel (spanning {span} with dilation {dilation}) "
                         f"is bigger than the padded input {padded} (input shape {x.shape}); "
                         "use a smaller kernel or more padding")


def conv2d_(input, weight, bias, stride, padding, dilation, groups, caller,
            padding_mode="zeros"):
    """conv2d with the name `caller` in its errors and a padding mode (for the layers)."""
    x, added = batched(input, 2, caller)
    _check_weight(x, weight, bias, groups, caller)
    stride = as_tuple(stride, "stride", caller, 1, 2)
    dilation = as_tuple(dilation, "dilation", caller, 1, 2)
    pads = conv_padding(padding, weight.shape[2:], stride, dilation, caller)
    # symmetric zero padding goes to the kernel; the rest is padded here first
    inner = tuple(min(p) if padding_mode == "zeros" else 0 for p in pads)
    x = pad_input(x, tuple((b - i, a - i) for (b, a), i in zip(pads, inner)), padding_mode,
                  caller)
    _check_fits(x, weight.shape[2:], inner, dilation, caller)
    tensors = same_dtype([t for t in (x, weight, bias) if t is not None], caller)
    out = conv_ops.Conv2d.apply(*tensors, stride=stride, padding=inner, dilation=dilation,
                                groups=int(groups))
    return out.squeeze(0) if added else out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """out[n, o, y, x] = b[o] + sum_{c,i,j} W[o, c, i, j] x_pad[n, g*Cg + c, y*sh + i*dh,
    x*sw + j*dw] (cross-correlation, as torch.nn.functional.conv2d), g = o // (O / groups);
    W is (out, in/groups, KH, KW); padding: ints, 'valid' or 'same'."""
    return conv2d_(input, weight, bias, stride, padding, dilation, groups, "conv2d")


def conv1d_(input, weight, bias, stride, padding, dilation, groups, caller,
            padding_mode="zeros"):
    """conv1d with the name `caller` in its errors: conv2d of a height-1 image."""
    x, added = batched(input, 1, caller)
    if weight.ndim != 3:
        raise ShapeError(f"{caller}: weight must be 3-D (out_channels, in_channels/groups, "
                         f"kernel_size), got shape {weight.shape}")
    stride = (1,) + as_tuple(stride, "stride", caller, 1, 1)
    dilation = (1,) + as_tuple(dilation, "dilation", caller, 1, 1)
    if not isinstance(padding, str):
        padding = (0,) + as_tuple(padding, "padding", caller, 0, 1)
    out = conv2d_(x.unsqueeze(2), weight.unsqueeze(2), bias, stride, padding, dilation,
                  groups, caller, padding_mode).squeeze(2)
    return out.squeeze(0) if added else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """out[n, o, t] = b[o] + sum_{c,i} W[o, c, i] x_pad[n, g*Cg + c, t*s + i*d] over
    (N, C, L) or (C, L) input; W is (out, in/groups, K)."""
    return conv1d_(input, weight, bias, stride, padding, dilation, groups, "conv1d")


def transposed_output_padding(input_hw, output_size, kernel_size, stride, padding, dilation,
                              caller):
    """output_padding that makes conv_transpose2d's output output_size (PyTorch's rule:
    between the smallest size (H - 1) s - 2p + d (k - 1) + 1 and that plus s - 1)"""
    output_size = tuple(output_size)[-2:]
    smallest = tuple((input_hw[d] - 1) * stride[d] - 2 * padding[d]
                     + dilation[d] * (kernel_size[d] - 1) + 1 for d in range(2))
    largest = tuple(smallest[d] + stride[d] - 1 for d in range(2))
    if len(output_size) != 2 or any(not smallest[d] <= output_size[d] <= largest[d]
                                    for d in range(2)):
        raise ValueError(f"{caller}: requested an output size of {output_size}, but valid "
                         f"sizes range from {smallest} to {largest} (for an input of "
                         f"{tuple(input_hw)})")
    return tuple(output_size[d] - smallest[d] for d in range(2))


def conv_transpose2d_(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      caller):
    """conv_transpose2d with the name `caller` in its errors (a layer passes its repr)."""
    x, added = batched(input, 2, caller)
    _check_weight(x, weight, bias, groups, caller, transposed=True)
    stride = as_tuple(stride, "stride", caller, 1, 2)
    padding = as_tuple(padding, "padding", caller, 0, 2)
    dilation = as_tuple(dilation, "dilation", caller, 1, 2)
    output_padding = as_tuple(output_padding, "output_padding", caller, 0, 2)
    if any(op >= s for op, s in zip(output_padding, stride)):
        raise ValueError(f"{caller}: output_padding {output_padding} must be smaller than "
                         f"the stride {stride}")
    size = tuple((x.shape[2 + d] - 1) * stride[d] - 2 * padding[d]
                 + dilation[d] * (weight.shape[2 + d] - 1) + output_padding[d] + 1
                 for d in range(2))
    if min(size) < 1:
        raise ShapeError(f"{caller}: the output size {size} for input shape {x.shape} is "
                         "not positive; use less padding")
    same_dtype([t for t in (x, weight, bias) if t is not None], caller)
    out = conv_ops.Conv2dInputGrad.apply(
        x, weight, input_shape=(x.shape[0], weight.shape[1] * groups) + size, stride=stride,
        padding=padding, dilation=dilation, groups=int(groups))
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out.squeeze(0) if added else out


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """The adjoint of conv2d in its input ("deconvolution"): every input pixel adds W times
    itself to a KH x KW patch of the output, patches placed `stride` apart:
    out[n, g*Og + o, y*sh + i*dh - ph, x*sw + j*dw - pw] += W[g*Cg + c, o, i, j] x[n,
    g*Cg + c, y, x], plus b. W is (in, out/groups, KH, KW); the output is
    (H - 1) s - 2p + d (k - 1) + output_padding + 1 high (and likewise wide)."""
    return conv_transpose2d_(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, "conv_transpose2d")


def _window_args(kernel_size, dilation, padding, stride, caller):
    return dict(kernel_size=as_tuple(kernel_size, "kernel_size", caller, 1, 2),
                dilation=as_tuple(dilation, "dilation", caller, 1, 2),
                padding=as_tuple(padding, "padding", caller, 0, 2),
                stride=as_tuple(stride, "stride", caller, 1, 2))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding windows as columns: (N, C, H, W) -> (N, C*KH*KW, L), out[n, (c, i, j), l] =
    x_pad[n, c, y*sh + i*dh, x*sw + j*dw] for the L = OH*OW window positions (y, x)."""
    x, added = batched(input, 2, "unfold")
    window = _window_args(kernel_size, dilation, padding, stride, "unfold")
    _check_fits(x, window["kernel_size"], window["padding"], window["dilation"], "unfold")
    out = unfold_ops.Unfold.apply(x, **window)
    return out.squeeze(0) if added else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of unfold: columns (N, C*KH*KW, L) summed back into an (N, C, H, W)
    image of output_size, overlapping windows adding up."""
    check_float(input, "fold")
    if input.ndim not in (2, 3):
        raise ShapeError(f"fold: expected a 3-D input (N, C*KH*KW, L) or a 2-D one, got "
                         f"shape {input.shape}")
    g = input.unsqueeze(0) if input.ndim == 2 else input
    window = _window_args(kernel_size, dilation, padding, stride, "fold")
    output_size = as_tuple(output_size, "output_size", "fold", 1, 2)
    kh, kw = window["kernel_size"]
    blocks = tuple((output_size[d] + 2 * window["padding"][d]
                    - window["dilation"][d] * (window["kernel_size"][d] - 1) - 1)
                   // window["stride"][d] + 1 for d in range(2))
    if g.shape[1] % (kh * kw) or g.shape[2] != blocks[0] * blocks[1] or min(blocks) < 1:
        raise ShapeError(f"fold: input of shape {input.shape} does not fit output_size "
                         f"{output_size} with kernel_size {(kh, kw)}: expected dim 1 "
                         f"divisible by {kh * kw} and {max(blocks[0], 0) * max(blocks[1], 0)} "
                         "windows in the last dim")
    out = unfold_ops.Fold.apply(g, output_size=output_size, **window)
    return out.squeeze(0) if input.ndim == 2 else out
