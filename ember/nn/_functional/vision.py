"""Spatial reshaping functionals: ``F.pad``, ``F.interpolate``/``F.upsample``, ``F.pixel_shuffle``/
``F.pixel_unshuffle``, ``F.affine_grid``/``F.grid_sample`` (``F.unfold``/``F.fold`` live with conv).

Constant padding is a primitive whose adjoint is cropping, i.e. padding by
negative amounts. Reflect/replicate/circular padding and nearest
interpolation are gathers along one dim at a time (``GatherDim``, whose
adjoint ``ScatterDim`` adds repeated sources in a few vectorised rounds);
linear interpolation is separable, so it is one (out, in) interpolation
matrix per dim applied with matmul.
"""
import math

import numpy as np

from ... import backend
from ...autograd.function import Function
from ...tensor import Tensor


class ConstantPadNd(Function):
    """Pad the trailing dims by ``pads`` ((lo, hi) per dim, negative crops) with ``value``."""
    raw = True

    @staticmethod
    def forward(ctx, x, pads, value=0):
        ctx.pads = pads
        d = len(pads)
        lead = x.shape[:x.ndim - d]
        sp = x.shape[x.ndim - d:]
        shape = lead + tuple(n + lo + hi for n, (lo, hi) in zip(sp, pads))
        if any(s < 0 for s in shape):
            raise RuntimeError(f"The input size {sp[0]}, plus negative padding {pads[0][0]} and {pads[0][1]} "
                               f"resulted in a negative output size, which is invalid. Check dimension "
                               f"{x.ndim - d} of your input.")
        out = backend.get_array_module(x).full(shape, value, dtype=x.dtype)
        src = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(sp, pads))
        dst = tuple(slice(max(lo, 0), max(lo, 0) + max(n - max(-lo, 0) - max(-hi, 0), 0))
                    for n, (lo, hi) in zip(sp, pads))
        out[(Ellipsis,) + dst] = x[(Ellipsis,) + src]
        return out

    @staticmethod
    def backward(ctx, grad):
        return ConstantPadNd.apply(grad, pads=tuple((-lo, -hi) for lo, hi in ctx.pads), value=0)


class GatherDim(Function):
    """``x`` indexed by the integer array ``index`` along ``dim`` (positions may repeat)."""
    raw = True

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.index, ctx.dim, ctx.size = index, dim, x.shape[dim]
        return backend.get_array_module(x).take(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return ScatterDim.apply(grad, ctx.index, dim=ctx.dim, size=ctx.size), None


class ScatterDim(Function):
    """The adjoint of GatherDim: zeros of length ``size`` along ``dim`` with ``grad`` added at ``index``."""
    raw = True

    @staticmethod
    def forward(ctx, grad, index, dim, size):
        ctx.index, ctx.dim = index, dim
        xp = backend.get_array_module(grad)
        shape = list(grad.shape)
        shape[dim] = size
        # Rounds by occurrence: within a round every target is distinct, so '+=' is exact. Padding and
        # nearest resizing repeat a source only a few times, and their rounds are strided slices.
        index_np = backend.to_numpy(index)
        rank = _occurrence_rank(index_np)
        lead = (slice(None),) * dim
        out = None
        for r in range(int(rank.max()) + 1 if rank.size else 0):
            pos = np.nonzero(rank == r)[0]
            tgt = index_np[pos]
            src = grad[lead + (_as_slice(pos) or xp.asarray(pos),)]
            if out is None and len(tgt) == size and _as_slice(tgt) == slice(0, size, 1):
                out = xp.array(src)  # the first round covers every target: copy instead of zeros + add
                continue
            if out is None:
                out = xp.zeros(shape, grad.dtype)
            out[lead + (_as_slice(tgt) or xp.asarray(tgt),)] += src
        return out if out is not None else xp.zeros(shape, grad.dtype)

    @staticmethod
    def backward(ctx, gg):
        return GatherDim.apply(gg, ctx.index, dim=ctx.dim), None


def _as_slice(idx):
    """``idx`` (increasing, evenly spaced) as a slice, else None."""
    if len(idx) == 1:
        return slice(int(idx[0]), int(idx[0]) + 1)
    step = int(idx[1] - idx[0])
    if step > 0 and bool(np.all(np.diff(idx) == step)):
        return slice(int(idx[0]), int(idx[-1]) + 1, step)
    return None


def _occurrence_rank(index):
    """For each position, how many earlier positions hold the same index (0 for the first)."""
    order = np.argsort(index, kind='stable')
    sorted_idx = index[order]
    starts = np.r_[0, np.nonzero(np.diff(sorted_idx))[0] + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(index)]))
    rank = np.empty(len(index), np.int64)
    rank[order] = np.arange(len(index)) - run_start
    return rank


def _gather(x, index, dim):
    return GatherDim.apply(x, backend.get_array_module(x._data).asarray(index), dim=dim)


def _pad_index(n, lo, hi, mode, dim):
    """Source index of each padded position along one dim for reflect/replicate/circular padding."""
    pos = np.arange(-lo, n + hi)
    if mode == 'reflect':
        if lo >= n or hi >= n:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {dim} of input")
        period = 2 * (n - 1) if n > 1 else 1
        pos = np.abs(pos) % period
        return np.where(pos >= n, period - pos, pos)
    if mode == 'replicate':
        return np.clip(pos, 0, n - 1)
    if lo > n or hi > n:
        raise RuntimeError("Padding value causes wrapping around more than once.")
    return pos % n  # circular


def pad(input, pad, mode='constant', value=None):
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left_last, right_last, left_prev, right_prev, ...)``.

    ``mode`` is 'constant' (with ``value``, negative pads crop), 'reflect',
    'replicate' or 'circular'.
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    d = len(pad) // 2
    if d > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    pads = tuple((pad[2 * i], pad[2 * i + 1]) for i in range(d))[::-1]  # first dim first
    if mode == 'constant':
        return ConstantPadNd.apply(input, pads=pads, value=0 if value is None else value)
    if mode not in ('reflect', 'replicate', 'circular'):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if input.ndim not in (d + 1, d + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\nSupported combinations for "
            "non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D input: "
            "padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    y = input
    for i, (lo, hi) in enumerate(pads):
        dim = input.ndim - d + i
        if mode != 'circular' and (lo < 0 or hi < 0):
            raise RuntimeError("negative padding is only supported for constant and circular modes")
        y = _gather(y, _pad_index(input.shape[dim], lo, hi, mode, dim), dim)
    return y


# ---- interpolate ----------------------------------------------------------------------------------

def _output_size(input, size, scale_factor, d):
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None else
                         "either size or scale_factor should be defined")
    if size is not None:
        size = (size,) * d if isinstance(size, (int, np.integer)) else tuple(size)
        if len(size) != d:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                             f"spatial dimensions of {list(input.shape[2:])} and output size of {list(size)}. Please "
                             f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ..."
                             f",oK) format.")
        return tuple(int(s) for s in size), None
    scales = (scale_factor,) * d if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
    if len(scales) != d:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                         f"with spatial dimensions of {list(input.shape[2:])} and scale_factor of shape "
                         f"{list(scales)}.")
    return tuple(int(math.floor(n * s)) for n, s in zip(input.shape[2:], scales)), scales


def _scale(n, o, s, align_corners):
    """torch's area_pixel_compute_scale: the source step per output step."""
    if align_corners:
        return (n - 1) / (o - 1) if o > 1 else 0.0
    return 1.0 / s if s is not None and s > 0 else n / o


def _source(n, o, s, align_corners, cubic=False):
    """Fractional source coordinate of each output position (torch's area_pixel_compute_source_index)."""
    scale = np.float32(_scale(n, o, s, align_corners))
    dst = np.arange(o, dtype=np.float32)
    if align_corners:
        return scale * dst
    src = scale * (dst + np.float32(0.5)) - np.float32(0.5)
    return src if cubic else np.maximum(src, 0)


def _linear_matrix(n, o, s, align_corners):
    src = _source(n, o, s, align_corners).astype(np.float64)
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    l1 = src - i0
    m = np.zeros((o, n))
    np.add.at(m, (np.arange(o), i0), 1 - l1)
    np.add.at(m, (np.arange(o), i1), l1)
    return m


def _cubic_matrix(n, o, s, align_corners, a=-0.75):
    src = _source(n, o, s, align_corners, cubic=True).astype(np.float64)
    i = np.floor(src).astype(np.int64)
    t = src - i
    # Keys' cubic convolution weights for taps i-1, i, i+1, i+2 (torch's A = -0.75).
    w = [((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
         ((a + 2) * t - (a + 3)) * t * t + 1,
         ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
         ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a]
    m = np.zeros((o, n))
    for k in range(4):
        np.add.at(m, (np.arange(o), np.clip(i - 1 + k, 0, n - 1)), w[k])
    return m


def _nearest_index(n, o, s, exact):
    scale = np.float32(1.0 / s) if s is not None and s > 0 else np.float32(n) / np.float32(o)
    dst = np.arange(o, dtype=np.float32)
    src = np.floor((dst + np.float32(0.5)) * scale if exact else dst * scale).astype(np.int64)
    return np.minimum(src, n - 1)


def _apply_matrix(y, m, dim):
    """Contract dim ``dim`` of ``y`` with the (out, in) matrix ``m``."""
    mt = Tensor._wrap(backend.get_array_module(y._data).asarray(m, dtype=y._data.dtype))
    if dim == y.ndim - 1:
        return y @ mt.t()
    return (y.transpose(dim, -1) @ mt.t()).transpose(dim, -1)


_MODES_DIMS = {'linear': 1, 'bilinear': 2, 'trilinear': 3, 'bicubic': 2}


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, *spatial) to ``size`` or by ``scale_factor``.

    Modes: 'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic',
    'trilinear' (with ``align_corners``) and 'area' (adaptive average pooling).
    """
    d = input.ndim - 2
    if mode in ('nearest', 'nearest-exact', 'area') and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                         "bicubic | trilinear")
    if mode in _MODES_DIMS and _MODES_DIMS[mode] != d:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_MODES_DIMS[mode] + 2}D input")
    if d < 1 or d > 3:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    out, scales = _output_size(input, size, scale_factor, d)
    if recompute_scale_factor:
        scales = None
    if scales is None:
        scales = (None,) * d
    if mode == 'area':
        from .pooling import _adaptive_avg_pool
        return _adaptive_avg_pool(input, out, d)
    y = input
    xp = backend.get_array_module(input._data)
    for i, (n, o, s) in enumerate(zip(input.shape[2:], out, scales)):
        dim = 2 + i
        if mode in ('nearest', 'nearest-exact'):
            y = _gather(y, _nearest_index(n, o, s, mode == 'nearest-exact'), dim)
        elif mode in _MODES_DIMS:
            m = _cubic_matrix(n, o, s, align_corners) if mode == 'bicubic' else \
                _linear_matrix(n, o, s, align_corners)
            y = _apply_matrix(y, m, dim)
        else:
            raise NotImplementedError(f"Input Error: unsupported interpolation mode {mode}")
    return y.contiguous() if y is not input else y.clone()


def upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None):
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """``interpolate(..., mode='nearest')``."""
    return interpolate(input, size, scale_factor, 'nearest')


def upsample_bilinear(input, size=None, scale_factor=None):
    """``interpolate(..., mode='bilinear', align_corners=True)``."""
    return interpolate(input, size, scale_factor, 'bilinear', align_corners=True)


def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    r = upscale_factor
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    n = len(lead)
    y = input.reshape(*lead, c // (r * r), r, r, h, w)
    y = y.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    r = downscale_factor
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by downscale_factor, but got "
                           f"height={h}, width={w} and downscale_factor={r}")
    n = len(lead)
    y = input.reshape(*lead, c, h // r, r, w // r, r)
    y = y.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


# ---- affine_grid / grid_sample (spatial transformers), composed from Tensor ops ----------------------

def _base_coords(n, align_corners, xp, dtype):
    """The normalised [-1, 1] coordinate of each of ``n`` pixels (centres unless ``align_corners``)."""
    if align_corners:
        return xp.linspace(-1, 1, n, dtype=dtype) if n > 1 else xp.zeros(1, dtype=dtype)
    return ((xp.arange(n, dtype=dtype) * 2 + 1) / n - 1).astype(dtype)


def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, H, W, 2) of the affine maps ``theta`` (N, 2, 3) over an output of ``size`` (N, C, H, W)."""
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3) or len(size) != 4:
        raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {list(size)}. Got "
                         f"{list(theta.shape)}.")
    if theta.shape[0] != size[0]:
        raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {list(size)}. Got "
                         f"{list(theta.shape)}.")
    n, _, h, w = size
    xp, dtype = backend.get_array_module(theta._data), theta._data.dtype
    base = xp.empty((h, w, 3), dtype=dtype)
    base[..., 0] = _base_coords(w, bool(align_corners), xp, dtype)
    base[..., 1] = _base_coords(h, bool(align_corners), xp, dtype)[:, None]
    base[..., 2] = 1
    return (Tensor._wrap(base.reshape(1, h * w, 3)) @ theta.transpose(1, 2)).reshape(n, h, w, 2)


def _unnormalize(coord, size, align_corners):
    return (coord + 1) / 2 * (size - 1) if align_corners else ((coord + 1) * size - 1) / 2


def grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None):
    """Sample (N, C, H, W) at the normalised (x, y) locations of ``grid`` (N, Ho, Wo, 2).

    ``mode`` 'bilinear' or 'nearest'; ``padding_mode`` 'zeros' or 'border'.
    Differentiable in the input and (bilinear) in the grid.
    """
    if input.ndim != 4 or grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected 4D input and grid (N, H, W, 2) with the same batch size, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if mode not in ('bilinear', 'nearest') or padding_mode not in ('zeros', 'border'):
        raise NotImplementedError(f"grid_sample: mode '{mode}' with padding_mode '{padding_mode}' is not supported "
                                  f"(bilinear/nearest with zeros/border are)")
    n, _, h, w = input.shape
    ix = _unnormalize(grid[..., 0], w, bool(align_corners))
    iy = _unnormalize(grid[..., 1], h, bool(align_corners))
    if padding_mode == 'border':
        ix, iy = ix.clamp(0, w - 1), iy.clamp(0, h - 1)
    xp = backend.get_array_module(input._data)
    nhwc = input.permute(0, 2, 3, 1)
    batch = Tensor._wrap(xp.arange(n).reshape(n, 1, 1))

    def corner(cx, cy):
        """Values at integer corners (cx, cy), clamped, and the mask of corners inside the input."""
        valid = (cx >= 0) & (cx <= w - 1) & (cy >= 0) & (cy <= h - 1)
        px = Tensor._wrap(xp.clip(cx, 0, w - 1).astype(np.int64))
        py = Tensor._wrap(xp.clip(cy, 0, h - 1).astype(np.int64))
        return nhwc[batch, py, px], Tensor._wrap(valid.astype(input._data.dtype))

    if mode == 'nearest':
        vals, valid = corner(xp.rint(ix._data), xp.rint(iy._data))  # round half to even, as torch
        return (vals * valid.unsqueeze(-1)).permute(0, 3, 1, 2)
    x0, y0 = xp.floor(ix._data), xp.floor(iy._data)
    wx1, wy1 = ix - Tensor._wrap(x0), iy - Tensor._wrap(y0)
    out = 0
    for cx, cy, wx, wy in ((x0, y0, 1 - wx1, 1 - wy1), (x0 + 1, y0, wx1, 1 - wy1),
                           (x0, y0 + 1, 1 - wx1, wy1), (x0 + 1, y0 + 1, wx1, wy1)):
        vals, valid = corner(cx, cy)
        out = out + vals * (wx * wy * valid).unsqueeze(-1)
    return out.permute(0, 3, 1, 2)


def channel_shuffle(input, groups):
    """(N, g * k, *) -> channels reordered as (k, g): the ShuffleNet channel shuffle."""
    n, c = input.shape[:2]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape((n, groups, c // groups) + rest).transpose(1, 2).reshape((n, c) + rest)


native_channel_shuffle = channel_shuffle

__all__ = ('affine_grid', 'grid_sample', 'channel_shuffle', 'native_channel_shuffle', 'pad', 'interpolate', 'upsample',
           'upsample_nearest', 'upsample_bilinear', 'pixel_shuffle', 'pixel_unshuffle')
