"""Convolution as im2col + one GEMM, for 1, 2 and 3 spatial dimensions.

Three primitives close the set under differentiation, so gradients of every
order are convolutions again:

* ``Convolution(x, w, b)``            y = conv(x, w) + b
* ``ConvolutionTranspose(g, w, b)``   the adjoint of conv in x (conv's input gradient, and conv_transpose)
* ``ConvolutionWeight(x, g)``         the adjoint of conv in w (conv's weight gradient)

All three share one ``Geometry`` (stride, padding before/after, dilation,
groups). Windows are strided views of the padded input (no copy until the
GEMM needs contiguous columns); the scatter back (col2im) loops over the
kernel offsets only, adding strided slices, never over pixels or batch items.
"""
import itertools
import math
from collections import namedtuple

import numpy as np

from .. import backend
from ..autograd import grad_mode
from ..autograd.function import Function

Geometry = namedtuple('Geometry', 'stride lo hi dilation groups')
Geometry.__doc__ = "Convolution geometry per spatial dim: stride, padding before (lo) / after (hi), dilation; groups."


def as_strided(x, shape, strides):
    """``as_strided`` from the array module of ``x`` (NumPy or CuPy)."""
    return backend.get_array_module(x).lib.stride_tricks.as_strided(x, shape, strides)


def pad_array(x, lo, hi, value=0):
    """``x`` with its trailing ``len(lo)`` dims padded by ``lo``/``hi`` elements of ``value``."""
    if not any(lo) and not any(hi):
        return x
    d = len(lo)
    lead = x.shape[:x.ndim - d]
    shape = lead + tuple(s + a + b for s, a, b in zip(x.shape[x.ndim - d:], lo, hi))
    out = backend.get_array_module(x).full(shape, value, dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(a, a + s) for a, s in zip(lo, x.shape[x.ndim - d:]))] = x
    return out


def out_size(size, kernel, stride, dilation):
    """Number of windows along one dim of a (padded) length ``size``."""
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def _window_key(offs, geo, out):
    """Slices picking, for kernel offset ``offs``, the input element of every window."""
    return tuple(slice(i * dl, i * dl + (o - 1) * s + 1, s) for i, dl, o, s in zip(offs, geo.dilation, out, geo.stride))


def batch_mid(out):
    """Whether columns put the batch before the windows, ``(N, *out)``, rather than after, ``(*out, N)``.

    Batch-last columns copy N-long runs and suit small feature maps (LeNet's
    8x8); batch-middle columns copy rows of the map, and their GEMM result
    needs only its first two axes swapped, which wins once rows are long.
    """
    return out[-1] >= 16


def im2col(x, kernel, geo, out=None, mid=None):
    """Columns ``(C, *kernel, N, *out)`` (``mid``) or ``(C, *kernel, *out, N)`` of ``x`` (N, C, *sp); and ``out``.

    Either way a layer is then one GEMM ``(O, C*K) @ (C*K, N*L)``, and the
    columns are one copy out of a strided view of the (padded) input.
    ``mid=None`` picks the layout with ``batch_mid``.
    """
    n, c = x.shape[:2]
    d = len(kernel)
    xp = backend.get_array_module(x)
    padded = tuple(s + a + b for s, a, b in zip(x.shape[2:], geo.lo, geo.hi))
    if out is None:
        out = tuple(out_size(p, k, s, dl) for p, k, s, dl in zip(padded, kernel, geo.stride, geo.dilation))
    out = tuple(out)
    if mid is None:
        mid = batch_mid(out)
    if mid:
        src = pad_array(x, geo.lo, geo.hi)
        st = src.strides
        lead, sp_st, batch = (st[1],), st[2:], (st[0],)
        shape = (c,) + tuple(kernel) + (n,) + out
    else:
        src = xp.zeros((c,) + padded + (n,), dtype=x.dtype) if any(geo.lo) or any(geo.hi) else \
            xp.empty((c,) + padded + (n,), dtype=x.dtype)
        src[(slice(None),) + tuple(slice(a, a + s) for a, s in zip(geo.lo, x.shape[2:]))] = xp.moveaxis(x, 0, -1)
        st = src.strides
        lead, sp_st, batch = st[:1], st[1:1 + d], st[-1:]
        shape = (c,) + tuple(kernel) + out + (n,)
    dil = tuple(sp_st[i] * geo.dilation[i] for i in range(d))
    step = tuple(sp_st[i] * geo.stride[i] for i in range(d))
    strides = lead + dil + (batch + step if mid else step + batch)
    return xp.ascontiguousarray(as_strided(src, shape, strides)), out


def col2im(cols, shape, kernel, geo, out, mid):
    """Adjoint of ``im2col``: add columns (in ``mid`` or batch-last layout) back into an array of ``shape``."""
    full = tuple((o - 1) * s + dl * (k - 1) + 1 for o, s, dl, k in zip(out, geo.stride, geo.dilation, kernel))
    buf_sp = tuple(max(f, lo + s) for f, lo, s in zip(full, geo.lo, shape[2:]))
    xp = backend.get_array_module(cols)
    crop = tuple(slice(lo, lo + s) for lo, s in zip(geo.lo, shape[2:]))
    if mid:
        buf = xp.zeros(shape[:2] + buf_sp, dtype=cols.dtype)
        view = buf.swapaxes(0, 1)  # (C, N, *sp), matching the columns' (C, N, *out) slices
    else:
        buf = view = xp.zeros((shape[1],) + buf_sp + (shape[0],), dtype=cols.dtype)
    for offs in itertools.product(*(range(k) for k in kernel)):
        view[(slice(None), slice(None)) + _window_key(offs, geo, out) if mid else
             (slice(None),) + _window_key(offs, geo, out)] += cols[(slice(None),) + offs]
    if mid:
        return buf if buf_sp == tuple(shape[2:]) else xp.ascontiguousarray(buf[(slice(None), slice(None)) + crop])
    return xp.ascontiguousarray(xp.moveaxis(buf[(slice(None),) + crop], -1, 0))


def gemm_layout(y, groups, mid):
    """(N, C, *sp) -> contiguous (groups, C/groups, N*L) in the columns' order, the operand of the GEMMs."""
    xp = backend.get_array_module(y)
    moved = y.swapaxes(0, 1) if mid else xp.moveaxis(y, 0, -1)
    return xp.ascontiguousarray(moved).reshape(groups, y.shape[1] // groups, -1)


def _grouped(w, groups):
    return w.reshape(groups, w.shape[0] // groups, -1)


def _add_bias(y, b):
    if b is not None:
        y += b.reshape((-1,) + (1,) * (y.ndim - 2))
    return y


def _bias_grad(ctx, grad, index):
    if len(ctx.needs_input_grad) > index and ctx.needs_input_grad[index]:
        return grad.sum((0,) + tuple(range(2, grad.ndim)))
    return None


def conv_forward(x, w, b, geo, out=None):
    """``conv(x, w) + b`` on arrays: im2col, one GEMM per group, back to (N, O, *out); also the columns."""
    cols, out = im2col(x, w.shape[2:], geo, out)
    mid, g, n = batch_mid(out), geo.groups, x.shape[0]
    y = np.matmul(_grouped(w, g), cols.reshape(g, -1, n * math.prod(out)))
    if mid:
        y = y.reshape((w.shape[0], n) + out).swapaxes(0, 1)
    else:
        y = np.moveaxis(y.reshape((w.shape[0],) + out + (n,)), -1, 0)
    # Moving the batch back to the front is a copy anyway: let it add the bias in the same pass.
    res = backend.get_array_module(y).empty(y.shape, dtype=y.dtype)
    if b is not None:
        np.add(y, b.reshape((-1,) + (1,) * len(out)), out=res)
    else:
        res[...] = y
    return res, cols


def conv_transpose_forward(g_out, w, geo, in_shape, g_mat=None):
    """Adjoint of conv in its input: ``W^T @ g`` per group, then col2im into ``in_shape``.

    ``g_mat`` is ``gemm_layout(g_out)`` when the caller already has it.
    """
    groups, n = geo.groups, g_out.shape[0]
    out = tuple(g_out.shape[2:])
    mid = batch_mid(out)
    if g_mat is None:
        g_mat = gemm_layout(g_out, groups, mid)
    cols = np.matmul(_grouped(w, groups).transpose(0, 2, 1), g_mat)
    cols = cols.reshape((in_shape[1],) + tuple(w.shape[2:]) + ((n,) + out if mid else out + (n,)))
    return col2im(cols, in_shape, w.shape[2:], geo, out, mid)


def conv_weight_forward(x, g_out, geo, kernel, cols=None, g_mat=None):
    """Adjoint of conv in its weight: ``g @ columns^T`` per group, one GEMM over batch and windows together."""
    out = tuple(g_out.shape[2:])
    if cols is None:
        cols, _ = im2col(x, kernel, geo, out)
    groups = geo.groups
    if g_mat is None:
        g_mat = gemm_layout(g_out, groups, batch_mid(out))
    gw = np.matmul(g_mat, cols.reshape(groups, -1, x.shape[0] * math.prod(out)).transpose(0, 2, 1))
    return gw.reshape((g_out.shape[1], x.shape[1] // groups) + tuple(kernel))


class Convolution(Function):
    """``y = conv(x, w) + b``; its gradients are ConvolutionTranspose and ConvolutionWeight."""
    raw = True

    @staticmethod
    def forward(ctx, x, w, b=None, geo=None, out=None):
        ctx.geo, ctx.in_shape = geo, x.shape
        ctx.save_for_backward(x, w)
        y, cols = conv_forward(x, w, b, geo, out)
        # The weight gradient needs these very columns: keeping them (only while a graph
        # may be recorded) trades memory for a second im2col in backward.
        ctx.cols = cols if grad_mode.state.enabled else None
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        # Both gradients start from grad in the columns' layout: make it once.
        g_mat = gemm_layout(grad._data, ctx.geo.groups, batch_mid(grad.shape[2:])) if need[0] and need[1] else None
        gx = ConvolutionTranspose.apply(grad, w, geo=ctx.geo, in_shape=ctx.in_shape, g_mat=g_mat) if need[0] else None
        gw = ConvolutionWeight.apply(x, grad, geo=ctx.geo, kernel=w.shape[2:], cols=ctx.cols,
                                     g_mat=g_mat) if need[1] else None
        ctx.cols = None
        return gx, gw, _bias_grad(ctx, grad, 2)


class ConvolutionTranspose(Function):
    """``y = conv_x^T(g, w) + b``: the input gradient of conv, and ``conv_transpose``."""
    raw = True

    @staticmethod
    def forward(ctx, g, w, b=None, geo=None, in_shape=None, g_mat=None):
        ctx.geo = geo
        ctx.save_for_backward(g, w)
        return _add_bias(conv_transpose_forward(g, w, geo, in_shape, g_mat), b)

    @staticmethod
    def backward(ctx, grad):
        g, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        geo = _fit_hi(ctx.geo, grad.shape, w.shape, g.shape)
        gg = Convolution.apply(grad, w, geo=geo, out=g.shape[2:]) if need[0] else None
        gw = ConvolutionWeight.apply(grad, g, geo=geo, kernel=w.shape[2:]) if need[1] else None
        return gg, gw, _bias_grad(ctx, grad, 2)


class ConvolutionWeight(Function):
    """``gw = conv_w^T(x, g)``: the weight gradient of conv (bilinear in x and g)."""
    raw = True

    @staticmethod
    def forward(ctx, x, g, geo=None, kernel=None, cols=None, g_mat=None):
        ctx.geo, ctx.in_shape = geo, x.shape
        ctx.save_for_backward(x, g)
        return conv_weight_forward(x, g, geo, kernel, cols, g_mat)

    @staticmethod
    def backward(ctx, grad):
        x, g = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvolutionTranspose.apply(g, grad, geo=ctx.geo, in_shape=ctx.in_shape) if need[0] else None
        gg = Convolution.apply(x, grad, geo=ctx.geo, out=g.shape[2:]) if need[1] else None
        return gx, gg


def _fit_hi(geo, x_shape, w_shape, y_shape):
    """The geometry whose windows over ``x_shape`` reach (at least) ``y_shape``'s spatial size.

    ConvolutionTranspose may crop its output short of the last window
    (padding > output_padding); replaying it as a conv pads that back.
    """
    hi = tuple(max((o - 1) * geo.stride[i] + geo.dilation[i] * (w_shape[2 + i] - 1) + 1 - geo.lo[i] - n, 0)
               for i, (n, o) in enumerate(zip(x_shape[2:], y_shape[2:])))
    return geo._replace(hi=hi)


# ---- the torch API: conv1d/2d/3d, conv_transpose1d/2d/3d -------------------------------------------

def _tuple(v, d, name):
    if isinstance(v, (int, np.integer)):
        return (int(v),) * d
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * d
    if len(v) != d:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {d} values to match the "
                           f"convolution dimensions, but got {name}={list(v)}")
    return v


def _check_input(input, weight, bias, d, op):
    """Batch an unbatched input and raise torch's errors for bad ranks and dtypes."""
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {op}, but got input of "
                           f"size: {list(input.shape)}")
    if weight.ndim != d + 2:
        raise RuntimeError(f"weight should have at least three dimensions" if weight.ndim < 3 else
                           f"Expected {d + 2}-dimensional weight for {d + 2}-dimensional input "
                           f"{list(input.shape)}, but got {weight.ndim}-dimensional weight of size "
                           f"{list(weight.shape)} instead")
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        other = weight if input.dtype != weight.dtype else bias
        raise RuntimeError(f"Input type ({_type_name(input)}) and {'weight' if other is weight else 'bias'} type "
                           f"({_type_name(other)}) should be the same")
    from ._util import check_same_device
    check_same_device(input, weight, bias)
    return input.ndim == d + 1


def _type_name(t):
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half'}.get(t.dtype.name, t.dtype.name)


def _padding(padding, d, kernel, dilation, stride, op):
    """Padding before/after each dim from an int, a tuple, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == 'valid':
            return (0,) * d, (0,) * d
        if padding != 'same':
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        total = [dl * (k - 1) for dl, k in zip(dilation, kernel)]
        lo = tuple(t // 2 for t in total)
        return lo, tuple(t - a for t, a in zip(total, lo))
    p = _tuple(padding, d, 'padding')
    if any(i < 0 for i in p):
        raise RuntimeError("negative padding is not supported")
    return p, p


def _convnd(input, weight, bias, stride, padding, dilation, groups, d):
    op = f"conv{d}d"
    unbatched = _check_input(input, weight, bias, d, op)
    x = input.unsqueeze(0) if unbatched else input
    kernel = tuple(weight.shape[2:])
    stride, dilation = _tuple(stride, d, 'stride'), _tuple(dilation, d, 'dilation')
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if groups <= 0 or weight.shape[0] % groups:
        raise RuntimeError("non-positive groups is not supported" if groups <= 0 else
                           "Given groups=%d, expected weight to be divisible by %d at dimension 0, but got weight "
                           "of size %s instead" % (groups, groups, list(weight.shape)))
    lo, hi = _padding(padding, d, kernel, dilation, stride, op)
    c = weight.shape[1] * groups
    if x.shape[1] != c:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(x.shape)} to have {c} channels, but got {x.shape[1]} channels instead")
    padded = [n + a + b for n, a, b in zip(x.shape[2:], lo, hi)]
    eff = [dl * (k - 1) + 1 for dl, k in zip(dilation, kernel)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input "
                           f"size")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{weight.shape[0]} elements, but got bias of size {list(bias.shape)} instead")
    geo = Geometry(stride, lo, hi, dilation, groups)
    y = Convolution.apply(x, weight, bias, geo=geo)
    return y.squeeze(0) if unbatched else y


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, d):
    op = f"conv_transpose{d}d"
    unbatched = _check_input(input, weight, bias, d, op)
    x = input.unsqueeze(0) if unbatched else input
    kernel = tuple(weight.shape[2:])
    stride, dilation = _tuple(stride, d, 'stride'), _tuple(dilation, d, 'dilation')
    padding, output_padding = _tuple(padding, d, 'padding'), _tuple(output_padding, d, 'output_padding')
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                           f"{list(x.shape)} to have {weight.shape[0]} channels, but got {x.shape[1]} channels "
                           f"instead")
    if groups <= 0 or weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0")
    for op_, s, dl in zip(output_padding, stride, dilation):
        if op_ >= s and op_ >= dl:
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               f"output_padding={list(output_padding)}, stride={list(stride)}, "
                               f"dilation={list(dilation)}")
    size = tuple((n - 1) * s - 2 * p + dl * (k - 1) + op_ + 1
                 for n, s, p, dl, k, op_ in zip(x.shape[2:], stride, padding, dilation, kernel, output_padding))
    if any(s <= 0 for s in size):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated "
                           f"output size per channel: ({' x '.join(map(str, size))}). Output size is too small")
    geo = Geometry(stride, padding, padding, dilation, groups)
    in_shape = (x.shape[0], weight.shape[1] * groups) + size
    y = ConvolutionTranspose.apply(x, weight, bias, geo=geo, in_shape=in_shape)
    return y.squeeze(0) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) of ``input`` (N, C, L) with ``weight`` (O, C/groups, k)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of ``input`` (N, C, H, W) with ``weight`` (O, C/groups, kH, kW).

    ``padding`` is an int, a pair, 'valid' (none) or 'same' (output as large as the input).
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution of ``input`` (N, C, D, H, W) with ``weight`` (O, C/groups, kD, kH, kW)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 1-D convolution; ``weight`` is (C_in, C_out/groups, k)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution ("deconvolution"); ``weight`` is (C_in, C_out/groups, kH, kW)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 3-D convolution; ``weight`` is (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)


__all__ = ('conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d')
