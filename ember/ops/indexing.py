"""Indexing: ``x[key]`` and ``x[key] = value``.

Basic keys (ints, slices, None, Ellipsis) give views that share memory;
integer/bool tensor or list keys give copies, as in torch. The backward of
indexing scatters the gradient into zeros (``IndexPut``), whose backward is
indexing again, so both have derivatives of every order.
"""
import numpy as np

from .. import backend
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from . import inplace


def _convert_key(key, x):
    """Turn a torch-style key into a NumPy key; return (key, is_basic)."""
    if not isinstance(key, tuple):
        key = (key,)
    out, basic = [], True
    for k in key:
        if isinstance(k, Tensor):
            k = k._data
            if k.dtype.kind not in 'biu':
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            basic = False
        elif isinstance(k, (list, tuple)):
            k = np.asarray(k)
            if k.dtype.kind not in 'biu':
                if k.size == 0:
                    k = k.astype(np.int64)
                else:
                    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            basic = False
        elif isinstance(k, np.ndarray) or backend.is_cuda_array(k):
            basic = False
        elif isinstance(k, (bool, np.bool_)):
            k = np.asarray(k)
            basic = False
        elif not (k is None or k is Ellipsis or isinstance(k, slice) or isinstance(k, (int, np.integer))):
            if hasattr(k, '__index__'):
                k = k.__index__()
            else:
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                                 "are valid indices (got " + type(k).__name__ + ")")
        if isinstance(k, slice) and k.step is not None and k.step <= 0:
            raise ValueError("step must be greater than zero")
        out.append(k)
    _check_bounds(out, x.shape)
    return tuple(out), basic


def _consumed(k):
    """How many dimensions of the indexed tensor a key element uses."""
    if k is None or k is Ellipsis:
        return 0
    if hasattr(k, 'dtype') and k.dtype == np.bool_:
        return k.ndim
    return 1


def _check_bounds(key, shape):
    """Raise torch's IndexError for out-of-range integer and mask indices."""
    used = sum(_consumed(k) for k in key)
    if used > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    dim = 0
    for k in key:
        if k is Ellipsis:
            dim += len(shape) - used
            continue
        if k is None:
            continue
        if isinstance(k, (int, np.integer)):
            size = shape[dim]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
        elif hasattr(k, 'dtype') and k.dtype == np.bool_:
            for j, s in enumerate(k.shape):
                if shape[dim + j] != s:
                    raise IndexError(f"The shape of the mask {list(k.shape)} at index {j} does not match the shape "
                                     f"of the indexed tensor {list(shape)} at index {dim + j}")
        elif hasattr(k, 'dtype') and k.size:
            size, hi, lo = shape[dim], int(k.max()), int(k.min())
            if hi >= size or lo < -size:
                raise IndexError(f"index {hi if hi >= size else lo} is out of bounds for dimension {dim} with "
                                 f"size {size}")
        dim += _consumed(k)


class Index(Function):
    """``x[key]`` for an advanced key (a copy)."""
    raw = True

    @staticmethod
    def forward(ctx, x, key):
        ctx.key, ctx.shape = key, x.shape
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, key=ctx.key, shape=ctx.shape)


class Slice(Index):
    """``x[key]`` for a basic key (a view)."""
    raw = True
    is_view = True

    @staticmethod
    def forward(ctx, x, key):
        ctx.key, ctx.shape = key, x.shape
        # A trailing Ellipsis makes NumPy return a 0-d view instead of a scalar copy for x[i, j].
        return x[key] if any(k is Ellipsis for k in key) else x[key + (Ellipsis,)]


class IndexAdd(Function):
    """Zeros of ``shape`` with ``grad`` added at ``key`` (repeated indices accumulate)."""
    raw = True

    @staticmethod
    def forward(ctx, grad, key, shape):
        ctx.key = key
        xp = backend.get_array_module(grad)
        out = xp.zeros(shape, grad.dtype)
        if any(hasattr(k, 'dtype') and k.dtype != np.bool_ for k in key):
            xp.add.at(out, key, grad) if xp is np else out.scatter_add(key, grad)
        else:
            out[key] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        return getitem(grad, ctx.key, _converted=True)


class IndexPut(Function):
    """``x`` with ``value`` written at ``key`` (out of place)."""
    raw = True

    @staticmethod
    def forward(ctx, x, value, key):
        ctx.key = key
        out = x.copy()
        if hasattr(value, 'dtype') and value.dtype != out.dtype:
            value = value.astype(out.dtype)
        out[key] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = IndexPut.apply(grad, 0.0, key=ctx.key) if ctx.needs_input_grad[0] else None
        gv = getitem(grad, ctx.key, _converted=True) if ctx.needs_input_grad[1] else None
        return gx, gv


def getitem(self, key, _converted=False):
    """``self[key]`` with torch's view/copy semantics and IndexError for bad indices."""
    if _converted:
        k, basic = key, not any(hasattr(j, 'dtype') for j in key)
    else:
        k, basic = _convert_key(key, self._data)
    return Slice.apply(self, key=k) if basic else Index.apply(self, key=k)


def setitem(self, key, value):
    """``self[key] = value``; records autograd when self or value requires grad."""
    k, _ = _convert_key(key, self._data)
    if isinstance(value, Tensor):
        if grad_mode.state.enabled and (value.requires_grad or self.requires_grad):
            inplace.apply_inplace(self, lambda old, v: IndexPut.apply(old, v, key=k), value)
            return
        value = backend.to_device_array(value._data, self.device)
    elif not isinstance(value, (int, float, bool, complex, np.generic, np.ndarray)):
        raise TypeError(f"can't assign a {type(value).__name__} to a {self.type()}")
    elif grad_mode.state.enabled and self.requires_grad:
        inplace.apply_inplace(self, lambda old: IndexPut.apply(old, value, key=k))
        return
    inplace.check_leaf(self)
    try:
        self._data[k] = value
    except ValueError as e:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(value))} cannot be broadcast "
                           f"to indexing result of shape {list(self._data[k].shape)}") from None
    self._version[0] += 1


def index_put(input, indices, values, accumulate=False):
    """Out-of-place ``input[indices] = values`` (or ``+=`` with accumulate)."""
    k, _ = _convert_key(tuple(indices), input._data)
    if accumulate:
        return input + IndexAdd.apply(values.expand(input[k].shape) if values.shape != input[k].shape else values,
                                      key=k, shape=input.shape)
    return IndexPut.apply(input, values, key=k)


TENSOR_METHODS = ('index_put',)
__all__ = ('index_put',)
