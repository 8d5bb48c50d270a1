"""Reductions over dimensions: sum, mean, prod, var/std, logsumexp, norm, all/any.

The value-selecting reductions (max, min, amax, median, argmax...) live in
``extrema.py``, cumsum/cumprod in ``cumulative.py``; both are re-exported here.
Every backward broadcasts the reduced gradient back with ``expand_reduced``.
"""
import builtins
import math

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import wrap_dims, expand_reduced, float_only, masked_where, as_float
from .extrema import max, min, median, amax, amin, argmax, argmin, return_types  # noqa: F401
from .cumulative import cumsum, cumprod  # noqa: F401


def _int_to_long(x, dtype):
    # torch sums and multiplies integers and bools as int64
    if dtype is None and x.dtype.kind in 'bui' and x.dtype != np.uint64:
        return np.int64
    return dtype


class Sum(Function):
    """Sum over dims; the gradient is broadcast back."""
    raw = True

    @staticmethod
    def forward(ctx, x, dims=(), keepdim=False, dtype=None):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if dtype is None and x.dtype == np.float16:  # torch accumulates half in float32
            return x.sum(axis=dims, keepdims=keepdim, dtype=np.float32).astype(np.float16)
        # the ndarray method skips np.sum's dispatch layer (about half the cost on small tensors)
        return x.sum(axis=dims, keepdims=keepdim, dtype=_int_to_long(x, dtype))

    @staticmethod
    def backward(ctx, grad):
        return expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim)


class Mean(Function):
    """Mean over dims; the gradient is broadcast back, divided by the count."""
    raw = True

    @staticmethod
    def forward(ctx, x, dims=(), keepdim=False, dtype=None):
        if dtype is None and x.dtype.kind not in 'fc':
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
                f"dtype. Got: {dtypes.from_numpy_dtype(x.dtype).name.capitalize()}")
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.count = math.prod([x.shape[d] for d in dims])
        if x.size == 0:  # nan, silently, as torch
            with np.errstate(invalid='ignore', divide='ignore'):
                return x.mean(axis=dims, keepdims=keepdim, dtype=dtype)
        if dtype is None and (x.dtype == np.float32 or x.dtype == np.float64):
            return x.sum(axis=dims, keepdims=keepdim) / ctx.count  # ndarray.mean costs 4x more on small inputs
        return x.mean(axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return expand_reduced(grad / ctx.count, ctx.shape, ctx.dims, ctx.keepdim)


class Prod(Function):
    """Product over dims; d/dx_i = prod / x_i (product of the others where zeros occur)."""
    raw = True

    @staticmethod
    def forward(ctx, x, dims=(), keepdim=False, dtype=None):
        out = np.prod(x, axis=dims, keepdims=keepdim, dtype=_int_to_long(x, dtype))
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        g = expand_reduced(grad, x.shape, ctx.dims, ctx.keepdim)
        if not (x._data == 0).any():
            return g * expand_reduced(out, x.shape, ctx.dims, ctx.keepdim) / x
        # With zeros, out / x is 0/0: use the product of the other elements instead
        # (first-order only; torch's formula is no more differentiable here).
        return g * Tensor._wrap(_prod_of_others(x._data, ctx.dims))


def _prod_of_others(x, dims):
    """For each element, the product of the other elements of its reduction group."""
    moved = np.moveaxis(x, dims, tuple(range(x.ndim - len(dims), x.ndim)))
    flat = moved.reshape(moved.shape[:moved.ndim - len(dims)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.flip(np.cumprod(np.flip(np.concatenate([flat[..., 1:], ones], axis=-1), -1), axis=-1), -1)
    return np.moveaxis((left * right).reshape(moved.shape), tuple(range(x.ndim - len(dims), x.ndim)), dims)


class Var(Function):
    """Variance with a Bessel correction; d/dx = 2 (x - mean) / (n - correction)."""
    raw = True

    @staticmethod
    def forward(ctx, x, dims=(), keepdim=False, correction=1):
        float_only(x, 'var')
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.denom = _denominator(x, dims, correction)
        with np.errstate(invalid='ignore', divide='ignore'):
            return _var(x, dims, keepdim, ctx.denom)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        centred = x - x.mean(ctx.dims, keepdim=True)
        scale = 2.0 / ctx.denom if ctx.denom else math.inf  # n <= correction: nan, as torch
        return expand_reduced(grad, x.shape, ctx.dims, ctx.keepdim) * centred * scale


class Std(Function):
    """Standard deviation; d/dx = (x - mean) / ((n - correction) std)."""
    raw = True

    @staticmethod
    def forward(ctx, x, dims=(), keepdim=False, correction=1):
        float_only(x, 'std')
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.denom = _denominator(x, dims, correction)
        with np.errstate(invalid='ignore', divide='ignore'):
            out = np.sqrt(_var(x, dims, keepdim, ctx.denom))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        centred = x - x.mean(ctx.dims, keepdim=True)
        std = expand_reduced(out, x.shape, ctx.dims, ctx.keepdim)
        g = expand_reduced(grad, x.shape, ctx.dims, ctx.keepdim) * centred / (std * ctx.denom)
        return masked_where(std._data == 0, 0.0, g)  # torch: zero gradient where std is 0


def _denominator(x, dims, correction):
    n = math.prod([x.shape[d] for d in dims])
    return builtins.max(n - correction, 0)


def _var(x, dims, keepdim, denom):
    mean = np.mean(x, axis=dims, keepdims=True)
    sq = np.abs(x - mean) ** 2 if x.dtype.kind == 'c' else np.square(x - mean)
    return (np.sum(sq, axis=dims, keepdims=keepdim) / denom).astype(sq.dtype.type(0).real.dtype, copy=False)



class Logsumexp(Function):
    """log(sum(exp(x))) computed from the maximum; d/dx = exp(x - out)."""
    raw = True

    @staticmethod
    def forward(ctx, x, dims=(), keepdim=False):
        x = as_float(x)
        m = np.max(x, axis=dims, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
        m = np.where(np.isinf(m), 0, m)  # an all -inf row would give inf - inf = nan
        with np.errstate(divide='ignore'):
            out = np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True)) + m
        if not keepdim:
            out = out.squeeze(dims)
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        full = expand_reduced(out, x.shape, ctx.dims, ctx.keepdim)
        return expand_reduced(grad, x.shape, ctx.dims, ctx.keepdim) * (x - full).exp()


class LinalgVectorNorm(Function):
    """Vector p-norm (p = 0, 1, 2, inf, -inf or any number) over dims."""
    raw = True

    @staticmethod
    def forward(ctx, x, ord=2, dims=(), keepdim=False):
        float_only(x, 'linalg.vector_norm')
        a = np.abs(x)
        if ord == 2:
            out = np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
        elif ord == 1:
            out = np.sum(a, axis=dims, keepdims=keepdim)
        elif ord == math.inf:
            out = np.max(a, axis=dims, keepdims=keepdim)
        elif ord == -math.inf:
            out = np.min(a, axis=dims, keepdims=keepdim)
        elif ord == 0:
            out = np.sum(a != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
        else:
            with np.errstate(divide='ignore'):
                out = np.sum(a ** ord, axis=dims, keepdims=keepdim) ** (1.0 / ord)
        out = out.astype(a.dtype, copy=False)  # save exactly the object returned: it is then saved as the output
        ctx.save_for_backward(x, out)
        ctx.ord, ctx.dims, ctx.keepdim = ord, dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        p = ctx.ord
        g = expand_reduced(grad, x.shape, ctx.dims, ctx.keepdim)
        norm = expand_reduced(out, x.shape, ctx.dims, ctx.keepdim)
        if p == 0:
            return g * 0
        if p == 1:
            return g * x.sign()
        if p == 2:
            return masked_where(norm._data == 0, 0.0, g * x / norm)
        if p in (math.inf, -math.inf):
            mask = np.abs(x._data) == norm._data
            share = mask / mask.sum(axis=ctx.dims, keepdims=True)
            return g * x.sign() * Tensor._wrap(share.astype(x._data.dtype, copy=False))
        ax = x.abs()
        return masked_where(norm._data == 0, 0.0, g * x.sign() * ax ** (p - 1) / norm ** (p - 1))


def _np_dtype(dtype):
    return None if dtype is None else dtypes.to_dtype(dtype).np


def _reduce_dims(dim, ndim, op):
    """Dims to reduce; as in torch, an empty list means every dim (not none)."""
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    return wrap_dims(dim, ndim, op)


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Sum over ``dim`` (all dims when None); integers and bools sum as int64."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    dims = _reduce_dims(dim, input.ndim, 'sum')
    return Sum.apply(input, dims=dims, keepdim=keepdim, dtype=_np_dtype(dtype))


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Mean over ``dim`` (all dims when None); needs a floating input or ``dtype``."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    dims = _reduce_dims(dim, input.ndim, 'mean')
    return Mean.apply(input, dims=dims, keepdim=keepdim, dtype=_np_dtype(dtype))


def prod(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Product of all elements, or over one ``dim``."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    dims = wrap_dims(dim, input.ndim, 'prod')
    return Prod.apply(input, dims=dims, keepdim=keepdim, dtype=_np_dtype(dtype))


def _var_args(input, dim, unbiased, keepdim, correction, op):
    if isinstance(dim, bool):  # var(x, True): the old positional ``unbiased``
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise RuntimeError(f"{op}(): cannot specify both 'unbiased' and 'correction'")
    return _reduce_dims(dim, input.ndim, op), keepdim, correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
    """Variance over ``dim`` with Bessel's ``correction`` (1 unless ``unbiased=False``)."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    dims, keepdim, c = _var_args(input, dim, unbiased, keepdim, correction, 'var')
    return Var.apply(input, dims=dims, keepdim=keepdim, correction=c)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
    """Standard deviation over ``dim`` with Bessel's ``correction`` (1 unless ``unbiased=False``)."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    dims, keepdim, c = _var_args(input, dim, unbiased, keepdim, correction, 'std')
    return Std.apply(input, dims=dims, keepdim=keepdim, correction=c)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``."""
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim if not isinstance(dim, bool) else None, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim if not isinstance(dim, bool) else None, keepdim))


def logsumexp(input, dim=None, keepdim=False, *, axis=None):
    """``log(sum(exp(input)))`` over ``dim``, computed without overflow."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    return Logsumexp.apply(input, dims=wrap_dims(dim, input.ndim, 'logsumexp'), keepdim=keepdim)


def norm(input, p='fro', dim=None, keepdim=False, dtype=None):
    """Vector p-norm over ``dim`` (all dims when None); p may be a number, inf, -inf or 'fro'."""
    if p == 'fro' or p is None:
        p = 2
    elif isinstance(p, str):
        raise RuntimeError(f"norm(): p={p!r} is not supported by ember (only numbers, inf and 'fro')")
    if dtype is not None:
        input = input.to(dtype)
    return LinalgVectorNorm.apply(input, ord=float(p), dims=_reduce_dims(dim, input.ndim, 'norm'), keepdim=keepdim)


def _logical_reduction(np_fn, op, input, dim, keepdim):
    x = input._data
    dims = wrap_dims(dim, x.ndim, op)
    out = np_fn(x, axis=dims, keepdims=keepdim)
    # torch keeps uint8 for uint8 inputs and returns bool otherwise
    return Tensor._wrap(out.astype(np.uint8) if x.dtype == np.uint8 else np.asarray(out))


def all(input, dim=None, keepdim=False, *, axis=None):
    """True when every element (over ``dim``) is non-zero."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    return _logical_reduction(np.all, 'all', input, dim, keepdim)


def any(input, dim=None, keepdim=False, *, axis=None):
    """True when some element (over ``dim``) is non-zero."""
    if axis is not None:  # numpy's spelling, which torch accepts too
        dim = axis
    return _logical_reduction(np.any, 'any', input, dim, keepdim)


def count_nonzero(input, dim=None):
    """Number of non-zero elements (over ``dim``), as int64."""
    dims = wrap_dims(dim, input.ndim, 'count_nonzero')
    return Tensor._wrap(np.asarray(np.sum(input._data != 0, axis=dims), dtype=np.int64))


TENSOR_METHODS = ('sum', 'mean', 'prod', 'var', 'std', 'logsumexp', 'norm', 'cumsum', 'cumprod', 'all', 'any',
                  'count_nonzero', 'max', 'min', 'median', 'amax', 'amin', 'argmax', 'argmin')
INPLACE = ('cumsum', 'cumprod')
__all__ = TENSOR_METHODS + ('var_mean', 'std_mean')
