"""Upsampling layers: nn.Upsample and its two fixed-mode forms, as in PyTorch. They call
interpolate (functional_interpolate.py) with their settings."""
from .functional_interpolate import interpolate_
from .module import Module


class Upsample(Module):
    """Resize to `size` or by `scale_factor` with mode 'nearest', 'linear' (3-D input) or
    'bilinear' (4-D input); align_corners=True maps corner pixels onto corner pixels."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size, self.mode = size, mode
        self.scale_factor = (None if scale_factor is None else
                             tuple(float(f) for f in scale_factor)
                             if isinstance(scale_factor, (tuple, list)) else float(scale_factor))
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x):
        return interpolate_(x, self.size, self.scale_factor, self.mode, self.align_corners,
                            self.recompute_scale_factor, repr(self))

    def extra_repr(self):
        what = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return f"{what}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Upsample(size, scale_factor, mode='nearest') for 4-D input"""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample(size, scale_factor, mode='bilinear', align_corners=True)"""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
