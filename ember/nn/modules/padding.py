"""Padding and resampling layers: ZeroPad/ConstantPad/ReflectionPad/ReplicationPad/CircularPad (1-3d),
Upsample, PixelShuffle, Fold/Unfold (functional forms in ``F.pad``, ``F.interpolate``...)."""
from .. import functional as F
from ..module import Module

__all__ = ['ZeroPad1d', 'ZeroPad2d', 'ZeroPad3d', 'ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d',
           'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d', 'ReplicationPad2d',
           'ReplicationPad3d', 'CircularPad1d', 'CircularPad2d', 'CircularPad3d', 'Upsample', 'UpsamplingNearest2d',
           'UpsamplingBilinear2d', 'PixelShuffle', 'PixelUnshuffle', 'ChannelShuffle', 'Fold', 'Unfold']


class _PadNd(Module):
    """Pad the last ``_dims`` dims by ``padding``: an int (all sides) or (left, right, top, bottom, front, back)."""
    _dims = 1
    _mode = 'constant'

    def __init__(self, padding):
        super().__init__()
        n = 2 * self._dims
        self.padding = (padding,) * n if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != n:
            raise ValueError(f"expected padding of length {n}, but got {len(self.padding)}")

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, 'constant', self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with a constant ``value``."""
    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with a constant ``value``."""
    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims with a constant ``value``."""
    _dims = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim with zeros."""
    _dims = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last two dims with zeros, e.g. ``ZeroPad2d((1, 1, 2, 0))`` (left, right, top, bottom)."""
    _dims = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last three dims with zeros."""
    _dims = 3


def _padding_class(name, dims, mode, doc):
    return type(name, (_PadNd,), {'_dims': dims, '_mode': mode, '__doc__': doc, '__module__': __name__})


ReflectionPad1d = _padding_class('ReflectionPad1d', 1, 'reflect', "Pad the last dim with its mirror image.")
ReflectionPad2d = _padding_class('ReflectionPad2d', 2, 'reflect', "Pad the last two dims with their mirror image.")
ReflectionPad3d = _padding_class('ReflectionPad3d', 3, 'reflect', "Pad the last three dims with their mirror image.")
ReplicationPad1d = _padding_class('ReplicationPad1d', 1, 'replicate', "Pad the last dim by repeating its edge.")
ReplicationPad2d = _padding_class('ReplicationPad2d', 2, 'replicate', "Pad the last two dims by repeating edges.")
ReplicationPad3d = _padding_class('ReplicationPad3d', 3, 'replicate', "Pad the last three dims by repeating edges.")
CircularPad1d = _padding_class('CircularPad1d', 1, 'circular', "Pad the last dim by wrapping around.")
CircularPad2d = _padding_class('CircularPad2d', 2, 'circular', "Pad the last two dims by wrapping around.")
CircularPad3d = _padding_class('CircularPad3d', 3, 'circular', "Pad the last three dims by wrapping around.")


class Upsample(Module):
    """Resize (N, C, *spatial) to ``size`` or by ``scale_factor`` with ``F.interpolate``'s modes."""

    def __init__(self, size=None, scale_factor=None, mode='nearest', align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners, self.recompute_scale_factor = mode, align_corners, recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(mode='nearest')`` for (N, C, H, W)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode='nearest')


class UpsamplingBilinear2d(Upsample):
    """``Upsample(mode='bilinear', align_corners=True)`` for (N, C, H, W)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode='bilinear', align_corners=True)


class PixelShuffle(Module):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Reorder (N, g * k, *) channels as (k, g), as in ShuffleNet."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"


class Fold(Module):
    """Sum sliding blocks (N, C * prod(kernel_size), L) back into (N, C, *output_size)."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    """Extract sliding blocks: (N, C, H, W) -> (N, C * prod(kernel_size), L)."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")
