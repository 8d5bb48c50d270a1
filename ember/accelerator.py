"""``ember.accelerator``: the device-generic view of ``ember.cuda``."""
from . import cuda
from .device import device


def is_available():
    """True when an accelerator (a CUDA GPU through CuPy) can be used."""
    return cuda.is_available()


def current_accelerator(check_available=False):
    """``device('cuda')`` when a GPU is present, else None."""
    if cuda.is_available():
        return device('cuda')
    return None


def device_count():
    """Number of accelerators."""
    return cuda.device_count()
