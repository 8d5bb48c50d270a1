"""Device objects: ``ember.device('cpu')``, ``ember.device('cuda:1')``."""
from . import backend


class device:
    """Where a tensor's memory lives, as ``torch.device``.

    Example::

        >>> ember.device('cuda:1')
        device(type='cuda', index=1)
    """
    __slots__ = ('type', 'index')

    def __new__(cls, type_or_str, index=None):
        if isinstance(type_or_str, device):
            return type_or_str
        if isinstance(type_or_str, int) and not isinstance(type_or_str, bool):
            type_or_str, index = 'cuda', type_or_str
        if not isinstance(type_or_str, str):
            raise TypeError(f"device() expected a string or int, but got {type(type_or_str).__name__}")
        kind, _, idx = type_or_str.partition(':')
        if kind not in ('cpu', 'cuda'):
            raise RuntimeError(f"Invalid device string: '{type_or_str}'")
        if idx:
            if index is not None:
                raise RuntimeError("type (string) must not include an index because index was passed explicitly: "
                                   f"{type_or_str}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type_or_str}'")
            index = int(idx)
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, but got {index}")
        self = object.__new__(cls)
        self.type, self.index = kind, index
        return self

    def __eq__(self, other):
        # As in torch, a device never equals a string: device('cpu') == 'cpu' is False.
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (str(self),))


CPU = device('cpu')
_cuda_devices = {}


def device_of(array):
    """The ember.device an array lives on."""
    if not backend.is_cuda_array(array):
        return CPU
    idx = array.device.id
    if idx not in _cuda_devices:
        _cuda_devices[idx] = device('cuda', idx)
    return _cuda_devices[idx]


def resolve(dev):
    """Turn a str/int/device/None into a concrete device; None means CPU."""
    if dev is None:
        return CPU
    dev = device(dev)
    if dev.type == 'cuda':
        backend.require_cuda()
        if dev.index is None:
            dev = device('cuda', backend.require_cuda().cuda.runtime.getDevice())
    return dev
