"""softmax and log_softmax as fused, numerically stable primitives.

Both subtract the row maximum before exponentiating, so large logits do not
overflow. Their backward needs only the output:

    softmax:      dx = y * (g - sum(g * y))
    log_softmax:  dx = g - exp(y) * sum(g)

A plain backward (no ``create_graph``) evaluates that on arrays directly;
under ``create_graph`` it is written with Tensor ops so it differentiates again.
"""
import warnings

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import wrap_dim, c10_name


def _shifted(x, dim):
    """``x - max(x)`` along ``dim`` (rows that are all -inf stay -inf instead of becoming nan)."""
    m = np.max(x, axis=dim, keepdims=True)
    if x.dtype.kind == 'f' and not np.isfinite(m).all():
        m = np.where(np.isinf(m), 0, m)
    return x - m


class Softmax(Function):
    """Fused, stable softmax along one dim."""
    raw = True

    @staticmethod
    def forward(ctx, x, dim):
        e = np.exp(_shifted(x, dim))
        y = e / np.sum(e, axis=dim, keepdims=True)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        d = ctx.dim
        if not grad_mode.state.enabled:
            g, yd = grad._data, y._data
            gy = g * yd
            return Tensor._wrap(gy - yd * np.sum(gy, axis=d, keepdims=True))
        return y * (grad - (grad * y).sum(d, keepdim=True))


class LogSoftmax(Function):
    """Fused, stable log_softmax along one dim."""
    raw = True

    @staticmethod
    def forward(ctx, x, dim):
        s = _shifted(x, dim)
        y = s - np.log(np.sum(np.exp(s), axis=dim, keepdims=True))
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        d = ctx.dim
        if not grad_mode.state.enabled:
            g = grad._data
            return Tensor._wrap(g - np.exp(y._data) * np.sum(g, axis=d, keepdims=True))
        return grad - y.exp() * grad.sum(d, keepdim=True)


def _prepare(input, dim, dtype, op):
    if dim is None:
        # torch's legacy implicit dim, with its warning
        warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call to include "
                      "dim=X as an argument.", stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    if dtype is not None:
        input = input.to(dtype)
    elif not input.is_floating_point():
        d = wrap_dim(dim, input.ndim, op)
        kernel = 'lastdim_kernel_impl' if d == input.ndim - 1 else 'kernel_impl'
        raise NotImplementedError(f"\"{op}_{kernel}\" not implemented for '{c10_name(input.dtype)}'")
    return input, wrap_dim(dim, input.ndim, op)


def softmax(input, dim=None, dtype=None, *, _stacklevel=3):
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably.

    Example::

        >>> ember.softmax(ember.tensor([1., 2., 3.]), dim=0)
        tensor([0.0900, 0.2447, 0.6652])
    """
    x, d = _prepare(input, dim, dtype, 'softmax')
    if x.ndim == 0:
        return Softmax.apply(x.reshape(1), dim=0).reshape(())
    return Softmax.apply(x, dim=d)


def log_softmax(input, dim=None, dtype=None, *, _stacklevel=3):
    """``x - log(sum(exp(x)))`` along ``dim``, computed stably."""
    x, d = _prepare(input, dim, dtype, 'log_softmax')
    if x.ndim == 0:
        return LogSoftmax.apply(x.reshape(1), dim=0).reshape(())
    return LogSoftmax.apply(x, dim=d)


TENSOR_METHODS = ('softmax', 'log_softmax')
__all__ = TENSOR_METHODS
