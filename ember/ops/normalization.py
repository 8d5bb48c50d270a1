"""The fused normalisation primitive behind batch_norm, layer_norm, group_norm and instance_norm.

``NormAffine`` computes ``y = (x - mean) * invstd * w + b`` with the
statistics taken over ``dims`` (or given, as in eval-mode batch norm). Its
backward is the closed form

    gx = invstd * (gy - mean(gy) - xhat * mean(gy * xhat)),   gy = grad * w

computed on arrays when no graph is being built; under ``create_graph`` it
is the same formula in Tensor ops, with the statistics recomputed from the
input Tensor so that their dependence on x is differentiated too.
"""
import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor


def moments(x, dims):
    """Mean and biased variance over ``dims`` (kept), accumulated in at least float32."""
    mean = x.mean(dims, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(dims, keepdims=True)
    return mean, var


class NormAffine(Function):
    """``(x - mean) * invstd * w + b`` over ``dims``; ``w``/``b`` broadcast to x or are None.

    ``stats=(mean, var)`` (arrays broadcastable to x) uses given statistics
    instead of the batch's; ``save`` (a list) receives the batch mean and
    biased variance for running-statistics updates.
    """
    raw = True

    @staticmethod
    def forward(ctx, x, w, b, dims=(), eps=1e-5, stats=None, save=None):
        if stats is None:
            mean, var = moments(x, dims)
            if save is not None:
                save.extend((mean, var))
        else:
            mean, var = stats
        invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat = (x - mean) * invstd
        y = xhat * w if w is not None else xhat
        if b is not None:
            y = y + b if y is xhat else np.add(y, b, out=y)  # xhat itself is kept for backward
        ctx.dims, ctx.eps, ctx.batch_stats = dims, eps, stats is None
        ctx.invstd, ctx.xhat, ctx.mean = invstd, xhat, mean
        ctx.save_for_backward(x, w)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if grad_mode.state.enabled:
            return _backward_graph(ctx, grad, x, w)
        g = grad._data
        xhat, invstd, dims = ctx.xhat, ctx.invstd, ctx.dims
        gx = gw = gb = None
        if need[0]:
            gy = g * w._data if w is not None else g
            if ctx.batch_stats:
                gx = invstd * (gy - gy.mean(dims, keepdims=True) - xhat * (gy * xhat).mean(dims, keepdims=True))
            else:
                gx = gy * invstd
            gx = Tensor._wrap(gx.astype(g.dtype, copy=False))
        if len(need) > 1 and need[1]:
            gw = Tensor._wrap(g * xhat)  # the engine sums it down to w's shape
        if len(need) > 2 and need[2]:
            gb = grad
        return gx, gw, gb


def _backward_graph(ctx, grad, x, w):
    """The same gradients in Tensor ops (create_graph): statistics are functions of x here."""
    need, dims = ctx.needs_input_grad, ctx.dims
    if ctx.batch_stats:
        mean = x.mean(dims, keepdim=True)
        xc = x - mean
        invstd = ((xc * xc).mean(dims, keepdim=True) + ctx.eps).rsqrt()
    else:
        invstd = Tensor._wrap(ctx.invstd)
        xc = x - Tensor._wrap(np.asarray(ctx.mean, dtype=x._data.dtype))
    xhat = xc * invstd
    gx = gw = gb = None
    if need[0]:
        gy = grad * w if w is not None else grad
        if ctx.batch_stats:
            gx = invstd * (gy - gy.mean(dims, keepdim=True) - xhat * (gy * xhat).mean(dims, keepdim=True))
        else:
            gx = gy * invstd
    if len(need) > 1 and need[1]:
        gw = grad * xhat
    if len(need) > 2 and need[2]:
        gb = grad
    return gx, gw, gb
