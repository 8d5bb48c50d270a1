"""Pooling functionals: ``F.max_pool1d/2d/3d``, ``F.avg_pool1d/2d/3d``, adaptive pooling, ``F.max_unpool``.

Argument checks and torch's errors live here; the arithmetic is in ember/ops/pooling.py.
"""
import math

import numpy as np

from ... import backend
from ...ops import pooling as P
from ...tensor import Tensor


def _tuple(v, d, name, default=None):
    if v is None or (isinstance(v, (tuple, list)) and len(v) == 0):
        return default
    if isinstance(v, (int, np.integer)):
        return (int(v),) * d
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * d
    if len(v) != d:
        raise RuntimeError(f"{name} must either be a single int, or a tuple of {d} ints")
    return v


def _batched(input, d, op):
    """The input with a batch dim (unbatched inputs get one), and whether to remove it after."""
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{op}: Expected {d + 1}D or {d + 2}D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{list(input.shape)}")
    return (input.unsqueeze(0), True) if input.ndim == d + 1 else (input, False)


def _geometry(input, d, kernel_size, stride, padding, dilation, ceil_mode, op):
    kernel = _tuple(kernel_size, d, 'kernel_size')
    stride = _tuple(stride, d, 'stride', kernel)
    padding, dilation = _tuple(padding, d, 'padding'), _tuple(dilation, d, 'dilation')
    if any(k <= 0 for k in kernel) or any(s <= 0 for s in stride) or any(dl <= 0 for dl in dilation):
        raise RuntimeError(f"{op}: kernel_size, stride and dilation must be greater than zero, but got "
                           f"kernel_size={list(kernel)}, stride={list(stride)}, dilation={list(dilation)}")
    for p, k, dl in zip(padding, kernel, dilation):
        if p < 0 or p > (dl * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={dl}")
    sp = input.shape[2:]
    out = tuple(P.pool_out_size(n, k, s, p, dl, ceil_mode)
                for n, k, s, p, dl in zip(sp, kernel, stride, padding, dilation))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, input.shape[1:]))}). Calculated output size: "
                           f"({'x'.join(map(str, input.shape[1:2] + out))}). Output size is too small")
    return kernel, stride, padding, dilation, out


def _max_pool(input, d, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    op = f"max_pool{d}d"
    x, unbatched = _batched(input, d, op)
    kernel, stride, padding, dilation, out = _geometry(x, d, kernel_size, stride, padding, dilation, ceil_mode, op)
    y, idx = P.MaxPoolWithIndices.apply(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                                        out=out)
    if unbatched:
        y, idx = y.squeeze(0), idx.squeeze(0)
    return (y, idx) if return_indices else y


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of (N, C, L); with ``return_indices`` also the argmax positions."""
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of (N, C, H, W); indices are flat positions ``h * W + w`` in each plane."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of (N, C, D, H, W)."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """``max_pool1d`` returning ``(output, indices)``."""
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """``max_pool2d`` returning ``(output, indices)``."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """``max_pool3d`` returning ``(output, indices)``."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(input, d, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    op = f"avg_pool{d}d"
    x, unbatched = _batched(input, d, op)
    if not x.is_floating_point():
        raise RuntimeError(f"\"{op}\" not implemented for '{x.dtype.name.capitalize()}'")
    kernel, stride, padding, _, out = _geometry(x, d, kernel_size, stride, padding, 1, ceil_mode, op)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    div = P._avg_divisor(backend.get_array_module(x._data), x.shape[2:], out, kernel, stride, padding,
                         count_include_pad, divisor_override, x._data.dtype)
    y = P.AvgPool.apply(x, pool=(kernel, stride, padding, out, div))
    return y.squeeze(0) if unbatched else y


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over sliding windows of (N, C, L)."""
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over sliding windows of (N, C, H, W); ``count_include_pad`` counts zero padding in the divisor."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over sliding windows of (N, C, D, H, W)."""
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def _adaptive_size(input, output_size, d, op):
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{op}(): Expected {d + 1}D or {d + 2}D tensor, but got {list(input.shape)}")
    if any(s == 0 for s in input.shape[-d:]):
        raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has "
                           f"sizes {list(input.shape)} with dimension {input.ndim - d} being empty")
    size = (output_size,) * d if isinstance(output_size, (int, np.integer)) or output_size is None else \
        tuple(output_size)
    if len(size) != d:
        raise ValueError(f"{op}: output_size must be {d}")
    return tuple(int(n) if s is None else int(s) for s, n in zip(size, input.shape[-d:]))


def _adaptive_avg_pool(input, output_size, d):
    out = _adaptive_size(input, output_size, d, f"adaptive_avg_pool{d}d")
    xp = backend.get_array_module(input._data)
    y = input
    # Averaging a box is separable: one (o, n) averaging matrix per dim, applied with matmul.
    for i, (n, o) in enumerate(zip(input.shape[-d:], out)):
        if n == o:
            continue
        m = Tensor._wrap(P.adaptive_avg_matrix(n, o, xp, input._data.dtype))
        dim = input.ndim - d + i
        y = (y.transpose(dim, -1) @ m.t()).transpose(dim, -1) if dim != input.ndim - 1 else y @ m.t()
    return y.contiguous() if y is not input else y.clone()


def adaptive_avg_pool1d(input, output_size):
    """Mean over ``output_size`` adaptive windows of (N, C, L)."""
    return _adaptive_avg_pool(input, output_size, 1)


def adaptive_avg_pool2d(input, output_size):
    """Mean over adaptive windows giving an (N, C, *output_size) result; None keeps a size."""
    return _adaptive_avg_pool(input, output_size, 2)


def adaptive_avg_pool3d(input, output_size):
    """Mean over adaptive windows of (N, C, D, H, W)."""
    return _adaptive_avg_pool(input, output_size, 3)


def _adaptive_max_pool(input, output_size, return_indices, d):
    op = f"adaptive_max_pool{d}d"
    out = _adaptive_size(input, output_size, d, op)
    x, unbatched = _batched(input, d, op)
    y, idx = P.AdaptiveMaxPool.apply(x, out=out)
    if unbatched:
        y, idx = y.squeeze(0), idx.squeeze(0)
    return (y, idx) if return_indices else y


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over ``output_size`` adaptive windows of (N, C, L)."""
    return _adaptive_max_pool(input, output_size, return_indices, 1)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over adaptive windows of (N, C, H, W), optionally with flat per-plane indices."""
    return _adaptive_max_pool(input, output_size, return_indices, 2)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over adaptive windows of (N, C, D, H, W), optionally with flat per-volume indices."""
    return _adaptive_max_pool(input, output_size, return_indices, 3)


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, d):
    x, unbatched = _batched(input, d, f"max_unpool{d}d")
    kernel = _tuple(kernel_size, d, 'kernel_size')
    stride, padding = _tuple(stride, d, 'stride', kernel), _tuple(padding, d, 'padding')
    size = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(x.shape[2:], stride, padding, kernel))
    if output_size is not None:
        size = tuple(output_size)[-d:]
    idx = indices.unsqueeze(0) if unbatched else indices
    if idx._data.size and (int(idx._data.max()) >= math.prod(size) or int(idx._data.min()) < 0):
        raise RuntimeError(f"Found an invalid max index: {int(idx._data.max())} (output volumes are of size "
                           f"{'x'.join(map(str, size))}")
    y = P.MaxPoolScatter.apply(x, idx._data, shape=x.shape[:2] + size, unique=False)
    return y.squeeze(0) if unbatched else y


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: values written back at their indices, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: values written back at their indices, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool3d: values written back at their indices, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """``(sum over window of x**p) ** (1/p)``, computed as avg_pool times the window size."""
    kernel = _tuple(kernel_size, 2, 'kernel_size')
    out = avg_pool2d(input.pow(norm_type), kernel, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel[0] * kernel[1]).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """``(sum over window of x**p) ** (1/p)`` over (N, C, L)."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


__all__ = ('max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool1d_with_indices', 'max_pool2d_with_indices',
           'avg_pool1d', 'avg_pool2d', 'avg_pool3d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d',
           'adaptive_avg_pool3d', 'adaptive_max_pool1d', 'adaptive_max_pool2d', 'adaptive_max_pool3d', 'max_unpool1d',
           'max_unpool2d', 'max_unpool3d', 'max_pool3d_with_indices', 'lp_pool1d', 'lp_pool2d')
