"""Convolution functionals: ``F.conv1d/2d/3d``, ``F.conv_transpose1d/2d/3d`` (primitives in ember/ops/conv.py)
and ``F.unfold``/``F.fold``, which are im2col and its adjoint col2im exposed as they are."""
import math

import numpy as np

from ... import backend
from ...autograd.function import Function
from ...ops.conv import (Geometry, col2im, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d,
                         conv_transpose3d, im2col)


class Im2Col(Function):
    """``F.unfold``: (N, C, H, W) -> (N, C * kH * kW, L) columns of sliding blocks."""
    raw = True

    @staticmethod
    def forward(ctx, x, kernel, geo):
        ctx.kernel, ctx.geo, ctx.shape = kernel, geo, x.shape
        cols, ctx.out = im2col(x, kernel, geo, mid=True)  # (C, *kernel, N, *out)
        rows = x.shape[1] * math.prod(kernel)
        return backend.get_array_module(x).ascontiguousarray(cols.reshape(rows, x.shape[0], -1).swapaxes(0, 1))

    @staticmethod
    def backward(ctx, grad):
        return Col2Im.apply(grad, kernel=ctx.kernel, geo=ctx.geo, shape=ctx.shape, out=ctx.out)


class Col2Im(Function):
    """``F.fold``: sum (N, C * kH * kW, L) columns back into (N, C, H, W) (the adjoint of unfold)."""
    raw = True

    @staticmethod
    def forward(ctx, cols, kernel, geo, shape, out):
        ctx.kernel, ctx.geo = kernel, geo
        cols = cols.swapaxes(0, 1).reshape((shape[1],) + tuple(kernel) + (shape[0],) + tuple(out))
        return col2im(cols, shape, kernel, geo, out, mid=True)

    @staticmethod
    def backward(ctx, grad):
        return Im2Col.apply(grad, kernel=ctx.kernel, geo=ctx.geo)


def _pair(v, name):
    v = (int(v),) * 2 if isinstance(v, (int, np.integer)) else tuple(int(i) for i in v)
    if len(v) != 2:
        raise RuntimeError(f"{name} must be an int or a tuple of two ints")
    return v


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: (N, C, H, W) -> (N, C * prod(kernel_size), L)."""
    if input.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    x = input.unsqueeze(0) if input.ndim == 3 else input
    kernel, dilation = _pair(kernel_size, 'kernel_size'), _pair(dilation, 'dilation')
    padding, stride = _pair(padding, 'padding'), _pair(stride, 'stride')
    sp = [n + 2 * p for n, p in zip(x.shape[2:], padding)]
    if any(n < dl * (k - 1) + 1 for n, dl, k in zip(sp, dilation, kernel)):
        raise RuntimeError(f"Given input with spatial size ({x.shape[2]}, {x.shape[3]}), kernel_size={kernel}, "
                           f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding "
                           f"blocks as non-positive")
    y = Im2Col.apply(x, kernel=kernel, geo=Geometry(stride, padding, padding, dilation, 1))
    return y.squeeze(0) if input.ndim == 3 else y


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding blocks (N, C * prod(kernel_size), L) into (N, C, *output_size), summing overlaps."""
    if input.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                                  f"(got {input.ndim}D)")
    x = input.unsqueeze(0) if input.ndim == 2 else input
    size, kernel = _pair(output_size, 'output_size'), _pair(kernel_size, 'kernel_size')
    dilation, padding, stride = _pair(dilation, 'dilation'), _pair(padding, 'padding'), _pair(stride, 'stride')
    k = kernel[0] * kernel[1]
    if x.shape[1] % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={x.shape[1]} and kernel_size={kernel}")
    out = tuple((n + 2 * p - dl * (kk - 1) - 1) // s + 1 for n, p, dl, kk, s in zip(size, padding, dilation, kernel,
                                                                                       stride))
    if out[0] * out[1] != x.shape[2]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, padding={padding}, "
                           f"stride={stride}, expected size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {out[0]} * {out[1]} = {out[0] * out[1]}, but got "
                           f"input.size(2)={x.shape[2]}.")
    shape = (x.shape[0], x.shape[1] // k) + size
    y = Col2Im.apply(x, kernel=kernel, geo=Geometry(stride, padding, padding, dilation, 1), shape=shape, out=out)
    return y.squeeze(0) if input.ndim == 2 else y



__all__ = ('conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'unfold', 'fold')
