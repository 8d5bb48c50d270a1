"""make_grid and save_image, as torchvision.utils."""
import math

import numpy as np

import ember
from ..tensor import Tensor

__all__ = ['make_grid', 'save_image']


def _normalize_range(arr, low, high):
    np.clip(arr, low, high, out=arr)
    arr -= low
    arr /= max(high - low, 1e-5)


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """Tile a batch of images (B, C, H, W) or a list of (C, H, W) into one (3 or C, H', W') image.

    Args:
        nrow: images per row. padding: pixels between images (and around them).
        normalize: rescale to [0, 1] using ``value_range`` (min, max) or the data's min and max.
        scale_each: normalise each image on its own. pad_value: the value of the padding.

    One-channel images are repeated to three channels, as in torchvision.
    """
    if isinstance(tensor, (list, tuple)):
        arr = np.stack([ember.backend.to_numpy(t.detach()._data) for t in tensor])
    elif isinstance(tensor, Tensor):
        arr = ember.backend.to_numpy(tensor.detach()._data)
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim == 3:
        if arr.shape[0] == 1:
            arr = np.concatenate([arr, arr, arr], 0)
        arr = arr[None]
    if arr.ndim != 4:
        raise ValueError(f"make_grid expects a 2-, 3- or 4-dimensional tensor, got {arr.ndim} dimensions")
    if arr.shape[1] == 1:
        arr = np.concatenate([arr, arr, arr], 1)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        arr = arr.astype(arr.dtype if arr.dtype.kind == 'f' else np.float32, copy=True)
        parts = arr if scale_each else [arr]
        for part in parts:
            low, high = value_range if value_range is not None else (float(part.min()), float(part.max()))
            _normalize_range(part, low, high)
    if arr.shape[0] == 1:
        return Tensor._make(np.ascontiguousarray(arr[0]))
    nmaps = arr.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = arr.shape[2] + padding, arr.shape[3] + padding
    grid = np.full((arr.shape[1], height * ymaps + padding, width * xmaps + padding), pad_value, dtype=arr.dtype)
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        grid[:, y * height + padding:(y + 1) * height, x * width + padding:(x + 1) * width] = arr[k]
    return Tensor._make(grid)


def save_image(tensor, fp, format=None, **kwargs):
    """Write ``make_grid(tensor, **kwargs)`` (values in [0, 1]) as an image file (PNG by default via Pillow)."""
    from PIL import Image
    grid = make_grid(tensor, **kwargs)._data
    ndarr = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    img = Image.fromarray(np.ascontiguousarray(ndarr if ndarr.shape[2] != 1 else ndarr[:, :, 0]))
    img.save(fp, format=format)
