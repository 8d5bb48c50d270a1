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


class NormAffine(Function):
    """``(x - mean) * invstd * w + b`` over ``dims``; ``w``/``b`` broadcast to x or are None.

    ``stats=(mean, var)`` (arrays broadcastable to x) uses given statistics
    instead of the batch's; ``save`` (a list) receives the batch mean and
    biased variance for running-statistics updates.
    """
    raw = True

    @staticmethod
    def forward(ctx, x, w, b, dims=(), eps=1e-5, stats=None, save=None):
        # In-place steps where possible: every fresh x-sized array costs page faults as well as a pass.
        if stats is None:
            mean = x.mean(dims, keepdims=True)
            xhat = x - mean
            var = np.square(xhat).mean(dims, keepdims=True)
            if save is not None:
                save.extend((mean, var))
        else:
            mean, var = stats
            xhat = x - mean
        invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat *= invstd
        y = xhat * w if w is not None else xhat
        if b is not None:
            y = y + b if y is xhat else np.add(y, b, out=y)  # xhat itself is kept for backward
        ctx.dims, ctx.eps, ctx.batch_stats = dims, eps, stats is None
        ctx.b_shape = b.shape if b is not None else None
        ctx.invstd, ctx.xhat, ctx.mean = invstd, xhat, mean
        ctx.save_for_backward(x, w)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if grad_mode.state.enabled:
            return _backward_graph(ctx, grad, x, w)
        return _backward_arrays(ctx, grad._data, w._data if w is not None else None, need)


def _reduce_to(a, shape):
    """Sum ``a`` down to the broadcastable ``shape`` (keeping its rank), as the engine would."""
    lead = a.ndim - len(shape)
    axes = tuple(i for i in range(a.ndim) if i < lead or shape[i - lead] == 1)
    return a.sum(axes, keepdims=True).reshape(shape) if axes else a


def _backward_arrays(ctx, g, w, need):
    """The closed-form gradients on arrays, with as few passes over x-sized data as possible."""
    xhat, invstd, dims = ctx.xhat, ctx.invstd, ctx.dims
    need_x, need_w, need_b = need[0], len(need) > 1 and need[1], len(need) > 2 and need[2]
    count = 1
    for d in dims:
        count *= g.shape[d]
    gxhat = g * xhat if need_w or (need_x and ctx.batch_stats) else None
    # With w constant over the statistics' dims (batch/instance norm, or no affine), w factors out
    # of the means, and their sums are the bias and weight gradients too.
    lead = g.ndim - (w.ndim if w is not None else 0)
    factor = w is None or all(w.shape[d - lead] == 1 for d in dims if d >= lead)
    sum_g = g.sum(dims, keepdims=True) if (need_x and ctx.batch_stats and factor) or need_b else None
    sum_gx = gxhat.sum(dims, keepdims=True) if gxhat is not None and (factor or not need_w) else None
    gx = gw = gb = None
    if need_x:
        if not ctx.batch_stats:
            gx = g * (invstd * w if w is not None else invstd)
        elif factor:
            coef = invstd * w if w is not None else invstd
            gx = g - sum_g / count
            gx -= xhat * (sum_gx / count)
            gx *= coef
        else:
            gy = g * w
            gx = invstd * (gy - gy.mean(dims, keepdims=True) - xhat * (gy * xhat).mean(dims, keepdims=True))
        gx = Tensor._wrap(gx.astype(g.dtype, copy=False))
    if need_w:
        same = w is not None and _reduce_axes_match(g.ndim, w.shape, dims)
        gw = Tensor._wrap(sum_gx.reshape(w.shape) if same and sum_gx is not None else _reduce_to(gxhat, w.shape))
    if need_b:
        same = ctx.b_shape is not None and _reduce_axes_match(g.ndim, ctx.b_shape, dims)
        gb = Tensor._wrap(sum_g.reshape(ctx.b_shape) if same else _reduce_to(g, ctx.b_shape))
    return gx, gw, gb


def _reduce_axes_match(ndim, shape, dims):
    """Whether summing to ``shape`` means summing exactly over ``dims``."""
    lead = ndim - len(shape)
    return tuple(i for i in range(ndim) if i < lead or shape[i - lead] == 1) == tuple(dims)


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
