"""Deterministic transforms: Compose, ToTensor, PILToTensor, ToPILImage, Normalize, Resize, CenterCrop, Pad,
Grayscale, Lambda (torchvision's classes and arguments)."""
import numbers
from collections.abc import Sequence

from . import functional as F
from .functional import InterpolationMode

__all__ = ['Compose', 'ToTensor', 'PILToTensor', 'ToPILImage', 'Normalize', 'Resize', 'CenterCrop', 'Pad',
           'Grayscale', 'Lambda']


class Transform:
    """Base: a callable with torchvision's ``repr`` (class name and arguments)."""

    def _args(self):
        return ''

    def __repr__(self):
        return f"{self.__class__.__name__}({self._args()})"


class Compose(Transform):
    """Apply ``transforms`` one after another.

    Example::

        >>> Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])
    """

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        body = ''.join(f"\n    {t}" for t in self.transforms)
        return f"{self.__class__.__name__}({body}\n)"


class ToTensor(Transform):
    """PIL image or HWC ndarray -> CHW float tensor, uint8 scaled to [0, 1]."""

    def __call__(self, pic):
        return F.to_tensor(pic)


class PILToTensor(Transform):
    """PIL image -> CHW tensor of the same dtype (no scaling)."""

    def __call__(self, pic):
        return F.pil_to_tensor(pic)


class ToPILImage(Transform):
    """CHW tensor or HWC ndarray -> PIL image (``mode`` inferred from channels and dtype when None)."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def _args(self):
        return f"mode={self.mode}" if self.mode is not None else ''


class Normalize(Transform):
    """Per-channel ``(x - mean[c]) / std[c]`` on a float tensor image.

    Example::

        >>> Normalize((0.1307,), (0.3081,))   # MNIST's mean and std
    """

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def _args(self):
        return f"mean={self.mean}, std={self.std}"


def _check_size(size):
    if not (isinstance(size, int) or (isinstance(size, Sequence) and len(size) in (1, 2))):
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    if isinstance(size, Sequence) and len(size) not in (1, 2):
        raise ValueError("If size is a sequence, it should have 1 or 2 values")


class Resize(Transform):
    """Resize to ``size`` (h, w), or the shorter edge to ``size`` when an int (keeping the aspect ratio)."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        _check_size(size)
        self.size = size
        self.interpolation = interpolation
        self.max_size = max_size
        self.antialias = antialias

    def __call__(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def _args(self):
        mode = getattr(self.interpolation, 'value', self.interpolation)
        return f"size={self.size}, interpolation={mode}, max_size={self.max_size}, antialias={self.antialias}"


class CenterCrop(Transform):
    """The central region of ``size`` (int or (h, w)), zero-padded when the image is smaller."""

    def __init__(self, size):
        self.size = F._pair(size)

    def __call__(self, img):
        return F.center_crop(img, self.size)

    def _args(self):
        return f"size={self.size}"


class Pad(Transform):
    """Pad the borders (``padding``: int, (lr, tb) or (l, t, r, b)) with ``fill`` or by edge/reflect/symmetric."""

    def __init__(self, padding, fill=0, padding_mode='constant'):
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate fill arg")
        if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element "
                             f"tuple")
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def __call__(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def _args(self):
        return f"padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode}"


class Grayscale(Transform):
    """Convert to grey with 1 or 3 output channels."""

    def __init__(self, num_output_channels=1):
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        return F.rgb_to_grayscale(img, self.num_output_channels)

    def _args(self):
        return f"num_output_channels={self.num_output_channels}"


class Lambda(Transform):
    """Wrap a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)
