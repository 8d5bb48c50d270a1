"""Running reductions along one dim: cumsum and cumprod (re-exported by reduction.py)."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import wrap_dim


def _int_to_long(x, dtype):
    # torch accumulates integers and bools as int64
    if dtype is None and x.dtype.kind in 'bui' and x.dtype != np.uint64:
        return np.int64
    return dtype


def _np_dtype(dtype):
    return None if dtype is None else dtypes.to_dtype(dtype).np


class Cumsum(Function):
    """Running sum; its backward is the running sum in the other direction."""
    raw = True

    @staticmethod
    def forward(ctx, x, dim=0, dtype=None, reverse=False):
        ctx.dim, ctx.reverse = dim, reverse
        dtype = _int_to_long(x, dtype)
        if x.ndim == 0:
            return x.astype(dtype or x.dtype)
        if reverse:
            return np.flip(np.cumsum(np.flip(x, dim), axis=dim, dtype=dtype), dim).copy()
        return np.cumsum(x, axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        # d(cumsum)/dx sums the gradient from each position to the end.
        return Cumsum.apply(grad, dim=ctx.dim, reverse=not ctx.reverse)


class Cumprod(Function):
    """Running product."""
    raw = True

    @staticmethod
    def forward(ctx, x, dim=0, dtype=None):
        out = x.astype(_int_to_long(x, dtype) or x.dtype) if x.ndim == 0 else \
            np.cumprod(x, axis=dim, dtype=_int_to_long(x, dtype))
        ctx.save_for_backward(x, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        if x.ndim == 0:
            return grad
        if not (x._data == 0).any():
            return Cumsum.apply(grad * out, dim=ctx.dim, reverse=True) / x
        return Tensor._wrap(_cumprod_grad_with_zeros(x._data, grad._data, ctx.dim))  # first order only


def _cumprod_grad_with_zeros(x, g, dim):
    """Gradient of cumprod along ``dim`` when ``x`` has zeros, one row at a time for rows with zeros."""
    x, g = np.moveaxis(x, dim, -1), np.moveaxis(g, dim, -1)
    y = np.cumprod(x, axis=-1)
    with np.errstate(divide='ignore', invalid='ignore'):
        out = np.flip(np.cumsum(np.flip(g * y, -1), -1), -1) / x
    for idx in zip(*np.nonzero((x == 0).any(-1))):
        row, grow = x[idx], g[idx]
        z = int(np.argmax(row == 0))
        r = np.zeros_like(row)
        r[:z] = out[idx][:z]
        before = y[idx][z - 1] if z else 1
        after = np.cumprod(np.concatenate([[1], row[z + 1:]]))
        r[z] = before * np.sum(grow[z:] * after)
        out[idx] = r
    return np.moveaxis(out, -1, dim)


def cumsum(input, dim=None, *, dtype=None, axis=None):
    """Running sum along ``dim``."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    if dim is None:
        raise TypeError("cumsum() missing 1 required positional arguments: \"dim\"")
    return Cumsum.apply(input, dim=wrap_dim(dim, input.ndim, 'cumsum'), dtype=_np_dtype(dtype))


def cumprod(input, dim=None, *, dtype=None, axis=None):
    """Running product along ``dim``."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    if dim is None:
        raise TypeError("cumprod() missing 1 required positional arguments: \"dim\"")
    return Cumprod.apply(input, dim=wrap_dim(dim, input.ndim, 'cumprod'), dtype=_np_dtype(dtype))


__all__ = ('cumsum', 'cumprod')
