"""to_pil_image: a CHW tensor or HWC ndarray as a PIL image, with torchvision's mode inference."""
import numpy as np
from PIL import Image

import ember
from ...tensor import Tensor


def _infer_mode(npimg, mode):
    channels, dtype = npimg.shape[2], npimg.dtype
    if channels == 1:
        expected = {np.dtype(np.uint8): 'L', np.dtype(np.int16): 'I;16', np.dtype(np.int32): 'I',
                    np.dtype(np.float32): 'F'}.get(dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {dtype}. Should be {expected}")
        return expected
    permitted = {2: ['LA'], 3: ['RGB', 'YCbCr', 'HSV'], 4: ['RGBA', 'CMYK', 'RGBX']}[channels]
    if mode is not None and mode not in permitted:
        raise ValueError(f"Only modes {permitted} are supported for {channels}D inputs")
    if mode is None and dtype == np.uint8:
        mode = permitted[0]
    return mode


def to_pil_image(pic, mode=None):
    """CHW tensor or HWC ndarray -> PIL image; float data is scaled by 255 and truncated to uint8."""
    if isinstance(pic, Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = ember.backend.to_numpy(pic.detach()._data)
        arr = arr[None] if arr.ndim == 2 else arr
        if arr.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[-3]} channels.")
        if arr.dtype.kind == 'f' and mode != 'F':
            # torch's .byte(): truncate, wrapping out-of-range values modulo 256
            arr = (arr * np.float32(255)).astype(np.int64).astype(np.uint8)
        npimg = arr.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        npimg = pic[:, :, None] if pic.ndim == 2 else pic
        if npimg.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {npimg.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    mode = _infer_mode(npimg, mode)
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    if npimg.shape[2] == 1:
        npimg = npimg[:, :, 0]
    raw = {'I;16': '<u2', 'I': '=i4', 'F': '=f4'}.get(mode, 'u1')
    return Image.frombytes(mode, (npimg.shape[1], npimg.shape[0]), np.ascontiguousarray(npimg, raw).tobytes())
