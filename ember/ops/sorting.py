"""Sorting and counting: sort, argsort, topk, unique, bincount.

``sort`` and ``topk`` are index-selecting: their gradient goes back to the
positions the values came from (see ``extrema.IndexSelecting``).
"""
import numpy as np

from ..tensor import Tensor
from ._util import wrap_dim, c10_name
from .extrema import IndexSelecting, return_types


def _sort_order(x, dim, descending):
    """Indices that sort ``x`` along ``dim``; NaN counts as the largest value, as in torch."""
    if not descending:
        # always stable: torch's CPU sort keeps equal elements in order even when not asked to
        return np.argsort(x, axis=dim, kind='stable')
    if x.dtype.kind in 'bu':
        x = x.astype(np.int64)
    key = -x
    if key.dtype.kind == 'f':
        key = np.where(np.isnan(key), -np.inf, key)  # NaN first when descending
    # A stable sort of the negated values keeps equal elements in their original order.
    return np.argsort(key, axis=dim, kind='stable')


class Sort(IndexSelecting):
    """sort along one dim: (values, indices)."""
    raw = True

    @staticmethod
    def select(x, dim, descending=False, stable=False):
        return _sort_order(x, dim, descending)


class Topk(IndexSelecting):
    """The k largest (or smallest) along one dim: (values, indices)."""
    raw = True

    @staticmethod
    def select(x, dim, k=1, largest=True):
        if not 0 <= k <= x.shape[dim]:
            raise RuntimeError("selected index k out of range")
        order = _sort_order(x, dim, largest)
        return np.take(order, np.arange(k), axis=dim)


def sort(input, dim=-1, descending=False, *, stable=False):
    """Sorted values along ``dim`` and the indices they came from, as a ``(values, indices)`` named tuple."""
    d = wrap_dim(dim, input.ndim, 'sort')
    values, indices = Sort.apply(input, dim=d, keepdim=True, descending=descending, stable=stable)
    return return_types['sort'](values, indices)


def argsort(input, dim=-1, descending=False, *, stable=False):
    """Indices that sort ``input`` along ``dim``."""
    x = input._data
    if x.ndim == 0:
        return Tensor._wrap(np.zeros((), dtype=np.int64))
    d = wrap_dim(dim, x.ndim, 'argsort')
    return Tensor._wrap(_sort_order(x, d, descending).astype(np.int64, copy=False))


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, as a named tuple."""
    d = wrap_dim(dim, input.ndim, 'topk')
    if input.ndim == 0:
        if k not in (0, 1):
            raise RuntimeError("selected index k out of range")
        values, indices = Topk.apply(input, dim=d, keepdim=True)
    else:
        values, indices = Topk.apply(input, dim=d, keepdim=True, k=int(k), largest=largest)
    return return_types['topk'](values, indices)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along ``dim``), sorted; optionally inverse indices and counts."""
    x = input._data
    if dim is None:
        values, inverse, counts = np.unique(x.reshape(-1), return_inverse=True, return_counts=True)
        inverse = inverse.reshape(x.shape)
    else:
        d = wrap_dim(dim, x.ndim, 'unique')
        values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    out = [Tensor._wrap(values)]
    if return_inverse:
        out.append(Tensor._wrap(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(Tensor._wrap(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input, weights=None, minlength=0):
    """Count of each value 0..max in a 1-D non-negative integer tensor (summing ``weights`` if given)."""
    x = input._data
    if x.dtype.kind not in 'iub':
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{c10_name(x.dtype)}'")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return Tensor._wrap(np.bincount(x, minlength=minlength).astype(np.int64, copy=False))
    w = weights._data
    if w.shape != x.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    # torch keeps float32 weights as float32 and accumulates everything else in float64
    dt = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
    return Tensor._wrap(np.bincount(x, weights=w, minlength=minlength).astype(dt, copy=False))


TENSOR_METHODS = ('sort', 'argsort', 'topk', 'unique', 'bincount')
__all__ = TENSOR_METHODS
