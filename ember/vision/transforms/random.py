"""Random transforms: RandomCrop, RandomResizedCrop, flips, RandomRotation, ColorJitter, RandomApply, RandomChoice.

Every draw comes from ember's global generator, which each DataLoader worker
seeds with ``base_seed + worker_id``: augmentations differ between workers
and repeat exactly when the loader's generator is seeded.
"""
import math
import numbers
from collections.abc import Sequence

import ember
from . import functional as F
from .functional import InterpolationMode
from .transforms import Transform

__all__ = ['RandomCrop', 'RandomResizedCrop', 'RandomHorizontalFlip', 'RandomVerticalFlip', 'RandomRotation',
           'ColorJitter', 'RandomApply', 'RandomChoice']


def _uniform(low, high):
    """One float uniform in [low, high), as torch's ``empty(1).uniform_(low, high)``."""
    return low + (high - low) * ember.rand(1, dtype=ember.float64).item()


def _randint(low, high):
    return int(ember.randint(low, high, (1,)).item())


class RandomCrop(Transform):
    """A random ``size`` region, after optional ``padding`` (and padding up to ``size`` with ``pad_if_needed``)."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant'):
        self.size = F._pair(size)
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(img, output_size):
        """(top, left, height, width) of a random crop of ``output_size``."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        return _randint(0, h - th + 1), _randint(0, w - tw + 1), th, tw

    def __call__(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def _args(self):
        return f"size={self.size}, padding={self.padding}"


class RandomResizedCrop(Transform):
    """A crop of random area fraction (``scale``) and aspect ratio (``ratio``), resized to ``size``."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        self.size = F._pair(size)
        if not isinstance(scale, Sequence) or not isinstance(ratio, Sequence):
            raise TypeError("Scale and ratio should be sequences")
        self.scale = scale
        self.ratio = ratio
        self.interpolation = interpolation
        self.antialias = antialias

    @staticmethod
    def get_params(img, scale, ratio):
        """(top, left, height, width): up to 10 tries at a random crop, else the central crop (torchvision's)."""
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = math.exp(_uniform(log_ratio[0], log_ratio[1]))
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation, antialias=self.antialias)

    def _args(self):
        return f"size={self.size}, scale={tuple(self.scale)}, ratio={tuple(self.ratio)}"


class RandomHorizontalFlip(Transform):
    """Mirror left-right with probability ``p``."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        return F.hflip(img) if ember.rand(1).item() < self.p else img

    def _args(self):
        return f"p={self.p}"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top-bottom with probability ``p``."""

    def __call__(self, img):
        return F.vflip(img) if ember.rand(1).item() < self.p else img


def _degrees(degrees):
    if isinstance(degrees, numbers.Number):
        if degrees < 0:
            raise ValueError("If degrees is a single number, it must be positive.")
        return [-float(degrees), float(degrees)]
    if not isinstance(degrees, Sequence) or len(degrees) != 2:
        raise ValueError("If degrees is a sequence, it must be of len 2.")
    return [float(d) for d in degrees]


class RandomRotation(Transform):
    """Rotate by an angle uniform in ``degrees`` ((-d, d) for a number), filling the corners with ``fill``."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=0):
        self.degrees = _degrees(degrees)
        self.interpolation = interpolation
        self.expand = expand
        self.center = center
        self.fill = fill

    @staticmethod
    def get_params(degrees):
        """A random angle in [degrees[0], degrees[1])."""
        return float(_uniform(float(degrees[0]), float(degrees[1])))

    def __call__(self, img):
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, self.fill)

    def _args(self):
        return f"degrees={self.degrees}, expand={self.expand}, fill={self.fill}"


def _jitter_range(value, name, center=1.0, bound=(0, float('inf')), clip_first_on_zero=True):
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be non negative.")
        value = [center - float(value), center + float(value)]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        value = [float(value[0]), float(value[1])]
    else:
        raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
    if not bound[0] <= value[0] <= value[1] <= bound[1]:
        raise ValueError(f"{name} values should be between {bound}, but got {value}.")
    return None if value[0] == value[1] == center else tuple(value)


class ColorJitter(Transform):
    """Random brightness, contrast, saturation and hue changes, applied in a random order.

    Each of brightness/contrast/saturation is a number ``x`` (factor uniform in [max(0, 1 - x), 1 + x]) or a
    (min, max) range; ``hue`` is a number in [0, 0.5] (shift in [-hue, hue]) or a range within [-0.5, 0.5].
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        self.brightness = _jitter_range(brightness, 'brightness')
        self.contrast = _jitter_range(contrast, 'contrast')
        self.saturation = _jitter_range(saturation, 'saturation')
        self.hue = _jitter_range(hue, 'hue', center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """(order of the four adjustments, and each factor or None), drawn as torchvision does."""
        fn_idx = ember.randperm(4).tolist()
        b = None if brightness is None else _uniform(brightness[0], brightness[1])
        c = None if contrast is None else _uniform(contrast[0], contrast[1])
        s = None if saturation is None else _uniform(saturation[0], saturation[1])
        h = None if hue is None else _uniform(hue[0], hue[1])
        return fn_idx, b, c, s, h

    def __call__(self, img):
        fn_idx, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        adjust = {0: (F.adjust_brightness, b), 1: (F.adjust_contrast, c), 2: (F.adjust_saturation, s),
                  3: (F.adjust_hue, h)}
        for fn_id in fn_idx:
            fn, factor = adjust[fn_id]
            if factor is not None:
                img = fn(img, factor)
        return img

    def _args(self):
        return (f"brightness={self.brightness}, contrast={self.contrast}, saturation={self.saturation}, "
                f"hue={self.hue}")


class RandomApply(Transform):
    """Apply all of ``transforms`` with probability ``p``, else none."""

    def __init__(self, transforms, p=0.5):
        self.transforms = transforms
        self.p = p

    def __call__(self, img):
        if self.p < ember.rand(1).item():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def _args(self):
        return f"p={self.p}, transforms={self.transforms}"


class RandomChoice(Transform):
    """Apply one of ``transforms``, picked with probabilities ``p`` (uniform when None)."""

    def __init__(self, transforms, p=None):
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence")
        if p is not None and len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}")
        self.transforms = transforms
        self.p = p

    def __call__(self, *args):
        if self.p is None:
            idx = _randint(0, len(self.transforms))
        else:
            idx = int(ember.multinomial(ember.tensor(self.p, dtype=ember.float64), 1).item())
        return self.transforms[idx](*args)

    def _args(self):
        return f"transforms={self.transforms}, p={self.p}"
