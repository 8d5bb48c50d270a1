"""Image functions behind the transforms, as torchvision.transforms.functional.

PIL images go through Pillow exactly as torchvision does it; ember tensors
(C, H, W) are supported for resizing (through Pillow, per channel) and
where torchvision's algorithm is plain array indexing (crop, pad, flips,
normalize). Rotation and colour adjustments take PIL images.
"""
import enum
import numbers
import sys

import numpy as np
try:
    from PIL import Image, ImageEnhance, ImageOps
except ImportError as _e:
    from .. import PILLOW_MISSING
    raise ImportError(PILLOW_MISSING) from _e

import ember
from ...tensor import Tensor
from ._to_pil_image import to_pil_image  # noqa: F401  (re-exported: torchvision's functional API)

__all__ = ['InterpolationMode', 'get_dimensions', 'to_tensor', 'pil_to_tensor', 'to_pil_image', 'normalize',
           'resize', 'crop', 'center_crop', 'resized_crop', 'pad', 'hflip', 'vflip', 'rotate', 'adjust_brightness',
           'adjust_contrast', 'adjust_saturation', 'adjust_hue', 'rgb_to_grayscale', 'to_grayscale']


class InterpolationMode(enum.Enum):
    """Resampling filters, by torchvision's names."""
    NEAREST = 'nearest'
    NEAREST_EXACT = 'nearest-exact'
    BILINEAR = 'bilinear'
    BICUBIC = 'bicubic'
    BOX = 'box'
    HAMMING = 'hamming'
    LANCZOS = 'lanczos'


_PIL_FILTERS = {InterpolationMode.NEAREST: Image.Resampling.NEAREST,
                InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
                InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
                InterpolationMode.BICUBIC: Image.Resampling.BICUBIC, InterpolationMode.BOX: Image.Resampling.BOX,
                InterpolationMode.HAMMING: Image.Resampling.HAMMING,
                InterpolationMode.LANCZOS: Image.Resampling.LANCZOS}


def _pil_filter(interpolation):
    if isinstance(interpolation, int):  # a Pillow constant, as older torchvision accepted
        return interpolation
    if isinstance(interpolation, str):
        interpolation = InterpolationMode(interpolation)
    return _PIL_FILTERS[interpolation]


def _is_pil(img):
    return isinstance(img, Image.Image)


def _require_pil(img, fn):
    if not _is_pil(img):
        raise TypeError(f"{fn}: img should be PIL Image. Got {type(img)}")


def _require_image(img, fn):
    if not (_is_pil(img) or isinstance(img, Tensor)):
        raise TypeError(f"{fn}: img should be PIL Image or Tensor. Got {type(img)}")


def get_dimensions(img):
    """``[channels, height, width]`` of a PIL image or a (..., C, H, W) tensor."""
    if _is_pil(img):
        return [len(img.getbands()), img.height, img.width]
    _require_image(img, 'get_dimensions')
    if img.ndim < 2:
        raise TypeError(f"Tensor is not a torch image: expected at least 2 dimensions, got {img.ndim}")
    return [1 if img.ndim == 2 else img.shape[-3], img.shape[-2], img.shape[-1]]


def _from_array(arr, like):
    """A tensor from a NumPy result, on ``like``'s device."""
    out = Tensor._make(np.ascontiguousarray(arr))
    return out if like.device.type == 'cpu' else out.to(like.device)


_PIL_NPTYPE = {'I': np.int32, 'I;16' if sys.byteorder == 'little' else 'I;16B': np.int16, 'F': np.float32}


def to_tensor(pic):
    """PIL image or HWC ndarray -> CHW tensor; uint8 data is scaled to float in [0, 1]."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        hwc = pic[:, :, None] if pic.ndim == 2 else pic
    elif _is_pil(pic):
        hwc = np.asarray(pic, _PIL_NPTYPE.get(pic.mode, np.uint8))
        if pic.mode == '1':
            hwc = hwc * np.uint8(255)
        hwc = hwc.reshape(pic.height, pic.width, -1)
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    chw = hwc.transpose(2, 0, 1)
    if hwc.dtype == np.uint8:
        # One pass from the HWC bytes to the CHW floats; division (not multiplication by 1/255)
        # gives torch's exact float32 values.
        out = np.empty(chw.shape, ember.get_default_dtype().np)
        np.divide(chw, out.dtype.type(255), out=out)
        return Tensor._make(out)
    return Tensor._make(np.array(chw, order='C'))


def pil_to_tensor(pic):
    """PIL image -> CHW tensor with the image's own dtype (no scaling)."""
    _require_pil(pic, 'pil_to_tensor')
    arr = np.array(pic, copy=True)
    arr = arr.reshape(pic.height, pic.width, -1)
    return Tensor._make(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean[c]) / std[c]`` per channel of a float (..., C, H, W) tensor."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tuple(tensor.shape)}")
    m, s = _mean_std(tensor, mean, std)
    if inplace:
        return tensor.sub_(Tensor._make(m)).div_(Tensor._make(s))
    if tensor.requires_grad:  # keep the graph when normalising inside a model
        return (tensor - Tensor._make(m)) / Tensor._make(s)
    out = np.subtract(tensor._data, m)
    np.divide(out, s, out=out)
    return Tensor._make(out)


_MEAN_STD_CACHE = {}


def _hashable(v):
    return tuple(float(x) for x in v) if isinstance(v, (list, tuple)) else v


def _mean_std(tensor, mean, std):
    """mean and std as (C, 1, 1) arrays of the tensor's dtype and array module, std checked for zeros."""
    xp = ember.backend.get_array_module(tensor._data)
    dt = tensor._data.dtype
    key = None
    if xp is np and not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        # Normalize runs once per sample with the same constants: build the arrays once.
        key = (_hashable(mean), _hashable(std), dt.str)
        hit = _MEAN_STD_CACHE.get(key)
        if hit is not None:
            return hit
    m = xp.asarray(mean, dtype=dt).reshape(-1, 1, 1)
    s = xp.asarray(std, dtype=dt).reshape(-1, 1, 1)
    if (s == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if key is not None and len(_MEAN_STD_CACHE) < 64:
        _MEAN_STD_CACHE[key] = (m, s)
    return m, s


def _output_size(h, w, size, max_size):
    """torchvision's rule: an int resizes the shorter edge and keeps the aspect ratio (floor for the longer)."""
    if isinstance(size, (list, tuple)) and len(size) == 2:
        if max_size is not None:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, "
                             "i.e. size should be an int or a sequence of length 1 in torchscript mode.")
        return [int(size[0]), int(size[1])]
    requested = size if isinstance(size, int) else size[0]
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                             f"smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return [new_long, new_short] if w <= h else [new_short, new_long]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` (h, w), or the shorter edge to ``size`` when an int.

    A (..., C, H, W) tensor is resampled plane by plane by Pillow in float32 (the antialiased filters
    torchvision's tensor path was built to match); integer tensors are rounded back.
    """
    _require_image(img, 'resize')
    if not (isinstance(size, int) or isinstance(size, (list, tuple)) and len(size) in (1, 2)):
        raise TypeError(f"Size should be int or sequence of length 1 or 2. Got {size!r}")
    _, height, width = get_dimensions(img)
    h, w = _output_size(height, width, size, max_size)
    if _is_pil(img):
        return img.resize((w, h), _pil_filter(interpolation))
    data = ember.backend.to_numpy(img.detach()._data)
    planes = data.reshape(-1, height, width).astype(np.float32)
    out = np.stack([np.asarray(Image.fromarray(p).resize((w, h), _pil_filter(interpolation))) for p in planes])
    out = out.reshape(data.shape[:-2] + (h, w))
    if data.dtype.kind in 'iu':
        info = np.iinfo(data.dtype)
        out = np.clip(np.round(out), info.min, info.max)
    elif data.dtype.kind == 'b':
        out = out > 0.5
    return _from_array(out.astype(data.dtype, copy=False), img)


def crop(img, top, left, height, width):
    """The ``height`` x ``width`` region at (``top``, ``left``); outside the image is zero."""
    _require_image(img, 'crop')
    if _is_pil(img):
        return img.crop((left, top, left + width, top + height))
    h, w = img.shape[-2:]
    arr = img._data
    if top < 0 or left < 0 or top + height > h or left + width > w:
        pads = [max(-top, 0), max(-left, 0), max(top + height - h, 0), max(left + width - w, 0)]
        img = pad(img, [pads[1], pads[0], pads[3], pads[2]])
        arr = img._data
        top, left = max(top, 0), max(left, 0)
    return _from_array(arr[..., top:top + height, left:left + width], img)


def _pair(size, name='size'):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (list, tuple)) and len(size) == 1:
        return int(size[0]), int(size[0])
    if isinstance(size, (list, tuple)) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"Please provide only two dimensions (h, w) for {name}. Got {size!r}")


def center_crop(img, output_size):
    """The central ``output_size`` region, zero-padding first when the image is smaller."""
    crop_h, crop_w = _pair(output_size)
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        img = pad(img, [(crop_w - w) // 2 if crop_w > w else 0, (crop_h - h) // 2 if crop_h > h else 0,
                        (crop_w - w + 1) // 2 if crop_w > w else 0, (crop_h - h + 1) // 2 if crop_h > h else 0])
        _, h, w = get_dimensions(img)
        if (crop_h, crop_w) == (h, w):
            return img
    return crop(img, int(round((h - crop_h) / 2.0)), int(round((w - crop_w) / 2.0)), crop_h, crop_w)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    """``crop`` then ``resize``."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def _parse_padding(padding):
    if isinstance(padding, numbers.Number):
        padding = [int(padding)]
    if not isinstance(padding, (list, tuple)) or len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {padding!r}")
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return list(padding)


def _fill_for(img, fill):
    """Pillow's fill: one value per band (torchvision's _parse_fill)."""
    bands = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and bands > 1:
        fill = tuple([fill] * bands)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * bands
        if len(fill) != bands:
            raise ValueError(f"The number of elements in 'fill' does not match the number of bands of the image "
                             f"({len(fill)} != {bands})")
        fill = tuple(fill) if img.mode == 'F' else tuple(int(v) for v in fill)
    elif img.mode != 'F':
        fill = int(fill)
    return fill


def pad(img, padding, fill=0, padding_mode='constant'):
    """Pad the borders: ``padding`` is one int, (left/right, top/bottom) or (left, top, right, bottom)."""
    _require_image(img, 'pad')
    if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _parse_padding(padding)
    if _is_pil(img):
        if padding_mode == 'constant' and min(left, top, right, bottom) >= 0:
            return ImageOps.expand(img, border=(left, top, right, bottom), fill=_fill_for(img, fill))
        arr = np.asarray(img)
        out = _pad_array(arr, left, top, right, bottom, fill, padding_mode, channel_last=True)
        result = Image.fromarray(out)
        if img.mode == 'P':
            result.putpalette(img.getpalette())
        return result
    out = _pad_array(ember.backend.to_numpy(img._data), left, top, right, bottom, fill, padding_mode,
                     channel_last=False)
    return _from_array(out, img)


def _pad_array(arr, left, top, right, bottom, fill, mode, channel_last):
    # Negative padding crops, as in torchvision.
    h_axis = 0 if channel_last else arr.ndim - 2
    sl = [slice(None)] * arr.ndim
    sl[h_axis] = slice(max(-top, 0), arr.shape[h_axis] - max(-bottom, 0))
    sl[h_axis + 1] = slice(max(-left, 0), arr.shape[h_axis + 1] - max(-right, 0))
    arr = arr[tuple(sl)]
    widths = [(0, 0)] * arr.ndim
    widths[h_axis] = (max(top, 0), max(bottom, 0))
    widths[h_axis + 1] = (max(left, 0), max(right, 0))
    if mode == 'constant':
        return np.pad(arr, widths, mode='constant', constant_values=fill)
    return np.pad(arr, widths, mode=mode)


def hflip(img):
    """Mirror left-right."""
    _require_image(img, 'hflip')
    if _is_pil(img):
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return _from_array(ember.backend.to_numpy(img._data)[..., ::-1], img)


def vflip(img):
    """Mirror top-bottom."""
    _require_image(img, 'vflip')
    if _is_pil(img):
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return _from_array(ember.backend.to_numpy(img._data)[..., ::-1, :], img)


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate a PIL image by ``angle`` degrees counter-clockwise about ``center`` (default: the middle)."""
    _require_pil(img, 'rotate')
    return img.rotate(angle, _pil_filter(interpolation), expand, center, fillcolor=_fill_for(img, fill))


def adjust_brightness(img, brightness_factor):
    """Blend with black: 0 gives black, 1 the original, 2 twice as bright."""
    _require_pil(img, 'adjust_brightness')
    return ImageEnhance.Brightness(img).enhance(brightness_factor)


def adjust_contrast(img, contrast_factor):
    """Blend with the mean grey: 0 gives solid grey, 1 the original."""
    _require_pil(img, 'adjust_contrast')
    return ImageEnhance.Contrast(img).enhance(contrast_factor)


def adjust_saturation(img, saturation_factor):
    """Blend with the greyscale image: 0 gives grey, 1 the original."""
    _require_pil(img, 'adjust_saturation')
    return ImageEnhance.Color(img).enhance(saturation_factor)


def adjust_hue(img, hue_factor):
    """Shift the hue channel (in HSV) by ``hue_factor`` of a full turn, in [-0.5, 0.5]."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _require_pil(img, 'adjust_hue')
    if img.mode in {'L', '1', 'I', 'F'}:
        return img
    h, s, v = img.convert('HSV').split()
    np_h = np.array(h, dtype=np.uint8)
    # uint8 arithmetic wraps around, which is exactly a rotation of the hue circle
    np_h += np.uint8(int(hue_factor * 255) % 256)
    return Image.merge('HSV', (Image.fromarray(np_h), s, v)).convert(img.mode)


def rgb_to_grayscale(img, num_output_channels=1):
    """Convert to grey (Pillow's 'L' conversion), repeated into 3 channels when asked."""
    _require_pil(img, 'rgb_to_grayscale')
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    img = img.convert('L')
    if num_output_channels == 3:
        grey = np.asarray(img)
        img = Image.fromarray(np.dstack([grey, grey, grey]))
    return img


to_grayscale = rgb_to_grayscale
