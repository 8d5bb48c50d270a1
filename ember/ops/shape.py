"""Shape operations. Most are views: the output shares memory with the input,
as in torch, so writes through one show in the other and in-place version
counters are shared."""
import numpy as np

from ..autograd.function import Function
from ..size import Size
from ._util import wrap_dim


def _infer_shape(shape, numel, op):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{op}(): argument 'shape' must be tuple of ints, but found element of type "
                            f"{type(s).__name__}")
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return tuple(int(s) for s in shape)


def _shape_arg(shape):
    """Accept ``f(2, 3)`` as well as ``f((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        return tuple(shape[0])
    return shape


class View(Function):
    raw = True
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        out = x.reshape(shape)
        # reshape copies when strides forbid a view; a view's base is the memory owner.
        if out.base is not (x if x.base is None else x.base) and out.size:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Reshape(Function):
    """A reshape that must copy (the input's strides do not allow a view)."""
    raw = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.reshape(x, shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


def view(input, *shape):
    """A tensor with the same data and a new shape; raises when strides make that impossible."""
    shape = _infer_shape(_shape_arg(shape), input.numel(), 'view')
    return View.apply(input, shape=shape)


def reshape(input, *shape):
    """Like view when possible (shares memory), otherwise a copy."""
    shape = _infer_shape(_shape_arg(shape), input.numel(), 'reshape')
    if input._data.flags.c_contiguous:
        return View.apply(input, shape=shape)
    try:
        return View.apply(input, shape=shape)
    except RuntimeError:
        return Reshape.apply(input, shape=shape)


class Permute(Function):
    raw = True
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(tuple(np.argsort(ctx.dims)))


class Transpose(Permute):
    raw = True
    is_view = True


def permute(input, *dims):
    """Reorder dimensions (a view)."""
    dims = _shape_arg(dims)
    n = input.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to "
                           f"len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, n, 'permute') for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


def transpose(input, dim0, dim1):
    """Swap two dimensions (a view)."""
    n = input.ndim
    d0, d1 = wrap_dim(dim0, n, 'transpose'), wrap_dim(dim1, n, 'transpose')
    dims = list(range(n))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Transpose.apply(input, dims=tuple(dims))


swapaxes = swapdims = transpose


def t(input):
    """Transpose a tensor of at most 2 dimensions."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return Transpose.apply(input, dims=tuple(range(input.ndim))[::-1]) if input.ndim == 2 else \
        View.apply(input, shape=input._data.shape)


class Expand(Function):
    raw = True
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad  # the engine sums the broadcast dims back to ctx.shape


def expand(input, *sizes):
    """Broadcast size-1 dims to ``sizes`` without copying (-1 keeps a dim)."""
    sizes = list(_shape_arg(sizes))
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={sizes}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    for i, s in enumerate(sizes):
        if s == -1:
            if i < lead:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            sizes[i] = shape[i - lead]
        elif i >= lead and shape[i - lead] != 1 and shape[i - lead] != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({shape[i - lead]}) at non-singleton dimension {i}.  Target sizes: {sizes}.  "
                               f"Tensor sizes: {list(shape)}")
    if tuple(sizes) == shape:
        return View.apply(input, shape=shape)
    return Expand.apply(input, shape=tuple(sizes))


def expand_as(input, other):
    """``input.expand(other.size())``."""
    return expand(input, other.shape)


def unsqueeze(input, dim):
    """Insert a size-1 dimension at ``dim`` (a view)."""
    d = wrap_dim(dim, input.ndim + 1, 'unsqueeze')
    shape = list(input._data.shape)
    shape.insert(d, 1)
    return View.apply(input, shape=tuple(shape))


def squeeze(input, dim=None):
    """Remove size-1 dimensions (only those in ``dim`` when given; others are kept)."""
    shape = input._data.shape
    if dim is None:
        dims = [i for i, s in enumerate(shape) if s == 1]
    else:
        dims = dim if isinstance(dim, (tuple, list)) else [dim]
        dims = [wrap_dim(d, input.ndim, 'squeeze') for d in dims]
        dims = [d for d in dims if input.ndim and shape[d] == 1]
    new = tuple(s for i, s in enumerate(shape) if i not in dims)
    return View.apply(input, shape=new)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one."""
    n = input.ndim
    if n == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, n, 'flatten'), wrap_dim(end_dim, n, 'flatten')
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input._data.shape
    new = shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:]
    return reshape(input, new)


def unflatten(input, dim, sizes):
    """Split dimension ``dim`` into ``sizes``."""
    d = wrap_dim(dim, input.ndim, 'unflatten')
    shape = input._data.shape
    sizes = _infer_shape(sizes, shape[d], 'unflatten')
    return reshape(input, shape[:d] + tuple(sizes) + shape[d + 1:])


TENSOR_METHODS = ('view', 'reshape', 'permute', 'transpose', 'swapaxes', 'swapdims', 't', 'expand',
                  'expand_as', 'unsqueeze', 'squeeze', 'flatten', 'unflatten')
__all__ = ('view', 'reshape', 'permute', 'transpose', 'swapaxes', 'swapdims', 't', 'unsqueeze', 'squeeze', 'flatten', 'unflatten')
