"""Pooling over 1, 2 or 3 spatial dims: max (with torch's flat indices), average, adaptive.

Windows are strided views of the padded input (see ``ember.ops.conv``); the
work is a reduction over the window axes, never a loop over pixels. The
primitives come in adjoint pairs so that every order of derivative exists:
max pooling scatters its gradient by index (``MaxPoolScatter``), whose
derivative gathers by the same index (``MaxPoolGather``); average pooling's
gradient spreads windows back (``AvgPoolBackward``), whose derivative is
average pooling again.
"""
import itertools
import math

import numpy as np

from .. import backend
from ..autograd.function import Function
from .conv import Geometry, _window_key, col2im, pad_array


def pool_out_size(n, k, s, p, d, ceil_mode):
    """torch's pooling output length: floor (or ceil) division, with no window starting in the right padding."""
    span = n + 2 * p - d * (k - 1) - 1
    o = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return o


def _hi_pad(n, o, k, s, p, d):
    """Padding after the input so that ``o`` windows fit (ceil_mode may need more than ``p``)."""
    return max(0, (o - 1) * s + d * (k - 1) + 1 - n - p)


class MaxPoolWithIndices(Function):
    """Max over each window; also returns the argmax as a flat index into each input plane."""
    raw = True

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out):
        d = len(kernel)
        sp = x.shape[2:]
        hi = tuple(_hi_pad(n, o, k, s, p, dl) for n, o, k, s, p, dl in zip(sp, out, kernel, stride, padding, dilation))
        fill = -np.inf if x.dtype.kind == 'f' else np.iinfo(x.dtype).min
        xp = backend.get_array_module(x)
        xpad = pad_array(x, padding, hi, fill)
        geo = Geometry(stride, padding, hi, dilation, 1)
        # A running max over the kernel offsets, each a strided view of the input: a few ufunc
        # passes per offset and no per-window copies. ``arg`` holds the winner's offset within
        # the plane; strict '>' keeps the first maximum, as torch does, and NaN always wins.
        plane_strides = [math.prod(sp[i + 1:]) for i in range(d)]  # of the unpadded plane
        views, deltas = [], []
        for offs in itertools.product(*(range(k) for k in kernel)):
            views.append(xpad[(slice(None), slice(None)) + _window_key(offs, geo, out)])
            deltas.append(sum(o * dl * st for o, dl, st in zip(offs, dilation, plane_strides)))
        # int32 offsets halve the memory traffic of the index passes when the plane allows it.
        dtype = np.int32 if math.prod(sp) < 2 ** 31 else np.int64
        best, arg = _running_max(xp, views, deltas, dtype, nan_rule=False)
        if x.dtype.kind == 'f' and xp.isnan(best).any():  # rare: redo with the NaN rule's extra passes
            best, arg = _running_max(xp, views, deltas, dtype, nan_rule=True)
        # The flat index is linear in (window start, offset): start's index plus the winner's offset.
        idx, first = arg, 0
        for i in range(d):
            start = xp.arange(out[i]).reshape((-1,) + (1,) * (d - 1 - i)) * stride[i] - padding[i]
            idx = idx + start * plane_strides[i]
            # The window's first element inside the input (on the dilation grid).
            first = first + xp.where(start < 0, start + (-start + dilation[i] - 1) // dilation[i] * dilation[i],
                                     start) * plane_strides[i]
        if any(padding) and x.dtype.kind == 'f':
            # torch starts each window at its first real element, so a window of -inf only never
            # points into the padding.
            idx = xp.where(best == -np.inf, first, idx)
        val = best
        ctx.shape, ctx.unique = x.shape, all(s >= dl * (k - 1) + 1 for s, dl, k in zip(stride, dilation, kernel))
        ctx.indices = idx = idx.astype(np.int64, copy=False)
        return val, idx

    @staticmethod
    def backward(ctx, grad, _grad_indices=None):
        return MaxPoolScatter.apply(grad, ctx.indices, shape=ctx.shape, unique=ctx.unique)


def _running_max(xp, views, deltas, dtype, nan_rule):
    """Elementwise max over ``views`` and the ``deltas`` entry of the view that holds it (the first on ties).

    With ``nan_rule`` a NaN always takes over, as in torch's kernel (the last
    NaN of a window wins); without it each view costs a compare, a max and an
    arithmetic select (``arg += take * (delta - arg)``, cheaper than a masked write).
    """
    best = views[0].copy()
    arg = xp.full(best.shape, deltas[0], dtype)
    for v, delta in zip(views[1:], deltas[1:]):
        take = v > best
        if nan_rule:
            take |= xp.isnan(v)
        xp.maximum(best, v, out=best)  # NaN-propagating, like the 'take' rule
        step = xp.subtract(dtype(delta), arg)
        xp.multiply(take, step, out=step)
        arg += step
    return best, arg


class MaxPoolScatter(Function):
    """Zeros of ``shape`` with ``grad`` added at the flat per-plane ``indices`` (max pooling's gradient)."""
    raw = True

    @staticmethod
    def forward(ctx, grad, indices, shape, unique):
        ctx.indices = indices
        xp = backend.get_array_module(grad)
        planes = shape[0] * shape[1]
        plane = int(math.prod(shape[2:]))
        g = grad.reshape(planes, -1)
        ix = indices.reshape(planes, -1)
        flat = (ix + xp.arange(planes)[:, None] * plane).ravel()
        if unique:  # windows that do not overlap never hit an element twice: a plain write suffices
            # (a flat fancy write: 2-3x faster than put_along_axis, which builds per-axis index grids)
            out = xp.zeros(planes * plane, grad.dtype)
            out[flat] = g.ravel()
        else:
            out = xp.bincount(flat, weights=g.ravel(), minlength=planes * plane).astype(grad.dtype)
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        return MaxPoolGather.apply(gg, ctx.indices), None


class MaxPoolGather(Function):
    """The values of ``x`` at the flat per-plane ``indices`` (the adjoint of MaxPoolScatter)."""
    raw = True

    @staticmethod
    def forward(ctx, x, indices):
        ctx.indices, ctx.shape = indices, x.shape
        planes = x.shape[0] * x.shape[1]
        out = np.take_along_axis(x.reshape(planes, -1), indices.reshape(planes, -1), 1)
        return out.reshape(indices.shape)

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolScatter.apply(grad, ctx.indices, shape=ctx.shape, unique=False), None


def _avg_divisor(xp, sp, out, kernel, stride, padding, count_include_pad, divisor_override, dtype):
    """The divisor of each window, an array broadcastable to the output's spatial shape."""
    if divisor_override:
        return divisor_override
    div = 1
    d = len(kernel)
    for i in range(d):
        start = np.arange(out[i]) * stride[i] - padding[i]
        end = np.minimum(start + kernel[i], sp[i] + padding[i])
        size = end - start if count_include_pad else np.minimum(end, sp[i]) - np.maximum(start, 0)
        div = div * size.reshape((-1,) + (1,) * (d - 1 - i))
    return xp.asarray(div, dtype=dtype)


class AvgPool(Function):
    """The mean of each window (``pool`` holds kernel, stride, padding, out and the divisor)."""
    raw = True

    @staticmethod
    def forward(ctx, x, pool):
        kernel, stride, padding, out, div = pool
        sp = x.shape[2:]
        hi = tuple(_hi_pad(n, o, k, s, p, 1) for n, o, k, s, p in zip(sp, out, kernel, stride, padding))
        xpad = pad_array(x, padding, hi)
        geo = Geometry(stride, padding, hi, (1,) * len(kernel), 1)
        ctx.pool, ctx.shape = pool, x.shape
        # A sum of strided views, one per kernel offset: much faster than reducing window axes.
        total = None
        for offs in itertools.product(*(range(k) for k in kernel)):
            v = xpad[(slice(None), slice(None)) + _window_key(offs, geo, out)]
            if total is None:
                total = v.copy()
            else:
                total += v
        total /= div
        return total

    @staticmethod
    def backward(ctx, grad):
        return AvgPoolBackward.apply(grad, pool=ctx.pool, shape=ctx.shape)


class AvgPoolBackward(Function):
    """Spread each window's gradient evenly back over the window (the adjoint of AvgPool)."""
    raw = True

    @staticmethod
    def forward(ctx, grad, pool, shape):
        kernel, stride, padding, out, div = pool
        ctx.pool = pool
        g = (grad / div).astype(grad.dtype, copy=False)
        d = len(kernel)
        xp = backend.get_array_module(grad)
        g = g.swapaxes(0, 1)  # col2im takes columns (C, *kernel, N, *out)
        g = g.reshape(g.shape[:1] + (1,) * d + g.shape[1:])
        cols = xp.broadcast_to(g, g.shape[:1] + tuple(kernel) + g.shape[1 + d:])
        geo = Geometry(stride, padding, padding, (1,) * d, 1)
        return col2im(cols, shape, kernel, geo, out, mid=True)

    @staticmethod
    def backward(ctx, gg):
        return AvgPool.apply(gg, pool=ctx.pool)


def adaptive_windows(n, o):
    """torch's adaptive windows along one dim: ``[floor(i*n/o), ceil((i+1)*n/o))`` for each output i."""
    start = [(i * n) // o for i in range(o)]
    end = [-(-((i + 1) * n) // o) for i in range(o)]
    return start, end


def adaptive_avg_matrix(n, o, xp, dtype):
    """The (o, n) matrix whose rows average each adaptive window: pooling is separable, one matmul per dim."""
    m = np.zeros((o, n))
    for i, (a, b) in enumerate(zip(*adaptive_windows(n, o))):
        m[i, a:b] = 1.0 / (b - a)
    return xp.asarray(m, dtype=dtype)


def adaptive_max_indices(n, o):
    """Index array (o, kmax) of each adaptive window, short windows padded by repeating their start."""
    start, end = adaptive_windows(n, o)
    kmax = max(b - a for a, b in zip(start, end))
    idx = np.array([[a + j if a + j < b else a for j in range(kmax)] for a, b in zip(start, end)])
    return idx


class AdaptiveMaxPool(Function):
    """Max over adaptive windows (possibly overlapping), with flat per-plane indices."""
    raw = True

    @staticmethod
    def forward(ctx, x, out):
        d = len(out)
        sp = x.shape[2:]
        xp = backend.get_array_module(x)
        idxs = [adaptive_max_indices(n, o) for n, o in zip(sp, out)]
        # Gather (N, C, o1, k1, o2, k2, ...) with broadcast index arrays, then move window axes last.
        key = []
        for i, ix in enumerate(idxs):
            shape = [1] * (2 * d)
            shape[2 * i], shape[2 * i + 1] = ix.shape
            key.append(xp.asarray(ix.reshape(shape)))
        gathered = x[(slice(None), slice(None)) + tuple(key)]
        perm = (0, 1) + tuple(2 + 2 * i for i in range(d)) + tuple(3 + 2 * i for i in range(d))
        flat = gathered.transpose(perm).reshape(x.shape[:2] + tuple(out) + (-1,))
        arg = flat.argmax(-1)
        val = np.take_along_axis(flat, arg[..., None], -1)[..., 0]
        offs = np.unravel_index(arg, tuple(ix.shape[1] for ix in idxs)) if d > 1 else (arg,)
        idx = 0
        for i in range(d):
            pos = xp.asarray(idxs[i])[xp.arange(out[i]).reshape((-1,) + (1,) * (d - 1 - i)), offs[i]]
            idx = idx * sp[i] + pos
        ctx.shape = x.shape
        ctx.indices = idx = idx.astype(np.int64, copy=False)
        return val, idx

    @staticmethod
    def backward(ctx, grad, _grad_indices=None):
        return MaxPoolScatter.apply(grad, ctx.indices, shape=ctx.shape, unique=False)
