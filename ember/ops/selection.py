"""Selecting and scattering elements by index or mask.

index_select, gather, take, masked_select, nonzero/where pick elements;
scatter, scatter_add, index_add, index_fill, masked_fill and masked_scatter
write them. Each picking op's gradient is the matching writing op into
zeros, and vice versa, so derivatives of every order exist.
"""
import numpy as np

from .. import backend, dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import check_same_device, promote, wrap_dim
from .indexing import IndexPut, add_at, broadcast_shapes


def _index_array(index, op, ndim_check=None):
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    arr = index._data
    if arr.dtype.kind not in 'iu' or arr.dtype == np.uint8:
        raise RuntimeError(f"{op}(): Expected dtype int64 for index")
    return arr


def _along(index, dim):
    """A NumPy key selecting ``out[..., index[i], ...]`` element-wise for an index of any shape."""
    xp = backend.get_array_module(index)
    n = index.ndim
    grids = [xp.arange(s).reshape((1,) * d + (s,) + (1,) * (n - d - 1)) for d, s in enumerate(index.shape)]
    if n:
        grids[dim] = index
    return tuple(grids)


# ---- index_select / index_add / index_fill -------------------------------------------------

class IndexSelect(Function):
    """Slices picked by index along a dim."""
    raw = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.shape = dim, index, x.shape
        return x.take(index, axis=dim) if x.ndim else x.reshape(1)[index].reshape(())

    @staticmethod
    def backward(ctx, grad):
        zeros = grad.new_zeros(ctx.shape)
        return IndexAdd.apply(zeros, grad, dim=ctx.dim, index=ctx.index, alpha=1)


def index_select(input, dim, index):
    """The slices ``index`` of dimension ``dim`` (a copy)."""
    if isinstance(index, Tensor) and index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = _index_array(index, 'index_select')
    d = wrap_dim(dim, input.ndim, 'index_select')
    size = input.shape[d] if input.ndim else 1
    if idx.size and (int(idx.max()) >= size or int(idx.min()) < -size):
        raise IndexError("index out of range in self")
    return IndexSelect.apply(input, dim=d, index=idx.reshape(-1))


class IndexAdd(Function):
    """Slices of ``source`` added at index along a dim."""
    raw = True

    @staticmethod
    def forward(ctx, x, source, dim, index, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = x.copy()
        src = source if alpha == 1 else source * alpha
        add_at(out, (slice(None),) * dim + (index,), src.astype(out.dtype, copy=False))
        return out

    @staticmethod
    def backward(ctx, grad):
        gsrc = None
        if ctx.needs_input_grad[1]:
            gsrc = IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index)
            if ctx.alpha != 1:
                gsrc = gsrc * ctx.alpha
        return grad, gsrc


def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source`` slices added at ``index`` along ``dim`` (repeats accumulate)."""
    idx = _index_array(index, 'index_add')
    d = wrap_dim(dim, input.ndim, 'index_add')
    expect = input.shape[:d] + (idx.size,) + input.shape[d + 1:]
    if tuple(source.shape) != tuple(expect) and source.ndim == input.ndim:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(input.shape)} source.shape = {list(source.shape)}")
    check_same_device(input, source)
    return IndexAdd.apply(input, source.reshape(expect), dim=d, index=idx.reshape(-1), alpha=alpha)


def index_fill(input, dim, index, value):
    """``input`` with the slices ``index`` of ``dim`` set to ``value``."""
    idx = _index_array(index, 'index_fill')
    d = wrap_dim(dim, input.ndim, 'index_fill')
    key = (slice(None),) * d + (idx.reshape(-1),)
    return IndexPut.apply(input, value, key=key)


def index_copy(input, dim, index, source):
    """``input`` with the slices ``index`` of ``dim`` replaced by ``source``."""
    idx = _index_array(index, 'index_copy')
    d = wrap_dim(dim, input.ndim, 'index_copy')
    return IndexPut.apply(input, source, key=(slice(None),) * d + (idx.reshape(-1),))


# ---- gather / scatter ------------------------------------------------------------------------

def _check_gather_shapes(input, idx, d, op, src=None):
    if idx.ndim != input.ndim and not (idx.ndim <= 1 and input.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for i, (a, b) in enumerate(zip(idx.shape, input.shape)):
        if i != d and a > b:
            raise RuntimeError(f"Size does not match at dimension {i} expected index {list(idx.shape)} to be no "
                               f"larger than self {list(input.shape)} apart from dimension {d}")
    if src is not None and any(a > b for a, b in zip(idx.shape, src.shape)):
        raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(input.shape)} apart "
                           f"from dimension {d} and to be no larger size than src {list(src.shape)}")
    if idx.size:
        size = input.shape[d] if input.ndim else 1
        hi, lo = int(idx.max()), int(idx.min())
        if hi >= size or lo < -size:
            raise RuntimeError(f"index {hi if hi >= size else lo} is out of bounds for dimension {d} with size "
                               f"{size}")


class Gather(Function):
    """Elements picked element-wise by index along a dim."""
    raw = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.shape = dim, index, x.shape
        return x[_along(index, dim)]

    @staticmethod
    def backward(ctx, grad):
        return ScatterAdd.apply(grad.new_zeros(ctx.shape), grad, dim=ctx.dim, index=ctx.index)


def gather(input, dim, index, *, sparse_grad=False):
    """``out[i][j] = input[index[i][j]][j]`` for dim 0 (and likewise for other dims)."""
    idx = _index_array(index, 'gather')
    d = wrap_dim(dim, input.ndim, 'gather')
    _check_gather_shapes(input, idx, d, 'gather')
    return Gather.apply(input, dim=d, index=idx)


class ScatterAdd(Function):
    """Elements of ``src`` added at index along a dim."""
    raw = True

    @staticmethod
    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        out = x.copy()
        part = src[tuple(slice(0, s) for s in index.shape)]
        add_at(out, _along(index, dim), part.astype(out.dtype, copy=False))
        return out

    @staticmethod
    def backward(ctx, grad):
        gsrc = None
        if ctx.needs_input_grad[1]:
            gsrc = _pad_to(Gather.apply(grad, dim=ctx.dim, index=ctx.index), ctx.src_shape)
        return grad, gsrc


def _pad_to(g, shape):
    """``g`` in the leading corner of zeros of ``shape`` (src may be larger than index)."""
    if tuple(g.shape) == tuple(shape):
        return g
    return IndexPut.apply(g.new_zeros(shape), g, key=tuple(slice(0, s) for s in g.shape))


class Scatter(Function):
    """Elements of ``src`` (or a value) written at index along a dim."""
    raw = True

    @staticmethod
    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, np.shape(src)
        out = x.copy()
        if hasattr(src, 'shape') and src.ndim:
            src = src[tuple(slice(0, s) for s in index.shape)]
        out[_along(index, dim)] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = Scatter.apply(grad, 0, dim=ctx.dim, index=ctx.index) if ctx.needs_input_grad[0] else None
        gsrc = None
        if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:
            gsrc = _pad_to(Gather.apply(grad, dim=ctx.dim, index=ctx.index), ctx.src_shape)
        return gx, gsrc


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """``input`` with ``src`` (a tensor or a number) written at ``index`` along ``dim``."""
    if src is None:
        src = value
    idx = _index_array(index, 'scatter')
    d = wrap_dim(dim, input.ndim, 'scatter')
    is_tensor = isinstance(src, Tensor)
    _check_gather_shapes(input, idx, d, 'scatter', src if is_tensor else None)
    if reduce is not None:
        if reduce not in ('add', 'multiply'):
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
        if reduce == 'add':
            return scatter_add(input, dim, index, src if is_tensor else input.new_full(idx.shape, src))
        out = input._data.copy()
        np.multiply.at(out, _along(idx, d), src._data[tuple(slice(0, s) for s in idx.shape)] if is_tensor else src)
        return Tensor._wrap(out)
    if is_tensor:
        if src.dtype != input.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        check_same_device(input, src)
        return Scatter.apply(input, src, dim=d, index=idx)
    return Scatter.apply(input, src, dim=d, index=idx)


def scatter_add(input, dim, index, src):
    """``input`` with ``src`` added at ``index`` along ``dim`` (repeats accumulate)."""
    idx = _index_array(index, 'scatter_add')
    d = wrap_dim(dim, input.ndim, 'scatter_add')
    _check_gather_shapes(input, idx, d, 'scatter_add', src)
    if src.dtype != input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    check_same_device(input, src)
    return ScatterAdd.apply(input, src, dim=d, index=idx)


def take(input, index):
    """Elements of the flattened ``input`` at ``index`` (the result has index's shape)."""
    idx = _index_array(index, 'take')
    flat = input.reshape(-1)
    return flat[Tensor._wrap(idx)]


def take_along_dim(input, indices, dim=None):
    """``gather`` with broadcasting of ``indices`` (the flattened input when dim is None)."""
    if dim is None:
        return take(input, indices.reshape(-1))
    d = wrap_dim(dim, input.ndim, 'take_along_dim')
    shape = list(np.broadcast_shapes(tuple(s if i != d else 1 for i, s in enumerate(input.shape)),
                                     tuple(s if i != d else 1 for i, s in enumerate(indices.shape))))
    idx_shape, in_shape = list(shape), list(shape)
    idx_shape[d], in_shape[d] = indices.shape[d], input.shape[d]
    return gather(input.expand(in_shape), d, indices.expand(idx_shape))


class Where(Function):
    """Elements of x where cond, else of y."""
    raw = True

    @staticmethod
    def forward(ctx, x, y, cond):
        ctx.cond = cond
        x, y = promote(x, y)
        out = np.where(cond, x, y)
        if not hasattr(x, 'dtype') and not hasattr(y, 'dtype'):  # two Python numbers: torch's weak-type rule
            out = out.astype(dtypes.result_type_arrays(x, y).np, copy=False)
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = Where.apply(grad, 0, cond=ctx.cond) if need[0] else None
        gy = Where.apply(0, grad, cond=ctx.cond) if len(need) > 1 and need[1] else None
        return gx, gy


def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition``, else of ``other``.

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``.
    """
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor) or condition._data.dtype != np.bool_:
        dt = condition.dtype if isinstance(condition, Tensor) else type(condition).__name__
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {dt}")
    check_same_device(condition, input, other)
    shape = condition.shape
    for v in (input, other):
        if isinstance(v, Tensor):
            shape = broadcast_shapes(tuple(shape), tuple(v.shape))
    return Where.apply(input, other, cond=condition._data)


def _where_method(self, condition, other):
    """``ember.where(condition, self, other)``."""
    return where(condition, self, other)


def nonzero(input, *, as_tuple=False):
    """Indices of non-zero elements: an ``(n, ndim)`` int64 tensor, or a tuple of 1-D tensors."""
    data = input._data
    if as_tuple:
        idx = np.nonzero(data.reshape(1) if data.ndim == 0 else data)
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    idx = np.nonzero(data.reshape(1) if data.ndim == 0 else data)
    if data.ndim == 0:
        xp = backend.get_array_module(data)
        return Tensor._wrap(xp.zeros((idx[0].size, 0), dtype=np.int64))
    return Tensor._wrap(np.stack(idx, axis=1).astype(np.int64))


def argwhere(input):
    """``nonzero(input)``."""
    return nonzero(input)


# ---- triangles and diagonals -----------------------------------------------------------------

class Tril(Function):
    """The lower triangle."""
    raw = True

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return np.tril(x, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return Tril.apply(grad, diagonal=ctx.diagonal)


class Triu(Function):
    """The upper triangle."""
    raw = True

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return np.triu(x, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return Triu.apply(grad, diagonal=ctx.diagonal)


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (elements above ``diagonal`` zeroed)."""
    if input.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, diagonal=int(diagonal))


def triu(input, diagonal=0):
    """The upper triangle of the last two dims (elements below ``diagonal`` zeroed)."""
    if input.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, diagonal=int(diagonal))


def _diagonal_view(x, offset, dim1, dim2):
    """A writable strided view of a diagonal, moved to the last dim (NumPy's own is read-only)."""
    xt = np.moveaxis(x, (dim1, dim2), (-2, -1))
    sub = xt[..., :, offset:] if offset >= 0 else xt[..., -offset:, :]
    n = max(min(sub.shape[-2], sub.shape[-1]), 0)
    strides = sub.strides[:-2] + (sub.strides[-2] + sub.strides[-1],)
    xp = backend.get_array_module(x)
    return xp.lib.stride_tricks.as_strided(sub, sub.shape[:-2] + (n,), strides)


class Diagonal(Function):
    """A diagonal as a writable strided view."""
    raw = True
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.args, ctx.shape = (offset, dim1, dim2), x.shape
        return _diagonal_view(x, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return DiagonalScatter.apply(grad, shape=ctx.shape, args=ctx.args)


class DiagonalScatter(Function):
    """Zeros of ``shape`` with ``src`` on a diagonal (the gradient of ``diagonal``)."""
    raw = True

    @staticmethod
    def forward(ctx, src, shape, args):
        ctx.args = args
        out = backend.get_array_module(src).zeros(shape, src.dtype)
        _diagonal_view(out, *args)[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        return Diagonal.apply(grad, offset=ctx.args[0], dim1=ctx.args[1], dim2=ctx.args[2])


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of dims ``dim1``/``dim2`` as the last dim (a view)."""
    d1, d2 = wrap_dim(dim1, input.ndim, 'diagonal'), wrap_dim(dim2, input.ndim, 'diagonal')
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset=int(offset), dim1=d1, dim2=d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonals (of dims ``dim1``/``dim2``) are the last dim of ``input``."""
    n = input.shape[-1] + abs(offset)
    nd = input.ndim + 1
    d1, d2 = wrap_dim(dim1, nd, 'diag_embed'), wrap_dim(dim2, nd, 'diag_embed')
    shape = list(input.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    return DiagonalScatter.apply(input, shape=tuple(shape), args=(int(offset), d1, d2))


def diag(input, diagonal=0):
    """A 1-D input becomes a square matrix with it on a diagonal; a 2-D input gives its diagonal."""
    if input.ndim == 1:
        n = input.shape[0] + abs(diagonal)
        return DiagonalScatter.apply(input, shape=(n, n), args=(int(diagonal), 0, 1))
    if input.ndim == 2:
        from .copy import clone
        return clone(Diagonal.apply(input, offset=int(diagonal), dim1=0, dim2=1))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


TENSOR_METHODS = ('index_select', 'index_add', 'index_fill', 'index_copy', 'gather', 'scatter', 'scatter_add',
                  'take', 'take_along_dim', 'nonzero', 'argwhere', 'tril', 'triu', 'diagonal', 'diag_embed', 'diag')
ALIASES = {'where': _where_method}
INPLACE = ('index_add', 'index_fill', 'index_copy', 'scatter', 'scatter_add', 'tril', 'triu')
__all__ = TENSOR_METHODS + ('where',)
