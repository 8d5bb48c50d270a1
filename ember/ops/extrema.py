"""Value-selecting reductions: max, min, amax, amin, argmax, argmin, median.

Two gradient rules, as in torch: a reduction *with* a dim returns indices
and sends the whole gradient to the selected element (``IndexSelecting``);
a full reduction (``max()``, ``amax``, ``median()``) shares it evenly among
all elements equal to the result. ``sort`` and ``topk`` reuse the first rule.
"""
from collections import namedtuple

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import wrap_dim, wrap_dims, expand_reduced


def _return_type(name):
    cls = namedtuple(name, ('values', 'indices'))
    cls.__module__ = 'ember.return_types'
    cls.__doc__ = f"``(values, indices)`` returned by ``{name}``, as ``torch.return_types.{name}``."
    cls.__repr__ = lambda self: f"ember.return_types.{name}(\nvalues={self.values},\nindices={self.indices})"
    return cls


return_types = {n: _return_type(n) for n in ('max', 'min', 'median', 'sort', 'topk', 'kthvalue', 'mode')}


class ScatterAlongDim(Function):
    """Zeros of ``shape`` with ``grad`` put at ``index`` along ``dim`` (the backward of GatherAlongDim)."""
    raw = True

    @staticmethod
    def forward(ctx, grad, index, dim, shape):
        ctx.index, ctx.dim = index, dim
        out = np.zeros(shape, dtype=grad.dtype) if type(grad) is np.ndarray else \
            _xp(grad).zeros(shape, dtype=grad.dtype)
        _xp(grad).put_along_axis(out, index, grad, axis=dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        return GatherAlongDim.apply(grad, index=ctx.index, dim=ctx.dim)


class GatherAlongDim(Function):
    """``take_along_axis``: the elements at ``index`` (an array) along ``dim``."""
    raw = True

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.index, ctx.dim, ctx.shape = index, dim, x.shape
        return _xp(x).take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return ScatterAlongDim.apply(grad, index=ctx.index, dim=ctx.dim, shape=ctx.shape)


def _xp(x):
    from ..backend import get_array_module
    return get_array_module(x)


class IndexSelecting(Function):
    """Base of reductions returning ``(values, indices)``: the gradient goes to the chosen elements.

    Subclasses compute ``(values, index)`` in ``select``, where ``index``
    keeps the reduced dim (size k) so that it serves take/put_along_axis.
    """
    raw = True

    @classmethod
    def forward(cls, ctx, x, dim, keepdim=True, **params):
        if x.ndim == 0:  # a 0-d tensor is its own max/sort/median at index 0
            ctx.index, ctx.dim, ctx.shape, ctx.keepdim = None, 0, x.shape, True
            return x.copy(), _xp(x).zeros((), dtype=np.int64)
        index = cls.select(x, dim, **params)
        values = _xp(x).take_along_axis(x, index, axis=dim)
        ctx.index, ctx.dim, ctx.shape, ctx.keepdim = index, dim, x.shape, keepdim
        if not keepdim:
            values, index = values.squeeze(dim), index.squeeze(dim)
        return values, index.astype(np.int64, copy=False)

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        if ctx.index is None:
            return grad
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        return ScatterAlongDim.apply(grad, index=ctx.index, dim=ctx.dim, shape=ctx.shape)


def _check_nonempty(x, dim, op):
    if x.ndim and x.shape[dim] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")


class Max(IndexSelecting):
    """max over one dim: (values, indices)."""
    raw = True

    @staticmethod
    def select(x, dim):
        _check_nonempty(x, dim, 'max')
        return np.expand_dims(np.argmax(x, axis=dim), dim)


class Min(IndexSelecting):
    """min over one dim: (values, indices)."""
    raw = True

    @staticmethod
    def select(x, dim):
        _check_nonempty(x, dim, 'min')
        return np.expand_dims(np.argmin(x, axis=dim), dim)


class Median(IndexSelecting):
    """Lower median over one dim: (values, indices)."""
    raw = True

    @staticmethod
    def select(x, dim):
        _check_nonempty(x, dim, 'median')
        order = np.argsort(x, axis=dim, kind='stable')
        n = x.shape[dim]
        k = (n - 1) // 2   # torch's median is the lower of the two middle values
        if x.dtype.kind != 'f':
            return np.take(order, [k], axis=dim)
        # NaN sorts last; a row holding one has NaN for median, as in torch
        nans = np.isnan(x).sum(axis=dim, keepdims=True)
        return np.take_along_axis(order, np.where(nans > 0, n - nans, k), axis=dim)


Median._backward_cls.__name__ = 'MedianBackward1'


class _EvenReduction(Function):
    """Full or multi-dim max/min/median: ties share the gradient evenly (torch's evenly_distribute)."""
    raw = True
    reducer = None

    @classmethod
    def forward(cls, ctx, x, dims=None, keepdim=False):
        if x.size == 0:
            raise RuntimeError(f"{cls._op}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        dims = tuple(range(x.ndim)) if dims is None else dims
        out = cls.reducer(x, dims, keepdim)
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        full = expand_reduced(out, x.shape, ctx.dims, ctx.keepdim)._data
        mask = x._data == full
        count = mask.sum(axis=ctx.dims, keepdims=True)
        weight = Tensor._wrap((mask / count).astype(x._data.dtype, copy=False))
        return expand_reduced(grad, x.shape, ctx.dims, ctx.keepdim) * weight


def _median_all(x, dims, keepdim):
    flat = np.sort(x.reshape(-1))
    if flat.dtype.kind == 'f' and np.isnan(flat[-1]):  # NaN sorts last and wins, as in torch
        return flat[-1:].reshape(())
    return flat[(flat.size - 1) // 2:(flat.size + 1) // 2].reshape(())


Amax = type('Amax', (_EvenReduction,), {'raw': True, '_op': 'amax',
                                        'reducer': staticmethod(lambda x, d, k: np.max(x, axis=d, keepdims=k))})
Amin = type('Amin', (_EvenReduction,), {'raw': True, '_op': 'amin',
                                        'reducer': staticmethod(lambda x, d, k: np.min(x, axis=d, keepdims=k))})
MaxAll = type('Max', (_EvenReduction,), {'raw': True, '_op': 'max', 'reducer': Amax.reducer})
MinAll = type('Min', (_EvenReduction,), {'raw': True, '_op': 'min', 'reducer': Amin.reducer})
MedianAll = type('Median', (_EvenReduction,), {'raw': True, '_op': 'median', 'reducer': staticmethod(_median_all)})
MaxAll._backward_cls.__name__ = 'MaxBackward1'
MinAll._backward_cls.__name__ = 'MinBackward1'


def _dim_reduction(prim, op, input, dim, keepdim):
    d = wrap_dim(dim, input.ndim, op)
    values, indices = prim.apply(input, dim=d, keepdim=keepdim)
    return return_types[op](values, indices)


def max(input, dim=None, keepdim=False, *, out=None, axis=None):
    """The largest value; with ``dim``, a ``(values, indices)`` named tuple; with a tensor, ``maximum``."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    if isinstance(dim, Tensor):
        from .arithmetic import maximum
        return maximum(input, dim)
    if dim is None:
        return MaxAll.apply(input)
    return _dim_reduction(Max, 'max', input, dim, keepdim)


def min(input, dim=None, keepdim=False, *, out=None, axis=None):
    """The smallest value; with ``dim``, a ``(values, indices)`` named tuple; with a tensor, ``minimum``."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    if isinstance(dim, Tensor):
        from .arithmetic import minimum
        return minimum(input, dim)
    if dim is None:
        return MinAll.apply(input)
    return _dim_reduction(Min, 'min', input, dim, keepdim)


def median(input, dim=None, keepdim=False, *, axis=None):
    """The lower median; with ``dim``, a ``(values, indices)`` named tuple."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    if input.dtype.name == 'bool':
        raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
    if dim is None:
        return MedianAll.apply(input)
    return _dim_reduction(Median, 'median', input, dim, keepdim)


def amax(input, dim=(), keepdim=False, *, axis=None):
    """The maximum over ``dim`` (all dims when empty); ties share the gradient."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    dims = wrap_dims(dim if not isinstance(dim, (tuple, list)) or dim else None, input.ndim, 'amax')
    return Amax.apply(input, dims=dims, keepdim=keepdim)


def amin(input, dim=(), keepdim=False, *, axis=None):
    """The minimum over ``dim`` (all dims when empty); ties share the gradient."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    dims = wrap_dims(dim if not isinstance(dim, (tuple, list)) or dim else None, input.ndim, 'amin')
    return Amin.apply(input, dims=dims, keepdim=keepdim)


def _arg_reduction(np_fn, op, input, dim, keepdim):
    x = input._data
    if x.dtype == np.bool_:
        raise RuntimeError(f"\"{op}_cpu\" not implemented for 'Bool'")
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        idx = np.asarray(np_fn(x.reshape(-1)), dtype=np.int64)
        return Tensor._wrap(idx.reshape((1,) * x.ndim) if keepdim else idx)
    d = wrap_dim(dim, x.ndim, op)
    if x.ndim == 0:
        return Tensor._wrap(np.zeros((), dtype=np.int64))
    if x.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    return Tensor._wrap(np.asarray(np_fn(x, axis=d, keepdims=keepdim), dtype=np.int64))


def argmax(input, dim=None, keepdim=False, *, axis=None):
    """Index of the largest value (of the flattened tensor when ``dim`` is None)."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    return _arg_reduction(np.argmax, 'argmax', input, dim, keepdim)


def argmin(input, dim=None, keepdim=False, *, axis=None):
    """Index of the smallest value (of the flattened tensor when ``dim`` is None)."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    return _arg_reduction(np.argmin, 'argmin', input, dim, keepdim)


__all__ = ('max', 'min', 'median', 'amax', 'amin', 'argmax', 'argmin')
