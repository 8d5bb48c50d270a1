"""Joining and splitting: cat, stack, hstack/vstack/dstack, split, chunk, unbind.

cat and stack copy; split, chunk and unbind return views of their input (as
in torch), produced by one multi-output primitive so that their gradient
node is torch's ``SplitBackward0`` / ``UnbindBackward0``.
"""
import numpy as np

from .. import backend, dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import check_same_device, wrap_dim
from .shape import _shape_arg, reshape, unsqueeze
from ..size import Size


def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    check_same_device(*tensors)
    return list(tensors)


def _common_dtype(arrays):
    dt = dtypes._from_np[arrays[0].dtype]
    for a in arrays[1:]:
        dt = dtypes.promote_types(dt, dtypes._from_np[a.dtype])
    return dt.np


def _cast_all(arrays, dt):
    return arrays if all(a.dtype == dt for a in arrays) else [a.astype(dt, copy=False) for a in arrays]


class Cat(Function):
    """Tensors joined along an existing dim."""
    raw = True

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim else 0 for a in arrays]
        # torch skips legacy empty 1-D tensors of shape (0,) whatever the other shapes are.
        kept = [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)] or list(arrays[:1])
        ctx.skipped = [a.ndim == 1 and a.shape[0] == 0 and len(kept) and a is not kept[0] for a in arrays]
        return np.concatenate(_cast_all(kept, _common_dtype(arrays)), axis=dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size, skipped in zip(ctx.sizes, ctx.skipped):
            if skipped:
                grads.append(grad.new_zeros((0,)))
                continue
            grads.append(grad.narrow(ctx.dim, start, size))
            start += size
        return tuple(grads)


def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing dimension ``dim``.

    Example::

        >>> ember.cat([ember.zeros(2, 3), ember.ones(1, 3)]).shape
        ember.Size([3, 3])
    """
    tensors = _tensor_list(tensors, 'cat')
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    ref = next((t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)), tensors[0])
    d = wrap_dim(dim, ref.ndim, 'cat')
    for i, t in enumerate(tensors):
        if t is ref or (t.ndim == 1 and t.shape[0] == 0):
            continue
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}")
        for j, (a, b) in enumerate(zip(ref.shape, t.shape)):
            if j != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {a} but "
                                   f"got size {b} for tensor number {i} in the list.")
    return Cat.apply(*tensors, dim=d)


concat = concatenate = cat


class Stack(Function):
    """Tensors joined along a new dim."""
    raw = True

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        return np.stack(_cast_all(arrays, _common_dtype(arrays)), axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.unbind(ctx.dim)


def stack(tensors, dim=0, *, out=None):
    """Join equally shaped tensors along a new dimension ``dim``."""
    tensors = _tensor_list(tensors, 'stack')
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    d = wrap_dim(dim, tensors[0].ndim + 1, 'stack')
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at "
                               f"entry 0 and {list(t.shape)} at entry {i}")
    return Stack.apply(*tensors, dim=d)


def hstack(tensors, *, out=None):
    """Concatenate along dim 1 (dim 0 for 1-D tensors)."""
    tensors = atleast_1d(*_tensor_list(tensors, 'hstack'))
    tensors = tensors if isinstance(tensors, tuple) else (tensors,)
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors, *, out=None):
    """Concatenate along dim 0 after making every tensor at least 2-D."""
    tensors = atleast_2d(*_tensor_list(tensors, 'vstack'))
    return cat(tensors if isinstance(tensors, tuple) else (tensors,), 0)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate along dim 2 after making every tensor at least 3-D."""
    tensors = atleast_3d(*_tensor_list(tensors, 'dstack'))
    return cat(tensors if isinstance(tensors, tuple) else (tensors,), 2)


def column_stack(tensors, *, out=None):
    """Stack 0-D/1-D tensors as columns, concatenate others along dim 1."""
    cols = [reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in _tensor_list(tensors, 'column_stack')]
    return cat(cols, 1)


class Split(Function):
    """Views of consecutive pieces of ``dim``; torch's ``split``/``chunk`` node."""
    raw = True
    is_view = True

    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        bounds = np.cumsum((0,) + tuple(sizes))
        lead = (slice(None),) * dim
        return tuple(x[lead + (slice(int(a), int(b)),)] for a, b in zip(bounds[:-1], bounds[1:]))

    @staticmethod
    def backward(ctx, *grads):
        return Cat.apply(*grads, dim=ctx.dim)


class SplitWithSizes(Split):
    """``split`` with a list of sizes (torch names its node separately)."""
    raw = True
    is_view = True


def split(tensor, split_size_or_sections, dim=0):
    """Split into pieces of ``split_size`` (the last may be smaller) or of the listed sizes (views)."""
    d = wrap_dim(dim, tensor.ndim, 'split')
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    size = tensor.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                               f"size at dimension {d}), but got split_sizes={sizes}")
        return SplitWithSizes.apply(tensor, sizes=tuple(sizes), dim=d)
    step = int(split_size_or_sections)
    if step < 0 or (step == 0 and size != 0):
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
    n = max((size + step - 1) // step, 1) if step else 1
    sizes = [step] * (n - 1) + [size - step * (n - 1)]
    return Split.apply(tensor, sizes=tuple(sizes), dim=d)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of size ``ceil(size / chunks)`` (possibly fewer pieces; views)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input.ndim, 'chunk')
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    size = input.shape[d]
    step = (size + chunks - 1) // chunks
    if step == 0:
        return Split.apply(input, sizes=(0,) * chunks, dim=d)
    return split(input, step, d)


def tensor_split(input, indices_or_sections, dim=0):
    """Split at indices, or into ``n`` nearly equal pieces (the first ``size % n`` one larger)."""
    d = wrap_dim(dim, input.ndim, 'tensor_split')
    size = input.shape[d]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        sizes = [size // n + (1 if i < size % n else 0) for i in range(n)]
    else:
        idx = [min(max(int(i), 0), size) for i in indices_or_sections]
        bounds = [0] + idx + [size]
        sizes = [max(b - a, 0) for a, b in zip(bounds[:-1], bounds[1:])]
    return SplitWithSizes.apply(input, sizes=tuple(sizes), dim=d)


class Unbind(Function):
    """The slices along a dim, as views."""
    raw = True
    is_view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(x[lead + (i, Ellipsis)] for i in range(x.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return Stack.apply(*grads, dim=ctx.dim)


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple of views."""
    d = wrap_dim(dim, input.ndim, 'unbind')
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if input.shape[d] == 0:
        return ()
    out = Unbind.apply(input, dim=d)
    return out if isinstance(out, tuple) else (out,)


def atleast_1d(*tensors):
    """Each tensor with at least one dimension."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    """Each tensor with at least two dimensions (1-D ``n`` becomes ``1 x n``)."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    """Each tensor with at least three dimensions."""
    return _atleast(tensors, 3)


def _atleast(tensors, n):
    single = len(tensors) == 1 and not isinstance(tensors[0], (list, tuple))
    seq = tensors if not (len(tensors) == 1 and isinstance(tensors[0], (list, tuple))) else tensors[0]
    out = []
    for t_ in seq:
        shape = t_.shape
        if t_.ndim >= n:
            out.append(t_)
        elif n == 1 or t_.ndim == 0:
            out.append(reshape(t_, (1,) * n))
        elif n == 2:
            out.append(unsqueeze(t_, 0))
        else:  # torch: 1-D (n,) -> (1, n, 1); 2-D (m, n) -> (m, n, 1)
            out.append(reshape(t_, (1, shape[0], 1) if t_.ndim == 1 else tuple(shape) + (1,)))
    return out[0] if single else tuple(out)


# ---- repeating and broadcasting ----------------------------------------------------------------

class Repeat(Function):
    """The input tiled along each dim (a copy)."""
    raw = True

    @staticmethod
    def forward(ctx, x, repeats):
        ctx.shape = (1,) * (len(repeats) - x.ndim) + x.shape
        ctx.repeats = repeats
        return np.tile(x, repeats)

    @staticmethod
    def backward(ctx, grad):
        # Each output dim is (repeat, size): split it in two and sum over the repeats.
        split = []
        for r, s in zip(ctx.repeats, ctx.shape):
            split += [r, s]
        g = grad.reshape(split).sum(tuple(range(0, len(split), 2)))
        return g


def repeat(input, *sizes):
    """Tile ``input`` ``sizes[i]`` times along each dim (a copy)."""
    sizes = tuple(int(s) for s in _shape_arg(sizes))
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}")
    return Repeat.apply(input, repeats=sizes)


def tile(input, dims):
    """Like ``repeat``, padding ``dims`` with leading ones when shorter than ``input.ndim``."""
    dims = tuple(dims)
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (of the flattened input, or of ``dim``) ``repeats`` times (an int or a tensor)."""
    from .selection import index_select
    if repeats is None:  # repeat_interleave(counts): indices repeated by their counts
        counts = input._data
        return Tensor._wrap(np.repeat(np.arange(counts.shape[0]), counts))
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    d = wrap_dim(dim, input.ndim, 'repeat_interleave')
    size = input.shape[d]
    counts = repeats._data if isinstance(repeats, Tensor) else repeats
    if np.ndim(counts) and np.shape(counts)[0] not in (1, size):
        raise RuntimeError("repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{np.shape(counts)[0]} and input.size({d}) = {size}")
    index = np.repeat(np.arange(size), np.asarray(backend.to_numpy(counts)).reshape(-1) if np.ndim(counts) else counts)
    return index_select(input, d, Tensor._wrap(index.astype(np.int64)))


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to."""
    from .indexing import broadcast_shapes as pair
    out = ()
    for shape in shapes:
        out = pair(out, (shape,) if isinstance(shape, int) else tuple(shape))
    return Size(out)


def broadcast_tensors(*tensors):
    """Views of ``tensors`` expanded to their common shape."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def meshgrid(*tensors, indexing='ij'):
    """Coordinate grids from 1-D tensors (``indexing='ij'`` as torch's default, or ``'xy'``)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ('ij', 'xy'):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    shape = tuple(t.numel() for t in tensors)
    n = len(tensors)
    grids = [reshape(t, (1,) * i + (-1,) + (1,) * (n - i - 1)).expand(shape) for i, t in enumerate(tensors)]
    if indexing == 'xy' and n >= 2:  # Cartesian indexing swaps the first two output dims
        grids = [g.transpose(0, 1) for g in grids]
    return tuple(grids)


def cartesian_prod(*tensors):
    """All combinations of the elements of 1-D tensors, one per row."""
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing='ij')], dim=1)


def split_with_sizes(input, split_sizes, dim=0):
    """``split`` with a list of sizes."""
    return split(input, list(split_sizes), dim)


def hsplit(input, sections):
    """``tensor_split`` along dim 1 (dim 0 for 1-D tensors)."""
    return tensor_split(input, sections, 1 if input.ndim > 1 else 0)


def vsplit(input, sections):
    """``tensor_split`` along dim 0 of a tensor with at least 2 dims."""
    if input.ndim < 2:
        raise RuntimeError(f"torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with "
                           f"{input.ndim} dimensions!")
    return tensor_split(input, sections, 0)


TENSOR_METHODS = ('split', 'chunk', 'tensor_split', 'unbind', 'repeat', 'tile', 'repeat_interleave',
                  'split_with_sizes', 'hsplit', 'vsplit')
__all__ = ('cat', 'concat', 'concatenate', 'stack', 'hstack', 'vstack', 'row_stack', 'dstack', 'column_stack',
           'split', 'chunk', 'tensor_split', 'unbind', 'atleast_1d', 'atleast_2d', 'atleast_3d', 'tile',
           'repeat_interleave', 'broadcast_shapes', 'broadcast_tensors', 'meshgrid', 'cartesian_prod',
           'split_with_sizes', 'hsplit', 'vsplit')
