"""Indexing by key and by mask: ``x[key]``, ``x[key] = value``, masked_fill, masked_select.

Basic keys (ints, slices, None, Ellipsis) give views that share memory;
integer/bool tensor or list keys give copies, as in torch. The backward of
indexing scatters the gradient into zeros (``IndexAdd``), whose backward is
indexing again, so both have derivatives of every order.
"""
import numpy as np

from .. import backend
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from . import inplace
from ._util import wrap_dim


def _convert_key(key, x):
    """Turn a torch-style key into a NumPy key; return (key, is_basic)."""
    if not isinstance(key, tuple):
        key = (key,)
    out, basic = [], True
    for k in key:
        if isinstance(k, Tensor):
            k = k._data
            if k.dtype == np.uint8:  # torch's legacy byte masks
                k = k.astype(np.bool_)
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
            elif isinstance(k, str):
                raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
            else:
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                                 "are valid indices (got " + type(k).__name__ + ")")
        if isinstance(k, slice) and k.step is not None and k.step <= 0:
            raise ValueError("slice step cannot be zero" if k.step == 0 else "step must be greater than zero")
        out.append(k)
    _check_bounds(out, x.shape)
    if not basic and backend.is_cuda_array(x):
        # torch accepts CPU index tensors for CUDA tensors; CuPy wants its own arrays.
        from ..device import device_of
        out = [backend.to_device_array(k, device_of(x)) if hasattr(k, 'dtype') else k for k in out]
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
    if used and not shape and any(isinstance(k, (int, np.integer)) for k in key):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                         "C++ to convert a 0-dim tensor to a number")
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


# torch records one node per key element; ember records one, named after the last one torch would record.
class Select(Slice):
    """A basic index ending in an integer (a view)."""
    raw = True
    is_view = True


class Unsqueeze(Slice):
    """A basic index ending in None (a view)."""
    raw = True
    is_view = True


class Alias(Slice):
    """A basic index that selects everything (a view)."""
    raw = True
    is_view = True


def _basic_node(key):
    for k in reversed(key):
        if k is None:
            return Unsqueeze
        if isinstance(k, slice):
            if k != slice(None):
                return Slice
        elif k is not Ellipsis:
            return Select
    return Alias


class IndexAdd(Function):
    """Zeros of ``shape`` with ``grad`` added at ``key`` (repeated indices accumulate)."""
    raw = True

    @staticmethod
    def forward(ctx, grad, key, shape):
        ctx.key = key
        xp = backend.get_array_module(grad)
        out = xp.zeros(shape, grad.dtype)
        if any(hasattr(k, 'dtype') and k.dtype != np.bool_ for k in key):
            add_at(out, key, grad)
        else:
            out[key] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        return getitem(grad, ctx.key, _converted=True)


def add_at(out, key, values):
    """``out[key] += values`` with repeated indices accumulating (NumPy's ``add.at``, CuPy's ``scatter_add``)."""
    if backend.get_array_module(out) is np:
        np.add.at(out, key, values)
    else:
        out.scatter_add(key, values)


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


class CopySlices(IndexPut):
    """``IndexPut`` as recorded by ``x[key] = v`` and by in-place ops on views (torch's node name)."""
    raw = True


CopySlices._backward_cls.__name__ = CopySlices._backward_cls.__qualname__ = 'CopySlices'


def _fast_basic_key(key, shape):
    """``key`` as a tuple when it is only ints and forward slices within ``shape`` (the common case), else None."""
    if type(key) is not tuple:
        key = (key,)
    if len(key) > len(shape):
        return None
    for k, size in zip(key, shape):
        t = type(k)
        if t is int:
            if not -size <= k < size:
                return None
        elif t is not slice or (k.step is not None and (type(k.step) is not int or k.step <= 0)):
            return None
    return key


def getitem(self, key, _converted=False):
    """``self[key]`` with torch's view/copy semantics and IndexError for bad indices."""
    fast = None if _converted else _fast_basic_key(key, self._data.shape)
    if fast is not None:
        return _basic_node(fast).apply(self, key=fast)
    if _converted:
        k, basic = key, not any(hasattr(j, 'dtype') for j in key)
    else:
        k, basic = _convert_key(key, self._data)
    return _basic_node(k).apply(self, key=k) if basic else Index.apply(self, key=k)


def setitem(self, key, value):
    """``self[key] = value``; records autograd when self or value requires grad."""
    k, _ = _convert_key(key, self._data)
    if isinstance(value, Tensor):
        if grad_mode.state.enabled and (value.requires_grad or self.requires_grad):
            inplace.apply_inplace(self, lambda old, v: CopySlices.apply(old, v, key=k), value)
            return
        value = backend.to_device_array(value._data, self.device)
    elif not isinstance(value, (int, float, bool, complex, np.generic, np.ndarray)):
        raise TypeError(f"can't assign a {type(value).__name__} to a {self.type()}")
    elif grad_mode.state.enabled and self.requires_grad:
        inplace.apply_inplace(self, lambda old: CopySlices.apply(old, value, key=k))
        return
    inplace.check_leaf(self)
    try:
        inplace.writable(self)[k] = value
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


def _bool_mask(mask, op):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{op}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {mask.dtype}")
    return mask._data


def broadcast_shapes(a, b):
    """The broadcast of two shapes; torch's RuntimeError naming the clashing sizes otherwise."""
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        for i in range(1, max(len(a), len(b)) + 1):
            x = a[-i] if i <= len(a) else 1
            y = b[-i] if i <= len(b) else 1
            if x != y and x != 1 and y != 1:
                raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                                   f"non-singleton dimension {max(len(a), len(b)) - i}") from None
        raise


# ---- masks -------------------------------------------------------------------------------------

class MaskedFill(Function):
    """``value`` where the mask is True."""
    raw = True

    @staticmethod
    def forward(ctx, x, value, mask):
        ctx.mask = mask
        return np.where(mask, np.asarray(value).astype(x.dtype), x)

    @staticmethod
    def backward(ctx, grad):
        mask = Tensor._wrap(ctx.mask)
        gx = MaskedFill.apply(grad, 0, mask=ctx.mask) if ctx.needs_input_grad[0] else None
        gv = None
        if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:
            gv = (grad * mask).sum()
        return gx, gv


def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True (mask broadcasts to input)."""
    m = _bool_mask(mask, 'masked_fill_')
    if broadcast_shapes(input.shape, m.shape) != tuple(input.shape):
        raise RuntimeError(f"The expanded size of the tensor ({input.shape[-1] if input.ndim else 1}) must match "
                           f"the existing size ({m.shape[-1]}) of the mask")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        if not value.requires_grad:
            value = value.item()
    return MaskedFill.apply(input, value, mask=m)


class MaskedSelect(Function):
    """The masked elements as a 1-D copy."""
    raw = True

    @staticmethod
    def forward(ctx, x, mask):
        shape = np.broadcast_shapes(x.shape, mask.shape)
        ctx.mask = np.broadcast_to(mask, shape)
        ctx.shape = shape
        return np.broadcast_to(x, shape)[ctx.mask]

    @staticmethod
    def backward(ctx, grad):
        return IndexPut.apply(grad.new_zeros(ctx.shape), grad, key=(ctx.mask,))


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor."""
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    broadcast_shapes(input.shape, mask.shape)
    return MaskedSelect.apply(input, mask=mask._data)


def masked_scatter(input, mask, source):
    """``input`` with consecutive elements of ``source`` written where ``mask`` is True."""
    m = _bool_mask(mask, 'masked_scatter_')
    m = np.broadcast_to(m, input.shape)
    n = int(m.sum())
    if source.numel() < n:
        raise RuntimeError("masked_scatter: expected source to have at least as many elements as ones in mask")
    return IndexPut.apply(input, source.reshape(-1)[:n], key=(m,))


# ---- strided views: select, unfold ------------------------------------------------------------

def select(input, dim, index):
    """The slice ``index`` of dimension ``dim``, without that dimension (a view)."""
    d = wrap_dim(dim, input.ndim, 'select')
    return getitem(input, (slice(None),) * d + (index,))


class Unfold(Function):
    """Sliding windows along a dim, as a strided view."""
    raw = True
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.args, ctx.shape = (dim, size, step), x.shape
        n = (x.shape[dim] - size) // step + 1 if x.ndim else 1
        shape = x.shape[:dim] + (n,) + x.shape[dim + 1:] + (size,)
        st = x.strides if x.ndim else (x.itemsize,)
        strides = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
        xp = backend.get_array_module(x)
        return xp.lib.stride_tricks.as_strided(x, shape if x.ndim else (size,), strides if x.ndim else st)

    @staticmethod
    def backward(ctx, grad):
        # Windows overlap when step < size: scatter-add every window element back to its position.
        from .selection import IndexAdd  # selection builds on this module
        dim, size, step = ctx.args
        if len(ctx.shape) == 0:
            return grad.reshape(())
        n = grad.shape[dim]
        xp = backend.get_array_module(grad._data)
        pos = (xp.arange(n)[:, None] * step + xp.arange(size)[None, :]).reshape(-1)
        g = grad.movedim(-1, dim + 1).flatten(dim, dim + 1)
        return IndexAdd.apply(grad.new_zeros(ctx.shape), g, dim=dim, index=pos, alpha=1)


def unfold(input, dimension, size, step):
    """A view of all windows of ``size`` elements along ``dimension``, ``step`` apart, as a new last dim."""
    d = wrap_dim(dimension, input.ndim, 'unfold')
    length = input.shape[d] if input.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, dim=d, size=int(size), step=int(step))


TENSOR_METHODS = ('index_put', 'masked_fill', 'masked_select', 'masked_scatter', 'select', 'unfold')
INPLACE = ('index_put', 'masked_fill', 'masked_scatter')
__all__ = ('index_put', 'masked_fill', 'masked_select', 'masked_scatter', 'select')
