"""The one place that chooses the array module (NumPy or CuPy) for a device.

Every other module asks this one for ``xp`` instead of importing numpy or cupy
directly for device decisions, so that CUDA support lives in a single file.
"""
import numpy as np

_cupy = None          # the cupy module once imported, False if unavailable
_cupy_error = None


def _load_cupy():
    """Import cupy lazily: importing ember must stay fast and numpy-only."""
    global _cupy, _cupy_error
    if _cupy is None:
        try:
            import cupy
            cupy.cuda.runtime.getDeviceCount()
            _cupy = cupy
        except Exception as e:  # ImportError, or a CUDA runtime error with no GPU
            _cupy, _cupy_error = False, e
    return _cupy


def cuda_available():
    """True when CuPy imports and sees at least one GPU."""
    return bool(_load_cupy())


def cuda_device_count():
    """Number of GPUs CuPy sees (0 without CuPy)."""
    cp = _load_cupy()
    return cp.cuda.runtime.getDeviceCount() if cp else 0


def require_cuda():
    """Return cupy or raise torch's error for a missing CUDA runtime."""
    cp = _load_cupy()
    if not cp:
        raise RuntimeError(
            "CUDA is not available: ember needs CuPy and an NVIDIA GPU for 'cuda' "
            f"tensors (pip install 'ember[gpu]'); cause: {_cupy_error!r}")
    return cp


def array_module(device):
    """The array module serving ``device`` (an ember.device)."""
    if device.type == 'cpu':
        return np
    return require_cuda()


def get_array_module(array):
    """The array module an existing array belongs to."""
    if type(array) is np.ndarray or _cupy is None or _cupy is False:
        return np
    return _cupy.get_array_module(array)


def is_cuda_array(array):
    """True for a cupy array (without importing cupy for numpy arrays)."""
    return bool(_cupy) and isinstance(array, _cupy.ndarray)


def cuda_loaded():
    """True once cupy has been imported successfully (device checks needed)."""
    return bool(_cupy)


def to_device_array(array, device):
    """Copy ``array`` onto ``device`` (no copy when it is already there)."""
    if device.type == 'cpu':
        if is_cuda_array(array):
            return array.get()
        return array
    cp = require_cuda()
    with cp.cuda.Device(device.index or 0):
        return cp.asarray(array)


def to_numpy(array):
    """A NumPy view or copy of ``array`` (host memory)."""
    return array.get() if is_cuda_array(array) else array
