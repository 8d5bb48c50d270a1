"""Helpers shared by the primitives: dtype promotion and dim normalisation."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor

_scalar_types = (int, float, bool, complex)


def promote(a, b):
    """Cast two operands (arrays or Python scalars) to ``torch.result_type`` of them."""
    ta, tb = type(a), type(b)
    if ta is tb and ta is np.ndarray and a.dtype == b.dtype:
        return a, b  # the common case costs one comparison
    # A float tensor with a Python int/float keeps its dtype (weak scalars never widen a float).
    if ta is np.ndarray and (tb is float or tb is int) and a.dtype.kind == 'f':
        return a, b
    if tb is np.ndarray and (ta is float or ta is int) and b.dtype.kind == 'f':
        return a, b
    rt = dtypes.result_type_arrays(a, b).np
    if hasattr(a, 'dtype'):
        if a.dtype != rt:
            a = a.astype(rt)
    elif ta is int and rt.kind in 'iu':
        a = _wrap_int(a, rt)
    if hasattr(b, 'dtype'):
        if b.dtype != rt:
            b = b.astype(rt)
    elif tb is int and rt.kind in 'iu':
        b = _wrap_int(b, rt)
    return a, b


def _wrap_int(value, np_dtype):
    """A Python int cast to a narrow integer dtype wraps around as in torch (``uint8 + 300``), not raises."""
    info = np.iinfo(np_dtype)
    if info.min <= value <= info.max:
        return value
    return np.array(value, dtype=np.int64).astype(np_dtype)


def float_dtype_for(a):
    """The dtype a true division or a float function of ``a`` produces (ints become the default float)."""
    if a.dtype.kind in 'fc' or a.dtype.name == 'bfloat16':
        return a.dtype
    return dtypes.get_default_dtype().np


def as_float(a):
    """``a`` cast to a floating dtype when it is an integer or bool array."""
    dt = float_dtype_for(a)
    return a if a.dtype == dt else a.astype(dt)


def wrap_dim(dim, ndim, op='operation'):
    """A dim in ``[-ndim, ndim)`` as a non-negative index; IndexError otherwise."""
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}(): argument 'dim' must be int, but got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def wrap_dims(dim, ndim, op='operation'):
    """Normalise None / int / sequence of dims to a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        dim = (dim,)
    dims = tuple(wrap_dim(d, ndim, op) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}(): dim {dims} appears multiple times in the list of dims")
    if ndim == 0:
        return ()
    return tuple(sorted(dims))


def to_tensor(x, like=None):
    """A Python number or array as a constant Tensor (on ``like``'s device)."""
    if isinstance(x, Tensor):
        return x
    from ..creation import tensor
    return tensor(x, device=like.device if like is not None else None)


def check_same_device(*tensors):
    """Raise torch's error when tensors live on different devices."""
    from .. import backend
    if not backend.cuda_loaded():
        return
    devs = {t.device for t in tensors if isinstance(t, Tensor)}
    if len(devs) > 1:
        a, b = sorted(str(d) for d in devs)[:2]
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{b} and {a}!")


def expand_reduced(grad, shape, dims, keepdim):
    """Broadcast the gradient of a reduction over ``dims`` back to the input's ``shape``."""
    from ..autograd import grad_mode
    if not grad_mode.state.enabled:  # plain backward: a broadcast view of the array, no graph
        g = grad._data
        if not keepdim and dims:
            g = g.reshape([1 if d in dims else n for d, n in enumerate(shape)])
        return Tensor._make(np.broadcast_to(g, shape))
    if not keepdim and dims:
        s = list(grad.shape)
        for d in dims:
            s.insert(d, 1)
        grad = grad.reshape(s)
    return grad.expand(shape) if tuple(grad.shape) != tuple(shape) else grad


def float_only(x, op):
    """Raise torch's error for ops that need a floating input (std, var...)."""
    if x.dtype.kind not in 'fc' and x.dtype.name != 'bfloat16':
        raise RuntimeError(f"{op}(): expected a floating point or complex input, but got "
                           f"{dtypes.from_numpy_dtype(x.dtype).name.capitalize()}")


class Where(Function):
    """``where(cond, a, b)`` for backward formulas that must drop a branch (nan * 0 is still nan)."""
    raw = True

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        out = np.where(cond, a, b)
        if not hasattr(a, 'dtype') and hasattr(b, 'dtype'):
            out = out.astype(b.dtype, copy=False)
        elif hasattr(a, 'dtype'):
            out = out.astype(np.result_type(a, b) if hasattr(b, 'dtype') else a.dtype, copy=False)
        return out

    @staticmethod
    def backward(ctx, grad):
        zero = grad * 0
        return (None, Where.apply(ctx.cond, grad, zero) if ctx.needs_input_grad[1] else None,
                Where.apply(ctx.cond, zero, grad) if ctx.needs_input_grad[2] else None)


def masked_where(cond, a, b):
    """``a`` where ``cond`` (a bool array or tensor) holds, else ``b`` (tensors or numbers), differentiably."""
    if isinstance(cond, Tensor):
        cond = cond._data
    return Where.apply(cond, a, b)


def broadcast_error(*operands):
    """torch's RuntimeError for operands whose shapes do not broadcast (raised instead of NumPy's ValueError)."""
    kinds = {type(x).__module__.split('.')[0] for x in operands if hasattr(x, 'shape') and not np.isscalar(x)}
    if len(kinds) > 1:  # a cupy array met a numpy one: the mismatch is of devices, not shapes
        return RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                            "cuda:0 and cpu!")
    shapes = [tuple(getattr(x, 'shape', ())) for x in operands]
    for i in range(len(shapes)):
        for j in range(i + 1, len(shapes)):
            a, b = shapes[i], shapes[j]
            n = max(len(a), len(b))
            pa, pb = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
            for d in range(n - 1, -1, -1):
                if pa[d] != pb[d] and pa[d] != 1 and pb[d] != 1:
                    return RuntimeError(f"The size of tensor a ({pa[d]}) must match the size of tensor b ({pb[d]}) "
                                        f"at non-singleton dimension {d}")
    return RuntimeError(f"shapes {[list(s) for s in shapes]} cannot be broadcast together")


_C10_NAMES = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16', 'int64': 'Long',
              'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool',
              'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}


def c10_name(dt):
    """torch's name of a dtype in kernel error messages: 'Float', 'Long', 'Bool'..."""
    name = dt.name if hasattr(dt, 'name') else np.dtype(dt).name
    return _C10_NAMES.get(name, name)


def cpp_name(dt):
    """torch's C++ type name, as some messages print it: 'float', 'double', 'long int'..."""
    name = dt.name if hasattr(dt, 'name') else np.dtype(dt).name
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'int64': 'long int', 'int32': 'int',
            'int16': 'short int', 'int8': 'signed char', 'uint8': 'unsigned char'}.get(name, name)
