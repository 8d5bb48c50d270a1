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


def get_device_name(device=None):
    """The GPU's name, as CUDA reports it."""
    cp = backend.require_cuda()
    index = device.index if hasattr(device, 'index') and device.index is not None else (device or 0)
    name = cp.cuda.runtime.getDeviceProperties(index)['name']
    return name.decode() if isinstance(name, bytes) else name


def empty_cache():
    """Return CuPy's cached GPU memory to the driver (no-op without a GPU)."""
    if backend.cuda_available():
        backend.require_cuda().get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None):
    """Bytes of GPU memory held by tensors (0 without a GPU)."""
    return backend.require_cuda().get_default_memory_pool().used_bytes() if backend.cuda_available() else 0


def memory_reserved(device=None):
    """Bytes of GPU memory held by CuPy's allocator (0 without a GPU)."""
    return backend.require_cuda().get_default_memory_pool().total_bytes() if backend.cuda_available() else 0
