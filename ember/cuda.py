"""``ember.cuda``: GPU availability through CuPy (absent CuPy means no GPU)."""
from . import backend


def is_available():
    """True when CuPy is installed and sees a GPU."""
    return backend.cuda_available()


def device_count():
    """Number of visible GPUs."""
    return backend.cuda_device_count()


def current_device():
    """Index of the current GPU."""
    return backend.require_cuda().cuda.runtime.getDevice()


def set_device(device):
    """Make ``device`` the current GPU."""
    from .device import device as _device
    d = _device(device) if not isinstance(device, int) else _device('cuda', device)
    backend.require_cuda().cuda.runtime.setDevice(d.index or 0)


def synchronize(device=None):
    """Wait for all GPU work to finish (no-op without a GPU)."""
    if backend.cuda_available():
        backend.require_cuda().cuda.Device().synchronize()


def manual_seed(seed):
    """Seed GPU random numbers (ember draws them on the host, so this seeds the default generator)."""
    from .random import manual_seed as seed_all
    seed_all(seed)


manual_seed_all = manual_seed


def is_bf16_supported():
    """Whether bfloat16 works (needs ml_dtypes and a GPU)."""
    from . import dtypes
    return is_available() and hasattr(dtypes, 'bfloat16')
