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


class _Flags:
    """A namespace of settings that scripts assign (``backends.cudnn.benchmark = True``); ember ignores them."""

    def __init__(self, **flags):
        self.__dict__.update(flags)

    def is_available(self):
        """False: ember has no cuDNN/MPS back end."""
        return False


# ``ember.backends``: the flags PyTorch scripts set on torch.backends, accepted so that such scripts run.
backends = _Flags(cudnn=_Flags(benchmark=False, deterministic=False, enabled=True, allow_tf32=False),
                  mps=_Flags(), cuda=_Flags(matmul=_Flags(allow_tf32=False)))
