"""Tensor factories: tensor, as_tensor, from_numpy, zeros, ones, full, arange, linspace...

Copy versus share follows torch: ``tensor()``/``Tensor()`` always copy;
``as_tensor()``/``from_numpy()`` share the ndarray's memory when dtype and
device allow.
"""
import builtins
import math

import numpy as np

from . import backend, dtypes
from .device import resolve, CPU
from .tensor import Tensor


def _infer_dtype(data):
    """torch's dtype inference for nested Python data: bool < int64 < default float."""
    kinds = set()
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            kinds.add(x.dtype)
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, builtins.bool) or isinstance(x, np.bool_):
            kinds.add(dtypes.bool)
        elif isinstance(x, (builtins.int, np.integer)):
            kinds.add(dtypes.int64)
        elif isinstance(x, (builtins.float, np.floating)):
            kinds.add(dtypes.get_default_dtype())
        elif isinstance(x, (builtins.complex, np.complexfloating)):
            kinds.add(dtypes.complex64 if dtypes.get_default_dtype() is dtypes.float32 else dtypes.complex128)
        elif isinstance(x, str):
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
    if not kinds:
        return dtypes.get_default_dtype()
    result = None
    for k in kinds:
        result = k if result is None else dtypes.promote_types(result, k)
    return result


def _to_array(data, dtype, device, copy):
    """A backend array for ``data`` (nested lists, ndarray, Tensor, scalar) with torch's dtype rules."""
    xp = backend.array_module(device)
    if isinstance(data, Tensor):
        arr = data._data
        if dtype is not None and arr.dtype != dtype.np:
            arr = arr.astype(dtype.np)
            copy = False
        arr = backend.to_device_array(arr, device)
        return arr.copy() if copy else arr
    if isinstance(data, np.generic):  # a NumPy scalar keeps its dtype, as a 0-d ndarray would
        data = np.asarray(data)
    if isinstance(data, np.ndarray) or backend.is_cuda_array(data):
        _check_ndarray(data)
        dt = dtype.np if dtype is not None else dtypes.from_numpy_dtype(data.dtype).np
        arr = backend.to_device_array(data, device)
        if copy or arr.dtype != dt:
            arr = xp.array(arr, dtype=dt, copy=True)
        return arr
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [_nested_to_list(x) for x in data]
    inferred = dtype is None
    if inferred:
        dtype = _infer_dtype(data)
    try:
        arr = np.array(data, dtype=dtype.np)
    except (ValueError, TypeError):
        _check_ragged(data)
        raise TypeError(f"Could not convert {type(data).__name__} to a tensor of {dtype}") from None
    except OverflowError:
        if inferred:  # torch fails while reading the Python int itself
            raise ValueError("Overflow when unpacking long long") from None
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow") from None
    if arr.dtype == object:
        raise TypeError("Could not convert data to a tensor: nested sequences of unequal length")
    return backend.to_device_array(arr, device)


def _check_ndarray(arr):
    """torch's refusals for ndarrays it cannot wrap: foreign byte order and negative strides."""
    if not arr.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion "
                         "between byte orders is currently not supported.")
    if any(s < 0 for s in arr.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making a copy "
                         "of your array  with array.copy().) ")


def _check_ragged(data, dim=0):
    """Raise torch's error for nested sequences of unequal lengths."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    first = data[0]
    length = len(first) if isinstance(first, (list, tuple)) else None
    for item in data:
        n = len(item) if isinstance(item, (list, tuple)) else None
        if n != length:
            raise ValueError(f"expected sequence of length {length} at dim {dim + 1} (got {n})")
        _check_ragged(item, dim + 1)


def _nested_to_list(x):
    if isinstance(x, Tensor):
        if x.numel() != 1 and x.ndim > 0:
            return x.tolist()
        return x.item() if x.ndim == 0 else x.tolist()
    if isinstance(x, (list, tuple)):
        return [_nested_to_list(y) for y in x]
    return x


def _finish(arr, requires_grad):
    t = Tensor._make(arr)
    if requires_grad:
        if not t.dtype.is_floating_point and not t.dtype.is_complex:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor copying ``data``; the dtype is inferred as torch does (1 -> int64, 1. -> float32)."""
    dtype = dtypes.to_dtype(dtype) if dtype is not None else None
    return _finish(_to_array(data, dtype, resolve(device), copy=True), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with an ndarray or tensor when dtype and device match."""
    dtype = dtypes.to_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        if (dtype is None or dtype is data.dtype) and (device is None or resolve(device) == data.device):
            return data
        return data.to(device=device if device is not None else data.device, dtype=dtype or data.dtype)
    dev = resolve(device)
    return Tensor._make(_to_array(data, dtype, dev, copy=False))


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (writes show in both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _check_ndarray(ndarray)
    dtypes.from_numpy_dtype(ndarray.dtype)  # raises for unsupported dtypes
    return Tensor._make(ndarray)


def _legacy_constructor(args, device, dtype=None):
    """``Tensor(data)`` (copy, default dtype) or ``Tensor(*sizes)`` (uninitialised)."""
    dt = dtype or dtypes.get_default_dtype()
    dev = resolve(device)
    if not args:
        return backend.array_module(dev).empty((0,), dt.np)
    if len(args) == 1 and not isinstance(args[0], (builtins.int, np.integer)) or \
            (len(args) == 1 and isinstance(args[0], builtins.bool)):
        data = args[0]
        if isinstance(data, Tensor):
            return data._data  # torch.Tensor(t) aliases t
        return _to_array(data, dt, dev, copy=True)
    return backend.array_module(dev).empty(_size(args), dt.np)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (builtins.int, np.integer)) or isinstance(s, builtins.bool):
            raise TypeError(f"expected a sequence of integers for the size, but got an element of type "
                            f"{type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(builtins.int(s) for s in size)


def _size_kw(size, kwargs, op):
    """The size given positionally or as ``size=`` (torch accepts both)."""
    if kwargs:
        if set(kwargs) != {'size'} or size:
            raise TypeError(f"{op}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        return (kwargs['size'],)
    return size


def _factory(fill, size, dtype, device, requires_grad, default=None):
    dtype = dtypes.to_dtype(dtype) if dtype is not None else (default or dtypes.get_default_dtype())
    dev = resolve(device)
    arr = fill(backend.array_module(dev), _size(size), dtype.np)
    return _finish(arr, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False,
          **kwargs):
    """A tensor of zeros."""
    return _factory(lambda xp, s, d: xp.zeros(s, d), _size_kw(size, kwargs, 'zeros'), dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False,
          **kwargs):
    """A tensor of ones."""
    return _factory(lambda xp, s, d: xp.ones(s, d), _size_kw(size, kwargs, 'ones'), dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False,
          memory_format=None, **kwargs):
    """An uninitialised tensor."""
    return _factory(lambda xp, s, d: xp.empty(s, d), _size_kw(size, kwargs, 'empty'), dtype, device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor filled with ``fill_value`` (dtype inferred from it, as torch does)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    default = dtypes.scalar_dtype(fill_value) if not isinstance(fill_value, Tensor) else fill_value.dtype
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _factory(lambda xp, s, d: xp.full(s, value, d), (size,), dtype, device, requires_grad, default)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The ``n x m`` identity matrix."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return _factory(lambda xp, s, d: xp.eye(n, m, dtype=d), (), dtype, device, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor holding ``s`` (default float dtype)."""
    return full((), s, dtype=dtype or dtypes.get_default_dtype(), device=device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 unless an argument is a float."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        dtype = dtypes.int64 if all(isinstance(v, (builtins.int, np.integer)) for v in vals) \
            else dtypes.get_default_dtype()
    dtype = dtypes.to_dtype(dtype)
    n = max(builtins.int(math.ceil((end - start) / step)), 0)
    return _factory(lambda xp, s, d: (start + xp.arange(n, dtype=np.float64) * step).astype(d)
                    if dtype.is_floating_point else xp.arange(start, end, step).astype(d),
                    (), dtype, device, requires_grad)


def _linspace_values(xp, start, end, steps, np_dtype):
    """Like torch's kernel, the first half counts up from ``start`` and the second half down from ``end`` (so both
    ends are exact); values are computed in float64 and may differ from torch's by one unit in the last place."""
    if steps == 1:
        values = xp.full((1,), start, dtype=np.float64)
    else:
        step = (end - start) / (steps - 1)
        idx = xp.arange(steps, dtype=np.float64)
        values = xp.where(idx < steps // 2, start + step * idx, end - step * (steps - 1 - idx))
    dt = np.dtype(np_dtype)
    return values.astype(dt) if dt.kind in 'fc' else xp.trunc(values).astype(dt)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    return _factory(lambda xp, s, d: _linspace_values(xp, start, end, steps, d), (), dtype, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``base ** linspace(start, end, steps)``."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    return _factory(lambda xp, s, d: (base ** _linspace_values(xp, start, end, steps, np.float64)).astype(d), (),
                    dtype, device, requires_grad)


def _like(fn, name=None):
    def like(input, *args, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None,
             **kwargs):
        out = fn(input.shape, *args, dtype=dtype or input.dtype, device=device or input.device, **kwargs)
        return _finish(preserve_layout(input, out._data), requires_grad)
    like.__name__ = name or fn.__name__ + '_like'
    like.__doc__ = f"``{fn.__name__}`` with the shape (and by default dtype and device) of ``input``."
    return like


def preserve_layout(input, arr):
    """``arr`` laid out in memory like ``input`` (torch's ``preserve_format``: a transposed input gives
    transposed strides)."""
    src = input._data
    if src.flags.c_contiguous or src.ndim < 2 or backend.is_cuda_array(src):
        return arr
    out = np.empty_like(src, dtype=arr.dtype)
    out[...] = arr
    return out


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
full_like = _like(lambda size, value, **kw: full(size, value, **kw), 'full_like')


class _LegacyTensorType(type):
    """``ember.FloatTensor`` and friends: constructors with a fixed dtype, and dtype checks for isinstance."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and not obj.is_cuda

    def __call__(cls, *args, device=None):
        data = _legacy_constructor(args, device, cls.dtype)
        return Tensor._make(data if data.dtype == cls.dtype.np else data.astype(cls.dtype.np))


def _legacy_type(name, dtype):
    return _LegacyTensorType(name, (), {'dtype': dtype, '__doc__': f"Legacy constructor of {dtype} tensors: "
                                        f"``{name}(data)`` or ``{name}(*sizes)``."})


FloatTensor = _legacy_type('FloatTensor', dtypes.float32)
DoubleTensor = _legacy_type('DoubleTensor', dtypes.float64)
HalfTensor = _legacy_type('HalfTensor', dtypes.float16)
LongTensor = _legacy_type('LongTensor', dtypes.int64)
IntTensor = _legacy_type('IntTensor', dtypes.int32)
ShortTensor = _legacy_type('ShortTensor', dtypes.int16)
CharTensor = _legacy_type('CharTensor', dtypes.int8)
ByteTensor = _legacy_type('ByteTensor', dtypes.uint8)
BoolTensor = _legacy_type('BoolTensor', dtypes.bool)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The ``2 x N`` coordinates of the lower triangle of a ``row x col`` matrix, row by row."""
    r, c = np.tril_indices(row, offset, col)
    return _finish(backend.to_device_array(np.stack([r, c]).astype((dtype or dtypes.int64).np), resolve(device)),
                   False)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The ``2 x N`` coordinates of the upper triangle of a ``row x col`` matrix, row by row."""
    r, c = np.triu_indices(row, offset, col)
    return _finish(backend.to_device_array(np.stack([r, c]).astype((dtype or dtypes.int64).np), resolve(device)),
                   False)


def _new(fn, name):
    def method(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        return fn(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)
    method.__name__ = name
    method.__doc__ = f"``ember.{fn.__name__}`` with, by default, this tensor's dtype and device."
    return method


new_zeros = _new(zeros, 'new_zeros')
new_ones = _new(ones, 'new_ones')
new_empty = _new(empty, 'new_empty')


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    """``ember.full`` with, by default, this tensor's dtype and device."""
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """``ember.tensor(data)`` (a copy) with, by default, this tensor's dtype and device."""
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def new(self, *args, **kwargs):
    """Legacy ``x.new(...)``: ``Tensor(...)`` with this tensor's dtype and device."""
    if 'dtype' in kwargs:
        raise TypeError("new() received an invalid combination of arguments - got an unexpected keyword 'dtype'")
    device = resolve(kwargs.get('device')) if kwargs.get('device') is not None else self.device
    if args and not isinstance(args[0], (builtins.int, np.integer)):
        return Tensor._make(_to_array(args[0], self.dtype, device, copy=True))
    shape = _size(args) if args else (0,)
    return Tensor._make(backend.array_module(device).empty(shape, self._data.dtype))


TENSOR_METHODS = ('new_zeros', 'new_ones', 'new_empty', 'new_full', 'new_tensor', 'new')
