"""Reductions over dimensions: sum, mean (more live beside them as they are added)."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ._util import wrap_dims


def _expand_back(grad, shape, dims, keepdim):
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdim and dims:
        s = list(grad.shape)
        for d in dims:
            s.insert(d, 1)
        grad = grad.reshape(s)
    return grad.expand(shape)


class Sum(Function):
    raw = True

    @staticmethod
    def forward(ctx, x, dims=(), keepdim=False, dtype=None):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if dtype is None and x.dtype.kind in 'bui' and x.dtype != np.uint64:
            dtype = np.int64  # torch sums integers and bools as int64
        return np.sum(x, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim)


class Mean(Function):
    raw = True

    @staticmethod
    def forward(ctx, x, dims=(), keepdim=False, dtype=None):
        if dtype is None and x.dtype.kind not in 'fc':
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
                f"dtype. Got: {dtypes.from_numpy_dtype(x.dtype).name.capitalize()}")
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.count = int(np.prod([x.shape[d] for d in dims])) if dims else 1
        return np.mean(x, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad / ctx.count, ctx.shape, ctx.dims, ctx.keepdim)


def _np_dtype(dtype):
    return None if dtype is None else dtypes.to_dtype(dtype).np


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim`` (all dims when None)."""
    dims = wrap_dims(dim, input.ndim, 'sum')
    return Sum.apply(input, dims=dims, keepdim=keepdim, dtype=_np_dtype(dtype))


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim`` (all dims when None)."""
    dims = wrap_dims(dim, input.ndim, 'mean')
    return Mean.apply(input, dims=dims, keepdim=keepdim, dtype=_np_dtype(dtype))


TENSOR_METHODS = ('sum', 'mean')
__all__ = ('sum', 'mean')
