"""Copies and conversions: clone, contiguous, to(dtype/device), copy_, zero_, fill_."""
import numpy as np

from .. import backend, dtypes
from ..autograd.function import Function
from ..device import device as _device, device_of, resolve
from ..tensor import Tensor
from . import inplace
from ..autograd import grad_mode


class Clone(Function):
    """A copy that stays in the graph."""
    raw = True

    @staticmethod
    def forward(ctx, x, contiguous=True):
        return np.ascontiguousarray(x) if contiguous and not x.flags.c_contiguous else x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class ToCopy(Function):
    """Change dtype and/or device; the gradient goes back to the input's dtype and device."""
    raw = True

    @staticmethod
    def forward(ctx, x, dtype=None, device=None):
        ctx.device = None
        if device is not None:
            ctx.device = device_of(x)
            x = backend.to_device_array(x, device)
        if dtype is not None and x.dtype != dtype:
            x = x.astype(dtype)
        return x

    @staticmethod
    def backward(ctx, grad):
        # The engine casts the gradient back to the input's dtype; only the device is ours to undo.
        return grad.to(ctx.device) if ctx.device is not None else grad


def clone(input, *, memory_format=None):
    """A copy that is part of the graph (gradient flows through)."""
    return Clone.apply(input)


def contiguous(input, memory_format=None):
    """``input`` itself if already row-major contiguous, else a contiguous copy."""
    return input if input._data.flags.c_contiguous else Clone.apply(input)


def _parse_to(args, kwargs):
    dtype = kwargs.pop('dtype', None)
    device = kwargs.pop('device', None)
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, dtypes.dtype):
            dtype = a
        elif isinstance(a, (str, int, _device)):
            device = a
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
    for k in kwargs:
        if k not in ('non_blocking', 'copy', 'memory_format'):
            raise TypeError(f"to() got an unexpected keyword argument '{k}'")
    return dtype, device, kwargs.get('copy', False)


def to(input, *args, **kwargs):
    """Convert dtype and/or device: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``."""
    dtype, device, copy = _parse_to(args, dict(kwargs))
    dt = dtypes.to_dtype(dtype).np if dtype is not None else None
    dev = resolve(device) if device is not None else None
    same_dtype = dt is None or dt == input._data.dtype
    same_device = dev is None or dev == input.device
    if same_dtype and same_device:
        return Clone.apply(input) if copy else input
    return ToCopy.apply(input, dtype=None if same_dtype else dt, device=None if same_device else dev)


def _caster(dtype, name):
    def cast(self, memory_format=None):
        return to(self, dtype)
    cast.__name__ = name
    cast.__doc__ = f"``self.to({dtype})``."
    return cast


float_ = _caster(dtypes.float32, 'float')
double = _caster(dtypes.float64, 'double')
half = _caster(dtypes.float16, 'half')
int_ = _caster(dtypes.int32, 'int')
long = _caster(dtypes.int64, 'long')
short = _caster(dtypes.int16, 'short')
bool_ = _caster(dtypes.bool, 'bool')
byte = _caster(dtypes.uint8, 'byte')
char = _caster(dtypes.int8, 'char')


def cpu(self, memory_format=None):
    """This tensor in host memory."""
    return to(self, 'cpu')


def cuda(self, device=None, non_blocking=False, memory_format=None):
    """This tensor on a GPU (needs CuPy)."""
    return to(self, 'cuda' if device is None else _device('cuda', device) if isinstance(device, int) else device)


def type_as(self, other):
    """``self.to(other.dtype)``."""
    return to(self, other.dtype)


_TYPE_NAMES = {'float32': 'FloatTensor', 'float64': 'DoubleTensor', 'float16': 'HalfTensor',
               'int64': 'LongTensor', 'int32': 'IntTensor', 'int16': 'ShortTensor', 'int8': 'CharTensor',
               'uint8': 'ByteTensor', 'bool': 'BoolTensor', 'bfloat16': 'BFloat16Tensor'}


def type(self, dtype=None, non_blocking=False):
    """With no argument, the type name (``'ember.FloatTensor'``); otherwise ``to(dtype)``."""
    if dtype is None:
        prefix = 'ember.cuda.' if self.is_cuda else 'ember.'
        return prefix + _TYPE_NAMES.get(self.dtype.name, self.dtype.name)
    if isinstance(dtype, str):  # 'torch.FloatTensor' / 'ember.LongTensor'
        names = {v: k for k, v in _TYPE_NAMES.items()}
        dtype = getattr(dtypes, names.get(dtype.rsplit('.', 1)[-1], ''), None) or dtype
    return to(self, getattr(dtype, 'dtype', dtype))


class Copy(Function):
    """``self.copy_(src)`` out of place: ``src`` broadcast and cast to ``x``'s shape and dtype."""
    raw = True

    @staticmethod
    def forward(ctx, x, src):
        out = np.empty_like(x)
        out[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad  # the engine reduces src's broadcast dims and casts to its dtype


class Fill(Function):
    """``self.fill_(value)`` out of place; a tensor value gets the summed gradient."""
    raw = True

    @staticmethod
    def forward(ctx, x, value):
        return np.full_like(x, value)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, (grad.sum() if ctx.needs_input_grad[1] else None)


def _records(self, other=None):
    return grad_mode.state.enabled and (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad))


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast, moved across devices) into ``self``; gradient flows to src."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {builtins_type(src).__name__}")
    if not _broadcasts_to(src.shape, self._data.shape):
        raise RuntimeError(f"The size of tensor a ({self.shape[-1] if self.ndim else 1}) must match the size of "
                           f"tensor b ({src.shape[-1] if src.ndim else 1}) at non-singleton dimension "
                           f"{max(self.ndim - 1, 0)}")
    if _records(self, src):
        src = src if src.device == self.device else to(src, self.device)
        return inplace.apply_inplace(self, Copy.apply, src)
    inplace.check_leaf(self)
    inplace.writable(self)[...] = backend.to_device_array(src._data, self.device)
    self._version[0] += 1
    return self


def _broadcasts_to(src, dst):
    """True when an array of shape ``src`` broadcasts to exactly ``dst``."""
    try:
        return np.broadcast_shapes(tuple(src), tuple(dst)) == tuple(dst)
    except ValueError:
        return False


def builtins_type(x):
    """The builtin ``type`` (this module defines a ``type`` method)."""
    import builtins
    return builtins.type(x)


def zero_(self):
    """Fill with zeros in place."""
    return fill_(self, 0)


def fill_(self, value):
    """Fill with ``value`` (a number or a 0-d tensor) in place."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                               "dimensions.")
        if not value.requires_grad:
            value = value.item()
    if _records(self, value):
        return inplace.apply_inplace(self, Fill.apply, value)
    inplace.check_leaf(self)
    inplace.writable(self)[...] = value
    self._version[0] += 1
    return self


TENSOR_METHODS = ('clone', 'contiguous', 'to', 'cpu', 'cuda', 'type_as', 'double', 'half', 'long', 'short',
                  'byte', 'char', 'type', 'copy_', 'zero_', 'fill_')
ALIASES = {'float': float_, 'int': int_, 'bool': bool_}
__all__ = ('clone',)
