"""Shape operations. Most are views: the output shares memory with the input,
as in torch, so writes through one show in the other and in-place version
counters are shared."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..size import Size
from ._util import wrap_dim, wrap_dims


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
    """A view with a new shape (the memory is shared)."""
    raw = True
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        out = x.reshape(shape)
        # NumPy's reshape silently copies when strides forbid a view; torch's view raises instead.
        if out.size and not np.may_share_memory(out, x):
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class UnsafeView(Function):
    """A reshape that must copy (the input's strides do not allow a view); torch's ``_unsafe_view``."""
    raw = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.reshape(x, shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


def view(input, *shape):
    """A tensor with the same data and a new shape (raises when strides make that impossible), or the same
    bytes reinterpreted as another dtype: ``x.view(ember.int32)``."""
    if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        return _view_dtype(input, shape[0])
    shape = _infer_shape(_shape_arg(shape), input.numel(), 'view')
    return View.apply(input, shape=shape)


def _view_dtype(input, dtype):
    src = input._data
    if dtype.itemsize != src.itemsize and (src.ndim == 0 or not src.flags.c_contiguous):
        raise RuntimeError("self.stride(-1) must be 1 to view ScalarType with a different element size")
    if dtype.itemsize > src.itemsize and src.shape[-1] * src.itemsize % dtype.itemsize:
        raise RuntimeError(f"self.size(-1) must be divisible by {dtype.itemsize // src.itemsize} to view "
                           f"{input.dtype} as {dtype} (different element sizes), but got {src.shape[-1]}")
    out = src.view(dtype.np)
    t = type(input)._make(out, version=input._version)
    t._base = input._base if input._base is not None else input
    return t


def reshape(input, *shape):
    """Like view when possible (shares memory), otherwise a copy."""
    shape = _infer_shape(_shape_arg(shape), input.numel(), 'reshape')
    try:
        return View.apply(input, shape=shape)
    except RuntimeError:
        return UnsafeView.apply(input, shape=shape)


class Permute(Function):
    """Reordered dimensions (a view)."""
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
    """Two dimensions swapped (a view; its own node name, as torch)."""
    raw = True
    is_view = True


class T(Permute):
    """``t()`` of a matrix (a view)."""
    raw = True
    is_view = True


class Unsqueeze(View):
    """A size-1 dimension inserted (a view)."""
    raw = True
    is_view = True


class Squeeze(View):
    """Size-1 dimensions removed (a view)."""
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
    return T.apply(input, dims=tuple(range(input.ndim))[::-1])


class Expand(Function):
    """Size-1 dimensions broadcast without copying (a read-only view)."""
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
        raise RuntimeError(f"expand({input.type()}{{{list(shape)}}}, size={sizes}): the number of sizes "
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
    return Unsqueeze.apply(input, shape=tuple(shape))


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
    return Squeeze.apply(input, shape=new)


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


def view_as(input, other):
    """``input.view(other.size())``."""
    return view(input, other.shape)


def ravel(input):
    """The elements as a 1-D tensor (a view when possible)."""
    return reshape(input, (-1,))


def narrow(input, dim, start, length):
    """The slice ``start:start+length`` of dimension ``dim`` (a view)."""
    d = wrap_dim(dim, input.ndim, 'narrow')
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    size = input._data.shape[d]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    start %= size if size else 1
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return input[(slice(None),) * d + (slice(start, start + length),)]


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination``; the others keep their order (a view)."""
    n = input.ndim
    if isinstance(source, int) != isinstance(destination, int):
        raise TypeError(f"movedim() received an invalid combination of arguments - got "
                        f"({type(source).__name__}, {type(destination).__name__}), but expected (int source, int "
                        "destination) or (tuple of ints source, tuple of ints destination)")
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    src = [wrap_dim(d, n, 'movedim') for d in src]
    dst = [wrap_dim(d, n, 'movedim') for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError("movedim: repeated dim in `source` or `destination`")
    order = [d for d in range(n) if d not in src]
    perm = [None] * n
    for s, t_ in zip(src, dst):
        perm[t_] = s
    rest = iter(order)
    perm = [p if p is not None else next(rest) for p in perm]
    return Permute.apply(input, dims=tuple(perm))


moveaxis = movedim


class Flip(Function):
    """Elements reversed along dims (a copy)."""
    raw = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy() if dims else x.copy()

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, dims=ctx.dims)


def flip(input, *dims):
    """Reverse the order of elements along ``dims`` (a copy, as in torch)."""
    return Flip.apply(input, dims=wrap_dims(_shape_arg(dims), input.ndim, 'flip'))


def fliplr(input):
    """Flip left/right (dim 1)."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input):
    """Flip up/down (dim 0)."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class Roll(Function):
    """Elements shifted cyclically (a copy)."""
    raw = True

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:
            return np.roll(x.reshape(-1), shifts).reshape(x.shape)
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        return Roll.apply(grad, shifts=tuple(-s for s in ctx.shifts) if ctx.dims is not None else -ctx.shifts,
                          dims=ctx.dims)


def roll(input, shifts, dims=None):
    """Shift elements cyclically along ``dims`` (the flattened tensor when None)."""
    if dims is None:
        if not isinstance(shifts, int):
            if len(shifts) != 1:
                raise RuntimeError(f"roll: Expected shifts and dims to have the same length, got shifts "
                                   f"{list(shifts)} and dims []")
            shifts = shifts[0]
        return Roll.apply(input, shifts=int(shifts), dims=None)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    dims = tuple(wrap_dim(d, input.ndim, 'roll') for d in dims)
    return Roll.apply(input, shifts=tuple(int(s) for s in shifts), dims=dims)


broadcast_to = expand


def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    return reshape(input, other.shape)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first towards the second)."""
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    d0, d1 = (wrap_dim(d, input.ndim, 'rot90') for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, d0, d1)
    if k == 3:
        return flip(transpose(input, d0, d1), d1)
    return input.clone()


TENSOR_METHODS = ('view', 'reshape', 'permute', 'transpose', 'swapaxes', 'swapdims', 't', 'expand',
                  'expand_as', 'unsqueeze', 'squeeze', 'flatten', 'unflatten', 'view_as', 'ravel', 'narrow',
                  'movedim', 'moveaxis', 'flip', 'fliplr', 'flipud', 'roll', 'broadcast_to', 'reshape_as',
                  'rot90')
__all__ = ('reshape', 'permute', 'transpose', 'swapaxes', 'swapdims', 't', 'unsqueeze', 'squeeze', 'flatten',
           'unflatten', 'ravel', 'narrow', 'movedim', 'moveaxis', 'flip', 'fliplr', 'flipud', 'roll', 'broadcast_to',
           'rot90')
